"""The project's URLs plus the test app's, for tests marked ``@pytest.mark.urls("tests.testapp.urls")``."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from channelhub.urls import handler403, handler404, handler500  # noqa: F401
from channelhub.urls import urlpatterns as project_urlpatterns

from .api import TicketViewSet, approve_page

router = SimpleRouter()
router.register("tickets", TicketViewSet, basename="ticket")

urlpatterns = [
    path("api/v1/", include(router.urls)),
    path("tickets/<int:pk>/approve/", approve_page, name="ticket-approve-page"),
    *project_urlpatterns,
]
