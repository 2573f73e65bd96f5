"""Evidence items in the single table, beside their case.

Items (PK / SK):
  CASE#{id} / EVIDENCE#{evidence_id}         one piece of evidence; `status` mirrors the document's
  CASE#{id} / EVIDENCE_COUNT#{party}         per-party counters (`files`, `records`) that cap additions
  CASE#{id} / EVENT#{version}#evidence#...   a timeline line, in the case repository's event layout

Evidence never writes the case item, so uploads never bump the case version or
race the workflow for it. Instead, accepting evidence carries a condition check
that the case is still at the version whose open window allowed it: if a
transition (a deadline, a submission) got in first, the write fails and the
service re-reads the case and decides again.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from chalicelib.adapters.aws import client
from chalicelib.adapters.dynamodb import TransientStorageError, VersionConflict, _is_transient, _n, _s, case_key
from chalicelib.domain.errors import InvalidState
from chalicelib.domain.evidence_models import Allowance, Evidence, EvidenceStatus, allowance
from chalicelib.domain.models import AuditEvent, Party

EVIDENCE_PREFIX = "EVIDENCE#"


class EvidenceLimitReached(InvalidState):
    """The party already used its allowance of this kind of evidence on the case."""


class EvidenceChanged(Exception):
    """Another request decided this evidence first; re-read it."""


def evidence_key(case_id: str, evidence_id: str) -> dict[str, Any]:
    return {"PK": _s(f"CASE#{case_id}"), "SK": _s(f"{EVIDENCE_PREFIX}{evidence_id}")}


def counter_key(case_id: str, party: Party) -> dict[str, Any]:
    return {"PK": _s(f"CASE#{case_id}"), "SK": _s(f"EVIDENCE_COUNT#{party.value}")}


def _evidence_item(evidence: Evidence) -> dict[str, Any]:
    return {
        **evidence_key(evidence.case_id, evidence.id),
        "doc": _s(evidence.model_dump_json()),
        "status": _s(evidence.status.value),
    }


def _event_item(event: AuditEvent, case_version: int, evidence_id: str) -> dict[str, Any]:
    """Sorts after the events that made `case_version` and before the next transition's."""
    return {
        "PK": _s(f"CASE#{event.case_id}"),
        "SK": _s(f"EVENT#{case_version:010d}#evidence#{event.at.isoformat()}#{evidence_id}"),
        "doc": _s(event.model_dump_json()),
    }


