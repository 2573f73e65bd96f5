"""GSI5, the finder index: cases by order, buyer and seller across storefronts, and closed cases by time.

Items (PK / SK) and their GSI5 keys:
  CASE#{id} / FIND#order_id   GSI5PK=ORDER#{order}   GSI5SK={created}#{id}   written with the case, never changed
  CASE#{id} / FIND#buyer_id   GSI5PK=BUYER#{buyer}   (the same)
  CASE#{id} / FIND#seller_id  GSI5PK=SELLER#{seller} (the same)
  CASE#{id} / CASE            GSI5PK=CLOSED          GSI5SK={closed}#{id}    once the case is closed

The lookup items also put the case in its storefront's, buyer's and seller's listings (GSI4, GSI1, GSI2; see
`LISTINGS`): the case item is in none of them, so a transition rewrites no listing entry. A listing reads
the entries, then the cases in one BatchGetItem (cases.py `_page`).

A search reads the finder items of one key, then the cases in one BatchGetItem. Closed cases sit in one
partition in closing order: the date range is the key condition, the other filters a FilterExpression
on attributes of the case item (`case_reason`, which every case item carries, `case_outcome`,
`case_resolution`, `case_decider`, `case_decided_by`, `GSI4PK` for the storefront), so a filtered
page reads `limit` closed cases and may hold fewer while `next_cursor` says there is more. A cursor
is signed with the filters it was issued for. FIND# sorts after every EVENT# key, so the case's
timeline query never reads the finder items. Cases stored
before this index existed get their keys from the one-off backfill (`index_stored_cases`, run by
`python -m tools.backfill_finder`).
"""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.table import Cursors, Table, Write, json_text, s, sortable
from chalicelib.domain.finding import CaseSearch, ClosedQuery, SearchField, decider
from chalicelib.domain.models import Dispute, Page, Status

INDEX = "GSI5"
CLOSED = "CLOSED"
PREFIXES: dict[SearchField, str] = {"order_id": "ORDER", "buyer_id": "BUYER", "seller_id": "SELLER"}


# Which listing index each lookup item puts the case in, beside the finder: a lookup item never changes, so
# its entries are written once, where the case item's own were rewritten with every transition.
LISTINGS: dict[SearchField, tuple[str, str]] = {
    "order_id": ("GSI4", "STOREFRONT#{storefront}"),
    "buyer_id": ("GSI1", "BUYER#{storefront}#{buyer}"),
    "seller_id": ("GSI2", "SELLER#{storefront}#{seller}"),
}


