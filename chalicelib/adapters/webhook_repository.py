"""Subscriptions, deliveries and the reads of the outbox, in the service's single table.

Items (PK / SK):
  WEBHOOKS#{storefront} / SUBSCRIPTION#{id}   a subscription with its signing secrets (`doc`), and its health
                                              as attributes of their own (`failing_since`, `disabled_at`,
                                              `disabled_reason`) so that workers change it with one
                                              conditional UpdateItem and never rewrite the secrets
  WEBHOOK_DELIVERIES#{subscription} / DELIVERY#{id}
                                              one event to one subscription, with its attempt log (the
                                              body is its outbox entry's, rendered at each attempt); the
                                              id sorts by time, so the partition lists them, newest first,
                                              with no index entry to write
  WEBHOOK_DELIVERY#{id} / DELIVERY            a delivery stored before, listed through GSI4PK=WEBHOOK#{sub}
                                              until its 30 days end
  CASE#{case} / EVENT#...                     timeline items, with the webhook events of their write
                                              (webhook_outbox.py), read here; and the old outbox items

Deliveries are written with a `revision` condition, so two workers can never both
record the same attempt.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from chalicelib.adapters.table import Cursors, Table, from_sortable, json_attribute, json_text, s, sortable
from chalicelib.adapters.webhook_outbox import (
    case_partition_key,
    entries_from_item,
    entries_from_timeline_item,
    outbox_key,
    webhook_number_key,
)
from chalicelib.domain.webhook_messages import EventMessage, OutboxEntry
from chalicelib.domain.webhooks import (
    SEQUENCE_STRIDE,
    TRANSITION_EVENTS,
    Delivery,
    DeliveryStatus,
    Subscription,
    delivery_subscription,
)

DELIVERY_RETENTION = timedelta(days=30)
START: dict[str, Any] = {"start": True}  # the cursor of a listing's second part, before its first page


def subscription_key(storefront_id: str, subscription_id: str) -> dict[str, Any]:
    return {"PK": s(f"WEBHOOKS#{storefront_id}"), "SK": s(f"SUBSCRIPTION#{subscription_id}")}


def delivery_key(delivery_id: str) -> dict[str, Any]:
    """In its subscription's partition, sorted by its id (which sorts by time); a delivery whose id names no
    subscription was stored on its own, before."""
    subscription_id = delivery_subscription(delivery_id)
    if subscription_id is None:
        return {"PK": s(f"WEBHOOK_DELIVERY#{delivery_id}"), "SK": s("DELIVERY")}
    return {"PK": s(deliveries_partition(subscription_id)), "SK": s(f"DELIVERY#{delivery_id}")}


def deliveries_partition(subscription_id: str) -> str:
    return f"WEBHOOK_DELIVERIES#{subscription_id}"


HEALTH = ("failing_since", "disabled_at", "disabled_reason")


def _subscription(item: dict[str, Any]) -> Subscription:
    subscription = Subscription.model_validate_json(json_text(item["doc"]))
    health: dict[str, Any] = {name: item[name]["S"] for name in HEALTH if name in item}
    for moment in ("failing_since", "disabled_at"):
        if moment in health:
            health[moment] = from_sortable(health[moment])
    return subscription.model_copy(update=health) if health else subscription


class DynamoWebhookStore:
    def __init__(self, table: Table, cursors: Cursors) -> None:
        self.table = table
        self.cursors = cursors

    # -- subscriptions ---------------------------------------------------------

    def put_subscription(self, subscription: Subscription) -> None:
        """Create it, or replace its URL, events and secrets; its health is left as the workers wrote it."""
        self.table.call(
            "update_item",
            Key=subscription_key(subscription.storefront_id, subscription.id),
            UpdateExpression="SET doc = :doc",
            ExpressionAttributeValues={":doc": json_attribute(subscription.model_dump_json(exclude=set(HEALTH)))},
        )

    def get_subscription(self, storefront_id: str, subscription_id: str) -> Subscription | None:
        item = self.table.get(subscription_key(storefront_id, subscription_id))
        return _subscription(item) if item else None

    def note_failure(self, subscription: Subscription, at: datetime) -> None:
        """The first failure of a run starts it; later ones keep its start."""
        self._change_health(subscription, "SET failing_since = if_not_exists(failing_since, :at)", {":at": at})

    def note_success(self, subscription: Subscription) -> None:
        self._change_health(subscription, "REMOVE failing_since", {}, "attribute_exists(failing_since)")

    def disable(self, subscription: Subscription, at: datetime, reason: str, failing_before: datetime) -> bool:
        """Disable it, unless it is disabled already or an attempt succeeded since (one worker wins)."""
        return self._change_health(
            subscription,
            "SET disabled_at = :at, disabled_reason = :reason",
            {":at": at, ":reason": reason, ":before": failing_before},
            "attribute_not_exists(disabled_at) AND failing_since <= :before",
        )

    def enable(self, subscription: Subscription) -> bool:
        return self._change_health(subscription, "REMOVE disabled_at, disabled_reason, failing_since", {})

    def _change_health(
        self, subscription: Subscription, expression: str, values: dict[str, str | datetime], condition: str = ""
    ) -> bool:
        extra: dict[str, Any] = {}
        if values:
            extra["ExpressionAttributeValues"] = {
                name: s(sortable(value) if isinstance(value, datetime) else value) for name, value in values.items()
            }
        written, _ = self.table.update(
            subscription_key(subscription.storefront_id, subscription.id),
            expression,
            " AND ".join(filter(None, ["attribute_exists(doc)", condition])),
            **extra,
        )
        return written

    def subscriptions(self, storefront_id: str) -> list[Subscription]:
        items = self.table.query(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :prefix)",
            ExpressionAttributeValues={":pk": s(f"WEBHOOKS#{storefront_id}"), ":prefix": s("SUBSCRIPTION#")},
            ConsistentRead=True,
        )
        return [_subscription(item) for item in items]

    def delete_subscription(self, storefront_id: str, subscription_id: str) -> bool:
        response = self.table.call(
            "delete_item", Key=subscription_key(storefront_id, subscription_id), ReturnValues="ALL_OLD"
        )
        return "Attributes" in response

    # -- deliveries --------------------------------------------------------------

    def _delivery_item(self, delivery: Delivery) -> dict[str, Any]:
        item = {
            **delivery_key(delivery.id),
            "doc": json_attribute(delivery.model_dump_json()),
            "revision": {"N": str(delivery.revision)},
            "delivery_status": s(delivery.status.value),
            "expires_at": {"N": str(int((delivery.updated_at + DELIVERY_RETENTION).timestamp()))},
        }
        if delivery_subscription(delivery.id) is None:  # stored before: listed through GSI4 until it expires
            item["GSI4PK"] = s(f"WEBHOOK#{delivery.subscription_id}")
            item["GSI4SK"] = s(f"{sortable(delivery.created_at)}#{delivery.id}")
        return item

    def create_delivery(self, delivery: Delivery) -> bool:
        """Store a new delivery; False when it already exists (a repeated fan-out)."""
        return self.table.put(self._delivery_item(delivery), "attribute_not_exists(PK)")

    def save_delivery(self, delivery: Delivery) -> Delivery | None:
        """Write the next revision if nobody else wrote since `delivery` was read; None if somebody did."""
        saved = delivery.model_copy(update={"revision": delivery.revision + 1})
        written = self.table.put(
            self._delivery_item(saved),
            "revision = :read",
            ExpressionAttributeValues={":read": {"N": str(delivery.revision)}},
        )
        return saved if written else None

    def get_delivery(self, delivery_id: str) -> Delivery | None:
        item = self.table.get(delivery_key(delivery_id))
        return Delivery.model_validate_json(json_text(item["doc"])) if item else None

    def deliveries(
        self, subscription_id: str, limit: int, cursor: str | None, status: DeliveryStatus | None = None
    ) -> tuple[list[Delivery], str | None]:
        """A subscription's deliveries, newest first, a page at a time; with `status`, only those in it.

        The status is a filter, not a key: a filtered page reads `limit` deliveries and may hold fewer (or
        none) while `next_cursor` says there is more to look at. The subscription's partition is read first,
        then the deliveries stored before deliveries had one (in GSI4, all older, gone within their 30 days)."""
        listing = f"DELIVERIES#{subscription_id}#{status or 'any'}"  # a cursor only resumes its own filter
        earlier = f"GSI4#WEBHOOK#{subscription_id}#{status or 'any'}"
        values: dict[str, Any] = {}
        query: dict[str, Any] = {"ScanIndexForward": False, "Limit": limit}
        if status is not None:
            values[":status"] = s(status.value)
            query["FilterExpression"] = "delivery_status = :status"
        resumed = self.cursors.issued(cursor, earlier) if cursor else None
        if resumed is None:
            items, next_cursor = self.table.page(
                self.cursors,
                listing,
                cursor,
                KeyConditionExpression="PK = :pk",
                ExpressionAttributeValues={":pk": s(deliveries_partition(subscription_id)), **values},
                **query,
            )
            if next_cursor is None and self._any_earlier(subscription_id):  # on to those stored before
                next_cursor = self.cursors.encode(START, earlier)
        else:
            items, next_cursor = self.table.page(
                self.cursors,
                earlier,
                None if resumed == START else cursor,
                IndexName="GSI4",
                KeyConditionExpression="GSI4PK = :pk",
                ExpressionAttributeValues={":pk": s(f"WEBHOOK#{subscription_id}"), **values},
                **query,
            )
        return [Delivery.model_validate_json(json_text(item["doc"])) for item in items], next_cursor

    def _any_earlier(self, subscription_id: str) -> bool:
        """Whether deliveries stored before are left in GSI4 (one key read; none once they expired)."""
        response = self.table.call(
            "query",
            IndexName="GSI4",
            KeyConditionExpression="GSI4PK = :pk",
            ExpressionAttributeValues={":pk": s(f"WEBHOOK#{subscription_id}")},
            ProjectionExpression="PK",
            Limit=1,
        )
        return bool(response.get("Items"))

    # -- outbox ------------------------------------------------------------------------

    def outbox_entries(self, message: EventMessage) -> list[OutboxEntry]:
        """The events of the write `message` names (what the stream relayed), in their order."""
        if message.line is not None:
            item = self.table.get(case_partition_key(message.case_id, message.line))
            return entries_from_timeline_item(item) if item else []
        item = self.table.get(outbox_key(message.case_id, message.sequence or 0))
        return entries_from_item(item) if item else []

    def outbox_entry(self, case_id: str, sequence: int) -> OutboxEntry | None:
        """One event, for a delivery's later attempts: from the timeline item that carries it (a transition's
        is its version's; a message's is named by the number it took), or else from the outbox item of its own
        that an event had before."""
        if sequence % SEQUENCE_STRIDE < TRANSITION_EVENTS:
            item = self.table.get(case_partition_key(case_id, f"EVENT#{sequence // SEQUENCE_STRIDE:010d}"))
        else:
            number = self.table.get(webhook_number_key(case_id, sequence))
            item = self.table.get(case_partition_key(case_id, number["line"]["S"])) if number else None
        found = next((e for e in entries_from_timeline_item(item) if e.sequence == sequence), None) if item else None
        return found or self._old_outbox_entry(case_id, sequence)

    def _old_outbox_entry(self, case_id: str, sequence: int) -> OutboxEntry | None:
        """From the old outbox items: the last one keyed at or before the sequence."""
        key = outbox_key(case_id, sequence)
        response = self.table.call(
            "query",
            KeyConditionExpression="PK = :pk AND SK <= :sk",
            ExpressionAttributeValues={":pk": key["PK"], ":sk": key["SK"]},
            ScanIndexForward=False,
            Limit=1,
            ConsistentRead=True,
        )
        items = response.get("Items", [])
        entries = entries_from_item(items[0]) if items else []
        return next((entry for entry in entries if entry.sequence == sequence), None)
