"""Stored text follows the reader's language (STYLE: store facts, render words): a statement's lines, a
scorecard's explanations and item names, the notifications and the state log's system notes are stored as
codes and figures and rendered when read — an English reader finds no Chinese sentence in them, a Chinese
reader no English one."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from channelhub.notifications.models import Notification
from channelhub.workflow.models import StateChange
from commissions.models import Statement
from commissions.services.disputes import dispute_accept, dispute_open
from commissions.services.statements import statement_approve, statement_mark_paid, statement_reject, statement_submit
from kpi.services.conflicts import conflicts_notify
from kpi.services.scorecards import scorecard_compute_unchecked, scorecard_confirm
from tests.commissions import runs_world
from tests.commissions.runs_world import make_plan, monthly
from tests.kpi.scorecard_world import collection, expense, sale, target
from tests.visits.world import at, log
from visits.services.visits import visit_review

run_now = runs_world.run_now
D = Decimal
CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_WORD = re.compile(r"\b[a-z]{3,}\b")


@pytest.fixture
def month(d, rep, manager, finance, templates, run_now):
    """July 2026 of ``rep`` with every kind of line: base, tiers, gate, scorecard factor, each deduction,
    a dispute's adjustment in August, net, retained, payable — people and dealers named in ASCII."""
    rep.first_name, rep.last_name = "Wei", "Zhang"
    rep.save()
    sale(rep, d["A1"], date(2026, 7, 1), "120000.00")
    collection(rep, d["A1"], date(2026, 7, 2), "100000.00")
    expense(rep, d["A1"], date(2026, 7, 3), "13200.00")
    target(rep, "2026-07", "150000.00", expense_rate="10.00", collection_rate="85.00", proposed_by=manager)
    dealer = d["A2"]
    dealer.name = "Harbour Trading"
    dealer.save()
    visit_review(actor=manager, visit=log(rep, dealer, at(2026, 7, 9)), name="mark_false", comment="closed")
    card, _created = scorecard_compute_unchecked(rep, "2026-07", templates["bsc"])
    scorecard_confirm(actor=manager, scorecard=card)
    make_plan(
        [rep],
        collection_gate=D("80.00"),
        use_scorecard=True,
        scorecard_template=templates["bsc"],
        over_budget_expense_share=D("50.00"),
        visit_shortfall_deduction=D("10.00"),
        false_report_deduction=D("100.00"),
        fabricated_deduction=D("200.00"),
    )
    run_now(finance, "2026-07")
    july = monthly(rep, "2026-07")
    statement_submit(actor=manager, statement=july)
    statement_approve(actor=finance, statement=july)
    dispute = dispute_open(actor=rep, line=july.lines.get(step="shortfall"), expected_amount="0", justification="ok")
    dispute_accept(actor=manager, dispute=dispute, answer="yes")
    run_now(finance, "2026-08")
    statement_mark_paid(actor=finance, statement=july, payment_reference="B-1", paid_on=timezone.localdate())
    august = monthly(rep, "2026-08")
    statement_submit(actor=manager, statement=august)
    statement_reject(actor=finance, statement=august, reason="check")
    return {"july": july, "august": august, "card": card}


def texts(month) -> list[str]:
    lines = [line.text for statement in (month["july"], month["august"]) for line in statement.lines.all()]
    card = month["card"]
    explanations = [line.explanation_text for line in card.lines.select_related("item")]
    names = [line.item.display_label for line in card.lines.select_related("item")] + [card.template.display_name]
    notes = [(notification.title_text, notification.body_text) for notification in Notification.objects.all()]
    log = [change.note_text for change in StateChange.objects.exclude(note="")]
    return [*lines, *explanations, *names, *(part for pair in notes for part in pair), *log]


def test_an_english_reader_finds_no_chinese_sentence(month, rep):
    with translation.override("en"):
        found = texts(month)
    assert len(found) > 25 and all(found[:5])
    # the reasons and answers people typed ("closed", "check") are theirs: ASCII here
    assert [text for text in found if CJK.search(text)] == []


def test_a_chinese_reader_finds_no_english_sentence(month, rep):
    with translation.override("zh-hans"):
        found = texts(month)
    # typed or named by people, the templates' acronyms, and the formulas' min() and max()
    data = {"closed", "check", "yes", "harbour", "trading", "wei", "zhang", "mbo", "bsc", "min", "max"}
    english = [text for text in found if set(ENGLISH_WORD.findall(text.lower())) - data]
    assert english == []


def test_the_statement_page_and_api_speak_the_readers_language(month, client_as, api_as, rep):
    july = month["july"]
    client = client_as(rep)
    for language, foreign in (("en", CJK), ("zh-hans", ENGLISH_WORD)):
        client.cookies["django_language"] = language
        body = client.get(reverse("commissions:statement-detail", args=[july.pk])).content.decode()
        lines = body.split('data-testid="statement-lines"')[1].split("</ul>")[0]
        visible = re.sub(r"<[^>]+>", " ", lines)
        words = set(foreign.findall(visible.lower())) - {"closed", "harbour", "trading", "wei", "zhang", "bsc"}
        assert not words, (language, sorted(words)[:10])
    with translation.override("en"):
        api = api_as(rep).get(f"/api/v1/commission-statements/{july.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert api["lines"][0]["description"].startswith("net sales in 2026-07")
    assert not Statement.objects.filter(lines__description__gt="").exists()  # nothing stored


def test_notifications_of_every_kind_render_in_both_languages(month, d, rep, manager, finance, lines):
    from kpi.services.facts import facts_record
    from partners.notifications import agreements_remind_expiring  # noqa: F401 - the digest's kind exists
    from visits.services.plans import plan_create, plan_return, plan_submit

    monday = timezone.localdate() - timezone.timedelta(days=timezone.localdate().weekday()) + timezone.timedelta(7)
    plan = plan_create(rep=rep, week_start=monday, items=[{"dealer": d["A1"], "planned_date": monday}])
    plan_submit(actor=rep, plan=plan)
    plan_return(actor=manager, plan=plan, comment="more")
    batch = facts_record(
        actor=finance,
        kind="sales",
        items=[{"reference": "X-1", "date": "2026-10-01", "dealer_code": "A1", "amount": "10.00", "ship_to": "GD"}],
    )
    conflicts_notify([fact for _index, fact in batch.new])
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert {"statement.approved", "statement.paid", "statement.rejected", "dispute.answered", "plan.returned"} <= kinds
    from partners.models import Dealer, Territory

    names = [*Dealer.objects.values_list("name", flat=True), *Territory.objects.values_list("name", flat=True)]
    for notification in Notification.objects.all():
        with translation.override("en"):
            text = notification.title_text + notification.body_text
            for name in names:  # dealers and territories are named by people: data, not sentences
                text = text.replace(name, "")
            assert not CJK.search(text), notification.kind
        with translation.override("zh-hans"):
            assert CJK.search(notification.title_text), notification.kind
