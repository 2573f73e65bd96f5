"""Cases, their audit events and the after-sales requests they come from, in the single table.

Items (PK / SK):
  CASE#{id} / CASE                     the case document, with `version`, GSI keys, `window_id` (the window
                                       it waits on, `none`) and the task token the workflow parked on that
                                       window (`parked_window`, `task_token`), once it has
  CASE#{id} / EVENT#{version}          append-only audit events: the lines of the write that made the version,
                                       with its webhook events (the outbox, adapters/webhook_outbox.py); a line
                                       written beside the case, `EVENT#{version}#at#...`, follows them
  REQUEST#{storefront}#{id} / REQUEST  the after-sales request, `recorded_at` of its first recording; `dispute_id`
                                       once escalated
  CASE#{id} / RECOMMENDATION           the recommendation's rule inputs, written with it (adapters/recommendations.py)

GSIs: GSI1 cases of a buyer, GSI2 cases of a seller, GSI4 cases of a storefront (each through the case's
lookup items, which never change, so no transition rewrites a listing entry), GSI3 queue (review, senior,
or the window a case waits on) ordered by due time, GSI5 the finder (adapters/case_index.py: cases by order,
buyer or seller across storefronts, and closed cases by closing time). Only this module and case_index.py
know those keys; every case item carries `case_reason` and `case_status`. Every case write is conditional
on the version it read, and goes in one transaction with its timeline item (its audit events and webhook
events) and the ledger records a closing case leaves.

The parked task token lives on the case item, so a command that ends a window reads
the token with the case (one GetItem) instead of after its save. The wait state parks
it with an UpdateItem that sets only the token attributes and holds only while the
item still waits on that window (`window_id`): it never bumps the version. A case write
is conditional on the token as read as well as the version, and writes it back while
the window stays open (a Put replaces the whole item): so a token parked after a
command's read fails that command's write, which reads again, finds the token and
resumes the wait; and a park after a write that ended its window fails its condition,
so the wait step resumes at once. Either way exactly one side resumes the workflow.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import ConfigDict, TypeAdapter

from chalicelib.adapters.case_index import CaseFinder, closed_attributes, finder_writes
from chalicelib.adapters.ledgers import ledger_write
from chalicelib.adapters.policy_versions import in_force_key, version_from_item
from chalicelib.adapters.table import Cursors, Table, Write, json_attribute, json_text, n, s, sortable
from chalicelib.adapters.webhook_outbox import webhook_attributes
from chalicelib.domain.errors import Duplicate
from chalicelib.domain.finding import CaseSearch, ClosedQuery
from chalicelib.domain.lifecycle import FULFILMENT_WINDOWS
from chalicelib.domain.models import (
    AfterSalesRequest,
    AuditEvent,
    ClaimReason,
    Dispute,
    Page,
    Status,
    Transition,
    WindowKind,
)
from chalicelib.domain.policy import PolicyVersion
from chalicelib.domain.webhook_messages import OutboxEntry, outbox_entries
from chalicelib.domain.workflow import ParkedWait, StoredCase

if TYPE_CHECKING:
    from chalicelib.domain.replay import RecommendationRecord

_LINES: TypeAdapter[list[AuditEvent]] = TypeAdapter(list[AuditEvent], config=ConfigDict(defer_build=True))
NO_WINDOW = "none"  # `window_id` of a case that waits on no window
CASE_READ = "doc, window_id, parked_window, task_token"  # what a command reads of the case item


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


def token_key(case_id: str, window_id: str) -> dict[str, Any]:
    """Where a task token was parked before tokens moved onto the case item; only read, for such waits."""
    return {"PK": s(f"CASE#{case_id}"), "SK": s(f"TOKEN#{window_id}")}


def stored_case(item: dict[str, Any]) -> StoredCase:
    """The case item as read with CASE_READ."""
    parked = ParkedWait(item["parked_window"]["S"], item["task_token"]["S"]) if "task_token" in item else None
    return StoredCase(case=Dispute.model_validate_json(json_text(item["doc"])), parked=parked)


def case_item(case: Dispute, parked: ParkedWait | None = None) -> dict[str, Any]:
    """The item of `case`, keeping the token parked on its window (a token of an ended window goes)."""
    item = {
        **case_key(case.id),
        "doc": json_attribute(case.model_dump_json()),
        "version": n(case.version),
        "window_id": s(case.window.id if case.window else NO_WINDOW),
        "case_status": s(case.status.value),
        "case_reason": s(case.reason.value),
        # the storefront the closed listing filters on (GSI5 projects it); without GSI4SK the item is not in GSI4
        "GSI4PK": s(f"STOREFRONT#{case.storefront_id}"),
        **closed_attributes(case),
    }
    if case.window is not None:
        item["GSI3PK"] = s(f"QUEUE#{queue_name(case)}")
        item["GSI3SK"] = s(f"{case.window.due_at.isoformat()}#{case.id}")
        if parked is not None and parked.window_id == case.window.id:
            item["parked_window"], item["task_token"] = s(parked.window_id), s(parked.token)
    return item


# What a case item carries only in some states; the rest of `case_item` it always carries.
OPTIONAL_ATTRIBUTES = (
    "GSI3PK",
    "GSI3SK",
    "parked_window",
    "task_token",
    "GSI5PK",
    "GSI5SK",
    "case_decider",
    "case_resolution",
    "case_outcome",
    "case_decided_by",
)


def _replacing(item: dict[str, Any], condition: str, values: dict[str, Any]) -> Write:
    """Replace the case item, as a Put would, with an Update that sets every attribute of `item` and removes
    the optional ones it lacks. It leaves what it does not know: the listing keys a case item carried before its
    lookup items did (case_index.CASE_LISTING_KEYS), so such a case stays listed until the backfill moves them.
    The write units are a Put's (the larger of the item before and after)."""
    attributes = {name: value for name, value in item.items() if name not in ("PK", "SK")}
    names = {f"#a{index}": name for index, name in enumerate(attributes)}
    assignments = ", ".join(f"{alias} = :a{index}" for index, alias in enumerate(names))
    gone = [name for name in OPTIONAL_ATTRIBUTES if name not in attributes]
    expression = f"SET {assignments}" + (f" REMOVE {', '.join(gone)}" if gone else "")
    update = {
        "Key": {"PK": item["PK"], "SK": item["SK"]},
        "UpdateExpression": expression,
        "ConditionExpression": condition,
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": {
            **values,
            **{f":a{index}": value for index, value in enumerate(attributes.values())},
        },
    }
    return Write({"Update": update})


