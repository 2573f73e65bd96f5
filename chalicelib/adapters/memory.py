"""In-memory fakes of the case ports in `chalicelib/services/ports.py` (cases with their parked task tokens,
ledgers, evidence, evidence files, workflow), for service tests that run in milliseconds. The webhook ports
have none yet: their tests run on moto.

They keep the contract the DynamoDB adapters keep (the same conditional writes,
the same errors), which tests/integration/test_repository_contract.py checks
against both; they are not used by the Lambda or the local runtime.
"""

from __future__ import annotations

import hashlib
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chalicelib.adapters.cases import queue_name
from chalicelib.domain.errors import (
    Duplicate,
    EvidenceChanged,
    EvidenceLimitReached,
    MalformedRequest,
    VersionConflict,
)
from chalicelib.domain.evidence_models import (
    Evidence,
    EvidenceChange,
    EvidenceStatus,
    EvidenceWrite,
    ObjectDigest,
    ObjectRead,
    PresignedUpload,
    allowance,
)
from chalicelib.domain.finding import CaseSearch, ClosedQuery
from chalicelib.domain.message_models import Message, MessageChange, Visibility
from chalicelib.domain.messages import limit_reached
from chalicelib.domain.models import (
    AfterSalesRequest,
    AuditEvent,
    ClaimReason,
    Dispute,
    LedgerEntry,
    Page,
    Status,
    Transition,
)
from chalicelib.domain.policy import PolicyVersion
from chalicelib.domain.replay import RecommendationRecord
from chalicelib.domain.webhook_messages import OutboxEntry, outbox_entries
from chalicelib.domain.workflow import ParkedWait, StoredCase, WorkflowStep


class InMemoryLedgerRepository:
    def __init__(self) -> None:
        self.entries: list[LedgerEntry] = []

    def record(self, entry: LedgerEntry) -> None:
        self.entries.append(entry)

    def seller_points(self, storefront_id: str, seller_id: str, since: datetime) -> int:
        return sum(entry.points for entry in self._penalties(storefront_id, seller_id) if entry.at >= since)

    def buyer_record(self, storefront_id: str, buyer_id: str) -> tuple[int, int]:
        outcomes = [
            entry
            for entry in self.entries
            if entry.kind == "buyer_outcome" and (entry.storefront_id, entry.subject) == (storefront_id, buyer_id)
        ]
        return len(outcomes), sum(entry.lost for entry in outcomes)

    def seller_penalties(self, storefront_id: str, seller_id: str) -> list[LedgerEntry]:
        return sorted(self._penalties(storefront_id, seller_id), key=lambda entry: entry.at, reverse=True)

    def seller_recoveries(self, storefront_id: str, seller_id: str) -> list[LedgerEntry]:
        return sorted(
            (
                entry
                for entry in self.entries
                if entry.kind == "seller_recovery"
                and (entry.storefront_id, entry.subject) == (storefront_id, seller_id)
            ),
            key=lambda entry: entry.at,
            reverse=True,
        )

    def _penalties(self, storefront_id: str, seller_id: str) -> list[LedgerEntry]:
        return [
            entry
            for entry in self.entries
            if entry.kind == "seller_penalty" and (entry.storefront_id, entry.subject) == (storefront_id, seller_id)
        ]


