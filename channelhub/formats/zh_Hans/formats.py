"""Simplified Chinese: Django's formats, with numbers grouped by thousands as finance writes them
(``1,234,567.89``; Django's own zh_Hans has no separator and groups by 4)."""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
