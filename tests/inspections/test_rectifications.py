"""Rectifications (整改): due dates in calendar days (a weekend counts), the answer/verify/reopen cycle, the
overdue flag and the daily digest, sent once a day."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from channelhub.errors import Conflict
from channelhub.notifications.models import Notification
from inspections.models import Rectification
from inspections.selectors import overdue_condition
from inspections.services import inspections as svc
from inspections.services.rectifications import (
    due_date_for,
    overdue_digest,
    rectification_reopen,
    rectification_submit,
    rectification_verify,
)
from tests.evidence.files import photo
from tests.inspections.test_inspections import answer_all

pytestmark = pytest.mark.django_db
D = Decimal

FRIDAY = date(2026, 11, 27)


def test_a_critical_item_found_on_a_friday_is_due_on_monday_and_overdue_on_tuesday():
    # Friday 27 Nov + 3 calendar days = Monday 30 Nov (Saturday and Sunday count)
    due = due_date_for(FRIDAY, critical=True)
    assert due == date(2026, 11, 30)
    row = Rectification(due_date=due, status="open")
    assert not row.is_overdue(date(2026, 11, 28))  # Saturday
    assert not row.is_overdue(date(2026, 11, 30))  # the due day itself
    assert row.is_overdue(date(2026, 12, 1))  # Tuesday
    # an ordinary item: Friday + 7 = the next Friday, 4 Dec
    assert due_date_for(FRIDAY, critical=False) == date(2026, 12, 4)


def test_an_answered_rectification_is_not_overdue():
    assert not Rectification(due_date=FRIDAY, status="submitted").is_overdue(FRIDAY + timedelta(days=9))
    assert Rectification(due_date=FRIDAY, status="reopened").is_overdue(FRIDAY + timedelta(days=1))


@pytest.fixture
def failed(inspector, insp_dealers, templates):
    """A display inspection of T1 with the critical shelf item (photo) and "tidy" failed."""
    inspection = svc.inspection_plan(
        inspector, dealer=insp_dealers["T1"], template=templates["display"], kind="routine"
    )
    answer_all(inspector, inspection, shelf="fail", tidy="fail")
    svc.inspection_complete(inspector, inspection)
    return {
        r.result.item.code: r
        for r in Rectification.objects.filter(inspection=inspection).select_related("result__item")
    }


def test_the_rep_answers_with_a_photo_and_the_inspector_verifies(failed, rep, inspector):
    shelf = failed["shelf"]
    with pytest.raises(ValidationError) as refused:  # the shelf item requires a photo: so does its answer
        rectification_submit(rep, shelf, note="已按协议陈列")
    assert "photos" in refused.value.message_dict
    answered = rectification_submit(rep, shelf, note="已按协议陈列", photos=[photo(colour=(1, 2, 3))])
    assert answered.status == "submitted" and answered.answered_by == rep
    assert inspector.notifications.filter(kind="rectification.submitted").count() == 1
    verified = rectification_verify(inspector, answered)
    assert verified.status == "verified" and verified.verified_by == inspector


def test_a_reopened_rectification_is_due_again_and_answered_again(failed, rep, manager):
    from django.utils import timezone

    tidy = rectification_submit(rep, failed["tidy"], note="已整理")
    with pytest.raises(ValidationError):
        rectification_reopen(manager, tidy, reason="  ")
    reopened = rectification_reopen(manager, tidy, reason="仍缺货")
    assert reopened.status == "reopened"
    assert reopened.due_date == timezone.localdate() + timedelta(days=7)
    assert rep.notifications.filter(kind="rectification.reopened").count() == 1
    assert rectification_submit(rep, reopened, note="已补货").status == "submitted"


def test_who_may_answer_and_verify(failed, rep, rep_peer, finance, inspector):
    with pytest.raises(PermissionDenied):
        rectification_submit(rep_peer, failed["tidy"], note="x")
    with pytest.raises(PermissionDenied):
        rectification_verify(rep, rectification_submit(rep, failed["tidy"], note="已整理"))
    with pytest.raises(PermissionDenied):
        rectification_verify(finance, failed["tidy"])
    with pytest.raises(Conflict):  # open, not submitted: 409
        rectification_verify(inspector, failed["shelf"])


def test_the_overdue_digest_tells_each_rep_and_inspector_once_a_day(failed, rep, inspector):
    from django.utils import timezone

    today = timezone.localdate()
    assert overdue_digest(today) == 0  # nothing is due yet
    later = today + timedelta(days=4)  # the critical shelf item (due + 3) is overdue; tidy (+7) is not
    assert Rectification.objects.filter(overdue_condition(later)).count() == 1
    assert overdue_digest(later) == 2  # rep and inspector
    assert overdue_digest(later) == 0  # the same day again: nothing new
    digest = Notification.objects.get(recipient=rep, kind="rectification.overdue")
    assert digest.params == {"count": 1, "date": later.isoformat()}
    assert overdue_digest(later + timedelta(days=5)) == 2  # the next day (both overdue now): one each again
    assert (
        Notification.objects.get(
            recipient=rep, key=f"rectifications-overdue-{(later + timedelta(days=5)).isoformat()}"
        ).params["count"]
        == 2
    )
