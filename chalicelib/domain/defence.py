"""The seller's defence: the grounds on which it refuses the request, stated in its own window.

A defence is a fact the rules read (DESIGN section 4), not a window action: stating it does
not end the seller's window (`submit` does), so the seller may still add the evidence that
supports its grounds. A second defence in the same window replaces the first, as a seller
may correct its answer until it is due; the timeline keeps every one, with its grounds, so a
case takes at most MAX_DEFENCES of them (a 409 beyond: the timeline is bounded).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from chalicelib.domain.errors import InvalidValue, LimitReached, RoleNotAllowed
from chalicelib.domain.lifecycle import advance, event, require_party_window
from chalicelib.domain.models import Actor, Defence, Dispute, Party, SellerGround, Transition

MAX_DEFENCES = 5


def state_defence(
    case: Dispute, seller: Actor, party: Party, grounds: Sequence[SellerGround], statement: str, now: datetime
) -> Transition:
    """The seller's grounds and statement on the case, while a window is open for it (409 otherwise, 410 late)."""
    if party != Party.SELLER:
        raise RoleNotAllowed("only the seller of the case states a defence")
    require_party_window(case, party, now)
    if not grounds or len(set(grounds)) != len(grounds):
        raise InvalidValue("grounds must name at least one ground, each once", [{"field": "grounds"}])
    revision = case.defence.revision + 1 if case.defence is not None else 1
    if revision > MAX_DEFENCES:
        raise LimitReached(
            f"the seller has stated its defence {MAX_DEFENCES} times on this case, as many as a case takes",
            [{"limit": "max_defences", "value": MAX_DEFENCES}],
        )
    defence = Defence(
        grounds=tuple(grounds), statement=statement, submitted_by=seller.sub, submitted_at=now, revision=revision
    )
    stated = event(
        case,
        now,
        "defence_submitted",
        actor=seller,
        reason=f"the seller refuses on the grounds: {', '.join(ground.value for ground in defence.grounds)}",
        grounds=[ground.value for ground in defence.grounds],
        statement=statement,
        replaces_earlier=case.defence is not None,
    )
    return Transition(case=advance(case, now, defence=defence), events=(stated,))
