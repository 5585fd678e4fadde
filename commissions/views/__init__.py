"""Commission pages: runs and periods, statements, payouts and disputes; ``commissions/urls.py`` routes them."""
