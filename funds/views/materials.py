"""Material pages (物料, SPEC §14): the catalogue and each dealer's latest counts, the variances beyond 5 %
first (the manager's list); a material (finance, managers, admins), an issue to a dealer (the dealer's
manager) and a count (the dealer's rep or manager) — phone-first forms.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext

from channelhub.formatting import amount
from channelhub.pages import paginate, posted
from channelhub.roles import Role, has_role, require_role
from channelhub.scoping import scope
from funds import policies, selectors
from funds.forms.materials import CountForm, IssueForm, MaterialForm
from funds.models import FundRequest
from funds.policies import MATERIAL_VARIANCE_LIMIT
from funds.services import materials as material_services
from funds.views.common import submit
from partners.models import Dealer

MATERIAL_READERS = (Role.FIELD_REP, Role.CHANNEL_MANAGER, Role.FINANCE, Role.ADMIN)
ISSUERS = (Role.CHANNEL_MANAGER, Role.ADMIN)
COUNTERS = (Role.FIELD_REP, Role.CHANNEL_MANAGER, Role.ADMIN)


def material_list_page(request):
    """``?flagged=1``: only the variances beyond 5 %. The catalogue, then each dealer's latest count of each
    material the user sees — flagged first — pages of 50."""
    user = request.user
    require_role(user, *MATERIAL_READERS)
    counts = selectors.latest_counts(user)
    flagged_only = request.GET.get("flagged") == "1"
    context = {
        "catalogue": list(selectors.material_catalogue(user)),
        "page_obj": paginate(request, counts.filter(variance_flagged=True) if flagged_only else counts),
        "flagged_only": flagged_only,
        "flagged_count": counts.filter(variance_flagged=True).count(),
        "limit": MATERIAL_VARIANCE_LIMIT,
        "can_manage": policies.may_manage_materials(user),
        "can_issue": has_role(user, *ISSUERS),
        "can_count": has_role(user, *COUNTERS),
    }
    return render(request, "funds/material_list.html", context)


def _form_page(request, form, template: str, status: int):
    return render(request, template, {"form": form}, status=status)


def material_create_page(request):
    user = request.user
    policies.require(policies.may_manage_materials(user))
    form = MaterialForm(posted(request))
    material, status = submit(
        request, form, material_services.material_save, lambda: {"actor": user, **form.cleaned_data}
    )
    if material is not None:
        messages.success(request, gettext("Material %(material)s added.") % {"material": material})
        return redirect("funds:material-list")
    return _form_page(request, form, "funds/material_form.html", status)


def _initial_dealer(request) -> dict:
    """``?dealer=ID`` (from a dealer's page) chooses the dealer (among those the form offers)."""
    dealer_id = request.GET.get("dealer", "")
    return {"dealer": dealer_id} if dealer_id.isdigit() else {}


def material_issue_page(request):
    """The dealer's manager hands materials to a dealer (on a fund request of it, or on their own)."""
    user = request.user
    require_role(user, *ISSUERS)
    dealers = scope(user, Dealer).exclude(status=Dealer.Status.TERMINATED)
    form = IssueForm(
        posted(request),
        dealers=dealers,
        requests=scope(user, FundRequest),
        initial=_initial_dealer(request),
    )
    issue, status = submit(
        request, form, material_services.material_issue, lambda: {"actor": user, **form.issue_fields()}
    )
    if issue is not None:
        messages.success(
            request,
            gettext("%(quantity)s %(unit)s of %(material)s issued to %(dealer)s.")
            % {
                "quantity": amount(issue.quantity),
                "unit": issue.material.unit,
                "material": issue.material.name,
                "dealer": issue.dealer.name,
            },
        )
        return _next(request, "funds:material-issue")
    return _form_page(request, form, "funds/material_issue.html", status)


def material_count_page(request):
    """盘点: the dealer's rep (or manager) records what the dealer holds and reports as used; the variance
    against what was issued is computed and flagged beyond 5 %."""
    user = request.user
    require_role(user, *COUNTERS)
    dealers = scope(user, Dealer)
    form = CountForm(posted(request), dealers=dealers, initial=_initial_dealer(request))
    count, status = submit(
        request, form, material_services.material_count_record, lambda: {"actor": user, **form.cleaned_data}
    )
    if count is not None:
        values = {
            "material": count.material.name,
            "dealer": count.dealer.name,
            "variance": amount(count.variance),
            "issued": amount(count.issued_quantity),
        }
        if count.variance_flagged:
            messages.warning(
                request,
                gettext(
                    "Count of %(material)s at %(dealer)s recorded. Its variance of %(variance)s against %(issued)s "
                    "issued is beyond 5 %%: it is flagged for the manager."
                )
                % values,
            )
        else:
            messages.success(request, gettext("Count of %(material)s at %(dealer)s recorded.") % values)
        return _next(request, "funds:material-count")
    return _form_page(request, form, "funds/material_count.html", status)


def _next(request, again: str):
    """Back to the list, or — with "another" — to an empty form for the next row."""
    return redirect(reverse(again) if "another" in request.POST else reverse("funds:material-list"))
