import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404

from channelhub.accounts.models import Profile
from channelhub.roles import Role, has_role, primary_role, require_role, roles_of
from channelhub.scoping import (
    SegregationOfDutiesError,
    check_segregation,
    get_scoped_or_404,
    is_manager_of,
    may_approve,
    scope,
    team_of,
    visible_users,
)
from tests.factories import UserFactory
from tests.testapp.models import Ticket

User = get_user_model()


def usernames(queryset):
    return set(queryset.values_list("username", flat=True))


def test_rep_sees_only_self(everyone):
    assert usernames(visible_users(everyone["rep"])) == {"rep_a1"}


def test_manager_sees_self_and_own_team_only(everyone):
    assert usernames(visible_users(everyone["manager"])) == {"manager_a", "rep_a1", "rep_a2"}


def test_finance_and_admin_see_everyone(everyone):
    all_names = set(User.objects.values_list("username", flat=True))
    assert usernames(visible_users(everyone["finance"])) == all_names
    assert usernames(visible_users(everyone["admin"])) == all_names


def test_anonymous_and_inactive_users_see_nothing(everyone):
    assert not visible_users(AnonymousUser()).exists()
    rep = everyone["rep"]
    rep.is_active = False
    rep.save()
    assert not visible_users(User.objects.get(pk=rep.pk)).exists()


def test_user_without_role_sees_nothing(db):
    nobody = UserFactory(roles=[])
    assert not visible_users(nobody).exists()


def test_team_of_and_is_manager_of(everyone):
    assert usernames(team_of(everyone["manager"])) == {"rep_a1", "rep_a2"}
    assert is_manager_of(everyone["manager"], everyone["rep"])
    assert not is_manager_of(everyone["other_manager"], everyone["rep"])


def test_out_of_scope_object_is_404_not_403(everyone):
    other = everyone["other_rep"]
    with pytest.raises(Http404):
        get_scoped_or_404(everyone["rep"], User, pk=other.pk)
    assert get_scoped_or_404(everyone["manager"], User, pk=everyone["rep"].pk) == everyone["rep"]


def test_malformed_lookup_is_404(everyone):
    with pytest.raises(Http404):
        get_scoped_or_404(everyone["admin"], User, pk="not-a-number")


def test_model_without_a_rule_cannot_be_scoped(everyone):
    with pytest.raises(ImproperlyConfigured, match="accounts.profile"):
        scope(everyone["admin"], Profile.objects.all())


def test_registered_rule_applies_to_querysets_and_models(everyone):
    mine = Ticket.objects.create(title="mine", owner=everyone["rep"])
    Ticket.objects.create(title="theirs", owner=everyone["other_rep"])
    assert list(scope(everyone["rep"], Ticket)) == [mine]
    assert scope(everyone["finance"], Ticket.objects.all()).count() == 2
    # A queryset already narrowed stays narrowed.
    assert not scope(everyone["finance"], Ticket.objects.filter(title="none")).exists()


def test_roles_are_read_once_per_user_object(everyone, django_assert_num_queries):
    manager = User.objects.get(pk=everyone["manager"].pk)
    with django_assert_num_queries(1):
        assert roles_of(manager) == {Role.CHANNEL_MANAGER}
        assert has_role(manager, Role.CHANNEL_MANAGER)
        assert not has_role(manager, Role.FINANCE)


def test_admin_role_is_superuser_and_primary_role_prefers_it(everyone):
    assert roles_of(everyone["admin"]) == {Role.ADMIN}
    assert primary_role(everyone["admin"]) == Role.ADMIN
    assert primary_role(everyone["rep"]) == Role.FIELD_REP
    assert primary_role(AnonymousUser()) is None


def test_require_role_raises_permission_denied(everyone):
    from django.core.exceptions import PermissionDenied

    require_role(everyone["finance"], Role.FINANCE)
    with pytest.raises(PermissionDenied):
        require_role(everyone["rep"], Role.FINANCE, Role.CHANNEL_MANAGER)


class TestSegregationOfDuties:
    def test_nobody_approves_what_they_submitted(self, everyone):
        with pytest.raises(SegregationOfDutiesError):
            check_segregation(actor=everyone["manager"], submitted_by=everyone["manager"])

    def test_nobody_approves_what_benefits_them(self, everyone):
        with pytest.raises(SegregationOfDutiesError):
            check_segregation(actor=everyone["rep"], submitted_by=everyone["manager"], beneficiary=everyone["rep"])

    def test_nobody_approves_own_proposal(self, everyone):
        with pytest.raises(SegregationOfDutiesError):
            check_segregation(actor=everyone["manager"], proposed_by=everyone["manager"])

    def test_an_independent_approver_may_approve(self, everyone):
        check_segregation(actor=everyone["finance"], submitted_by=everyone["manager"], beneficiary=everyone["rep"])
        assert may_approve(actor=everyone["finance"], submitted_by=everyone["manager"], beneficiary=everyone["rep"])
        assert not may_approve(actor=everyone["rep"], beneficiary=everyone["rep"])

    def test_segregation_error_is_a_403(self, everyone):
        from django.core.exceptions import PermissionDenied

        assert issubclass(SegregationOfDutiesError, PermissionDenied)
