"""The stock pages (SPEC §7, §16): the report form (its lines, the opening from the month before, each refusal on its
line and field, nothing saved), a dealer's month with Confirm and Return (segregation of duties), the stock health
list, the Pareto and coverage pages, the dealer page's stock tab, the dashboards' panels and the menu — each for the
roles that may see it, 404 out of scope.

The world (``tests.inventory.world``): D1, a distributor of rep in SH-PD (no product lines of its own: it reports
every line, kitchen, hvac and water), its terminals T1, T2, T3 (rep's too), and X1 of other_rep in GD-GZ. Pages are
read in English (``page_as``).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation

from inventory.models import StockReport
from inventory.services.reports import report_confirm
from partners.models import Dealer
from tests.inventory.world import figures, write

pytestmark = pytest.mark.django_db

D = Decimal


def form_url(dealer, period="2026-10") -> str:
    return reverse("inventory:report-form", args=[dealer.pk, period])


def month_url(dealer, period="2026-10") -> str:
    return reverse("inventory:month", args=[dealer.pk, period])


def said(response) -> list[str]:
    """What the request told (its own messages; those of earlier requests not shown yet left out)."""
    return [str(message) for message in get_messages(response.wsgi_request)._queued_messages]


def posted_line(line, values: dict, **texts) -> dict:
    """The form's fields of one line (``line-<id>-<field>``) from ``figures()``-like values."""
    data = {f"line-{line.pk}-{name}": str(value) for name, value in values.items()}
    data.update({f"line-{line.pk}-{name}": value for name, value in texts.items()})
    return data


def card(body: str, code: str) -> str:
    """The HTML of one line's card of the form (``data-testid="line-<code>"``)."""
    start = body.index(f'data-testid="line-{code}"')
    end = body.find('data-testid="line-', start + 1)
    return body[start : end if end != -1 else len(body)]


def value_of(html: str, line, name: str) -> str:
    match = re.search(rf'name="line-{line.pk}-{name}"[^>]*value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)"[^>]*name="line-{line.pk}-{name}"', html
    )
    return match.group(1) if match else ""


@pytest.fixture
def d1(stock_dealers):
    return stock_dealers["D1"]


# --- the report form ------------------------------------------------------------------------------------------


def test_the_form_has_a_card_per_product_line_the_dealer_reports(page_as, rep, d1, lines):
    # D1 names no product line of its own: it reports every line
    response = page_as(rep).get(form_url(d1))
    assert response.status_code == 200
    body = response.content.decode()
    assert re.findall(r'data-testid="line-(\w+)"', body) == ["hvac", "kitchen", "water"]
    d1.product_lines.set([lines["water"]])
    body = page_as(rep).get(form_url(d1)).content.decode()
    assert re.findall(r'data-testid="line-(\w+)"', body) == ["water"]


def test_a_rep_submits_the_month_and_lands_on_its_page(page_as, rep, d1, lines):
    # kitchen: 100 + 50 − 30 = 120 units; at 10.00 each 1 000 + 500 − 300 = 1 200.00; water and hvac left blank
    data = posted_line(lines["kitchen"], figures("100", "50", "30"))
    response = page_as(rep).post(form_url(d1), data)
    assert response.status_code == 302 and response["Location"] == month_url(d1)
    assert said(response) == [f"Stock report of {d1.name} for 2026-10 saved: 1 lines."]
    report = StockReport.objects.get()  # the blank lines were not reported
    assert (report.product_line, report.closing_qty, report.closing_amount) == (lines["kitchen"], D("120"), D("1200"))
    assert (report.status, report.source, report.submitted_by) == ("submitted", "form", rep)
    body = page_as(rep).get(month_url(d1)).content.decode()
    assert 'data-line="kitchen"' in body and "¥1,200.00" in body


