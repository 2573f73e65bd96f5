"""What the webhook worker and its ports hand each other: outbox entries, queue messages, the result of a POST.

- `OutboxEntry`: a webhook-worthy event, stored in the same transaction as the case change
  that made it (how it is stored is the outbox adapter's business).
- `EventMessage`: the outbox entries of one write, to fan out to the storefront's subscriptions.
- `AttemptMessage`: one attempt of one delivery. A retry is a new message with a delay,
  so the same code works as an SQS-triggered Lambda (which deletes what it was given)
  and as the local polling thread. SQS delays stop at 15 minutes; a longer wait is
  a chain of delayed messages, each checked against `not_before`.
- `SendResult`: what one signed POST to a subscription's URL came to.

Plain values, no I/O: the services work with them through the ports in
`chalicelib/services/ports.py`, and the adapters translate them to and from SQS and DynamoDB.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from chalicelib.domain.models import AuditEvent, Dispute, UtcDateTime
from chalicelib.domain.webhooks import EventType, event_id_for, event_type_for, message_sequence_of, sequence_of

MAX_DELAY_SECONDS = 900  # SQS DelaySeconds limit


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


def message_outbox_entry(case: Dispute, event: AuditEvent, slot: int) -> OutboxEntry:
    """A message's webhook: `case` is the case as read (a message never changes it), `slot` its message number."""
    sequence = message_sequence_of(case.version, slot)
    return OutboxEntry(
        case_id=case.id,
        storefront_id=case.storefront_id,
        sequence=sequence,
        event_id=event_id_for(case.id, sequence),
        event_type=EventType.MESSAGE_POSTED,
        created_at=event.at,
        case_doc=case.model_dump_json(),
        event_doc=event.model_dump_json(),
    )


class EventMessage(BaseModel):
    """The webhook events of one write of a case, to fan out: the timeline item that carries them (`line`, its
    sort key), or for a message queued before events rode on timeline items, the first `sequence` of the
    outbox item they had."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    kind: Literal["event"] = "event"
    case_id: str
    line: str | None = None
    sequence: int | None = None


class AttemptMessage(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    kind: Literal["attempt"] = "attempt"
    delivery_id: str
    round: int
    attempt: int
    not_before: UtcDateTime


Message = Annotated[EventMessage | AttemptMessage, Field(discriminator="kind")]
_MESSAGE: TypeAdapter[EventMessage | AttemptMessage] = TypeAdapter(Message, config=ConfigDict(defer_build=True))


def parse_message(body: str) -> EventMessage | AttemptMessage:
    return _MESSAGE.validate_json(body)


def delay_seconds(not_before: datetime, now: datetime) -> int:
    """Whole seconds SQS should hold a message, to the nearest second and at most its limit.

    Rounding may hand a message out up to half a second early; the worker accepts that
    (domain.webhooks.EARLY_TOLERANCE), so sub-second backoffs of a scaled schedule cost nothing.
    """
    return max(0, min(MAX_DELAY_SECONDS, round((not_before - now).total_seconds())))


@dataclass(frozen=True)
class SendResult:
    status_code: int | None
    latency_ms: int
    error: str | None
