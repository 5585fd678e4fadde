"""The rebates admin (SPEC §7, §15): programs with their bands inline and product lines, saved through the program
service (the API's band rules; rows of the inline sorted by their edge), a frequency that may no longer change, no
deletion of a program in use; runs, settlements (their lines inline, their history) and accruals read only, the
settlement list filtered, searched by dealer and read in a fixed number of queries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from rebates.models import RebateAccrual, RebateLine, RebateProgram, RebateRun, RebateSettlement
from tests.rebates.world import make_program, sign

D = Decimal
ADD = reverse("admin:rebates_rebateprogram_add")


def program_post(
    name="2027 季度返利", bands=(("0", "0"), ("80", "1"), ("100", "2")), initial=(), program_id="", **fields
) -> dict:
    """The admin form's data; ``initial``: the IDs of ``program_id``'s bands shown already (the first rows)."""
    data = {
        "name": name,
        "is_active": "on",
        "basis": "sell_in",
        "frequency": "quarterly",
        "min_collection_rate": "",
        "conflict_penalty": "10",
        "payout": "credit_note",
        "tiers-TOTAL_FORMS": str(len(bands)),
        "tiers-INITIAL_FORMS": str(len(initial)),
        "tiers-MIN_NUM_FORMS": "0",
        "tiers-MAX_NUM_FORMS": "1000",
        **fields,
    }
    for n, (edge, rate) in enumerate(bands):
        data.update({f"tiers-{n}-from_attainment": edge, f"tiers-{n}-rate": rate})
        if n < len(initial):
            data.update({f"tiers-{n}-id": initial[n], f"tiers-{n}-program": program_id})
    return data


def bands_of(program: RebateProgram) -> list[tuple[Decimal, Decimal]]:
    return list(program.tiers.order_by("from_attainment").values_list("from_attainment", "rate"))


@pytest.fixture
def admin_client(client_as, admin_user):
    client = client_as(admin_user)
    client.cookies["django_language"] = "en"
    return client


# --- programs ----------------------------------------------------------------------------------------------


def test_a_program_is_added_with_its_bands_and_lines(admin_client, admin_user, lines):
    response = admin_client.post(ADD, program_post(product_lines=[lines["kitchen"].pk, lines["water"].pk]))
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    program = RebateProgram.objects.get(name="2027 季度返利")
    assert bands_of(program) == [(D("0.00"), D("0.00")), (D("80.00"), D("1.00")), (D("100.00"), D("2.00"))]
    assert sorted(program.product_lines.values_list("code", flat=True)) == ["kitchen", "water"]
    assert program.conflict_penalty == D("10.00")
    latest = program.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (admin_user, "0%→0% 80%→1% 100%→2%")


def test_the_rows_of_the_inline_are_checked_in_the_order_of_their_edges(admin_client):
    response = admin_client.post(ADD, program_post(bands=(("100", "2"), ("0", "0"), ("80", "1"))))
    assert response.status_code == 302
    assert bands_of(RebateProgram.objects.get()) == [(D("0"), D("0")), (D("80"), D("1")), (D("100"), D("2"))]


@pytest.mark.parametrize(
    ("bands", "message"),
    [
        ((("80", "1"), ("100", "2")), "Band 1 starts at 80 %: the first band must start at 0 %"),
        ((("0", "0"), ("80", "1"), ("80", "2")), "Band 3 starts at 80 % like band 2"),
        ((), "Give at least one band, starting at 0 %."),
    ],
)
def test_bad_bands_are_refused_on_the_form_and_nothing_is_saved(admin_client, bands, message):
    response = admin_client.post(ADD, program_post(bands=bands))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not RebateProgram.objects.exists()


def test_a_rate_above_100_is_refused_on_its_row(admin_client):
    response = admin_client.post(ADD, program_post(bands=(("0", "0"), ("80", "120"))))
    assert response.status_code == 200 and not RebateProgram.objects.exists()


def test_changing_a_program_replaces_its_bands(admin_client, program):
    tiers = list(program.tiers.order_by("from_attainment").values_list("pk", flat=True))
    data = program_post(
        name=program.name,
        bands=(("0", "0"), ("80", "1"), ("100", "2.5"), ("120", "3")),
        initial=tiers,
        program_id=program.pk,
    )
    response = admin_client.post(reverse("admin:rebates_rebateprogram_change", args=[program.pk]), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert bands_of(program)[2] == (D("100.00"), D("2.50"))
    assert program.history.latest().history_change_reason == "0%→0% 80%→1% 100%→2.5% 120%→3%"


def test_a_settled_program_keeps_its_frequency_on_the_form(admin_client, program, dealers):
    RebateSettlement.objects.create(dealer=dealers["F1"], program=program, period="2026-Q2", status="paid")
    tiers = list(program.tiers.order_by("from_attainment").values_list("pk", flat=True))
    bands = [(str(a), str(r)) for a, r in bands_of(program)]
    data = program_post(name=program.name, bands=bands, initial=tiers, program_id=program.pk, frequency="annual")
    response = admin_client.post(reverse("admin:rebates_rebateprogram_change", args=[program.pk]), data)
    assert response.status_code == 200 and "2026-Q2" in response.content.decode()
    program.refresh_from_db()
    assert program.frequency == "quarterly"


def test_a_program_that_agreements_name_cannot_be_deleted(
    admin_client, program, manager, finance, dealers, covered, lines
):
    unused = make_program("未使用")
    assert admin_client.get(reverse("admin:rebates_rebateprogram_delete", args=[unused.pk])).status_code == 200
    sign(manager, finance, dealers["F1"], covered["SH-PD"], [lines["kitchen"]], program)
    assert admin_client.get(reverse("admin:rebates_rebateprogram_delete", args=[program.pk])).status_code == 403


def test_the_program_list_shows_the_bands(admin_client, program):
    body = admin_client.get(reverse("admin:rebates_rebateprogram_changelist")).content.decode()
    assert "0%→0% 80%→1% 100%→2% 120%→3%" in body


# --- runs, settlements and accruals: read only ---------------------------------------------------------------


@pytest.fixture
def settled(program, dealers, finance, manager):
    run = RebateRun.objects.create(period="2026-Q3", started_by=finance, status="done", total=4, done=4)
    made = {}
    for code, net in (("F1", "20800.00"), ("F2", "0.00"), ("P1", "8500.00"), ("O1", "39000.00")):
        settlement = RebateSettlement.objects.create(
            dealer=dealers[code],
            program=program,
            period="2026-Q3",
            run=run,
            status="submitted",
            net_amount=D(net),
            gross_amount=D(net),
            submitted_by=manager,
        )
        RebateLine.objects.create(
            settlement=settlement,
            position=1,
            step="gross",
            inputs={"basis": "1040000.00", "rate": "2.00"},
            amount=D(net),
        )
        made[code] = settlement
    RebateAccrual.objects.create(
        dealer=dealers["F1"], program=program, month="2026-11", period="2026-Q4", amount=D("1.00")
    )
    return {"run": run, **made}


def test_settlements_are_read_only_with_their_lines_explained(admin_client, settled):
    f1 = settled["F1"]
    assert admin_client.get(reverse("admin:rebates_rebatesettlement_add")).status_code == 403
    assert admin_client.get(reverse("admin:rebates_rebatesettlement_delete", args=[f1.pk])).status_code == 403
    page = admin_client.get(reverse("admin:rebates_rebatesettlement_change", args=[f1.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "The whole basis ¥1,040,000.00 at 2.00 % = ¥20,800.00" in body
    assert 'name="net_amount"' not in body  # nothing to change
    assert admin_client.post(reverse("admin:rebates_rebatesettlement_change", args=[f1.pk]), {}).status_code == 403
    assert admin_client.get(reverse("admin:rebates_rebatesettlement_history", args=[f1.pk])).status_code == 200


def test_the_settlement_list_filters_and_searches_by_dealer(admin_client, settled):
    changelist = reverse("admin:rebates_rebatesettlement_changelist")

    def rows(**query):
        return sorted(s.dealer.code for s in admin_client.get(changelist, query).context["cl"].result_list)

    assert rows() == ["F1", "F2", "O1", "P1"]
    assert rows(q="F1") == ["F1"]
    assert rows(q="南京") == ["P1"]
    assert rows(period="2026-Q3", status="submitted") == ["F1", "F2", "O1", "P1"]
    assert rows(status="paid") == []


def test_the_settlement_list_takes_a_fixed_number_of_queries(
    admin_client, settled, program, dealers, django_assert_max_num_queries
):
    changelist = reverse("admin:rebates_rebatesettlement_changelist")
    admin_client.get(changelist)
    with django_assert_max_num_queries(14) as few:
        admin_client.get(changelist)
    for period in ("2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"):
        for dealer in dealers.values():
            RebateSettlement.objects.create(dealer=dealer, program=program, period=period)
    with django_assert_max_num_queries(len(few)):
        admin_client.get(changelist)


def test_runs_and_accruals_are_read_only(admin_client, settled):
    run = settled["run"]
    assert admin_client.get(reverse("admin:rebates_rebaterun_change", args=[run.pk])).status_code == 200
    assert admin_client.get(reverse("admin:rebates_rebaterun_add")).status_code == 403
    assert admin_client.get(reverse("admin:rebates_rebaterun_changelist")).status_code == 200
    accrual = RebateAccrual.objects.get()
    assert admin_client.get(reverse("admin:rebates_rebateaccrual_change", args=[accrual.pk])).status_code == 200
    assert admin_client.get(reverse("admin:rebates_rebateaccrual_changelist"), {"q": "F1"}).status_code == 200
    assert admin_client.get(reverse("admin:rebates_rebateaccrual_add")).status_code == 403


@pytest.mark.parametrize("who", ["rep", "manager", "finance"])
def test_the_rebates_admin_is_for_administrators_only(client_as, everyone, program, who):
    response = client_as(everyone[who]).get(reverse("admin:rebates_rebateprogram_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