class InMemoryCaseRepository:
    def __init__(
        self, ledgers: InMemoryLedgerRepository | None = None, policies: InMemoryPolicyVersions | None = None
    ) -> None:
        self.ledgers = ledgers or InMemoryLedgerRepository()
        self.policies = policies or InMemoryPolicyVersions()
        self.cases: dict[str, Dispute] = {}
        self.timelines: dict[str, list[AuditEvent]] = defaultdict(list)
        self.requests: dict[tuple[str, str], AfterSalesRequest] = {}
        self.outbox: list[OutboxEntry] = []
        self.parked: dict[str, ParkedWait] = {}
        self.records: dict[str, RecommendationRecord] = {}
        self.lock = threading.Lock()

    def put_request(self, request: AfterSalesRequest) -> datetime | None:
        with self.lock:
            existing = self.requests.get((request.storefront_id, request.request_id))
            if existing is not None and existing.dispute_id:
                raise Duplicate(
                    "the request was already escalated; its facts can no longer change",
                    [{"dispute_id": existing.dispute_id}],
                )
            first = existing.recorded_at if existing else request.recorded_at
            self.requests[(request.storefront_id, request.request_id)] = request.model_copy(
                update={"recorded_at": first}
            )
            return existing.recorded_at if existing else None

    def request_and_policy(
        self, storefront_id: str, request_id: str
    ) -> tuple[AfterSalesRequest | None, PolicyVersion | None]:
        return self.get_request(storefront_id, request_id), self.policies.latest(storefront_id)

    def get_request(self, storefront_id: str, request_id: str) -> AfterSalesRequest | None:
        return self.requests.get((storefront_id, request_id))

    def create(self, transition: Transition) -> Dispute:
        case = transition.case.model_copy(update={"version": 1})
        key = (case.storefront_id, case.request_id)
        with self.lock:
            request = self.requests.get(key)
            if case.id in self.cases or request is None or request.dispute_id:
                raise Duplicate("this request was already escalated")
            self.requests[key] = request.model_copy(update={"dispute_id": case.id})
            self._store(case, transition)
        return case

    def save(self, transition: Transition, parked: ParkedWait | None = None) -> Dispute:
        case = transition.case.model_copy(update={"version": transition.case.version + 1})
        with self.lock:
            stored = self.cases.get(case.id)
            if stored is None or stored.version != transition.case.version or self.parked.get(case.id) != parked:
                raise VersionConflict("the case changed since it was read")
            if case.window is None or (parked is not None and parked.window_id != case.window.id):
                self.parked.pop(case.id, None)
            self._store(case, transition)
            for entry in transition.ledger:
                self.ledgers.record(entry)
        return case

    def _store(self, case: Dispute, transition: Transition) -> None:
        self.cases[case.id] = case
        self.timelines[case.id].extend(transition.events)
        self.outbox.extend(outbox_entries(case, transition.events))
        for record in transition.records:
            if isinstance(record, RecommendationRecord):
                self.records[record.case_id] = record

    def get(self, case_id: str) -> Dispute | None:
        return self.cases.get(case_id)

    def read(self, case_id: str) -> StoredCase | None:
        with self.lock:
            case = self.cases.get(case_id)
            return None if case is None else StoredCase(case=case, parked=self.parked.get(case_id))

    def park(self, case_id: str, window_id: str, token: str) -> Dispute | None:
        with self.lock:
            case = self.cases.get(case_id)
            if case is None or case.window is None or case.window.id != window_id:
                return None
            self.parked[case_id] = ParkedWait(window_id, token)
            return case

    def events(self, case_id: str) -> list[AuditEvent]:
        return list(self.timelines.get(case_id, []))

    def with_events(self, case_id: str) -> tuple[Dispute, list[AuditEvent]] | None:
        with self.lock:
            case = self.cases.get(case_id)
            return None if case is None else (case, self.events(case_id))

    def queue(
        self, name: str, status: Status | None, limit: int, cursor: str | None, reason: ClaimReason | None = None
    ) -> Page:
        waiting = [case for case in self.cases.values() if case.window is not None and queue_name(case) == name]
        return _page(waiting, _due, (status, reason), limit, cursor)

    def of_buyer(
        self,
        storefront_id: str,
        buyer_id: str,
        status: Status | None,
        limit: int,
        cursor: str | None,
        reason: ClaimReason | None = None,
    ) -> Page:
        return self._newest_first(
            lambda c: (c.storefront_id, c.buyer_id) == (storefront_id, buyer_id), (status, reason), limit, cursor
        )

    def of_seller(
        self,
        storefront_id: str,
        seller_id: str,
        status: Status | None,
        limit: int,
        cursor: str | None,
        reason: ClaimReason | None = None,
    ) -> Page:
        return self._newest_first(
            lambda c: (c.storefront_id, c.seller_id) == (storefront_id, seller_id), (status, reason), limit, cursor
        )

    def of_storefront(
        self,
        storefront_id: str,
        status: Status | None,
        limit: int,
        cursor: str | None,
        reason: ClaimReason | None = None,
    ) -> Page:
        return self._newest_first(lambda c: c.storefront_id == storefront_id, (status, reason), limit, cursor)

    def search(self, query: CaseSearch) -> Page:
        name, value = query.key
        return self._newest_first(lambda c: getattr(c, name) == value, (None, None), query.limit, query.cursor)

    def closed(self, query: ClosedQuery) -> Page:
        done = [c for c in self.cases.values() if c.status == Status.CLOSED and query.matches(c, c.updated_at)]
        return _page(done, lambda c: (_negated(c.updated_at), c.id), (None, None), query.limit, query.cursor)

    def recommendation_record(self, case_id: str) -> RecommendationRecord | None:
        return self.records.get(case_id)

    def recommendation_records(
        self, storefront_id: str, window: tuple[datetime, datetime], limit: int, cursor: str | None, *, scope: str = ""
    ) -> tuple[list[RecommendationRecord], str | None]:
        """Like the index Query; the cursor (`<listing>:<offset>`) is valid only for the listing that issued it."""
        since, until = window
        listing = hashlib.sha256(f"{storefront_id}#{since}#{until}#{scope}".encode()).hexdigest()[:16]
        found = sorted(
            (r for r in self.records.values() if r.storefront_id == storefront_id and since <= r.recorded_at < until),
            key=lambda r: (r.recorded_at, r.case_id),
        )
        start = _offset(cursor, listing)
        following = f"{listing}:{start + limit}" if start + limit < len(found) else None
        return found[start : start + limit], following

    def _newest_first(
        self,
        owned: Callable[[Dispute], bool],
        filters: tuple[Status | None, ClaimReason | None],
        limit: int,
        cursor: str | None,
    ) -> Page:
        cases = [case for case in self.cases.values() if owned(case)]
        return _page(cases, lambda case: (_negated(case.created_at), case.id), filters, limit, cursor)