class EvidenceRepository:
    def __init__(self, table_name: str) -> None:
        self.table = table_name

    @property
    def _db(self) -> Any:
        return client("dynamodb")

    def add(self, evidence: Evidence, case_version: int, event: AuditEvent | None = None) -> None:
        """Store new evidence, spending one unit of the party's allowance, while the case is unchanged.

        Raises EvidenceLimitReached when the allowance is spent, VersionConflict when the case moved on.
        """
        budget = allowance(evidence.kind)
        writes = [
            self._case_unchanged(evidence.case_id, case_version),
            self._spend(evidence, budget),
            self._put(evidence, new=True),
        ]
        if event is not None:
            writes.append(self._put_event(event, case_version, evidence.id))
        self._transact(writes, budget)

    def verify(self, evidence: Evidence, case_version: int, event: AuditEvent) -> None:
        """Pending -> verified, with its timeline line, only if the case is still where it was read."""
        writes = [
            self._case_unchanged(evidence.case_id, case_version),
            self._put(evidence, new=False),
            self._put_event(event, case_version, evidence.id),
        ]
        self._transact(writes, allowance(evidence.kind))

    def reject(self, evidence: Evidence, case_version: int, event: AuditEvent) -> None:
        """Pending -> rejected; the unit of allowance it held is given back."""
        budget = allowance(evidence.kind)
        writes = [
            self._put(evidence, new=False),
            {
                "Update": {
                    "TableName": self.table,
                    "Key": counter_key(evidence.case_id, evidence.party),
                    "UpdateExpression": "ADD #count :minus_one",
                    "ExpressionAttributeNames": {"#count": budget.counter},
                    "ExpressionAttributeValues": {":minus_one": _n(-1)},
                }
            },
            self._put_event(event, case_version, evidence.id),
        ]
        self._transact(writes, budget)

    def get(self, case_id: str, evidence_id: str) -> Evidence | None:
        item = self._call("get_item", TableName=self.table, Key=evidence_key(case_id, evidence_id), ConsistentRead=True)
        return Evidence.model_validate_json(item["Item"]["doc"]["S"]) if "Item" in item else None

    def for_case(self, case_id: str) -> list[Evidence]:
        """Every item of a case in any status, oldest first; callers decide what may be shown."""
        return sorted(self._query(case_id, verified_only=False), key=lambda e: e.created_at)

    def verified_for_case(self, case_id: str) -> list[Evidence]:
        """What the rules and reviewers may rely on: verified evidence only, oldest first."""
        return sorted(self._query(case_id, verified_only=True), key=lambda e: e.created_at)

    # -- transaction parts -----------------------------------------------------

    def _case_unchanged(self, case_id: str, case_version: int) -> dict[str, Any]:
        return {
            "ConditionCheck": {
                "TableName": self.table,
                "Key": case_key(case_id),
                "ConditionExpression": "version = :expected",
                "ExpressionAttributeValues": {":expected": _n(case_version)},
            }
        }

    def _spend(self, evidence: Evidence, budget: Allowance) -> dict[str, Any]:
        return {
            "Update": {
                "TableName": self.table,
                "Key": counter_key(evidence.case_id, evidence.party),
                "UpdateExpression": "ADD #count :one",
                "ConditionExpression": "attribute_not_exists(#count) OR #count < :limit",
                "ExpressionAttributeNames": {"#count": budget.counter},
                "ExpressionAttributeValues": {":one": _n(1), ":limit": _n(budget.limit)},
            }
        }

    def _put(self, evidence: Evidence, *, new: bool) -> dict[str, Any]:
        """A new item must not exist yet; an existing one may only leave `pending`, and only once."""
        put: dict[str, Any] = {"TableName": self.table, "Item": _evidence_item(evidence)}
        if new:
            put["ConditionExpression"] = "attribute_not_exists(PK)"
        else:
            put["ConditionExpression"] = "#status = :pending"
            put["ExpressionAttributeNames"] = {"#status": "status"}
            put["ExpressionAttributeValues"] = {":pending": _s(EvidenceStatus.PENDING.value)}
        return {"Put": put}

    def _put_event(self, event: AuditEvent, case_version: int, evidence_id: str) -> dict[str, Any]:
        return {
            "Put": {
                "TableName": self.table,
                "Item": _event_item(event, case_version, evidence_id),
                "ConditionExpression": "attribute_not_exists(PK)",
            }
        }

    # -- plumbing --------------------------------------------------------------

    def _query(self, case_id: str, *, verified_only: bool) -> list[Evidence]:
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
            "ExpressionAttributeValues": {":pk": _s(f"CASE#{case_id}"), ":prefix": _s(EVIDENCE_PREFIX)},
            "ConsistentRead": True,
        }
        if verified_only:
            kwargs["FilterExpression"] = "#status = :verified"
            kwargs["ExpressionAttributeNames"] = {"#status": "status"}
            kwargs["ExpressionAttributeValues"][":verified"] = _s(EvidenceStatus.VERIFIED.value)
        try:
            pages = self._db.get_paginator("query").paginate(**kwargs)
            return [Evidence.model_validate_json(item["doc"]["S"]) for page in pages for item in page.get("Items", [])]
        except ClientError as error:
            _raise_transient(error)
            raise

    def _call(self, operation: str, **kwargs: Any) -> Any:
        try:
            return getattr(self._db, operation)(**kwargs)
        except ClientError as error:
            _raise_transient(error)
            raise

    def _transact(self, writes: list[dict[str, Any]], budget: Allowance) -> None:
        """One transaction; a failed condition is told apart by which part of it failed."""
        try:
            self._db.transact_write_items(TransactItems=writes)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                _raise_transient(error)
                raise
            reasons = [reason.get("Code") for reason in error.response.get("CancellationReasons", [])]
            if "ConditionalCheckFailed" not in reasons:
                raise TransientStorageError(str(error)) from error
            failed = writes[reasons.index("ConditionalCheckFailed")]
            if "ConditionCheck" in failed:
                raise VersionConflict("the case changed since it was read") from error
            if "Update" in failed and ":limit" in failed["Update"]["ExpressionAttributeValues"]:
                raise EvidenceLimitReached(
                    f"at most {budget.limit} {budget.counter} per party per case",
                    [{"limit": budget.limit, "counter": budget.counter}],
                ) from error
            raise EvidenceChanged(str(error)) from error


def _raise_transient(error: ClientError) -> None:
    """Busy or throttled: a retry may succeed, so say so; any other error is the caller's to re-raise."""
    if _is_transient(error):
        raise TransientStorageError(str(error)) from error
