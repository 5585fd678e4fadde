"""In-app notifications (with an e-mail copy): a bell on every page, a list at ``/notifications/``."""
