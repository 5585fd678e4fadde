"""Bulk actions on queues: one action applied to several rows, each on its own.

A manager confirms several flagged visits or approves several week plans at once, finance approves several
statements. Each row is checked on its own by the service that acts on one (role, scope, segregation of
duties, state) in its own savepoint: a refused row changes nothing and does not stop the others. The result
lists what was done and what was refused, with why.

A row the user cannot see is refused exactly as one that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from channelhub.errors import DomainError

#: The most rows one bulk action takes (a queue's page is 25 to 100 rows).
MAX_ROWS = 200
#: The largest id a row can have (bigint); a larger one is refused as bad input, never sent to the database.
MAX_ID = 2**63 - 1


@dataclass(frozen=True)
class Outcome:
    pk: int
    obj: Model | None
    done: bool
    status: int = 200
    reason: str = ""


@dataclass
class BulkResult:
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def done(self) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if outcome.done]

    @property
    def refused(self) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if not outcome.done]

    def as_data(self) -> dict[str, Any]:
        """The API's answer: the ids done, and each refused id with its status and why."""
        return {
            "done": [outcome.pk for outcome in self.done],
            "refused": [
                {"id": outcome.pk, "status": outcome.status, "detail": outcome.reason} for outcome in self.refused
            ],
        }


@dataclass(frozen=True)
class BulkAction:
    """A queue's bulk button: the rows it may act on (the user's scope), the one-row service, and how the
    result names each row."""

    title: str | Promise
    allowed: Callable[[Any], bool]  # user → the role may take it at all (else 403)
    rows: Callable[[Any], QuerySet]  # user → the rows in scope (with what ``describe`` reads)
    run: Callable[..., Any]  # (actor, row, comment) → anything; refusals are raised
    describe: Callable[[Model], str]
    url_of: Callable[[Model], str]
    back_url: Callable[[Any], str]  # request → the queue


def refusal(error: Exception) -> tuple[int, str]:
    """The status and the reader's sentence of a refusal, as the one-row action would answer it."""
    if isinstance(error, DomainError):
        return error.status_code, str(error)
    if isinstance(error, PermissionDenied):
        return 403, str(error) or gettext("Your role does not allow this.")
    if isinstance(error, ValidationError):
        return 400, " ".join(error.messages)
    raise TypeError(f"not a refusal: {error!r}")


def apply_each(*, queryset: QuerySet, ids: Iterable[int], run: Callable[[Model], Any]) -> BulkResult:
    """Run ``run(row)`` for each of ``ids`` found in ``queryset`` (the user's scope; one query), each in its own
    savepoint, in the order given; the same id twice counts once."""
    wanted = list(dict.fromkeys(ids))
    found = queryset.in_bulk(wanted)
    result = BulkResult()
    for pk in wanted:
        row = found.get(pk)
        if row is None:
            result.outcomes.append(Outcome(pk, None, False, 404, gettext("Not found.")))
            continue
        try:
            with transaction.atomic():
                run(row)
        except (DomainError, PermissionDenied, ValidationError) as error:
            status, reason = refusal(error)
            result.outcomes.append(Outcome(pk, row, False, status, reason))
        else:
            result.outcomes.append(Outcome(pk, row, True))
    return result


def parse_ids(values: Iterable[str]) -> list[int]:
    """The ids of a page's checked boxes (a ValidationError naming ``ids`` when one is not an id)."""
    ids = []
    for value in values:
        text = str(value).strip()
        if not text.isdigit() or not 0 < int(text) <= MAX_ID:
            raise ValidationError({"ids": gettext("“%(value)s” is not a row of this list.") % {"value": text[:20]}})
        ids.append(int(text))
    if not ids:
        raise ValidationError({"ids": gettext("Tick at least one row.")})
    if len(ids) > MAX_ROWS:
        raise ValidationError({"ids": gettext("Tick at most %(max)d rows at once.") % {"max": MAX_ROWS}})
    return ids


class BulkInput(serializers.Serializer):
    """The body of a bulk action in the API."""

    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        min_length=1,
        max_length=MAX_ROWS,
        help_text=_("The rows to act on (at most 200); each is checked on its own."),
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class BulkRefusalSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.IntegerField(help_text=_("What the one-row action would answer: 400, 403, 404 or 409."))
    detail = serializers.CharField()


class BulkResultSerializer(serializers.Serializer):
    """For the API schema: what a bulk action answers (always 200 once the body is valid)."""

    done = serializers.ListField(child=serializers.IntegerField())
    refused = BulkRefusalSerializer(many=True)


def bulk_api_response(request, action: BulkAction):
    """The API's bulk action: ``{"ids": [...], "comment": ""}`` → 200 ``{"done": [...], "refused": [...]}``;
    a bad body is a 400 and changes nothing; a role that may not take the action at all, a 403."""
    from rest_framework.response import Response

    from channelhub.api.inputs import parse_input

    if not action.allowed(request.user):
        raise PermissionDenied(gettext("Your role does not allow this."))
    data = parse_input(BulkInput, request)
    result = apply_each(
        queryset=action.rows(request.user),
        ids=data["ids"],
        run=lambda row: action.run(actor=request.user, row=row, comment=data["comment"]),
    )
    return Response(result.as_data())


def bulk_route(verb: str, operation_id: str):
    """A viewset's bulk action ``POST …/<verb>/`` (URL name ``<basename>-<verb>-many``), with its schema."""
    from drf_spectacular.utils import OpenApiResponse, extend_schema
    from rest_framework.decorators import action

    schema = extend_schema(
        request=BulkInput,
        responses={
            200: BulkResultSerializer,
            400: OpenApiResponse(description="Bad body (field errors): nothing was done."),
            403: OpenApiResponse(description="Your role may not take this action at all."),
        },
        filters=False,
        operation_id=operation_id,
    )
    route = action(
        detail=False,
        methods=["post"],
        url_path=verb,
        url_name=f"{verb}-many",
        pagination_class=None,
        filterset_class=None,
    )
    return lambda method: schema(route(method))