def _offset(cursor: str | None, listing: str) -> int:
    issued_by, _, offset = (cursor or f"{listing}:0").partition(":")
    if issued_by != listing or not offset.isdigit():
        raise MalformedRequest("the cursor is not one this listing issued")
    return int(offset)


def _due(case: Dispute) -> tuple[datetime, str]:
    return (case.window.due_at if case.window else case.created_at), case.id


def _negated(moment: datetime) -> float:
    return -moment.timestamp()


def _page(
    cases: list[Dispute],
    order: Callable[[Dispute], Any],
    filters: tuple[Status | None, ClaimReason | None],
    limit: int,
    cursor: str | None,
) -> Page:
    """Like a DynamoDB query page: `limit` items read, then the filters; the cursor is an offset."""
    status, reason = filters
    ordered = sorted(cases, key=order)
    start = int(cursor or 0)
    read = ordered[start : start + limit]
    more = start + limit < len(ordered)
    return Page(
        items=[case for case in read if status in (None, case.status) and reason in (None, case.reason)],
        cursor=str(start + limit) if more else None,
    )


class InMemoryEvidenceRepository:
    """Evidence beside the fake case repository, guarded on its case versions like the real one."""

    def __init__(self, cases: InMemoryCaseRepository) -> None:
        self.case_store = cases
        self.items: dict[tuple[str, str], Evidence] = {}
        self.counters: dict[tuple[str, str, str], int] = defaultdict(int)

    def save(self, change: EvidenceChange) -> None:
        evidence = change.evidence
        if change.write is None:
            return
        budget = allowance(evidence.kind)
        counter = (evidence.case_id, evidence.party.value, budget.counter)
        with self.case_store.lock:
            stored = self.case_store.cases.get(evidence.case_id)
            if change.write != EvidenceWrite.REJECT and (stored is None or stored.version != change.case.version):
                raise VersionConflict("the case changed since it was read")
            existing = self.items.get((evidence.case_id, evidence.id))
            if change.write == EvidenceWrite.ADD:
                if self.counters[counter] >= budget.limit:
                    raise EvidenceLimitReached(f"at most {budget.limit} {budget.counter} per party per case")
                if existing is not None:
                    raise EvidenceChanged(f"evidence {evidence.id} exists")
                self.counters[counter] += 1
            elif existing is None or existing.status != EvidenceStatus.PENDING:
                raise EvidenceChanged(f"evidence {evidence.id} was decided meanwhile")
            elif change.write == EvidenceWrite.REJECT:
                self.counters[counter] -= 1
            self.items[(evidence.case_id, evidence.id)] = evidence
            self.case_store.timelines[evidence.case_id].extend(change.events)

    def get(self, case_id: str, evidence_id: str) -> Evidence | None:
        return self.items.get((case_id, evidence_id))

    def with_case(self, case_id: str, evidence_id: str) -> tuple[StoredCase | None, Evidence | None]:
        return self.case_store.read(case_id), self.get(case_id, evidence_id)

    def for_case(self, case_id: str) -> list[Evidence]:
        return sorted((e for (case, _), e in self.items.items() if case == case_id), key=lambda e: e.created_at)

    def verified_for_case(self, case_id: str) -> list[Evidence]:
        return [e for e in self.for_case(case_id) if e.status == EvidenceStatus.VERIFIED]


