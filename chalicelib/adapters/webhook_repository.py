"""Subscriptions, deliveries and the outbox's publish state, in the service's single table.

Items (PK / SK):
  WEBHOOKS#{storefront} / SUBSCRIPTION#{id}   a subscription with its signing secrets
  WEBHOOK_DELIVERY#{id} / DELIVERY            one event to one subscription, with its attempt log;
                                              GSI4PK=WEBHOOK#{subscription} lists them newest first
  WEBHOOK_OUTBOX#{case} / SEQ#{n}             written by the case transaction (webhook_outbox.py)

Deliveries are written with a `revision` condition, so two workers can never both
record the same attempt.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from chalicelib.adapters.table import Cursors, Table, s, sortable
from chalicelib.adapters.webhook_outbox import PENDING_INDEX, PENDING_PARTITION, entry_from_item, outbox_key
from chalicelib.domain.webhook_messages import OutboxEntry
from chalicelib.domain.webhooks import Delivery, DeliveryStatus, Subscription

DELIVERY_RETENTION = timedelta(days=30)


def subscription_key(storefront_id: str, subscription_id: str) -> dict[str, Any]:
    return {"PK": s(f"WEBHOOKS#{storefront_id}"), "SK": s(f"SUBSCRIPTION#{subscription_id}")}


def delivery_key(delivery_id: str) -> dict[str, Any]:
    return {"PK": s(f"WEBHOOK_DELIVERY#{delivery_id}"), "SK": s("DELIVERY")}


class DynamoWebhookStore:
    def __init__(self, table: Table, cursors: Cursors) -> None:
        self.table = table
        self.cursors = cursors

    # -- subscriptions ---------------------------------------------------------

    def put_subscription(self, subscription: Subscription) -> None:
        self.table.put(
            {**subscription_key(subscription.storefront_id, subscription.id), "doc": s(subscription.model_dump_json())}
        )

    def get_subscription(self, storefront_id: str, subscription_id: str) -> Subscription | None:
        item = self.table.get(subscription_key(storefront_id, subscription_id))
        return Subscription.model_validate_json(item["doc"]["S"]) if item else None

    def subscriptions(self, storefront_id: str) -> list[Subscription]:
        items = self.table.query(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :prefix)",
            ExpressionAttributeValues={":pk": s(f"WEBHOOKS#{storefront_id}"), ":prefix": s("SUBSCRIPTION#")},
            ConsistentRead=True,
        )
        return [Subscription.model_validate_json(item["doc"]["S"]) for item in items]

    def delete_subscription(self, storefront_id: str, subscription_id: str) -> bool:
        response = self.table.call(
            "delete_item", Key=subscription_key(storefront_id, subscription_id), ReturnValues="ALL_OLD"
        )
        return "Attributes" in response

    # -- deliveries --------------------------------------------------------------

    def _delivery_item(self, delivery: Delivery) -> dict[str, Any]:
        return {
            **delivery_key(delivery.id),
            "doc": s(delivery.model_dump_json()),
            "revision": {"N": str(delivery.revision)},
            "delivery_status": s(delivery.status.value),
            "GSI4PK": s(f"WEBHOOK#{delivery.subscription_id}"),
            "GSI4SK": s(f"{sortable(delivery.created_at)}#{delivery.id}"),
            "expires_at": {"N": str(int((delivery.updated_at + DELIVERY_RETENTION).timestamp()))},
        }

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
        return Delivery.model_validate_json(item["doc"]["S"]) if item else None

    def deliveries(
        self, subscription_id: str, limit: int, cursor: str | None, status: DeliveryStatus | None = None
    ) -> tuple[list[Delivery], str | None]:
        """A subscription's deliveries, newest first, a page at a time; with `status`, only those in it.

        The status is a filter on the subscription's partition, not a key: a filtered page reads `limit`
        deliveries and may hold fewer (or none) while `next_cursor` says there is more to look at."""
        listing = f"GSI4#WEBHOOK#{subscription_id}#{status or 'any'}"  # a cursor only resumes its own filter
        kwargs: dict[str, Any] = {
            "IndexName": "GSI4",
            "KeyConditionExpression": "GSI4PK = :pk",
            "ExpressionAttributeValues": {":pk": s(f"WEBHOOK#{subscription_id}")},
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if status is not None:
            kwargs["FilterExpression"] = "delivery_status = :status"
            kwargs["ExpressionAttributeValues"][":status"] = s(status.value)
        if cursor:
            kwargs["ExclusiveStartKey"] = self.cursors.decode(cursor, listing)
        response = self.table.call("query", **kwargs)
        last = response.get("LastEvaluatedKey")
        items = [Delivery.model_validate_json(item["doc"]["S"]) for item in response.get("Items", [])]
        return items, self.cursors.encode(last, listing) if last else None

    # -- outbox ------------------------------------------------------------------------

    def outbox_entry(self, case_id: str, sequence: int) -> OutboxEntry | None:
        item = self.table.get(outbox_key(case_id, sequence))
        return entry_from_item(item) if item else None

    def mark_published(self, entry: OutboxEntry, at: datetime) -> None:
        """Out of the sweeper's index: the relay handed it to the queue."""
        self.table.call(
            "update_item",
            Key=outbox_key(entry.case_id, entry.sequence),
            UpdateExpression="REMOVE GSI3PK, GSI3SK SET published_at = :at",
            ConditionExpression="attribute_exists(PK)",
            ExpressionAttributeValues={":at": s(sortable(at))},
        )

    def unpublished(self, created_before: datetime, limit: int) -> list[OutboxEntry]:
        """Outbox entries the relay has not published, oldest first."""
        response = self.table.call(
            "query",
            IndexName=PENDING_INDEX,
            KeyConditionExpression="GSI3PK = :pk AND GSI3SK < :before",
            ExpressionAttributeValues={":pk": s(PENDING_PARTITION), ":before": s(sortable(created_before))},
            Limit=limit,
        )
        return [entry_from_item(item) for item in response.get("Items", [])]
