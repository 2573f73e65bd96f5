"""Messages on a case (DESIGN section 11): who may post to whom, who may read what, and the one decision.

A message is a record of its own beside the case, never part of it: posting one never changes
the case's status or version. Its audience says who reads it:

- `everyone`: both parties, their storefront and reviewers (and a `dispute.message_posted` webhook);
- `platform`: reviewers only; a party's note to the platform, or a reviewer's internal note;
- `buyer` / `seller`: a reviewer addressing one party alone (and reviewers).

A party may post only `everyone` or `platform` (422 otherwise: the value is wrong, not the caller).
The author always reads their own message. Attachments name verified evidence of the case that the
author and every reader of the audience may already open (checked at post time; evidence once open
stays open), so a message can never show a party what it could not already open.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from chalicelib.domain import lifecycle
from chalicelib.domain.access import REVIEWERS
from chalicelib.domain.errors import CaseClosed, InvalidValue, MessageLimitReached, NotFound
from chalicelib.domain.evidence import visible_to
from chalicelib.domain.evidence_models import Evidence
from chalicelib.domain.message_models import (
    EXCERPT_CHARS,
    PARTY_AUDIENCES,
    POSTED,
    Audience,
    Message,
    MessageChange,
    Visibility,
)
from chalicelib.domain.models import Actor, AuditEvent, Dispute, Party, Role, Status, iso
from chalicelib.domain.webhook_messages import message_outbox_entry


def visibility(actor: Actor, case: Dispute) -> Visibility:
    """For a caller already allowed to see the case: reviewers read everything, the storefront what is said to
    everyone, a party what is said to everyone or to it alone, and what it wrote itself."""
    if actor.role in REVIEWERS:
        return Visibility(None)
    party = case.party_of(actor)
    if party is None:  # the case's storefront
        return Visibility(frozenset({Audience.EVERYONE}))
    return Visibility(frozenset({Audience.EVERYONE, Audience(party.value)}), (actor.sub, actor.role))


def on_timeline(shown: Visibility, event: AuditEvent) -> bool:
    """A timeline line is shown unless it is a message the caller may not read."""
    if event.action != POSTED:
        return True
    return shown.shows(Audience(event.data["audience"]), event.actor, event.actor_role)


def post(
    case: Dispute,
    actor: Actor,
    text: str,
    audience: Audience,
    evidence_ids: Sequence[str],
    evidence: Sequence[Evidence],
    *,
    message_id: str,
    posted: int,
    limit: int,
    now: datetime,
) -> MessageChange:
    """A message as `actor` posts it on `case`, which holds `posted` messages; `evidence` is the case's verified
    evidence. 409 once closed or at the limit, 422 for an audience the author may not address or an attachment a
    reader of the audience may not open yet, 404 for an attachment the author may not see."""
    if case.status == Status.CLOSED:
        raise CaseClosed("the case is closed: it takes no more messages")
    if actor.role not in REVIEWERS and audience not in PARTY_AUDIENCES:
        raise InvalidValue(
            f"a {actor.role.value} may address everyone or the platform, not the {audience.value} alone",
            [{"field": "audience", "allowed": [a.value for a in PARTY_AUDIENCES]}],
        )
    if not text.strip():
        raise InvalidValue("a message needs some text", [{"field": "text"}])
    if posted >= limit:
        raise limit_reached(limit, posted)
    _check_attachments(case, actor, audience, evidence_ids, evidence)
    message = Message(
        id=message_id,
        case_id=case.id,
        author=actor.sub,
        role=actor.role,
        audience=audience,
        text=text,
        evidence_ids=tuple(evidence_ids),
        created_at=now,
    )
    event = lifecycle.event(case, now, POSTED, actor=actor, reason=f"message to {audience.value}", **line(message))
    outbox = None
    if audience == Audience.EVERYONE:  # the webhook carries the whole message: it goes to one storefront
        outbox = message_outbox_entry(case, event.model_copy(update={"data": webhook_line(message)}), posted)
    return MessageChange(case=case, message=message, event=event, limit=limit, outbox=outbox)


# The parties among a message's readers: reviewers and the storefront see every verified piece of evidence.
PARTY_READERS = {
    Audience.EVERYONE: (Party.BUYER, Party.SELLER),
    Audience.PLATFORM: (),
    Audience.BUYER: (Party.BUYER,),
    Audience.SELLER: (Party.SELLER,),
}


def _check_attachments(
    case: Dispute, author: Actor, audience: Audience, evidence_ids: Sequence[str], evidence: Sequence[Evidence]
) -> None:
    """Every attachment is verified evidence of the case the author may see (404 otherwise, as if absent) and that
    every reader of the audience may already open (422 naming it and who may not), checked when it is posted:
    evidence once open to a party stays open, so a message never shows a reader an id it could not open."""
    by_id = {item.id: item for item in evidence}
    hidden = []
    for evidence_id in evidence_ids:
        item = by_id.get(evidence_id)
        if item is None or not visible_to(author, case, item):
            raise NotFound(f"no evidence {evidence_id} you may see on dispute {case.id}")
        parties = [p.value for p in PARTY_READERS[audience] if not visible_to(party_reader(case, p), case, item)]
        if parties:
            hidden.append({"field": "evidence_ids", "evidence_id": evidence_id, "hidden_from": parties})
    if hidden:
        raise InvalidValue(
            f"{len(hidden)} attachment(s) are not yet open to every reader of a message to {audience.value}",
            hidden,
        )


def party_reader(case: Dispute, party: Party) -> Actor:
    """The party of the case as a reader, for asking what it may open."""
    sub = case.buyer_id if party == Party.BUYER else case.seller_id
    return Actor(sub=sub, role=Role(party.value), storefront_id=case.storefront_id)


def limit_reached(limit: int, posted: int) -> MessageLimitReached:
    return MessageLimitReached(
        f"the case holds {posted} messages, the most it may",
        [{"limit": "messages_per_case", "max": limit, "posted": posted}],
    )


def view(message: Message) -> dict[str, Any]:
    """DESIGN section 11's shape, as the API answers it (and the webhook carries it)."""
    return {
        "id": message.id,
        "author": message.author,
        "role": message.role.value,
        "audience": message.audience.value,
        "text": message.text,
        "evidence_ids": list(message.evidence_ids),
        "created_at": iso(message.created_at),
    }


def line(message: Message) -> dict[str, Any]:
    """The timeline line's data: a reference and a short excerpt, never the whole text, so 500 messages of 2,000
    characters cannot swell the timeline past what one response may carry (the text is read through GET
    .../messages)."""
    return {
        "message_id": message.id,
        "audience": message.audience.value,
        "role": message.role.value,
        "excerpt": message.text[:EXCERPT_CHARS],
        "truncated": len(message.text) > EXCERPT_CHARS,
        "attachments": len(message.evidence_ids),
    }


def webhook_line(message: Message) -> dict[str, Any]:
    """The line as `dispute.message_posted` sends it: the reference, and the whole message under `message`."""
    return {**line(message), "message": view(message)}
