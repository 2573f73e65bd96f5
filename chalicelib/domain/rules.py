"""The rules engine: pure, deterministic, explainable.

It reads the case and returns a Recommendation: `auto` when a rule settles the
case outright, `review` otherwise, always with the rules that fired and why.
"""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain.models import (
    CompensationKind,
    CompensationLine,
    Dispute,
    Liability,
    Outcome,
    Payee,
    Recommendation,
    RequestType,
    RuleHit,
    Ruling,
)
from chalicelib.domain.policy import Policy

RULES_ACTOR = "rules"

REQUESTED_OUTCOME = {
    RequestType.REFUND_ONLY: Outcome.REFUND_FULL,
    RequestType.RETURN_AND_REFUND: Outcome.RETURN_AND_REFUND,
    RequestType.EXCHANGE: Outcome.EXCHANGE,
    RequestType.REPAIR: Outcome.REPAIR,
}


def evaluate(case: Dispute, policy: Policy, now: datetime) -> Recommendation:
    if any(missed.startswith("seller_response:") for missed in case.missed_deadlines):
        hit = RuleHit(rule="seller_default", reason="the seller missed the evidence deadline: not contesting")
        return Recommendation(
            decision="auto",
            ruling=_for_buyer_as_requested(case, (hit,), now),
            rules_fired=(hit,),
            policy_version=policy.version,
        )
    hit = RuleHit(rule="needs_review", reason="no rule settles this case; a reviewer decides")
    return Recommendation(
        decision="review",
        ruling=_for_buyer_as_requested(case, (hit,), now),
        rules_fired=(hit,),
        policy_version=policy.version,
    )


def _for_buyer_as_requested(case: Dispute, hits: tuple[RuleHit, ...], now: datetime) -> Ruling:
    outcome = REQUESTED_OUTCOME[case.type]
    if outcome == Outcome.REFUND_FULL and case.amount_requested < case.amount_paid:
        outcome = Outcome.REFUND_PARTIAL
    refund = CompensationLine(
        payer=Payee.SELLER,
        payee=Payee.BUYER,
        kind=CompensationKind.REFUND,
        amount=case.amount_requested,
        currency=case.currency,
    )
    needs_money = outcome in (
        Outcome.REFUND_FULL,
        Outcome.REFUND_PARTIAL,
        Outcome.RETURN_AND_REFUND,
    )
    return Ruling(
        outcome=outcome,
        liability=Liability.SELLER,
        compensation=(refund,) if needs_money else (),
        rationale=hits,
        decided_by=RULES_ACTOR,
        decided_at=now,
    )
