import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from channelhub.errors import TransitionNotAllowed
from channelhub.workflow.checks import check_machine
from channelhub.workflow.machine import StateMachine, Transition
from channelhub.workflow.models import StateChange
from tests.testapp.models import Ticket


@pytest.fixture
def ticket(rep):
    return Ticket.objects.create(title="T-1", owner=rep)


def test_allowed_transition_changes_state_and_logs_it(ticket, manager):
    change = Ticket.workflow.apply(ticket, "submit", by=manager, comment="ready")

    ticket.refresh_from_db()
    assert ticket.status == "submitted"
    assert (change.from_state, change.to_state, change.by, change.comment) == ("draft", "submitted", manager, "ready")
    assert change.object == ticket
    assert list(Ticket.workflow.log(ticket)) == [change]


def test_transition_also_writes_field_history(ticket, manager):
    Ticket.workflow.apply(ticket, "submit", by=manager, changes={"note": "first"})
    latest = ticket.history.latest()
    assert (latest.status, latest.note) == ("submitted", "first")


def test_refused_transition_names_current_state_and_changes_nothing(ticket, manager):
    with pytest.raises(TransitionNotAllowed) as refused:
        Ticket.workflow.apply(ticket, "approve", by=manager, changes={"note": "sneaky"})

    assert "draft" in str(refused.value)
    assert refused.value.extra == {"current_state": "draft"}
    assert refused.value.status_code == 409
    ticket.refresh_from_db()
    assert (ticket.status, ticket.note) == ("draft", "")
    assert not StateChange.objects.exists()


def test_state_is_read_from_the_database_not_a_stale_instance(ticket, manager):
    stale = Ticket.objects.get(pk=ticket.pk)
    Ticket.workflow.apply(ticket, "submit", by=manager)
    Ticket.workflow.apply(ticket, "approve", by=manager)
    assert stale.status == "draft"
    with pytest.raises(TransitionNotAllowed, match="approved"):
        Ticket.workflow.apply(stale, "submit", by=manager)


def test_available_and_can_follow_the_declaration(ticket, manager):
    assert [t.name for t in Ticket.workflow.available(ticket)] == ["submit"]
    Ticket.workflow.apply(ticket, "submit", by=manager)
    assert [t.name for t in Ticket.workflow.available(ticket)] == ["approve", "reject"]
    assert Ticket.workflow.can(ticket, "reject")
    assert not Ticket.workflow.can(ticket, "submit")


def test_record_creation_and_system_changes_without_user(ticket):
    Ticket.workflow.record_creation(ticket, by=None)
    first = Ticket.workflow.log(ticket).get()
    assert (first.from_state, first.to_state, first.by) == ("", "draft", None)


def test_unknown_transition_is_a_programming_error(ticket, manager):
    with pytest.raises(ValueError, match="no transition 'fly'"):
        Ticket.workflow.apply(ticket, "fly", by=manager)


def test_transition_action_name_is_kebab_case():
    assert Transition("mark_false", source=["a"], target="b").action == "mark-false"


def test_duplicate_transition_names_are_refused():
    with pytest.raises(ValueError, match="declared twice"):
        StateMachine(transitions=[Transition("a", source=["x"], target="y"), Transition("a", source=["y"], target="x")])


def test_system_check_finds_unknown_states():
    machine = StateMachine(field="status", transitions=[Transition("fly", source=["draft"], target="airborne")])
    machine.model = Ticket
    errors = check_machine(machine)
    assert [e.id for e in errors] == ["workflow.E003"]
    assert "airborne" in errors[0].msg


def test_declared_machines_pass_the_system_check():
    call_command("check", fail_level="ERROR")


@pytest.mark.urls("tests.testapp.urls")
class TestThroughTheApi:
    def test_allowed_action_answers_200(self, api_as, ticket, rep):
        response = api_as(rep).post(f"/api/v1/tickets/{ticket.pk}/submit/", {"comment": "go"})
        assert response.status_code == 200
        assert response.json()["status"] == "submitted"
        assert Ticket.workflow.log(ticket).get().comment == "go"

    def test_refused_action_answers_409_naming_the_state(self, api_as, ticket, rep):
        response = api_as(rep).post(f"/api/v1/tickets/{ticket.pk}/approve/")
        assert response.status_code == 409
        body = response.json()
        assert body["current_state"] == "draft"
        assert "draft" in body["detail"]

    def test_out_of_scope_action_answers_404(self, api_as, ticket, other_rep):
        response = api_as(other_rep).post(f"/api/v1/tickets/{ticket.pk}/submit/")
        assert response.status_code == 404
        ticket.refresh_from_db()
        assert ticket.status == "draft"


@pytest.mark.urls("tests.testapp.urls")
def test_refused_action_on_a_page_becomes_a_message(client_as, ticket, rep):
    client = client_as(rep)
    response = client.post(
        reverse("ticket-approve-page", args=[ticket.pk]), HTTP_REFERER="http://testserver/some/page/", follow=False
    )
    assert response.status_code == 302
    assert response["Location"] == "http://testserver/some/page/"
    messages = [str(m) for m in response.wsgi_request._messages]
    assert len(messages) == 1 and "draft" in messages[0]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_approvals_give_one_approval_and_one_refusal(rep, manager, finance, monkeypatch):
    ticket = Ticket.objects.create(title="race", owner=rep, status="submitted")
    original_save = Ticket.save

    def slow_save(self, *args, **kwargs):
        time.sleep(0.3)  # widen the window between reading the state and writing it
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(Ticket, "save", slow_save)
    barrier = threading.Barrier(2)
    outcomes = []

    def approve(user):
        try:
            barrier.wait()
            Ticket.workflow.apply(Ticket.objects.get(pk=ticket.pk), "approve", by=user)
            outcomes.append("approved")
        except TransitionNotAllowed:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(user,)) for user in (manager, finance)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["approved", "refused"]
    assert StateChange.objects.filter(to_state="approved").count() == 1
