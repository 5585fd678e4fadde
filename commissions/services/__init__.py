"""Writes of the commissions app: runs, statements, disputes, payouts, period closing, carry-forward."""
