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

import base64
import json
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.adapters.aws import client
from chalicelib.adapters.dynamodb import TransientStorageError
from chalicelib.adapters.webhook_outbox import PENDING_INDEX, PENDING_PARTITION, OutboxEntry, outbox_key, sortable
from chalicelib.domain.errors import MalformedRequest
from chalicelib.domain.webhooks import Delivery, Subscription

DELIVERY_RETENTION = timedelta(days=30)
TRANSIENT_CODES = frozenset(
    {"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded", "InternalServerError"}
)


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def subscription_key(storefront_id: str, subscription_id: str) -> dict[str, Any]:
    return {"PK": _s(f"WEBHOOKS#{storefront_id}"), "SK": _s(f"SUBSCRIPTION#{subscription_id}")}


def delivery_key(delivery_id: str) -> dict[str, Any]:
    return {"PK": _s(f"WEBHOOK_DELIVERY#{delivery_id}"), "SK": _s("DELIVERY")}


def _conflict(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


class WebhookStore:
    def __init__(self, table_name: str) -> None:
        self.table = table_name

    @property
    def _db(self) -> Any:
        return client("dynamodb")

    # -- subscriptions ---------------------------------------------------------

    def put_subscription(self, subscription: Subscription) -> None:
        self._call(
            "put_item",
            TableName=self.table,
            Item={
                **subscription_key(subscription.storefront_id, subscription.id),
                "doc": _s(subscription.model_dump_json()),
            },
        )

    def get_subscription(self, storefront_id: str, subscription_id: str) -> Subscription | None:
        item = self._get(subscription_key(storefront_id, subscription_id))
        return Subscription.model_validate_json(item["doc"]["S"]) if item else None

    def subscriptions(self, storefront_id: str) -> list[Subscription]:
        items = self._query(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :prefix)",
            ExpressionAttributeValues={":pk": _s(f"WEBHOOKS#{storefront_id}"), ":prefix": _s("SUBSCRIPTION#")},
            ConsistentRead=True,
        )
        return [Subscription.model_validate_json(item["doc"]["S"]) for item in items]

    def delete_subscription(self, storefront_id: str, subscription_id: str) -> bool:
        response = self._call(
            "delete_item",
            TableName=self.table,
            Key=subscription_key(storefront_id, subscription_id),
            ReturnValues="ALL_OLD",
        )
        return "Attributes" in response

    # -- deliveries --------------------------------------------------------------

    def _delivery_item(self, delivery: Delivery) -> dict[str, Any]:
        return {
            **delivery_key(delivery.id),
            "doc": _s(delivery.model_dump_json()),
            "revision": {"N": str(delivery.revision)},
            "GSI4PK": _s(f"WEBHOOK#{delivery.subscription_id}"),
            "GSI4SK": _s(f"{sortable(delivery.created_at)}#{delivery.id}"),
            "expires_at": {"N": str(int((delivery.updated_at + DELIVERY_RETENTION).timestamp()))},
        }

    def create_delivery(self, delivery: Delivery) -> bool:
        """Store a new delivery; False when it already exists (a repeated fan-out)."""
        try:
            self._call(
                "put_item",
                TableName=self.table,
                Item=self._delivery_item(delivery),
                ConditionExpression="attribute_not_exists(PK)",
            )
        except ClientError as error:
            if _conflict(error):
                return False
            raise
        return True

    def save_delivery(self, delivery: Delivery) -> Delivery | None:
        """Write the next revision if nobody else wrote since `delivery` was read; None if somebody did."""
        saved = delivery.model_copy(update={"revision": delivery.revision + 1})
        try:
            self._call(
                "put_item",
                TableName=self.table,
                Item=self._delivery_item(saved),
                ConditionExpression="revision = :read",
                ExpressionAttributeValues={":read": {"N": str(delivery.revision)}},
            )
        except ClientError as error:
            if _conflict(error):
                return None
            raise
        return saved

    def get_delivery(self, delivery_id: str) -> Delivery | None:
        item = self._get(delivery_key(delivery_id))
        return Delivery.model_validate_json(item["doc"]["S"]) if item else None

    def deliveries(self, subscription_id: str, limit: int, cursor: str | None) -> tuple[list[Delivery], str | None]:
        """A subscription's deliveries, newest first, a page at a time."""
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": "GSI4",
            "KeyConditionExpression": "GSI4PK = :pk",
            "ExpressionAttributeValues": {":pk": _s(f"WEBHOOK#{subscription_id}")},
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if cursor:
            kwargs["ExclusiveStartKey"] = _decode_cursor(cursor, subscription_id)
        response = self._call("query", **kwargs)
        last = response.get("LastEvaluatedKey")
        items = [Delivery.model_validate_json(item["doc"]["S"]) for item in response.get("Items", [])]
        return items, _encode_cursor(last) if last else None

    # -- outbox ------------------------------------------------------------------------

    def outbox_entry(self, case_id: str, sequence: int) -> OutboxEntry | None:
        item = self._get(outbox_key(case_id, sequence))
        return OutboxEntry.from_item(item) if item else None

    def mark_published(self, entry: OutboxEntry, at: datetime) -> None:
        """Out of the sweeper's index: the relay handed it to the queue."""
        self._call(
            "update_item",
            TableName=self.table,
            Key=outbox_key(entry.case_id, entry.sequence),
            UpdateExpression="REMOVE GSI3PK, GSI3SK SET published_at = :at",
            ConditionExpression="attribute_exists(PK)",
            ExpressionAttributeValues={":at": _s(sortable(at))},
        )

    def unpublished(self, created_before: datetime, limit: int) -> list[OutboxEntry]:
        """Outbox entries the relay has not published, oldest first."""
        response = self._call(
            "query",
            TableName=self.table,
            IndexName=PENDING_INDEX,
            KeyConditionExpression="GSI3PK = :pk AND GSI3SK < :before",
            ExpressionAttributeValues={":pk": _s(PENDING_PARTITION), ":before": _s(sortable(created_before))},
            Limit=limit,
        )
        return [OutboxEntry.from_item(item) for item in response.get("Items", [])]

    # -- plumbing ------------------------------------------------------------------------

    def _get(self, key: dict[str, Any]) -> dict[str, Any] | None:
        response = self._call("get_item", TableName=self.table, Key=key, ConsistentRead=True)
        item: dict[str, Any] | None = response.get("Item")
        return item

    def _query(self, **kwargs: Any) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        start: dict[str, Any] | None = None
        while True:
            paging = {"ExclusiveStartKey": start} if start else {}
            page = self._call("query", TableName=self.table, **kwargs, **paging)
            items.extend(page.get("Items", []))
            start = page.get("LastEvaluatedKey")
            if not start:
                return items

    def _call(self, operation: str, **kwargs: Any) -> Any:
        try:
            return getattr(self._db, operation)(**kwargs)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in TRANSIENT_CODES:
                raise TransientStorageError(str(error)) from error
            raise


def _encode_cursor(key: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode()


def _decode_cursor(cursor: str, subscription_id: str) -> dict[str, Any]:
    """Only a key this listing issued is accepted back."""
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        valid = (
            isinstance(key, dict)
            and set(key) == {"PK", "SK", "GSI4PK", "GSI4SK"}
            and key["GSI4PK"] == _s(f"WEBHOOK#{subscription_id}")
            and all(isinstance(value, dict) and isinstance(value.get("S"), str) for value in key.values())
        )
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: deeply nested JSON
        valid = False
    if not valid:
        raise MalformedRequest("the cursor is not one this listing issued")
    return dict(key)
