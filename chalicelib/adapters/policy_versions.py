"""Stored policy versions of each storefront, immutable once written.

Items (PK / SK):
  POLICY#{storefront} / VERSION#{number:010d}   one version (`domain/policy.py` PolicyVersion): the document as
                                                sent and the whole policy it made

A version is written only where none is (`attribute_not_exists`), so two writers of the same number never
overwrite each other: one of them gets False and numbers again. The version in force is the highest.
"""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.table import Cursors, Table, s
from chalicelib.domain.policy import PolicyVersion


def _partition(storefront_id: str) -> dict[str, str]:
    return s(f"POLICY#{storefront_id}")


def _key(storefront_id: str, number: int) -> dict[str, Any]:
    return {"PK": _partition(storefront_id), "SK": s(f"VERSION#{number:010d}")}


class DynamoPolicyVersions:
    def __init__(self, table: Table, cursors: Cursors) -> None:
        self.table = table
        self.cursors = cursors

    def add(self, version: PolicyVersion) -> bool:
        """False when a version of that number already exists (another writer got there first)."""
        item = {**_key(version.storefront_id, version.number), "doc": s(version.model_dump_json())}
        return self.table.put(item, "attribute_not_exists(PK)")

    def get(self, storefront_id: str, number: int) -> PolicyVersion | None:
        item = self.table.get(_key(storefront_id, number), projection="doc")
        return PolicyVersion.model_validate_json(item["doc"]["S"]) if item else None

    def latest(self, storefront_id: str) -> PolicyVersion | None:
        versions, _ = self.history(storefront_id, 1, None)
        return versions[0] if versions else None

    def history(self, storefront_id: str, limit: int, cursor: str | None) -> tuple[list[PolicyVersion], str | None]:
        """Newest first, one page; the cursor is bound to the storefront."""
        listing = f"POLICY#{storefront_id}"
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :version)",
            "ExpressionAttributeValues": {":pk": _partition(storefront_id), ":version": s("VERSION#")},
            "ProjectionExpression": "doc",
            "ConsistentRead": True,
            "Limit": limit,
            "ScanIndexForward": False,
        }
        if cursor:
            kwargs["ExclusiveStartKey"] = self.cursors.decode(cursor, listing)
        response = self.table.call("query", **kwargs)
        last = response.get("LastEvaluatedKey")
        versions = [PolicyVersion.model_validate_json(item["doc"]["S"]) for item in response.get("Items", [])]
        return versions, self.cursors.encode(last, listing) if last else None
