"""The rules engine: pure, deterministic, explainable.

`evaluate(facts)` runs the decisive rules in order; the first that applies
gives the recommended ruling and whether it is clear enough to decide alone
(`auto`). Then the guards run: any that fires sends the case to a human
(`review`), the recommendation still shown. Every rule that fired is listed
with its reason. docs/RULES.md describes each rule and its policy keys.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.domain.evidence_models import Evidence, EvidenceKind, TrackingStatus
from chalicelib.domain.models import (
    ClaimReason,
    CompensationKind,
    CompensationLine,
    Dispute,
    Liability,
    Outcome,
    Party,
    Payee,
    Penalty,
    PenaltyKind,
    Recommendation,
    RuleHit,
    Ruling,
)
from chalicelib.domain.policy import Policy
from chalicelib.domain.rulings import ruling_as_requested

RULES_ACTOR = "rules"
PICTURES = frozenset({EvidenceKind.PHOTO, EvidenceKind.VIDEO})
REBUTTALS = frozenset(
    {
        EvidenceKind.PHOTO,
        EvidenceKind.VIDEO,
        EvidenceKind.DOCUMENT,
        EvidenceKind.INVOICE,
        EvidenceKind.THIRD_PARTY_CERTIFICATE,
        EvidenceKind.TRACKING,
    }
)
NOT_DELIVERED = frozenset({TrackingStatus.LOST, TrackingStatus.RETURNED, TrackingStatus.IN_TRANSIT})


@dataclass(frozen=True)
class Facts:
    """Everything the rules may read: the case, its verified evidence, and the parties' records."""

    case: Dispute
    evidence: tuple[Evidence, ...]
    policy: Policy
    now: datetime
    seller_points: int = 0
    buyer_disputes: int = 0
    buyer_lost: int = 0

    def has(self, party: Party, kinds: frozenset[EvidenceKind]) -> bool:
        return any(e.party == party and e.kind in kinds for e in self.evidence)

    def tracking(self) -> list[TrackingStatus]:
        return [e.tracking.status for e in self.evidence if e.tracking is not None]


@dataclass(frozen=True)
class Finding:
    """A decisive rule's answer: the ruling it recommends, and whether that settles the case."""

    hit: RuleHit
    ruling: Ruling
    auto: bool


Rule = Callable[[Facts], Finding | None]
Guard = Callable[[Facts], RuleHit | None]


def evaluate(facts: Facts) -> Recommendation:
    finding = next((found for rule in DECISIVE_RULES if (found := rule(facts)) is not None), None)
    if finding is None:
        hit = RuleHit(rule="needs_review", reason="no rule settles this case; a reviewer decides")
        finding = Finding(hit, _ruling(facts, Outcome.CLAIM_DENIED, Liability.BUYER, (hit,)), auto=False)
    guards = tuple(guarded for guard in GUARDS if (guarded := guard(facts)) is not None)
    fired = (finding.hit, *guards)
    return Recommendation(
        decision="auto" if finding.auto and not guards else "review",
        ruling=finding.ruling.model_copy(update={"rationale": fired}),
        rules_fired=fired,
        policy_version=facts.policy.version,
    )


# -- decisive rules, in order ---------------------------------------------------------------------


def outside_escalation_window(facts: Facts) -> Finding | None:
    """Policy key: deadlines.escalation_window. The API already refuses these; this holds if one slips in."""
    case = facts.case
    if case.created_at - case.seller_decided_at <= facts.policy.deadlines.escalation_window:
        return None
    hit = RuleHit(rule="outside_escalation_window", reason="escalated after the escalation window closed")
    return Finding(hit, _ruling(facts, Outcome.CLAIM_DENIED, Liability.BUYER, (hit,)), auto=True)


def seller_default(facts: Facts) -> Finding | None:
    """Policy key: rules.penalty_points.seller_default. Silence is not contesting."""
    if "seller_response:seller" not in facts.case.missed_deadlines:
        return None
    hit = RuleHit(rule="seller_default", reason="the seller missed the evidence deadline: treated as not contesting")
    ruling = ruling_as_requested(facts.case, (hit,), RULES_ACTOR, facts.now)
    return Finding(hit, _with_points(facts, ruling, "seller_default"), auto=True)


