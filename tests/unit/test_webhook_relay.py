"""The stream relay: which stream records are webhook events, and what a batch answers when SQS takes only part."""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.webhook_outbox import outbox_key
from chalicelib.adapters.webhook_relay import StreamRelay, outbox_events
from chalicelib.domain.webhook_messages import EventMessage


def record(event_name: str, key: dict[str, Any], sequence_number: int) -> dict[str, Any]:
    return {"eventName": event_name, "dynamodb": {"Keys": key, "SequenceNumber": str(sequence_number)}}


class Queue:
    """Takes every message except the ones at the positions it is told to refuse, batch by batch."""

    def __init__(self, refuse_in_batch: dict[int, set[int]] | None = None) -> None:
        self.refuse_in_batch = refuse_in_batch or {}
        self.batches: list[list[EventMessage]] = []

    def send_events(self, messages: list[EventMessage]) -> list[int]:
        refused = self.refuse_in_batch.get(len(self.batches), set())
        self.batches.append(messages)
        return sorted(refused)


CASE_ITEM = {"PK": {"S": "CASE#dsp_1"}, "SK": {"S": "CASE"}}


def timeline(case_id: str, sort: str) -> dict[str, Any]:
    return {"PK": {"S": f"CASE#{case_id}"}, "SK": {"S": sort}}


def test_only_inserted_timeline_items_and_old_outbox_items_are_events_and_their_keys_say_which() -> None:
    records = [
        record("INSERT", CASE_ITEM, 1),
        record("INSERT", timeline("dsp_1", "EVENT#0000000002"), 2),
        record("MODIFY", timeline("dsp_1", "EVENT#0000000002"), 3),  # a timeline item is never updated
        record("INSERT", timeline("dsp_1", "EVIDENCE#evd_1"), 4),
        record("INSERT", timeline("dsp_2", "EVENT#0000000003#at#2026-12-03T00:00:00.000000Z#message#msg_1"), 5),
        record("INSERT", outbox_key("dsp_3", 1000), 6),  # written before events rode on timeline items
        record("REMOVE", outbox_key("dsp_3", 1000), 7),  # its TTL expiry
    ]

    events = outbox_events(records)

    assert [(e.sequence_number, e.message) for e in events] == [
        ("2", EventMessage(case_id="dsp_1", line="EVENT#0000000002")),
        ("5", EventMessage(case_id="dsp_2", line="EVENT#0000000003#at#2026-12-03T00:00:00.000000Z#message#msg_1")),
        ("6", EventMessage(case_id="dsp_3", sequence=1000)),
    ]


def test_a_batch_is_queued_ten_at_a_time_and_answers_no_failure() -> None:
    queue = Queue()
    records = [record("INSERT", timeline("dsp_1", f"EVENT#{n:010d}"), n) for n in range(23)]

    assert StreamRelay(queue).relay(records) == []
    assert [len(batch) for batch in queue.batches] == [10, 10, 3]


def test_a_refused_message_answers_its_record_and_nothing_after_it_is_sent() -> None:
    # SQS refuses the 4th and 7th message of the second batch of ten
    queue = Queue({1: {3, 6}})
    records = [record("INSERT", timeline("dsp_1", f"EVENT#{n:010d}"), 1_000 + n) for n in range(25)]

    failed = StreamRelay(queue).relay(records)

    # Lambda retries the batch from the first refused record (those after it again too: the fan-out dedupes)
    assert failed == ["1013"]
    assert len(queue.batches) == 2
