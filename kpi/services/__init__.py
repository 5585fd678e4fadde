"""KPI writes and computations: ``periods`` (open/closed months), ``facts`` (sales, collections,
expenses), ``targets``, ``measures`` (achievement, expense and collection rates) and ``scorecards``."""
