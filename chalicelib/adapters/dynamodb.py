"""The single-table DynamoDB repository.

Items (PK / SK):
  CASE#{id} / CASE                     the case document, with `version` and GSI keys
  CASE#{id} / EVENT#{version}#{n}      append-only audit events
  CASE#{id} / TOKEN#{window_id}        the workflow task token parked on a window
  REQUEST#{storefront}#{id} / REQUEST  the after-sales request; `dispute_id` once escalated
  LEDGER#seller_penalty#{storefront}#{seller} / AT#{time}#CASE#{id}   a closed case's penalty points
  LEDGER#buyer_outcome#{storefront}#{buyer} / TOTALS                  the buyer's ruled and lost counts
  WEBHOOK_OUTBOX#{id} / SEQ#{sequence}  webhook outbox, written with the case (adapters/webhook_outbox.py)

GSIs: GSI1 cases of a buyer, GSI2 cases of a seller, GSI3 queue (review, senior,
or the window a case waits on) ordered by due time, GSI4 cases of a storefront. Every case write is conditional on the
version it read, and goes in one transaction with its audit events.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.adapters.aws import client
from chalicelib.adapters.webhook_outbox import AfterCommit, OutboxEntry, outbox_entries, sortable
from chalicelib.domain.errors import Duplicate, MalformedRequest, StaleVersion
from chalicelib.domain.models import (
    AfterSalesRequest,
    AuditEvent,
    Dispute,
    LedgerEntry,
    Status,
    Transition,
    WindowKind,
)

TRANSIENT_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
        "TransactionConflictException",
    }
)


class TransientStorageError(Exception):
    """DynamoDB was busy; the caller (or the state machine's Retry) may try again."""


class VersionConflict(StaleVersion):
    """Somebody else wrote the case since it was read."""


@dataclass(frozen=True)
class Page:
    items: list[Dispute]
    cursor: str | None


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _n(value: int) -> dict[str, str]:
    return {"N": str(value)}


def case_key(case_id: str) -> dict[str, Any]:
    return {"PK": _s(f"CASE#{case_id}"), "SK": _s("CASE")}


def request_key(storefront_id: str, request_id: str) -> dict[str, Any]:
    return {"PK": _s(f"REQUEST#{storefront_id}#{request_id}"), "SK": _s("REQUEST")}


def queue_name(case: Dispute) -> str:
    """Which queue a waiting case sits in: reviewers' and seniors' queues, or the window it waits on."""
    assert case.window is not None
    if case.window.kind == WindowKind.REVIEW:
        return "senior" if case.in_senior_queue else "review"
    return case.window.kind.value


def encode_cursor(key: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode()


def decode_cursor(cursor: str, index: str) -> dict[str, Any]:
    """Only a key of this index's shape, with string values, is accepted back."""
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, UnicodeDecodeError, RecursionError) as error:  # RecursionError: deeply nested JSON
        raise MalformedRequest("the cursor is not one this API issued") from error
    expected = {"PK", "SK", f"{index}PK", f"{index}SK"}
    if (
        not isinstance(key, dict)
        or set(key) != expected
        or not all(
            isinstance(value, dict) and set(value) == {"S"} and isinstance(value["S"], str) for value in key.values()
        )
    ):
        raise MalformedRequest("the cursor is not one this API issued")
    return key


def _ledger_partition(kind: str, storefront_id: str, party_id: str) -> dict[str, str]:
    return _s(f"LEDGER#{kind}#{storefront_id}#{party_id}")


def _ledger_write(table: str, entry: LedgerEntry) -> dict[str, Any]:
    """The TransactWriteItems element recording a closed case on a party's record.

    The closing transaction is conditional on the case's version, so it commits once and
    a case is never counted twice. Penalties are kept one per case, keyed by time, so the
    rules read only the live ones; a buyer's record is two counters, so reading it costs
    the same however many disputes the buyer had.
    """
    partition = _ledger_partition(entry.kind, entry.storefront_id, entry.subject)
    if entry.kind == "buyer_outcome":
        return {
            "Update": {
                "TableName": table,
                "Key": {"PK": partition, "SK": _s("TOTALS")},
                "UpdateExpression": "ADD ruled :one, lost :lost",
                "ExpressionAttributeValues": {":one": _n(1), ":lost": _n(int(entry.lost))},
            }
        }
    item = {
        "PK": partition,
        "SK": _s(f"AT#{sortable(entry.at)}#CASE#{entry.case_id}"),
        "points": _n(entry.points),
        "recorded_at": _s(entry.at.isoformat()),
    }
    return {"Put": {"TableName": table, "Item": item}}


def _case_item(case: Dispute) -> dict[str, Any]:
    item = {
        **case_key(case.id),
        "doc": _s(case.model_dump_json()),
        "version": _n(case.version),
        "case_status": _s(case.status.value),
        "GSI1PK": _s(f"BUYER#{case.storefront_id}#{case.buyer_id}"),
        "GSI1SK": _s(f"{case.created_at.isoformat()}#{case.id}"),
        "GSI2PK": _s(f"SELLER#{case.storefront_id}#{case.seller_id}"),
        "GSI2SK": _s(f"{case.created_at.isoformat()}#{case.id}"),
        "GSI4PK": _s(f"STOREFRONT#{case.storefront_id}"),
        "GSI4SK": _s(f"{case.created_at.isoformat()}#{case.id}"),
    }
    if case.window is not None:
        item["GSI3PK"] = _s(f"QUEUE#{queue_name(case)}")
        item["GSI3SK"] = _s(f"{case.window.due_at.isoformat()}#{case.id}")
    return item


def _event_items(case: Dispute, events: tuple[AuditEvent, ...]) -> list[dict[str, Any]]:
    return [
        {
            "PK": _s(f"CASE#{case.id}"),
            "SK": _s(f"EVENT#{case.version:010d}#{index:02d}"),
            "doc": _s(event.model_dump_json()),
        }
        for index, event in enumerate(events)
    ]


def _is_transient(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") in TRANSIENT_CODES


class DynamoRepository:
    def __init__(self, table_name: str, after_commit: AfterCommit | None = None) -> None:
        self.table = table_name
        self.after_commit = after_commit  # publishes the webhook outbox entries just committed

    @property
    def _db(self) -> Any:
        return client("dynamodb")

    # -- after-sales requests -------------------------------------------------

    def put_request(self, request: AfterSalesRequest) -> None:
        """Record or correct a request; once escalated its facts are frozen."""
        try:
            self._db.put_item(
                TableName=self.table,
                Item={
                    **request_key(request.storefront_id, request.request_id),
                    "doc": _s(request.model_dump_json()),
                },
                ConditionExpression="attribute_not_exists(dispute_id)",
            )
        except ClientError as error:
            self._raise_for(error, "the request was already escalated; its facts can no longer change")

    def get_request(self, storefront_id: str, request_id: str) -> AfterSalesRequest | None:
        item = self._get(request_key(storefront_id, request_id))
        if item is None:
            return None
        request = AfterSalesRequest.model_validate_json(item["doc"]["S"])
        if "dispute_id" in item:
            request = request.model_copy(update={"dispute_id": item["dispute_id"]["S"]})
        return request

    # -- cases ---------------------------------------------------------------

    def create_case(self, transition: Transition) -> Dispute:
        """The case, its first events and the request's link to it, all or nothing."""
        case = transition.case.model_copy(update={"version": 1})
        key = request_key(case.storefront_id, case.request_id)
        outbox = outbox_entries(case, transition.events)
        writes = [
            {
                "Put": {
                    "TableName": self.table,
                    "Item": _case_item(case),
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            },
            *({"Put": {"TableName": self.table, "Item": item}} for item in _event_items(case, transition.events)),
            *(entry.put(self.table) for entry in outbox),
            {
                "Update": {
                    "TableName": self.table,
                    "Key": key,
                    "UpdateExpression": "SET dispute_id = :id",
                    "ConditionExpression": "attribute_exists(PK) AND attribute_not_exists(dispute_id)",
                    "ExpressionAttributeValues": {":id": _s(case.id)},
                }
            },
        ]
        self._transact(writes, "this request was already escalated")
        self._published(outbox)
        return case

    def save(self, transition: Transition) -> Dispute:
        """Write the next version of a case with its audit events, only if nobody wrote first."""
        case = transition.case.model_copy(update={"version": transition.case.version + 1})
        outbox = outbox_entries(case, transition.events)
        writes = [
            {
                "Put": {
                    "TableName": self.table,
                    "Item": _case_item(case),
                    "ConditionExpression": "version = :expected",
                    "ExpressionAttributeValues": {":expected": _n(case.version - 1)},
                }
            },
            *(
                {
                    "Put": {
                        "TableName": self.table,
                        "Item": item,
                        "ConditionExpression": "attribute_not_exists(PK)",
                    }
                }
                for item in _event_items(case, transition.events)
            ),
            *(entry.put(self.table) for entry in outbox),
            *(_ledger_write(self.table, entry) for entry in transition.ledger),
        ]
        self._transact(writes, "the case changed since it was read")
        self._published(outbox)
        return case

    # -- parties' records, read by the rules -------------------------------------

    def seller_points(self, storefront_id: str, seller_id: str, since: datetime) -> int:
        """Live penalty points: those recorded since `since` (older ones expired, and are not read)."""
        items = self._query(
            KeyConditionExpression="PK = :pk AND SK >= :since",
            ExpressionAttributeValues={
                ":pk": _ledger_partition("seller_penalty", storefront_id, seller_id),
                ":since": _s(f"AT#{sortable(since)}"),
            },
            ProjectionExpression="points",
        )
        return sum(int(item["points"]["N"]) for item in items)

    def buyer_record(self, storefront_id: str, buyer_id: str) -> tuple[int, int]:
        """(ruled disputes, of which lost) for a buyer on a storefront."""
        item = self._get({"PK": _ledger_partition("buyer_outcome", storefront_id, buyer_id), "SK": _s("TOTALS")})
        if item is None:
            return 0, 0
        return int(item["ruled"]["N"]), int(item["lost"]["N"])

    def seller_penalties(self, storefront_id: str, seller_id: str) -> list[LedgerEntry]:
        """Every penalty-points record of a seller on a storefront, expired ones too, newest first."""
        items = self._query(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :at)",
            ExpressionAttributeValues={
                ":pk": _ledger_partition("seller_penalty", storefront_id, seller_id),
                ":at": _s("AT#"),
            },
            ScanIndexForward=False,
        )
        return [
            LedgerEntry(
                kind="seller_penalty",
                storefront_id=storefront_id,
                subject=seller_id,
                case_id=item["SK"]["S"].partition("#CASE#")[2],
                points=int(item["points"]["N"]),
                at=datetime.fromisoformat(item["recorded_at"]["S"]),
            )
            for item in items
        ]

    def _published(self, outbox: list[OutboxEntry]) -> None:
        """Best effort, after the commit: whatever fails here the outbox sweeper publishes later."""
        if outbox and self.after_commit is not None:
            self.after_commit(outbox)

    def get_case(self, case_id: str) -> Dispute | None:
        item = self._get(case_key(case_id), projection="doc")
        return Dispute.model_validate_json(item["doc"]["S"]) if item else None

    def events(self, case_id: str) -> list[AuditEvent]:
        return [
            AuditEvent.model_validate_json(item["doc"]["S"])
            for item in self._query(
                KeyConditionExpression="PK = :pk AND begins_with(SK, :prefix)",
                ExpressionAttributeValues={":pk": _s(f"CASE#{case_id}"), ":prefix": _s("EVENT#")},
                ConsistentRead=True,
            )
        ]

    def queue(self, name: str, status: Status | None, limit: int, cursor: str | None) -> Page:
        """Cases waiting for a reviewer (`review`) or a senior reviewer (`senior`), oldest due first."""
        return self._page("GSI3", f"QUEUE#{name}", status, limit, cursor, oldest_first=True)

    def cases_of(self, partition: str, status: Status | None, limit: int, cursor: str | None) -> Page:
        """A buyer's, seller's or storefront's cases (GSI1, GSI2, GSI4 by prefix), newest first."""
        index = {"BUYER": "GSI1", "SELLER": "GSI2", "STOREFRONT": "GSI4"}[partition.split("#", 1)[0]]
        return self._page(index, partition, status, limit, cursor, oldest_first=False)

    def _page(
        self, index: str, partition: str, status: Status | None, limit: int, cursor: str | None, *, oldest_first: bool
    ) -> Page:
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "IndexName": index,
            "KeyConditionExpression": f"{index}PK = :pk",
            "ExpressionAttributeValues": {":pk": _s(partition)},
            "Limit": limit,
            "ScanIndexForward": oldest_first,
        }
        if status is not None:
            kwargs["FilterExpression"] = "case_status = :status"
            kwargs["ExpressionAttributeValues"][":status"] = _s(status.value)
        if cursor:
            kwargs["ExclusiveStartKey"] = decode_cursor(cursor, index)
        try:
            response = self._call("query", **kwargs)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ValidationException":
                raise MalformedRequest("the cursor does not belong to this listing") from error
            raise
        last = response.get("LastEvaluatedKey")
        return Page(
            items=[Dispute.model_validate_json(item["doc"]["S"]) for item in response.get("Items", [])],
            cursor=encode_cursor(last) if last else None,
        )

    # -- workflow task tokens -------------------------------------------------

    def put_task_token(self, case_id: str, window_id: str, token: str, expires_at: int) -> None:
        self._call(
            "put_item",
            TableName=self.table,
            Item={
                "PK": _s(f"CASE#{case_id}"),
                "SK": _s(f"TOKEN#{window_id}"),
                "token": _s(token),
                "expires_at": _n(expires_at),
            },
        )

    def get_task_token(self, case_id: str, window_id: str) -> str | None:
        item = self._get({"PK": _s(f"CASE#{case_id}"), "SK": _s(f"TOKEN#{window_id}")})
        return item["token"]["S"] if item else None

    # -- plumbing --------------------------------------------------------------

    def _get(self, key: dict[str, Any], projection: str | None = None) -> dict[str, Any] | None:
        """A strongly consistent read; `projection` keeps index keys out of the answer when only the doc matters."""
        extra = {"ProjectionExpression": projection} if projection else {}
        response = self._call("get_item", TableName=self.table, Key=key, ConsistentRead=True, **extra)
        item: dict[str, Any] | None = response.get("Item")
        return item

    def _query(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        start: dict[str, Any] | None = None
        while True:
            page = self._call(
                "query",
                TableName=self.table,
                **kwargs,
                **({"ExclusiveStartKey": start} if start else {}),
            )
            yield from page.get("Items", [])
            start = page.get("LastEvaluatedKey")
            if not start:
                return

    def _call(self, operation: str, **kwargs: Any) -> Any:
        try:
            return getattr(self._db, operation)(**kwargs)
        except ClientError as error:
            if _is_transient(error):
                raise TransientStorageError(str(error)) from error
            raise

    def _transact(self, writes: list[dict[str, Any]], conflict_message: str) -> None:
        try:
            self._db.transact_write_items(TransactItems=writes)
        except ClientError as error:
            self._raise_for(error, conflict_message)

    @staticmethod
    def _raise_for(error: ClientError, conflict_message: str) -> None:
        code = error.response.get("Error", {}).get("Code")
        if code == "ConditionalCheckFailedException":
            raise Duplicate(conflict_message) from error
        if code == "TransactionCanceledException":
            reasons = [r.get("Code") for r in error.response.get("CancellationReasons", [])]
            if "ConditionalCheckFailed" in reasons:
                raise VersionConflict(conflict_message) from error
            raise TransientStorageError(str(error)) from error
        if _is_transient(error):
            raise TransientStorageError(str(error)) from error
        raise error
