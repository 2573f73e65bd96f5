"""Carrying out a remedy: the return and reshipment parcels, their receipts, the refund, a disputed receipt."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice.app import Blueprint, Response

from chalicelib.api.http import current_actor, expected_version, json_response, parse_body, route
from chalicelib.lazy import lazy

if TYPE_CHECKING:
    import chalicelib.bootstrap as contexts
    from chalicelib.api import schemas
    from chalicelib.domain import models, views
    from chalicelib.services import fulfilment
else:  # loaded with the first request that needs them (chalicelib/lazy.py)
    schemas = lazy("chalicelib.api.schemas")
    views = lazy("chalicelib.domain.views")
    models = lazy("chalicelib.domain.models")
    fulfilment = lazy("chalicelib.services.fulfilment")
    contexts = lazy("chalicelib.bootstrap")


bp = Blueprint(__name__)


def _shipment(dispute_id: str, step: models.WindowKind) -> Response:
    actor = current_actor(bp.current_request)
    body = parse_body(bp.current_request, schemas.ShipmentBody)
    case = fulfilment.report_shipment(
        contexts.context(),
        actor,
        dispute_id,
        step,
        body.carrier,
        body.tracking_number,
        expected_version(bp.current_request),
    )
    return json_response(views.dispute_view(case), version=case.version)


def _receipt(dispute_id: str, step: models.WindowKind) -> Response:
    actor = current_actor(bp.current_request)
    body = parse_body(bp.current_request, schemas.ReceiptBody)
    case = fulfilment.report_receipt(
        contexts.context(), actor, dispute_id, step, body.condition, body.note, expected_version(bp.current_request)
    )
    return json_response(views.dispute_view(case), version=case.version)


@route(bp, "/v1/disputes/{dispute_id}/return-shipment", "POST")
def return_shipment(dispute_id: str) -> Response:
    return _shipment(dispute_id, models.WindowKind.RETURN_SHIPMENT)


@route(bp, "/v1/disputes/{dispute_id}/return-receipt", "POST")
def return_receipt(dispute_id: str) -> Response:
    return _receipt(dispute_id, models.WindowKind.RETURN_RECEIPT)


@route(bp, "/v1/disputes/{dispute_id}/reshipment", "POST")
def reshipment(dispute_id: str) -> Response:
    return _shipment(dispute_id, models.WindowKind.RESHIPMENT)


@route(bp, "/v1/disputes/{dispute_id}/reshipment-receipt", "POST")
def reshipment_receipt(dispute_id: str) -> Response:
    return _receipt(dispute_id, models.WindowKind.RESHIPMENT_RECEIPT)


@route(bp, "/v1/disputes/{dispute_id}/refund", "POST")
def refund(dispute_id: str) -> Response:
    actor = current_actor(bp.current_request)
    body = parse_body(bp.current_request, schemas.RefundBody)
    case = fulfilment.report_refund(
        contexts.context(),
        actor,
        dispute_id,
        body.amount,
        body.currency,
        body.reference,
        expected_version(bp.current_request),
    )
    return json_response(views.dispute_view(case), version=case.version)


@route(bp, "/v1/disputes/{dispute_id}/receipt-decision", "POST")
def receipt_decision(dispute_id: str) -> Response:
    actor = current_actor(bp.current_request)
    body = parse_body(bp.current_request, schemas.ReceiptDecisionBody)
    case = fulfilment.decide_receipt(
        contexts.context(), actor, dispute_id, body.owed, body.notes, expected_version(bp.current_request)
    )
    return json_response(views.dispute_view(case), version=case.version)
