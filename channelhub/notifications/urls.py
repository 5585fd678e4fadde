from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("mark-read/", views.notification_mark_read, name="mark-read"),
    path("<int:pk>/", views.notification_open, name="open"),
]
