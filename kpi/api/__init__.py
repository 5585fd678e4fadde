"""REST API of the KPI app, one module per area; ``channelhub.api.urls.API_MODULES`` lists them."""
