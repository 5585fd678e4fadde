from django.apps import AppConfig


class TestappConfig(AppConfig):
    """Installed only by the test settings: a model to exercise the shared frame (state machine, scoping, API)."""

    name = "tests.testapp"
    label = "testapp"
