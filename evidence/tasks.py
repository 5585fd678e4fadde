"""Evidence jobs: a photo's copies, made after its upload commits (eager under `make run`)."""

from __future__ import annotations

from channelhub.tasks import reliable_task
from evidence.services import attachment_make_copies as make_copies


@reliable_task(name="evidence.make_copies")
def attachment_make_copies(attachment_id: int) -> bool:
    """The watermarked copy and the thumbnail of one photo (idempotent: made once)."""
    return make_copies(attachment_id)
