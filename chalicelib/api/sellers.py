"""Sellers' records: the penalty points final decisions left, and the refunds the platform paid for them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint, Response

from chalicelib.api.http import current_actor, json_response, parse_query, path_identifier, route
from chalicelib.lazy import lazy

if TYPE_CHECKING:
    import chalicelib.bootstrap as contexts
    import chalicelib.services.sellers as sellers_service
    from chalicelib.api import schemas
    from chalicelib.domain import models
    from chalicelib.services import fulfilment, sellers
else:  # loaded with the first request that needs them (chalicelib/lazy.py)
    schemas = lazy("chalicelib.api.schemas")
    models = lazy("chalicelib.domain.models")
    sellers = lazy("chalicelib.services.sellers")
    fulfilment = lazy("chalicelib.services.fulfilment")
    contexts = lazy("chalicelib.bootstrap")
    sellers_service = lazy("chalicelib.services.sellers")


bp = Blueprint(__name__)


@route(bp, "/v1/sellers/{seller_id}/penalties", "GET")
def seller_penalties(seller_id: str) -> Response:
    actor = current_actor(bp.current_request, "view_seller_record")
    query = parse_query(bp.current_request, schemas.SellerRecordQuery)
    history = sellers.penalty_history(
        contexts.context(), actor, query.storefront_id, path_identifier(seller_id, "seller_id")
    )
    return json_response(penalty_history_view(history))


def penalty_history_view(history: sellers_service.PenaltyHistory) -> dict[str, Any]:
    return {
        "storefront_id": history.storefront_id,
        "seller_id": history.seller_id,
        "live_points": history.live_points,
        "live_since": models.iso(history.live_since),
        "repeat_offender_points": history.repeat_offender_points,
        "items": [
            {
                "case_id": entry.case_id,
                "points": entry.points,
                "recorded_at": models.iso(entry.at),
                "live": history.is_live(entry),
            }
            for entry in history.entries
        ],
    }


@route(bp, "/v1/sellers/{seller_id}/ledger", "GET")
def seller_ledger(seller_id: str) -> Response:
    actor = current_actor(bp.current_request)
    query = parse_query(bp.current_request, schemas.SellerRecordQuery)
    ledger = fulfilment.recovery_ledger(
        contexts.context(), actor, query.storefront_id, path_identifier(seller_id, "seller_id")
    )
    return json_response(
        {
            "storefront_id": ledger.storefront_id,
            "seller_id": ledger.seller_id,
            "outstanding": [
                {"amount": amount, "currency": currency} for currency, amount in ledger.outstanding().items()
            ],
            "items": [
                {
                    "case_id": entry.case_id,
                    "kind": "platform_refund",
                    "amount": entry.amount,
                    "currency": entry.currency,
                    "recovered": 0,
                    "paid_at": models.iso(entry.at),
                }
                for entry in ledger.entries
            ],
        }
    )
