"""The webhook queue (SQS) and its dead-letter queue.

It carries the two messages of `chalicelib/domain/webhook_messages.py`: an event to fan
out, and one attempt of one delivery (a retry is a new, delayed message).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from chalicelib.adapters.aws import client
from chalicelib.domain.webhook_messages import AttemptMessage, EventMessage


@dataclass(frozen=True)
class Received:
    """One message as SQS handed it out: its body, and the handle that deletes it."""

    body: str
    receipt_handle: str


class SqsWebhookQueue:
    def __init__(self, queue_url: str, dead_letter_url: str = "") -> None:
        self.url = queue_url
        self.dead_letter_url = dead_letter_url

    @property
    def _sqs(self) -> Any:
        return client("sqs")

    @property
    def configured(self) -> bool:
        return bool(self.url)

    def send(self, message: EventMessage | AttemptMessage, delay: int = 0) -> None:
        self._sqs.send_message(QueueUrl=self.url, MessageBody=message.model_dump_json(), DelaySeconds=delay)

    def send_events(self, messages: list[EventMessage]) -> list[int]:
        """At most ten in one SendMessageBatch; the positions of those SQS did not take."""
        entries = [{"Id": str(index), "MessageBody": m.model_dump_json()} for index, m in enumerate(messages)]
        if not entries:
            return []
        response = self._sqs.send_message_batch(QueueUrl=self.url, Entries=entries)
        return sorted(int(failure["Id"]) for failure in response.get("Failed", []))

    def dead_letter(self, message: AttemptMessage, reason: str) -> bool:
        """Park a delivery that used up its retries where operators (and the DLQ alarm) see it.

        False when no dead-letter queue is configured; the delivery is marked failed either way.
        """
        if not self.dead_letter_url:
            return False
        body = {**message.model_dump(mode="json"), "reason": reason}
        self._sqs.send_message(QueueUrl=self.dead_letter_url, MessageBody=json.dumps(body))
        return True

    def receive(self, max_messages: int, wait_seconds: int = 0) -> list[Received]:
        response = self._sqs.receive_message(
            QueueUrl=self.url, MaxNumberOfMessages=max_messages, WaitTimeSeconds=wait_seconds
        )
        return [Received(m["Body"], m["ReceiptHandle"]) for m in response.get("Messages", [])]

    def delete(self, receipt_handle: str) -> None:
        self._sqs.delete_message(QueueUrl=self.url, ReceiptHandle=receipt_handle)
