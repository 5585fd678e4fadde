"""Scorecards (SPEC §5): a rep's month scored on a template, self-evaluated, confirmed by the manager.

``scorecard_compute_unchecked`` makes (or refreshes) a ``draft`` scorecard with one line per template item —
the item's actual, target, score, weight and weighted score (``kpi.services.scoring``) — and the
total, the sum of the weighted scores. Each line keeps its arithmetic in ``explanation``, written in
the deployment's ``LANGUAGE_CODE`` (like notifications: stored once, for everyone who reads it).

The rep self-evaluates the manual items of a draft; the rep's manager (or an admin) confirms it,
setting or changing those scores — never their own scorecard. A confirmed scorecard is final.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from channelhub.errors import Conflict
from channelhub.formatting import round_cent
from channelhub.periods import Month
from channelhub.roles import Role
from channelhub.scoping import SegregationOfDutiesError
from kpi.models import Method, Scorecard, ScorecardLine, ScorecardTemplate, ScorecardTemplateItem
from kpi.policies import can_compute, can_confirm, can_self_evaluate
from kpi.selectors.measures import HUNDRED, ZERO
from kpi.selectors.scorecards import RepMonth
from kpi.services.scoring import check_template, score_line

User = get_user_model()


# --- reads -----------------------------------------------------------------------------------------


# --- who may act -----------------------------------------------------------------------------------


# --- writes ----------------------------------------------------------------------------------------


class ScorecardConfirmed(Conflict):
    """A confirmed scorecard is final: no recomputation, no new scores (409)."""


def _refuse_confirmed(scorecard: Scorecard, message: str) -> None:
    if scorecard.status != Scorecard.Status.DRAFT:
        raise ScorecardConfirmed(message, current_state=scorecard.status)


def _items(template: ScorecardTemplate) -> list[ScorecardTemplateItem]:
    return list(template.items.select_related("category").order_by("position", "id"))


def scorecard_compute_unchecked(
    rep, period: Month | str, template: ScorecardTemplate, *, actor=None, now: datetime | None = None
) -> tuple[Scorecard, bool]:
    """Compute ``rep``'s scorecard for ``period`` on ``template``: a new ``draft`` (``created`` True)
    or the existing draft refreshed from today's data, keeping the self-evaluations and the
    manager's scores of manual items. Refused when it is confirmed (409), when the template cannot
    be scored, the rep is not a field rep or the month has not begun (400). No permission check:
    ``scorecard_compute`` is the one people call."""
    now = now or timezone.now()
    month = period if isinstance(period, Month) else Month.parse(period)
    # A group check rather than ``has_role``: a rep who has left (inactive) keeps their past months.
    if not rep.groups.filter(name=Role.FIELD_REP).exists():
        raise ValidationError({"rep": [_("Scorecards are for field reps.")]})
    if month > Month.of(timezone.localdate(now)):
        raise ValidationError({"period": [_("%(period)s has not begun yet.") % {"period": month}]})
    if not template.is_active:
        raise ValidationError({"template": [_("The template “%(template)s” is not in use.") % {"template": template}]})
    items = _items(template)
    check_template(template, items)

    with transaction.atomic():
        scorecard, created = Scorecard.objects.select_for_update().get_or_create(
            rep=rep, period=str(month), template=template
        )
        _refuse_confirmed(scorecard, _("This scorecard is confirmed; it can no longer be recomputed."))
        existing = {line.item_id: line for line in scorecard.lines.all()}
        data = RepMonth(rep, month)
        lines = []
        for item in items:
            line = existing.pop(item.pk, None) or ScorecardLine(scorecard=scorecard, item=item)
            score_line(item, line, data)
            lines.append(line)
        if existing:  # items removed from the template since the last computation
            ScorecardLine.objects.filter(pk__in=[line.pk for line in existing.values()]).delete()
        ScorecardLine.objects.bulk_create([line for line in lines if line.pk is None])
        ScorecardLine.objects.bulk_update(
            [line for line in lines if line.pk is not None],
            ["actual", "target", "score", "weight", "weighted_score", "explanation", "facts"],
        )
        scorecard.total = sum((line.weighted_score for line in lines), ZERO)
        scorecard.computed_at = now
        scorecard.save(update_fields=["total", "computed_at"])
        if created:
            Scorecard.workflow.record_creation(scorecard, by=actor)
    return scorecard, created


def scorecard_compute(*, actor, rep, period: Month | str, template: ScorecardTemplate) -> tuple[Scorecard, bool]:
    """``scorecard_compute_unchecked`` for a person: the rep's manager or an admin (else 403)."""
    if not can_compute(actor, rep):
        raise PermissionDenied(_("Only the rep's manager or an administrator computes a scorecard."))
    return scorecard_compute_unchecked(rep, period, template, actor=actor)


