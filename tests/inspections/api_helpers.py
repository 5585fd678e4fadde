"""What the inspection API tests share: URLs and the steps of an inspection done through the API."""

from __future__ import annotations

from decimal import Decimal

from inspections.models import Inspection
from inspections.services import inspections as svc
from tests.evidence.files import photo

D = Decimal
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}

TEMPLATES = "/api/v1/checklist-templates/"
INSPECTIONS = "/api/v1/inspections/"
SAMPLE = "/api/v1/inspections/sample/"
RESULTS = "/api/v1/inspection-results/"
RECTIFICATIONS = "/api/v1/rectifications/"
COMPLAINTS = "/api/v1/complaints/"


def detail(inspection) -> str:
    return f"{INSPECTIONS}{inspection.pk}/"


def plan(inspector, dealer, template, kind="routine") -> Inspection:
    return svc.inspection_plan(inspector, dealer=dealer, template=template, kind=kind)


def result_id(inspection, code) -> int:
    return inspection.results.get(item__code=code).pk


def add_photo(client, inspection, code, colour=(200, 10, 10)):
    """Upload a photo to the item's result (``inspection-results/{id}/attachments/``)."""
    url = f"{RESULTS}{result_id(inspection, code)}/attachments/"
    return client.post(url, {"file": [photo(colour=colour)]}, format="multipart")


def answer_price_inspection(client, inspection, kitchen_price="99.00"):
    """The price template answered: price tags pass, no goods from other territories FAIL (critical, with a
    photo), no unauthorised promotion pass, kitchen at ``kitchen_price``."""
    assert add_photo(client, inspection, "no_cross_goods").status_code == 201
    response = client.post(
        f"{detail(inspection)}results/",
        [
            {"item": "price_tags", "result": "pass"},
            {"item": "no_cross_goods", "result": "fail", "note": "外区批号"},
            {"item": "no_promo", "result": "pass"},
            {"item": "price_kitchen", "result": "pass", "observed_price": kitchen_price},
        ],
    )
    assert response.status_code == 200, response.json()
    return response