def test_a_balance_error_is_shown_on_its_line_and_field_and_nothing_is_saved(page_as, rep, d1, lines):
    data = {
        **posted_line(lines["kitchen"], figures("100", "50", "30")),  # balances
        **posted_line(lines["water"], {**figures("100", "50", "30"), "closing_qty": D("125")}),  # 120, not 125
    }
    response = page_as(rep).post(form_url(d1), data)
    assert response.status_code == 400
    assert not StockReport.objects.exists()  # all or nothing: kitchen was not saved either
    body = response.content.decode()
    assert 'data-testid="form-errors"' in body
    water = card(body, "water")
    assert re.search(
        r'data-error="closing_qty">Closing quantity: Should be 120: opening \+ received − sold \+ adjustment\.', water
    )
    assert "data-error" not in card(body, "kitchen")
    assert value_of(water, lines["water"], "closing_qty") == "125"  # the form keeps what was typed
    assert value_of(card(body, "kitchen"), lines["kitchen"], "received_qty") == "50"


def test_an_adjustment_without_a_reason_is_refused_on_the_reason(page_as, rep, d1, lines):
    response = page_as(rep).post(form_url(d1), posted_line(lines["kitchen"], figures("100", "0", "0", "-4")))
    assert response.status_code == 400
    kitchen = card(response.content.decode(), "kitchen")
    assert "Say why the stock was adjusted." in kitchen
    response = page_as(rep).post(
        form_url(d1), posted_line(lines["kitchen"], figures("100", "0", "0", "-4"), adjustment_reason="damaged")
    )
    assert response.status_code == 302
    assert StockReport.objects.get().closing_qty == D("96")


def test_a_form_left_blank_saves_nothing(page_as, rep, d1, lines):
    response = page_as(rep).post(form_url(d1), {})
    assert response.status_code == 400
    assert "Enter at least one line" in response.content.decode()
    assert not StockReport.objects.exists()


def test_a_figure_that_is_not_a_number_stays_on_its_field(page_as, rep, d1, lines):
    data = {**posted_line(lines["kitchen"], figures("100", "50", "30")), f"line-{lines['kitchen'].pk}-sold_qty": "3O"}
    response = page_as(rep).post(form_url(d1), data)
    assert response.status_code == 400
    assert "Enter a number." in card(response.content.decode(), "kitchen")
    assert not StockReport.objects.exists()


def test_the_opening_comes_filled_in_from_the_lines_last_report(page_as, rep, d1, lines):
    write(rep, d1, "2026-09", lines["kitchen"], figures("0", "80", "20"))  # September closes at 60 (600.00)
    write(rep, d1, "2026-07", lines["water"], figures("0", "9", "2"))  # water last reported in July: 7 (70.00)
    body = page_as(rep).get(form_url(d1)).content.decode()
    kitchen, water, hvac = card(body, "kitchen"), card(body, "water"), card(body, "hvac")
    assert (
        value_of(kitchen, lines["kitchen"], "opening_qty"),
        value_of(kitchen, lines["kitchen"], "opening_amount"),
    ) == (
        "60",
        "600",
    )
    assert value_of(kitchen, lines["kitchen"], "received_qty") == ""
    assert value_of(water, lines["water"], "opening_qty") == "7"
    assert value_of(hvac, lines["hvac"], "opening_qty") == ""  # never reported: the rep types the first opening


def test_a_line_with_only_its_opening_is_not_reported(page_as, rep, d1, lines):
    write(rep, d1, "2026-09", lines["kitchen"], figures("0", "80", "20"))
    # the browser sends the prefilled openings back: kitchen 60 / 600 and nothing else
    data = posted_line(lines["kitchen"], {"opening_qty": "60", "opening_amount": "600"})
    data.update(posted_line(lines["water"], figures("0", "5", "1")))
    response = page_as(rep).post(form_url(d1), data)
    assert response.status_code == 302
    assert list(StockReport.objects.filter(period="2026-10").values_list("product_line__code", flat=True)) == ["water"]


def test_the_stored_report_fills_the_form_and_a_correction_replaces_it(page_as, rep, d1, lines):
    write(rep, d1, "2026-10", lines["kitchen"], figures("10", "5", "3"))
    body = page_as(rep).get(form_url(d1)).content.decode()
    kitchen = card(body, "kitchen")
    assert [value_of(kitchen, lines["kitchen"], name) for name in ("opening_qty", "received_qty", "closing_qty")] == [
        "10",
        "5",
        "12",
    ]
    response = page_as(rep).post(form_url(d1), posted_line(lines["kitchen"], figures("10", "5", "4")))
    assert response.status_code == 302
    assert StockReport.objects.get().closing_qty == D("11")


