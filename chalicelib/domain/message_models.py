"""What a message on a case is: its audiences, the record, what posting one writes, who reads which.

Plain data; the decisions about messages live in `chalicelib.domain.messages`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from chalicelib.domain.models import AuditEvent, Dispute, Frozen, Role, UtcDateTime
from chalicelib.domain.webhook_messages import OutboxEntry

# Messages are their own items, but a case still must stay readable: 500 a case, then a 409.
MAX_MESSAGES_PER_CASE = 500
MAX_ATTACHMENTS = 10
# A message's timeline line names it and quotes at most this much: the text is read through GET .../messages, so
# the timeline of a case at the cap stays far below Lambda's 6 MB response limit (tests/unit/test_timeline_size.py).
EXCERPT_CHARS = 140
POSTED = "message_posted"  # the timeline action of a message, and (as `dispute.message_posted`) its webhook


class Audience(StrEnum):
    EVERYONE = "everyone"
    PLATFORM = "platform"
    BUYER = "buyer"
    SELLER = "seller"


# What a buyer or seller may address; reviewers may address any audience.
PARTY_AUDIENCES = (Audience.EVERYONE, Audience.PLATFORM)


class Message(Frozen):
    id: str
    case_id: str
    author: str
    role: Role
    audience: Audience
    text: str
    evidence_ids: tuple[str, ...] = ()
    created_at: UtcDateTime


@dataclass(frozen=True)
class MessageChange:
    """A message to store beside `case` (as read, unchanged), with its timeline line and, for `everyone`, its
    webhook outbox entry: the message twin of a Transition. `limit` is the case's cap, checked as it is stored."""

    case: Dispute
    message: Message
    event: AuditEvent
    limit: int
    outbox: OutboxEntry | None = None

    @property
    def events(self) -> tuple[AuditEvent, ...]:
        return (self.event,)


@dataclass(frozen=True)
class Visibility:
    """Which messages a caller reads: every one (`audiences` None), or those audiences plus its own."""

    audiences: frozenset[Audience] | None
    author: tuple[str, Role] | None = None

    def shows(self, audience: Audience, author: str, role: str) -> bool:
        if self.audiences is None or audience in self.audiences:
            return True
        return self.author is not None and self.author == (author, Role(role))
