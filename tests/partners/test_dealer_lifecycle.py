"""Every allowed and refused move of a dealer's life cycle, through the services."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from channelhub.errors import Conflict, TransitionNotAllowed
from channelhub.scoping import SegregationOfDutiesError
from partners.models import Dealer, QualificationReview
from partners.services import dealers as services
from tests.partners.world import (
    FULL_REVIEW,
    YEAR_2026,
    make_agreement,
    make_dealer,
    qualify,
    signed,
)


@pytest.fixture
def prospect(covered, manager, rep):
    return make_dealer(manager, covered["SH-SH"], rep, "SH001")


def test_new_dealer_is_a_prospect_with_its_creation_logged(prospect, manager):
    assert prospect.status == "prospect"
    log = list(Dealer.workflow.log(prospect))
    assert [(c.from_state, c.to_state, c.by) for c in log] == [("", "prospect", manager)]


def test_submit_review_computes_the_weighted_total(prospect, manager):
    review = services.dealer_submit_review(actor=manager, dealer=prospect, items=FULL_REVIEW, comment="looks solid")
    prospect.refresh_from_db()
    assert prospect.status == "under_review"
    assert review.total_score == Decimal("79.00")  # 20×100 + 30×80 + 20×70 + 15×80 + 15×60 = 7900 / 100
    assert review.items.count() == 5
    assert review.decision == "pending"


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ([{"criterion": "warehouse", "weight": 50, "score": 80}], "add up to 50"),
        ([], "empty"),
        (
            [
                {"criterion": "warehouse", "weight": 60, "score": 80},
                {"criterion": "warehouse", "weight": 40, "score": 1},
            ],
            "twice",
        ),
        ([{"criterion": "charisma", "weight": 100, "score": 80}], "unknown criterion"),
        ([{"criterion": "warehouse", "weight": 100, "score": 101}], "between 0 and 100"),
        ([{"criterion": "warehouse", "weight": 100, "score": "abc"}], "whole numbers"),
        ([{"criterion": "warehouse", "weight": 100, "score": 7.5}], "whole numbers"),
    ],
)
def test_bad_checklists_are_refused_and_change_nothing(prospect, manager, items, message):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.dealer_submit_review(actor=manager, dealer=prospect, items=items)
    assert message in " ".join(refused.value.message_dict["items"])
    prospect.refresh_from_db()
    assert prospect.status == "prospect"
    assert not QualificationReview.objects.exists()


def test_finance_approves_with_credit_limit(prospect, manager, finance):
    services.dealer_submit_review(actor=manager, dealer=prospect, items=FULL_REVIEW)
    services.dealer_approve_qualification(actor=finance, dealer=prospect, credit_limit="500000.00", comment="ok")
    prospect.refresh_from_db()
    assert (prospect.status, prospect.credit_limit) == ("qualified", Decimal("500000.00"))
    review = prospect.reviews.get()
    assert (review.decision, review.decided_by, review.credit_limit) == ("approved", finance, Decimal("500000.00"))


def test_finance_rejects_with_a_reason_back_to_prospect(prospect, manager, finance):
    services.dealer_submit_review(actor=manager, dealer=prospect, items=FULL_REVIEW)
    with pytest.raises(ValidationError):
        services.dealer_reject_qualification(actor=finance, dealer=prospect, reason="  ")
    services.dealer_reject_qualification(actor=finance, dealer=prospect, reason="no warehouse")
    prospect.refresh_from_db()
    assert prospect.status == "prospect"
    assert prospect.reviews.get().reason == "no warehouse"
    # …and may be submitted again with a new review.
    services.dealer_submit_review(actor=manager, dealer=prospect, items=FULL_REVIEW)
    assert prospect.reviews.count() == 2


@pytest.mark.parametrize("bad", ["-1", "abc", "1e13", None])
def test_bad_credit_limit_is_a_field_error(prospect, manager, finance, bad):
    services.dealer_submit_review(actor=manager, dealer=prospect, items=FULL_REVIEW)
    with pytest.raises(ValidationError) as refused:
        services.dealer_approve_qualification(actor=finance, dealer=prospect, credit_limit=bad)
    assert "credit_limit" in refused.value.message_dict
    prospect.refresh_from_db()
    assert prospect.status == "under_review"


def test_only_finance_or_admin_decide_qualification(prospect, manager, rep):
    services.dealer_submit_review(actor=manager, dealer=prospect, items=FULL_REVIEW)
    for actor in (manager, rep):
        with pytest.raises(PermissionDenied):
            services.dealer_approve_qualification(actor=actor, dealer=prospect, credit_limit="1.00")


def test_nobody_approves_a_review_they_submitted(covered, admin_user, rep):
    dealer = make_dealer(admin_user, covered["SH-SH"], rep, "SH009")
    services.dealer_submit_review(actor=admin_user, dealer=dealer, items=FULL_REVIEW)
    with pytest.raises(SegregationOfDutiesError):
        services.dealer_approve_qualification(actor=admin_user, dealer=dealer, credit_limit="1.00")
    dealer.refresh_from_db()
    assert dealer.status == "under_review"


def test_reps_and_finance_cannot_submit_reviews(prospect, rep, finance):
    for actor in (rep, finance):
        with pytest.raises(PermissionDenied):
            services.dealer_submit_review(actor=actor, dealer=prospect, items=FULL_REVIEW)


def test_first_signed_agreement_activates_a_qualified_dealer(prospect, manager, finance, covered, lines):
    qualify(prospect, manager, finance)
    agreement = signed(manager, make_agreement(manager, prospect, covered["SH-SH"], [lines["kitchen"]], *YEAR_2026))
    prospect.refresh_from_db()
    assert (agreement.status, prospect.status) == ("signed", "active")
    assert [c.to_state for c in Dealer.workflow.log(prospect)] == ["prospect", "under_review", "qualified", "active"]


def test_suspend_and_reactivate(prospect, manager, finance, covered, lines):
    qualify(prospect, manager, finance)
    signed(manager, make_agreement(manager, prospect, covered["SH-SH"], [lines["kitchen"]], *YEAR_2026))
    services.dealer_transition(actor=manager, dealer=prospect, name="suspend", comment="late payments")
    assert Dealer.objects.get(pk=prospect.pk).status == "suspended"
    services.dealer_transition(actor=manager, dealer=prospect, name="reactivate")
    assert Dealer.objects.get(pk=prospect.pk).status == "active"


@pytest.mark.parametrize(
    ("state", "refused"),
    [
        ("prospect", ["approve_qualification", "reject_qualification", "suspend", "reactivate"]),
        ("under_review", ["submit_review", "suspend", "reactivate"]),
        ("qualified", ["submit_review", "approve_qualification", "suspend", "reactivate"]),
        ("active", ["submit_review", "approve_qualification", "reactivate"]),
        ("suspended", ["submit_review", "approve_qualification", "suspend"]),
        (
            "terminated",
            ["submit_review", "approve_qualification", "reject_qualification", "suspend", "reactivate", "terminate"],
        ),
    ],
)
def test_transitions_not_allowed_from_a_state_answer_409(covered, manager, finance, rep, state, refused):
    dealer = make_dealer(manager, covered["SH-SH"], rep, f"X-{state}")
    Dealer.objects.filter(pk=dealer.pk).update(status=state)
    dealer.refresh_from_db()
    for name in refused:
        with pytest.raises(TransitionNotAllowed) as error:
            if name == "submit_review":
                services.dealer_submit_review(actor=manager, dealer=dealer, items=FULL_REVIEW)
            elif name == "approve_qualification":
                services.dealer_approve_qualification(actor=finance, dealer=dealer, credit_limit="1.00")
            elif name == "reject_qualification":
                services.dealer_reject_qualification(actor=finance, dealer=dealer, reason="x")
            else:
                services.dealer_transition(actor=manager, dealer=dealer, name=name)
        assert error.value.extra["current_state"] == state
        assert Dealer.objects.get(pk=dealer.pk).status == state


def test_terminated_is_final_and_keeps_history(prospect, manager):
    services.dealer_transition(actor=manager, dealer=prospect, name="terminate", comment="closed")
    with pytest.raises(Conflict):
        services.dealer_update(actor=manager, dealer=prospect, name="new name")
    assert prospect.history.count() >= 2
    assert Dealer.workflow.log(prospect).last().comment == "closed"


def test_manager_of_another_territory_cannot_act(prospect, other_manager):
    with pytest.raises(PermissionDenied):
        services.dealer_transition(actor=other_manager, dealer=prospect, name="terminate")


def test_manager_creates_only_in_own_territories(covered, manager, rep):
    with pytest.raises(ValidationError) as refused:
        make_dealer(manager, covered["GD-GZ"], rep, "GZ001")
    assert "territory" in refused.value.message_dict


def test_owner_must_be_a_field_rep(covered, manager, finance):
    with pytest.raises(ValidationError) as refused:
        make_dealer(manager, covered["SH-SH"], finance, "SH002")
    assert "owner" in refused.value.message_dict


def test_rep_edits_contact_data_of_own_dealer_only(prospect, rep, rep_peer):
    services.dealer_update(
        actor=rep, dealer=prospect, address="上海市浦东新区1号", contacts=[{"name": "王经理", "phone": "13800000000"}]
    )
    prospect.refresh_from_db()
    assert prospect.address == "上海市浦东新区1号"
    assert list(prospect.contacts.values_list("name", flat=True)) == ["王经理"]
    with pytest.raises(ValidationError) as refused:
        services.dealer_update(actor=rep, dealer=prospect, name="改名")
    assert "name" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        services.dealer_update(actor=rep_peer, dealer=prospect, address="x")


def test_unchanged_values_do_not_count_as_edits_for_a_rep(prospect, rep):
    services.dealer_update(actor=rep, dealer=prospect, name=prospect.name, code=prospect.code, address="新地址")
    assert Dealer.objects.get(pk=prospect.pk).address == "新地址"


def test_bad_contact_is_a_field_error_and_keeps_old_contacts(prospect, rep):
    services.dealer_update(actor=rep, dealer=prospect, contacts=[{"name": "王经理"}])
    with pytest.raises(ValidationError) as refused:
        services.dealer_update(actor=rep, dealer=prospect, contacts=[{"name": "李", "email": "not-an-email"}])
    assert "contacts" in refused.value.message_dict
    assert list(prospect.contacts.values_list("name", flat=True)) == ["王经理"]


def test_parent_must_be_a_distributor(covered, manager, rep):
    retail = make_dealer(manager, covered["SH-SH"], rep, "SH010", kind="retail_terminal")
    with pytest.raises(ValidationError) as refused:
        make_dealer(manager, covered["SH-SH"], rep, "SH011", parent=retail)
    assert "parent" in refused.value.message_dict
    distributor = make_dealer(manager, covered["SH-SH"], rep, "SH012", kind="distributor")
    assert make_dealer(manager, covered["SH-SH"], rep, "SH013", parent=distributor).parent == distributor