# The listing keys a case item carried before its lookup items did (GSI4PK stays: the closed listing filters on it).
CASE_LISTING_KEYS = ("GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "GSI4SK")


def listing_keys(case: Dispute, name: SearchField) -> dict[str, Any]:
    index, partition = LISTINGS[name]
    values = {"storefront": case.storefront_id, "buyer": case.buyer_id, "seller": case.seller_id}
    return {f"{index}PK": s(partition.format(**values)), f"{index}SK": s(f"{case.created_at.isoformat()}#{case.id}")}


def finder_writes(case: Dispute) -> list[Write]:
    """The case's three lookup items, put with the case that creates them."""
    sort = s(f"{sortable(case.created_at)}#{case.id}")
    values: dict[SearchField, str] = {"order_id": case.order_id, "buyer_id": case.buyer_id, "seller_id": case.seller_id}
    return [
        Write(
            {
                "Put": {
                    "Item": {
                        "PK": s(f"CASE#{case.id}"),
                        "SK": s(f"FIND#{name}"),
                        "case_id": s(case.id),
                        "GSI5PK": s(f"{PREFIXES[name]}#{value}"),
                        "GSI5SK": sort,
                        **listing_keys(case, name),
                    }
                }
            }
        )
        for name, value in values.items()
    ]


def closed_attributes(case: Dispute) -> dict[str, Any]:
    """What a closed case item carries for the closed listing: its place in time and what it is filtered on."""
    if case.status != Status.CLOSED:
        return {}
    attributes = {
        "GSI5PK": s(CLOSED),
        "GSI5SK": s(f"{sortable(case.updated_at)}#{case.id}"),
        "case_decider": s(decider(case).value),
    }
    if case.resolution is not None:
        attributes["case_resolution"] = s(case.resolution.value)
    if case.ruling is not None:
        attributes["case_outcome"] = s(case.ruling.outcome.value)
        attributes["case_decided_by"] = s(case.ruling.decided_by)
    return attributes


class CaseFinder:
    """The reads of GSI5; the case repository delegates to it."""

    def __init__(self, table: Table, cursors: Cursors) -> None:
        self.table = table
        self.cursors = cursors

    def search(self, query: CaseSearch) -> Page:
        name, value = query.key
        partition = f"{PREFIXES[name]}#{value}"
        listing = f"{INDEX}#{partition}"
        kwargs: dict[str, Any] = {
            "IndexName": INDEX,
            "KeyConditionExpression": "GSI5PK = :pk",
            "ExpressionAttributeValues": {":pk": s(partition)},
            "ProjectionExpression": "case_id, PK, SK, GSI5PK, GSI5SK",
            "Limit": query.limit,
            "ScanIndexForward": False,
        }
        items, next_cursor = self.table.page(self.cursors, listing, query.cursor, **kwargs)
        return Page(items=self.cases_of(items), cursor=next_cursor)

    def cases_of(self, entries: list[dict[str, Any]]) -> list[Dispute]:
        """The cases of index entries, in their order, each once: an entry that projects the document (a case
        item's) reads as it is, the others (a lookup item's keys) in one BatchGetItem."""
        ids = [entry["PK"]["S"].removeprefix("CASE#") for entry in entries]
        found = {
            case_id: Dispute.model_validate_json(json_text(entry["doc"]))
            for case_id, entry in zip(ids, entries, strict=True)
            if "doc" in entry
        }
        keys = [{"PK": s(f"CASE#{case_id}"), "SK": s("CASE")} for case_id in dict.fromkeys(ids) if case_id not in found]
        if keys:
            for item in self.table.batch_get(keys, "doc"):
                case = Dispute.model_validate_json(json_text(item["doc"]))
                found[case.id] = case
        return [found[case_id] for case_id in dict.fromkeys(ids) if case_id in found]

    def closed(self, query: ClosedQuery) -> Page:
        listing = f"{INDEX}#{CLOSED}#{query.listing}"
        values: dict[str, Any] = {":pk": s(CLOSED)}
        condition = "GSI5PK = :pk"
        low = sortable(query.closed_from) if query.closed_from else None
        high = f"{sortable(query.closed_to)}#\uffff" if query.closed_to else None
        if low and high:
            condition += " AND GSI5SK BETWEEN :low AND :high"
            values.update({":low": s(low), ":high": s(high)})
        elif low:
            condition += " AND GSI5SK >= :low"
            values[":low"] = s(low)
        elif high:
            condition += " AND GSI5SK <= :high"
            values[":high"] = s(high)
        filters = {
            "case_reason": query.reason,
            "case_outcome": query.outcome,
            "case_resolution": query.resolution,
            "case_decider": query.decided_by,
            "case_decided_by": query.reviewer_id,
            "GSI4PK": f"STOREFRONT#{query.storefront_id}" if query.storefront_id else None,
        }
        wanted = {name: value for name, value in filters.items() if value is not None}
        kwargs: dict[str, Any] = {
            "IndexName": INDEX,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": values,
            "Limit": query.limit,
            "ScanIndexForward": False,
        }
        if wanted:
            kwargs["FilterExpression"] = " AND ".join(f"{name} = :{name}" for name in wanted)
            values.update({f":{name}": s(str(value)) for name, value in wanted.items()})
        items, next_cursor = self.table.page(self.cursors, listing, query.cursor, **kwargs)
        return Page(items=[Dispute.model_validate_json(json_text(item["doc"])) for item in items], cursor=next_cursor)


def index_stored_cases(table: Table, start: dict[str, Any] | None = None) -> tuple[int, dict[str, Any] | None]:
    """One Scan page of the one-off backfill (`python -m tools.backfill_finder`): every case item read gets its
    lookup items (with their listing keys) and, unless a newer write already did it, its `case_reason` and
    closed-listing keys, and loses the listing keys it carried itself.

    A scan, because it visits every case once, outside any request; idempotent: the lookup items hold only
    facts that never change, and a case is updated only at the version it was read at (a case written
    meanwhile carries the attributes already). Answers how many cases it indexed and where the next page starts.
    """
    page = table.call(
        "scan",
        FilterExpression="SK = :case",
        ExpressionAttributeValues={":case": s("CASE")},
        ProjectionExpression="doc, version",
        **({"ExclusiveStartKey": start} if start else {}),
    )
    indexed = 0
    for item in page.get("Items", []):
        case = Dispute.model_validate_json(json_text(item["doc"]))
        for write in finder_writes(case):
            table.put(write.item)
        attributes = {"case_reason": s(case.reason.value), **closed_attributes(case)}
        names = sorted(attributes)
        table.update(
            {"PK": s(f"CASE#{case.id}"), "SK": s("CASE")},
            "SET " + ", ".join(f"{name} = :{name}" for name in names) + f" REMOVE {', '.join(CASE_LISTING_KEYS)}",
            "version = :version",
            ExpressionAttributeValues={":version": item["version"], **{f":{name}": attributes[name] for name in names}},
        )
        indexed += 1
    return indexed, page.get("LastEvaluatedKey")
