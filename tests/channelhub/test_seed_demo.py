from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command

from channelhub.accounts.demo import DEMO_PASSWORD
from channelhub.roles import Role, roles_of
from channelhub.scoping import team_of

User = get_user_model()


def seed():
    call_command("seed_demo", quiet_logins=True)


def test_seed_demo_builds_the_people_of_spec_section_10(db):
    seed()
    by_role = {role: [u.username for u in User.objects.order_by("username") if role in roles_of(u)] for role in Role}
    assert len(by_role[Role.FIELD_REP]) == 6
    assert by_role[Role.CHANNEL_MANAGER] == ["manager1", "manager2"]
    assert by_role[Role.FINANCE] == ["finance"]
    assert by_role[Role.ADMIN] == ["admin"]
    assert sorted(team_of(User.objects.get(username="manager1")).values_list("username", flat=True)) == [
        "rep1",
        "rep2",
        "rep3",
    ]
    assert team_of(User.objects.get(username="manager2")).count() == 3


def test_seed_demo_is_idempotent(db):
    seed()
    before = sorted(User.objects.values_list("username", "profile__employee_no", "profile__manager__username"))
    seed()
    after = sorted(User.objects.values_list("username", "profile__employee_no", "profile__manager__username"))
    assert before == after
    assert User.objects.count() == 10


def test_seed_demo_repairs_a_changed_role_but_keeps_a_changed_password(db):
    seed()
    rep1 = User.objects.get(username="rep1")
    rep1.groups.clear()
    rep1.set_password("my-own-password-1")
    rep1.save()
    seed()
    rep1 = User.objects.get(username="rep1")
    assert roles_of(rep1) == {Role.FIELD_REP}
    assert rep1.check_password("my-own-password-1")


def test_demo_logins_work(db, rf):
    seed()
    request = rf.post("/accounts/login/")
    for username in ("admin", "finance", "manager1", "rep6"):
        assert authenticate(request, username=username, password=DEMO_PASSWORD) is not None


def test_seed_demo_prints_the_logins(db, capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert DEMO_PASSWORD in out
    for username in ("admin", "finance", "manager1", "manager2", "rep1", "rep6"):
        assert username in out
