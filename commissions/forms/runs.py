"""Forms of the commission-run and period pages. They parse; ``commissions.services.runs`` and
``commissions.services.closing`` decide."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from channelhub.forms import PageForm
from kpi.filters import PeriodField


class StartRunForm(PageForm):
    period = PeriodField(label=_("Month"), help_text=_("YYYY-MM; draft statements of the month are recomputed."))


class YearEndForm(PageForm):
    year = forms.IntegerField(label=_("Year"), min_value=1900, max_value=2999)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"year": timezone.localdate().year - 1})
        super().__init__(*args, **kwargs)
