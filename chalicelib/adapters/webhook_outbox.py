"""The transactional outbox: webhook-worthy events stored in the same transaction as the case change.

The case repository adds `outbox_write(entry)` items to the TransactWriteItems that saves
a case, so an event can never be committed without its outbox item (or the other
way round). The entries themselves are domain values (`chalicelib/domain/webhook_messages.py`);
this module owns how they are stored:

  WEBHOOK_OUTBOX#{case_id} / SEQ#{sequence:012d}   the event, and the case as it was saved

Written once and never updated: the table's stream reports the insert to the relay
(webhook_relay.py), and the fan-out reads the item by its key. No index holds it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from chalicelib.adapters.table import Write, from_sortable, json_attribute, json_text, sortable
from chalicelib.domain.webhook_messages import OutboxEntry
from chalicelib.domain.webhooks import EventType

OUTBOX_PREFIX = "WEBHOOK_OUTBOX#"
RETENTION = timedelta(days=30)


def outbox_key(case_id: str, sequence: int) -> dict[str, Any]:
    return {"PK": {"S": f"{OUTBOX_PREFIX}{case_id}"}, "SK": {"S": f"SEQ#{sequence:012d}"}}


def outbox_item(entry: OutboxEntry) -> dict[str, Any]:
    return {
        **outbox_key(entry.case_id, entry.sequence),
        "storefront_id": {"S": entry.storefront_id},
        "event_id": {"S": entry.event_id},
        "event_type": {"S": entry.event_type.value},
        "created_at": {"S": sortable(entry.created_at)},
        "case": json_attribute(entry.case_doc),
        "event": json_attribute(entry.event_doc),
        "expires_at": {"N": str(int((entry.created_at + RETENTION).timestamp()))},
    }


def outbox_write(entry: OutboxEntry) -> Write:
    """The transaction element that stores this entry, once."""
    return Write({"Put": {"Item": outbox_item(entry), "ConditionExpression": "attribute_not_exists(PK)"}})


def entry_from_item(item: dict[str, Any]) -> OutboxEntry:
    return OutboxEntry(
        case_id=item["PK"]["S"].removeprefix(OUTBOX_PREFIX),
        storefront_id=item["storefront_id"]["S"],
        sequence=int(item["SK"]["S"].removeprefix("SEQ#")),
        event_id=item["event_id"]["S"],
        event_type=EventType(item["event_type"]["S"]),
        created_at=from_sortable(item["created_at"]["S"]),
        case_doc=json_text(item["case"]),
        event_doc=json_text(item["event"]),
    )
