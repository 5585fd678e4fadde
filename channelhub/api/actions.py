"""The state-changing actions of every app's API: ``POST …/<id>/<action>/`` with a small body, answered
with the object as it is afterwards.

A viewset declares one as a class attribute, ``submit = transition_endpoint("submit", service, "statement",
responses=…)``, and answers it with its ``_fresh(obj)`` (the object read again, in the scope of the user).
"""

from __future__ import annotations

from collections.abc import Callable

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.decorators import action

from channelhub.api.inputs import CommentInput, parse_input

#: What a state-changing action may answer besides the object (its schema's ``responses``).
ACTION_RESPONSES = {
    400: OpenApiResponse(description="Bad input (field errors)."),
    403: OpenApiResponse(description="Your role may not take this action, or segregation of duties forbids it."),
    404: OpenApiResponse(description="Unknown or out of scope."),
    409: OpenApiResponse(description="Not allowed in the current state (`detail` names it)."),
}


def transition_endpoint(
    name: str,
    service: Callable,
    field: str,
    body: type = CommentInput,
    *,
    responses: dict,
    url_path: str | None = None,
    doc: str | None = None,
    body_first: bool = False,
):
    """The viewset's action ``name`` (``POST …/<pk>/<url_path or name>/``, URL name ``…-<name with dashes>``):
    ``service(actor=the user, <field>=the object, **the validated body)``, then ``self._fresh(the object)``.

    The object is looked up (404 when out of scope) before the body is checked (400), or after it where
    ``body_first``. ``doc`` is the operation's description (else the viewset's)."""

    def endpoint(self, request, pk=None):
        if body_first:
            data = parse_input(body, request)
            obj = self.get_object()
        else:
            obj = self.get_object()
            data = parse_input(body, request)
        service(actor=request.user, **{field: obj}, **data)
        return self._fresh(obj)

    endpoint.__name__ = endpoint.__qualname__ = name
    endpoint.__doc__ = doc
    routed = action(detail=True, methods=["post"], url_path=url_path)(endpoint)
    return extend_schema(request=body, responses=responses)(routed)
