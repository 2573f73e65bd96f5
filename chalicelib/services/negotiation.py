"""Use cases the parties settle themselves: concede, offers, withdraw."""

from __future__ import annotations

import uuid

from chalicelib.domain import negotiation
from chalicelib.domain.models import Actor, Dispute
from chalicelib.services.cases import change
from chalicelib.services.context import Context


def concede(ctx: Context, actor: Actor, case_id: str, expected_version: int | None = None) -> Dispute:
    return change(
        ctx,
        case_id,
        lambda case, now: negotiation.concede(case, actor, now),
        actor=actor,
        action="concede",
        expected_version=expected_version,
    ).case


def make_offer(
    ctx: Context, actor: Actor, case_id: str, amount: int, note: str | None, expected_version: int | None = None
) -> Dispute:
    offer_id = f"off_{uuid.uuid4().hex[:16]}"
    return change(
        ctx,
        case_id,
        lambda case, now: negotiation.make_offer(
            case, actor, offer_id, amount, note, now, max_offers=ctx.policy(case.storefront_id).limits.max_offers
        ),
        actor=actor,
        action="make_offer",
        expected_version=expected_version,
    ).case


def answer_offer(
    ctx: Context, actor: Actor, case_id: str, offer_id: str, accept: bool, expected_version: int | None = None
) -> Dispute:
    answer = negotiation.accept_offer if accept else negotiation.reject_offer
    return change(
        ctx,
        case_id,
        lambda case, now: answer(case, actor, offer_id, now),
        actor=actor,
        action="answer_offer",
        expected_version=expected_version,
    ).case


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
