"""What the parties can settle between themselves before a ruling: concede, offers, withdraw."""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain.errors import InvalidState, InvalidValue, LimitReached, NotFound
from chalicelib.domain.fulfilment import finalize
from chalicelib.domain.lifecycle import advance, close_case, ensure_status, event, lapse_open_offer
from chalicelib.domain.models import (
    Actor,
    CompensationKind,
    CompensationLine,
    Dispute,
    Liability,
    Offer,
    OfferStatus,
    Outcome,
    Payee,
    Resolution,
    RuleHit,
    Ruling,
    Status,
    Transition,
)
from chalicelib.domain.money import in_words
from chalicelib.domain.policy import DEFAULT_LIMITS, Deadlines, FulfilmentPolicy
from chalicelib.domain.rulings import ruling_as_requested

# Before a ruling the parties may still end the case themselves.
OPEN_STATUSES = (Status.ESCALATED, Status.AWAITING_SELLER, Status.AWAITING_BUYER, Status.UNDER_REVIEW)


def _still_open(case: Dispute) -> None:
    """Before a ruling, and never once a decision is final (a disputed receipt is back in review, not open)."""
    ensure_status(case, *OPEN_STATUSES)
    if case.fulfilment is not None:
        raise InvalidState("the decision is final and being carried out", [{"status": case.status.value}])


def concede(
    case: Dispute,
    seller: Actor,
    now: datetime,
    *,
    policy: FulfilmentPolicy | None = None,
    deadlines: Deadlines | None = None,
) -> Transition:
    """The seller gives the buyer what was asked; the decision is final at once and goes on to be carried out."""
    _still_open(case)
    hit = RuleHit(rule="seller_conceded", reason="the seller accepted the buyer's request")
    ruling = ruling_as_requested(case, (hit,), seller.sub, now).model_copy(update={"final": True})
    conceded = event(case, now, "conceded", actor=seller, reason=hit.reason)
    lapsed = lapse_open_offer(case, now)
    final = finalize(
        advance(lapsed, now, ruling=ruling),
        Resolution.CONCEDED,
        now,
        reason="seller conceded",
        actor=seller,
        policy=policy or FulfilmentPolicy(),
        deadlines=deadlines or Deadlines(),
    )
    return final.preceded_by(conceded)


def make_offer(
    case: Dispute,
    seller: Actor,
    offer_id: str,
    amount: int,
    note: str | None,
    now: datetime,
    *,
    max_offers: int = DEFAULT_LIMITS.max_offers,
) -> Transition:
    """A partial refund proposal; one open offer at a time, never more than was requested.

    At most `max_offers` per case (the storefront policy's `limits.max_offers`): every offer is
    kept on the case, so an offer/reject loop must end.
    """
    _still_open(case)
    if case.open_offer is not None:
        raise InvalidState("an offer is already open; wait for the buyer's answer", [{"offer_id": case.open_offer.id}])
    if len(case.offers) >= max_offers:
        raise LimitReached(
            f"the seller has made the {max_offers} offers this case allows; no more can be made",
            [{"limit": "limits.max_offers", "max": max_offers, "made": len(case.offers)}],
        )
    if not 0 < amount <= case.amount_requested:
        raise InvalidValue(
            "an offer must be positive and at most the amount requested",
            [{"field": "amount", "max": case.amount_requested}],
        )
    offer = Offer(id=offer_id, amount=amount, currency=case.currency, note=note, made_at=now)
    made = event(
        case,
        now,
        "offer_made",
        actor=seller,
        reason=f"offered {in_words(amount, case.currency)}",
        offer_id=offer_id,
        amount=amount,
        currency=case.currency,
    )
    return Transition(case=advance(case, now, offers=(*case.offers, offer)), events=(made,))


def _find_open_offer(case: Dispute, offer_id: str) -> Offer:
    offer = next((offer for offer in case.offers if offer.id == offer_id), None)
    if offer is None:
        raise NotFound(f"no offer {offer_id} on this dispute")
    if offer.status != OfferStatus.OPEN:
        raise InvalidState(f"the offer is already {offer.status.value}", [{"offer_id": offer_id}])
    return offer


def _with_offer(case: Dispute, offer_id: str, status: OfferStatus, now: datetime) -> Dispute:
    offers = tuple(
        offer.model_copy(update={"status": status, "decided_at": now}) if offer.id == offer_id else offer
        for offer in case.offers
    )
    return case.model_copy(update={"offers": offers})


def accept_offer(
    case: Dispute,
    buyer: Actor,
    offer_id: str,
    now: datetime,
    *,
    policy: FulfilmentPolicy | None = None,
    deadlines: Deadlines | None = None,
) -> Transition:
    """The buyer takes the offer: the case is settled, with the agreed refund as the remedy to carry out."""
    _still_open(case)
    offer = _find_open_offer(case, offer_id)
    outcome = Outcome.REFUND_FULL if offer.amount >= case.amount_paid else Outcome.REFUND_PARTIAL
    hit = RuleHit(rule="settled_by_offer", reason=f"the buyer accepted {in_words(offer.amount, offer.currency)}")
    settlement = Ruling(
        outcome=outcome,
        liability=Liability.SELLER,
        compensation=(
            CompensationLine(
                payer=Payee.SELLER,
                payee=Payee.BUYER,
                kind=CompensationKind.REFUND,
                amount=offer.amount,
                currency=offer.currency,
            ),
        ),
        rationale=(hit,),
        decided_by=buyer.sub,
        decided_at=now,
        final=True,
    )
    settled_case = advance(_with_offer(case, offer_id, OfferStatus.ACCEPTED, now), now, ruling=settlement)
    settled = event(case, now, "settled", actor=buyer, reason=hit.reason, offer_id=offer_id, amount=offer.amount)
    final = finalize(
        settled_case,
        Resolution.SETTLED,
        now,
        reason="offer accepted",
        actor=buyer,
        policy=policy or FulfilmentPolicy(),
        deadlines=deadlines or Deadlines(),
    )
    return final.preceded_by(settled)


def reject_offer(case: Dispute, buyer: Actor, offer_id: str, now: datetime) -> Transition:
    _still_open(case)
    _find_open_offer(case, offer_id)
    rejected = event(case, now, "offer_rejected", actor=buyer, reason="the buyer rejected the offer", offer_id=offer_id)
    return Transition(case=advance(_with_offer(case, offer_id, OfferStatus.REJECTED, now), now), events=(rejected,))


def withdraw(case: Dispute, buyer: Actor, reason: str | None, now: datetime) -> Transition:
    """The buyer drops the dispute; allowed at any point before a ruling."""
    _still_open(case)
    withdrawn = event(case, now, "withdrawn", actor=buyer, reason=reason or "the buyer withdrew the dispute")
    closed = close_case(lapse_open_offer(case, now), Resolution.WITHDRAWN, now, reason="withdrawn", actor=buyer)
    return closed.preceded_by(withdrawn)