def test_a_confirmed_month_is_read_only(page_as, rep, manager, d1, lines):
    report = write(rep, d1, "2026-10", lines["kitchen"], figures("10", "5", "3"))
    report_confirm(actor=manager, report=report)
    response = page_as(rep).get(form_url(d1))
    assert response.status_code == 302 and response["Location"] == month_url(d1)
    assert said(response) == ["The stock report of 2026-10 is confirmed and no longer changes."]
    body = page_as(rep).get(month_url(d1)).content.decode()
    assert 'data-testid="enter-report"' not in body


@pytest.mark.parametrize("who", ["other_rep", "rep_peer", "other_manager"])
def test_another_teams_dealer_is_a_404_on_the_form_and_the_month(page_as, everyone, rep, d1, lines, who):
    write(rep, d1, "2026-10", lines["kitchen"], figures("10", "5", "3"))
    client = page_as(everyone[who])
    assert client.get(form_url(d1)).status_code == 404
    assert client.post(form_url(d1), posted_line(lines["kitchen"], figures("10", "5", "4"))).status_code == 404
    assert client.get(month_url(d1)).status_code == 404
    assert client.post(reverse("inventory:month-confirm", args=[d1.pk, "2026-10"])).status_code == 404
    assert StockReport.objects.get().closing_qty == D("12")


def test_the_other_reps_dealer_is_a_404_to_the_rep(page_as, rep, stock_dealers):
    assert page_as(rep).get(form_url(stock_dealers["X1"])).status_code == 404
    assert page_as(rep).get(month_url(stock_dealers["X1"])).status_code == 404


@pytest.mark.parametrize("who", ["manager", "finance"])
def test_those_who_do_not_report_may_not_open_the_form(page_as, everyone, d1, who):
    assert page_as(everyone[who]).get(form_url(d1)).status_code == 403
    assert page_as(everyone[who]).get(month_url(d1)).status_code == 200


@pytest.mark.parametrize("period", ["2026-13", "26-10", "2027-01"])
def test_a_malformed_month_or_one_not_begun_is_a_404(page_as, rep, d1, period):
    assert page_as(rep).get(form_url(d1, period)).status_code == 404
    assert page_as(rep).get(month_url(d1, period)).status_code == 404


def test_the_reps_chooser_opens_the_form_of_a_dealer_and_month(page_as, rep, d1, stock_dealers):
    client = page_as(rep)
    body = client.get(reverse("inventory:health")).content.decode()
    assert 'data-testid="report-chooser"' in body and 'value="2026-11"' in body  # last month filled in
    response = client.get(reverse("inventory:report-choose"), {"dealer": d1.pk, "period": "2026-10"})
    assert response["Location"] == form_url(d1)
    refused = client.get(reverse("inventory:report-choose"), {"dealer": stock_dealers["X1"].pk, "period": "2026-10"})
    assert refused["Location"] == reverse("inventory:health") and said(refused)


# --- the month: confirm and return ------------------------------------------------------------------------------


def test_the_manager_confirms_the_month_from_its_page(page_as, rep, manager, d1, lines):
    write(rep, d1, "2026-10", lines["kitchen"], figures("10", "5", "3"))
    write(rep, d1, "2026-10", lines["water"], figures("4", "0", "1"))
    client = page_as(manager)
    body = client.get(month_url(d1)).content.decode()
    assert 'data-testid="confirm-month"' in body and 'data-testid="return-month"' in body
    response = client.post(reverse("inventory:month-confirm", args=[d1.pk, "2026-10"]))
    assert response["Location"] == month_url(d1)
    assert said(response) == [f"Stock report of {d1.name} for 2026-10 confirmed."]
    assert set(StockReport.objects.values_list("status", flat=True)) == {"confirmed"}
    body = client.get(month_url(d1)).content.decode()
    assert 'data-testid="confirm-month"' not in body
    log = body.split('data-testid="state-log"')[1]
    assert log.count("list-group-item") == 1  # both lines confirmed at once: one row naming them
    assert "kitchen, water" in log


