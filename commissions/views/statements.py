"""Statement pages (SPEC §7 "statement (lines explained, action buttons for the allowed transitions)"):
the list (a rep's own, a manager's team, finance's all), a statement, its actions, finance's approval
queue, the payout export, and disputes (open on a line, the list, accept or reject).

Each view: parse → scope (``commissions.services.statements.statement_list``; out of scope is a 404) → call a
service → render.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from channelhub.accounts.selectors import display_name
from channelhub.audit import history_rows, state_log
from channelhub.forms import CommentForm, style_fields
from channelhub.pages import (
    PageAction,
    action_button,
    action_page,
    bulk_action_page,
    filtered,
    paginate,
    posted,
    transition_action,
)
from channelhub.periods import Month
from channelhub.roles import Role, has_role, require_role
from channelhub.scoping import scope
from commissions import bulk
from commissions.filters import DisputeFilter, StatementFilter
from commissions.forms.statements import (
    AcceptAnswerForm,
    AnswerForm,
    BatchPayForm,
    DisputeForm,
    MarkPaidForm,
    PayoutExportForm,
    RejectForm,
)
from commissions.models import CommissionPlan, Dispute, Statement
from commissions.policies import (
    DISPUTABLE_STATES,
    allowed_actions,
    can_answer,
    can_approve,
    can_mark_paid,
    can_open,
    can_reject,
    can_reopen,
    can_submit,
    disputable_line_ids,
    is_answerer,
    is_finance,
    may_export,
    segregation_refusal_of,
)
from commissions.selectors import (
    STATUSES,
    approval_queue,
    dispute_list,
    nothing_to_pay,
    paid_statements,
    payout_rows,
    payout_statements,
    payout_total,
    statement_detail,
    statement_list,
    statement_totals,
    visible_lines,
)
from commissions.services import disputes as dispute_services
from commissions.services import payouts
from commissions.services import statements as statement_services
from commissions.services.runs import default_period
from visits import policies as visit_policies

ANY_ROLE = (Role.FIELD_REP, Role.CHANNEL_MANAGER, Role.FINANCE, Role.ADMIN)


def _statement(request, pk: int) -> Statement:
    return get_object_or_404(statement_detail(request.user), pk=pk)


def _rep_choices(form, user) -> None:
    field = form.fields["rep"]
    field.queryset = scope(user, field.queryset.model).filter(groups__name=Role.FIELD_REP).order_by("username")
    field.label_from_instance = display_name


# --- lists -----------------------------------------------------------------------------------------


def statement_list_page(request):
    """A rep's own statements; a manager's team's; finance's and admins' all — with the filtered totals."""
    user = request.user
    require_role(user, *ANY_ROLE)
    filterset = StatementFilter(request.GET or None, request=request, queryset=statement_list(user))
    _rep_choices(filterset.form, user)
    style_fields(filterset.form)
    rows = filtered(filterset)
    context = {
        "filter": filterset,
        "page_obj": paginate(request, rows),
        "totals": statement_totals(rows),
        "sees_others": has_role(user, Role.CHANNEL_MANAGER, Role.FINANCE, Role.ADMIN),
        "is_finance": is_finance(user),
    }
    return render(request, "commissions/statements/statement_list.html", context)


def approval_queue_page(request):
    """Finance's queue: submitted statements, oldest submission first, with their totals."""
    user = request.user
    if not is_finance(user):
        raise PermissionDenied(gettext("Only finance and administrators approve commission statements."))
    queue = approval_queue(user)
    page_obj = paginate(request, queue)
    for statement in page_obj.object_list:
        statement.may_approve = can_approve(user, statement)
    context = {"page_obj": page_obj, "totals": statement_totals(queue)}
    return render(request, "commissions/statements/approval_queue.html", context)


def statement_approve_many_page(request):
    """Approve several submitted statements at once, each checked on its own (segregation included)."""
    return bulk_action_page(request, bulk.APPROVE_STATEMENTS)


# --- a statement -----------------------------------------------------------------------------------


