"""Cases, their audit events and the after-sales requests they come from, in the single table.

Items (PK / SK):
  CASE#{id} / CASE                     the case document, with `version` and GSI keys
  CASE#{id} / EVENT#{version}#{n}      append-only audit events
  REQUEST#{storefront}#{id} / REQUEST  the after-sales request, `recorded_at` of its first recording; `dispute_id`
                                       once escalated
  WEBHOOK_OUTBOX#{id} / SEQ#{sequence}  webhook outbox, written with the case (adapters/webhook_outbox.py)

GSIs: GSI1 cases of a buyer, GSI2 cases of a seller, GSI3 queue (review, senior,
or the window a case waits on) ordered by due time, GSI4 cases of a storefront. Only
this module knows those keys. Every case write is conditional on the version it
read, and goes in one transaction with its audit events, outbox entries and the
ledger records a closing case leaves.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.adapters.ledgers import ledger_write
from chalicelib.adapters.table import Cursors, Table, Write, n, s
from chalicelib.adapters.webhook_outbox import AfterCommit, outbox_write
from chalicelib.domain.errors import Duplicate
from chalicelib.domain.lifecycle import FULFILMENT_WINDOWS
from chalicelib.domain.models import (
    AfterSalesRequest,
    AuditEvent,
    Dispute,
    Page,
    Status,
    Transition,
    WindowKind,
)
from chalicelib.domain.webhook_messages import OutboxEntry, outbox_entries


def case_key(case_id: str) -> dict[str, Any]:
    return {"PK": s(f"CASE#{case_id}"), "SK": s("CASE")}


def request_key(storefront_id: str, request_id: str) -> dict[str, Any]:
    return {"PK": s(f"REQUEST#{storefront_id}#{request_id}"), "SK": s("REQUEST")}


def queue_name(case: Dispute) -> str:
    """Which queue a waiting case sits in: reviewers' and seniors' queues, every fulfilment step's
    (`fulfilment`, so the platform watches what is coming due), or the party window it waits on."""
    assert case.window is not None
    if case.window.kind == WindowKind.REVIEW:
        return "senior" if case.in_senior_queue else "review"
    if case.window.kind in FULFILMENT_WINDOWS:
        return "fulfilment"
    return case.window.kind.value


def _case_item(case: Dispute) -> dict[str, Any]:
    created = s(f"{case.created_at.isoformat()}#{case.id}")
    item = {
        **case_key(case.id),
        "doc": s(case.model_dump_json()),
        "version": n(case.version),
        "case_status": s(case.status.value),
        "GSI1PK": s(f"BUYER#{case.storefront_id}#{case.buyer_id}"),
        "GSI1SK": created,
        "GSI2PK": s(f"SELLER#{case.storefront_id}#{case.seller_id}"),
        "GSI2SK": created,
        "GSI4PK": s(f"STOREFRONT#{case.storefront_id}"),
        "GSI4SK": created,
    }
    if case.window is not None:
        item["GSI3PK"] = s(f"QUEUE#{queue_name(case)}")
        item["GSI3SK"] = s(f"{case.window.due_at.isoformat()}#{case.id}")
    return item


def _event_writes(case: Dispute, events: tuple[AuditEvent, ...]) -> list[Write]:
    return [
        Write(
            {
                "Put": {
                    "Item": {
                        "PK": s(f"CASE#{case.id}"),
                        "SK": s(f"EVENT#{case.version:010d}#{index:02d}"),
                        "doc": s(event.model_dump_json()),
                    },
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            }
        )
        for index, event in enumerate(events)
    ]


class DynamoCaseRepository:
    def __init__(self, table: Table, cursors: Cursors, after_commit: AfterCommit | None = None) -> None:
        self.table = table
        self.cursors = cursors
        self.after_commit = after_commit  # publishes the webhook outbox entries just committed

    # -- after-sales requests -------------------------------------------------

    def put_request(self, request: AfterSalesRequest) -> datetime | None:
        """Record a request, or correct one not yet escalated, in one conditional UpdateItem; once escalated
        its facts are frozen (Duplicate). The first `recorded_at` stays (`if_not_exists`), and the item as it
        was tells a correction from a new request: returns when it was first recorded, None when it is new.
        """
        recorded = s(request.recorded_at.isoformat())
        made, old = self.table.update(
            request_key(request.storefront_id, request.request_id),
            "SET doc = :doc, recorded_at = if_not_exists(recorded_at, :recorded)",
            "attribute_not_exists(dispute_id)",
            ExpressionAttributeValues={":doc": s(request.model_dump_json()), ":recorded": recorded},
        )
        if not made:
            raise Duplicate(
                "the request was already escalated; its facts can no longer change",
                [{"dispute_id": old["dispute_id"]["S"]}] if "dispute_id" in old else [],
            )
        if not old:
            return None
        if "recorded_at" not in old:  # stored before `recorded_at` had its own attribute: its doc kept it
            first = AfterSalesRequest.model_validate_json(old["doc"]["S"]).recorded_at
            self.table.call(
                "update_item",
                Key=request_key(request.storefront_id, request.request_id),
                UpdateExpression="SET recorded_at = :first",
                ExpressionAttributeValues={":first": s(first.isoformat())},
            )
            return first
        return datetime.fromisoformat(old["recorded_at"]["S"])

    def get_request(self, storefront_id: str, request_id: str) -> AfterSalesRequest | None:
        item = self.table.get(request_key(storefront_id, request_id))
        if item is None:
            return None
        request = AfterSalesRequest.model_validate_json(item["doc"]["S"])
        if "recorded_at" in item:  # the first recording's; the doc holds the last correction's
            request = request.model_copy(update={"recorded_at": datetime.fromisoformat(item["recorded_at"]["S"])})
        if "dispute_id" in item:
            request = request.model_copy(update={"dispute_id": item["dispute_id"]["S"]})
        return request

    # -- cases ---------------------------------------------------------------

    def create(self, transition: Transition) -> Dispute:
        """The case, its first events and the request's link to it, all or nothing."""
        case = transition.case.model_copy(update={"version": 1})
        escalated = Write(
            {
                "Update": {
                    "Key": request_key(case.storefront_id, case.request_id),
                    "UpdateExpression": "SET dispute_id = :id",
                    "ConditionExpression": "attribute_exists(PK) AND attribute_not_exists(dispute_id)",
                    "ExpressionAttributeValues": {":id": s(case.id)},
                }
            },
            on_conflict=lambda: Duplicate("this request was already escalated"),
        )
        stored = Write(
            {"Put": {"Item": _case_item(case), "ConditionExpression": "attribute_not_exists(PK)"}},
            on_conflict=lambda: Duplicate("this request was already escalated"),
        )
        self._commit(case, transition, [stored, escalated])
        return case

    def save(self, transition: Transition) -> Dispute:
        """Write the next version of a case with its audit events, only if nobody wrote first."""
        case = transition.case.model_copy(update={"version": transition.case.version + 1})
        stored = Write(
            {
                "Put": {
                    "Item": _case_item(case),
                    "ConditionExpression": "version = :expected",
                    "ExpressionAttributeValues": {":expected": n(case.version - 1)},
                }
            }
        )
        self._commit(case, transition, [stored, *(ledger_write(entry) for entry in transition.ledger)])
        return case

    def _commit(self, case: Dispute, transition: Transition, writes: list[Write]) -> None:
        outbox = outbox_entries(case, transition.events)
        self.table.transact([*writes, *_event_writes(case, transition.events), *(outbox_write(e) for e in outbox)])
        self._published(outbox)

    def _published(self, outbox: list[OutboxEntry]) -> None:
        """Best effort, after the commit: whatever fails here the outbox sweeper publishes later."""
        if outbox and self.after_commit is not None:
            self.after_commit(outbox)

    def get(self, case_id: str) -> Dispute | None:
        item = self.table.get(case_key(case_id), projection="doc")
        return Dispute.model_validate_json(item["doc"]["S"]) if item else None

    def with_events(self, case_id: str) -> tuple[Dispute, list[AuditEvent]] | None:
        """The case and its timeline in one consistent Query over its partition: the case item sorts first
        (`CASE` < `EVENT#...` < `EVIDENCE#...` < `TOKEN#`), so the range stops before the evidence."""
        case: Dispute | None = None
        events: list[AuditEvent] = []
        for item in self.table.query(
            KeyConditionExpression="PK = :pk AND SK BETWEEN :case AND :last_event",
            ExpressionAttributeValues={
                ":pk": s(f"CASE#{case_id}"),
                ":case": s("CASE"),
                ":last_event": s("EVENT#\uffff"),
            },
            ProjectionExpression="SK, doc",
            ConsistentRead=True,
        ):
            key = item["SK"]["S"]
            if key == "CASE":
                case = Dispute.model_validate_json(item["doc"]["S"])
            elif key.startswith("EVENT#"):
                events.append(AuditEvent.model_validate_json(item["doc"]["S"]))
        return None if case is None else (case, events)

    def events(self, case_id: str) -> list[AuditEvent]:
        return [
            AuditEvent.model_validate_json(item["doc"]["S"])
            for item in self.table.query(
                KeyConditionExpression="PK = :pk AND begins_with(SK, :prefix)",
                ExpressionAttributeValues={":pk": s(f"CASE#{case_id}"), ":prefix": s("EVENT#")},
                ConsistentRead=True,
            )
        ]

    # -- listings ---------------------------------------------------------------

    def queue(self, name: str, status: Status | None, limit: int, cursor: str | None) -> Page:
        """Cases waiting for a reviewer (`review`) or a senior reviewer (`senior`), oldest due first."""
        return self._page("GSI3", f"QUEUE#{name}", status, limit, cursor, oldest_first=True)

    def of_buyer(
        self, storefront_id: str, buyer_id: str, status: Status | None, limit: int, cursor: str | None
    ) -> Page:
        """A buyer's cases on a storefront, newest first."""
        return self._page("GSI1", f"BUYER#{storefront_id}#{buyer_id}", status, limit, cursor, oldest_first=False)

    def of_seller(
        self, storefront_id: str, seller_id: str, status: Status | None, limit: int, cursor: str | None
    ) -> Page:
        """Cases against a seller on a storefront, newest first."""
        return self._page("GSI2", f"SELLER#{storefront_id}#{seller_id}", status, limit, cursor, oldest_first=False)

    def of_storefront(self, storefront_id: str, status: Status | None, limit: int, cursor: str | None) -> Page:
        """Every case of a storefront, newest first."""
        return self._page("GSI4", f"STOREFRONT#{storefront_id}", status, limit, cursor, oldest_first=False)

    def _page(
        self, index: str, partition: str, status: Status | None, limit: int, cursor: str | None, *, oldest_first: bool
    ) -> Page:
        listing = f"{index}#{partition}"
        kwargs: dict[str, Any] = {
            "IndexName": index,
            "KeyConditionExpression": f"{index}PK = :pk",
            "ExpressionAttributeValues": {":pk": s(partition)},
            "Limit": limit,
            "ScanIndexForward": oldest_first,
        }
        if status is not None:
            kwargs["FilterExpression"] = "case_status = :status"
            kwargs["ExpressionAttributeValues"][":status"] = s(status.value)
        if cursor:
            kwargs["ExclusiveStartKey"] = self.cursors.decode(cursor, listing)
        response = self.table.call("query", **kwargs)  # a signed cursor is this listing's own key
        last = response.get("LastEvaluatedKey")
        return Page(
            items=[Dispute.model_validate_json(item["doc"]["S"]) for item in response.get("Items", [])],
            cursor=self.cursors.encode(last, listing) if last else None,
        )