def test_the_manager_returns_the_month_with_a_reason(page_as, rep, manager, d1, lines):
    write(rep, d1, "2026-10", lines["kitchen"], figures("10", "5", "3"))
    client = page_as(manager)
    url = reverse("inventory:month-return", args=[d1.pk, "2026-10"])
    refused = client.post(url, {"reason": " "})
    assert refused.status_code == 400
    assert StockReport.objects.get().status == "submitted"
    assert 'data-testid="return-month" open' in refused.content.decode()
    response = client.post(url, {"reason": "期初与上月不符"})
    assert response["Location"] == month_url(d1)
    assert StockReport.objects.get().status == "returned"
    body = page_as(rep).get(month_url(d1)).content.decode()
    assert 'data-testid="return-reason"' in body and "期初与上月不符" in body
    form = page_as(rep).get(form_url(d1)).content.decode()
    assert "期初与上月不符" in form  # the rep reads what to correct on the form
    assert page_as(rep).post(form_url(d1), posted_line(lines["kitchen"], figures("10", "5", "4"))).status_code == 302
    assert StockReport.objects.get().status == "submitted"


def test_the_admin_who_submitted_may_not_confirm_it(page_as, admin_user, manager, d1, lines):
    write(admin_user, d1, "2026-10", lines["kitchen"], figures("10", "5", "3"))
    client = page_as(admin_user)
    body = client.get(month_url(d1)).content.decode()
    assert 'data-testid="confirm-month"' not in body and 'data-testid="segregation-note"' in body
    response = client.post(reverse("inventory:month-confirm", args=[d1.pk, "2026-10"]))
    assert response.status_code == 302
    assert said(response) == ["You cannot confirm or return a stock report you submitted yourself."]
    assert StockReport.objects.get().status == "submitted"
    page_as(manager).post(reverse("inventory:month-confirm", args=[d1.pk, "2026-10"]))
    assert StockReport.objects.get().status == "confirmed"


@pytest.mark.parametrize("who", ["rep", "finance"])
def test_a_role_that_never_confirms_gets_403(page_as, everyone, rep, d1, lines, who):
    write(rep, d1, "2026-10", lines["kitchen"], figures("10", "5", "3"))
    for action in ("month-confirm", "month-return"):
        response = page_as(everyone[who]).post(reverse(f"inventory:{action}", args=[d1.pk, "2026-10"]), {"reason": "x"})
        assert response.status_code == 403
    assert StockReport.objects.get().status == "submitted"


def test_confirming_twice_says_nothing_waits(page_as, rep, manager, d1, lines):
    write(rep, d1, "2026-10", lines["kitchen"], figures("10", "5", "3"))
    client = page_as(manager)
    client.post(reverse("inventory:month-confirm", args=[d1.pk, "2026-10"]))
    again = client.post(reverse("inventory:month-confirm", args=[d1.pk, "2026-10"]))
    assert said(again) == ["No line of this month waits for confirmation."]


def test_a_month_before_an_unconfirmed_one_is_a_409_message(page_as, rep, manager, d1, lines):
    write(rep, d1, "2026-09", lines["kitchen"], figures("10", "5", "3"))  # closes at 12
    write(rep, d1, "2026-10", lines["kitchen"], figures("12", "0", "2"))
    response = page_as(manager).post(reverse("inventory:month-confirm", args=[d1.pk, "2026-10"]))
    assert said(response) == ["Confirm the report of 2026-09 first: this one opens from it."]
    assert StockReport.objects.get(period="2026-10").status == "submitted"


def test_a_get_on_an_action_goes_back_to_the_month(page_as, manager, d1):
    response = page_as(manager).get(reverse("inventory:month-confirm", args=[d1.pk, "2026-10"]))
    assert response.status_code == 302 and response["Location"] == month_url(d1)