def _links(user, statement: Statement) -> dict[str, str]:
    """One click to the figures behind the statement: scorecard, facts of the base, expenses, visits."""
    rep = statement.rep_id
    links = {"statements": f"{reverse('commissions:statement-list')}?{urlencode({'rep': rep})}"}
    if statement.kind != Statement.Kind.MONTHLY:
        return links
    month = Month.parse(statement.period)
    days = {"rep": rep, "date_from": month.first_day.isoformat(), "date_to": month.last_day.isoformat()}
    collections_base = statement.plan is not None and statement.plan.base == CommissionPlan.Base.COLLECTIONS
    links["scorecard"] = f"{reverse('kpi:scorecard-list')}?{urlencode({'rep': rep, 'period': statement.period})}"
    links["base"] = f"{reverse('kpi:collection-list' if collections_base else 'kpi:sales-list')}?{urlencode(days)}"
    links["sales"] = f"{reverse('kpi:sales-list')}?{urlencode(days)}"
    links["collections"] = f"{reverse('kpi:collection-list')}?{urlencode(days)}"
    links["expenses"] = f"{reverse('kpi:expense-list')}?{urlencode(days)}"
    if visit_policies.can_log_visits(user) or visit_policies.is_reviewer(user):
        links["visits"] = f"{reverse('visits:visit-list')}?{urlencode(days)}"
        links["compliance"] = f"{reverse('visits:compliance')}?{urlencode({'period': statement.period})}"
    return links


def statement_detail_page(request, pk: int):
    statement = _statement(request, pk)
    user = request.user
    lines = list(statement.lines.all())
    disputable = disputable_line_ids(lines)
    is_rep = statement.rep_id == user.pk and statement.status in DISPUTABLE_STATES
    rows, disputes = [], []
    for line in lines:
        line_disputes = list(line.disputes.all())
        for dispute in line_disputes:  # the prefetch set ``dispute.line`` and its statement: no query
            dispute.may_answer = can_answer(user, dispute)
        disputes.extend(line_disputes)
        settled = any(d.status in (Dispute.Status.OPEN, Dispute.Status.ACCEPTED) for d in line_disputes)
        rows.append({"line": line, "can_dispute": is_rep and line.pk in disputable and not settled})
    actions = [
        action_button("commissions:statement", statement, action, STATEMENT_ACTIONS[action])
        for action in allowed_actions(user, statement)
    ]
    context = {
        "statement": statement,
        "rows": rows,
        "disputes": disputes,
        "dispute_form": DisputeForm() if any(row["can_dispute"] for row in rows) else None,
        "actions": actions,
        "links": _links(user, statement),
        # a finance user who may not approve this one (segregation of duties): say why instead of a button
        "segregation_note": Statement.workflow.can(statement, "approve")
        and is_finance(user)
        and not can_approve(user, statement),
        "state_log": state_log(Statement.workflow, statement),
        "history": history_rows(statement),
    }
    return render(request, "commissions/statements/statement_detail.html", context)


# --- transitions -----------------------------------------------------------------------------------


def _statement_action(name: str, service, allowed, form_class=CommentForm, **fields) -> PageAction:
    """The page of the statement transition ``name`` (``mark_paid``); segregation of duties refuses finance
    its own statement, the one it submitted … (``segregation_refusal_of``) unless ``segregation`` says else."""
    action = name.replace("_", "-")
    fields.setdefault("segregation", lambda user, statement: segregation_refusal_of(user, statement, action))
    return transition_action(
        Statement.workflow, name, service, "statement", form_class=form_class, allowed=allowed, **fields
    )


