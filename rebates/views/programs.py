"""Rebate program pages (SPEC §15): the programs and one program with its bands and the agreements that name it
(as far as the reader may see them). Every role reads them; finance and admins keep them in the admin.

Each view: parse → scope (``channelhub.scoping.scope``, ``rebates.selectors``) → render.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse

from channelhub.audit import history_rows
from channelhub.pages import paginate
from channelhub.roles import Role, require_role
from channelhub.scoping import scope
from rebates import policies, selectors
from rebates.models import RebateProgram

ANY_ROLE = (Role.FIELD_REP, Role.CHANNEL_MANAGER, Role.FINANCE, Role.ADMIN)


def _admin_url(user, name: str, *args) -> str | None:
    """The admin page that edits programs, for whoever may use the admin site and set up programs (administrators;
    finance sets them up through the API)."""
    if not (user.is_staff and policies.may_manage_programs(user)):
        return None
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _bands(program: RebateProgram) -> list[dict]:
    """Each band with the edge where the next one starts (None: the last band has no upper edge)."""
    tiers = list(program.tiers.all())
    edges = [tier.from_attainment for tier in tiers[1:]] + [None]
    return [{"tier": tier, "below": below} for tier, below in zip(tiers, edges, strict=True)]


def program_list_page(request):
    user = request.user
    require_role(user, *ANY_ROLE)
    context = {
        "page_obj": paginate(request, scope(user, selectors.program_list())),
        "admin_url": _admin_url(user, "admin:rebates_rebateprogram_changelist"),
    }
    return render(request, "rebates/programs/program_list.html", context)


def program_detail_page(request, pk: int):
    user = request.user
    program: RebateProgram = get_object_or_404(scope(user, selectors.program_list()), pk=pk)
    agreements = paginate(request, selectors.program_agreements(user, program))
    context = {
        "program": program,
        "bands": _bands(program),
        "product_lines": list(program.product_lines.all()),
        "agreements": agreements,
        "page_obj": agreements,
        "admin_url": _admin_url(user, "admin:rebates_rebateprogram_change", program.pk),
        "settlements_url": f"{reverse('rebates:settlement-list')}?program={program.pk}",
        "history": history_rows(program),
    }
    return render(request, "rebates/programs/program_detail.html", context)
