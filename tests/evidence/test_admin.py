"""Attachments in the admin (issue 16 item 8): read-only inlines on visits, qualification reviews and
agreements (file link, thumbnail, flags), and a read-only list of their own."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from evidence.admin import AttachmentInline
from evidence.models import Attachment
from evidence.services import attachments_add
from partners.models import Agreement, QualificationReview
from partners.services import dealers as dealer_services
from tests.evidence.files import pdf_bytes, photo, upload
from tests.partners.world import FULL_REVIEW, YEAR_2026, make_agreement, make_dealer
from tests.visits.world import log
from visits.models import Visit


@pytest.fixture
def records(covered, manager, rep, lines, django_capture_on_commit_callbacks):
    """A visit with a photo, a review with a PDF, an agreement with a scanned photo (copies made)."""
    dealer = make_dealer(manager, covered["SH-SH"], rep, "E001", latitude="31.2304", longitude="121.4737")
    dealer_services.dealer_submit_review(actor=manager, dealer=dealer, items=FULL_REVIEW)
    review = dealer.reviews.get()
    agreement = make_agreement(manager, dealer, covered["SH-SH"], [lines["kitchen"]], *YEAR_2026)
    visit = log(rep, dealer, timezone.now() - timedelta(minutes=5))
    with django_capture_on_commit_callbacks(execute=True):
        [(on_visit, _)] = attachments_add(actor=rep, obj=visit, files=[photo("门头.jpg")])
        [(on_review, _)] = attachments_add(
            actor=manager, obj=review, files=[upload(pdf_bytes(), "营业执照.pdf")], kind="document"
        )
        [(on_agreement, _)] = attachments_add(
            actor=manager, obj=agreement, files=[photo("合同扫描.jpg", colour=(5, 5, 5))], kind="document"
        )
    return {visit: on_visit, review: on_review, agreement: on_agreement}


def change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def test_inlines_show_the_file_link_and_thumbnail_on_their_objects(client_as, admin_user, records):
    client = client_as(admin_user)
    for obj, attachment in records.items():
        response = client.get(change_url(obj))
        assert response.status_code == 200, obj
        page = response.content.decode()
        assert f'href="{reverse("attachment-download", args=[attachment.pk])}"' in page, obj
        assert attachment.name in page and attachment.sha256 in page
        thumbnail = reverse("attachment-thumbnail", args=[attachment.pk])
        assert (f'src="{thumbnail}"' in page) == attachment.is_image, obj
        # read-only: no field of the attachment to change, no "add another", no delete box
        assert 'name="evidence-attachment-object_type-object_id-0-id"' in page
        assert 'name="evidence-attachment-object_type-object_id-0-kind"' not in page
        assert "evidence-attachment-object_type-object_id-0-DELETE" not in page
        assert "add-row" not in page


def test_the_inline_shows_the_flags(page_as, admin_user, records):
    visit, attachment = next((obj, a) for obj, a in records.items() if isinstance(obj, Visit))
    Attachment.objects.filter(pk=attachment.pk).update(time_mismatch=True, far=True)
    page = page_as(admin_user).get(change_url(visit)).content.decode()
    assert "photo time mismatch, photo far from dealer" in page


def test_the_inline_is_on_the_three_admins():
    for model in (Visit, QualificationReview, Agreement):
        assert AttachmentInline in admin.site._registry[model].inlines, model


def test_attachment_admin_lists_and_shows_read_only(client_as, admin_user, records):
    client = client_as(admin_user)
    changelist = client.get(reverse("admin:evidence_attachment_changelist"))
    assert changelist.status_code == 200
    assert len(changelist.context["cl"].result_list) == 3
    assert client.get(reverse("admin:evidence_attachment_changelist"), {"kind": "document"}).status_code == 200
    found = client.get(reverse("admin:evidence_attachment_changelist"), {"q": "营业执照"})
    assert [a.name for a in found.context["cl"].result_list] == ["营业执照.pdf"]
    attachment = next(iter(records.values()))
    change = client.get(reverse("admin:evidence_attachment_change", args=[attachment.pk]))
    assert change.status_code == 200
    assert reverse("attachment-download", args=[attachment.pk]) in change.content.decode()
    assert client.get(reverse("admin:evidence_attachment_add")).status_code == 403


def test_nobody_adds_changes_or_deletes_attachments_in_the_admin(admin_user):
    request = RequestFactory().get("/")
    request.user = admin_user
    model_admin = admin.site._registry[Attachment]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    inline = AttachmentInline(Visit, admin.site)
    assert not inline.has_add_permission(request, None)
    assert not inline.has_change_permission(request, None)
    assert not inline.has_delete_permission(request, None)
