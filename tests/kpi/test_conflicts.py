"""Channel conflicts (窜货, SPEC §5): a sale shipped outside every territory (subtree) of the dealer's
signed agreements in force on its date is flagged; the managers covering the dealer hear of it once
per batch; the conflicts page lists flagged sales at the dealers a user may see.

    CN ─ EAST ─ SH ─ SH-SH ─ SH-PD          manager covers EAST (A1…A9 in SH-PD, P1 in JS-NJ)
       │      └ JS ─ JS-NJ
       └ SOUTH ─ GD ─ GD-GZ                  other_manager covers SOUTH (O1 in GD-GZ)
"""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation

from channelhub.notifications.models import Notification
from kpi.models import SalesRecord
from kpi.services.conflicts import conflict_key, is_channel_conflict
from partners.services import agreements as agreement_services
from tests.kpi.facts_world import draft_agreement, record, sale, signed_agreement

YEAR = (date(2026, 1, 1), date(2026, 12, 31))

#: The channel-conflict notifications (the world's qualification reviews notify finance too).
CONFLICT_NOTES = Notification.objects.filter(kind="conflicts.flagged")


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"  # notifications speak the deployment's language
    with translation.override("en"):
        yield


@pytest.fixture
def sh_agreement(d, covered, manager, finance, lines):
    """A1's signed agreement over SH (Shanghai and everything below it) for 2026."""
    return signed_agreement(d["A1"], covered["SH"], *YEAR, manager=manager, finance=finance, lines=[lines["kitchen"]])


def flags(finance, *items) -> dict[str, bool]:
    record(finance, "sales", *items)
    return dict(SalesRecord.objects.order_by("reference").values_list("reference", "channel_conflict"))


# --- the rule --------------------------------------------------------------------------------------


def test_is_channel_conflict_compares_paths_and_dates():
    agreements = [(date(2026, 1, 1), date(2026, 6, 30), "/CN/EAST/SH/")]
    assert not is_channel_conflict("/CN/EAST/SH/", date(2026, 3, 1), agreements)  # the territory itself
    assert not is_channel_conflict("/CN/EAST/SH/SH-SH/SH-PD/", date(2026, 6, 30), agreements)  # below, last day
    assert is_channel_conflict("/CN/EAST/", date(2026, 3, 1), agreements)  # above: the parent is wider
    assert is_channel_conflict("/CN/EAST/SHX/", date(2026, 3, 1), agreements)  # a code sharing the prefix text
    assert is_channel_conflict("/CN/EAST/SH/", date(2026, 7, 1), agreements)  # after the end
    assert is_channel_conflict("/CN/EAST/SH/", date(2026, 3, 1), [])  # no agreement at all


def test_a_sale_shipped_inside_the_agreement_territory_subtree_is_not_flagged(finance, sh_agreement, covered):
    assert flags(
        finance,
        sale(reference="IN-1", ship_to="SH-PD"),  # below SH
        sale(reference="IN-2", ship_to="SH"),  # SH itself
        sale(reference="IN-3"),  # empty ship-to: the dealer's own territory, SH-PD
    ) == {"IN-1": False, "IN-2": False, "IN-3": False}


def test_a_sale_shipped_to_a_sibling_or_a_wider_territory_is_flagged(finance, sh_agreement, covered):
    assert flags(
        finance,
        sale(reference="OUT-1", ship_to="JS"),  # sibling province
        sale(reference="OUT-2", ship_to="JS-NJ"),  # below the sibling
        sale(reference="OUT-3", ship_to="EAST"),  # the region above SH: wider than the agreement
        sale(reference="OUT-4", ship_to="GD-GZ"),
    ) == {"OUT-1": True, "OUT-2": True, "OUT-3": True, "OUT-4": True}


def test_agreements_not_signed_do_not_count(finance, d, covered, manager, lines):
    draft = draft_agreement(d["A2"], covered["SH"], *YEAR, manager=manager, lines=[lines["water"]])
    pending = draft_agreement(d["A3"], covered["SH"], *YEAR, manager=manager, lines=[lines["water"]])
    agreement_services.agreement_submit(actor=manager, agreement=pending)
    assert (draft.status, pending.status) == ("draft", "pending_approval")
    assert flags(finance, sale(reference="D-1", dealer_code="A2"), sale(reference="D-2", dealer_code="A3")) == {
        "D-1": True,
        "D-2": True,
    }


