"""What a walk through the product as each role found, pinned: the person who moved a row is the
one its history names, notes follow the reader's language, a refusal of what is done already says so, a
month is closed once it is over, a late week plan says it is late, a day off is not a missed quota, the
month under way is not flagged below its collection target, and money is written once (no "¥… CNY")."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from channelhub.errors import Conflict, TransitionNotAllowed
from channelhub.periods import Month, week_start
from commissions.services.closing import period_close
from commissions.services.statements import statement_approve, statement_submit
from partners.models import Dealer
from tests.commissions.statement_world import make_statement
from tests.partners.world import YEAR_2026, make_agreement, make_dealer, qualify, signed

LAST_MONTH = str(Month.current().previous())


def test_the_history_names_who_moved_a_row_also_outside_a_request(manager, finance, rep):
    statement = make_statement(rep, period=LAST_MONTH)
    statement_submit(actor=manager, statement=statement)
    statement_approve(actor=finance, statement=statement)
    users = [record.history_user for record in statement.history.order_by("history_date", "history_id")]
    assert users[-2:] == [manager, finance]


def test_a_refusal_of_what_is_done_already_says_so(manager, finance, rep):
    statement = make_statement(rep, period=LAST_MONTH)
    statement_submit(actor=manager, statement=statement)
    statement_approve(actor=finance, statement=statement)
    with translation.override("en"), pytest.raises(TransitionNotAllowed) as again:
        statement_approve(actor=finance, statement=statement)
    assert str(again.value) == "This commission statement is “approved” already."
    with translation.override("zh-hans"), pytest.raises(TransitionNotAllowed) as again:
        statement_approve(actor=finance, statement=statement)
    assert "已是“已核准”" in str(again.value)


def test_the_first_agreement_note_reads_in_the_readers_language(covered, lines, manager, finance, rep):
    dealer = qualify(make_dealer(manager, covered["SH-SH"], rep, "SH001"), manager, finance)
    agreement = signed(manager, make_agreement(manager, dealer, covered["SH-SH"], [lines["water"]], *YEAR_2026))
    activated = [change for change in Dealer.workflow.log(dealer) if change.transition == "activate"][-1]
    with translation.override("en"):
        assert activated.note_text == f"First agreement signed: agreement #{agreement.pk}"
    with translation.override("zh-hans"):
        assert activated.note_text == f"首份协议已签订：协议 #{agreement.pk}"
    # a note written before the number was kept still reads
    activated.note_params = {"agreement": "协议 #7"}
    with translation.override("en"):
        assert activated.note_text == "First agreement signed: 协议 #7"


@pytest.mark.parametrize("month", [Month.current(), Month.current().next()])
def test_a_month_is_closed_once_it_is_over(finance, month):
    with translation.override("en"), pytest.raises(Conflict) as refused:
        period_close(actor=finance, period=str(month))
    assert str(refused.value) == f"{month} has not ended: a month is closed once it is over."


def test_the_periods_page_offers_no_close_for_the_month_under_way(client_as, finance):
    from kpi.models import Period

    current = Period.objects.create(code=str(Month.current()))
    ended = Period.objects.create(code=LAST_MONTH)
    body = client_as(finance).get(reverse("commissions:period-list")).content.decode()
    assert f'data-testid="close-{ended.code}"' in body
    assert f'data-testid="close-{current.code}"' not in body


def test_a_week_plan_past_its_due_time_says_so_and_its_submission_says_late(client_as, d, rep):
    this_week = week_start(timezone.localdate())  # due the Sunday before it began: always late now
    url = f"{reverse('visits:my-plan')}?week={this_week:%G-W%V}"
    client = client_as(rep)
    client.cookies["django_language"] = "en"
    assert "submitted now, it is marked late" in client.get(url).content.decode()
    form = {
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0",
        "items-0-planned_date": timezone.localdate().isoformat(),
        "items-0-dealer": str(d["A1"].pk),
        "note": "",
        "submit": "1",
    }
    done = client.post(url, form, follow=True).content.decode()
    assert "Plan submitted to your manager, late: it was due by Saturday 23:59." in done
    later = week_start(timezone.localdate()) + timedelta(weeks=2)  # due next Sunday at the earliest
    page = client.get(f"{reverse('visits:my-plan')}?week={later:%G-W%V}").content.decode()
    assert "submitted now, it is marked late" not in page and "plans submitted later are marked late" in page


def test_a_day_off_is_not_a_missed_daily_quota(client_as, rep, settings):
    today = timezone.localdate()
    settings.VISIT_WORKING_DAYS = [day for day in range(1, 8) if day != today.isoweekday()]
    client = client_as(rep)
    client.cookies["django_language"] = "en"
    assert "today (not a working day)" in client.get("/").content.decode()
    settings.VISIT_WORKING_DAYS = list(range(1, 8))
    assert "today (not a working day)" not in client.get("/").content.decode()


def test_the_month_under_way_is_not_flagged_below_its_collection_target(client_as, finance, rep, d):
    from kpi.services.targets import target_approve, target_propose
    from tests.kpi.scorecard_world import sale

    target = target_propose(
        actor=rep, rep=rep, period=str(Month.current()), sales_target="1000.00", collection_rate_target="90.00"
    )
    target_approve(actor=rep.profile.manager, target=target)
    sale(rep, d["A1"], timezone.localdate(), "1000.00")  # nothing collected yet
    client = client_as(finance)
    client.cookies["django_language"] = "en"
    rows = client.get("/").context["collection_rows"]
    current = next(row for row in rows if row["rep"] == rep)["cells"][-1]
    assert current.below_collection_target is True and current.pace is not None  # 0 % of 90 %: shown, not flagged
    assert 'title="below target"' not in client.get("/").content.decode()


def test_money_is_written_once(client_as, covered, manager, finance, rep):
    dealer = qualify(make_dealer(manager, covered["SH-SH"], rep, "SH001"), manager, finance, credit_limit="1200000.00")
    body = client_as(manager).get(reverse("partners:dealer-detail", args=[dealer.pk])).content.decode()
    assert 'data-testid="credit-limit">¥1,200,000.00</dd>' in body
    assert "CNY" not in body
