"""A refusal for segregation of duties (不相容岗位) says it is that — on the action pages (a 403 page with its
own words, not "your role does not allow this") and in the API's 403 ``detail`` — while a refusal for the
role still says the role."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from channelhub.roles import Role
from commissions.models import Statement
from commissions.services.statements import statement_submit
from kpi.services.targets import target_propose
from tests.commissions.statement_world import make_statement
from tests.factories import UserFactory
from tests.partners.world import make_dealer
from tests.visits.world import log

S = Statement.Status
APPROVE_OWN = {
    "en": "You cannot approve a commission statement you submitted or are paid by.",
    "zh-hans": "您不能核准自己提交或受益的提成单。",
}
ROLE = {"en": "Your role does not allow this.", "zh-hans": "您的角色无权执行此操作。"}


def page(client, language: str):
    client.cookies["django_language"] = language
    return client


def refusal_of(response) -> str:
    assert response.status_code == 403
    assert response.templates[0].name == "403.html"
    return response.context["exception"]


@pytest.fixture
def submitted_by_admin(rep, admin_user):
    """A statement the administrator submitted, so may not approve."""
    return statement_submit(actor=admin_user, statement=make_statement(rep, "2031-01"))


@pytest.fixture
def rep_in_finance(manager):
    """A field rep who also works in finance: never approves their own commission."""
    return UserFactory(username="rep_fin", name="钱会计", roles=[Role.FIELD_REP, Role.FINANCE], manager=manager)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_approve_page_tells_the_submitter_it_is_segregation_of_duties(
    client_as, submitted_by_admin, admin_user, language
):
    client = page(client_as(admin_user), language)
    url = reverse("commissions:statement-approve", args=[submitted_by_admin.pk])
    for response in (client.get(url), client.post(url, {"comment": ""})):
        assert refusal_of(response) == APPROVE_OWN[language]
        assert APPROVE_OWN[language] in response.content.decode()
    submitted_by_admin.refresh_from_db()
    assert submitted_by_admin.status == S.SUBMITTED


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_api_tells_the_beneficiary_it_is_segregation_of_duties(api_as, rep_in_finance, manager, language):
    statement = make_statement(rep_in_finance, status=S.SUBMITTED, submitted_by=manager)
    response = api_as(rep_in_finance).post(
        f"/api/v1/commission-statements/{statement.pk}/approve/", HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 403 and response.json()["detail"] == APPROVE_OWN[language]


def test_finance_in_its_own_statement_reads_why_on_every_page_it_may_not_act(client_as, rep_in_finance, manager):
    statement = make_statement(rep_in_finance, status=S.SUBMITTED, submitted_by=manager)
    client = page(client_as(rep_in_finance), "en")
    assert refusal_of(client.get(reverse("commissions:statement-approve", args=[statement.pk]))) == APPROVE_OWN["en"]
    reject = refusal_of(client.get(reverse("commissions:statement-reject", args=[statement.pk])))
    assert reject == "You cannot reject your own commission statement."


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_refusal_for_the_role_still_names_the_role(client_as, submitted_by_admin, manager, language):
    response = page(client_as(manager), language).get(
        reverse("commissions:statement-approve", args=[submitted_by_admin.pk])
    )
    assert refusal_of(response) == ROLE[language]


def test_the_manager_who_proposed_a_target_is_told_why_not_approve(client_as, manager, rep_peer):
    target = target_propose(actor=manager, rep=rep_peer, period="2031-07", sales_target="100000.00")
    response = page(client_as(manager), "en").get(reverse("kpi:target-approve", args=[target.pk]))
    assert refusal_of(response) == "You cannot approve what you proposed yourself."


def test_a_manager_who_also_visits_may_not_review_their_own_visit(client_as, covered, manager):
    lead = UserFactory(username="lead", name="周组长", roles=[Role.FIELD_REP, Role.CHANNEL_MANAGER], manager=manager)
    dealer = make_dealer(manager, covered["SH-SH"], lead, "L001", latitude="31.2304", longitude="121.4737")
    visit = log(lead, dealer, timezone.now() - timedelta(hours=1))
    client = page(client_as(lead), "en")
    for action in ("confirm", "mark-false"):
        response = client.get(reverse(f"visits:visit-{action}", args=[visit.pk]))
        assert refusal_of(response) == "You cannot review your own visit."
