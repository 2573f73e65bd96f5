"""Messages in the single table, beside their case, never inside it (the case item keeps its size budget).

Items (PK / SK):
  CASE#{id} / MSG#{created_at}#{message_id}   one message; `audience`, `author`, `author_role` for the read filter
  CASE#{id} / MSG_COUNT                       `posted`: how many messages the case holds, the cap's counter
  CASE#{id} / WEBHOOK_NUMBER#{sequence}       the webhook number a message to everyone took (webhook_outbox.py)
  CASE#{id} / EVENT#{version}#at#...          its timeline line, in the case repository's event layout, with
                                              its webhook for a message to everyone (adapters/webhook_outbox.py)

A post is one TransactWriteItems: the message, its counter (`ADD posted 1` only while under the cap, so
concurrent posters can never pass it), its timeline line with its webhook, and a condition check that the
case is still at the version read (closing it moves the version on). The case item itself is never
written, so its version stays. Sort keys start with the creation time (fixed width), so a query reads
messages oldest first.
"""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.cases import CASE_READ, case_key, case_unchanged, side_event_write, stored_case
from chalicelib.adapters.table import Cursors, Table, Write, json_attribute, json_text, n, s, sortable
from chalicelib.adapters.webhook_outbox import webhook_number_write
from chalicelib.domain.message_models import Message, MessageChange, Visibility
from chalicelib.domain.messages import limit_reached
from chalicelib.domain.workflow import StoredCase

MESSAGE_PREFIX = "MSG#"
COUNTER_SK = "MSG_COUNT"  # sorts after every MSG#... key ("#" < "_"), so listings never read it


def message_key(message: Message) -> dict[str, Any]:
    return {"PK": s(f"CASE#{message.case_id}"), "SK": s(f"{MESSAGE_PREFIX}{sortable(message.created_at)}#{message.id}")}


def counter_key(case_id: str) -> dict[str, Any]:
    return {"PK": s(f"CASE#{case_id}"), "SK": s(COUNTER_SK)}


def _count(change: MessageChange) -> Write:
    update = {
        "Key": counter_key(change.case.id),
        "UpdateExpression": "ADD posted :one",
        "ConditionExpression": "attribute_not_exists(posted) OR posted < :limit",
        "ExpressionAttributeValues": {":one": n(1), ":limit": n(change.limit)},
    }
    return Write({"Update": update}, on_conflict=lambda: limit_reached(change.limit, change.limit))


def _message_put(message: Message) -> Write:
    item = {
        **message_key(message),
        "doc": json_attribute(message.model_dump_json()),
        "audience": s(message.audience.value),
        "author": s(message.author),
        "author_role": s(message.role.value),
    }
    return Write({"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(PK)"}})


class DynamoMessageRepository:
    def __init__(self, table: Table, cursors: Cursors) -> None:
        self.table = table
        self.cursors = cursors

    def with_case(self, case_id: str) -> tuple[StoredCase | None, int]:
        """The case (as a command reads it) and how many messages it holds, in one consistent BatchGetItem."""
        items = self.table.batch_get([case_key(case_id), counter_key(case_id)], f"SK, posted, {CASE_READ}")
        by_key = {item["SK"]["S"]: item for item in items}
        case, counter = by_key.get("CASE"), by_key.get(COUNTER_SK)
        posted = int(counter["posted"]["N"]) if counter and "posted" in counter else 0
        return (stored_case(case) if case else None), posted

    def save(self, change: MessageChange) -> None:
        """All or nothing. Raises VersionConflict when the case moved on (or another message to everyone took
        the same webhook number: read again), MessageLimitReached when the cap was reached meanwhile. The webhook
        of a message to everyone rides on its timeline line; the table's stream relays it."""
        line = side_event_write(change.event, change.case.version, "message", change.message.id, change.outbox)
        writes = [
            case_unchanged(change.case.id, change.case.version),
            _count(change),
            _message_put(change.message),
            line,
        ]
        if change.outbox is not None:
            writes.append(webhook_number_write(change.outbox, line.item["SK"]["S"]))
        self.table.transact(writes)

    def page(self, case_id: str, shown: Visibility, limit: int, cursor: str | None) -> tuple[list[Message], str | None]:
        """Up to `limit` messages read oldest first, those `shown` kept; a page may come back short."""
        listing = f"{MESSAGE_PREFIX}{case_id}"
        values: dict[str, Any] = {":pk": s(f"CASE#{case_id}"), ":prefix": s(MESSAGE_PREFIX)}
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
            "ExpressionAttributeValues": values,
            "ConsistentRead": True,
            "ScanIndexForward": True,
            "Limit": limit,
        }
        if shown.audiences is not None:
            audiences = {f":audience{index}": s(a.value) for index, a in enumerate(sorted(shown.audiences))}
            values.update(audiences)
            condition = f"audience IN ({', '.join(audiences)})"
            if shown.author is not None:
                values[":author"], values[":role"] = s(shown.author[0]), s(shown.author[1].value)
                condition += " OR (author = :author AND author_role = :role)"
            kwargs["FilterExpression"] = condition
        items, next_cursor = self.table.page(self.cursors, listing, cursor, **kwargs)
        return [Message.model_validate_json(json_text(item["doc"])) for item in items], next_cursor