def _lock(scorecard: Scorecard) -> Scorecard:
    locked = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
    scorecard.status = locked.status
    return scorecard


def _check_scores(scorecard: Scorecard, scores: Mapping[int, Decimal | None]) -> dict[int, ScorecardLine]:
    """The lines named in ``scores`` (manual ones of this scorecard, 0–100), else a 400."""
    lines = {line.pk: line for line in scorecard.lines.select_related("item")}
    errors = []
    for line_id, score in scores.items():
        line = lines.get(line_id)
        if line is None:
            errors.append(_("Line %(id)s is not a line of this scorecard.") % {"id": line_id})
        elif line.item.method != Method.MANUAL:
            errors.append(_("“%(item)s” is computed from data; only manual items take a score.") % {"item": line.item})
        elif score is not None and not ZERO <= Decimal(score) <= HUNDRED:
            errors.append(_("“%(item)s”: a score is between 0 and 100.") % {"item": line.item})
    if errors:
        raise ValidationError({"lines": errors})
    return lines


def _rescore(scorecard: Scorecard, lines: dict[int, ScorecardLine], field: str) -> None:
    manual = [line for line in lines.values() if line.item.method == Method.MANUAL]
    for line in manual:
        score_line(line.item, line, None)
    ScorecardLine.objects.bulk_update(manual, [field, "score", "weighted_score", "explanation", "facts"])
    scorecard.total = sum((line.weighted_score for line in lines.values()), ZERO)


@transaction.atomic
def scorecard_self_evaluate(*, actor, scorecard: Scorecard, scores: Mapping[int, Decimal | None]) -> Scorecard:
    """The rep scores their own manual items (0–100; None clears one) while the scorecard is a draft."""
    if not can_self_evaluate(actor, scorecard):
        raise PermissionDenied(_("Only the rep whose scorecard it is evaluates it."))
    _refuse_confirmed(_lock(scorecard), _("This scorecard is confirmed; it can no longer be evaluated."))
    lines = _check_scores(scorecard, scores)
    for line_id, score in scores.items():
        lines[line_id].self_score = None if score is None else round_cent(Decimal(score))
    _rescore(scorecard, lines, "self_score")
    scorecard.save(update_fields=["total"])
    return scorecard


@transaction.atomic
def scorecard_confirm(
    *, actor, scorecard: Scorecard, scores: Mapping[int, Decimal | None] | None = None, comment: str = ""
) -> Scorecard:
    """The manager confirms a draft, setting (or changing) the manual items' scores on the way.

    The figures are confirmed as last computed: recompute first if the month's data changed.
    """
    if scorecard.rep_id == actor.pk:
        raise SegregationOfDutiesError(_("Nobody confirms their own scorecard."))
    if not can_confirm(actor, scorecard):
        raise PermissionDenied(_("Only the rep's manager or an administrator confirms a scorecard."))
    _lock(scorecard)
    if scorecard.status != Scorecard.Status.DRAFT:
        raise Scorecard.workflow.refusal(scorecard, Scorecard.workflow.get("confirm"), scorecard.status)
    scores = dict(scores or {})
    lines = _check_scores(scorecard, scores)
    for line_id, score in scores.items():
        lines[line_id].manager_score = None if score is None else round_cent(Decimal(score))
    _rescore(scorecard, lines, "manager_score")
    Scorecard.workflow.apply(
        scorecard,
        "confirm",
        by=actor,
        comment=comment,
        changes={"total": scorecard.total, "confirmed_by": actor, "confirmed_at": timezone.now()},
    )
    return scorecard