def case_unchanged(case_id: str, case_version: int) -> Write:
    """Guard a write beside the case (evidence, a message) on the version it was decided on: any later save of
    the case, its closing included, moves the version on."""
    return Write(
        {
            "ConditionCheck": {
                "Key": case_key(case_id),
                "ConditionExpression": "version = :expected",
                "ExpressionAttributeValues": {":expected": n(case_version)},
            }
        }
    )


def side_event_write(
    event: AuditEvent, case_version: int, kind: str, item_id: str, webhook: OutboxEntry | None = None
) -> Write:
    """A timeline line written beside the case rather than by a transition (evidence, a message), with the
    webhook it raises if any: after the events that made `case_version` (`at` sorts after their item's key),
    before the next version's, and in time order with the other lines beside it, whatever their kind."""
    line = event.model_dump_json()
    item = {
        "PK": s(f"CASE#{event.case_id}"),
        "SK": s(f"EVENT#{case_version:010d}#at#{sortable(event.at)}#{kind}#{item_id}"),
        "doc": json_attribute(line),
        **webhook_attributes([webhook] if webhook else [], [line]),
    }
    return Write({"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(PK)"}})


def _event_writes(case: Dispute, events: tuple[AuditEvent, ...]) -> list[Write]:
    """A transition's timeline lines, in one item with the webhook events among them: the lines of a write
    compress together, and one item is a write unit where one each cost a unit per line, and an outbox item
    more (twice each, in the transaction)."""
    if not events:
        return []
    lines = [event.model_dump_json() for event in events]
    item = {
        "PK": s(f"CASE#{case.id}"),
        "SK": s(f"EVENT#{case.version:010d}"),
        "doc": json_attribute(f"[{','.join(lines)}]"),
        **webhook_attributes(outbox_entries(case, events), lines),
    }
    return [Write({"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(PK)"}})]


def timeline_lines(item: dict[str, Any]) -> list[AuditEvent]:
    """The lines of one timeline item: a transition's (`EVENT#{version}`, a list), or one line of its own (a
    line beside the case, or a transition's line stored before its lines shared an item)."""
    text = json_text(item["doc"])
    if item["SK"]["S"].count("#") == 1:
        return _LINES.validate_json(text)
    return [AuditEvent.model_validate_json(text)]


def _record_writes(transition: Transition) -> list[Write]:
    # recommendations (and the rules replay.py imports) load with their first use: a GET reads none
    from chalicelib.adapters.recommendations import record_write  # noqa: PLC0415
    from chalicelib.domain.replay import RecommendationRecord  # noqa: PLC0415

    return [record_write(record) for record in transition.records if isinstance(record, RecommendationRecord)]


