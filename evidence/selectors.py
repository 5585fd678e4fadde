"""Evidence reads. The object's own scope decides: callers pass objects the user may already see, or
``scope(user, Attachment)`` (``evidence.policies``) narrows attachments to those of visible objects."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, IntegerField, Model, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from channelhub.scoping import get_scoped_or_404, scope
from evidence.models import Attachment
from evidence.registry import target_of_type


def _rows() -> QuerySet[Attachment]:
    return Attachment.objects.select_related("uploaded_by", "reused_of__object_type")


def attachments_of(obj: Model) -> list[Attachment]:
    """The files of ``obj`` (an object the reader may see), oldest first — one query."""
    object_type = ContentType.objects.get_for_model(obj)
    return list(_rows().filter(object_type=object_type, object_id=obj.pk))


def attachments_for(model: type[Model], ids) -> dict[int, list[Attachment]]:
    """The files of the objects ``ids`` of ``model`` (which the reader may see), by object — one query."""
    object_type = ContentType.objects.get_for_model(model)
    found: dict[int, list[Attachment]] = defaultdict(list)
    for attachment in _rows().filter(object_type=object_type, object_id__in=list(ids)):
        found[attachment.object_id].append(attachment)
    return found


def attachments_for_objects(objects: Iterable[Model]) -> dict[tuple[type[Model], int], list[Attachment]]:
    """The files of ``objects`` (of one or several models, which the reader may see), by ``(model, pk)``,
    oldest first — one query whatever the number of models; none for no objects."""
    wanted: dict[type[Model], set[int]] = defaultdict(set)
    for obj in objects:
        wanted[type(obj)].add(obj.pk)
    if not wanted:
        return {}
    models_by_type: dict[int, type[Model]] = {}
    condition = Q()
    for model, ids in wanted.items():
        object_type = ContentType.objects.get_for_model(model)
        models_by_type[object_type.pk] = model
        condition |= Q(object_type=object_type, object_id__in=sorted(ids))
    found: dict[tuple[type[Model], int], list[Attachment]] = defaultdict(list)
    for attachment in _rows().filter(condition):
        found[(models_by_type[attachment.object_type_id], attachment.object_id)].append(attachment)
    return found


def file_counts(model: type[Model], ids: Iterable[int]) -> dict[int, int]:
    """How many files each of the objects ``ids`` of ``model`` has (objects without any are left out) — one query,
    none for no IDs."""
    ids = list(ids)
    if not ids:
        return {}
    rows = (
        Attachment.objects.filter(object_type=ContentType.objects.get_for_model(model), object_id__in=ids)
        .order_by()
        .values("object_id")
        .annotate(n=Count("id"))
    )
    return {row["object_id"]: row["n"] for row in rows}


def file_count(obj: Model) -> int:
    return file_counts(type(obj), [obj.pk]).get(obj.pk, 0)


def count_column(model: type[Model]) -> Coalesce:
    """``queryset.annotate(photo_count=count_column(Visit))``: how many files each row has, in the list's own
    query (a correlated count on the attachments' object index)."""
    counted = (
        Attachment.objects.filter(object_type=ContentType.objects.get_for_model(model), object_id=OuterRef("pk"))
        .order_by()
        .values("object_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def attachment_for_download(user, pk) -> Attachment:
    """The attachment ``pk`` if ``user`` may see its object, else 404."""
    return get_scoped_or_404(user, Attachment.objects.select_related("object_type"), pk=pk)


@dataclass(frozen=True)
class Origin:
    """Where a reused file was first attached: the object's type and ID always; its name and page only
    for a reader who may see it."""

    model_name: str
    object_id: int
    label: str = ""
    url: str = ""


def reuse_origins(user, attachments) -> dict[int, Origin]:
    """For each reused attachment among ``attachments``: the object its file was first attached to — one
    query per kind of object named."""
    wanted: dict[int, list[Attachment]] = defaultdict(list)
    for attachment in attachments:
        if attachment.reused_of_id and attachment.reused_of is not None:
            wanted[attachment.reused_of.object_type_id].append(attachment)
    origins: dict[int, Origin] = {}
    for group in wanted.values():
        object_type = group[0].reused_of.object_type
        target = target_of_type(object_type)
        model_name = str(object_type.model_class()._meta.verbose_name) if object_type.model_class() else ""
        visible = {}
        if target is not None:
            rows = scope(user, target.model).select_related(*target.select)
            visible = {obj.pk: obj for obj in rows.filter(pk__in={a.reused_of.object_id for a in group})}
        for attachment in group:
            object_id = attachment.reused_of.object_id
            obj = visible.get(object_id)
            origins[attachment.pk] = Origin(
                model_name, object_id, str(obj) if obj else "", target.url(obj) if obj is not None else ""
            )
    return origins


def with_photos(user, objects: list[Model]) -> list[Model]:
    """``objects`` (of one model, which ``user`` may see) with ``photos`` set on each — their files, with the
    ``origin`` of each reused one: two queries, whatever the number of objects."""
    if not objects:
        return objects
    found = attachments_for(type(objects[0]), [obj.pk for obj in objects])
    with_origins(user, [attachment for files in found.values() for attachment in files])
    for obj in objects:
        obj.photos = found.get(obj.pk, [])
    return objects


def with_origins(user, attachments: list[Attachment]) -> list[Attachment]:
    """``attachments`` with ``origin`` set on each (its ``Origin`` when it is a reused file, else None), for
    pages that name where a reused photo was first sent."""
    origins = reuse_origins(user, attachments)
    for attachment in attachments:
        attachment.origin = origins.get(attachment.pk)
    return attachments
