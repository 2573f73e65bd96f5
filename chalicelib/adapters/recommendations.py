"""Recommendations with the rule inputs they were computed from, each on an item of its own beside its case.

Items (PK / SK):
  CASE#{id} / RECOMMENDATION   the record (`domain/replay.py`); GSI4PK=RECOMMENDATIONS#{storefront},
                               GSI4SK={time}#{case id}: a storefront's recommendations in time order

Written in the transaction that stores the recommendation on the case (`record_write`, used by the case
repository), so a case never shows a recommendation whose inputs are missing. GSI4 is shared with the
cases of a storefront and the deliveries of a subscription; each listing has its own partition prefix.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.adapters.table import Cursors, Table, Write, json_attribute, json_text, s, sortable
from chalicelib.domain.replay import RecommendationRecord


def record_key(case_id: str) -> dict[str, Any]:
    return {"PK": s(f"CASE#{case_id}"), "SK": s("RECOMMENDATION")}


def _partition(storefront_id: str) -> str:
    return f"RECOMMENDATIONS#{storefront_id}"


def record_write(record: RecommendationRecord) -> Write:
    """The transaction element keeping a recommendation's record; a recomputed one replaces it."""
    item = {
        **record_key(record.case_id),
        "doc": json_attribute(record.model_dump_json()),
        "GSI4PK": s(_partition(record.storefront_id)),
        "GSI4SK": s(f"{sortable(record.recorded_at)}#{record.case_id}"),
    }
    return Write({"Put": {"Item": item}})


def get_record(table: Table, case_id: str) -> RecommendationRecord | None:
    item = table.get(record_key(case_id), projection="doc")
    return RecommendationRecord.model_validate_json(json_text(item["doc"])) if item else None


def records_between(
    table: Table,
    cursors: Cursors,
    storefront_id: str,
    window: tuple[datetime, datetime],
    limit: int,
    cursor: str | None,
    scope: str = "",
) -> tuple[list[RecommendationRecord], str | None]:
    """A storefront's records made in [since, until), oldest first, one Query page of the index.

    An item at `until` sorts after `sortable(until)` (its key goes on with `#case`), so BETWEEN is half-open.
    The cursor is bound to the storefront, the range and `scope` (the rest of the request, as its caller hashed it).
    """
    since, until = window
    listing = f"GSI4#{_partition(storefront_id)}#{sortable(since)}#{sortable(until)}#{scope}"
    kwargs: dict[str, Any] = {
        "IndexName": "GSI4",
        "KeyConditionExpression": "GSI4PK = :pk AND GSI4SK BETWEEN :since AND :until",
        "ExpressionAttributeValues": {
            ":pk": s(_partition(storefront_id)),
            ":since": s(sortable(since)),
            ":until": s(sortable(until)),
        },
        "ProjectionExpression": "doc",
        "Limit": limit,
        "ScanIndexForward": True,
    }
    items, next_cursor = table.page(cursors, listing, cursor, **kwargs)
    return [RecommendationRecord.model_validate_json(json_text(item["doc"])) for item in items], next_cursor