def _request(item: dict[str, Any]) -> AfterSalesRequest:
    request = AfterSalesRequest.model_validate_json(json_text(item["doc"]))
    if "recorded_at" in item:  # the first recording's; the doc holds the last correction's
        request = request.model_copy(update={"recorded_at": datetime.fromisoformat(item["recorded_at"]["S"])})
    if "dispute_id" in item:
        request = request.model_copy(update={"dispute_id": item["dispute_id"]["S"]})
    return request


class DynamoCaseRepository:
    def __init__(self, table: Table, cursors: Cursors) -> None:
        self.table = table
        self.cursors = cursors
        self.finder = CaseFinder(table, cursors)

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
            ExpressionAttributeValues={":doc": json_attribute(request.model_dump_json()), ":recorded": recorded},
        )
        if not made:
            raise Duplicate(
                "the request was already escalated; its facts can no longer change",
                [{"dispute_id": old["dispute_id"]["S"]}] if "dispute_id" in old else [],
            )
        if not old:
            return None
        if "recorded_at" not in old:  # stored before `recorded_at` had its own attribute: its doc kept it
            first = AfterSalesRequest.model_validate_json(json_text(old["doc"])).recorded_at
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
        return _request(item) if item is not None else None

    def request_and_policy(
        self, storefront_id: str, request_id: str
    ) -> tuple[AfterSalesRequest | None, PolicyVersion | None]:
        """What an escalation reads, in one BatchGetItem: the request, and the storefront's policy version in
        force (none stored: None)."""
        keys = [request_key(storefront_id, request_id), in_force_key(storefront_id)]
        items = self.table.batch_get(keys, "PK, SK, doc, recorded_at, dispute_id")
        by_partition = {item["PK"]["S"].split("#", 1)[0]: item for item in items}
        request, policy = by_partition.get("REQUEST"), by_partition.get("POLICY")
        return (_request(request) if request else None), (version_from_item(policy) if policy else None)

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
            {"Put": {"Item": case_item(case), "ConditionExpression": "attribute_not_exists(PK)"}},
            on_conflict=lambda: Duplicate("this request was already escalated"),
        )
        self._commit(case, transition, [stored, escalated, *finder_writes(case)])
        return case

    def save(self, transition: Transition, parked: ParkedWait | None = None) -> Dispute:
        """Write the next version of a case with its audit events, only if nobody wrote first: the case item
        must still be at the version and hold the parked token (`parked`, as read) the transition was decided on.
        """
        case = transition.case.model_copy(update={"version": transition.case.version + 1})
        values = {":expected": n(case.version - 1)}
        if parked is not None and parked.on_case:
            guard = "task_token = :token"
            values[":token"] = s(parked.token)
        else:
            guard = "attribute_not_exists(task_token)"
        stored = _replacing(case_item(case, parked), f"version = :expected AND {guard}", values)
        ledger = [ledger_write(entry) for entry in transition.ledger]
        self._commit(case, transition, [stored, *ledger, *_record_writes(transition)])
        return case

    def _commit(self, case: Dispute, transition: Transition, writes: list[Write]) -> None:
        """One transaction: the writes, and the timeline item with the webhook events the stream relays."""
        self.table.transact([*writes, *_event_writes(case, transition.events)])

    def get(self, case_id: str) -> Dispute | None:
        item = self.table.get(case_key(case_id), projection="doc")
        return Dispute.model_validate_json(json_text(item["doc"])) if item else None

    def read(self, case_id: str) -> StoredCase | None:
        """The case with the task token parked on its window, in one consistent GetItem."""
        item = self.table.get(case_key(case_id), projection=CASE_READ)
        if item is None:
            return None
        stored = stored_case(item)
        window = stored.case.window
        if "window_id" in item or window is None or stored.parked is not None:
            return stored
        # Last written before tokens moved onto the case item: its wait may have parked on an item of its own.
        legacy = self.table.get(token_key(case_id, window.id))
        parked = ParkedWait(window.id, legacy["token"]["S"], on_case=False) if legacy else None
        return StoredCase(case=stored.case, parked=parked)

    def park(self, case_id: str, window_id: str, token: str) -> Dispute | None:
        """Keep the wait's task token on the case if it still waits on `window_id`: the case as it was parked
        (the update's old image, no read of its own), or None if that window ended.

        Sets only the token: the version stays, so the park never fails a command's write but by the token
        guard that makes the command read the token it must resume (see the module's docstring).
        """
        made, old = self.table.update(
            case_key(case_id),
            "SET parked_window = :window, task_token = :token",
            "window_id = :window OR (attribute_exists(PK) AND attribute_not_exists(window_id))",
            ExpressionAttributeValues={":window": s(window_id), ":token": s(token)},
        )
        if not made:
            return None
        case = Dispute.model_validate_json(json_text(old["doc"]))
        if "window_id" in old:
            return case
        # written before `window_id` existed: the condition let it through, the case's own window decides
        return case if case.window is not None and case.window.id == window_id else None

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
                case = Dispute.model_validate_json(json_text(item["doc"]))
            elif key.startswith("EVENT#"):
                events.extend(timeline_lines(item))
        return None if case is None else (case, events)

    def events(self, case_id: str) -> list[AuditEvent]:
        return [
            line
            for item in self.table.query(
                KeyConditionExpression="PK = :pk AND begins_with(SK, :prefix)",
                ExpressionAttributeValues={":pk": s(f"CASE#{case_id}"), ":prefix": s("EVENT#")},
                ConsistentRead=True,
            )
            for line in timeline_lines(item)
        ]

    def recommendation_record(self, case_id: str) -> RecommendationRecord | None:
        from chalicelib.adapters.recommendations import get_record  # noqa: PLC0415 - as in _record_writes

        return get_record(self.table, case_id)

    def recommendation_records(
        self, storefront_id: str, window: tuple[datetime, datetime], limit: int, cursor: str | None, *, scope: str = ""
    ) -> tuple[list[RecommendationRecord], str | None]:
        """A storefront's recommendations made in [since, until), oldest first: an index Query, never a Scan.
        The cursor is valid only for a request of the same `scope` (the caller's digest of what it asked)."""
        from chalicelib.adapters.recommendations import records_between  # noqa: PLC0415 - as in _record_writes

        return records_between(self.table, self.cursors, storefront_id, window, limit, cursor, scope)

    # -- listings ---------------------------------------------------------------

    def queue(
        self, name: str, status: Status | None, limit: int, cursor: str | None, reason: ClaimReason | None = None
    ) -> Page:
        """Cases waiting for a reviewer (`review`) or a senior reviewer (`senior`), oldest due first."""
        return self._page("GSI3", f"QUEUE#{name}", (status, reason), limit, cursor, oldest_first=True)

    def of_buyer(
        self,
        storefront_id: str,
        buyer_id: str,
        status: Status | None,
        limit: int,
        cursor: str | None,
        reason: ClaimReason | None = None,
    ) -> Page:
        """A buyer's cases on a storefront, newest first."""
        partition = f"BUYER#{storefront_id}#{buyer_id}"
        return self._page("GSI1", partition, (status, reason), limit, cursor, oldest_first=False)

    def of_seller(
        self,
        storefront_id: str,
        seller_id: str,
        status: Status | None,
        limit: int,
        cursor: str | None,
        reason: ClaimReason | None = None,
    ) -> Page:
        """Cases against a seller on a storefront, newest first."""
        partition = f"SELLER#{storefront_id}#{seller_id}"
        return self._page("GSI2", partition, (status, reason), limit, cursor, oldest_first=False)

    def of_storefront(
        self,
        storefront_id: str,
        status: Status | None,
        limit: int,
        cursor: str | None,
        reason: ClaimReason | None = None,
    ) -> Page:
        """Every case of a storefront, newest first."""
        partition = f"STOREFRONT#{storefront_id}"
        return self._page("GSI4", partition, (status, reason), limit, cursor, oldest_first=False)

    def search(self, query: CaseSearch) -> Page:
        """Cases of one order, buyer or seller on any storefront, newest first (GSI5)."""
        return self.finder.search(query)

    def closed(self, query: ClosedQuery) -> Page:
        """Closed cases, most recently closed first, filtered (GSI5)."""
        return self.finder.closed(query)

    def _page(
        self,
        index: str,
        partition: str,
        filters: tuple[Status | None, ClaimReason | None],
        limit: int,
        cursor: str | None,
        *,
        oldest_first: bool,
    ) -> Page:
        """One page of a listing index, with the status and reason as filters: a page reads `limit` entries and
        may hold fewer cases while `next_cursor` says there is more, as a FilterExpression would. The cases come
        through the finder's `cases_of` (a lookup item's entry holds only keys), so the filters apply to the
        cases read; a cursor resumes only the listing (partition and filters) it was issued for."""
        status, reason = filters
        listing = f"{index}#{partition}#{status or 'any'}#{reason or 'any'}"
        items, next_cursor = self.table.page(
            self.cursors,
            listing,
            cursor,
            IndexName=index,
            KeyConditionExpression=f"{index}PK = :pk",
            ExpressionAttributeValues={":pk": s(partition)},
            Limit=limit,
            ScanIndexForward=oldest_first,
        )
        cases = [
            case
            for case in self.finder.cases_of(items)
            if (status is None or case.status == status) and (reason is None or case.reason == reason)
        ]
        return Page(items=cases, cursor=next_cursor)
