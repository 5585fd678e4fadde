"""Commission plans (提成方案, SPEC §6): a plan, its tiers and its assignments saved in one call, and
which plan pays a rep in a month.

``plan_create`` / ``plan_update`` (and ``plan_save``, which both use, as does the admin) check the
whole plan before writing anything and refuse it with one ``ValidationError`` whose keys are the
fields (``tiers`` and ``assignments`` for the nested lists): the API answers 400 with them.

* **Tiers** are bands defined by their starts: ``from_amount`` (≥ 0) and ``rate`` (0–100 %). A band
  runs from its start to the next band's start, the last one without end, so the bands are
  contiguous by construction; what can go wrong is a missing band at 0.00 (a gap at the bottom), two
  bands with the same start (an overlap) or a negative start. They may be given in any order.
* **Assignments** ``{rep, start_date, end_date}`` (``end_date`` empty: open-ended, dates inclusive):
  the rep must be a field rep, the end not before the start, and no rep may be on two plans — this
  one or any other — on the same day. A refusal names the other plan and its dates.

``plans_for(reps, month)`` answers which plan pays each rep for a month: the one assigned on the
month's **last day** (a plan change on the 15th pays the whole month on the new plan; a rep whose
assignment ended before the month's end has no plan that month). Two queries for any number of reps.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from channelhub.accounts.selectors import display_name
from channelhub.formatting import as_decimal
from channelhub.roles import Role, has_role
from commissions.models import CommissionPlan, CommissionTier, PlanAssignment

User = get_user_model()

ZERO = Decimal("0.00")
HUNDRED = Decimal("100")
CENT = Decimal("0.01")
#: The plan's own fields that ``plan_create`` / ``plan_update`` take (tiers and assignments apart).
PLAN_FIELDS = (
    "name",
    "base",
    "tier_mode",
    "collection_gate",
    "distribution_gate",
    "use_scorecard",
    "scorecard_template",
    "over_budget_expense_share",
    "visit_shortfall_deduction",
    "false_report_deduction",
    "fabricated_deduction",
    "retention",
    "is_active",
)


@dataclass(frozen=True)
class Band:
    """A tier as checked: ``from_amount`` and ``rate`` (%), two decimals each."""

    from_amount: Decimal
    rate: Decimal


@dataclass(frozen=True)
class Assignment:
    """An assignment as checked (``rep`` a user, dates inclusive, ``end_date`` None: open-ended)."""

    rep: Any
    start_date: date
    end_date: date | None

    def overlaps(self, start: date, end: date | None) -> bool:
        return self.start_date <= (end or date.max) and start <= (self.end_date or date.max)


def money(value: Decimal) -> str:
    return f"{value:,.2f}"


def dates_text(start: date, end: date | None) -> str:
    """``2026-01-01 – 2026-12-31``, or ``2026-01-01 – (open-ended)``."""
    return f"{start.isoformat()} – {end.isoformat() if end else _('(open-ended)')}"


# --- checks ----------------------------------------------------------------------------------------


def clean_tiers(tiers: Iterable[Mapping[str, Any]] | None) -> tuple[list[Band], list[str]]:
    """The bands sorted by their start, and what is wrong with them (an empty list when nothing)."""
    problems: list[str] = []
    bands: list[Band] = []
    for number, row in enumerate(tiers or (), start=1):
        start, rate = as_decimal(row.get("from_amount")), as_decimal(row.get("rate"))
        if start is None:
            problems.append(_("Band %(n)s: enter the amount it starts from.") % {"n": number})
        elif start < 0:
            problems.append(_("Band %(n)s starts below 0.00 (%(from)s).") % {"n": number, "from": money(start)})
        elif start != start.quantize(CENT) or start >= Decimal("1e12"):
            problems.append(_("Band %(n)s: the amount has at most 12 digits and 2 decimals.") % {"n": number})
        if rate is None:
            problems.append(_("Band %(n)s: enter its rate (%%).") % {"n": number})
        elif not ZERO <= rate <= HUNDRED:
            problems.append(_("Band %(n)s: the rate must be between 0 and 100 %%.") % {"n": number})
        elif rate != rate.quantize(CENT):
            problems.append(_("Band %(n)s: a rate has at most 2 decimals.") % {"n": number})
        if start is not None and rate is not None:
            bands.append(Band(start.quantize(CENT), rate.quantize(CENT)))
    if problems:
        return sorted(bands, key=lambda band: band.from_amount), problems
    if not bands:
        return [], [_("Give at least one band, starting at 0.00.")]
    bands.sort(key=lambda band: band.from_amount)
    starts = [band.from_amount for band in bands]
    for start in sorted({s for s in starts if starts.count(s) > 1}):
        problems.append(_("Two bands start at %(from)s: bands may not overlap.") % {"from": money(start)})
    if starts[0] != ZERO:
        problems.append(
            _("The first band must start at 0.00 (the lowest starts at %(from)s): bands may not leave a gap.")
            % {"from": money(starts[0])}
        )
    return bands, problems


def _rep_id(value: Any) -> int | None:
    """A rep given as a user or an ID (``"12"`` too) → the ID; None when it is neither."""
    if isinstance(value, User):
        return value.pk
    if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
        return int(value)
    return None


def _date(value: Any) -> date | None:
    if value is None or value == "" or isinstance(value, date):
        return value or None
    try:
        return parse_date(str(value))
    except ValueError:
        return None


def clean_assignments(
    assignments: Iterable[Mapping[str, Any]] | None, *, plan: CommissionPlan | None
) -> tuple[list[Assignment], list[str]]:
    """The assignments as given, and what is wrong with them: a rep who is not a field rep, an end
    before the start, two of them overlapping for one rep, or one overlapping the rep's assignment
    to another plan (the assignments of ``plan`` itself are the ones being replaced)."""
    rows = list(assignments or ())
    wanted = {_rep_id(row.get("rep")) for row in rows} - {None}
    users = User.objects.in_bulk(wanted)
    field_reps = set(User.objects.filter(pk__in=wanted, groups__name=Role.FIELD_REP).values_list("pk", flat=True))
    problems: list[str] = []
    checked: list[Assignment] = []
    for number, row in enumerate(rows, start=1):
        rep, start, end = users.get(_rep_id(row.get("rep"))), _date(row.get("start_date")), _date(row.get("end_date"))
        if rep is None:
            problems.append(_("Assignment %(n)s: choose a field rep.") % {"n": number})
        elif rep.pk not in field_reps:
            problems.append(
                _("Assignment %(n)s: %(rep)s is not a field rep; plans are for field reps.")
                % {"n": number, "rep": display_name(rep)}
            )
            rep = None
        if start is None:
            problems.append(_("Assignment %(n)s: enter a start date (YYYY-MM-DD).") % {"n": number})
        if row.get("end_date") not in (None, "") and end is None:
            problems.append(_("Assignment %(n)s: enter the end date as YYYY-MM-DD, or leave it empty.") % {"n": number})
        elif start is not None and end is not None and end < start:
            problems.append(
                _("Assignment %(n)s ends (%(end)s) before it starts (%(start)s).")
                % {"n": number, "end": end.isoformat(), "start": start.isoformat()}
            )
            rep = None  # its dates mean nothing: no overlap check
        if rep is not None and start is not None:
            checked.append(Assignment(rep, start, end))

    by_rep: dict[int, list[Assignment]] = defaultdict(list)
    for assignment in checked:
        for earlier in by_rep[assignment.rep.pk]:
            if earlier.overlaps(assignment.start_date, assignment.end_date):
                problems.append(
                    _("%(rep)s is given this plan twice on overlapping dates: %(first)s and %(second)s.")
                    % {
                        "rep": display_name(assignment.rep),
                        "first": dates_text(earlier.start_date, earlier.end_date),
                        "second": dates_text(assignment.start_date, assignment.end_date),
                    }
                )
        by_rep[assignment.rep.pk].append(assignment)

    if checked:
        others = PlanAssignment.objects.filter(rep_id__in=list(by_rep)).select_related("plan", "rep")
        if plan is not None and plan.pk:
            others = others.exclude(plan_id=plan.pk)
        for other in others.order_by("rep_id", "start_date"):
            for assignment in by_rep[other.rep_id]:
                if assignment.overlaps(other.start_date, other.end_date):
                    problems.append(
                        _(
                            "%(rep)s is on plan “%(plan)s” for %(dates)s, which overlaps %(mine)s: "
                            "a rep has one plan on any day."
                        )
                        % {
                            "rep": display_name(other.rep),
                            "plan": other.plan.name,
                            "dates": dates_text(other.start_date, other.end_date),
                            "mine": dates_text(assignment.start_date, assignment.end_date),
                        }
                    )
    return checked, problems


def scorecard_problem(use_scorecard: bool, template) -> str | None:
    """A plan that multiplies by the scorecard total needs a template in use."""
    if not use_scorecard:
        return None
    if template is None:
        return _("Choose the scorecard template whose total multiplies the commission.")
    if not template.is_active:
        return _("The template “%(template)s” is not in use.") % {"template": template}
    return None


def plan_problems(plan: CommissionPlan) -> dict[str, list[str]]:
    """What the fields of ``plan`` break, by field: each field's own rules (the model's validators,
    a unique name) and the ones between fields (a scorecard factor needs a template in use)."""
    problems: dict[str, list[str]] = {}
    try:
        plan.full_clean()
    except ValidationError as error:
        problems.update({field: list(messages) for field, messages in error.message_dict.items()})
    template = plan.scorecard_template if plan.scorecard_template_id else None
    if problem := scorecard_problem(plan.use_scorecard, template):
        problems.setdefault("scorecard_template", []).append(problem)
    return problems


# --- writes ----------------------------------------------------------------------------------------


def _check_actor(actor) -> None:
    if actor is not None and not has_role(actor, Role.ADMIN):
        raise PermissionDenied(_("Only an administrator sets up commission plans."))


@transaction.atomic
def plan_save(
    *,
    plan: CommissionPlan,
    tiers: Iterable[Mapping[str, Any]] | None,
    assignments: Iterable[Mapping[str, Any]] | None,
    actor=None,
) -> CommissionPlan:
    """Save ``plan`` (new or changed, its fields already set) with its ``tiers`` and ``assignments``,
    all or nothing. ``None`` keeps the plan's current tiers or assignments; a list replaces them all.
    Refused with a ``ValidationError`` by field (``tiers``, ``assignments`` for the lists), or a
    ``PermissionDenied`` when ``actor`` (None: the system, e.g. the demo) is not an administrator."""
    _check_actor(actor)
    if tiers is None and not plan.pk:
        tiers = []  # a new plan without tiers: refused below, "give at least one band"
    if assignments is not None:
        assignments = list(assignments)
        # Serialise writers of these reps' assignments (PostgreSQL; a no-op on SQLite), so that two
        # plans saved at once cannot both give a rep the same day.
        rep_ids = sorted({_rep_id(row.get("rep")) for row in assignments} - {None})
        list(User.objects.select_for_update().filter(pk__in=rep_ids).order_by("pk").values_list("pk", flat=True))

    problems = plan_problems(plan)
    bands: list[Band] = []
    if tiers is not None:
        bands, tier_problems = clean_tiers(tiers)
        if tier_problems:
            problems["tiers"] = tier_problems
    checked: list[Assignment] = []
    if assignments is not None:
        checked, assignment_problems = clean_assignments(assignments, plan=plan)
        if assignment_problems:
            problems["assignments"] = assignment_problems
    if problems:
        raise ValidationError(problems)

    plan.save()
    if tiers is not None:
        plan.tiers.all().delete()
        CommissionTier.objects.bulk_create(
            CommissionTier(plan=plan, from_amount=band.from_amount, rate=band.rate) for band in bands
        )
    if assignments is not None:
        plan.assignments.all().delete()
        PlanAssignment.objects.bulk_create(
            PlanAssignment(plan=plan, rep=a.rep, start_date=a.start_date, end_date=a.end_date) for a in checked
        )
    # Whoever reads the plan next sees what was saved, not what was prefetched before.
    getattr(plan, "_prefetched_objects_cache", {}).clear()
    return plan


def plan_create(
    *,
    actor=None,
    tiers: Iterable[Mapping[str, Any]],
    assignments: Iterable[Mapping[str, Any]] = (),
    **fields: Any,
) -> CommissionPlan:
    """A new plan with its tiers (``[{"from_amount", "rate"}]``) and assignments
    (``[{"rep", "start_date", "end_date"}]``); ``fields`` are those of ``PLAN_FIELDS``."""
    _check_fields(fields)
    return plan_save(plan=CommissionPlan(**fields), tiers=tiers, assignments=assignments, actor=actor)


@transaction.atomic
def plan_update(
    *,
    plan: CommissionPlan,
    actor=None,
    tiers: Iterable[Mapping[str, Any]] | None = None,
    assignments: Iterable[Mapping[str, Any]] | None = None,
    **fields: Any,
) -> CommissionPlan:
    """Change ``fields`` of ``plan``; ``tiers`` / ``assignments``, when given, replace the plan's."""
    _check_actor(actor)
    _check_fields(fields)
    plan = CommissionPlan.objects.select_for_update().get(pk=plan.pk)
    for name, value in fields.items():
        setattr(plan, name, value)
    return plan_save(plan=plan, tiers=tiers, assignments=assignments, actor=actor)


def _check_fields(fields: Mapping[str, Any]) -> None:
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise TypeError(f"Unknown plan fields: {', '.join(sorted(unknown))}")


# --- reads -----------------------------------------------------------------------------------------
