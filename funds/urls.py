"""Channel fund pages (SPEC §14), under /funds/."""

from django.urls import path

from funds.views import budgets, deposits, materials, requests

app_name = "funds"

urlpatterns = [
    # requests, claims and the approval queues (funds/views/requests.py)
    path("", requests.request_list_page, name="request-list"),
    path("requests/new/", requests.request_create_page, name="request-create"),
    path("requests/<int:pk>/", requests.request_detail_page, name="request-detail"),
    path("requests/<int:pk>/edit/", requests.request_edit_page, name="request-edit"),
    path("requests/<int:pk>/submit/", requests.request_submit_page, name="request-submit"),
    path("requests/<int:pk>/approve/", requests.request_approve_page, name="request-approve"),
    path("requests/<int:pk>/reject/", requests.request_reject_page, name="request-reject"),
    path("requests/<int:pk>/cancel/", requests.request_cancel_page, name="request-cancel"),
    path("requests/<int:pk>/claim/", requests.claim_create_page, name="claim-create"),
    path("claims/<int:pk>/evidence/", requests.claim_evidence_page, name="claim-evidence"),
    path("claims/<int:pk>/check/", requests.claim_check_page, name="claim-check"),
    path("claims/<int:pk>/settle/", requests.claim_settle_page, name="claim-settle"),
    path("approvals/", requests.approvals_page, name="approvals"),
    # budgets and the summary (funds/views/budgets.py)
    path("budgets/", budgets.budget_list_page, name="budget-list"),
    path("budgets/new/", budgets.budget_create_page, name="budget-create"),
    path("budgets/<int:pk>/edit/", budgets.budget_edit_page, name="budget-edit"),
    path("budgets/import/", budgets.budget_import_page, name="budget-import"),
    path("summary/", budgets.summary_page, name="summary"),
    # deposits (funds/views/deposits.py); <pk> is the dealer's
    path("deposits/", deposits.deposit_list_page, name="deposit-list"),
    path("deposits/<int:pk>/", deposits.deposit_detail_page, name="deposit-detail"),
    path("deposits/<int:pk>/deduct/", deposits.deposit_deduct_page, name="deposit-deduct"),
    path("deposits/<int:pk>/refund/", deposits.deposit_refund_page, name="deposit-refund"),
    path("deposits/<int:pk>/refund/decide/", deposits.deposit_refund_decide_page, name="deposit-refund-decide"),
    # materials (funds/views/materials.py)
    path("materials/", materials.material_list_page, name="material-list"),
    path("materials/new/", materials.material_create_page, name="material-create"),
    path("materials/issue/", materials.material_issue_page, name="material-issue"),
    path("materials/count/", materials.material_count_page, name="material-count"),
]
