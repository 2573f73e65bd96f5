"""The transactional outbox: webhook-worthy events stored in the same transaction as the case change.

The case repository adds `outbox_writes(entries)` to the TransactWriteItems that saves
a case, so an event can never be committed without its outbox item (or the other
way round). The entries themselves are domain values (`chalicelib/domain/webhook_messages.py`);
this module owns how they are stored:

  WEBHOOK_OUTBOX#{case_id} / SEQ#{sequence:012d}   the events of one write (keyed by the first one's
                                                   sequence), and the case as it was saved, once

Written once and never updated: the table's stream reports the insert to the relay
(webhook_relay.py), and the fan-out reads the item by its key and fans out every event in it.
A delivery finds its event's item as the last one keyed at or before its sequence. No index holds it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from chalicelib.adapters.table import Write, from_sortable, json_attribute, json_text, sortable
from chalicelib.domain.webhook_messages import OutboxEntry
from chalicelib.domain.webhooks import EventType

OUTBOX_PREFIX = "WEBHOOK_OUTBOX#"
RETENTION = timedelta(days=30)


def outbox_key(case_id: str, sequence: int) -> dict[str, Any]:
    return {"PK": {"S": f"{OUTBOX_PREFIX}{case_id}"}, "SK": {"S": f"SEQ#{sequence:012d}"}}


def outbox_position(key: dict[str, Any]) -> tuple[str, int] | None:
    """The case and first sequence an outbox item's key names; None for a key of any other item."""
    partition = key.get("PK", {}).get("S", "")
    if not partition.startswith(OUTBOX_PREFIX):
        return None
    return partition.removeprefix(OUTBOX_PREFIX), int(key["SK"]["S"].removeprefix("SEQ#"))


def outbox_item(entries: Sequence[OutboxEntry]) -> dict[str, Any]:
    """One item for the webhook events of one write: they share the case as it was saved, stored once."""
    first = entries[0]
    return {
        **outbox_key(first.case_id, first.sequence),
        "storefront_id": {"S": first.storefront_id},
        "created_at": {"S": sortable(first.created_at)},
        "case": json_attribute(first.case_doc),
        "events": {
            "L": [
                {
                    "M": {
                        "sequence": {"N": str(entry.sequence)},
                        "event_id": {"S": entry.event_id},
                        "event_type": {"S": entry.event_type.value},
                        "created_at": {"S": sortable(entry.created_at)},
                        "event": json_attribute(entry.event_doc),
                    }
                }
                for entry in entries
            ]
        },
        "expires_at": {"N": str(int((first.created_at + RETENTION).timestamp()))},
    }


def outbox_writes(entries: Sequence[OutboxEntry]) -> list[Write]:
    """The transaction element that stores a write's events, once (none when it raised none)."""
    if not entries:
        return []
    return [Write({"Put": {"Item": outbox_item(entries), "ConditionExpression": "attribute_not_exists(PK)"}})]


def entries_from_item(item: dict[str, Any]) -> list[OutboxEntry]:
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
