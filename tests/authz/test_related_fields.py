"""Out-of-scope related objects are unknown, not "exists but hidden" (SPEC §2): for every writable related
field of every API serializer and every model choice of every filter, an ID the user may not see is
answered exactly like an ID that does not exist, as each role of the matrix.

The IDs come from the matrix's world: for each field, a row of its model outside the user's scope (the
other team's dealer, statement, line …) against an ID no row has.
"""

from __future__ import annotations

import re

import django_filters
import pytest
from rest_framework import serializers
from rest_framework.test import APIRequestFactory

from channelhub.api.fields import ScopedRelatedMixin, scoped_choices
from channelhub.scoping import scope
from tests.channelhub.test_scoped_fields import project_filtersets, project_serializers, writable_related_fields

ROLES = ("rep", "manager", "other_manager", "finance")


def _request(user):
    request = APIRequestFactory().get("/")
    request.user = request._force_auth_user = user
    return request


def scoped_fields(serializer, path: str):
    return (
        (where, field)
        for where, field in writable_related_fields(serializer, path)
        if isinstance(field, ScopedRelatedMixin)
    )


def hidden_and_missing(user, model):
    """An ID of a row of ``model`` that ``user`` may not see (None: they see every row), and one no row has."""
    visible = scope(user, model).values("pk")
    hidden = model._default_manager.exclude(pk__in=visible).order_by("pk").values_list("pk", flat=True).first()
    missing = (model._default_manager.order_by("-pk").values_list("pk", flat=True).first() or 0) + 10_000
    return hidden, missing


def answer(run, value) -> str:
    """What validating ``value`` answers, with the number itself taken out."""
    try:
        run(value)
    except (serializers.ValidationError, django_filters.fields.forms.ValidationError) as error:
        detail = getattr(error, "detail", None) or getattr(error, "messages", None)
        return re.sub(r"\d+", "N", str(detail))
    return "accepted"


@pytest.mark.parametrize("who", ROLES)
def test_every_related_field_answers_an_out_of_scope_id_like_a_missing_one(world, everyone, who):
    user = everyone[who]
    request = _request(user)
    checked, problems = 0, []
    for cls in project_serializers():
        try:
            serializer = cls(context={"request": request})
            fields = list(scoped_fields(serializer, f"{cls.__module__}.{cls.__qualname__}"))
        except (TypeError, AssertionError):  # an abstract base, or a part built by its parent
            continue
        for path, field in fields:
            model = field.get_queryset().model
            hidden, missing = hidden_and_missing(user, model)
            if hidden is None:
                continue  # the user sees every row of this model in the world
            key = (lambda pk: pk) if isinstance(field, serializers.PrimaryKeyRelatedField) else None
            if key is None:  # a slug field: the slug of the hidden row, and one no row has
                hidden = getattr(model._default_manager.get(pk=hidden), field.slug_field)
                missing = f"{hidden}-missing"
            checked += 1
            seen, unknown = answer(field.run_validation, hidden), answer(field.run_validation, missing)
            if seen != unknown or seen == "accepted":
                problems.append(f"{path}: hidden {seen!r}, missing {unknown!r}")
    if who != "finance":  # finance sees every dealer, person and statement: nothing to hide from it here
        assert checked >= 3, "the world should hold rows outside the user's scope for several fields"
    assert not problems, "related fields that tell a hidden row from a missing one: " + "; ".join(problems)


@pytest.mark.parametrize("who", ROLES)
def test_every_filter_choice_answers_an_out_of_scope_id_like_a_missing_one(world, everyone, who):
    user = everyone[who]
    request = _request(user)
    checked, problems = 0, []
    for cls in project_filtersets():
        for name, declared in cls.base_filters.items():
            if not isinstance(declared, django_filters.ModelChoiceFilter | django_filters.ModelMultipleChoiceFilter):
                continue
            queryset = declared.extra.get("queryset")
            if not isinstance(queryset, scoped_choices):
                continue  # reference data: every role reads every row
            if cls._meta.model is None:
                continue  # a base class: its subclasses are checked
            filterset = cls(data={}, request=request, queryset=cls._meta.model._default_manager.none())
            field = filterset.form.fields[name]
            hidden, missing = hidden_and_missing(user, field.queryset.model)
            if hidden is None:
                continue
            many = isinstance(declared, django_filters.ModelMultipleChoiceFilter)
            checked += 1
            seen = answer(field.clean, [hidden] if many else hidden)
            unknown = answer(field.clean, [missing] if many else missing)
            if seen != unknown or seen == "accepted":
                problems.append(f"{cls.__module__}.{cls.__qualname__}.{name}: hidden {seen!r}, missing {unknown!r}")
    if who != "finance":
        assert checked >= 1
    assert not problems, "filters that tell a hidden row from a missing one: " + "; ".join(problems)
