"""Forms of the channel fund pages, one module per area (budgets, deposits, materials, requests). They only
collect values: the rules are the services' (``funds.services``), so a page and the API refuse alike."""
