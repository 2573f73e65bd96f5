"""Use cases the parties settle themselves: concede, offers, withdraw."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain import negotiation
from chalicelib.domain.models import Actor, Dispute, Offer, Transition
from chalicelib.services.cases import change
from chalicelib.services.context import Context


def concede(ctx: Context, actor: Actor, case_id: str, expected_version: int | None = None) -> Dispute:
    return change(
        ctx,
        case_id,
        lambda case, now: negotiation.concede(
            case,
            actor,
            now,
            policy=ctx.fulfilment(case.storefront_id, case.policy_version),
            deadlines=ctx.deadlines(case.storefront_id, case.policy_version),
        ),
        actor=actor,
        action="concede",
        expected_version=expected_version,
    ).case


@dataclass(frozen=True)
class MadeOffer:
    case: Dispute  # as saved, with the offer
    offer: Offer


def make_offer(
    ctx: Context, actor: Actor, case_id: str, amount: int, note: str | None, expected_version: int | None = None
) -> MadeOffer:
    offer_id = f"off_{uuid.uuid4().hex[:16]}"
    case = change(
        ctx,
        case_id,
        lambda case, now: negotiation.make_offer(
            case,
            actor,
            offer_id,
            amount,
            note,
            now,
            max_offers=ctx.policy(case.storefront_id, case.policy_version).limits.max_offers,
        ),
        actor=actor,
        action="make_offer",
        expected_version=expected_version,
    ).case
    return MadeOffer(case=case, offer=next(offer for offer in case.offers if offer.id == offer_id))


def answer_offer(
    ctx: Context, actor: Actor, case_id: str, offer_id: str, accept: bool, expected_version: int | None = None
) -> Dispute:

    def command(case: Dispute, now: datetime) -> Transition:
        if not accept:
            return negotiation.reject_offer(case, actor, offer_id, now)
        policy, deadlines = (
            ctx.fulfilment(case.storefront_id, case.policy_version),
            ctx.deadlines(case.storefront_id, case.policy_version),
        )
        return negotiation.accept_offer(case, actor, offer_id, now, policy=policy, deadlines=deadlines)

    return change(ctx, case_id, command, actor=actor, action="answer_offer", expected_version=expected_version).case


def withdraw(
    ctx: Context, actor: Actor, case_id: str, reason: str | None, expected_version: int | None = None
) -> Dispute:
    return change(
        ctx,
        case_id,
        lambda case, now: negotiation.withdraw(case, actor, reason, now),
        actor=actor,
        action="withdraw",
        expected_version=expected_version,
    ).case
