"""What every app's server-rendered pages share: binding forms, pages of 50, filter sets, and the
action pages of detail pages (a form, who may take the action, when it is possible, the service).

A refused transition or conflict raised by a service (``DomainError``) becomes an error message and
a redirect in ``channelhub.middleware.DomainErrorMiddleware``; a ValidationError lands on the form.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext

from channelhub.bulk_actions import BulkAction, apply_each, parse_ids
from channelhub.exports import CONTENT_TYPES
from channelhub.forms import PageForm
from channelhub.importing import FORMATS
from channelhub.scoping import SegregationOfDutiesError
from channelhub.workflow.machine import StateMachine

PAGE_SIZE = 50


def posted(request):
    """The POST data to bind a form to, or None on GET (an empty POST still shows required-field errors)."""
    return request.POST if request.method == "POST" else None


def paginate(request, queryset: QuerySet | Sequence, per_page: int | None = None) -> Page:
    """The page of ``queryset`` (or of a list) that ``?page=`` asks for, ``PAGE_SIZE`` rows a page."""
    return Paginator(queryset, per_page or PAGE_SIZE).get_page(request.GET.get("page"))


def requested_format(request) -> str:
    """``?format=csv|xlsx`` of a download (CSV when not given); 404 for anything else."""
    file_format = request.GET.get("format") or "csv"
    if file_format not in FORMATS:
        raise Http404
    return file_format


def download(content: bytes, file_format: str, filename: str) -> HttpResponse:
    """A file written by ``channelhub.exports`` as an attachment named ``filename``."""
    response = HttpResponse(content, content_type=CONTENT_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def filtered(filterset) -> QuerySet:
    """The filtered rows; none while a filter value is invalid (its error is shown), rather than all of them."""
    if filterset.is_bound and not filterset.is_valid():
        return filterset.queryset.none()
    return filterset.qs


@dataclass(frozen=True)
class PageAction:
    """One button of a detail page: its form, who may take it, when it is possible, and the service."""

    title: str | Promise
    form_class: type[PageForm]
    run: Callable[..., Model]  # (actor, obj, form) → the object to show afterwards
    allowed: Callable[[Any, Model], bool]  # the role may (else 403)
    refusal: Callable[[Model], str | None]  # why the state does not allow it now (else None)
    success: str | Promise
    danger: bool = False
    explanation: str | Promise = ""
    button: str | Promise = ""  # the submit button, when it should say more than the title
    #: why segregation of duties refuses someone whose role could take it (their own statement, a target
    #: they proposed …), or None: a 403 saying so rather than "your role does not allow this"
    segregation: Callable[[Any, Model], str | None] | None = None


def calls(service: Callable[..., Model], name: str) -> Callable[..., Model]:
    """A ``PageAction.run`` that calls ``service(actor=…, <name>=the object, **the form's fields)``: the
    action's form asks exactly for the service's inputs."""

    def run(*, actor, obj, form):
        return service(actor=actor, **{name: obj}, **form.cleaned_data)

    return run


def transition_refusal(machine: StateMachine, name: str) -> Callable[[Model], str | None]:
    """A ``PageAction.refusal`` for a state-machine transition: the machine's own refusal text."""

    def refusal(obj: Model) -> str | None:
        if machine.can(obj, name):
            return None
        return str(machine.refusal(obj, machine.get(name), machine.state_of(obj)))

    return refusal


def action_paths(route: str, view: Callable, actions, name: str) -> list:
    """The URL patterns of a detail page's actions: ``<route><action>/`` named ``<name>-<action>``, each
    calling ``view`` with ``action=<action>``."""
    return [path(f"{route}{action}/", view, {"action": action}, name=f"{name}-{action}") for action in actions]


def action_button(url_name: str, obj: Model, name: str, action: PageAction) -> dict:
    """A detail page's button for ``action``: its title, the action page ``<url_name>-<name>``, its colour."""
    return {"label": action.title, "url": reverse(f"{url_name}-{name}", args=[obj.pk]), "danger": action.danger}


def transition_buttons(user, obj: Model, machine: StateMachine, actions: dict[str, PageAction], url_name: str):
    """The buttons of the transitions ``obj``'s state allows that ``user``'s role may take, in order."""
    return [
        action_button(url_name, obj, transition.action, actions[transition.action])
        for transition in machine.available(obj)
        if actions[transition.action].allowed(user, obj)
    ]


def transition_action(machine: StateMachine, name: str, service: Callable[..., Model], field: str, **fields):
    """The ``PageAction`` of ``machine``'s transition ``name``: ``service(<field>=the object, …)`` takes it
    (``calls``), the machine's own text refuses it while the state does not allow it (``transition_refusal``)."""
    return PageAction(run=calls(service, field), refusal=transition_refusal(machine, name), **fields)


def action_page(
    request,
    obj: Model,
    action: PageAction,
    *,
    cancel_url: str,
    done_url: Callable[[Model], str],
    template: str = "partials/action_form.html",
    refused_status: int = 200,
):
    """GET: the action's form (or a message when the state does not allow it). POST: run the service; a form
    sent back (its own errors or the service's on its fields) changed nothing and answers ``refused_status``.

    The standard is 400 (the inspections' pages ask for it); part one's pages still answer 200, which their tests
    pin — moving them all to 400 is a change of its own."""
    if not action.allowed(request.user, obj):
        if action.segregation is not None and (reason := action.segregation(request.user, obj)):
            raise SegregationOfDutiesError(reason)
        raise PermissionDenied(gettext("Your role does not allow this."))
    if request.method != "POST" and (reason := action.refusal(obj)):
        messages.error(request, reason)
        return redirect(cancel_url)
    form = action.form_class(posted(request))
    if request.method == "POST" and form.is_valid():
        result = form.run(action.run, actor=request.user, obj=obj, form=form)
        if result is not None:
            messages.success(request, action.success)
            return redirect(done_url(result))
    context = {"object": obj, "action": action, "form": form, "cancel_url": cancel_url}
    sent_back = request.method == "POST" and form.errors
    return render(request, template, context, status=refused_status if sent_back else 200)


def form_status(request, form) -> int:
    """200 for a form shown, 400 for a form posted and sent back with its errors."""
    return 400 if request.method == "POST" and form.errors else 200


def bulk_action_page(request, action: BulkAction):
    """POST the ticked ``ids`` (and a ``comment``): each row is acted on by itself; the page lists what was
    done and what was refused, with why. Bad ids change nothing (an error message, back to the queue)."""
    if not action.allowed(request.user):
        raise PermissionDenied(gettext("Your role does not allow this."))
    if request.method != "POST":
        return redirect(action.back_url(request))
    try:
        ids = parse_ids(request.POST.getlist("ids"))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(action.back_url(request))
    comment = (request.POST.get("comment") or "").strip()[:2000]
    result = apply_each(
        queryset=action.rows(request.user),
        ids=ids,
        run=lambda row: action.run(actor=request.user, row=row, comment=comment),
    )
    rows = [
        {
            "outcome": outcome,
            "text": action.describe(outcome.obj) if outcome.obj is not None else f"#{outcome.pk}",
            "url": action.url_of(outcome.obj) if outcome.obj is not None else "",
        }
        for outcome in result.outcomes
    ]
    context = {
        "action": action,
        "done": [row for row in rows if row["outcome"].done],
        "refused": [row for row in rows if not row["outcome"].done],
        "back_url": action.back_url(request),
    }
    return render(request, "partials/bulk_result.html", context)
