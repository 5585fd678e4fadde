"""Agreements: life cycle, renew, deposit, and the exclusivity rule with its full matrix."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from channelhub.errors import Conflict, TransitionNotAllowed
from partners.models import Agreement
from partners.services import agreements as services
from partners.services.agreements import renewal_dates
from tests.partners.world import YEAR_2026, make_agreement, make_dealer, qualify, signed
from tests.rebates.world import make_program


@pytest.fixture
def dealers(covered, manager, finance, rep, rep_peer):
    first = qualify(make_dealer(manager, covered["SH-SH"], rep, "SH001", name="上海华丰贸易"), manager, finance)
    second = qualify(make_dealer(manager, covered["SH-SH"], rep_peer, "SH002", name="上海东升电器"), manager, finance)
    return first, second


TERRITORY_CASES = {
    # the second agreement's territory, relative to the first's (SH-SH, the city of Shanghai)
    "same": ("SH-SH", True),
    "ancestor": ("EAST", True),
    "descendant": ("SH-PD", True),
    "sibling": ("JS-NJ", False),
}
DATE_CASES = {
    "overlapping": ((date(2026, 7, 1), date(2027, 6, 30)), True),
    "adjacent": ((date(2027, 1, 1), date(2027, 12, 31)), False),
}
LINE_CASES = {"shared": (["kitchen", "water"], True), "disjoint": (["hvac"], False)}


@pytest.mark.parametrize("territory_case", TERRITORY_CASES)
@pytest.mark.parametrize("date_case", DATE_CASES)
@pytest.mark.parametrize("line_case", LINE_CASES)
def test_exclusivity_matrix(dealers, covered, lines, manager, territory_case, date_case, line_case):
    first, second = dealers
    signed(manager, make_agreement(manager, first, covered["SH-SH"], [lines["kitchen"]], *YEAR_2026))
    territory_code, territory_clash = TERRITORY_CASES[territory_case]
    dates, date_clash = DATE_CASES[date_case]
    codes, line_clash = LINE_CASES[line_case]
    other = make_agreement(manager, second, covered[territory_code], [lines[c] for c in codes], *dates)
    services.agreement_submit(actor=manager, agreement=other)

    if territory_clash and date_clash and line_clash:
        with pytest.raises(Conflict) as refused:
            services.agreement_sign(actor=manager, agreement=other)
        message = str(refused.value)
        assert "上海华丰贸易" in message and "SH001" in message  # names the other dealer …
        first_agreement = Agreement.objects.get(dealer=first)
        assert f"#{first_agreement.pk}" in message  # … and the other agreement
        assert refused.value.status_code == 409
        assert Agreement.objects.get(pk=other.pk).status == "pending_approval"
    else:
        services.agreement_sign(actor=manager, agreement=other)
        assert Agreement.objects.get(pk=other.pk).status == "signed"


def test_non_exclusive_agreements_never_conflict(dealers, covered, lines, manager):
    first, second = dealers
    signed(manager, make_agreement(manager, first, covered["SH-SH"], [lines["kitchen"]], *YEAR_2026))
    shared = make_agreement(manager, second, covered["SH-SH"], [lines["kitchen"]], *YEAR_2026, exclusive=False)
    assert signed(manager, shared).status == "signed"


def test_terminated_or_unsigned_agreements_do_not_block(dealers, covered, lines, manager):
    first, second = dealers
    old = signed(manager, make_agreement(manager, first, covered["SH-SH"], [lines["kitchen"]], *YEAR_2026))
    make_agreement(manager, first, covered["SH-SH"], [lines["kitchen"]], *YEAR_2026)  # a draft
    services.agreement_terminate(actor=manager, agreement=old)
    assert (
        signed(manager, make_agreement(manager, second, covered["SH"], [lines["kitchen"]], *YEAR_2026)).status
        == "signed"
    )


def test_same_dealer_may_hold_overlapping_exclusive_agreements(dealers, covered, lines, manager):
    first, _ = dealers
    signed(manager, make_agreement(manager, first, covered["SH-SH"], [lines["kitchen"]], *YEAR_2026))
    assert (
        signed(manager, make_agreement(manager, first, covered["SH"], [lines["kitchen"]], *YEAR_2026)).status
        == "signed"
    )


@pytest.mark.parametrize(
    ("name", "state"),
    [
        ("submit", "pending_approval"),
        ("submit", "signed"),
        ("sign", "draft"),
        ("sign", "signed"),
        ("terminate", "terminated"),
    ],
)
def test_refused_agreement_transitions(dealers, covered, lines, manager, name, state):
    agreement = make_agreement(manager, dealers[0], covered["SH-SH"], [lines["kitchen"]], *YEAR_2026)
    Agreement.objects.filter(pk=agreement.pk).update(status=state)
    with pytest.raises(TransitionNotAllowed):
        getattr(services, f"agreement_{name}")(actor=manager, agreement=Agreement.objects.get(pk=agreement.pk))
    assert Agreement.objects.get(pk=agreement.pk).status == state


def test_submit_needs_a_product_line(dealers, covered, manager):
    agreement = make_agreement(manager, dealers[0], covered["SH-SH"], [], *YEAR_2026)
    with pytest.raises(ValidationError) as refused:
        services.agreement_submit(actor=manager, agreement=agreement)
    assert "product_lines" in refused.value.message_dict


def test_sign_needs_a_qualified_or_active_dealer(covered, lines, manager, rep):
    prospect = make_dealer(manager, covered["SH-SH"], rep, "SH003")
    agreement = make_agreement(manager, prospect, covered["SH-SH"], [lines["kitchen"]], *YEAR_2026)
    services.agreement_submit(actor=manager, agreement=agreement)
    with pytest.raises(Conflict, match="prospect|潜在"):
        services.agreement_sign(actor=manager, agreement=agreement)


def test_dates_out_of_order_are_a_field_error(dealers, covered, lines, manager):
    with pytest.raises(ValidationError):
        make_agreement(manager, dealers[0], covered["SH-SH"], [lines["kitchen"]], date(2026, 12, 31), date(2026, 1, 1))


def test_signed_agreement_cannot_be_edited(dealers, covered, lines, manager):
    agreement = signed(manager, make_agreement(manager, dealers[0], covered["SH-SH"], [lines["kitchen"]], *YEAR_2026))
    with pytest.raises(Conflict):
        services.agreement_update(actor=manager, agreement=agreement, payment_terms_days=45)


def test_draft_can_be_edited(dealers, covered, lines, manager):
    agreement = make_agreement(manager, dealers[0], covered["SH-SH"], [lines["kitchen"]], *YEAR_2026)
    program = make_program("Flat 3.50", (("0", "3.50"),))
    services.agreement_update(
        actor=manager, agreement=agreement, rebate_program=program, product_lines=[lines["water"]]
    )
    agreement.refresh_from_db()
    assert agreement.rebate_program == program
    assert list(agreement.product_lines.values_list("code", flat=True)) == ["water"]


def test_renew_copies_into_a_draft_starting_the_day_after(dealers, covered, lines, manager):
    program = make_program("Flat 2.00", (("0", "2.00"),))
    old = signed(
        manager,
        make_agreement(
            manager,
            dealers[0],
            covered["SH-SH"],
            [lines["kitchen"], lines["water"]],
            *YEAR_2026,
            rebate_program=program,
        ),
    )
    renewal = services.agreement_renew(actor=manager, agreement=old)
    assert (renewal.status, renewal.previous, renewal.start_date, renewal.end_date) == (
        "draft",
        old,
        date(2027, 1, 1),
        date(2027, 12, 31),
    )
    assert set(renewal.product_lines.values_list("code", flat=True)) == {"kitchen", "water"}
    assert renewal.rebate_program == program
    with pytest.raises(Conflict, match="already|已续签"):
        services.agreement_renew(actor=manager, agreement=old)


def test_a_renewal_can_be_signed_next_to_the_old_exclusive_one(dealers, covered, lines, manager):
    old = signed(manager, make_agreement(manager, dealers[0], covered["SH-SH"], [lines["kitchen"]], *YEAR_2026))
    renewal = services.agreement_renew(actor=manager, agreement=old)
    assert signed(manager, renewal).status == "signed"


def test_a_renewal_past_the_year_2999_is_refused(dealers, covered, lines, manager):
    old = signed(
        manager,
        make_agreement(manager, dealers[0], covered["SH-SH"], [lines["kitchen"]], date(2999, 1, 1), date(2999, 12, 31)),
    )
    with pytest.raises(ValidationError) as refused:
        services.agreement_renew(actor=manager, agreement=old)
    assert "2999" in refused.value.message_dict["end_date"][0]
    assert not type(old).objects.filter(previous=old).exists()


@pytest.mark.parametrize("year", [1899, 3000, 9999])
def test_agreement_dates_outside_1900_to_2999_are_refused(dealers, covered, lines, manager, year):
    with pytest.raises(ValidationError) as refused:
        make_agreement(manager, dealers[0], covered["SH-SH"], [lines["kitchen"]], date(2026, 1, 1), date(year, 12, 1))
    assert "end_date" in refused.value.message_dict


def test_draft_cannot_be_renewed(dealers, covered, lines, manager):
    draft = make_agreement(manager, dealers[0], covered["SH-SH"], [lines["kitchen"]], *YEAR_2026)
    with pytest.raises(Conflict):
        services.agreement_renew(actor=manager, agreement=draft)


@pytest.mark.parametrize(
    ("start", "end", "new_start", "new_end"),
    [
        (date(2026, 1, 1), date(2026, 12, 31), date(2027, 1, 1), date(2027, 12, 31)),
        (date(2027, 1, 1), date(2027, 12, 31), date(2028, 1, 1), date(2028, 12, 31)),  # into a leap year
        (date(2026, 3, 1), date(2026, 8, 31), date(2026, 9, 1), date(2027, 2, 28)),  # six months
        (date(2026, 1, 10), date(2026, 1, 19), date(2026, 1, 20), date(2026, 1, 29)),  # ten days
    ],
)
def test_renewal_dates(start, end, new_start, new_end):
    assert renewal_dates(start, end) == (new_start, new_end)


def test_finance_confirms_the_deposit(dealers, covered, lines, manager, finance):
    agreement = signed(manager, make_agreement(manager, dealers[0], covered["SH-SH"], [lines["kitchen"]], *YEAR_2026))
    with pytest.raises(PermissionDenied):
        services.agreement_confirm_deposit(actor=manager, agreement=agreement, received_on=date(2026, 1, 5))
    services.agreement_confirm_deposit(actor=finance, agreement=agreement, received_on=date(2026, 1, 5))
    assert Agreement.objects.get(pk=agreement.pk).deposit_received_on == date(2026, 1, 5)


def test_expired_is_derived_from_the_end_date(dealers, covered, lines, manager):
    agreement = signed(
        manager,
        make_agreement(manager, dealers[0], covered["SH-SH"], [lines["kitchen"]], date(2025, 1, 1), date(2025, 12, 31)),
    )
    assert agreement.is_expired(today=date(2026, 1, 1))
    assert not agreement.is_expired(today=date(2025, 12, 31))


def test_manager_grants_only_covered_territories(dealers, covered, lines, manager):
    with pytest.raises(ValidationError) as refused:
        make_agreement(manager, dealers[0], covered["GD-GZ"], [lines["kitchen"]], *YEAR_2026)
    assert "territory" in refused.value.message_dict


def test_other_manager_cannot_touch_the_agreement(dealers, covered, lines, manager, other_manager):
    agreement = make_agreement(manager, dealers[0], covered["SH-SH"], [lines["kitchen"]], *YEAR_2026)
    with pytest.raises(PermissionDenied):
        services.agreement_submit(actor=other_manager, agreement=agreement)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_conflicting_signs_at_the_same_moment_give_one_signature(
    covered, lines, manager, finance, rep, rep_peer, monkeypatch
):
    import threading
    import time

    from django.db import connection

    from partners.services import agreements as agreement_module

    first = qualify(make_dealer(manager, covered["SH-SH"], rep, "SH001"), manager, finance)
    second = qualify(make_dealer(manager, covered["SH-SH"], rep_peer, "SH002"), manager, finance)
    pending = []
    for dealer in (first, second):
        agreement = make_agreement(manager, dealer, covered["SH-SH"], [lines["kitchen"]], *YEAR_2026)
        services.agreement_submit(actor=manager, agreement=agreement)
        pending.append(agreement)

    original = agreement_module.conflicting_agreements

    def slow_check(agreement):
        found = list(original(agreement))
        time.sleep(0.3)  # both checks would pass side by side without the lock
        return Agreement.objects.filter(pk__in=[a.pk for a in found])

    monkeypatch.setattr(agreement_module, "conflicting_agreements", slow_check)
    barrier = threading.Barrier(2)
    outcomes = []

    def sign(agreement):
        try:
            barrier.wait()
            services.agreement_sign(actor=manager, agreement=Agreement.objects.get(pk=agreement.pk))
            outcomes.append("signed")
        except Conflict:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=sign, args=(agreement,)) for agreement in pending]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "signed"]
    assert Agreement.objects.filter(status="signed").count() == 1


def test_a_confirmed_deposit_is_not_confirmed_again(dealers, covered, lines, manager, finance):
    agreement = signed(manager, make_agreement(manager, dealers[0], covered["SH-SH"], [lines["kitchen"]], *YEAR_2026))
    services.agreement_confirm_deposit(actor=finance, agreement=agreement, received_on=date(2026, 1, 5))
    with pytest.raises(Conflict):
        services.agreement_confirm_deposit(actor=finance, agreement=agreement, received_on=date(2026, 2, 1))
    assert Agreement.objects.get(pk=agreement.pk).deposit_received_on == date(2026, 1, 5)
