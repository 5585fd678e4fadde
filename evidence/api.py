"""Evidence in the REST API (SPEC §13).

* ``attachments_endpoint()`` gives a viewset of a registered object ``POST …/{id}/attachments/``
  (multipart ``file``, ``kind``; several ``file`` parts at once): 201 with the new files, 200 when every
  file was already there (the same ``sha256`` on this object), 400 naming each refused file, 409 when
  the object takes no more files now. ``AttachmentSerializer`` lists them in the object's detail.
* ``GET /api/v1/attachments/{id}/file/`` streams the original (staff), ``copy/`` the watermarked copy,
  ``thumbnail/`` the thumbnail — 404 when the object is out of the reader's scope. Files are never
  served from a public URL.
"""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from channelhub.api.router import router
from channelhub.api.viewsets import ScopedReadOnlyViewSet
from evidence import policies
from evidence.models import Attachment
from evidence.selectors import _rows, attachments_of
from evidence.services import attachments_add

#: The types a file is streamed as (the original's; the copy and the thumbnail are JPEG).
FILE_TYPES = ("image/jpeg", "image/png", "image/webp", "application/pdf")


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()
    copy_url = serializers.SerializerMethodField()
    flags = serializers.ListField(child=serializers.ChoiceField(choices=Attachment.Flag.choices), read_only=True)
    uploaded_by_name = serializers.SerializerMethodField()
    reused_of = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = [
            "id",
            "kind",
            "name",
            "content_type",
            "size",
            "sha256",
            "width",
            "height",
            "taken_at",
            "latitude",
            "longitude",
            "position_from_exif",
            "uploaded_by",
            "uploaded_by_name",
            "uploaded_at",
            "url",
            "copy_url",
            "thumbnail_url",
            "flags",
            "distance_m",
            "reused_of",
        ]
        read_only_fields = fields

    def _user(self):
        request = self.context.get("request")
        return getattr(request, "user", None)

    def get_url(self, attachment) -> str:
        """The original for staff; for others (dealers) the watermarked copy."""
        user = self._user()
        if user is not None and not policies.may_see_original(user) and attachment.is_image:
            return reverse("attachment-copy", args=[attachment.pk])
        return reverse("attachment-download", args=[attachment.pk])

    def get_copy_url(self, attachment) -> str | None:
        return reverse("attachment-copy", args=[attachment.pk]) if attachment.is_image else None

    def get_thumbnail_url(self, attachment) -> str | None:
        return reverse("attachment-thumbnail", args=[attachment.pk]) if attachment.is_image else None

    def get_uploaded_by_name(self, attachment) -> str:
        from channelhub.accounts.selectors import display_name

        return display_name(attachment.uploaded_by)

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {"object_type": {"type": "string"}, "object_id": {"type": "integer"}},
        }
    )
    def get_reused_of(self, attachment):
        """The object the same file was first attached to (``photo_reused``)."""
        first = attachment.reused_of
        if first is None:
            return None
        return {"object_type": first.object_type.model, "object_id": first.object_id}


class AttachmentInput(serializers.Serializer):
    file = serializers.ListField(
        child=serializers.FileField(max_length=255, allow_empty_file=True),
        allow_empty=False,
        error_messages={"empty": _("Choose a file."), "required": _("Choose a file.")},
        help_text=_("One or more files: JPEG, PNG, WebP or PDF, up to 10 MB each."),
    )
    kind = serializers.ChoiceField(choices=Attachment.Kind.choices, default=Attachment.Kind.PHOTO)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False)
    longitude = serializers.DecimalField(max_digits=10, decimal_places=6, min_value=-180, max_value=180, required=False)


class PhotoInput(AttachmentInput):
    kind = None


def _attach(viewset, request, kind: str | None):
    """Shared body of ``attachments`` and ``photos``: the object (404 out of scope), then the files."""
    obj = viewset.get_object()
    # the files come from the multipart parts named ``file`` (any other body has none: a 400 on ``file``)
    files = request.FILES.getlist("file") if hasattr(request.FILES, "getlist") else []
    fields = (
        {key: value for key, value in request.data.items() if key != "file"} if hasattr(request.data, "items") else {}
    )
    serializer = (PhotoInput if kind else AttachmentInput)(data={**fields, "file": files})
    serializer.is_valid(raise_exception=True)
    values = serializer.validated_data
    results = attachments_add(
        actor=request.user,
        obj=obj,
        files=values["file"],
        kind=kind or values["kind"],
        latitude=values.get("latitude"),
        longitude=values.get("longitude"),
    )
    created = any(made for _attachment, made in results)
    ids = [attachment.pk for attachment, _made in results]
    rows = {a.pk: a for a in _rows().filter(pk__in=ids)}
    body = AttachmentSerializer([rows[pk] for pk in ids], many=True, context={"request": request}).data
    return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