def test_a_terminated_agreement_does_not_count(finance, sh_agreement, manager):
    agreement_services.agreement_terminate(actor=manager, agreement=sh_agreement, comment="")
    assert flags(finance, sale(reference="T-1")) == {"T-1": True}


def test_the_agreement_must_cover_the_sale_date(finance, d, covered, manager, lines):
    signed_agreement(
        d["A4"],
        covered["SH"],
        date(2026, 10, 10),
        date(2026, 10, 20),
        manager=manager,
        finance=finance,
        lines=[lines["hvac"]],
    )
    assert flags(
        finance,
        sale(reference="C-09", dealer_code="A4", date="2026-10-09"),
        sale(reference="C-10", dealer_code="A4", date="2026-10-10"),
        sale(reference="C-20", dealer_code="A4", date="2026-10-20"),
        sale(reference="C-21", dealer_code="A4", date="2026-10-21"),
    ) == {"C-09": True, "C-10": False, "C-20": False, "C-21": True}


def test_a_dealer_without_any_signed_agreement_has_every_sale_flagged(finance, d):
    assert flags(finance, sale(reference="N-1", dealer_code="A5")) == {"N-1": True}


def test_any_one_agreement_in_force_is_enough(finance, d, covered, manager, lines, sh_agreement):
    signed_agreement(d["A1"], covered["JS"], *YEAR, manager=manager, finance=finance, lines=[lines["water"]])
    assert flags(finance, sale(reference="M-1", ship_to="JS-NJ"), sale(reference="M-2", ship_to="GD")) == {
        "M-1": False,
        "M-2": True,
    }


def test_a_credit_note_is_flagged_like_the_sale_it_corrects(finance, sh_agreement):
    assert flags(finance, sale(reference="CN-1", ship_to="JS", amount="-50")) == {"CN-1": True}


def test_a_dry_run_computes_the_flags_without_saving(finance, sh_agreement):
    batch = record(finance, "sales", sale(reference="P-1", ship_to="JS"), sale(reference="P-2"), dry_run=True)
    assert [fact.channel_conflict for _index, fact in batch.new] == [True, False]
    assert batch.conflicts == 1
    assert SalesRecord.objects.count() == 0 and not CONFLICT_NOTES.exists()


# --- notification ----------------------------------------------------------------------------------


def test_the_managers_covering_the_dealers_get_one_notification_per_batch(
    finance, d, manager, other_manager, rep, sh_agreement
):
    record(
        finance,
        "sales",
        sale(reference="F-1", ship_to="JS"),  # A1, flagged → manager (EAST)
        sale(reference="F-2", dealer_code="P1"),  # no agreement → manager
        sale(reference="F-3", dealer_code="O1", amount="88.50"),  # no agreement → other_manager (SOUTH)
        sale(reference="F-4"),  # inside: not flagged
    )
    mine = CONFLICT_NOTES.get(recipient=manager)
    assert mine.title_text == "2 sales flagged as channel conflicts"
    assert mine.body_text.splitlines() == [
        "2026-10-01 · 浦东经销商1 (A1) · shipped to 江苏 · ¥1,000.00 · F-1",
        "2026-10-01 · 南京经销商 (P1) · shipped to 南京 · ¥1,000.00 · F-2",
    ]
    assert mine.url == reverse("kpi:conflicts")
    theirs = CONFLICT_NOTES.get(recipient=other_manager)
    assert theirs.title_text == "1 sale flagged as a channel conflict"
    assert "广州经销商 (O1)" in theirs.body_text and "88.50" in theirs.body_text
    assert mine.key == theirs.key == conflict_key(SalesRecord.objects.filter(channel_conflict=True))
    assert not CONFLICT_NOTES.filter(recipient__in=[rep, finance]).exists()
    # The next batch is another notification; a batch without flagged sales sends none.
    record(finance, "sales", sale(reference="F-5", ship_to="GD"))
    record(finance, "sales", sale(reference="F-6"))
    assert CONFLICT_NOTES.filter(recipient=manager).count() == 2


