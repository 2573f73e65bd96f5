"""The transactional outbox: webhook-worthy events stored in the same transaction as the case change.

The case repository adds `outbox_write(entry)` items to the TransactWriteItems that saves
a case, so an event can never be committed without its outbox item (or the other
way round). The entries themselves are domain values (`chalicelib/domain/webhook_messages.py`);
this module owns how they are stored:

  WEBHOOK_OUTBOX#{case_id} / SEQ#{sequence:012d}   the event, the case as it was saved, pending flag

A pending item also carries GSI3PK=WEBHOOK_OUTBOX#PENDING and GSI3SK=its time, so the
sweeper finds what the relay has not published yet; publishing removes both.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from chalicelib.adapters.table import Write, from_sortable, sortable
from chalicelib.domain.webhook_messages import OutboxEntry
from chalicelib.domain.webhooks import EventType

PENDING_INDEX = "GSI3"
PENDING_PARTITION = "WEBHOOK_OUTBOX#PENDING"
RETENTION = timedelta(days=30)

AfterCommit = Callable[[list[OutboxEntry]], None]


def outbox_key(case_id: str, sequence: int) -> dict[str, Any]:
    return {"PK": {"S": f"WEBHOOK_OUTBOX#{case_id}"}, "SK": {"S": f"SEQ#{sequence:012d}"}}


def outbox_item(entry: OutboxEntry) -> dict[str, Any]:
    return {
        **outbox_key(entry.case_id, entry.sequence),
        "storefront_id": {"S": entry.storefront_id},
        "event_id": {"S": entry.event_id},
        "event_type": {"S": entry.event_type.value},
        "created_at": {"S": sortable(entry.created_at)},
        "case": {"S": entry.case_doc},
        "event": {"S": entry.event_doc},
        "GSI3PK": {"S": PENDING_PARTITION},
        "GSI3SK": {"S": f"{sortable(entry.created_at)}#{entry.case_id}#{entry.sequence:012d}"},
        "expires_at": {"N": str(int((entry.created_at + RETENTION).timestamp()))},
    }


def outbox_write(entry: OutboxEntry) -> Write:
    """The transaction element that stores this entry, once."""
    return Write({"Put": {"Item": outbox_item(entry), "ConditionExpression": "attribute_not_exists(PK)"}})


def entry_from_item(item: dict[str, Any]) -> OutboxEntry:
    return OutboxEntry(
        case_id=item["PK"]["S"].removeprefix("WEBHOOK_OUTBOX#"),
        storefront_id=item["storefront_id"]["S"],
        sequence=int(item["SK"]["S"].removeprefix("SEQ#")),
        event_id=item["event_id"]["S"],
        event_type=EventType(item["event_type"]["S"]),
        created_at=from_sortable(item["created_at"]["S"]),
        case_doc=item["case"]["S"],
        event_doc=item["event"]["S"],
    )
