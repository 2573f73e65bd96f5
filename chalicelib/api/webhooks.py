"""Webhook subscriptions of a storefront: subscribe, list, delete, rotate the secret, deliveries, redeliver."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, Response

from chalicelib.api.http import current_actor, json_response, parse_body, parse_query, route
from chalicelib.api.schemas import DeliveriesQuery, EmptyBody, SubscribeBody
from chalicelib.domain.models import iso
from chalicelib.domain.webhooks import Delivery, Subscription
from chalicelib.services import webhooks
from chalicelib.services.webhook_delivery import ports

bp = Blueprint(__name__)


def subscription_view(subscription: Subscription, *, with_secret: bool = False) -> dict[str, Any]:
    """Never the secret, except in the answer that created or rotated it."""
    view: dict[str, Any] = {
        "id": subscription.id,
        "url": subscription.url,
        "events": [event.value for event in subscription.events],
        "created_at": iso(subscription.created_at),
        "secret_rotated_at": iso(subscription.rotated_at) if subscription.rotated_at else None,
    }
    if with_secret:
        view["secret"] = subscription.secrets[0].value
    return view


def delivery_view(delivery: Delivery) -> dict[str, Any]:
    return delivery.model_dump(
        mode="json", exclude={"body", "queued_attempt", "revision", "round_attempts", "storefront_id"}
    )


@route(bp, "/v1/webhooks", "POST")
def subscribe() -> Response:
    actor = current_actor(bp.current_request)
    body = parse_body(bp.current_request, SubscribeBody)
    subscription = webhooks.subscribe(ports(), actor, body.url, body.events)
    view = subscription_view(subscription, with_secret=True)
    return json_response(view, 201, {"Location": f"/v1/webhooks/{subscription.id}"})


@route(bp, "/v1/webhooks", "GET")
def list_subscriptions() -> Response:
    actor = current_actor(bp.current_request)
    return json_response({"items": [subscription_view(s) for s in webhooks.list_subscriptions(ports(), actor)]})


@route(bp, "/v1/webhooks/{webhook_id}", "DELETE")
def unsubscribe(webhook_id: str) -> Response:
    actor = current_actor(bp.current_request)
    webhooks.unsubscribe(ports(), actor, webhook_id)
    return Response(body="", status_code=204)


@route(bp, "/v1/webhooks/{webhook_id}/rotate-secret", "POST")
def rotate_secret(webhook_id: str) -> Response:
    actor = current_actor(bp.current_request)
    parse_body(bp.current_request, EmptyBody)
    rotated = webhooks.rotate_secret(ports(), actor, webhook_id)
    return json_response(subscription_view(rotated, with_secret=True))


@route(bp, "/v1/webhooks/{webhook_id}/deliveries", "GET")
def list_deliveries(webhook_id: str) -> Response:
    actor = current_actor(bp.current_request)
    query = parse_query(bp.current_request, DeliveriesQuery)
    items, cursor = webhooks.list_deliveries(ports(), actor, webhook_id, query.limit, query.cursor)
    return json_response({"items": [delivery_view(d) for d in items], "next_cursor": cursor})


@route(bp, "/v1/webhooks/deliveries/{delivery_id}/redeliver", "POST")
def redeliver(delivery_id: str) -> Response:
    actor = current_actor(bp.current_request)
    parse_body(bp.current_request, EmptyBody)
    delivery = webhooks.redeliver(ports(), actor, delivery_id)
    return json_response(delivery_view(delivery), 202)
