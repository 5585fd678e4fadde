"""Model fields that many models declare the same way."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from channelhub.periods import YEARS

ZERO = Decimal("0.00")
#: An amount of money: up to 999,999,999,999.99 (``models.DecimalField(_("amount"), **MONEY)``).
MONEY = {"max_digits": 14, "decimal_places": 2}
#: A rate in per cent, 0–100.
PERCENT_RANGE = [MinValueValidator(ZERO), MaxValueValidator(Decimal("100"))]
#: A position in degrees (WGS-84).
LATITUDE = [MinValueValidator(-90), MaxValueValidator(90)]
LONGITUDE = [MinValueValidator(-180), MaxValueValidator(180)]
#: A month, ``YYYY-MM``.
PERIOD_CODE = RegexValidator(r"^\d{4}-(0[1-9]|1[0-2])$", _("Enter a period as YYYY-MM, e.g. 2026-07."))

#: The years a business date may fall in (``channelhub.periods.YEARS``: 1900–2999).
FIRST_YEAR, LAST_YEAR = YEARS.start, YEARS.stop - 1


def year_message() -> str:
    return _("Enter a date between the years %(first)d and %(last)d.") % {"first": FIRST_YEAR, "last": LAST_YEAR}


def validate_year(value: date | datetime | None) -> None:
    """Refuse (400 on the field) a date or time outside the years 1900–2999."""
    if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValidationError(year_message(), code="year_out_of_range")


def actor_field(verbose_name, **kwargs) -> models.ForeignKey:
    """Who did something to a row (approved it, closed it, answered it …): optional, kept (PROTECT),
    and without a reverse accessor on the user."""
    options = {"on_delete": models.PROTECT, "null": True, "blank": True, "related_name": "+"}
    return models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=verbose_name, **{**options, **kwargs})


def rep_field(related_name: str, **kwargs) -> models.ForeignKey:
    """The field rep a row is about (a target, a visit, a statement …): kept (PROTECT) unless told otherwise."""
    options = {"on_delete": models.PROTECT, "related_name": related_name}
    return models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("field rep"), **{**options, **kwargs})


def period_field(**kwargs) -> models.CharField:
    """A month, ``YYYY-MM`` (``channelhub.periods.Month``)."""
    return models.CharField(_("period"), max_length=7, validators=[PERIOD_CODE], **kwargs)


def person_name(user) -> str:
    """A user as people see them (``display_name``), for a model's ``__str__``: the selectors are imported
    when called, not at import time (the models load first)."""
    from channelhub.accounts.selectors import display_name

    return display_name(user)


def unique_messages(**messages):
    """A ``Model.unique_error_message`` that names the value taken, field by field (forms, the admin and
    the services' ``full_clean`` alike); other checks keep Django's message::

        unique_error_message = unique_messages(code=_("A dealer with the code %(value)s already exists."))
    """

    def unique_error_message(self, model_class, unique_check):
        if len(unique_check) == 1 and unique_check[0] in messages:
            name = unique_check[0]
            return ValidationError(messages[name], code="unique", params={"value": getattr(self, name)})
        return models.Model.unique_error_message(self, model_class, unique_check)

    return unique_error_message
