"""Stored policy versions of each storefront, immutable once written.

Items (PK / SK):
  POLICY#{storefront} / VERSION#{number:010d}   one version (`domain/policy.py` PolicyVersion): the document as
                                                sent and the whole policy it made
  POLICY#{storefront} / CURRENT                 a copy of the version in force (the highest), so that one
                                                GetItem finds it, or a BatchGetItem beside the after-sales
                                                request an escalation reads (adapters/cases.py)

A version is written only where none is (`attribute_not_exists`), in one transaction with the copy, which
only ever moves up; two writers of the same number never overwrite each other: one of them gets False and
numbers again.
"""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.table import Cursors, Table, Write, json_attribute, json_text, n, s
from chalicelib.domain.errors import VersionConflict
from chalicelib.domain.policy import PolicyVersion


def _partition(storefront_id: str) -> dict[str, str]:
    return s(f"POLICY#{storefront_id}")


def _key(storefront_id: str, number: int) -> dict[str, Any]:
    return {"PK": _partition(storefront_id), "SK": s(f"VERSION#{number:010d}")}


def in_force_key(storefront_id: str) -> dict[str, Any]:
    return {"PK": _partition(storefront_id), "SK": s("CURRENT")}


def version_from_item(item: dict[str, Any]) -> PolicyVersion:
    return PolicyVersion.model_validate_json(json_text(item["doc"]))


class DynamoPolicyVersions:
    def __init__(self, table: Table, cursors: Cursors) -> None:
        self.table = table
        self.cursors = cursors

    def add(self, version: PolicyVersion) -> bool:
        """False when a version of that number already exists (another writer got there first)."""
        doc = json_attribute(version.model_dump_json())
        stored = {**_key(version.storefront_id, version.number), "doc": doc}
        in_force = {**in_force_key(version.storefront_id), "doc": doc, "number": n(version.number)}
        try:
            self.table.transact(
                [
                    Write({"Put": {"Item": stored, "ConditionExpression": "attribute_not_exists(PK)"}}),
                    Write(
                        {
                            "Put": {
                                "Item": in_force,
                                "ConditionExpression": "attribute_not_exists(PK) OR #number < :number",
                                "ExpressionAttributeNames": {"#number": "number"},
                                "ExpressionAttributeValues": {":number": n(version.number)},
                            }
                        }
                    ),
                ]
            )
        except VersionConflict:
            return False
        return True

    def get(self, storefront_id: str, number: int) -> PolicyVersion | None:
        item = self.table.get(_key(storefront_id, number), projection="doc")
        return version_from_item(item) if item else None

    def latest(self, storefront_id: str) -> PolicyVersion | None:
        item = self.table.get(in_force_key(storefront_id), projection="doc")
        return version_from_item(item) if item else None

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
        items, next_cursor = self.table.page(self.cursors, listing, cursor, **kwargs)
        return [PolicyVersion.model_validate_json(json_text(item["doc"])) for item in items], next_cursor