def test_the_month_page_shows_figures_days_of_stock_flags_and_our_sales(page_as, rep, manager, stock_dealers, lines):
    # T1 (buys through D1): 0 + 20 − 20 = 0 left with 20 sold: stockout, 0.0 days
    write(rep, stock_dealers["T1"], "2026-10", lines["kitchen"], figures("0", "20", "20"))
    # D1: received 100.00 against our net sales of 0.00: receipt mismatch; 31 sold in 31 days, 61 left: overstock
    write(rep, stock_dealers["D1"], "2026-10", lines["water"], figures("0", "92", "31"))
    body = page_as(manager).get(month_url(stock_dealers["T1"])).content.decode()
    row = body.split('<tr data-line="kitchen">')[1].split("</tr>")[0]
    assert 'data-flag="stockout"' in row and 'data-figure="days">0.0<' in row
    assert 'data-figure="our-sales">—<' in row  # its receipts are not ours
    body = page_as(manager).get(month_url(stock_dealers["D1"])).content.decode()
    row = body.split('<tr data-line="water">')[1].split("</tr>")[0]
    assert 'data-flag="overstock"' in row and 'data-flag="receipt_mismatch"' in row
    assert 'data-figure="days">61.0<' in row and "¥0.00" in row
    assert 'data-testid="month-cards"' in body  # the phone's cards


# --- the stock health list ----------------------------------------------------------------------------------------


@pytest.fixture
def health_world(rep, other_rep, stock_dealers, lines):
    """October: T1 kitchen stockout, D1 water overstock + receipt mismatch, T2 water healthy (20 days), X1 kitchen
    of other_rep healthy; September: T3 kitchen healthy."""
    made = {
        "T1": write(rep, stock_dealers["T1"], "2026-10", lines["kitchen"], figures("0", "20", "20")),
        "D1": write(rep, stock_dealers["D1"], "2026-10", lines["water"], figures("0", "92", "31")),
        "T2": write(rep, stock_dealers["T2"], "2026-10", lines["water"], figures("0", "102", "62")),  # 40 left: 20 days
        "X1": write(other_rep, stock_dealers["X1"], "2026-10", lines["kitchen"], figures("0", "0", "0")),
        "T3-09": write(rep, stock_dealers["T3"], "2026-09", lines["kitchen"], figures("0", "10", "5")),
    }
    return made


