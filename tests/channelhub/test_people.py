"""People are shown by name, never by login: the ``person`` template filter, the titles and breadcrumbs
of action pages (``{{ object }}``), the lists and their "rep" filters."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.template import Context, Template
from django.urls import reverse

from commissions.models import Statement
from tests.commissions.statement_world import make_statement
from tests.factories import UserFactory
from visits.models import VisitPlan

S = Statement.Status


def render(source: str, **context) -> str:
    return Template("{% load people %}" + source).render(Context(context))


def test_person_is_the_full_name_else_the_login_else_a_dash(rep, db):
    nameless = UserFactory(username="nameless", name="")
    assert render("{{ user|person }}", user=rep) == "张伟"
    assert render("{{ user|person }}", user=nameless) == "nameless"
    assert render("{{ user|person }}", user=None) == "—"
    assert render('{{ user|person:"system" }}', user=None) == "system"


def test_a_statement_is_named_after_its_rep_not_the_login(rep, manager):
    statement = make_statement(rep, "2031-07", status=S.SUBMITTED, submitted_by=manager)
    assert str(statement).startswith("张伟 · 2031-07")
    assert "rep_a1" not in str(statement)


def test_the_approve_page_title_and_breadcrumb_name_the_rep(client_as, rep, manager, finance):
    statement = make_statement(rep, "2031-07", status=S.SUBMITTED, submitted_by=manager)
    client = client_as(finance)
    client.cookies["django_language"] = "en"
    body = client.get(reverse("commissions:statement-approve", args=[statement.pk])).content.decode()
    title = re.search(r"<title>(.*?)</title>", body, re.S).group(1)
    breadcrumb = re.search(r'<ol class="breadcrumb[^"]*">(.*?)</ol>', body, re.S).group(1)
    assert "张伟" in title and "张伟" in breadcrumb
    assert "rep_a1" not in body


def test_a_week_plan_is_named_after_its_rep(rep):
    assert str(VisitPlan(rep=rep, week_start=date(2031, 7, 7))) == "张伟 · 2031-W28"


@pytest.mark.parametrize(
    "url",
    [
        reverse("commissions:statement-list"),
        reverse("kpi:target-list"),
        reverse("kpi:scorecard-list"),
        reverse("commissions:dispute-list"),
        reverse("kpi:sales-list"),
        reverse("visits:visit-list"),
        reverse("visits:plan-list"),
        reverse("partners:dealer-list"),
    ],
)
def test_list_filters_offer_reps_by_name(client_as, finance, admin_user, rep, rep_peer, url):
    make_statement(rep, "2031-07")
    body = client_as(admin_user).get(url).content.decode()
    options = dict(re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', body))
    assert options.get(str(rep.pk)) == "张伟", url
    assert "rep_a1" not in body and "rep_a2" not in body
