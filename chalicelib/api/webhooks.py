"""Webhook subscriptions of a storefront: subscribe, list, delete, rotate the secret, test, enable, deliveries,
redeliver."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint, Response

from chalicelib.api.http import current_actor, json_response, parse_body, parse_query, route
from chalicelib.lazy import lazy

if TYPE_CHECKING:
    import chalicelib.domain.webhooks as webhook_models
    from chalicelib import bootstrap
    from chalicelib.api import schemas
    from chalicelib.domain import models
    from chalicelib.services import webhooks
else:  # loaded with the first request that needs them (chalicelib/lazy.py)
    schemas = lazy("chalicelib.api.schemas")
    models = lazy("chalicelib.domain.models")
    webhook_models = lazy("chalicelib.domain.webhooks")
    webhooks = lazy("chalicelib.services.webhooks")
    bootstrap = lazy("chalicelib.bootstrap")


bp = Blueprint(__name__)


def subscription_view(subscription: webhook_models.Subscription, *, with_secret: bool = False) -> dict[str, Any]:
    """Never the secret, except in the answer that created or rotated it."""
    view: dict[str, Any] = {
        "id": subscription.id,
        "url": subscription.url,
        "events": [event.value for event in subscription.events],
        "created_at": models.iso(subscription.created_at),
        "secret_rotated_at": models.iso(subscription.rotated_at) if subscription.rotated_at else None,
        "status": "enabled" if subscription.enabled else "disabled",
        "failing_since": models.iso(subscription.failing_since) if subscription.failing_since else None,
        "disabled_at": models.iso(subscription.disabled_at) if subscription.disabled_at else None,
        "disabled_reason": subscription.disabled_reason,
    }
    if with_secret:
        view["secret"] = subscription.secrets[0].value
    return view


def delivery_view(delivery: webhook_models.Delivery) -> dict[str, Any]:
    return delivery.model_dump(
        mode="json", exclude={"body", "queued_attempt", "revision", "round_attempts", "storefront_id"}
    )


@route(bp, "/v1/webhooks", "POST")
def subscribe() -> Response:
    actor = current_actor(bp.current_request)
    body = parse_body(bp.current_request, schemas.SubscribeBody)
    subscription = webhooks.subscribe(bootstrap.webhook_ports(), actor, body.url, body.events)
    view = subscription_view(subscription, with_secret=True)
    return json_response(view, 201, {"Location": f"/v1/webhooks/{subscription.id}"})


@route(bp, "/v1/webhooks", "GET")
def list_subscriptions() -> Response:
    actor = current_actor(bp.current_request)
    return json_response(
        {"items": [subscription_view(s) for s in webhooks.list_subscriptions(bootstrap.webhook_ports(), actor)]}
    )


@route(bp, "/v1/webhooks/{webhook_id}", "DELETE")
def unsubscribe(webhook_id: str) -> Response:
    actor = current_actor(bp.current_request)
    webhooks.unsubscribe(bootstrap.webhook_ports(), actor, webhook_id)
    return Response(body="", status_code=204)


@route(bp, "/v1/webhooks/{webhook_id}/rotate-secret", "POST")
def rotate_secret(webhook_id: str) -> Response:
    actor = current_actor(bp.current_request)
    parse_body(bp.current_request, schemas.EmptyBody)
    rotated = webhooks.rotate_secret(bootstrap.webhook_ports(), actor, webhook_id)
    return json_response(subscription_view(rotated, with_secret=True))


@route(bp, "/v1/webhooks/{webhook_id}/enable", "POST")
def enable(webhook_id: str) -> Response:
    actor = current_actor(bp.current_request)
    parse_body(bp.current_request, schemas.EmptyBody)
    return json_response(subscription_view(webhooks.enable(bootstrap.webhook_ports(), actor, webhook_id)))


@route(bp, "/v1/webhooks/{webhook_id}/test", "POST")
def send_test_event(webhook_id: str) -> Response:
    actor = current_actor(bp.current_request)
    parse_body(bp.current_request, schemas.EmptyBody)
    delivery = webhooks.send_test(bootstrap.webhook_ports(), actor, webhook_id)
    return json_response(delivery_view(delivery), 202)


@route(bp, "/v1/webhooks/{webhook_id}/deliveries", "GET")
def list_deliveries(webhook_id: str) -> Response:
    actor = current_actor(bp.current_request)
    query = parse_query(bp.current_request, schemas.DeliveriesQuery)
    ports = bootstrap.webhook_ports()
    items, cursor = webhooks.list_deliveries(ports, actor, webhook_id, query.limit, query.cursor, query.status)
    return json_response({"items": [delivery_view(d) for d in items], "next_cursor": cursor})


@route(bp, "/v1/webhooks/deliveries/{delivery_id}/redeliver", "POST")
def redeliver(delivery_id: str) -> Response:
    actor = current_actor(bp.current_request)
    parse_body(bp.current_request, schemas.EmptyBody)
    delivery = webhooks.redeliver(bootstrap.webhook_ports(), actor, delivery_id)
    return json_response(delivery_view(delivery), 202)
