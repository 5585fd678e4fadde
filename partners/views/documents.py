"""Documents on qualification reviews and agreements (SPEC §13): the upload forms of the dealer page and of
the agreement page post here. Parse → scope → ``evidence.services.attachments_add`` → back to the page with a
message: a refused file (400, named with its reason) and a state that takes no documents (409) are error
messages; a role that may not attach gets 403."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext, ngettext

from channelhub.errors import Conflict
from channelhub.scoping import scope
from evidence.models import Attachment
from evidence.services import attachments_add
from partners.models import QualificationReview
from partners.selectors import agreement_list


def _attach(request, obj: Model, back: str):
    """POST ``file`` (one or several) onto ``obj``; GET goes back to the page."""
    if request.method != "POST":
        return redirect(back)
    try:
        # the service checks the role (PermissionDenied: 403) and the state before it reads a file
        results = attachments_add(
            actor=request.user, obj=obj, files=request.FILES.getlist("file"), kind=Attachment.Kind.DOCUMENT
        )
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
        return redirect(back)
    except Conflict as refusal:
        messages.error(request, str(refusal))
        return redirect(back)
    added = sum(1 for _attachment, created in results if created)
    if added:
        messages.success(
            request, ngettext("%(count)d document added.", "%(count)d documents added.", added) % {"count": added}
        )
    else:
        messages.info(request, gettext("These documents were already there."))
    return redirect(back)


def review_documents_page(request, pk: int):
    review = get_object_or_404(scope(request.user, QualificationReview.objects.select_related("dealer")), pk=pk)
    return _attach(request, review, reverse("partners:dealer-detail", args=[review.dealer_id]) + "#documents")


def agreement_documents_page(request, pk: int):
    agreement = get_object_or_404(agreement_list(request.user), pk=pk)
    return _attach(request, agreement, reverse("partners:agreement-detail", args=[agreement.pk]) + "#documents")
