"""Rebate programs (SPEC §15): ``rebates.services.programs`` and ``/api/v1/rebate-programs/`` — bands that start at
0 %, ascend strictly and have rates of 0–100 % (else a 400 naming the band, nothing written), finance and admins
write, everyone reads, history by the actor, a program in use may change (approved settlements keep their figures,
the next run uses the new terms) but not its frequency once settled, and agreements take only a program in use."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from partners.models import Agreement
from partners.services import agreements as agreement_services
from rebates.models import RebateProgram, RebateSettlement
from rebates.periods import RebatePeriod
from rebates.services import programs as program_services
from rebates.services.compute import compute_many
from rebates.services.runs import settlements_write_drafts
from rebates.services.settlements import settlement_approve, settlement_submit
from tests.partners.world import make_agreement
from tests.rebates.world import make_program, record, sign

PROGRAMS = "/api/v1/rebate-programs/"
D = Decimal
BANDS = [
    {"from_attainment": "0", "rate": "0"},
    {"from_attainment": "80", "rate": "1"},
    {"from_attainment": "100", "rate": "2"},
    {"from_attainment": "120", "rate": "3"},
]


def new_program(**fields) -> dict:
    return {"name": "2027 季度返利", "basis": "sell_in", "frequency": "quarterly", "tiers": BANDS, **fields}


def bands_of(program: RebateProgram) -> list[tuple[str, str]]:
    return [(str(t.from_attainment), str(t.rate)) for t in program.tiers.order_by("from_attainment")]


# --- create ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["finance", "admin"])
def test_finance_and_admins_create_a_program_with_its_bands_and_lines(api_as, everyone, lines, who):
    body = new_program(
        product_lines=["kitchen", "water"], min_collection_rate="70.00", conflict_penalty="10", payout="cash"
    )
    response = api_as(everyone[who]).post(PROGRAMS, body, format="json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["tiers"] == [
        {"from_attainment": "0.00", "rate": "0.00"},
        {"from_attainment": "80.00", "rate": "1.00"},
        {"from_attainment": "100.00", "rate": "2.00"},
        {"from_attainment": "120.00", "rate": "3.00"},
    ]
    assert sorted(created["product_lines"]) == ["kitchen", "water"]
    assert (created["min_collection_rate"], created["conflict_penalty"], created["payout"]) == (
        "70.00",
        "10.00",
        "cash",
    )
    assert (created["frequency"], created["is_active"]) == ("quarterly", True)
    program = RebateProgram.objects.get(pk=created["id"])
    # the program, then its lines (simple-history records an m2m change on its own), each by the actor with the bands
    history = list(program.history.order_by("history_id"))
    assert [(h.history_type, h.history_user) for h in history] == [("+", everyone[who]), ("~", everyone[who])]
    assert {h.history_change_reason for h in history} == {"0%→0% 80%→1% 100%→2% 120%→3%"}
    assert sorted(line.productline.code for line in history[-1].product_lines.all()) == ["kitchen", "water"]


@pytest.mark.parametrize("who", ["rep", "manager", "other_manager"])
def test_other_roles_may_not_create_or_change_a_program_403_whatever_the_body(api_as, everyone, program, who):
    client = api_as(everyone[who])
    assert client.post(PROGRAMS, new_program(), format="json").status_code == 403
    assert client.post(PROGRAMS, {"tiers": "nonsense"}, format="json").status_code == 403
    assert client.patch(f"{PROGRAMS}{program.pk}/", {"name": "改名"}, format="json").status_code == 403
    assert list(RebateProgram.objects.values_list("name", flat=True)) == ["Tiered 2026"]


@pytest.mark.parametrize(
    ("tiers", "problem"),
    [
        # a gap at the bottom: attainments below 80 % would fall in no band
        (BANDS[1:], "Band 1 starts at 80 %: the first band must start at 0 %"),
        (
            [BANDS[0], BANDS[1], {"from_attainment": "80", "rate": "2"}],
            "Band 3 starts at 80 % like band 2: each band starts at its own attainment.",
        ),
        (
            [BANDS[0], BANDS[2], BANDS[1]],
            "Band 3 starts at 80 %, below band 2 (100 %): list the bands from the lowest attainment up.",
        ),
        ([BANDS[0], {"from_attainment": "-5", "rate": "1"}], "Band 2 starts below 0 % (-5 %)."),
        ([BANDS[0], {"from_attainment": "80", "rate": "101"}], "Band 2: the rate must be between 0 and 100 %."),
        ([], "Give at least one band, starting at 0 %."),
    ],
)
def test_bad_bands_are_a_400_naming_the_band_and_nothing_is_written(api_as, finance, tiers, problem):
    response = api_as(finance).post(PROGRAMS, new_program(tiers=tiers), format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert list(response.json()) == ["tiers"]
    assert any(message.startswith(problem) for message in response.json()["tiers"]), response.json()
    assert not RebateProgram.objects.exists()


def test_every_band_problem_is_told_at_once(finance):
    tiers = [{"from_attainment": "10", "rate": "1"}, {"from_attainment": "5", "rate": "120"}]
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        program_services.program_create(actor=finance, name="多处错误", tiers=tiers)
    assert refused.value.message_dict == {
        "tiers": [
            "Band 2: the rate must be between 0 and 100 %.",
            "Band 1 starts at 10 %: the first band must start at 0 %, or attainments below it earn nothing.",
        ]
    }


def test_a_program_needs_its_bands_a_free_name_and_known_lines(api_as, finance, program):
    client = api_as(finance)
    missing = client.post(PROGRAMS, {"name": "无档位"}, format="json")
    assert missing.status_code == 400 and list(missing.json()) == ["tiers"]
    # a figure left out or malformed: the field's own error, under the band's index
    no_rate = client.post(PROGRAMS, new_program(tiers=[BANDS[0], {"from_attainment": "80"}]), format="json")
    assert no_rate.status_code == 400 and list(no_rate.json()["tiers"]) == ["1"]
    taken = client.post(PROGRAMS, new_program(name="Tiered 2026"), format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert taken.status_code == 400 and taken.json() == {"name": ["A rebate program named Tiered 2026 already exists."]}
    unknown = client.post(PROGRAMS, new_program(product_lines=["nope"]), format="json")
    assert unknown.status_code == 400 and list(unknown.json()) == ["product_lines"]
    gate = client.post(PROGRAMS, new_program(min_collection_rate="120"), format="json")
    assert gate.status_code == 400 and list(gate.json()) == ["min_collection_rate"]
    assert RebateProgram.objects.count() == 1


def test_the_service_refuses_a_role_that_may_not_manage_programs(manager):
    with pytest.raises(PermissionDenied):
        program_services.program_create(actor=manager, name="经理的", tiers=BANDS)


# --- read ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["rep", "rep_peer", "other_rep", "manager", "other_manager", "finance", "admin"])
def test_everyone_reads_the_programs(api_as, everyone, program, who):
    client = api_as(everyone[who])
    (row,) = client.get(PROGRAMS).json()["results"]
    assert (row["id"], row["name"], len(row["tiers"]), row["product_lines"]) == (program.pk, "Tiered 2026", 4, [])
    assert client.get(f"{PROGRAMS}{program.pk}/").json()["conflict_penalty"] == "10.00"


def test_programs_filter_by_name_frequency_activity_and_product_line(api_as, rep, lines, program):
    kitchen = make_program("厨电年度", frequency="annual", lines=[lines["kitchen"]])
    make_program("净水停用", lines=[lines["water"]], is_active=False)
    client = api_as(rep)

    def names(**query):
        return sorted(row["name"] for row in client.get(PROGRAMS, query).json()["results"])

    assert names(name="厨电") == ["厨电年度"]
    assert names(frequency="annual") == [kitchen.name]
    assert names(is_active="false") == ["净水停用"]
    # the programs that pay on kitchen sales: the one naming it and the one for every line
    assert names(product_line="kitchen") == ["Tiered 2026", "厨电年度"]
    assert names(product_line="water") == ["Tiered 2026", "净水停用"]


def test_the_program_list_takes_the_same_queries_for_one_or_five_programs(
    api_as, rep, lines, program, django_assert_num_queries
):
    client = api_as(rep)
    client.get(PROGRAMS)
    # session, user, roles, count, the programs, their bands, their product lines
    with django_assert_num_queries(7):
        client.get(PROGRAMS)
    for number in range(4):
        make_program(f"方案{number}", lines=[lines["kitchen"], lines["water"]])
    with django_assert_num_queries(7):
        assert client.get(PROGRAMS).json()["count"] == 5


# --- update ----------------------------------------------------------------------------------------------------


def test_a_patch_changes_what_it_names_and_keeps_the_rest(api_as, finance, lines, program):
    client = api_as(finance)
    program.product_lines.set([lines["kitchen"]])
    body = client.patch(f"{PROGRAMS}{program.pk}/", {"conflict_penalty": "5.00"}, format="json").json()
    assert (body["conflict_penalty"], len(body["tiers"]), body["product_lines"]) == ("5.00", 4, ["kitchen"])
    body = client.patch(f"{PROGRAMS}{program.pk}/", {"tiers": BANDS[:2], "product_lines": []}, format="json").json()
    assert (body["tiers"], body["product_lines"]) == (
        [{"from_attainment": "0.00", "rate": "0.00"}, {"from_attainment": "80.00", "rate": "1.00"}],
        [],
    )
    bad = client.patch(f"{PROGRAMS}{program.pk}/", {"tiers": BANDS[1:]}, format="json")
    assert bad.status_code == 400 and list(bad.json()) == ["tiers"]
    assert bands_of(program) == [("0.00", "0.00"), ("80.00", "1.00")]
    reasons = list(program.history.order_by("history_id").values_list("history_change_reason", "history_user"))
    assert ("0%→0% 80%→1% 100%→2% 120%→3%", finance.pk) in reasons  # the penalty's change
    assert reasons[-1] == ("0%→0% 80%→1%", finance.pk)  # the bands' change (the refused one wrote nothing)


def test_a_program_with_approved_settlements_may_change_and_the_next_run_uses_it(
    dealers, covered, lines, manager, finance, program
):
    """Q3 approved at 2 % stays as it was; Q4, computed after the bands changed, pays the new 5 %."""
    f1 = dealers["F1"]
    sign(manager, finance, f1, covered["SH-PD"], [lines["kitchen"]], program)
    record(finance, "sales", f1, date(2026, 8, 10), "1040000.00", category="kitchen")
    record(finance, "sales", f1, date(2026, 11, 10), "1040000.00", category="kitchen")
    for period in ("2026-Q3", "2026-Q4"):
        with transaction.atomic():
            computations = compute_many([f1.pk], RebatePeriod.parse(period))
            settlements_write_drafts(run=None, period=period, computations=computations)
    q3 = RebateSettlement.objects.get(period="2026-Q3")
    settlement_submit(actor=manager, settlement=q3)
    settlement_approve(actor=finance, settlement=q3)

    new_bands = [{"from_attainment": "0", "rate": "0"}, {"from_attainment": "100", "rate": "5"}]
    program_services.program_update(actor=finance, program=program, name="Tiered 2026 (rev.)", tiers=new_bands)

    q3.refresh_from_db()
    assert (q3.status, q3.rate, q3.net_amount) == ("approved", D("2.00"), D("20800.00"))
    (q4,) = compute_many([f1.pk], RebatePeriod.parse("2026-Q4"))
    assert (q4.rate, q4.gross_amount) == (D("5.00"), D("52000.00"))  # 1 040 000.00 × 5 %
    assert RebateSettlement.objects.get(pk=q3.pk).program.name == "Tiered 2026 (rev.)"


def test_the_frequency_is_fixed_once_the_program_has_settlements(api_as, finance, dealers, program):
    client = api_as(finance)
    assert client.patch(f"{PROGRAMS}{program.pk}/", {"frequency": "annual"}, format="json").status_code == 200
    assert client.patch(f"{PROGRAMS}{program.pk}/", {"frequency": "quarterly"}, format="json").status_code == 200
    RebateSettlement.objects.create(dealer=dealers["F1"], program=program, period="2026-Q2", status="paid")
    refused = client.patch(
        f"{PROGRAMS}{program.pk}/", {"frequency": "annual"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert refused.status_code == 400 and list(refused.json()) == ["frequency"]
    assert "2026-Q2" in refused.json()["frequency"][0]
    program.refresh_from_db()
    assert program.frequency == "quarterly"
    # everything else may still change, the frequency given unchanged too
    renamed = client.patch(f"{PROGRAMS}{program.pk}/", {"name": "旧方案", "frequency": "quarterly"}, format="json")
    assert renamed.status_code == 200


def test_programs_are_never_deleted_through_the_api(api_as, admin_user, program):
    assert api_as(admin_user).delete(f"{PROGRAMS}{program.pk}/").status_code == 405


# --- agreements name a program in use -------------------------------------------------------------------------


def agreement_body(dealer, program_id) -> dict:
    return {
        "dealer": dealer.pk,
        "kind": "annual_distribution",
        "start_date": "2027-01-01",
        "end_date": "2027-12-31",
        "territory": dealer.territory_id,
        "exclusive": False,
        "product_lines": ["kitchen"],
        "annual_sales_target": "4000000.00",
        "rebate_program": program_id,
    }


def test_an_agreement_names_its_program_through_the_api(api_as, manager, dealers, lines, program):
    client = api_as(manager)
    created = client.post("/api/v1/agreements/", agreement_body(dealers["F1"], program.pk), format="json")
    assert created.status_code == 201, created.json()
    assert (created.json()["rebate_program"], created.json()["rebate_program_name"]) == (program.pk, "Tiered 2026")
    other = make_program("另一方案")
    changed = client.patch(f"/api/v1/agreements/{created.json()['id']}/", {"rebate_program": other.pk}, format="json")
    assert changed.json()["rebate_program"] == other.pk
    cleared = client.patch(f"/api/v1/agreements/{created.json()['id']}/", {"rebate_program": None}, format="json")
    assert cleared.json()["rebate_program"] is None


def test_a_program_out_of_use_is_refused_for_a_new_agreement(api_as, manager, dealers, lines, program, finance):
    program_services.program_update(actor=finance, program=program, is_active=False)
    response = api_as(manager).post(
        "/api/v1/agreements/", agreement_body(dealers["F1"], program.pk), format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert response.json() == {"rebate_program": ["The rebate program “Tiered 2026” is out of use; choose one in use."]}
    assert not Agreement.objects.exists()


def test_an_agreement_that_names_a_program_taken_out_of_use_keeps_it(
    manager, finance, dealers, covered, lines, program
):
    draft = make_agreement(
        manager,
        dealers["F1"],
        covered["SH-PD"],
        [lines["kitchen"]],
        date(2027, 1, 1),
        date(2027, 12, 31),
        exclusive=False,
        rebate_program=program,
    )
    program_services.program_update(actor=finance, program=program, is_active=False)
    agreement_services.agreement_update(actor=manager, agreement=draft, annual_sales_target=D("100.00"))
    draft.refresh_from_db()
    assert (draft.rebate_program, draft.annual_sales_target) == (program, D("100.00"))
    other = make_program("停用的另一个", is_active=False)
    with pytest.raises(ValidationError) as refused:
        agreement_services.agreement_update(actor=manager, agreement=draft, rebate_program=other)
    assert list(refused.value.message_dict) == ["rebate_program"]


def test_a_renewal_does_not_carry_a_program_out_of_use(manager, finance, dealers, covered, lines, program):
    signed = sign(manager, finance, dealers["F1"], covered["SH-PD"], [lines["kitchen"]], program)
    assert agreement_services.agreement_renew(actor=manager, agreement=signed).rebate_program == program
    Agreement.objects.filter(previous=signed).delete()
    program_services.program_update(actor=finance, program=program, is_active=False)
    renewal = agreement_services.agreement_renew(actor=manager, agreement=signed)
    assert renewal.rebate_program is None and renewal.status == "draft"


def test_the_agreement_form_offers_the_programs_in_use_and_the_one_named(
    client_as, manager, finance, dealers, covered, lines, program
):
    retired = make_program("已停用", is_active=False)
    create = reverse("partners:agreement-create", args=[dealers["F1"].pk])
    choices = client_as(manager).get(create).context["form"].fields["rebate_program"].queryset
    assert list(choices) == [program]
    draft = make_agreement(
        manager,
        dealers["F1"],
        covered["SH-PD"],
        [lines["kitchen"]],
        date(2027, 1, 1),
        date(2027, 12, 31),
        exclusive=False,
        rebate_program=program,
    )
    program_services.program_update(actor=finance, program=program, is_active=False)
    edit = reverse("partners:agreement-edit", args=[draft.pk])
    assert list(client_as(manager).get(edit).context["form"].fields["rebate_program"].queryset) == [program]
    assert retired not in client_as(manager).get(create).context["form"].fields["rebate_program"].queryset
