"""Who may see and do what with inspections, rectifications and complaints (SPEC §2 row "inspections,
rectifications, complaints", §17).

* Inspectors are channel managers or users of the group ``inspector``. An inspector (of that group) sees the
  dealers of the territories on their profile, read only, and their own inspections with their rectifications.
* A channel manager plans inspections of the dealers of their territories (for themselves or an inspector who
  covers the dealer); an inspector plans their own. Only the inspection's inspector (or an admin) records its
  results and completes it; the dealer's manager (or an admin) reviews it — never the one who inspected.
* A mystery inspection (暗访) stays hidden from the dealer's rep until it is done: in lists, counts,
  notifications and the dealer page — the scope rule below leaves it out.
* The dealer's rep (or an admin) answers a rectification; the inspector, the dealer's manager or an admin
  verifies or reopens it — not the person who answered.
* Complaints: the dealer's rep, manager or an admin record them; the assignee, the dealer's manager or an
  admin respond and resolve. Finance reads everything.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from channelhub.errors import Conflict
from channelhub.roles import Role, has_role
from channelhub.scoping import in_territories_of, reference_data, scope_rule
from funds.policies import is_dealer_manager, require
from partners.models import Dealer
from partners.policies import covers, dealer_condition

from .models import Complaint, Inspection, InspectionResult, Rectification

__all__ = ["is_dealer_manager", "require"]


def is_dealer_rep(user, dealer: Dealer) -> bool:
    return has_role(user, Role.FIELD_REP) and dealer.owner_id == user.pk


def is_inspector(user) -> bool:
    """Whether ``user`` inspects at all: a channel manager, an inspector or an admin."""
    return has_role(user, Role.CHANNEL_MANAGER, Role.INSPECTOR, Role.ADMIN)


def inspects_for(user, dealer: Dealer) -> bool:
    """Whether ``user`` may inspect ``dealer``: an admin, or a manager or inspector whose territories hold it."""
    if has_role(user, Role.ADMIN):
        return True
    return has_role(user, Role.CHANNEL_MANAGER, Role.INSPECTOR) and covers(user, dealer.territory)


def plan_refusal(actor, dealer: Dealer, inspector) -> str | None:
    """Why ``actor`` may not plan an inspection of ``dealer`` by ``inspector``, or None."""
    if has_role(actor, Role.ADMIN) or is_dealer_manager(actor, dealer):
        if not inspects_for(inspector, dealer):
            return _("The inspector must be a channel manager or an inspector whose territories hold the dealer.")
        return None
    if has_role(actor, Role.INSPECTOR) and covers(actor, dealer.territory):
        if inspector.pk != actor.pk:
            return _("An inspector plans inspections for themselves.")
        return None
    return _("Only the dealer's channel manager, an inspector of its territory or an admin plans inspections.")


def may_plan(user) -> bool:
    return is_inspector(user)


def may_perform(user, inspection: Inspection) -> bool:
    """Record results and complete: the inspection's inspector or an admin, while it is planned."""
    return inspection.status == Inspection.Status.PLANNED and (
        inspection.inspector_id == user.pk or has_role(user, Role.ADMIN)
    )


def perform_refusal(user, inspection: Inspection) -> PermissionDenied | Conflict | None:
    if inspection.inspector_id != user.pk and not has_role(user, Role.ADMIN):
        return PermissionDenied(_("Only the inspection's inspector records its results."))
    if inspection.status != Inspection.Status.PLANNED:
        return Conflict(
            _("This inspection is “%(state)s”: its results are final.") % {"state": inspection.get_status_display()},
            current_state=inspection.status,
        )
    return None


def review_refusal(user, inspection: Inspection) -> str | None:
    if not (has_role(user, Role.ADMIN) or is_dealer_manager(user, inspection.dealer)):
        return _("Only the dealer's channel manager or an admin reviews an inspection.")
    if inspection.inspector_id == user.pk:
        return _("You cannot review an inspection you made yourself.")
    return None


def may_review(user, inspection: Inspection) -> bool:
    return inspection.status == Inspection.Status.DONE and review_refusal(user, inspection) is None


def inspection_actions(user, inspection: Inspection) -> list[str]:
    """The API actions ``user`` may take on ``inspection`` now, in the order pages show them."""
    actions = []
    if may_perform(user, inspection):
        actions += ["results", "complete"]
    if may_review(user, inspection):
        actions.append("review")
    return actions


# --- rectifications ---------------------------------------------------------------------------------------


def answers_for(user, dealer: Dealer) -> bool:
    """The dealer's rep or an admin answers its rectifications."""
    return has_role(user, Role.ADMIN) or is_dealer_rep(user, dealer)


def verify_refusal(user, rectification: Rectification) -> str | None:
    inspection = rectification.inspection
    if not (
        has_role(user, Role.ADMIN)
        or inspection.inspector_id == user.pk
        or is_dealer_manager(user, rectification.dealer)
    ):
        return _("Only the inspector, the dealer's channel manager or an admin verifies a rectification.")
    if rectification.answered_by_id == user.pk:
        return _("You cannot verify a rectification you answered yourself.")
    return None


