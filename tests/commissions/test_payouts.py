"""The payout list (发放清单, SPEC §6): before paying, the period's approved statements with something to
pay and each rep's bank details (CSV/XLSX, headers in the reader's language, a total row); the whole list
marked paid with one bank reference, all or nothing; after paying, the paid list — by the service, the
API (``/api/v1/commission-statements/export/`` and ``mark-paid/``) and the page (``commissions:payout-export``).

    manager ── rep (E002), rep_peer (E001)        other_manager ── other_rep        finance, admin_user

Figures by hand (the standard month of ``statement_world``: payable 3,690.00):

* to pay in 2031-07: rep_peer 1,200.00 (E001), rep 3,690.00 (E002), other_rep 3,690.00 → 8,580.00;
* approved but nothing to pay: a negative month of ``late_rep`` (net −250.00 carried forward);
* paid in 2031-07: ``paid_rep`` 3,690.00, and a claw-back paid before carry-forward existed (−50.00),
  which never reaches a bank file.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from channelhub.notifications.models import Notification
from channelhub.roles import Role
from channelhub.workflow.models import StateChange
from commissions.models import Statement
from commissions.selectors import payout_statements
from commissions.services.payouts import BatchRefused, payout_export, statements_mark_paid
from tests.commissions.statement_world import NEXT, PERIOD, make_statement
from tests.factories import UserFactory

S = Statement.Status
D = Decimal
EXPORT = "/api/v1/commission-statements/export/"
PAY = "/api/v1/commission-statements/mark-paid/"
HEADERS_EN = [
    "employee number",
    "name",
    "bank name",
    "bank account",
    "period",
    "kind",
    "payable",
    "currency",
    "status",
    "payment reference",
    "paid on",
    "approved by",
    "approved on",
    "statement number",
]


def csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith("\ufeff".encode())  # a BOM, so that Excel reads Chinese
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def xlsx_sheet(content: bytes):
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(content)).active


def bank(user, employee_no, name, account):
    user.profile.employee_no, user.profile.bank_name, user.profile.bank_account = employee_no, name, account
    user.profile.save()


def approved(rep, manager, finance, period=PERIOD, **amounts):
    return make_statement(rep, period, S.APPROVED, submitted_by=manager, approved_by=finance, **amounts)


@pytest.fixture
def world(rep, rep_peer, other_rep, manager, other_manager, finance):
    bank(rep, "E002", "工商银行上海分行", "6222021001112223334")
    bank(rep_peer, "E001", "建设银行", "6217001234567890")
    other_rep.first_name = '=HYPERLINK("http://evil")'
    other_rep.save()
    late_rep = UserFactory(username="rep_a3", name="王磊", roles=[Role.FIELD_REP], manager=manager)
    paid_rep = UserFactory(username="rep_a4", name="赵强", roles=[Role.FIELD_REP], manager=manager)
    old_rep = UserFactory(username="rep_a5", name="钱多", roles=[Role.FIELD_REP], manager=manager)
    paid = approved(paid_rep, manager, finance)
    Statement.objects.filter(pk=paid.pk).update(status=S.PAID, payment_reference="BANK-0731", paid_at=date(2031, 8, 5))
    claw_back = approved(old_rep, manager, finance, net_amount=D("-50.00"), retained_amount=D("0.00"))
    Statement.objects.filter(pk=claw_back.pk).update(
        status=S.PAID, payable_amount=D("-50.00"), paid_at=date(2031, 8, 5)
    )
    return {
        "rep": approved(rep, manager, finance),
        "rep_peer": approved(rep_peer, manager, finance, payable_amount=D("1200.00")),
        "other_rep": approved(other_rep, other_manager, finance),
        "late_rep": approved(
            late_rep,
            manager,
            finance,
            net_amount=D("-250.00"),
            retained_amount=D("0.00"),
            payable_amount=D("0.00"),
            carried_forward=D("-250.00"),
        ),
        "paid": paid,
        "claw_back": claw_back,
        # not in the lists: another period, and a statement not approved yet
        "next": approved(rep, manager, finance, period=NEXT),
        "submitted": make_statement(paid_rep, NEXT, S.SUBMITTED, submitted_by=manager),
    }


# --- the lists ---------------------------------------------------------------------------------------


def test_the_list_to_pay_has_the_approved_statements_with_bank_details_and_a_total(world, finance):
    with translation.override("en"):
        rows = csv_rows(payout_export(user=finance, period=PERIOD, file_format="csv", status="approved"))
    assert rows[0] == HEADERS_EN
    body, total = rows[1:-1], rows[-1]
    assert [row[13] for row in body] == [str(world[key].pk) for key in ("rep_peer", "rep", "other_rep")]
    assert body[1] == [
        "E002",
        "张伟",
        "工商银行上海分行",
        "6222021001112223334",  # in full: finance pays from it
        PERIOD,
        "monthly",
        "3690.00",
        "CNY",
        "approved",
        "",
        "",
        "孙财务",
        timezone.localdate().isoformat(),
        str(world["rep"].pk),
    ]
    # a name a spreadsheet would run as a formula is text; 1,200.00 + 3,690.00 + 3,690.00 = 8,580.00
    assert body[2][1].startswith("'=HYPERLINK")
    assert total[:2] == ["Total", "3 statements"] and total[6] == "8580.00"
    # the negative month carried forward (payable 0.00) never reaches the bank file
    assert str(world["late_rep"].pk) not in {row[13] for row in body}


def test_the_xlsx_speaks_the_readers_language_with_numbers_and_no_formulas(world, finance):
    with translation.override("zh-hans"):
        sheet = xlsx_sheet(payout_export(user=finance, period=PERIOD, file_format="xlsx", status="approved"))
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("工号", "姓名", "开户行", "银行账号")
    assert rows[2][:4] == ("E002", "张伟", "工商银行上海分行", "6222021001112223334")
    assert rows[2][5] == "月度" and rows[2][6] == 3690  # a number, not text
    assert sheet.cell(row=3, column=7).number_format == '"¥"#,##0.00'
    assert rows[-1][0] == "合计" and rows[-1][6] == 8580
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_the_paid_list_stays_without_claw_backs_from_before_carry_forward(world, finance):
    with translation.override("en"):
        rows = csv_rows(payout_export(user=finance, period=PERIOD, file_format="csv"))
    assert [row[13] for row in rows[1:-1]] == [str(world["paid"].pk)]
    assert rows[1][9:11] == ["BANK-0731", "2031-08-05"] and rows[-1][6] == "3690.00"


def test_an_empty_period_gives_the_header_and_a_zero_total(finance, db):
    with translation.override("en"):
        rows = csv_rows(payout_export(user=finance, period="2030-01", file_format="csv", status="approved"))
    assert rows[0] == HEADERS_EN and rows[1][6] == "0.00" and len(rows) == 2


# --- paying the batch ----------------------------------------------------------------------------------


def test_the_whole_list_is_paid_with_one_reference_each_statement_logged(world, finance, rep):
    today = timezone.localdate()
    paid = statements_mark_paid(actor=finance, period=PERIOD, payment_reference="ICBC-202608-01", paid_on=today)
    expected = {world[key].pk for key in ("rep_peer", "rep", "other_rep")}
    assert {statement.pk for statement in paid} == expected
    for statement in Statement.objects.filter(pk__in=expected):
        assert (statement.status, statement.payment_reference, statement.paid_at) == (S.PAID, "ICBC-202608-01", today)
        [change] = StateChange.objects.for_object(statement).filter(transition="mark_paid")
        assert change.by == finance
    assert Notification.objects.filter(recipient=rep, key=f"statement-paid:{world['rep'].pk}").exists()
    # the statement that pays nothing stays approved; the next period is untouched
    assert Statement.objects.get(pk=world["late_rep"].pk).status == S.APPROVED
    assert Statement.objects.get(pk=world["next"].pk).status == S.APPROVED
    # nothing is left to pay
    assert not payout_statements(finance, PERIOD).exists()


def test_a_batch_with_one_refused_statement_pays_none_and_names_it(world, finance, manager):
    # finance is also the rep of one statement of the list: nobody records their own payout
    own = approved(finance, manager, UserFactory(roles=[Role.FINANCE]))
    before = dict(Statement.objects.values_list("pk", "status"))
    with pytest.raises(BatchRefused) as refused, translation.override("en"):
        statements_mark_paid(actor=finance, period=PERIOD, payment_reference="B-1", paid_on=timezone.localdate())
    assert [row["statement"] for row in refused.value.extra["refused"]] == [own.pk]
    assert f"#{own.pk}" in str(refused.value) and "own commission" in str(refused.value)
    assert dict(Statement.objects.values_list("pk", "status")) == before  # nothing paid
    assert not StateChange.objects.filter(transition="mark_paid").exists()


def test_a_statement_refused_half_way_undoes_the_ones_already_marked(world, finance, monkeypatch):
    # the last statement of the batch fails its own check (paid before its approval): the two marked
    # before it in the same call are rolled back
    Statement.objects.filter(pk=world["other_rep"].pk).update(approved_at=timezone.now() + timedelta(days=3))
    with pytest.raises(BatchRefused) as refused:
        statements_mark_paid(actor=finance, period=PERIOD, payment_reference="B-2", paid_on=timezone.localdate())
    assert [row["statement"] for row in refused.value.extra["refused"]] == [world["other_rep"].pk]
    assert set(Statement.objects.filter(status=S.PAID).values_list("pk", flat=True)) == {
        world["paid"].pk,
        world["claw_back"].pk,
    }


def test_statements_given_by_id_must_be_on_the_list(world, finance):
    with pytest.raises(BatchRefused) as refused:
        statements_mark_paid(
            actor=finance,
            period=PERIOD,
            payment_reference="B-3",
            paid_on=timezone.localdate(),
            statement_ids=[world["rep"].pk, world["late_rep"].pk, world["submitted"].pk],
        )
    assert {row["statement"] for row in refused.value.extra["refused"]} == {
        world["late_rep"].pk,
        world["submitted"].pk,
    }
    paid = statements_mark_paid(
        actor=finance,
        period=PERIOD,
        payment_reference="B-3",
        paid_on=timezone.localdate(),
        statement_ids=[world["rep"].pk],
    )
    assert [statement.pk for statement in paid] == [world["rep"].pk]


def test_a_statement_that_pays_nothing_cannot_be_marked_paid_on_its_own(world, finance):
    from channelhub.errors import Conflict
    from commissions.policies import allowed_actions
    from commissions.services.statements import statement_mark_paid

    late = world["late_rep"]
    assert "mark-paid" not in allowed_actions(finance, late)
    with pytest.raises(Conflict):
        statement_mark_paid(actor=finance, statement=late, payment_reference="X", paid_on=timezone.localdate())


# --- the API ---------------------------------------------------------------------------------------


def test_api_exports_both_lists(api_as, world, finance):
    client = api_as(finance)
    response = client.get(EXPORT, {"period": PERIOD, "status": "approved"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == f'attachment; filename="payouts-to-pay-{PERIOD}.csv"'
    assert len(csv_rows(response.content)) == 1 + 3 + 1  # header, three statements, the total
    response = client.get(EXPORT, {"period": PERIOD, "format": "xlsx"})
    assert response["Content-Disposition"] == f'attachment; filename="payouts-{PERIOD}.xlsx"'
    assert xlsx_sheet(response.content).max_row == 1 + 1 + 1


def test_api_pays_the_batch_or_refuses_it_whole(api_as, world, finance, manager):
    client = api_as(finance)
    missing = client.post(PAY, {"period": PERIOD}, format="json")
    assert missing.status_code == 400 and set(missing.json()) == {"payment_reference", "paid_on"}
    own = approved(finance, manager, UserFactory(roles=[Role.FINANCE]))
    body = {"period": PERIOD, "payment_reference": "ICBC-1", "paid_on": timezone.localdate().isoformat()}
    refused = client.post(PAY, body, format="json")
    assert refused.status_code == 409 and refused.json()["refused"][0]["statement"] == own.pk
    assert not Statement.objects.filter(payment_reference="ICBC-1").exists()
    paid = client.post(PAY, {**body, "statements": [world["rep"].pk, world["rep_peer"].pk]}, format="json")
    assert paid.status_code == 200
    assert sorted(row["id"] for row in paid.json()) == sorted([world["rep"].pk, world["rep_peer"].pk])
    assert {row["status"] for row in paid.json()} == {"paid"}


@pytest.mark.parametrize("who", ["manager", "rep", "other_manager"])
def test_api_lists_and_payments_are_for_finance_and_admins(api_as, everyone, world, who):
    client = api_as(everyone[who])
    response = client.get(EXPORT, {"period": PERIOD, "format": "xlsx", "status": "approved"})
    assert response.status_code == 403 and response["Content-Type"] == "application/json"
    body = {"period": PERIOD, "payment_reference": "X", "paid_on": timezone.localdate().isoformat()}
    assert client.post(PAY, body, format="json").status_code == 403
    assert not Statement.objects.filter(payment_reference="X").exists()


@pytest.mark.parametrize(
    "query", [{}, {"period": "2031-7"}, {"period": PERIOD, "format": "pdf"}, {"period": PERIOD, "status": "draft"}]
)
def test_api_export_bad_query_is_400(api_as, finance, query):
    response = api_as(finance).get(EXPORT, query)
    assert response.status_code == 400 and response["Content-Type"] == "application/json"


def test_bank_accounts_are_masked_except_for_finance_and_admins(api_as, world, rep, manager, finance, admin_user):
    def account(viewer):
        return api_as(viewer).get(f"/api/v1/users/{rep.pk}/").json()["bank_account"]

    assert account(finance) == account(admin_user) == "6222021001112223334"
    assert account(manager) == account(rep) == "•••• 3334"


def test_bank_details_keep_a_history(rep):
    bank(rep, "E002", "工商银行", "6222000011112222")
    bank(rep, "E002", "工商银行", "6222000011113333")
    accounts = [record.bank_account for record in rep.profile.history.order_by("history_date")]
    assert accounts[-2:] == ["6222000011112222", "6222000011113333"]


# --- the page --------------------------------------------------------------------------------------


def test_page_shows_both_lists_with_bank_details_totals_and_downloads(client_as, world, finance):
    client = client_as(finance)
    client.cookies["django_language"] = "en"
    body = client.get(reverse("commissions:payout-export"), {"period": PERIOD}).content.decode()
    to_pay, rest = body.split('data-testid="to-pay-table"')[1].split("</table>", 1)
    assert 'data-testid="payout-total">¥8,580.00' in to_pay and "6222021001112223334" in to_pay
    assert 'data-testid="nothing-to-pay"' in rest and "-¥250.00" in rest.split('data-testid="paid"')[0]
    assert 'data-testid="payout-total">¥3,690.00' in rest.split('data-testid="paid"')[1]
    assert f"{reverse('commissions:payout-export')}?period={PERIOD}&amp;format=xlsx&amp;status=approved" in body
    assert f'action="{reverse("commissions:payout-mark-paid")}"' in body
    download = client.get(
        reverse("commissions:payout-export"), {"period": PERIOD, "format": "csv", "status": "approved"}
    )
    assert download["Content-Disposition"] == f'attachment; filename="payouts-to-pay-{PERIOD}.csv"'


def test_page_pays_the_list_in_one_go_and_says_when_it_cannot(client_as, world, finance, manager):
    client = client_as(finance)
    client.cookies["django_language"] = "en"
    own = approved(finance, manager, UserFactory(roles=[Role.FINANCE]))
    form = {"period": PERIOD, "payment_reference": "ICBC-9", "paid_on": timezone.localdate().isoformat()}
    refused = client.post(reverse("commissions:payout-mark-paid"), form, follow=True)
    assert f"#{own.pk}" in refused.content.decode() and "Nothing was paid" in refused.content.decode()
    assert not Statement.objects.filter(payment_reference="ICBC-9").exists()
    Statement.objects.filter(pk=own.pk).delete()
    done = client.post(reverse("commissions:payout-mark-paid"), form, follow=True)
    assert "3 statements of 2031-07 marked paid" in done.content.decode()
    assert Statement.objects.filter(payment_reference="ICBC-9").count() == 3
    bad = client.post(reverse("commissions:payout-mark-paid"), {"period": PERIOD, "paid_on": "2031-08-05"})
    assert bad.status_code == 400


def test_page_is_for_finance_and_admins(client_as, manager, rep, admin_user):
    assert client_as(manager).get(reverse("commissions:payout-export")).status_code == 403
    assert (
        client_as(rep).get(reverse("commissions:payout-export"), {"period": PERIOD, "format": "csv"}).status_code == 403
    )
    assert client_as(rep).post(reverse("commissions:payout-mark-paid"), {"period": PERIOD}).status_code == 403
    assert client_as(admin_user).get(reverse("commissions:payout-export")).status_code == 200
