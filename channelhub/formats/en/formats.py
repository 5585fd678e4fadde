"""English: Django's formats; numbers grouped by thousands (``1,234,567.89``) as in Chinese."""

from django.conf.locale.en.formats import *  # noqa: F403

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
