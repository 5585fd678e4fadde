"""Rebate and dealer-account pages (SPEC §15), under /rebates/."""

from django.urls import path

from rebates.views import accounts, programs, runs, settlements

app_name = "rebates"

urlpatterns = [
    # programs (rebates/views/programs.py): read pages; they are kept in the admin
    path("programs/", programs.program_list_page, name="program-list"),
    path("programs/<int:pk>/", programs.program_detail_page, name="program-detail"),
    # runs (rebates/views/runs.py)
    path("runs/", runs.run_list_page, name="run-list"),
    path("runs/<int:pk>/", runs.run_detail_page, name="run-detail"),
    path("runs/<int:pk>/progress/", runs.run_progress, name="run-progress"),
    # settlements (rebates/views/settlements.py)
    path("", settlements.settlement_list_page, name="settlement-list"),
    path("settlements/<int:pk>/", settlements.settlement_detail_page, name="settlement-detail"),
    path("settlements/<int:pk>/submit/", settlements.settlement_submit_page, name="settlement-submit"),
    path("settlements/<int:pk>/approve/", settlements.settlement_approve_page, name="settlement-approve"),
    path("settlements/<int:pk>/reject/", settlements.settlement_reject_page, name="settlement-reject"),
    path("settlements/<int:pk>/mark-paid/", settlements.settlement_mark_paid_page, name="settlement-mark-paid"),
    # dealer accounts (rebates/views/accounts.py); <pk> is the dealer's
    path("accounts/<int:pk>/", accounts.account_page, name="account"),
    path("aging/", accounts.aging_page, name="aging"),
]
