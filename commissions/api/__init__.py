"""REST API of the commissions app: plans, runs, statements and disputes; ``CommissionsConfig.ready`` registers them."""