def shown(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-report="(\d+)"', response.content.decode())]


def test_the_health_list_shows_the_latest_month_flagged_lines_first(page_as, manager, health_world):
    response = page_as(manager).get(reverse("inventory:health"))
    assert response.status_code == 200
    w = health_world
    # flagged first, then by days of stock, longest first: D1 (61.0 days) before T1 (0.0); T2 (20.0) unflagged last
    assert shown(response) == [w["D1"].pk, w["T1"].pk, w["T2"].pk]
    body = response.content.decode()
    assert 'data-testid="default-period"' in body and 'data-testid="health-cards"' in body
    counts = dict(re.findall(r'data-count="(\w+)"><div class="card-body py-2"><div class="[^"]*">(\d+)<', body))
    assert counts == {"dealers": "2", "overstock": "1", "stockout": "1", "slow_moving": "0", "receipt_mismatch": "1"}


def test_the_health_list_filters(page_as, manager, covered, lines, health_world):
    client = page_as(manager)
    url = reverse("inventory:health")
    w = health_world
    october = {"period": "2026-10"}
    assert shown(client.get(url, {**october, "flag": "stockout"})) == [w["T1"].pk]
    assert shown(client.get(url, {**october, "flag": "any"})) == [w["D1"].pk, w["T1"].pk]
    assert shown(client.get(url, {**october, "product_line": lines["water"].pk})) == [w["D1"].pk, w["T2"].pk]
    assert shown(client.get(url, {**october, "kind": "distributor"})) == [w["D1"].pk]
    assert shown(client.get(url, {**october, "q": "终端T2"})) == [w["T2"].pk]
    assert shown(client.get(url, {**october, "territory": covered["SOUTH"].pk})) == []
    assert shown(client.get(url, {"period": "2026-09"})) == [w["T3-09"].pk]
    # a status and no month (the to-dos' links): every month, the latest first
    assert shown(client.get(url, {"status": "submitted"})) == [w["D1"].pk, w["T1"].pk, w["T2"].pk, w["T3-09"].pk]
    assert client.get(url, {"period": "2026-13"}).status_code == 200  # an error on the field, no rows
    assert shown(client.get(url, {"period": "2026-13"})) == []


def test_the_returned_to_do_link_lists_the_reps_returned_lines(page_as, rep, manager, health_world):
    from inventory.services.reports import report_return

    report_return(actor=manager, report=health_world["T3-09"], reason="数量不对")
    assert shown(page_as(rep).get(reverse("inventory:health"), {"status": "returned"})) == [health_world["T3-09"].pk]


@pytest.mark.parametrize(
    ("who", "keys"),
    [
        ("rep", {"D1", "T1", "T2"}),
        ("other_rep", {"X1"}),
        ("other_manager", {"X1"}),
        ("finance", {"D1", "T1", "T2", "X1"}),
        ("admin", {"D1", "T1", "T2", "X1"}),
        ("rep_peer", set()),
    ],
)
def test_each_role_lists_only_the_stock_it_may_see(page_as, everyone, health_world, who, keys):
    response = page_as(everyone[who]).get(reverse("inventory:health"), {"period": "2026-10"})
    assert set(shown(response)) == {health_world[key].pk for key in keys}


# --- Pareto ---------------------------------------------------------------------------------------------------


@pytest.fixture
def quarter_sales(rep, stock_dealers, lines):
    """Q3 2026 sell-out at 10.00 a unit: T1 60 units (600.00), T2 30 (300.00), T3 10 (100.00) — total 1 000.00."""
    for code, sold in (("T1", "60"), ("T2", "30"), ("T3", "10")):
        write(rep, stock_dealers[code], "2026-08", lines["kitchen"], figures("0", sold, sold))
    return stock_dealers


def test_the_pareto_page_shows_the_terminals_shares_and_the_key_ones(page_as, manager, quarter_sales):
    d1 = quarter_sales["D1"]
    response = page_as(manager).get(reverse("inventory:pareto"), {"distributor": d1.pk, "quarter": "2026-Q3"})
    assert response.status_code == 200
    body = response.content.decode()
    rows = re.findall(r'<tr data-terminal="(\w+)"', body)
    assert rows == ["T1", "T2", "T3"]
    # shares 60 %, 30 %, 10 %; cumulative 60 % < 80 % so T2 joins (90 %): the key ones are T1 and T2
    assert re.findall(r'data-figure="share">([^<]+)<', body) == ["60.00 %", "30.00 %", "10.00 %"]
    assert re.findall(r'data-figure="cumulative">([^<]+)<', body) == ["60.00 %", "90.00 %", "100.00 %"]
    assert 'data-figure="total">¥1,000.00<' in body and 'data-figure="key-count">2 / 3<' in body
    key_rows = re.findall(r'<tr data-terminal="(\w+)" class="table-primary"', body)
    assert key_rows == ["T1", "T2"]
    chart = json.loads(body.split('<script id="pareto-data" type="application/json">')[1].split("</script>")[0])
    assert chart["amounts"] == [600.0, 300.0, 100.0] and chart["cumulative"] == [60.0, 90.0, 100.0]
    assert chart["mark"] == 80.0 and chart["key"] == [True, True, False]
    assert 'data-testid="run-pareto"' in body


def test_the_pareto_page_defaults_to_the_first_distributor(page_as, rep, quarter_sales):
    body = page_as(rep).get(reverse("inventory:pareto"), {"quarter": "2026-Q3"}).content.decode()
    assert re.findall(r'<tr data-terminal="(\w+)"', body) == ["T1", "T2", "T3"]
    assert 'data-testid="run-pareto"' not in body  # reps do not run the pass


def test_the_pareto_page_by_territory(page_as, manager, covered, quarter_sales):
    body = (
        page_as(manager)
        .get(reverse("inventory:pareto"), {"territory": covered["SH"].pk, "quarter": "2026-Q3"})
        .content.decode()
    )
    assert re.findall(r'<tr data-terminal="(\w+)"', body) == ["T1", "T2", "T3"]
    south = page_as(manager).get(reverse("inventory:pareto"), {"territory": covered["SOUTH"].pk, "quarter": "2026-Q3"})
    assert 'data-testid="no-terminals"' in south.content.decode()


def test_the_manager_runs_the_80_20_pass_from_the_page(page_as, manager, quarter_sales):
    T3 = quarter_sales["T3"]
    Dealer.objects.filter(pk=T3.pk).update(is_key_account=True, key_account_pinned=True)
    url = f"{reverse('inventory:pareto')}?distributor={quarter_sales['D1'].pk}"
    response = page_as(manager).post(url, {"quarter": "2026-Q3"})
    assert response["Location"] == url
    assert said(response) == [
        "80/20 pass for 2026-Q3: 3 terminals of 1 distributors; 2 marked key, 0 no longer key, "
        "1 set by hand left as they are."
    ]
    assert set(Dealer.objects.filter(is_key_account=True).values_list("code", flat=True)) == {"T1", "T2", "T3"}


def test_a_rep_may_not_run_the_pass(page_as, rep, quarter_sales):
    assert page_as(rep).post(reverse("inventory:pareto"), {"quarter": "2026-Q3"}).status_code == 403


def test_a_year_is_not_a_quarter_on_the_pareto_page(page_as, manager, quarter_sales):
    body = page_as(manager).get(reverse("inventory:pareto"), {"quarter": "2026"}).content.decode()
    assert "Enter a quarter as YYYY-Qn" in body


# --- coverage -------------------------------------------------------------------------------------------------


@pytest.fixture
def october_terminals(rep, stock_dealers, lines):
    """October: T1 holds kitchen and water; T2 sold its last kitchen (closing 0, sold 5); T3 reported kitchen with
    nothing in stock and nothing sold. Active terminals in SH-PD: 3."""
    write(rep, stock_dealers["T1"], "2026-10", lines["kitchen"], figures("0", "10", "2"))
    write(rep, stock_dealers["T1"], "2026-10", lines["water"], figures("0", "3", "0"))
    write(rep, stock_dealers["T2"], "2026-10", lines["kitchen"], figures("0", "5", "5"))
    write(rep, stock_dealers["T3"], "2026-10", lines["kitchen"], figures("0", "0", "0"))
    return stock_dealers


def coverage_cells(body: str, territory: str) -> dict[str, tuple[str, str]]:
    row = body.split(f'<tr data-territory="{territory}">')[1].split("</tr>")[0]
    return {
        line: (rate, counts)
        for line, rate, counts in re.findall(
            r'data-line="(\w+)"><a href="[^"]*" data-figure="rate">([^<]+)</a><div [^>]*data-figure="counts">([^<]+)<',
            row,
        )
    }


def test_the_coverage_table_by_territory_and_line(page_as, manager, covered, october_terminals):
    response = page_as(manager).get(
        reverse("inventory:coverage"), {"territory": covered["SH-SH"].pk, "period": "2026-10"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    # kitchen: T1 (stock) and T2 (sell-out) of 3 = 66.67 %; water: T1 of 3 = 33.33 %; hvac: none = 0.00 %
    assert coverage_cells(body, "SH-PD") == {
        "hvac": ("0.00 %", "0/3"),
        "kitchen": ("66.67 %", "2/3"),
        "water": ("33.33 %", "1/3"),
    }
    chart = json.loads(body.split('<script id="coverage-chart-data" type="application/json">')[1].split("</script>")[0])
    assert chart["labels"] == ["浦东新区"] and chart["kind"] == "percent"
    assert [dataset["data"] for dataset in chart["datasets"]] == [[0.0], [66.67], [33.33]]


def test_the_coverage_page_starts_from_the_managers_territories(page_as, manager, covered, october_terminals):
    body = page_as(manager).get(reverse("inventory:coverage"), {"period": "2026-10"}).content.decode()
    assert coverage_cells(body, "EAST")["kitchen"] == ("66.67 %", "2/3")


def test_no_active_terminals_reads_as_a_dash(page_as, finance, covered, october_terminals):
    body = page_as(finance).get(reverse("inventory:coverage"), {"territory": covered["SOUTH"].pk, "period": "2026-10"})
    cells = coverage_cells(body.content.decode(), "GD")
    assert cells["kitchen"] == ("—", "0/0")


def test_finance_starts_from_the_top_level(page_as, finance, covered, october_terminals):
    body = page_as(finance).get(reverse("inventory:coverage"), {"period": "2026-10"}).content.decode()
    assert coverage_cells(body, "CN")["kitchen"] == ("66.67 %", "2/3")


def test_another_teams_terminals_count_nowhere_in_coverage(page_as, other_manager, covered, october_terminals):
    body = page_as(other_manager).get(
        reverse("inventory:coverage"), {"territory": covered["SH-SH"].pk, "period": "2026-10"}
    )
    assert coverage_cells(body.content.decode(), "SH-PD")["kitchen"] == ("—", "0/0")


# --- the dealer page's stock tab -------------------------------------------------------------------------------


def test_the_dealer_page_has_the_stock_tab_with_its_chart(page_as, rep, finance, d1, lines):
    write(rep, d1, "2026-09", lines["kitchen"], figures("0", "80", "20"))  # closes at 60 (600.00), sold 200.00
    write(rep, d1, "2026-10", lines["kitchen"], figures("60", "0", "5"))  # closes at 55 (550.00), sold 50.00
    write(rep, d1, "2026-10", lines["water"], figures("0", "10", "0"))  # 10 (100.00), nothing sold
    body = page_as(rep).get(reverse("partners:dealer-detail", args=[d1.pk])).content.decode()
    section = body.split('data-testid="dealer-stock"')[1]
    assert "Stock · 2026-10" in section
    assert re.findall(r'<li class="list-group-item" data-line="(\w+)"', section) == ["kitchen", "water"]
    assert 'data-testid="enter-stock-report"' in section
    assert reverse("inventory:report-form", args=[d1.pk, "2026-11"]) in section  # last month by default
    chart = json.loads(body.split('id="dealer-stock-chart-data" type="application/json">')[1].split("</script>")[0])
    assert chart["labels"] == ["2026-09", "2026-10"]
    assert chart["datasets"][0]["data"] == [200.0, 50.0]  # sell-out
    assert chart["datasets"][1]["data"] == [600.0, 650.0]  # closing stock: 550.00 + 100.00
    assert re.findall(r'data-month="([\d-]+)"', section) == ["2026-10", "2026-09"]
    finance_body = page_as(finance).get(reverse("partners:dealer-detail", args=[d1.pk])).content.decode()
    assert 'data-testid="dealer-stock"' in finance_body and 'data-testid="enter-stock-report"' not in finance_body


def test_a_dealer_without_reports_shows_an_empty_tab_with_the_way_in(page_as, rep, d1):
    body = page_as(rep).get(reverse("partners:dealer-detail", args=[d1.pk])).content.decode()
    section = body.split('data-testid="dealer-stock"')[1]
    assert 'data-testid="no-stock"' in section and 'data-testid="enter-stock-report"' in section
    assert "dealer-stock-chart-data" not in body


# --- dashboards and the menu ----------------------------------------------------------------------------------


def test_the_managers_dashboard_lists_the_flagged_dealers(page_as, manager, health_world):
    body = page_as(manager).get("/").content.decode()
    panel = body.split('data-testid="stock-flagged-panel"')[1]
    assert "Flagged stock, 2026-10" in panel and "2 dealers" in panel
    assert re.findall(r'data-dealer="(\w+)"', panel) == ["D1", "T1"]
    assert month_url(health_world["D1"].dealer) in panel


def test_the_reps_dashboard_lists_the_reports_due_for_last_month(page_as, rep, stock_dealers, lines):
    write(rep, stock_dealers["T2"], "2026-11", lines["kitchen"], figures("0", "1", "0"))
    body = page_as(rep).get("/").content.decode()
    panel = body.split('data-testid="stock-due-panel"')[1]
    assert "Stock reports due for 2026-11" in panel
    assert re.findall(r'data-dealer="(\w+)"', panel) == ["D1", "T1", "T3"]
    assert form_url(stock_dealers["D1"], "2026-11") in panel
    assert 'data-testid="stock-due-count">3<' in panel


@pytest.mark.parametrize(
    ("who", "entries"),
    [
        ("rep", ["inventory:health", "inventory:pareto", "inventory:coverage", "inventory:import"]),
        ("manager", ["inventory:health", "inventory:pareto", "inventory:coverage"]),
        ("finance", ["inventory:health", "inventory:pareto", "inventory:coverage"]),
        ("admin", ["inventory:health", "inventory:pareto", "inventory:coverage", "inventory:import"]),
    ],
)
def test_the_stock_menu_follows_the_role(everyone, who, entries):
    from channelhub.navigation import nav_items

    with translation.override("en"):
        items = [item for item in nav_items(everyone[who], "/") if item["url"].startswith("/stock/")]
        assert [item["url"] for item in items] == [reverse(name) for name in entries]
        assert {str(item["group"]) for item in items} == {"Stock"}
