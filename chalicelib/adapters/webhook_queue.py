"""The webhook queue (SQS) and its dead-letter queue, and the two messages they carry.

- `EventMessage`: an outbox entry to fan out to the storefront's subscriptions.
- `AttemptMessage`: one attempt of one delivery. A retry is a new message with a delay,
  so the same code works as an SQS-triggered Lambda (which deletes what it was given)
  and as the local polling thread. SQS delays stop at 15 minutes; a longer wait is
  a chain of delayed messages, each checked against `not_before`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from chalicelib.adapters.aws import client
from chalicelib.domain.models import UtcDateTime

MAX_DELAY_SECONDS = 900  # SQS DelaySeconds limit


class EventMessage(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    kind: Literal["event"] = "event"
    case_id: str
    sequence: int


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


@dataclass(frozen=True)
class Received:
    body: str
    receipt_handle: str


def delay_seconds(not_before: datetime, now: datetime) -> int:
    """Whole seconds SQS should hold a message, to the nearest second and at most its limit.

    Rounding may hand a message out up to half a second early; the worker accepts that
    (domain.webhooks.EARLY_TOLERANCE), so sub-second backoffs of a scaled schedule cost nothing.
    """
    return max(0, min(MAX_DELAY_SECONDS, round((not_before - now).total_seconds())))


class WebhookQueue:
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
