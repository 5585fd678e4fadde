"""Channel fund pages (SPEC §14), under /funds/."""

from django.urls import path

from funds import views

app_name = "funds"

urlpatterns = [
    path("", views.request_list_page, name="request-list"),
    path("requests/<int:pk>/", views.request_detail_page, name="request-detail"),
    path("approvals/", views.approvals_page, name="approvals"),
    path("deposits/", views.deposit_list_page, name="deposit-list"),
    path("deposits/<int:pk>/", views.deposit_detail_page, name="deposit-detail"),
]
