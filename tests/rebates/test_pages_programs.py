"""The rebate program pages (SPEC §15) and the Rebates menu: every role reads the programs; a program's page lists
the agreements that name it as far as the reader may see them; finance and admins find the way to the admin,
where programs are kept. Pinned query counts.

Program "Tiered 2026" (``tests.rebates.world``): bands 0 % → 0 %, 80 % → 1 %, 100 % → 2 %, 120 % → 3 %; 10 % per
flagged sale; quarterly; by credit note. Signed agreements name it for F1 (rep), P1 (rep_peer) and O1 (other_rep).
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import translation

from channelhub.navigation import nav_items
from rebates.models import RebateProgram
from tests.rebates.world import make_program, sign

pytestmark = pytest.mark.django_db

D = Decimal
PROGRAMS = reverse("rebates:program-list")


def program_page(program) -> str:
    return reverse("rebates:program-detail", args=[program.pk])


@pytest.fixture
def named(dealers, covered, lines, manager, other_manager, finance, program):
    """Signed agreements naming ``program``: F1's and P1's (manager's territories), O1's (other_manager's)."""
    agreements = {}
    for code, territory, signer in (("F1", "SH-PD", manager), ("P1", "JS-NJ", manager), ("O1", "GD-GZ", other_manager)):
        agreements[code] = sign(signer, finance, dealers[code], covered[territory], [lines["kitchen"]], program)
    return agreements


def agreements_shown(body: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'data-agreement="(\d+)"', body)}


@pytest.mark.parametrize("who", ["rep", "rep_peer", "other_rep", "manager", "other_manager", "finance", "admin"])
def test_every_role_reads_the_programs(page_as, everyone, program, lines, who):
    make_program("Water annual", bands=(("0", "1.5"),), lines=[lines["water"]], frequency="annual", payout="cash")
    client = page_as(everyone[who])
    body = client.get(PROGRAMS).content.decode()
    assert body.count("data-program=") == 2 and "Tiered 2026" in body and "Water annual" in body
    assert "from 80.00 %: 1.00 %" in body and "from 0.00 %: 1.50 %" in body
    assert 'data-testid="program-cards"' in body
    assert client.get(program_page(program)).status_code == 200


def test_a_program_page_shows_its_terms_and_bands(page_as, rep, lines):
    program = make_program(
        "Gated kitchen",
        lines=[lines["kitchen"], lines["hvac"]],
        basis="collections",
        min_collection_rate=D("85.00"),
        conflict_penalty=D("25.00"),
        payout="cash",
    )
    body = page_as(rep).get(program_page(program)).content.decode()
    for testid, text in [
        ("basis", "Collections"),
        ("product-lines", "hvac, kitchen"),
        ("collection-gate", "85.00 %"),
        ("conflict-penalty", "25.00 %"),
        ("payout", "Cash"),
    ]:
        assert re.search(rf'data-testid="{testid}">\s*{re.escape(text)}\s*<', body), testid
    bands = body.split('data-testid="program-bands"')[1].split("</table>")[0]
    rows = [re.findall(r'<td class="num[^"]*">([^<]*)</td>', row) for row in bands.split("<tr>")[2:]]
    assert rows == [
        ["0.00 %", "80.00 %", "0.00 %"],
        ["80.00 %", "100.00 %", "1.00 %"],
        ["100.00 %", "120.00 %", "2.00 %"],
        ["120.00 %", "—", "3.00 %"],
    ]
    assert f'href="{reverse("rebates:settlement-list")}?program={program.pk}"' in body


def test_without_a_gate_or_lines_the_page_says_so(page_as, rep, program):
    body = page_as(rep).get(program_page(program)).content.decode()
    assert re.search(r'data-testid="collection-gate">\s*none\s*<', body)
    assert re.search(r'data-testid="product-lines">\s*every product line\s*<', body)


@pytest.mark.parametrize(
    ("who", "codes"),
    [
        ("rep", {"F1"}),
        ("rep_peer", {"P1"}),
        ("other_rep", {"O1"}),
        ("manager", {"F1", "P1"}),
        ("other_manager", {"O1"}),
        ("finance", {"F1", "P1", "O1"}),
        ("admin", {"F1", "P1", "O1"}),
    ],
)
def test_the_agreements_naming_a_program_are_those_the_reader_may_see(page_as, everyone, program, named, who, codes):
    body = page_as(everyone[who]).get(program_page(program)).content.decode()
    assert agreements_shown(body) == {named[code].pk for code in codes}
    count = len(codes)
    assert f"{count} agreement{'s name' if count > 1 else ' names'} this program" in body
    for code in codes:
        assert f'href="{reverse("partners:agreement-detail", args=[named[code].pk])}"' in body
    if who in ("rep", "rep_peer", "manager"):
        assert "广州信达" not in body


@pytest.mark.parametrize("who", ["rep", "manager", "finance", "admin"])
def test_admins_are_shown_the_way_to_the_admin(page_as, everyone, program, who):
    editor = who == "admin" and admin.site.is_registered(RebateProgram)  # finance sets programs up through the API
    for url in (PROGRAMS, program_page(program)):
        body = page_as(everyone[who]).get(url).content.decode()
        assert ('data-testid="edit-in-admin"' in body) is editor, url


def test_an_unknown_program_is_not_found(page_as, rep):
    assert page_as(rep).get(reverse("rebates:program-detail", args=[999999])).status_code == 404


# --- the menu ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "entries"),
    [
        ("rep", ["rebates:settlement-list", "rebates:program-list"]),
        ("manager", ["rebates:settlement-list", "rebates:program-list", "rebates:aging"]),
        ("finance", ["rebates:settlement-list", "rebates:run-list", "rebates:program-list", "rebates:aging"]),
        ("admin", ["rebates:settlement-list", "rebates:run-list", "rebates:program-list", "rebates:aging"]),
    ],
)
def test_the_rebates_menu_of_each_role(everyone, who, entries):
    names = ("rebates:settlement-list", "rebates:run-list", "rebates:program-list", "rebates:aging")
    urls = {reverse(name): name for name in names}
    with translation.override("en"):
        items = [item for item in nav_items(everyone[who], "/") if item["url"] in urls]
        assert [urls[item["url"]] for item in items] == entries
        assert {str(item["group"]) for item in items} == {"Rebates"}