def test_the_notification_is_idempotent_per_batch(finance, d, manager):
    from kpi.services.conflicts import conflicts_notify

    record(finance, "sales", sale(reference="G-1"))
    flagged = list(SalesRecord.objects.select_related("dealer__territory", "ship_to_territory"))
    assert conflicts_notify(flagged) == 0  # already sent for this batch
    assert CONFLICT_NOTES.filter(recipient=manager).count() == 1


def test_an_inactive_manager_is_not_notified(finance, d, manager):
    manager.is_active = False
    manager.save()
    record(finance, "sales", sale(reference="H-1"))
    assert Notification.objects.count() == 0


# --- the conflicts page ----------------------------------------------------------------------------


@pytest.fixture
def flagged(finance, d, sh_agreement):
    record(
        finance,
        "sales",
        sale(reference="K-A1", ship_to="JS-NJ", date="2026-10-02"),  # A1 (rep), agreement SH
        sale(reference="K-A1-ok", date="2026-10-02"),  # not flagged
        sale(reference="K-P1", dealer_code="P1", date="2026-10-03"),  # rep_peer's dealer, EAST
        sale(reference="K-O1", dealer_code="O1", date="2026-10-04"),  # other_rep's dealer, SOUTH
        sale(reference="K-O1-by-rep", dealer_code="O1", rep_username="rep_a1", date="2026-10-05"),  # attributed to rep
    )


def _references(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [sale.reference for sale in response.context["page_obj"].object_list]


@pytest.mark.parametrize(
    ("who", "references"),
    [
        # dealers in EAST, whoever the rep
        ("manager", ["K-P1", "K-A1"]),
        ("other_manager", ["K-O1-by-rep", "K-O1"]),
        ("finance", ["K-O1-by-rep", "K-O1", "K-P1", "K-A1"]),
        ("admin", ["K-O1-by-rep", "K-O1", "K-P1", "K-A1"]),
        # own sales at own dealers only
        ("rep", ["K-A1"]),
        ("rep_peer", ["K-P1"]),
        ("other_rep", ["K-O1"]),
    ],
)
def test_conflicts_page_lists_flagged_sales_at_the_dealers_in_scope(page_as, everyone, flagged, who, references):
    assert _references(page_as(everyone[who]).get(reverse("kpi:conflicts"))) == references


def test_conflicts_page_shows_dealer_ship_to_agreement_territories_amount_and_date(page_as, manager, flagged):
    body = page_as(manager).get(reverse("kpi:conflicts")).content.decode()
    row = body[body.index('data-reference="K-A1"') :]
    row = row[: row.index("</tr>")]
    assert "浦东经销商1" in row and "南京" in row and "上海" in row and "2026-10-02" in row and "1,000.00" in row
    row = body[body.index('data-reference="K-P1"') :]
    assert "none in force" in row[: row.index("</tr>")]


def test_conflicts_page_filters_by_dealer_and_dates(page_as, finance, flagged, d):
    client = page_as(finance)
    assert _references(client.get(reverse("kpi:conflicts"), {"dealer": d["O1"].pk})) == ["K-O1-by-rep", "K-O1"]
    assert _references(client.get(reverse("kpi:conflicts"), {"date_from": "2026-10-03", "date_to": "2026-10-04"})) == [
        "K-O1",
        "K-P1",
    ]


def test_conflicts_page_query_count_does_not_grow(page_as, finance, d, sh_agreement, django_assert_max_num_queries):
    """session, user, roles, unread notifications, count, totals, the page with dealer, territory, rep,
    ship-to and category joined, the agreements of the page's dealers and their territories' names."""
    codes = ["A1", "A2", "P1", "O1"]

    def flagged_sales(start, count):
        record(
            finance,
            "sales",
            *[sale(reference=f"Z-{n}", dealer_code=codes[n % 4], ship_to="GD-GZ") for n in range(start, start + count)],
        )

    flagged_sales(0, 3)
    client = page_as(finance)
    with django_assert_max_num_queries(12) as at_three:
        assert client.get(reverse("kpi:conflicts")).status_code == 200
    flagged_sales(3, 27)
    with django_assert_max_num_queries(len(at_three.captured_queries)):
        response = client.get(reverse("kpi:conflicts"))
    assert len(response.context["page_obj"].object_list) == 30
