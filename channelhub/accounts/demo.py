"""The demo people of SPEC §10: 2 managers with 3 reps each, 1 finance user, 1 admin; and an inspector
(SPEC §17), who covers the first manager's regions (``inspections.demo`` gives them the territories)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from channelhub.roles import Role

from .models import Profile
from .services import user_create, user_set_roles

User = get_user_model()

DEMO_PASSWORD = "demo1234"


@dataclass(frozen=True)
class DemoUser:
    username: str
    name: str
    role: str
    employee_no: str
    manager: str | None = None
    region: str = ""


#: The bank each region's reps are paid through (the payout list shows them to finance).
DEMO_BANKS = {"华东": "中国工商银行上海浦东支行", "华南": "招商银行广州天河支行"}

DEMO_USERS = (
    DemoUser("admin", "系统管理员", Role.ADMIN, "A0001"),
    DemoUser("finance", "孙丽", Role.FINANCE, "F0001"),
    DemoUser("manager1", "陈刚", Role.CHANNEL_MANAGER, "M0001", region="华东"),
    DemoUser("manager2", "黄敏", Role.CHANNEL_MANAGER, "M0002", region="华南"),
    DemoUser("rep1", "张伟", Role.FIELD_REP, "R0001", manager="manager1", region="华东"),
    DemoUser("rep2", "李娜", Role.FIELD_REP, "R0002", manager="manager1", region="华东"),
    DemoUser("rep3", "王磊", Role.FIELD_REP, "R0003", manager="manager1", region="华东"),
    DemoUser("rep4", "刘洋", Role.FIELD_REP, "R0004", manager="manager2", region="华南"),
    DemoUser("rep5", "杨静", Role.FIELD_REP, "R0005", manager="manager2", region="华南"),
    DemoUser("rep6", "赵强", Role.FIELD_REP, "R0006", manager="manager2", region="华南"),
    DemoUser("inspector1", "周巡检", Role.INSPECTOR, "I0001", region="华东"),
)


@transaction.atomic
def seed_users() -> dict[str, User]:
    """Create the demo users, or bring existing ones back to their demo role and manager.

    Passwords are set only when a user is created, so a changed demo password survives a re-run.
    """
    users: dict[str, User] = {}
    for demo in DEMO_USERS:
        manager = users[demo.manager] if demo.manager else None
        user = User.objects.filter(username=demo.username).first()
        if user is None:
            user = user_create(
                username=demo.username,
                password=DEMO_PASSWORD,
                name=demo.name,
                email=f"{demo.username}@demo.channelhub.local",
                roles=[demo.role],
                employee_no=demo.employee_no,
                manager=manager,
            )
        else:
            # saved only when changed: an unchanged profile gets no new history record on every run
            profile, _created = Profile.objects.get_or_create(user=user)
            if (profile.employee_no, profile.manager_id) != (demo.employee_no, manager.pk if manager else None):
                profile.employee_no, profile.manager = demo.employee_no, manager
                profile.save()
            user_set_roles(user=user, roles=[demo.role])
        if demo.role == Role.FIELD_REP:
            # bank details for the payout list, unless someone has set them already
            Profile.objects.filter(user=user, bank_account="").update(
                bank_name=DEMO_BANKS.get(demo.region, ""), bank_account=f"62220210{demo.employee_no[1:]:0>11}"
            )
        users[demo.username] = user
    return users