def no_reason_return(facts: Facts) -> Finding | None:
    """Policy key: rules.no_reason_return_days. Buyer remorse: return and refund, the buyer pays return shipping."""
    case = facts.case
    if case.reason != ClaimReason.NO_REASON_RETURN:
        return None
    days = facts.policy.rules.no_reason_return_days
    asked_at = case.requested_at or case.created_at
    in_time = case.delivered_at is not None and asked_at - case.delivered_at <= timedelta(days=days)
    if not case.no_reason_return_eligible or not in_time:
        why = "the item's category is excluded" if not case.no_reason_return_eligible else f"asked after {days} days"
        hit = RuleHit(rule="no_reason_return_refused", reason=f"no-reason return not available: {why}")
        return Finding(hit, _ruling(facts, Outcome.CLAIM_DENIED, Liability.BUYER, (hit,)), auto=True)
    if facts.has(Party.SELLER, PICTURES):
        hit = RuleHit(rule="no_reason_return_contested", reason="the seller shows the item used or incomplete")
        return Finding(hit, _return_and_refund(facts, Liability.BUYER, (hit,)), auto=False)
    hit = RuleHit(rule="no_reason_return", reason=f"returned within {days} days of delivery, unused and complete")
    return Finding(hit, _return_and_refund(facts, Liability.BUYER, (hit,)), auto=True)


def quality_claim(facts: Facts) -> Finding | None:
    """Policy key: rules.penalty_points.<reason>. Buyer pictures and no seller rebuttal: the seller pays both ways."""
    reason = facts.case.reason
    if reason not in (ClaimReason.QUALITY_DEFECT, ClaimReason.NOT_AS_DESCRIBED):
        return None
    if not facts.has(Party.BUYER, PICTURES):
        hit = RuleHit(rule="quality_claim_unproven", reason="no verified photo or video from the buyer")
        return Finding(hit, _ruling(facts, Outcome.CLAIM_DENIED, Liability.BUYER, (hit,)), auto=False)
    hit = RuleHit(rule="quality_claim_proven", reason="buyer photo/video evidence and no rebutting seller evidence")
    ruling = _with_points(facts, _return_and_refund(facts, Liability.SELLER, (hit,)), reason.value)
    if facts.has(Party.SELLER, REBUTTALS):
        contested = RuleHit(rule="quality_claim_contested", reason="the seller submitted rebutting evidence")
        return Finding(contested, ruling, auto=False)
    return Finding(hit, ruling, auto=True)


def not_received(facts: Facts) -> Finding | None:
    """Carrier tracking showing no delivery: full refund, the carrier liable."""
    if facts.case.reason != ClaimReason.NOT_RECEIVED:
        return None
    statuses = facts.tracking()
    if statuses and all(status in NOT_DELIVERED for status in statuses):
        hit = RuleHit(rule="not_received_tracking", reason="carrier tracking shows no delivery")
        refund = _line(Payee.CARRIER, CompensationKind.REFUND, facts.case.amount_requested, facts)
        return Finding(hit, _ruling(facts, Outcome.REFUND_FULL, Liability.CARRIER, (hit,), (refund,)), auto=True)
    why = "tracking shows the parcel delivered" if statuses else "no carrier tracking evidence"
    hit = RuleHit(rule="not_received_unproven", reason=why)
    return Finding(hit, _ruling(facts, Outcome.CLAIM_DENIED, Liability.BUYER, (hit,)), auto=False)


def missing_items(facts: Facts) -> Finding | None:
    """Missing items need a carrier's or notary's statement; without one the claim is denied."""
    if facts.case.reason != ClaimReason.MISSING_ITEMS:
        return None
    if facts.has(Party.BUYER, frozenset({EvidenceKind.THIRD_PARTY_CERTIFICATE})):
        hit = RuleHit(rule="missing_items_certified", reason="a third-party statement confirms the missing items")
        return Finding(hit, ruling_as_requested(facts.case, (hit,), RULES_ACTOR, facts.now), auto=True)
    hit = RuleHit(rule="missing_items_unproven", reason="no third-party (carrier or notary) statement")
    return Finding(hit, _ruling(facts, Outcome.CLAIM_DENIED, Liability.BUYER, (hit,)), auto=True)


def damaged_in_transit(facts: Facts) -> Finding | None:
    """Damage in transit is the carrier's; a reviewer confirms from the pictures."""
    if facts.case.reason != ClaimReason.DAMAGED_IN_TRANSIT or not facts.has(Party.BUYER, PICTURES):
        return None
    hit = RuleHit(rule="damaged_in_transit", reason="buyer pictures of transit damage: the carrier is liable")
    refund = _line(Payee.CARRIER, CompensationKind.REFUND, facts.case.amount_requested, facts)
    return Finding(hit, _ruling(facts, Outcome.REFUND_FULL, Liability.CARRIER, (hit,), (refund,)), auto=False)