UPLOAD_RESPONSES = {
    201: AttachmentSerializer(many=True),
    200: OpenApiResponse(AttachmentSerializer(many=True), description="Every file was already on this record."),
    400: OpenApiResponse(description="A file refused (each named with its reason), or a bad field."),
    403: OpenApiResponse(description="Your role may not attach files to this record."),
    404: OpenApiResponse(description="Unknown or out of scope."),
    409: OpenApiResponse(description="The record takes no more files now (`detail` says why)."),
}


def attachments_endpoint(*, kind: str | None = None, url_path: str = "attachments", doc: str | None = None):
    """``POST …/{id}/<url_path>/`` on a viewset of a registered object; ``kind`` fixes the kind (``photos``)."""

    def endpoint(self, request, pk=None):
        return _attach(self, request, kind)

    endpoint.__name__ = endpoint.__qualname__ = url_path.replace("-", "_")
    endpoint.__doc__ = doc or _("Attach files (SPEC §13): JPEG, PNG, WebP or PDF, up to 10 MB each, 9 per record.")
    routed = action(detail=True, methods=["post"], url_path=url_path)(endpoint)
    body = PhotoInput if kind else AttachmentInput
    return extend_schema(request={"multipart/form-data": body}, responses=UPLOAD_RESPONSES)(routed)


class AttachmentsField(serializers.ListSerializer):
    """``attachments = AttachmentsField()`` on a detail serializer: the object's files (SPEC §13), one query.
    Never on a list serializer (a query per row)."""

    def __init__(self, **kwargs):
        super().__init__(child=AttachmentSerializer(), source="*", read_only=True, **kwargs)

    def to_representation(self, obj) -> list:
        return super().to_representation(attachments_of(obj))


class PassthroughRenderer(BaseRenderer):
    """Lets a file response through whatever the client accepts; errors are still JSON."""

    media_type = "*/*"
    format = "file"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


def _stream(field, attachment: Attachment, *, as_copy: bool) -> FileResponse:
    if not field:
        raise Http404
    try:
        content = field.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    inline = attachment.is_image
    name = attachment.name if not as_copy else attachment.name.rsplit(".", 1)[0] + ".jpg"
    response = FileResponse(
        content,
        as_attachment=not inline,
        filename=name,
        content_type=attachment.content_type if not as_copy else "image/jpeg",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    # a file is never a page: nothing in it runs, even opened on its own
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


FILE_RESPONSES = {
    **{(200, media): OpenApiTypes.BINARY for media in FILE_TYPES},
    404: OpenApiResponse(description="Unknown, out of scope, or no such copy."),
}


class AttachmentViewSet(ScopedReadOnlyViewSet):
    """Files kept as evidence (SPEC §13), on the objects the reader may see. ``file/`` streams the original
    (the watermarked copy for readers who may not see originals), ``copy/`` the watermarked copy,
    ``thumbnail/`` the thumbnail of a photo."""

    queryset = Attachment.objects.select_related("uploaded_by", "reused_of__object_type", "object_type")
    serializer_class = AttachmentSerializer
    filterset_fields = ["kind", "sha256"]
    ordering_fields = ["uploaded_at"]
    renderer_classes = [JSONRenderer, PassthroughRenderer]

    @extend_schema(responses=FILE_RESPONSES)
    @action(detail=True, methods=["get"], url_path="file", url_name="download")
    def download(self, request, pk=None):
        attachment = self.get_object()
        if attachment.is_image and not policies.may_see_original(request.user):
            return _stream(attachment.copy, attachment, as_copy=True)
        return _stream(attachment.file, attachment, as_copy=False)

    @extend_schema(responses=FILE_RESPONSES)
    @action(detail=True, methods=["get"], url_path="copy")
    def copy(self, request, pk=None):
        attachment = self.get_object()
        return _stream(attachment.copy, attachment, as_copy=True)

    @extend_schema(responses=FILE_RESPONSES)
    @action(detail=True, methods=["get"])
    def thumbnail(self, request, pk=None):
        """The thumbnail; until it is made, the original (staff) or nothing (404)."""
        attachment = self.get_object()
        if attachment.thumbnail:
            return _stream(attachment.thumbnail, attachment, as_copy=True)
        if attachment.is_image and policies.may_see_original(request.user):
            return _stream(attachment.file, attachment, as_copy=False)
        raise Http404


router.register("attachments", AttachmentViewSet, basename="attachment")
