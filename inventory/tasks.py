"""Stock's scheduled work (SPEC §16, §9): the quarterly 80/20 pass over the terminals."""

from __future__ import annotations

from channelhub.tasks import reliable_task
from inventory.services import terminals


@reliable_task(name="inventory.key_account_pass")
def key_account_pass(quarter: str | None = None) -> dict:
    """Mark the key terminals of ``quarter`` (by default the quarter that just ended)."""
    result = terminals.key_account_pass(quarter or terminals.last_quarter())
    return result.__dict__
