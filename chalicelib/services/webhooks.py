"""Use cases of a storefront's webhook subscriptions: subscribe, list, delete, rotate, inspect, redeliver.

A storefront only ever sees its own subscriptions and deliveries; anything else
is a 404, exactly like an id that does not exist.
"""

from __future__ import annotations

import base64
import secrets
import uuid
from collections.abc import Sequence

from chalicelib.domain.access import require_role
from chalicelib.domain.errors import EndpointDisabled, InvalidValue, NotFound
from chalicelib.domain.models import Actor, iso
from chalicelib.domain.webhook_urls import check_url
from chalicelib.domain.webhooks import (
    Delivery,
    DeliveryStatus,
    EventType,
    SigningSecret,
    Subscription,
    minute_of_test_event,
    notice,
    test_event_id_for,
)
from chalicelib.services.webhook_delivery import WebhookPorts, enqueue_attempt, update

MAX_SUBSCRIPTIONS = 20
SECRET_BYTES = 32


def new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and base64 of random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def subscribe(ports: WebhookPorts, actor: Actor, url: str, events: Sequence[EventType]) -> Subscription:
    """A new subscription; its secret (the first of `secrets`) is shown to the caller this once."""
    require_role(actor, "manage_webhooks")
    check_url(url, local=ports.local, resolve=ports.resolver)
    if len(ports.store.subscriptions(actor.storefront_id)) >= MAX_SUBSCRIPTIONS:
        raise InvalidValue(f"a storefront may have at most {MAX_SUBSCRIPTIONS} webhook subscriptions")
    subscription = Subscription(
        id=f"wh_{uuid.uuid4().hex}",
        storefront_id=actor.storefront_id,
        url=url,
        events=tuple(dict.fromkeys(events)),
        secrets=(SigningSecret(value=new_secret()),),
        created_at=ports.clock(),
    )
    ports.store.put_subscription(subscription)
    return subscription


def list_subscriptions(ports: WebhookPorts, actor: Actor) -> list[Subscription]:
    require_role(actor, "manage_webhooks")
    return sorted(ports.store.subscriptions(actor.storefront_id), key=lambda s: s.created_at)


def get_subscription(ports: WebhookPorts, actor: Actor, subscription_id: str) -> Subscription:
    require_role(actor, "manage_webhooks")
    subscription = ports.store.get_subscription(actor.storefront_id, subscription_id)
    if subscription is None:
        raise NotFound(f"no webhook subscription {subscription_id}")
    return subscription


def unsubscribe(ports: WebhookPorts, actor: Actor, subscription_id: str) -> None:
    """Deliveries still pending for it are cancelled at their next attempt."""
    require_role(actor, "manage_webhooks")
    if not ports.store.delete_subscription(actor.storefront_id, subscription_id):
        raise NotFound(f"no webhook subscription {subscription_id}")


def rotate_secret(ports: WebhookPorts, actor: Actor, subscription_id: str) -> Subscription:
    """A new current secret; the previous ones keep signing alongside it for the grace period."""
    subscription = get_subscription(ports, actor, subscription_id)
    rotated = subscription.rotated(new_secret(), ports.clock(), ports.secret_grace)
    ports.store.put_subscription(rotated)
    return rotated


def enable(ports: WebhookPorts, actor: Actor, subscription_id: str) -> Subscription:
    """Deliver to it again from now on, with a clean record; events raised while it was disabled are not
    sent (list its failed deliveries and redeliver what matters). Enabling an enabled endpoint changes nothing."""
    subscription = get_subscription(ports, actor, subscription_id)
    if subscription.enabled:
        return subscription
    if not ports.store.enable(subscription):
        raise NotFound(f"no webhook subscription {subscription_id}")
    return subscription.model_copy(update={"failing_since": None, "disabled_at": None, "disabled_reason": None})


def list_deliveries(
    ports: WebhookPorts,
    actor: Actor,
    subscription_id: str,
    limit: int,
    cursor: str | None,
    status: DeliveryStatus | None = None,
) -> tuple[list[Delivery], str | None]:
    get_subscription(ports, actor, subscription_id)
    return ports.store.deliveries(subscription_id, limit, cursor, status)


def send_test(ports: WebhookPorts, actor: Actor, subscription_id: str) -> Delivery:
    """A signed `webhook.test` to one endpoint, queued and retried like any delivery, and listed with them."""
    subscription = get_subscription(ports, actor, subscription_id)
    now = ports.clock()
    event_id = test_event_id_for(subscription.id, now)
    delivery = notice(event_id, EventType.WEBHOOK_TEST, subscription, subscription, now, minute_of_test_event(now))
    if not ports.store.create_delivery(delivery):  # asked again within the minute: the same test
        return ports.store.get_delivery(delivery.id) or delivery
    enqueue_attempt(ports, delivery, 1, now)
    return delivery


def redeliver(ports: WebhookPorts, actor: Actor, delivery_id: str) -> Delivery:
    """Send a delivered or failed delivery again: same `webhook-id`, same body, fresh retries."""
    require_role(actor, "manage_webhooks")
    delivery = ports.store.get_delivery(delivery_id)
    if delivery is None or delivery.storefront_id != actor.storefront_id:
        raise NotFound(f"no webhook delivery {delivery_id}")
    subscription = get_subscription(ports, actor, delivery.subscription_id)
    if subscription.disabled_at is not None:
        raise EndpointDisabled(
            "the endpoint is disabled: enable it (POST /v1/webhooks/{id}/enable) before redelivering to it",
            [{"webhook_id": subscription.id, "disabled_at": iso(subscription.disabled_at)}],
        )
    now = ports.clock()
    saved = update(ports, delivery, lambda current: current.redelivered(now))
    if saved is None:
        raise NotFound(f"no webhook delivery {delivery_id}")
    enqueue_attempt(ports, saved, 1, now)
    return saved
