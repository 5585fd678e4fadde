from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from channelhub.admin import ReadOnlyAdmin, ReadOnlyInline, person_column
from channelhub.exports import ADMIN_FORMATS
from evidence.admin import AttachmentInline
from partners.models import (
    Agreement,
    Dealer,
    DealerContact,
    ProductLine,
    QualificationReview,
    QualificationReviewItem,
    Territory,
)
from partners.resources import DealerResource
from partners.services import agreements as agreement_services
from partners.services import dealers as dealer_services
from partners.services import territories as territory_services


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ("path", "code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name", "path")
    list_select_related = ("parent",)
    autocomplete_fields = ("parent",)
    readonly_fields = ("path",)
    fields = ("code", "name", "parent", "level", "path")
    show_full_result_count = False

    def save_model(self, request, obj, form, change):
        # Paths of the whole subtree follow a move or recode: only the service knows how.
        if change:
            stored = Territory.objects.get(pk=obj.pk)
            territory_services.territory_update(territory=stored, name=obj.name, code=obj.code, parent=obj.parent)
        else:
            created = territory_services.territory_create(
                code=obj.code, name=obj.name, parent=obj.parent, level=obj.level
            )
            obj.pk, obj.path = created.pk, created.path


@admin.register(ProductLine)
class ProductLineAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


class ContactInline(admin.TabularInline):
    model = DealerContact
    extra = 0


@admin.register(Dealer)
class DealerAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    """Import/export goes through ``DealerResource``: the same checks as the import page, all or nothing."""

    resource_classes = [DealerResource]
    formats = ADMIN_FORMATS  # CSV and XLSX, text never a live formula
    list_display = (
        "code",
        "name",
        "kind",
        "tier",
        "status",
        "territory",
        person_column("owner", _("owner")),
        "credit_limit",
        "is_key_account",
    )
    list_filter = ("status", "kind", "tier", "is_key_account", "territory__level")
    search_fields = ("code", "name", "legal_name", "search_text")
    list_select_related = ("territory", "owner")
    autocomplete_fields = ("territory", "owner", "parent", "product_lines")
    readonly_fields = ("status", "created_at", "updated_at")
    inlines = (ContactInline,)
    show_full_result_count = False

    def save_model(self, request, obj, form, change):
        # Status changes only through the life cycle; the search text must follow name changes.
        dealer_services.dealer_refresh_search_text(obj)
        super().save_model(request, obj, form, change)
        if not change:
            Dealer.workflow.record_creation(obj, by=request.user)


class ReviewItemInline(ReadOnlyInline):
    model = QualificationReviewItem
    readonly_fields = ("criterion", "weight", "score")


@admin.register(QualificationReview)
class QualificationReviewAdmin(ReadOnlyAdmin):
    """Reviews are evidence of a decision: readable here, made through the dealer's life cycle."""

    list_display = (
        "dealer",
        person_column("submitted_by", _("submitted by")),
        "submitted_at",
        "total_score",
        "decision",
        person_column("decided_by", _("decided by")),
        "credit_limit",
    )
    list_filter = ("decision",)
    search_fields = ("dealer__code", "dealer__name")
    list_select_related = ("dealer", "submitted_by", "decided_by")
    inlines = (ReviewItemInline, AttachmentInline)


class AgreementAdminForm(forms.ModelForm):
    """The minimum prices under the rules of the agreement services: each key a product line's code, each amount
    not negative with at most two decimals (stored with two)."""

    class Meta:
        model = Agreement
        fields = ("min_prices",)  # the admin names every field it shows
        help_texts = {"min_prices": _('Product line code → minimum shelf price, e.g. {"kitchen": "100.00"}.')}

    def clean_min_prices(self):
        try:
            return agreement_services.clean_min_prices(self.cleaned_data.get("min_prices"))
        except ValidationError as error:
            raise ValidationError(error.message_dict["min_prices"]) from None


@admin.register(Agreement)
class AgreementAdmin(SimpleHistoryAdmin):
    form = AgreementAdminForm
    list_display = ("__str__", "dealer", "kind", "status", "start_date", "end_date", "territory", "exclusive")
    list_filter = ("status", "kind", "exclusive", "territory__level")
    search_fields = ("dealer__code", "dealer__name", "id")
    list_select_related = ("dealer", "territory")
    autocomplete_fields = ("dealer", "territory", "product_lines", "previous")
    readonly_fields = ("status", "signed_at", "created_at", "updated_at")
    date_hierarchy = "start_date"
    show_full_result_count = False
    inlines = (AttachmentInline,)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            Agreement.workflow.record_creation(obj, by=request.user)
