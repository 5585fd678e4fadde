"""Forms and filters of the scorecard and measures pages (and the API's scorecard filters)."""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from channelhub.accounts.fields import PersonChoiceFilter
from channelhub.api.fields import scoped_choices
from channelhub.fields import PERIOD_CODE
from channelhub.forms import PageForm, style_fields
from channelhub.periods import Month
from channelhub.roles import Role
from kpi.models import Method, Scorecard, ScorecardTemplate

User = get_user_model()
MONTH_WIDGET = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"})


class ScorecardFilter(django_filters.FilterSet):
    """SPEC §8: scorecards by ``rep``, ``period``, ``status`` (and ``template`` by its code)."""

    rep = PersonChoiceFilter(queryset=scoped_choices(User, groups__name=Role.FIELD_REP), label=_("Rep"))
    period = django_filters.CharFilter(validators=[PERIOD_CODE], label=_("Month"), widget=MONTH_WIDGET)
    status = django_filters.ChoiceFilter(choices=Scorecard.Status.choices, label=_("Status"))
    template = django_filters.ModelChoiceFilter(
        queryset=ScorecardTemplate.objects.all(), to_field_name="code", label=_("Template")
    )

    class Meta:
        model = Scorecard
        fields = ["rep", "period", "status", "template"]


def _rep_label(user) -> str:
    return user.get_full_name() or user.username


class ComputeForm(PageForm):
    """Compute (or recompute) a scorecard: one rep, or every rep the user computes for."""

    rep = forms.ModelChoiceField(queryset=User.objects.none(), required=False, label=_("Field rep"))
    period = forms.CharField(label=_("Month"), widget=MONTH_WIDGET)
    template = forms.ModelChoiceField(
        queryset=ScorecardTemplate.objects.filter(is_active=True), to_field_name="code", label=_("Template")
    )

    def __init__(self, *args, reps=None, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("period", str(Month.current().previous()))
        super().__init__(*args, **kwargs)
        self.fields["rep"].queryset = reps if reps is not None else User.objects.none()
        self.fields["rep"].label_from_instance = _rep_label
        self.fields["rep"].empty_label = _("All my reps")

    def clean_period(self) -> Month:
        return Month.parse(self.cleaned_data["period"])


class LineScoresForm(PageForm):
    """One 0–100 score per manual line of a scorecard (``line_<id>``), for the rep or the manager."""

    score_field = "self_score"

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.manual_lines = [line for line in lines if line.item.method == Method.MANUAL]
        for line in self.manual_lines:
            self.fields[f"line_{line.pk}"] = forms.DecimalField(
                label=str(line.item),
                min_value=0,
                max_value=100,
                max_digits=5,
                decimal_places=2,
                required=False,
                initial=self.initial_score(line),
                help_text=self.help_for(line),
            )
        self.order_fields([f"line_{line.pk}" for line in self.manual_lines])
        style_fields(self)

    def initial_score(self, line):
        return getattr(line, self.score_field)

    def help_for(self, line) -> str:
        return ""

    def scores(self) -> dict[int, object]:
        return {line.pk: self.cleaned_data.get(f"line_{line.pk}") for line in self.manual_lines}


class SelfEvaluationForm(LineScoresForm):
    score_field = "self_score"


class ConfirmScorecardForm(LineScoresForm):
    """The manager's scores of the manual items (the rep's self-evaluation proposed) and a comment."""

    score_field = "manager_score"
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def initial_score(self, line):
        return line.manager_score if line.manager_score is not None else line.self_score

    def help_for(self, line) -> str:
        if line.self_score is None:
            return str(_("No self-evaluation."))
        return str(_("Self-evaluation: %(score)s")) % {"score": line.self_score}
