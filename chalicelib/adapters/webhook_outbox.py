"""The transactional outbox: webhook-worthy events stored in the same transaction as the case change.

The case repository adds `OutboxEntry.write` items to the TransactWriteItems that saves
a case, so an event can never be committed without its outbox item (or the other
way round). Items:

  WEBHOOK_OUTBOX#{case_id} / SEQ#{sequence:012d}   the event, the case as it was saved, pending flag

A pending item also carries GSI3PK=WEBHOOK_OUTBOX#PENDING and GSI3SK=its time, so the
sweeper finds what the relay has not published yet; publishing removes both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chalicelib.adapters.table import Write, from_sortable, sortable
from chalicelib.domain.models import AuditEvent, Dispute
from chalicelib.domain.webhooks import EventType, event_id_for, event_type_for, sequence_of

PENDING_INDEX = "GSI3"
PENDING_PARTITION = "WEBHOOK_OUTBOX#PENDING"
RETENTION = timedelta(days=30)


def outbox_key(case_id: str, sequence: int) -> dict[str, Any]:
    return {"PK": {"S": f"WEBHOOK_OUTBOX#{case_id}"}, "SK": {"S": f"SEQ#{sequence:012d}"}}


@dataclass(frozen=True)
class OutboxEntry:
    case_id: str
    storefront_id: str
    sequence: int
    event_id: str
    event_type: EventType
    created_at: datetime
    case_doc: str
    event_doc: str

    @property
    def case(self) -> Dispute:
        return Dispute.model_validate_json(self.case_doc)

    @property
    def event(self) -> AuditEvent:
        return AuditEvent.model_validate_json(self.event_doc)

    def item(self) -> dict[str, Any]:
        return {
            **outbox_key(self.case_id, self.sequence),
            "storefront_id": {"S": self.storefront_id},
            "event_id": {"S": self.event_id},
            "event_type": {"S": self.event_type.value},
            "created_at": {"S": sortable(self.created_at)},
            "case": {"S": self.case_doc},
            "event": {"S": self.event_doc},
            "GSI3PK": {"S": PENDING_PARTITION},
            "GSI3SK": {"S": f"{sortable(self.created_at)}#{self.case_id}#{self.sequence:012d}"},
            "expires_at": {"N": str(int((self.created_at + RETENTION).timestamp()))},
        }

    def write(self) -> Write:
        """The transaction element that stores this entry, once."""
        return Write({"Put": {"Item": self.item(), "ConditionExpression": "attribute_not_exists(PK)"}})

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> OutboxEntry:
        return cls(
            case_id=item["PK"]["S"].removeprefix("WEBHOOK_OUTBOX#"),
            storefront_id=item["storefront_id"]["S"],
            sequence=int(item["SK"]["S"].removeprefix("SEQ#")),
            event_id=item["event_id"]["S"],
            event_type=EventType(item["event_type"]["S"]),
            created_at=from_sortable(item["created_at"]["S"]),
            case_doc=item["case"]["S"],
            event_doc=item["event"]["S"],
        )


AfterCommit = Callable[[list["OutboxEntry"]], None]


def outbox_entries(case: Dispute, events: tuple[AuditEvent, ...]) -> list[OutboxEntry]:
    """One entry per webhook-worthy event of a transition; `case` is the case as stored (its new version)."""
    entries = []
    case_doc = case.model_dump_json()
    for index, event in enumerate(events):
        event_type = event_type_for(event.action)
        if event_type is None:
            continue
        sequence = sequence_of(case.version, index)
        entries.append(
            OutboxEntry(
                case_id=case.id,
                storefront_id=case.storefront_id,
                sequence=sequence,
                event_id=event_id_for(case.id, sequence),
                event_type=event_type,
                created_at=event.at,
                case_doc=case_doc,
                event_doc=event.model_dump_json(),
            )
        )
    return entries
