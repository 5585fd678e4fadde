"""Nothing hidden shows through a related field (SPEC §2): every related-object field of the API takes its
rows from ``scope(user, …)``, so an out-of-scope ID is answered exactly like one that does not exist."""

from __future__ import annotations

import importlib

from rest_framework import serializers
from rest_framework.test import APIRequestFactory

from channelhub.api.fields import ScopedRelatedMixin
from channelhub.registry import API_MODULES
from channelhub.scoping import has_scope_rule

PROJECT = ("channelhub", "partners", "visits", "kpi", "commissions")
#: Models every role reads whole (their scope rule answers everything): nothing to hide in their choices.
REFERENCE_DATA = ("partners.territory", "partners.productline", "kpi.scorecardtemplate", "kpi.period")


def project_serializers() -> list[type]:
    for module in API_MODULES:
        importlib.import_module(module)
    found, todo = [], [serializers.BaseSerializer]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in PROJECT:
            found.append(cls)
    return sorted(set(found), key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


def writable_related_fields(serializer, path: str):
    """``(path, field)`` of every writable related field of ``serializer``, nested ones and lists included."""
    for name, field in serializer.fields.items():
        if isinstance(field, serializers.ListSerializer):
            field = field.child
        if isinstance(field, serializers.ManyRelatedField):
            field = field.child_relation
        if isinstance(field, serializers.BaseSerializer):
            yield from writable_related_fields(field, f"{path}.{name}")
        elif isinstance(field, serializers.RelatedField) and not field.read_only:
            yield f"{path}.{name}", field


def unscoped_fields(serializer, path: str) -> list[str]:
    return [
        f"{where} ({field.queryset.model._meta.label})"
        for where, field in writable_related_fields(serializer, path)
        if has_scope_rule(field.queryset.model) and not isinstance(field, ScopedRelatedMixin)
    ]


def test_every_writable_related_field_of_the_api_is_scoped(rep):
    request = APIRequestFactory().get("/")
    request.user = rep
    checked, problems = 0, []
    for cls in project_serializers():
        try:
            serializer = cls(context={"request": request})
            fields = serializer.fields
        except (TypeError, AssertionError):  # an abstract base (no Meta), or an output part built by its parent
            continue
        checked += 1
        del fields
        problems += unscoped_fields(serializer, f"{cls.__module__}.{cls.__qualname__}")
    assert checked > 30
    assert not problems, "related fields that would accept a row out of the user's scope: " + ", ".join(problems)


def test_another_teams_dealer_as_parent_is_an_unknown_dealer(api_as, manager, d):
    """The finding: the API's ``parent`` accepted (and then showed) another team's dealer."""
    client = api_as(manager)
    body = {"code": "NEW-1", "name": "新经销商", "territory": d["A1"].territory_id, "owner": d["A1"].owner_id}
    hidden = client.post("/api/v1/dealers/", {**body, "parent": d["O1"].pk}, format="json")
    missing = client.post("/api/v1/dealers/", {**body, "parent": 999_999}, format="json")
    assert hidden.status_code == missing.status_code == 400
    assert hidden.json()["parent"][0].replace(str(d["O1"].pk), "N") == missing.json()["parent"][0].replace(
        "999999", "N"
    )
    assert "广州" not in hidden.content.decode()
    patch = client.patch(f"/api/v1/dealers/{d['A1'].pk}/", {"parent": d["O1"].pk}, format="json")
    assert patch.status_code == 400 and list(patch.json()) == ["parent"]


def project_filtersets() -> list[type]:
    import django_filters

    for module in API_MODULES:
        importlib.import_module(module)
    found, todo = [], [django_filters.FilterSet]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] in PROJECT:
            found.append(cls)
    return found


def test_every_choice_filter_offers_only_rows_in_scope():
    import django_filters

    from channelhub.api.fields import scoped_choices

    problems, checked = [], 0
    for cls in project_filtersets():
        for name, filter_ in cls.base_filters.items():
            if isinstance(filter_, django_filters.ModelChoiceFilter | django_filters.ModelMultipleChoiceFilter):
                checked += 1
                queryset = filter_.extra.get("queryset")
                model = queryset.model if queryset is not None else None
                reference = model is not None and model._meta.label_lower.startswith(REFERENCE_DATA)
                scoped = isinstance(queryset, scoped_choices)
                if model is not None and has_scope_rule(model) and not reference and not scoped:
                    problems.append(f"{cls.__module__}.{cls.__qualname__}.{name}")
    assert checked > 10
    assert not problems, "filters whose choices are not scoped: " + ", ".join(problems)
