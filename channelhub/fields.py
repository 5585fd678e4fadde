"""Model fields that many models declare the same way."""

from __future__ import annotations

from django.conf import settings
from django.db import models


def actor_field(verbose_name, **kwargs) -> models.ForeignKey:
    """Who did something to a row (approved it, closed it, answered it …): optional, kept (PROTECT),
    and without a reverse accessor on the user."""
    options = {"on_delete": models.PROTECT, "null": True, "blank": True, "related_name": "+"}
    return models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=verbose_name, **{**options, **kwargs})
