"""REST API of the KPI app, one module per area (facts, targets, scorecards); ``KpiConfig.ready`` registers them."""
