"""Evidence items in the single table, beside their case.

Items (PK / SK):
  CASE#{id} / EVIDENCE#{evidence_id}         one piece of evidence; `status` mirrors the document's
  CASE#{id} / EVIDENCE_COUNT#{party}         per-party counters (`files`, `records`) that cap additions
  CASE#{id} / EVENT#{version}#at#...         a timeline line, in the case repository's event layout

Evidence never writes the case item, so uploads never bump the case version or
race the workflow for it. Instead, accepting evidence carries a condition check
that the case is still at the version whose open window allowed it: if a
transition (a deadline, a submission) got in first, the write fails with
VersionConflict and the one runner (services/cases.py) reads the case and decides again.
"""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.cases import CASE_READ, case_key, case_unchanged, side_event_write, stored_case
from chalicelib.adapters.table import Table, Write, json_attribute, json_text, n, s
from chalicelib.domain.errors import EvidenceChanged, EvidenceLimitReached
from chalicelib.domain.evidence_models import (
    Allowance,
    Evidence,
    EvidenceChange,
    EvidenceStatus,
    EvidenceWrite,
    allowance,
)
from chalicelib.domain.models import Party
from chalicelib.domain.workflow import StoredCase

EVIDENCE_PREFIX = "EVIDENCE#"


def evidence_key(case_id: str, evidence_id: str) -> dict[str, Any]:
    return {"PK": s(f"CASE#{case_id}"), "SK": s(f"{EVIDENCE_PREFIX}{evidence_id}")}


def counter_key(case_id: str, party: Party) -> dict[str, Any]:
    return {"PK": s(f"CASE#{case_id}"), "SK": s(f"EVIDENCE_COUNT#{party.value}")}


def _evidence_item(evidence: Evidence) -> dict[str, Any]:
    return {
        **evidence_key(evidence.case_id, evidence.id),
        "doc": json_attribute(evidence.model_dump_json()),
        "status": s(evidence.status.value),
    }


def _spend(evidence: Evidence, budget: Allowance) -> Write:
    def spent() -> Exception:
        return EvidenceLimitReached(
            f"at most {budget.limit} {budget.counter} per party per case",
            [{"limit": budget.limit, "counter": budget.counter}],
        )

    update = {
        "Key": counter_key(evidence.case_id, evidence.party),
        "UpdateExpression": "ADD #count :one",
        "ConditionExpression": "attribute_not_exists(#count) OR #count < :limit",
        "ExpressionAttributeNames": {"#count": budget.counter},
        "ExpressionAttributeValues": {":one": n(1), ":limit": n(budget.limit)},
    }
    return Write({"Update": update}, on_conflict=spent)


def _give_back(evidence: Evidence, budget: Allowance) -> Write:
    update = {
        "Key": counter_key(evidence.case_id, evidence.party),
        "UpdateExpression": "ADD #count :minus_one",
        "ExpressionAttributeNames": {"#count": budget.counter},
        "ExpressionAttributeValues": {":minus_one": n(-1)},
    }
    return Write({"Update": update})


def _put(evidence: Evidence, *, new: bool) -> Write:
    """A new item must not exist yet; an existing one may only leave `pending`, and only once."""
    put: dict[str, Any] = {"Item": _evidence_item(evidence)}
    if new:
        put["ConditionExpression"] = "attribute_not_exists(PK)"
    else:
        put["ConditionExpression"] = "#status = :pending"
        put["ExpressionAttributeNames"] = {"#status": "status"}
        put["ExpressionAttributeValues"] = {":pending": s(EvidenceStatus.PENDING.value)}
    return Write({"Put": put}, on_conflict=lambda: EvidenceChanged(f"evidence {evidence.id} was decided meanwhile"))


class DynamoEvidenceRepository:
    def __init__(self, table: Table) -> None:
        self.table = table

    def save(self, change: EvidenceChange) -> None:
        """One transaction: the evidence, its allowance, its timeline lines, and (but for a rejection)
        the guard that the case is still at the version whose window allowed it.

        Raises EvidenceLimitReached when the allowance is spent, VersionConflict when the case moved
        on, EvidenceChanged when another request decided the evidence first.
        """
        evidence, version = change.evidence, change.case.version
        budget = allowance(evidence.kind)
        writes = {
            EvidenceWrite.ADD: [case_unchanged(evidence.case_id, version), _spend(evidence, budget)],
            EvidenceWrite.VERIFY: [case_unchanged(evidence.case_id, version)],
            EvidenceWrite.REJECT: [_give_back(evidence, budget)],
            None: [],
        }[change.write]
        if not writes:
            return
        writes.append(_put(evidence, new=change.write == EvidenceWrite.ADD))
        writes.extend(side_event_write(event, version, "evidence", evidence.id) for event in change.events)
        self.table.transact(writes)

    def get(self, case_id: str, evidence_id: str) -> Evidence | None:
        item = self.table.get(evidence_key(case_id, evidence_id))
        return Evidence.model_validate_json(json_text(item["doc"])) if item else None

    def with_case(self, case_id: str, evidence_id: str) -> tuple[StoredCase | None, Evidence | None]:
        """The case (as a command reads it) and one piece of its evidence, in one consistent BatchGetItem."""
        items = self.table.batch_get([case_key(case_id), evidence_key(case_id, evidence_id)], f"SK, {CASE_READ}")
        by_key = {item["SK"]["S"]: item for item in items}
        case, evidence = by_key.get("CASE"), by_key.get(f"{EVIDENCE_PREFIX}{evidence_id}")
        return (
            stored_case(case) if case else None,
            Evidence.model_validate_json(json_text(evidence["doc"])) if evidence else None,
        )

    def for_case(self, case_id: str) -> list[Evidence]:
        """Every item of a case in any status, oldest first; callers decide what may be shown."""
        return sorted(self._query(case_id, verified_only=False), key=lambda e: e.created_at)

    def verified_for_case(self, case_id: str) -> list[Evidence]:
        """What the rules and reviewers may rely on: verified evidence only, oldest first."""
        return sorted(self._query(case_id, verified_only=True), key=lambda e: e.created_at)

    def _query(self, case_id: str, *, verified_only: bool) -> list[Evidence]:
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
            "ExpressionAttributeValues": {":pk": s(f"CASE#{case_id}"), ":prefix": s(EVIDENCE_PREFIX)},
            "ConsistentRead": True,
        }
        if verified_only:
            kwargs["FilterExpression"] = "#status = :verified"
            kwargs["ExpressionAttributeNames"] = {"#status": "status"}
            kwargs["ExpressionAttributeValues"][":verified"] = s(EvidenceStatus.VERIFIED.value)
        return [Evidence.model_validate_json(json_text(item["doc"])) for item in self.table.query(**kwargs)]