STATEMENT_ACTIONS: dict[str, PageAction] = {
    "submit": _statement_action(
        "submit",
        statement_services.statement_submit,
        can_submit,
        title=_("Submit"),
        success=_("Statement submitted to finance."),
        explanation=_("Finance approves or rejects it; its figures no longer change once approved."),
    ),
    "approve": _statement_action(
        "approve",
        statement_services.statement_approve,
        can_approve,
        title=_("Approve"),
        success=_("Statement approved; the rep is notified."),
        explanation=_("An approved statement never changes; corrections come as adjustment lines later."),
    ),
    "reject": _statement_action(
        "reject",
        statement_services.statement_reject,
        can_reject,
        RejectForm,
        title=_("Reject"),
        success=_("Statement rejected; the rep and the manager are told why."),
        danger=True,
        explanation=_("The manager reopens it and the next run computes it again."),
    ),
    "reopen": _statement_action(
        "reopen",
        statement_services.statement_reopen,
        can_reopen,
        segregation=None,
        title=_("Back to draft"),
        success=_("Statement back to draft; the next run of its period computes it again."),
        explanation=_("Answer any open dispute first: the next run replaces the lines."),
    ),
    "mark-paid": _statement_action(
        "mark_paid",
        statement_services.statement_mark_paid,
        can_mark_paid,
        MarkPaidForm,
        title=_("Mark paid"),
        success=_("Payment recorded; the rep is notified."),
    ),
}


def statement_action_page(request, pk: int, action: str):
    statement = _statement(request, pk)
    cancel = reverse("commissions:statement-detail", args=[statement.pk])
    return action_page(request, statement, STATEMENT_ACTIONS[action], cancel_url=cancel, done_url=lambda obj: cancel)


# --- the payout list ------------------------------------------------------------------------------


def _payout_url(period: str, **params) -> str:
    return f"{reverse('commissions:payout-export')}?{urlencode({'period': period, **params})}"


def payout_export_page(request):
    """``?period=YYYY-MM``: the period's approved statements to pay (with bank details), those that pay
    nothing, and those paid; ``&format=csv|xlsx`` (with ``&status=approved|paid``) the file for the bank."""
    user = request.user
    if not may_export(user):
        raise PermissionDenied(gettext("Only finance and administrators export payouts."))
    form = PayoutExportForm(request.GET if "period" in request.GET else {"period": default_period()})
    context = {"form": form}
    if form.is_valid():
        period = form.cleaned_data["period"]
        file_format, status = request.GET.get("format"), request.GET.get("status", Statement.Status.PAID)
        if file_format in payouts.CONTENT_TYPES and status in STATUSES:
            content = payouts.payout_export(user=user, period=period, file_format=file_format, status=status)
            response = HttpResponse(content, content_type=payouts.CONTENT_TYPES[file_format])
            filename = payouts.export_filename(period, file_format, status)
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
        context.update(_payout_lists(user, period))
        context["pay_form"] = BatchPayForm(initial={"period": period})
    return render(request, "commissions/statements/payout_export.html", context)


def _payout_lists(user, period: str) -> dict:
    to_pay = payout_rows(payout_statements(user, period))
    paid = payout_rows(paid_statements(user, period))
    return {
        "period": period,
        "to_pay": to_pay,
        "to_pay_total": payout_total(to_pay),
        "nothing_to_pay": list(nothing_to_pay(user, period)),
        "paid": paid,
        "paid_total": payout_total(paid),
        "downloads": {
            status: {
                file_format: _payout_url(period, format=file_format, status=status) for file_format in ("csv", "xlsx")
            }
            for status in STATUSES
        },
    }


def payout_pay_page(request):
    """POST: mark the period's whole list paid with one bank reference (all or nothing)."""
    user = request.user
    if not may_export(user):
        raise PermissionDenied(gettext("Only finance and administrators export payouts."))
    if request.method != "POST":
        return redirect("commissions:payout-export")
    form = BatchPayForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            paid = form.run(
                payouts.statements_mark_paid,
                actor=user,
                period=data["period"],
                payment_reference=data["payment_reference"],
                paid_on=data["paid_on"],
                comment=data["comment"],
            )
        except payouts.BatchRefused as refused:
            messages.error(request, str(refused))
            return redirect(_payout_url(data["period"]))
        if paid is not None:
            messages.success(
                request,
                ngettext(
                    "%(count)d statement of %(period)s marked paid, reference %(reference)s.",
                    "%(count)d statements of %(period)s marked paid, reference %(reference)s.",
                    len(paid),
                )
                % {"count": len(paid), "period": data["period"], "reference": data["payment_reference"]},
            )
            return redirect(_payout_url(data["period"]))
    period = form.cleaned_data.get("period") or default_period()
    context = {"form": PayoutExportForm(initial={"period": period}), "pay_form": form, **_payout_lists(user, period)}
    return render(request, "commissions/statements/payout_export.html", context, status=400)


