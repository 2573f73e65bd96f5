"""The transactional outbox: a write's webhook events ride on its timeline item, in the case's transaction.

The timeline item of a write (adapters/cases.py: `CASE#{id} / EVENT#{version}` for a transition's lines,
`EVENT#{version}#at#...` for a line beside the case, such as a message) holds its lines in `doc`. When some
of them are webhook-worthy, `webhook_attributes` adds to the item:

  storefront_id   whose subscriptions get them
  case            the case as it was saved, stored once for all of them
  webhooks        [{sequence, event_id, event_type, created_at, line | event}]: the index of the timeline line
                  an event is, or its own document when it says more than the line (a message's webhook)

So an event is committed exactly when its line is, and neither is stored twice. The table's stream reports
the insert to the relay (webhook_relay.py), and the fan-out reads the item by its key. A delivery finds its
event by its sequence: a transition's in the version's `EVENT#{version}`; a message's through
`CASE#{id} / WEBHOOK_NUMBER#{sequence}`, which the message takes in its transaction (two messages posted at
once read the same count, so the same number: the second to commit reads again) and which names its line.

Before, a write's events had an item of their own, `WEBHOOK_OUTBOX#{case} / SEQ#{first sequence}`, kept 30
days: those are still read, by the sequence an event message queued then, or a delivery made then, names.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from chalicelib.adapters.table import Write, from_sortable, json_attribute, json_text, sortable
from chalicelib.domain.webhook_messages import OutboxEntry
from chalicelib.domain.webhooks import EventType

OUTBOX_PREFIX = "WEBHOOK_OUTBOX#"  # the items of their own events had before (read, never written)
TIMELINE_PREFIX = "EVENT#"


def webhook_attributes(entries: Sequence[OutboxEntry], lines: Sequence[str]) -> dict[str, Any]:
    """What a timeline item of `lines` (their JSON) carries for its webhook events; nothing when it has none."""
    if not entries:
        return {}
    first = entries[0]
    return {
        "storefront_id": {"S": first.storefront_id},
        "case": json_attribute(first.case_doc),
        "webhooks": {"L": [{"M": _webhook(entry, lines)} for entry in entries]},
    }


def _webhook(entry: OutboxEntry, lines: Sequence[str]) -> dict[str, Any]:
    webhook = {
        "sequence": {"N": str(entry.sequence)},
        "event_id": {"S": entry.event_id},
        "event_type": {"S": entry.event_type.value},
        "created_at": {"S": sortable(entry.created_at)},
    }
    if entry.event_doc in lines:
        webhook["line"] = {"N": str(lines.index(entry.event_doc))}
    else:
        webhook["event"] = json_attribute(entry.event_doc)
    return webhook


def case_partition_key(case_id: str, sort: str) -> dict[str, Any]:
    """The key of an item in the case's partition: a timeline item, or a webhook number."""
    return {"PK": {"S": f"CASE#{case_id}"}, "SK": {"S": sort}}


def webhook_number_key(case_id: str, sequence: int) -> dict[str, Any]:
    return case_partition_key(case_id, f"WEBHOOK_NUMBER#{sequence:012d}")


def webhook_number_write(webhook: OutboxEntry, line: str) -> Write:
    """The number a message's webhook takes, once, naming the timeline line (its sort key) that carries it."""
    item = {**webhook_number_key(webhook.case_id, webhook.sequence), "line": {"S": line}}
    return Write({"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(PK)"}})


def timeline_position(key: dict[str, Any]) -> tuple[str, str] | None:
    """The case and sort key a timeline item's key names; None for a key of any other item."""
    partition, sort = key.get("PK", {}).get("S", ""), key.get("SK", {}).get("S", "")
    if not (partition.startswith("CASE#") and sort.startswith(TIMELINE_PREFIX)):
        return None
    return partition.removeprefix("CASE#"), sort


def entries_from_timeline_item(item: dict[str, Any]) -> list[OutboxEntry]:
    """The webhook events a timeline item carries, in their order (none for most lines beside a case)."""
    if "webhooks" not in item:
        return []
    stored = json.loads(json_text(item["doc"]))
    lines = stored if isinstance(stored, list) else [stored]
    case_doc = json_text(item["case"])
    return [
        OutboxEntry(
            case_id=item["PK"]["S"].removeprefix("CASE#"),
            storefront_id=item["storefront_id"]["S"],
            sequence=int(webhook["sequence"]["N"]),
            event_id=webhook["event_id"]["S"],
            event_type=EventType(webhook["event_type"]["S"]),
            created_at=from_sortable(webhook["created_at"]["S"]),
            case_doc=case_doc,
            event_doc=json_text(webhook["event"])
            if "event" in webhook
            else json.dumps(lines[int(webhook["line"]["N"])], ensure_ascii=False),
        )
        for webhook in (element["M"] for element in item["webhooks"]["L"])
    ]


# -- the items of their own events had before ------------------------------------------------------


def outbox_key(case_id: str, sequence: int) -> dict[str, Any]:
    return {"PK": {"S": f"{OUTBOX_PREFIX}{case_id}"}, "SK": {"S": f"SEQ#{sequence:012d}"}}


def outbox_position(key: dict[str, Any]) -> tuple[str, int] | None:
    """The case and first sequence an old outbox item's key names; None for a key of any other item."""
    partition = key.get("PK", {}).get("S", "")
    if not partition.startswith(OUTBOX_PREFIX):
        return None
    return partition.removeprefix(OUTBOX_PREFIX), int(key["SK"]["S"].removeprefix("SEQ#"))


def entries_from_item(item: dict[str, Any]) -> list[OutboxEntry]:
    """The events of an old outbox item."""
    case_id = item["PK"]["S"].removeprefix(OUTBOX_PREFIX)
    case_doc = json_text(item["case"])
    return [
        OutboxEntry(
            case_id=case_id,
            storefront_id=item["storefront_id"]["S"],
            sequence=int(event["M"]["sequence"]["N"]),
            event_id=event["M"]["event_id"]["S"],
            event_type=EventType(event["M"]["event_type"]["S"]),
            created_at=from_sortable(event["M"]["created_at"]["S"]),
            case_doc=case_doc,
            event_doc=json_text(event["M"]["event"]),
        )
        for event in item["events"]["L"]
    ]
