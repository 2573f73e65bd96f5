"""The outbox relay: the table's DynamoDB stream carries each committed timeline item to the webhook queue.

A case transaction writes its webhook events on its timeline item (webhook_outbox.py) and
returns; nothing on the request path publishes. The stream holds every committed
item for 24 hours, so an event cannot be lost between the commit and the queue: in
AWS a Lambda event source mapping hands batches of stream records (filtered to
inserted timeline items) to `relay_webhook_events`, retries a failing batch (bisecting
it) and parks what still fails on the relay-failures queue; locally a poller of
moto's stream (localrun/stream_poller.py) calls the very same function. An event may
be relayed twice (a retried batch); the fan-out is idempotent, so that costs nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from chalicelib.adapters.webhook_outbox import outbox_position, timeline_position
from chalicelib.domain.webhook_messages import EventMessage
from chalicelib.observability import logger

SQS_BATCH = 10  # SendMessageBatch's limit


@dataclass(frozen=True)
class StreamEvent:
    """A timeline (or old outbox) item the stream reported inserted, by the stream's sequence number."""

    sequence_number: str
    message: EventMessage


def outbox_events(records: Sequence[dict[str, Any]]) -> list[StreamEvent]:
    """The inserted timeline items among stream records, and the outbox items of their own that events had
    before (the event source mapping's filter, checked again here: the local poller reads every record, and
    the keys are all a fan-out needs). A line beside a case that raised no webhook is relayed too: the
    fan-out finds nothing on it, which costs a read, where telling them apart would take the item."""
    events = []
    for record in records:
        keys = record.get("dynamodb", {}).get("Keys", {})
        if record.get("eventName") != "INSERT":
            continue
        if (timeline := timeline_position(keys)) is not None:
            message = EventMessage(case_id=timeline[0], line=timeline[1])
        elif (outbox := outbox_position(keys)) is not None:
            message = EventMessage(case_id=outbox[0], sequence=outbox[1])
        else:
            continue
        events.append(StreamEvent(record["dynamodb"]["SequenceNumber"], message))
    return events


class EventQueue(Protocol):
    def send_events(self, messages: list[EventMessage]) -> list[int]: ...


class StreamRelay:
    def __init__(self, queue: EventQueue) -> None:
        self.queue = queue

    def relay(self, records: Sequence[dict[str, Any]]) -> list[str]:
        """Queue the batch's outbox events, ten to a request; answer the sequence number of the first one SQS
        did not take (Lambda's `ReportBatchItemFailures`: the batch is retried from there), or nothing."""
        events = outbox_events(records)
        for start in range(0, len(events), SQS_BATCH):
            chunk = events[start : start + SQS_BATCH]
            failed = self.queue.send_events([event.message for event in chunk])
            if failed:
                first = chunk[min(failed)]
                logger.warning(
                    "webhook events left on the stream for a retry",
                    extra={"case_id": first.message.case_id, "line": first.message.line},
                )
                return [first.sequence_number]
        return []