# --- disputes --------------------------------------------------------------------------------------


def dispute_create_page(request, line_pk: int):
    """The rep disputes one line of their statement (the statement page has the form on each line)."""
    line = get_object_or_404(visible_lines(request.user), pk=line_pk)
    statement = line.statement
    if not can_open(request.user, line):
        raise PermissionDenied(gettext("You may dispute only the lines of your own submitted or approved statement."))
    form = DisputeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        dispute = form.run(dispute_services.dispute_open, actor=request.user, line=line, **form.cleaned_data)
        if dispute is not None:
            messages.success(request, gettext("Dispute sent to your manager."))
            return redirect(f"{reverse('commissions:statement-detail', args=[statement.pk])}#dispute-{dispute.pk}")
    return render(
        request, "commissions/statements/dispute_form.html", {"form": form, "line": line, "statement": statement}
    )


def dispute_list_page(request):
    """A rep's own disputes; a manager's team's (open ones first); finance's and admins' all."""
    user = request.user
    require_role(user, *ANY_ROLE)
    filterset = DisputeFilter(request.GET or None, request=request, queryset=dispute_list(user))
    filterset.form.fields.pop("statement")
    _rep_choices(filterset.form, user)
    style_fields(filterset.form)
    page_obj = paginate(request, filtered(filterset).order_by("status", "-created_at", "-pk"))
    for dispute in page_obj.object_list:
        dispute.may_answer = can_answer(user, dispute)
    context = {
        "filter": filterset,
        "page_obj": page_obj,
        "sees_others": has_role(user, Role.CHANNEL_MANAGER, Role.FINANCE, Role.ADMIN),
    }
    return render(request, "commissions/statements/dispute_list.html", context)


def _own_dispute(user, dispute: Dispute) -> str | None:
    """A manager or an admin who opened the dispute themselves is told why they may not answer it."""
    if dispute.rep_id != user.pk or not has_role(user, Role.ADMIN, Role.CHANNEL_MANAGER):
        return None
    return gettext("You cannot answer your own dispute.")


#: who answers a dispute: the rep's manager or an admin, never the one who opened it
_ANSWERER = {"allowed": is_answerer, "segregation": _own_dispute}

DISPUTE_ACTIONS: dict[str, PageAction] = {
    "accept": transition_action(
        Dispute.workflow,
        "accept",
        dispute_services.dispute_accept,
        "dispute",
        **_ANSWERER,
        title=_("Accept the dispute"),
        form_class=AcceptAnswerForm,
        success=_("Dispute accepted: the difference goes into the rep's next open statement."),
        explanation=_(
            "The disputed statement stays as it is; the difference becomes an adjustment line in the rep's "
            "next draft statement (at once if it exists, else when the next run writes it)."
        ),
    ),
    "reject": transition_action(
        Dispute.workflow,
        "reject",
        dispute_services.dispute_reject,
        "dispute",
        **_ANSWERER,
        title=_("Reject the dispute"),
        form_class=AnswerForm,
        success=_("Dispute rejected; the rep reads your answer."),
        danger=True,
    ),
}


def dispute_action_page(request, pk: int, action: str):
    dispute = get_object_or_404(dispute_list(request.user), pk=pk)
    back = f"{reverse('commissions:statement-detail', args=[dispute.line.statement_id])}#dispute-{dispute.pk}"
    return action_page(
        request,
        dispute,
        DISPUTE_ACTIONS[action],
        cancel_url=back,
        done_url=lambda obj: back,
        template="commissions/statements/dispute_answer.html",
    )
