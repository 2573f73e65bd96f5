"""Messages on a case: post one through the one runner, list what the caller may read.

A message is decided on the case as read with the number of messages it holds (one
consistent read) and committed beside it: the case's version and status never change,
but the write holds only while the case is still at the version read, so a message can
neither slip onto a case that closed meanwhile nor take a webhook number out of order.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain import messages as domain
from chalicelib.domain.message_models import Audience, Message, MessageChange
from chalicelib.domain.models import Actor, Dispute
from chalicelib.domain.workflow import StoredCase
from chalicelib.services.cases import change, load_visible
from chalicelib.services.context import Context

# Posters to everyone on one case collide on the webhook number they read (one wins each round, the others
# read again), so a poster may need as many attempts as there are people posting at that moment.
ATTEMPTS = 25


@dataclass(frozen=True)
class MessagePage:
    items: list[Message]
    cursor: str | None


def post_message(
    ctx: Context,
    actor: Actor,
    case_id: str,
    text: str,
    audience: Audience,
    evidence_ids: Sequence[str] = (),
    expected_version: int | None = None,
) -> MessageChange:
    """Store the message, its timeline line and (for everyone) its webhook; answer it with the case as it is."""
    message_id = new_message_id()
    posted = [0]  # how many messages the case held when read

    def read() -> StoredCase | None:
        stored, posted[0] = ctx.messages.with_case(case_id)
        return stored

    def decide(case: Dispute, now: datetime) -> MessageChange:
        # Only attachments need the evidence read; most messages have none.
        evidence = ctx.evidence.verified_for_case(case.id) if evidence_ids else []
        return domain.post(
            case,
            actor,
            text,
            audience,
            evidence_ids,
            evidence,
            message_id=message_id,
            posted=posted[0],
            limit=ctx.settings.max_messages_per_case,
            now=now,
        )

    return change(
        ctx,
        case_id,
        decide,
        actor=actor,
        action="post_message",
        expected_version=expected_version,
        read=read,
        attempts=ATTEMPTS,
    )


def list_messages(ctx: Context, actor: Actor, case_id: str, limit: int, cursor: str | None) -> MessagePage:
    """Oldest first, only what the caller may read (a page may come back short: follow the cursor)."""
    case = load_visible(ctx, actor, case_id, "view_messages")
    items, next_cursor = ctx.messages.page(case_id, domain.visibility(actor, case), limit, cursor)
    return MessagePage(items=items, cursor=next_cursor)


def new_message_id() -> str:
    return f"msg_{uuid.uuid4().hex}"