def may_answer(user, rectification: Rectification) -> bool:
    return rectification.status in Rectification.WAITING and answers_for(user, rectification.dealer)


def may_verify(user, rectification: Rectification) -> bool:
    return rectification.status == Rectification.Status.SUBMITTED and verify_refusal(user, rectification) is None


def rectification_actions(user, rectification: Rectification) -> list[str]:
    actions = ["submit"] if may_answer(user, rectification) else []
    if may_verify(user, rectification):
        actions += ["verify", "reopen"]
    return actions


# --- complaints -------------------------------------------------------------------------------------------


def records_complaints_for(user, dealer: Dealer) -> bool:
    return has_role(user, Role.ADMIN) or is_dealer_manager(user, dealer) or is_dealer_rep(user, dealer)


def may_record_complaints(user) -> bool:
    return has_role(user, Role.FIELD_REP, Role.CHANNEL_MANAGER, Role.ADMIN)


def handles(user, complaint: Complaint) -> bool:
    """The assignee, the dealer's channel manager or an admin respond to and resolve a complaint."""
    return complaint.assignee_id == user.pk or has_role(user, Role.ADMIN) or is_dealer_manager(user, complaint.dealer)


def complaint_actions(user, complaint: Complaint) -> list[str]:
    if not handles(user, complaint):
        return []
    return [t.name for t in Complaint.workflow.available(complaint)]


def assignee_refusal(dealer: Dealer, assignee) -> str | None:
    """The assignee is the dealer's rep or a channel manager of its territory."""
    if assignee.pk == dealer.owner_id or has_role(assignee, Role.ADMIN) or is_dealer_manager(assignee, dealer):
        return None
    return _("Assign the complaint to the dealer's rep or one of its channel managers.")


# --- evidence ----------------------------------------------------------------------------------------------


def check_add_result_photos(user, result: InspectionResult, now=None) -> None:
    if (refusal := perform_refusal(user, result.inspection)) is not None:
        raise refusal


def check_add_rectification_photos(user, rectification: Rectification, now=None) -> None:
    if not answers_for(user, rectification.dealer):
        raise PermissionDenied(_("Only the dealer's rep answers a rectification with photos."))
    if rectification.status not in Rectification.WAITING:
        raise Conflict(
            _("This rectification is “%(state)s”: it takes no more photos.")
            % {"state": rectification.get_status_display()},
            current_state=rectification.status,
        )


def check_add_complaint_files(user, complaint: Complaint, now=None) -> None:
    if not (handles(user, complaint) or records_complaints_for(user, complaint.dealer)):
        raise PermissionDenied(_("Your role does not allow this."))
    if complaint.status == Complaint.Status.RESOLVED:
        raise Conflict(_("This complaint is resolved: it takes no more files."), current_state=complaint.status)


# --- visibility -------------------------------------------------------------------------------------------


def hidden_mystery(prefix: str = "") -> Q:
    """Planned mystery inspections (under ``prefix``)."""
    return Q(**{f"{prefix}kind": Inspection.Kind.MYSTERY, f"{prefix}status": Inspection.Status.PLANNED})


def inspection_condition(user, prefix: str = "") -> Q | None:
    """The inspections (under ``prefix``) ``user`` sees: None for all. A rep sees their dealers' inspections
    but no planned mystery one; a manager their territories' and their own; an inspector their own."""
    if has_role(user, Role.ADMIN, Role.FINANCE):
        return None
    visible = Q(**{f"{prefix}inspector": user})
    if has_role(user, Role.CHANNEL_MANAGER):
        visible |= in_territories_of(user, f"{prefix}dealer__territory")
    if has_role(user, Role.FIELD_REP):
        visible |= Q(**{f"{prefix}dealer__owner": user}) & ~hidden_mystery(prefix)
    return visible


def _via_inspection(prefix: str):
    def rule(user, queryset: QuerySet) -> QuerySet:
        condition = inspection_condition(user, prefix)
        return queryset if condition is None else queryset.filter(condition)

    return rule


@scope_rule("inspections.Complaint")
def _complaints(user, queryset: QuerySet) -> QuerySet:
    """Complaints: a rep's dealers' and those assigned to them; a manager's territories'; finance and admins
    all; inspectors none."""
    condition = dealer_condition(user, "dealer__")
    if condition is None:
        return queryset
    return queryset.filter(condition | Q(assignee=user))


scope_rule("inspections.Inspection")(_via_inspection(""))
scope_rule("inspections.InspectionResult")(_via_inspection("inspection__"))
scope_rule("inspections.Rectification")(_via_inspection("inspection__"))
scope_rule("inspections.ChecklistTemplate")(reference_data)
scope_rule("inspections.ChecklistItem")(reference_data)
