"""Planning, performing, scoring and reviewing inspections (``inspections.services.inspections``), with the
figures worked out by hand."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from channelhub.errors import Conflict
from channelhub.scoping import scope
from inspections.models import Inspection, InspectionResult, Rectification
from inspections.services import inspections as svc
from inspections.services.scoring import Scored, price_violates, score
from tests.evidence.files import photo

pytestmark = pytest.mark.django_db
D = Decimal


# --- the score rule (pure) ---------------------------------------------------------------------------------------


def test_score_is_weights_passed_over_weights_applicable_to_one_decimal():
    # applicable: 15 + 30 + 20 + 15 = 80 (the 20 of "tidy" is na); passed: 15 + 30 + 15 = 60 → 60 / 80 = 75.0
    rows = [
        Scored("pass", D("15")),
        Scored("pass", D("30")),
        Scored("fail", D("20")),
        Scored("na", D("20")),
        Scored("pass", D("15")),
    ]
    assert score(rows) == D("75.0")


def test_score_rounds_half_up_once_at_the_end():
    # 2 / 3 × 100 = 66.666… → 66.7; 1/8 × 100 = 12.5 exactly; 1/16 × 100 = 6.25 → 6.3 (half up)
    assert score([Scored("pass", D("20")), Scored("fail", D("10"))]) == D("66.7")
    assert score([Scored("pass", D("1")), Scored("fail", D("7"))]) == D("12.5")
    assert score([Scored("pass", D("1")), Scored("fail", D("15"))]) == D("6.3")


def test_a_failed_critical_item_caps_the_score_at_59():
    # passed 15 + 20 + 20 + 15 = 70 of 100 → 70.0, capped at 59.0 by the failed critical shelf item (30)
    rows = [
        Scored("pass", D("15")),
        Scored("fail", D("30"), critical=True),
        Scored("pass", D("20")),
        Scored("pass", D("20")),
        Scored("pass", D("15")),
    ]
    assert score(rows) == D("59.0")
    # below the cap it stays what it is: 15 / 100 = 15.0
    assert score([Scored("pass", D("15")), Scored("fail", D("85"), critical=True)]) == D("15.0")
    # a critical item not applicable does not cap
    assert score([Scored("pass", D("70")), Scored("na", D("30"), critical=True)]) == D("100.0")


def test_no_applicable_item_gives_no_score():
    assert score([Scored("na", D("60")), Scored("na", D("40"))]) is None


def test_a_price_exactly_at_the_minimum_passes_and_one_cent_below_fails():
    assert price_violates(D("100.00"), D("100.00")) is False
    assert price_violates(D("99.99"), D("100.00")) is True
    assert price_violates(D("99.99"), None) is False
    assert price_violates(None, D("100.00")) is False


# --- planning ----------------------------------------------------------------------------------------------------


def test_an_inspector_plans_an_inspection_with_a_result_row_per_item(inspector, insp_dealers, templates):
    inspection = svc.inspection_plan(
        inspector, dealer=insp_dealers["T1"], template=templates["display"], kind=Inspection.Kind.ROUTINE
    )
    assert inspection.status == "planned" and inspection.inspector == inspector
    assert inspection.results.count() == 5


def test_an_inspector_cannot_plan_for_someone_else_nor_outside_their_territories(
    inspector, manager, insp_dealers, templates
):
    with pytest.raises(ValidationError) as refused:
        svc.inspection_plan(
            inspector, dealer=insp_dealers["T1"], template=templates["display"], kind="routine", inspector=manager
        )
    assert "inspector" in refused.value.message_dict
    with pytest.raises(ValidationError):
        svc.inspection_plan(inspector, dealer=insp_dealers["X1"], template=templates["display"], kind="routine")


def test_a_manager_plans_for_an_inspector_who_is_told(manager, inspector, insp_dealers, templates):
    inspection = svc.inspection_plan(
        manager, dealer=insp_dealers["T1"], template=templates["stock"], kind="quarterly", inspector=inspector
    )
    assert inspection.inspector == inspector
    assert inspector.notifications.filter(kind="inspection.planned").count() == 1


def test_a_rep_does_not_plan_inspections(rep, insp_dealers, templates):
    with pytest.raises(PermissionDenied):
        svc.inspection_plan(rep, dealer=insp_dealers["T1"], template=templates["display"], kind="routine")


def test_a_template_whose_weights_do_not_add_up_to_100_is_refused(inspector, insp_dealers, templates):
    item = templates["display"].items.get(code="staff")
    item.weight = D("14.99")
    item.save()
    with pytest.raises(ValidationError) as refused:
        svc.inspection_plan(inspector, dealer=insp_dealers["T1"], template=templates["display"], kind="routine")
    assert "99.99" in str(refused.value.message_dict["template"])


# --- results -----------------------------------------------------------------------------------------------------


def plan(inspector, dealer, template, kind="routine"):
    return svc.inspection_plan(inspector, dealer=dealer, template=template, kind=kind)


def result(inspection, code) -> InspectionResult:
    return inspection.results.get(item__code=code)


def test_a_failed_item_that_requires_a_photo_cannot_be_saved_without_one(inspector, insp_dealers, templates):
    inspection = plan(inspector, insp_dealers["T1"], templates["display"])
    with pytest.raises(ValidationError) as refused:
        svc.result_save(inspector, result(inspection, "shelf"), value="fail")
    assert "photos" in refused.value.message_dict
    assert result(inspection, "shelf").result == ""
    saved = svc.result_save(inspector, result(inspection, "shelf"), value="fail", photos=[photo()])
    assert saved.result == "fail"
    # an item that needs no photo fails without one
    assert svc.result_save(inspector, result(inspection, "tidy"), value="fail").result == "fail"


def test_a_price_below_the_minimum_fails_as_a_price_violation(inspector, insp_dealers, price_template):
    # T1 has no agreement of its own: its distributor D1's agreement sets kitchen ≥ 100.00
    inspection = plan(inspector, insp_dealers["T1"], price_template)
    below = svc.result_save(inspector, result(inspection, "price_kitchen"), value="pass", observed_price=D("99.99"))
    assert (below.result, below.price_violation, below.min_price) == ("fail", True, D("100.00"))
    at = svc.result_save(inspector, result(inspection, "price_kitchen"), value="fail", observed_price=D("100.00"))
    assert (at.result, at.price_violation) == ("pass", False)


def test_a_price_item_without_a_price_is_refused_unless_not_applicable(inspector, insp_dealers, price_template):
    inspection = plan(inspector, insp_dealers["T1"], price_template)
    with pytest.raises(ValidationError) as refused:
        svc.result_save(inspector, result(inspection, "price_kitchen"), value="pass")
    assert "observed_price" in refused.value.message_dict
    assert svc.result_save(inspector, result(inspection, "price_kitchen"), value="na").result == "na"


def test_only_the_inspector_records_results(inspector, manager, insp_dealers, templates):
    inspection = plan(inspector, insp_dealers["T1"], templates["display"])
    with pytest.raises(PermissionDenied):
        svc.result_save(manager, result(inspection, "tidy"), value="pass")


# --- completing ----------------------------------------------------------------------------------------------------


def answer_all(inspector, inspection, **values):
    for row in inspection.results.select_related("item"):
        value = values.get(row.item.code, "pass")
        price = None
        if row.item.kind == "price":
            price = values.get(f"{row.item.code}__price", D("120.00"))
        photos = [photo(colour=(row.pk % 255, 10, 10))] if value == "fail" and row.item.requires_photo else []
        svc.result_save(inspector, row, value=value, observed_price=price, photos=photos)


def test_completing_scores_opens_rectifications_and_tells_the_rep(
    inspector, rep, manager, insp_dealers, price_template
):
    # price template: price tags 20 pass, no goods from other territories 40 (critical) FAIL, no promotion 20
    # pass, kitchen price 99.00 < 100.00 FAIL → passed 40 of 100 = 40.0 (under the cap of 59.0)
    inspection = plan(inspector, insp_dealers["T1"], price_template, kind="mystery")
    answer_all(inspector, inspection, no_cross_goods="fail", price_kitchen__price=D("99.00"))
    done = svc.inspection_complete(inspector, inspection)
    assert (done.status, done.score, done.price_violation, done.critical_failed) == ("done", D("40.0"), True, True)
    rectifications = {r.result.item.code: r for r in Rectification.objects.filter(inspection=done)}
    today = timezone.localdate(done.done_at)
    assert rectifications["no_cross_goods"].due_date == today + timedelta(days=3)  # critical: +3
    assert rectifications["price_kitchen"].due_date == today + timedelta(days=7)
    assert rep.notifications.filter(kind="rectification.opened").count() == 1
    assert manager.notifications.filter(kind="inspection.done").count() == 1


def test_an_inspection_with_an_unanswered_item_is_not_completed(inspector, insp_dealers, templates):
    inspection = plan(inspector, insp_dealers["T1"], templates["display"])
    svc.result_save(inspector, result(inspection, "tidy"), value="pass")
    with pytest.raises(ValidationError):
        svc.inspection_complete(inspector, inspection)
    assert Inspection.objects.get(pk=inspection.pk).status == "planned"


def test_a_done_inspection_takes_no_more_results(inspector, insp_dealers, templates):
    inspection = plan(inspector, insp_dealers["T1"], templates["stock"])
    answer_all(inspector, inspection)
    svc.inspection_complete(inspector, inspection)
    with pytest.raises(Conflict):
        svc.result_save(inspector, result(inspection, "fifo"), value="fail")


def test_the_dealers_manager_reviews_but_never_the_inspector(manager, inspector, insp_dealers, templates):
    inspection = plan(manager, insp_dealers["T1"], templates["stock"])
    answer_all(manager, inspection)
    svc.inspection_complete(manager, inspection)
    with pytest.raises(PermissionDenied):
        svc.inspection_review(manager, inspection)
    other = plan(inspector, insp_dealers["T2"], templates["stock"])
    answer_all(inspector, other)
    svc.inspection_complete(inspector, other)
    reviewed = svc.inspection_review(manager, other, note="ok")
    assert reviewed.status == "reviewed" and reviewed.reviewed_by == manager


# --- mystery inspections ----------------------------------------------------------------------------------------


def test_a_planned_mystery_inspection_is_hidden_from_the_rep_until_done(inspector, rep, insp_dealers, templates):
    mystery = plan(inspector, insp_dealers["T1"], templates["display"], kind="mystery")
    routine = plan(inspector, insp_dealers["T2"], templates["display"], kind="routine")
    assert list(scope(rep, Inspection)) == [routine]
    assert not scope(rep, InspectionResult).filter(inspection=mystery).exists()
    assert rep.notifications.count() == 0
    answer_all(inspector, mystery)
    svc.inspection_complete(inspector, mystery)
    assert set(scope(rep, Inspection)) == {routine, mystery}


def test_sampling_is_reproducible_and_skips_terminals_inspected_in_the_last_90_days(
    inspector, covered, insp_dealers, templates
):
    candidates = svc.sample_candidates(covered["SH"], timezone.localdate())
    assert candidates == sorted(insp_dealers[code].pk for code in ("T1", "T2", "T3"))  # terminals only, in SH
    assert svc.sample_pick(candidates, 2, "abc") == svc.sample_pick(candidates, 2, "abc")
    # T1 inspected 90 days ago is sampled again; T2 inspected 89 days ago is not
    old = plan(inspector, insp_dealers["T1"], templates["stock"])
    recent = plan(inspector, insp_dealers["T2"], templates["stock"])
    today = timezone.localdate()
    now = timezone.now()
    Inspection.objects.filter(pk=old.pk).update(status="done", done_at=now - timedelta(days=90))
    Inspection.objects.filter(pk=recent.pk).update(status="done", done_at=now - timedelta(days=89))
    assert svc.sample_candidates(covered["SH"], today) == sorted([insp_dealers["T1"].pk, insp_dealers["T3"].pk])
    inspections, seed = svc.sample_mystery(inspector, territory=covered["SH"], count=5, template=templates["display"])
    assert {i.dealer_id for i in inspections} == {insp_dealers["T1"].pk, insp_dealers["T3"].pk}
    assert all(i.kind == "mystery" and i.sample_seed == seed for i in inspections)
