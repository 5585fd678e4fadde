"""Scorecards (SPEC §5): the MBO and BSC templates computed on July 2026 by hand, recomputation,
self-evaluation, confirmation and their refusals. The month is described in ``scorecard_world``."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from channelhub.errors import Conflict
from channelhub.periods import Month
from channelhub.scoping import SegregationOfDutiesError, scope
from channelhub.workflow.models import StateChange
from kpi.models import Method, Metric, Scorecard, ScorecardLine, ScorecardTemplate, ScorecardTemplateItem
from kpi.selectors.scorecards import RepMonth
from kpi.services.scorecards import (
    scorecard_compute,
    scorecard_compute_unchecked,
    scorecard_confirm,
    scorecard_self_evaluate,
)
from tests.kpi.scorecard_world import JULY, activate, collection, complaint, july, sale, target
from tests.visits.world import at, log

D = Decimal


@pytest.fixture
def july_world(d, rep, manager, finance, templates):
    return july(d, rep, manager, finance)


def lines_by_metric(scorecard) -> dict[str, ScorecardLine]:
    return {line.item.metric: line for line in scorecard.lines.select_related("item")}


def figures(line) -> tuple:
    return line.actual, line.target, line.score, line.weight, line.weighted_score


# --- the data a month offers ------------------------------------------------------------------------


def test_the_month_data_behind_the_metrics(july_world, rep):
    data = RepMonth(rep, JULY)
    assert data.measures.net_sales == D("120000.00")
    assert data.new_dealers == 1  # A3 (A4 activated in June, A5 reactivated: not new)
    assert data.compliance.visits_counted == 24  # the false report does not count
    assert data.visit_kinds == {"trainings": 2, "complaints_late": 1}


def test_new_dealers_count_activations_in_the_local_month(d, rep, rep_peer, manager, finance):
    activate(d["A1"], manager, finance, at(2026, 7, 1, 0, 0))  # first minute of July, Shanghai
    activate(d["A2"], manager, finance, at(2026, 7, 31, 23, 59))  # last minute of July
    activate(d["A3"], manager, finance, at(2026, 8, 1, 0, 0))  # 2026-07-31 16:00 UTC, but August locally
    activate(d["A4"], manager, finance, at(2026, 6, 30, 23, 59))
    activate(d["P1"], manager, finance, at(2026, 7, 10))  # rep_peer's dealer
    assert RepMonth(rep, JULY).new_dealers == 2
    assert RepMonth(rep_peer, JULY).new_dealers == 1


def test_complaints_handled_late_are_the_complaints_responded_after_more_than_four_hours(d, rep, rep_peer):
    complaint(rep, d["A1"], at(2026, 7, 1, 9), responded=at(2026, 7, 1, 13))  # exactly 4 h: in time
    complaint(rep, d["A2"], at(2026, 7, 2, 9), responded=at(2026, 7, 2, 13, 1))  # 4 h 1 min: late
    complaint(rep, d["A3"], at(2026, 7, 3, 9))  # never responded, the 4 hours long over: late
    complaint(rep, d["A4"], at(2026, 7, 31, 22), responded=at(2026, 8, 1, 3))  # received in July, 5 h: late
    complaint(rep, d["A5"], at(2026, 8, 1, 9), responded=at(2026, 8, 1, 20))  # received in August: not July's
    complaint(rep_peer, d["P1"], at(2026, 7, 5, 9), responded=at(2026, 7, 5, 20))  # another assignee
    log(rep, d["A6"], at(2026, 7, 4, 9), kind="complaint", now=at(2026, 7, 4, 18))  # a visit is not a complaint
    assert RepMonth(rep, JULY).visit_kinds == {"trainings": 0, "complaints_late": 3}


# --- MBO --------------------------------------------------------------------------------------------


def test_mbo_scorecard_computed_by_hand(july_world, rep, manager, templates):
    scorecard, created = scorecard_compute_unchecked(rep, "2026-07", templates["mbo"], actor=manager)

    assert created and scorecard.status == Scorecard.Status.DRAFT
    lines = lines_by_metric(scorecard)
    # sales achievement = 120,000 / 150,000 = 80.00 %; min(80.00 / 100.00, 1.2) × 100 = 80.00;
    # weighted 80.00 × 50 / 100 = 40.00
    assert figures(lines["sales_achievement"]) == (D("80.00"), D("100.00"), D("80.00"), D("50.00"), D("40.00"))
    # expense rate = 13,200 / 120,000 = 11.00 % against 10.00 % (lower is better):
    # min(10.00 / 11.00, 1.2) × 100 = 90.909… → 90.91; × 25 / 100 = 22.7275 → 22.73
    assert figures(lines["expense_rate"]) == (D("11.00"), D("10.00"), D("90.91"), D("25.00"), D("22.73"))
    # collection rate = 90,000 / 120,000 = 75.00 % against 85.00 %:
    # 75 / 85 = 0.88235… → 88.24; × 25 / 100 = 22.06
    assert figures(lines["collection_rate"]) == (D("75.00"), D("85.00"), D("88.24"), D("25.00"), D("22.06"))
    # total = 40.00 + 22.73 + 22.06
    assert scorecard.total == D("84.79")
    assert scorecard.computed_at is not None
    assert StateChange.objects.for_object(scorecard).get().to_state == "draft"


def test_mbo_scorecard_with_every_line_capped(d, rep_peer, manager, templates):
    sale(rep_peer, d["P1"], date(2026, 7, 3), "200000.00")
    collection(rep_peer, d["P1"], date(2026, 7, 9), "250000.00")
    target(rep_peer, JULY, "150000.00", "10.00", "85.00", proposed_by=manager)

    scorecard, _created = scorecard_compute_unchecked(rep_peer, JULY, templates["mbo"])

    lines = lines_by_metric(scorecard)
    # 200,000 / 150,000 = 133.33 % → min(1.3333, 1.2) × 100 = 120.00; × 50 / 100 = 60.00
    assert figures(lines["sales_achievement"]) == (D("133.33"), D("100.00"), D("120.00"), D("50.00"), D("60.00"))
    # no expenses: 0.00 % — an actual of 0, lower is better: cap × 100 = 120.00; × 25 / 100 = 30.00
    assert figures(lines["expense_rate"]) == (D("0.00"), D("10.00"), D("120.00"), D("25.00"), D("30.00"))
    # 250,000 / 200,000 = 125.00 %; 125 / 85 = 1.47 → 1.2 → 120.00; × 25 / 100 = 30.00
    assert figures(lines["collection_rate"]) == (D("125.00"), D("85.00"), D("120.00"), D("25.00"), D("30.00"))
    assert scorecard.total == D("120.00")


def test_mbo_scorecard_of_an_empty_month_scores_zero_and_says_why(other_rep, templates, settings):
    settings.LANGUAGE_CODE = "en"
    scorecard, _created = scorecard_compute_unchecked(other_rep, JULY, templates["mbo"])
    lines = lines_by_metric(scorecard)
    assert all(line.score == D("0.00") for line in lines.values())
    assert lines["sales_achievement"].actual is None  # no approved target: undefined
    with translation.override("en"):
        assert "no approved sales target for 2026-07" in lines["sales_achievement"].explanation_text
    assert lines["expense_rate"].actual is None  # no net sales: undefined ("—"), scores 0
    with translation.override("en"):
        assert "undefined actual: score 0" in lines["expense_rate"].explanation_text
    assert scorecard.total == D("0.00")


def test_each_line_explains_its_arithmetic(july_world, rep, templates):
    scorecard, _created = scorecard_compute_unchecked(rep, JULY, templates["mbo"])
    lines = lines_by_metric(scorecard)
    assert lines["sales_achievement"].explanation == ""  # nothing stored: rendered for each reader
    with translation.override("en"):
        assert lines["sales_achievement"].explanation_text == (
            "net sales ¥120,000.00 / sales target ¥150,000.00 = 80.00 %; target 100.00 %; "
            "score = min(80.00 / 100.00, 1.20) × 100 = 80.00"
        )
        assert lines["expense_rate"].explanation_text == (
            "expenses ¥13,200.00 / net sales ¥120,000.00 = 11.00 %; target 10.00 %; "
            "score = min(10.00 / 11.00, 1.20) × 100 = 90.91"
        )
    with translation.override("zh-hans"):
        assert lines["expense_rate"].explanation_text.startswith("费用 ¥13,200.00 / 净销售额 ¥120,000.00 = 11.00 %")


# --- BSC --------------------------------------------------------------------------------------------


def test_a_complaint_answered_after_five_hours_costs_the_assignee_25_points_on_the_bsc(d, rep, manager, templates):
    from inspections.services.complaints import complaint_record, complaint_respond

    def received(dealer, when):
        return complaint_record(
            manager, dealer=dealer, source="consumer", category="quality", description="漏水", received_at=when
        )

    in_time = received(d["A1"], at(2026, 7, 8, 9))
    assert in_time.assignee == rep  # the dealer's rep
    complaint_respond(rep, in_time, response="已回电", responded_at=at(2026, 7, 8, 12, 59))  # 3 h 59 min
    before = lines_by_metric(scorecard_compute_unchecked(rep, JULY, templates["bsc"], actor=manager)[0])
    # no late complaint → 100 − 25 × 0 = 100.00; × 15 / 100 = 15.00
    assert figures(before["complaints_late"]) == (D("0.00"), None, D("100.00"), D("15.00"), D("15.00"))
    late = received(d["A2"], at(2026, 7, 9, 9))
    complaint_respond(rep, late, response="已上门", responded_at=at(2026, 7, 9, 14))  # 5 h after receipt
    after = lines_by_metric(scorecard_compute_unchecked(rep, JULY, templates["bsc"], actor=manager)[0])
    # 1 late complaint → 100 − 25 × 1 = 75.00; × 15 / 100 = 11.25: 25 points of the item, 3.75 of the total
    assert figures(after["complaints_late"]) == (D("1.00"), None, D("75.00"), D("15.00"), D("11.25"))


def test_bsc_scorecard_computed_by_hand(july_world, rep, manager, templates):
    scorecard, _created = scorecard_compute_unchecked(rep, JULY, templates["bsc"], actor=manager)
    lines = lines_by_metric(scorecard)

    # financial — sales achievement 80.00 % → 80.00; × 15 / 100 = 12.00
    assert figures(lines["sales_achievement"]) == (D("80.00"), D("100.00"), D("80.00"), D("15.00"), D("12.00"))
    # financial — collection rate 75.00 % / 85.00 % → 88.24; × 10 / 100 = 8.824 → 8.82
    assert figures(lines["collection_rate"]) == (D("75.00"), D("85.00"), D("88.24"), D("10.00"), D("8.82"))
    # customer — new dealers: 1 (A3) against the target's 2 → 50.00; × 10 / 100 = 5.00
    assert figures(lines["new_dealers"]) == (D("1.00"), D("2.00"), D("50.00"), D("10.00"), D("5.00"))
    # customer — complaints handled late: 1 (responded to 5 h after receipt; the other in 1 h) → 100 − 25 × 1
    # = 75.00; × 15 / 100 = 11.25
    assert figures(lines["complaints_late"]) == (D("1.00"), None, D("75.00"), D("15.00"), D("11.25"))
    # process — visit compliance: 24 counted / monthly minimum 30 = 80.00 %; / 100 → 80.00; × 15 / 100 = 12.00
    assert figures(lines["visit_compliance"]) == (D("80.00"), D("100.00"), D("80.00"), D("15.00"), D("12.00"))
    # process — expense rate 11.00 % / 10.00 % (lower is better) → 90.91; × 10 / 100 = 9.091 → 9.09
    assert figures(lines["expense_rate"]) == (D("11.00"), D("10.00"), D("90.91"), D("10.00"), D("9.09"))
    # learning — trainings: 2 ≥ 2 → 100.00; × 10 / 100 = 10.00
    assert figures(lines["trainings"]) == (D("2.00"), D("2.00"), D("100.00"), D("10.00"), D("10.00"))
    # learning — manual, not scored yet → 0
    assert figures(lines["manual"]) == (None, None, D("0.00"), D("15.00"), D("0.00"))
    # total = 12.00 + 8.82 + 5.00 + 11.25 + 12.00 + 9.09 + 10.00 + 0.00
    assert scorecard.total == D("68.16")

    # The rep evaluates the manual item at 70: 70 × 15 / 100 = 10.50 → 78.66
    manual = lines["manual"]
    scorecard_self_evaluate(actor=rep, scorecard=scorecard, scores={manual.pk: D("70")})
    scorecard.refresh_from_db()
    assert scorecard.total == D("78.66")

    # The manager confirms with 80 instead: 80 × 15 / 100 = 12.00 → 80.16
    scorecard_confirm(actor=manager, scorecard=scorecard, scores={manual.pk: D("80")}, comment="good month")
    scorecard.refresh_from_db()
    manual.refresh_from_db()
    assert (manual.self_score, manual.manager_score, manual.score, manual.weighted_score) == (
        D("70.00"),
        D("80.00"),
        D("80.00"),
        D("12.00"),
    )
    assert scorecard.total == D("80.16")
    assert scorecard.status == Scorecard.Status.CONFIRMED
    assert (scorecard.confirmed_by, scorecard.confirmed_at is not None) == (manager, True)
    change = StateChange.objects.for_object(scorecard).last()
    assert (change.from_state, change.to_state, change.by, change.comment) == (
        "draft",
        "confirmed",
        manager,
        "good month",
    )


# --- recomputation ----------------------------------------------------------------------------------


def test_recompute_refreshes_a_draft_and_keeps_the_manual_scores(july_world, d, rep, manager, templates):
    scorecard, _created = scorecard_compute_unchecked(rep, JULY, templates["bsc"], actor=manager)
    manual = lines_by_metric(scorecard)["manual"]
    scorecard_self_evaluate(actor=rep, scorecard=scorecard, scores={manual.pk: D("70")})
    sale(rep, d["A1"], date(2026, 7, 30), "30000.00")  # net sales now 150,000: 100 % achievement

    again, created = scorecard_compute_unchecked(rep, JULY, templates["bsc"], actor=manager)

    assert not created and again.pk == scorecard.pk
    assert Scorecard.objects.count() == 1 and again.lines.count() == 8
    lines = lines_by_metric(again)
    assert lines["sales_achievement"].score == D("100.00")  # 150,000 / 150,000
    assert lines["manual"].pk == manual.pk and lines["manual"].self_score == D("70.00")
    # collection 90,000 / 150,000 = 60.00 % → 60 / 85 = 70.588… → 70.59 → × 10 / 100 = 7.059 → 7.06
    # expense 13,200 / 150,000 = 8.80 % → min(10 / 8.8, 1.2) = 1.13636… → 113.64 → × 10 / 100 = 11.364 → 11.36
    # total = 15.00 + 7.06 + 5.00 + 11.25 + 12.00 + 11.36 + 10.00 + 10.50
    assert again.total == D("82.17")


def test_a_confirmed_scorecard_is_not_recomputed(july_world, rep, manager, templates):
    scorecard, _created = scorecard_compute_unchecked(rep, JULY, templates["mbo"], actor=manager)
    scorecard_confirm(actor=manager, scorecard=scorecard)
    with pytest.raises(Conflict) as refusal:
        scorecard_compute_unchecked(rep, JULY, templates["mbo"], actor=manager)
    assert refusal.value.status_code == 409
    assert refusal.value.extra == {"current_state": "confirmed"}


def test_an_item_removed_from_the_template_leaves_the_draft(july_world, rep, templates):
    scorecard, _created = scorecard_compute_unchecked(rep, JULY, templates["mbo"])
    mbo = templates["mbo"]
    ScorecardLine.objects.filter(item__metric=Metric.COLLECTION_RATE).delete()
    ScorecardTemplateItem.objects.filter(template=mbo, metric=Metric.COLLECTION_RATE).delete()
    ScorecardTemplateItem.objects.filter(template=mbo, metric=Metric.EXPENSE_RATE).update(weight=D("50"))
    again, _created = scorecard_compute_unchecked(rep, JULY, mbo)
    assert sorted(lines_by_metric(again)) == ["expense_rate", "sales_achievement"]
    assert again.total == D("85.46")  # 80.00 × 50 / 100 + 90.91 × 50 / 100 = 40.00 + 45.455 → 45.46


def test_a_template_whose_weights_do_not_add_up_is_refused(rep, templates):
    ScorecardTemplateItem.objects.filter(template=templates["mbo"], metric=Metric.EXPENSE_RATE).update(weight=D("20"))
    with pytest.raises(ValidationError) as refusal:
        scorecard_compute_unchecked(rep, JULY, templates["mbo"])
    assert "95.00" in str(refusal.value.message_dict["template"])
    assert not Scorecard.objects.exists()


def test_a_rep_who_has_left_keeps_their_past_months(july_world, rep, templates):
    rep.is_active = False
    rep.save(update_fields=["is_active"])
    scorecard, _created = scorecard_compute_unchecked(rep, JULY, templates["mbo"])
    assert scorecard.total == D("84.79")


def test_refusals_before_computing(rep, manager, finance, templates):
    with pytest.raises(ValidationError) as not_a_rep:
        scorecard_compute_unchecked(manager, JULY, templates["mbo"])
    assert "rep" in not_a_rep.value.message_dict
    future = Month.of(timezone.localdate()).next()
    with pytest.raises(ValidationError) as not_begun:
        scorecard_compute_unchecked(rep, future, templates["mbo"])
    assert "period" in not_begun.value.message_dict
    ScorecardTemplate.objects.filter(code="mbo").update(is_active=False)
    with pytest.raises(ValidationError):
        scorecard_compute_unchecked(rep, JULY, ScorecardTemplate.objects.get(code="mbo"))


def test_a_category_share_item_measures_the_categorys_part_of_net_sales(d, rep, manager, lines, templates):
    from kpi.models import TargetCategoryShare

    template = ScorecardTemplate.objects.create(code="mix", name="Mix")
    ScorecardTemplateItem.objects.create(
        template=template,
        perspective="financial",
        metric=Metric.CATEGORY_SHARE,
        weight=D("100"),
        method=Method.RATIO,
        category=lines["water"],
    )
    sale(rep, d["A1"], date(2026, 7, 1), "30000.00", category=lines["water"])
    sale(rep, d["A1"], date(2026, 7, 2), "-5000.00", category=lines["water"])
    sale(rep, d["A1"], date(2026, 7, 3), "75000.00", category=lines["kitchen"])
    july_target = target(rep, JULY, "100000.00", proposed_by=manager)
    TargetCategoryShare.objects.create(target=july_target, category=lines["water"], share=D("30.00"))

    scorecard, _created = scorecard_compute_unchecked(rep, JULY, template)

    line = scorecard.lines.get()
    # water: 25,000 of 100,000 net = 25.00 %; against 30.00 %: 25 / 30 = 0.8333 → 83.33
    assert (line.actual, line.target, line.score, line.weighted_score) == (
        D("25.00"),
        D("30.00"),
        D("83.33"),
        D("83.33"),
    )


def test_visit_metrics_on_a_template_of_ones_own(july_world, rep, templates):
    from visits.models import Quota

    field = ScorecardTemplate.objects.create(code="field", name="Field work")
    for position, (metric, weight, method, extra) in enumerate(
        [
            (Metric.VISITS_COUNTED, "40", Method.RATIO, {}),
            (Metric.DISTINCT_DEALERS, "30", Method.THRESHOLD, {"target": D("9")}),
            (Metric.COMPLAINTS_LATE, "30", Method.RATIO, {"target": D("1"), "lower_is_better": True}),
        ],
        start=1,
    ):
        ScorecardTemplateItem.objects.create(
            template=field,
            position=position,
            perspective="process",
            metric=metric,
            weight=D(weight),
            method=method,
            **extra,
        )

    scorecard, _created = scorecard_compute_unchecked(rep, JULY, field)
    lines = lines_by_metric(scorecard)
    # 24 counted visits against the default monthly minimum of 30: 0.8 → 80.00; × 40 / 100 = 32.00
    assert figures(lines["visits_counted"]) == (D("24.00"), D("30.00"), D("80.00"), D("40.00"), D("32.00"))
    # A1…A9 all visited: 9 ≥ 9 → 100.00; × 30 / 100 = 30.00
    assert figures(lines["distinct_dealers"]) == (D("9.00"), D("9.00"), D("100.00"), D("30.00"), D("30.00"))
    # 1 late complaint against at most 1, lower is better: min(1 / 1, 1.2) → 100.00; × 30 / 100 = 30.00
    assert figures(lines["complaints_late"]) == (D("1.00"), D("1.00"), D("100.00"), D("30.00"), D("30.00"))
    assert scorecard.total == D("92.00")

    Quota.objects.create(rep=rep, monthly_min=40)  # the rep's own quota is the default target
    again, _created = scorecard_compute_unchecked(rep, JULY, field)
    # 24 / 40 = 0.6 → 60.00; × 40 / 100 = 24.00; total 24.00 + 30.00 + 30.00
    assert lines_by_metric(again)["visits_counted"].score == D("60.00")
    assert again.total == D("84.00")


# --- people -----------------------------------------------------------------------------------------


def test_who_may_compute(july_world, rep, rep_peer, other_rep, manager, other_manager, finance, admin_user, templates):
    mbo = templates["mbo"]
    assert scorecard_compute(actor=manager, rep=rep, period=JULY, template=mbo)[1] is True
    assert scorecard_compute(actor=admin_user, rep=rep, period=JULY, template=mbo)[1] is False
    for actor in (rep, rep_peer, finance, other_manager):
        with pytest.raises(PermissionDenied):
            scorecard_compute(actor=actor, rep=rep, period=JULY, template=mbo)


def test_self_evaluation_is_the_reps_own_on_manual_items_of_a_draft(july_world, rep, rep_peer, manager, templates):
    scorecard, _created = scorecard_compute_unchecked(rep, JULY, templates["bsc"], actor=manager)
    lines = lines_by_metric(scorecard)
    manual, sales = lines["manual"], lines["sales_achievement"]

    for someone in (rep_peer, manager):
        with pytest.raises(PermissionDenied):
            scorecard_self_evaluate(actor=someone, scorecard=scorecard, scores={manual.pk: D("70")})
    with pytest.raises(ValidationError) as computed, translation.override("en"):
        scorecard_self_evaluate(actor=rep, scorecard=scorecard, scores={sales.pk: D("100")})
    assert "computed from data" in str(computed.value.message_dict["lines"])
    with pytest.raises(ValidationError):
        scorecard_self_evaluate(actor=rep, scorecard=scorecard, scores={manual.pk: D("100.01")})
    with pytest.raises(ValidationError):
        scorecard_self_evaluate(actor=rep, scorecard=scorecard, scores={999999: D("50")})
    manual.refresh_from_db()
    assert manual.self_score is None  # nothing changed

    scorecard_self_evaluate(actor=rep, scorecard=scorecard, scores={manual.pk: D("70")})
    scorecard_confirm(actor=manager, scorecard=scorecard)
    with pytest.raises(Conflict):
        scorecard_self_evaluate(actor=rep, scorecard=scorecard, scores={manual.pk: D("90")})
    manual.refresh_from_db()
    assert (manual.self_score, manual.score) == (D("70.00"), D("70.00"))  # the self-evaluation, confirmed


def test_confirmation_refusals(july_world, rep, rep_peer, manager, other_manager, finance, admin_user, templates):
    scorecard, _created = scorecard_compute_unchecked(rep, JULY, templates["mbo"], actor=manager)
    for someone in (rep, rep_peer, finance, other_manager):
        with pytest.raises(PermissionDenied):
            scorecard_confirm(actor=someone, scorecard=scorecard)
    with pytest.raises(SegregationOfDutiesError):
        scorecard_confirm(actor=rep, scorecard=scorecard)
    scorecard_confirm(actor=admin_user, scorecard=scorecard)
    with pytest.raises(Conflict) as twice:
        scorecard_confirm(actor=manager, scorecard=scorecard)
    assert twice.value.extra == {"current_state": "confirmed"}


def test_a_manager_never_confirms_their_own_scorecard(d, manager, admin_user, templates):
    from django.contrib.auth.models import Group

    from channelhub.roles import Role, forget_roles

    manager.groups.add(Group.objects.get(name=Role.FIELD_REP))  # a manager who also sells
    forget_roles(manager)
    scorecard, _created = scorecard_compute_unchecked(manager, JULY, templates["mbo"], actor=admin_user)
    with pytest.raises(SegregationOfDutiesError):
        scorecard_confirm(actor=manager, scorecard=scorecard)


def test_scorecards_are_scoped_like_the_rest_of_kpi(
    july_world, rep, rep_peer, other_rep, manager, other_manager, finance, admin_user, templates
):
    mine = scorecard_compute_unchecked(rep, JULY, templates["mbo"])[0]
    peers = scorecard_compute_unchecked(rep_peer, JULY, templates["mbo"])[0]
    others = scorecard_compute_unchecked(other_rep, JULY, templates["mbo"])[0]

    def visible(user):
        return set(scope(user, Scorecard).values_list("pk", flat=True))

    assert visible(rep) == {mine.pk}
    assert visible(manager) == {mine.pk, peers.pk}
    assert visible(other_manager) == {others.pk}
    assert visible(finance) == visible(admin_user) == {mine.pk, peers.pk, others.pk}


# --- thresholds compare exact values ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("collected", "actual", "shown", "score"),
    [
        # 80,000.00 / 100,000.00 = exactly 80 %: met → 100.00
        ("80000.00", D("80.00"), "= 80.00 %", D("100.00")),
        # one cent under: 79.99999 % — half up it would read 80.00 %; not met → 0.00, and the line says
        # 79.99999 % (the column, two decimals, keeps 79.99: never a figure that contradicts the score)
        ("79999.99", D("79.99"), "= 79.99999 %", D("0.00")),
    ],
)
def test_a_threshold_item_compares_the_exact_rate(d, rep, collected, actual, shown, score):
    gate = ScorecardTemplate.objects.create(code="gate", name="Collection gate")
    ScorecardTemplateItem.objects.create(
        template=gate,
        position=1,
        perspective="financial",
        metric=Metric.COLLECTION_RATE,
        weight=D("100"),
        method=Method.THRESHOLD,
        target=D("80.00"),
    )
    sale(rep, d["A1"], date(2026, 7, 1), "100000.00")
    collection(rep, d["A1"], date(2026, 7, 2), collected)
    scorecard, _created = scorecard_compute_unchecked(rep, JULY, gate)
    line = lines_by_metric(scorecard)["collection_rate"]
    assert (line.actual, line.target, line.score) == (actual, D("80.00"), score)
    with translation.override("zh-hans"):
        assert f"/ 净销售额 ¥100,000.00 {shown}" in line.explanation_text
    assert scorecard.total == score