def counterfeit(facts: Facts) -> Finding | None:
    """Policy key: rules.penalty_points.counterfeit. Always reviewed (see the guard), heavy penalty recommended."""
    if facts.case.reason != ClaimReason.COUNTERFEIT:
        return None
    hit = RuleHit(rule="counterfeit_claim", reason="counterfeit claim: full refund and a heavy penalty if confirmed")
    ruling = _with_points(facts, ruling_as_requested(facts.case, (hit,), RULES_ACTOR, facts.now), "counterfeit")
    return Finding(hit, ruling, auto=False)


DECISIVE_RULES: tuple[Rule, ...] = (
    outside_escalation_window,
    seller_default,
    counterfeit,
    no_reason_return,
    quality_claim,
    not_received,
    missing_items,
    damaged_in_transit,
)


# -- guards: a human decides, whatever the rules found --------------------------------------------


def counterfeit_guard(facts: Facts) -> RuleHit | None:
    if facts.case.reason != ClaimReason.COUNTERFEIT:
        return None
    return RuleHit(rule="counterfeit_needs_review", reason="counterfeit claims are always decided by a person")


def high_amount(facts: Facts) -> RuleHit | None:
    """Policy key: rules.high_amount.<currency>."""
    threshold = facts.policy.rules.high_amount_for(facts.case.currency)
    if facts.case.amount_requested < threshold:
        return None
    return RuleHit(rule="high_amount", reason=f"amount requested is at least {threshold} {facts.case.currency}")


def repeat_offender(facts: Facts) -> RuleHit | None:
    """Policy keys: rules.repeat_offender_points, rules.penalty_points_expire_after."""
    limit = facts.policy.rules.repeat_offender_points
    if facts.seller_points < limit:
        return None
    return RuleHit(rule="repeat_offender", reason=f"the seller holds {facts.seller_points} live penalty points")


def abusive_buyer(facts: Facts) -> RuleHit | None:
    """Policy keys: rules.abusive_buyer_min_disputes, rules.abusive_buyer_loss_rate."""
    rules = facts.policy.rules
    if facts.buyer_disputes < rules.abusive_buyer_min_disputes:
        return None
    rate = facts.buyer_lost / facts.buyer_disputes
    if rate < rules.abusive_buyer_loss_rate:
        return None
    return RuleHit(rule="abusive_buyer", reason=f"the buyer lost {facts.buyer_lost} of {facts.buyer_disputes} disputes")


GUARDS: tuple[Guard, ...] = (counterfeit_guard, high_amount, repeat_offender, abusive_buyer)


# -- ruling builders -----------------------------------------------------------------------------


def _line(payer: Payee, kind: CompensationKind, amount: int, facts: Facts) -> CompensationLine:
    return CompensationLine(payer=payer, payee=Payee.BUYER, kind=kind, amount=amount, currency=facts.case.currency)


def _ruling(
    facts: Facts,
    outcome: Outcome,
    liability: Liability,
    hits: tuple[RuleHit, ...],
    compensation: tuple[CompensationLine, ...] = (),
) -> Ruling:
    return Ruling(
        outcome=outcome,
        liability=liability,
        compensation=compensation,
        rationale=hits,
        decided_by=RULES_ACTOR,
        decided_at=facts.now,
    )


def _return_and_refund(facts: Facts, liability: Liability, hits: tuple[RuleHit, ...]) -> Ruling:
    """The item goes back and the money too. Who pays shipping follows liability: a seller at fault
    refunds the shipping both ways (capped at what the buyer paid); buyer remorse pays both legs itself."""
    case = facts.case
    if liability != Liability.SELLER:  # buyer remorse: the item's price back, shipping both ways is the buyer's
        return _ruling(
            facts,
            Outcome.RETURN_AND_REFUND,
            liability,
            hits,
            (_line(Payee.SELLER, CompensationKind.REFUND, min(case.amount_requested, case.amount_paid), facts),),
        )
    lines = [_line(Payee.SELLER, CompensationKind.REFUND, case.amount_requested, facts)]
    shipping = min(case.shipping_paid, case.order_total - case.amount_requested)
    if shipping > 0:
        lines.append(_line(Payee.SELLER, CompensationKind.RETURN_SHIPPING, shipping, facts))
    return _ruling(facts, Outcome.RETURN_AND_REFUND, liability, hits, tuple(lines))


def _with_points(facts: Facts, ruling: Ruling, finding: str) -> Ruling:
    points = facts.policy.rules.points_for(finding)
    if points <= 0 or ruling.liability != Liability.SELLER:
        return ruling
    penalty = Penalty(party=Party.SELLER, kind=PenaltyKind.POINTS, value=points)
    return ruling.model_copy(update={"penalties": (*ruling.penalties, penalty)})
