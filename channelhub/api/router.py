"""The one ``/api/v1/`` router. Apps register their viewsets in their ``api.py``::

    from channelhub.api.router import router
    router.register("dealers", DealerViewSet, basename="dealer")

and register the module in their ``AppConfig.ready()`` (``channelhub.registry.register_api``);
``channelhub/api/urls.py`` imports the registered modules before reading the routes.
"""

from rest_framework.routers import DefaultRouter


class Router(DefaultRouter):
    # No ".json" suffix routes: one URL per resource keeps the schema and the access matrix simple.
    include_format_suffixes = False


router = Router()