def test_the_rebates_menu_is_one_menu_after_the_funds_one(everyone):
    with translation.override("en"):
        groups = [str(item["group"]) for item in nav_items(everyone["finance"], "/")]
    first, last = groups.index("Rebates"), len(groups) - 1 - groups[::-1].index("Rebates")
    assert set(groups[first : last + 1]) == {"Rebates"}  # consecutive: one drop-down
    assert groups[first - 1] == "Funds"


def test_a_rebate_page_marks_its_entry(everyone):
    for path, name in (
        ("/rebates/settlements/1/", "rebates:settlement-list"),
        ("/rebates/runs/3/", "rebates:run-list"),
    ):
        active = [item["url"] for item in nav_items(everyone["finance"], path) if item["active"]]
        assert active == [reverse(name)]


# --- query counts -----------------------------------------------------------------------------------------

# The programs as a rep: 1 session, 2 user, 3 the user's role groups, 4 COUNT (the paginator), 5 the page of programs,
# 6 their bands, 7 their product lines (prefetched), 8 the bell.
LIST_QUERIES = 8
# A program as a manager: session, user, groups, the manager's territories (the agreements' scope), the program,
# its bands, its product lines, COUNT of the agreements it may see, the page of them ⋈ dealer, the program's history
# (its records ⋈ user; the m2m rows of the product lines), the bell.
DETAIL_QUERIES = 12


def test_the_programs_page_query_count_is_pinned(page_as, rep, lines, django_assert_num_queries):
    make_program("A", lines=[lines["kitchen"]])
    client = page_as(rep)
    with django_assert_num_queries(LIST_QUERIES):
        assert client.get(PROGRAMS).status_code == 200
    for n in range(10):
        make_program(f"B{n}", lines=[lines["water"], lines["hvac"]])
    with django_assert_num_queries(LIST_QUERIES):
        assert client.get(PROGRAMS).content.decode().count("data-program=") == 11


def test_the_program_page_query_count_is_pinned(page_as, manager, program, named, django_assert_num_queries):
    client = page_as(manager)
    with django_assert_num_queries(DETAIL_QUERIES):
        body = client.get(program_page(program)).content.decode()
    assert len(agreements_shown(body)) == 2