class InMemoryMessageRepository:
    """Messages beside the fake case repository: the same guards as the DynamoDB one (case at the version read
    and not closed, the cap, one webhook per number), all or nothing under the case store's lock."""

    def __init__(self, cases: InMemoryCaseRepository) -> None:
        self.case_store = cases
        self.messages: dict[str, list[Message]] = defaultdict(list)

    def with_case(self, case_id: str) -> tuple[StoredCase | None, int]:
        with self.case_store.lock:
            case = self.case_store.cases.get(case_id)
            stored = None if case is None else StoredCase(case=case, parked=self.case_store.parked.get(case_id))
            return stored, len(self.messages[case_id])

    def save(self, change: MessageChange) -> None:
        case_id = change.case.id
        with self.case_store.lock:
            stored = self.case_store.cases.get(case_id)
            if stored is None or stored.version != change.case.version or stored.status == Status.CLOSED:
                raise VersionConflict("the case changed since it was read")
            if len(self.messages[case_id]) >= change.limit:
                raise limit_reached(change.limit, change.limit)
            outbox = self.case_store.outbox
            if change.outbox is not None and any(
                (e.case_id, e.sequence) == (case_id, change.outbox.sequence) for e in outbox
            ):
                raise VersionConflict("another message took this webhook number")
            self.messages[case_id].append(change.message)
            self.case_store.timelines[case_id].append(change.event)
            if change.outbox is not None:
                outbox.append(change.outbox)

    def page(self, case_id: str, shown: Visibility, limit: int, cursor: str | None) -> tuple[list[Message], str | None]:
        ordered = sorted(self.messages.get(case_id, []), key=lambda m: m.created_at)  # stable: posting order
        start = int(cursor or 0)
        read = ordered[start : start + limit]
        more = start + limit < len(ordered)
        kept = [m for m in read if shown.shows(m.audience, m.author, m.role.value)]
        return kept, str(start + limit) if more else None


class InMemoryEvidenceFiles:
    """A bucket in a dict; `upload` stands in for the client's presigned POST."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}

    def upload(self, key: str, body: bytes) -> None:
        self.objects[key] = body

    def presign_upload(self, key: str, content_type: str, max_bytes: int, expires_in: int) -> PresignedUpload:
        return PresignedUpload(url=f"memory://{key}", fields={"key": key, "Content-Type": content_type})

    def read(self, key: str, max_bytes: int) -> ObjectRead | None:
        body = self.objects.get(key)
        if body is None:
            return None
        if len(body) > max_bytes:
            return ObjectRead(size=len(body), version_id=None, digest=None)
        digest = ObjectDigest(sha256=hashlib.sha256(body).hexdigest(), head=body[:8192], size=len(body))
        return ObjectRead(size=len(body), version_id=None, digest=digest)

    def delete(self, key: str) -> None:
        self.objects.pop(key, None)

    def download_url(self, key: str, version_id: str | None, content_type: str, filename: str, expires_in: int) -> str:
        return f"memory://{key}?filename={filename}"


@dataclass
class RecordingWorkflow:
    """Remembers what the services asked of the workflow instead of running it."""

    started: list[WorkflowStep] = field(default_factory=list)
    resumed: list[tuple[str, WorkflowStep]] = field(default_factory=list)
    ended: list[str] = field(default_factory=list)

    def start(self, step: WorkflowStep) -> str:
        self.started.append(step)
        return f"execution:{step.case_id}"

    def resume(self, token: str, step: WorkflowStep) -> bool:
        self.resumed.append((token, step))
        return True

    def end_wait_now(self, token: str) -> bool:
        self.ended.append(token)
        return True


class InMemoryPolicyVersions:
    """Stored policy versions, written only where none is, like adapters/policy_versions.py."""

    def __init__(self) -> None:
        self.versions: dict[tuple[str, int], PolicyVersion] = {}
        self.lock = threading.Lock()

    def add(self, version: PolicyVersion) -> bool:
        with self.lock:
            key = (version.storefront_id, version.number)
            if key in self.versions:
                return False
            self.versions[key] = version
            return True

    def get(self, storefront_id: str, number: int) -> PolicyVersion | None:
        return self.versions.get((storefront_id, number))

    def latest(self, storefront_id: str) -> PolicyVersion | None:
        versions, _ = self.history(storefront_id, 1, None)
        return versions[0] if versions else None

    def history(self, storefront_id: str, limit: int, cursor: str | None) -> tuple[list[PolicyVersion], str | None]:
        newest = sorted((v for (s, _), v in self.versions.items() if s == storefront_id), key=lambda v: -v.number)
        start = int(cursor or 0)
        return newest[start : start + limit], str(start + limit) if start + limit < len(newest) else None
