"""Commission pages (SPEC §7), under /kpi/ as before: runs and periods, statements, payouts, disputes."""

from django.urls import path

from channelhub.pages import action_paths
from commissions.views import runs, statements

app_name = "commissions"

urlpatterns = [
    path("runs/", runs.run_list_page, name="run-list"),
    path("runs/new/", runs.run_create_page, name="run-create"),
    path("runs/year-end/", runs.run_year_end_page, name="run-year-end"),
    path("runs/<int:pk>/", runs.run_detail_page, name="run-detail"),
    path("periods/", runs.period_list_page, name="period-list"),
    path("periods/<int:pk>/close/", runs.period_close_page, name="period-close"),
    path("statements/", statements.statement_list_page, name="statement-list"),
    path("statements/approvals/", statements.approval_queue_page, name="approval-queue"),
    path("statements/approvals/approve/", statements.statement_approve_many_page, name="statement-approve-many"),
    path("statements/payouts/", statements.payout_export_page, name="payout-export"),
    path("statements/payouts/mark-paid/", statements.payout_pay_page, name="payout-mark-paid"),
    path("statements/<int:pk>/", statements.statement_detail_page, name="statement-detail"),
    *action_paths("statements/<int:pk>/", statements.statement_action_page, statements.STATEMENT_ACTIONS, "statement"),
    path("statements/lines/<int:line_pk>/dispute/", statements.dispute_create_page, name="dispute-create"),
    path("disputes/", statements.dispute_list_page, name="dispute-list"),
    *action_paths("disputes/<int:pk>/", statements.dispute_action_page, statements.DISPUTE_ACTIONS, "dispute"),
]
