"""Promotional materials (SPEC §14): the variance of a count — issued up to its date − reported used −
counted — flagged when beyond 5 % of what was issued, compared exactly. Figures worked out by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from funds.models import Material
from funds.selectors import flagged_material_dealers, latest_counts
from funds.services.materials import material_count_record, material_issue, material_save, variance_of

D = Decimal


@pytest.mark.parametrize(
    ("issued", "used", "counted", "variance", "flagged"),
    [
        ("200", "150", "40", "10", False),  # 10 / 200 = 5 %: at the limit, not beyond
        ("200", "150", "39.99", "10.01", True),  # 10.01 / 200 = 5.005 %: beyond
        ("200", "150", "60", "-10", False),  # counted more than was left: −5 %, at the limit
        ("200", "150", "61", "-11", True),  # −5.5 %
        ("0", "0", "0", "0", False),  # nothing issued, nothing missing
        ("0", "0", "3", "-3", True),  # nothing issued but 3 on the shelf
    ],
)
def test_variance_and_its_flag_at_the_limit(issued, used, counted, variance, flagged):
    assert variance_of(D(issued), D(used), D(counted)) == (D(variance), flagged)


@pytest.fixture
def poster(finance):
    return material_save(actor=finance, code="POSTER-A", name="促销海报", unit="张", unit_cost=D("3.50"))


def test_a_count_takes_what_was_issued_up_to_its_date(dealers, poster, manager, rep):
    f1 = dealers["F1"]
    material_issue(actor=manager, dealer=f1, material=poster, quantity=D("120"), day=date(2026, 9, 1))
    material_issue(actor=manager, dealer=f1, material=poster, quantity=D("80"), day=date(2026, 10, 1))
    material_issue(actor=manager, dealer=f1, material=poster, quantity=D("500"), day=date(2026, 11, 2))  # after
    # issued by 31 October 120 + 80 = 200; used 150, counted 30 → 200 − 150 − 30 = 20 = 10 % → flagged
    count = material_count_record(
        actor=rep, dealer=f1, material=poster, day=date(2026, 10, 31), counted_quantity=D("30"), used_quantity=D("150")
    )
    assert (count.issued_quantity, count.variance, count.variance_flagged) == (D("200"), D("20"), True)
    assert flagged_material_dealers([f1.pk, dealers["F2"].pk]) == {f1.pk}
    # a later count within the limit clears the flag: 700 − 640 − 30 = 30 = 4.29 %
    material_count_record(
        actor=rep, dealer=f1, material=poster, day=date(2026, 11, 30), counted_quantity=D("30"), used_quantity=D("640")
    )
    assert flagged_material_dealers([f1.pk]) == set()
    assert [c.date for c in latest_counts(manager)] == [date(2026, 11, 30)]


def test_only_the_dealers_manager_issues_and_its_people_count(dealers, poster, rep, rep_peer, other_manager):
    f1 = dealers["F1"]
    with pytest.raises(PermissionDenied):
        material_issue(actor=rep, dealer=f1, material=poster, quantity=D("1"), day=date(2026, 9, 1))
    with pytest.raises(PermissionDenied):
        material_issue(actor=other_manager, dealer=f1, material=poster, quantity=D("1"), day=date(2026, 9, 1))
    with pytest.raises(PermissionDenied):
        material_count_record(
            actor=rep_peer, dealer=f1, material=poster, day=date(2026, 9, 1), counted_quantity=D(1), used_quantity=D(0)
        )


def test_a_material_is_counted_once_a_day_and_an_inactive_one_is_not_issued(dealers, poster, manager, rep, finance):
    f1 = dealers["F1"]
    material_count_record(
        actor=rep, dealer=f1, material=poster, day=date(2026, 9, 1), counted_quantity=D(0), used_quantity=D(0)
    )
    with pytest.raises(ValidationError) as refused:
        material_count_record(
            actor=rep, dealer=f1, material=poster, day=date(2026, 9, 1), counted_quantity=D(1), used_quantity=D(0)
        )
    assert "date" in refused.value.message_dict
    material_save(actor=finance, material=poster, active=False)
    with pytest.raises(ValidationError) as refused:
        material_issue(
            actor=manager, dealer=f1, material=Material.objects.get(pk=poster.pk), quantity=D(1), day=date(2026, 9, 2)
        )
    assert "material" in refused.value.message_dict
