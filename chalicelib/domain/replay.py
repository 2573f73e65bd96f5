"""Replaying a recommendation: the rule inputs it was computed from, kept beside the case, and what the rules
answer from them under a policy (its own version again, or a draft: the what-if of DESIGN section 12).

The rules read a case, its verified evidence, two ledger figures, the policy and the time (`rule_facts.Facts`).
`inputs_of` keeps exactly what they read of those, without free text (statements, notes, files): small and
bounded. `facts_from` builds `Facts` back from them; `apply_rules` computes every recommendation from the
inputs it records, so a replay under the same policy gives the same recommendation by construction. Pure.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import Field

from chalicelib.domain.evidence_models import (
    MAX_FILES_PER_PARTY,
    MAX_RECORDS_PER_PARTY,
    Evidence,
    EvidenceKind,
    EvidenceStatus,
    Tracking,
    TrackingStatus,
)
from chalicelib.domain.models import (
    CaseRecord,
    ClaimReason,
    Defence,
    Dispute,
    Frozen,
    ItemFacts,
    Liability,
    Outcome,
    Party,
    Payee,
    PenaltyKind,
    Recommendation,
    RequestType,
    SellerGround,
    Status,
    UtcDateTime,
    iso,
)
from chalicelib.domain.policy import Policy
from chalicelib.domain.rule_facts import Facts
from chalicelib.domain.rules import evaluate
from chalicelib.domain.rulings import compensation_total

# Both parties' files and records at their allowance: the most verified evidence a case can hold.
MAX_EVIDENCE_FACTS = 2 * (MAX_FILES_PER_PARTY + MAX_RECORDS_PER_PARTY)
RECORDED = "recorded"  # what stands in for a field the rules never read (ids, statements) when facts are rebuilt


class EvidenceFact(Frozen):
    """One piece of verified evidence as the rules read it: whose, what kind, when, and a tracking status."""

    party: Party
    kind: EvidenceKind
    created_at: UtcDateTime
    tracking: TrackingStatus | None = None


class CaseFacts(Frozen):
    """The case as the rules read it (rule_facts.py, rules.py, guards.py, rulings.granted): no free text."""

    id: str
    storefront_id: str
    request_id: str
    buyer_id: str
    seller_id: str
    type: RequestType
    reason: ClaimReason
    amount_paid: int
    shipping_paid: int
    amount_requested: int
    currency: str
    delivered_at: UtcDateTime | None
    requested_at: UtcDateTime | None
    seller_decided_at: UtcDateTime
    no_reason_return_eligible: bool
    item: ItemFacts | None
    defence_grounds: tuple[SellerGround, ...] = Field(default=(), max_length=len(SellerGround))
    defence_at: UtcDateTime | None = None
    missed_deadlines: tuple[str, ...] = Field(default=(), max_length=32)
    created_at: UtcDateTime
    policy_version: str


class RuleInputs(Frozen):
    """Everything a recommendation was computed from, but the policy itself (named by `case.policy_version`)."""

    case: CaseFacts
    evidence: tuple[EvidenceFact, ...] = Field(default=(), max_length=MAX_EVIDENCE_FACTS)
    seller_points: int = 0
    buyer_disputes: int = 0
    buyer_lost: int = 0
    now: UtcDateTime


class RecommendationRecord(CaseRecord):
    """A recommendation and the inputs it was computed from, on an item of its own beside the case."""

    case_id: str
    storefront_id: str
    recorded_at: UtcDateTime
    inputs: RuleInputs
    recommendation: Recommendation


def inputs_of(facts: Facts) -> RuleInputs:
    case = facts.case
    return RuleInputs(
        case=CaseFacts(
            id=case.id,
            storefront_id=case.storefront_id,
            request_id=case.request_id,
            buyer_id=case.buyer_id,
            seller_id=case.seller_id,
            type=case.type,
            reason=case.reason,
            amount_paid=case.amount_paid,
            shipping_paid=case.shipping_paid,
            amount_requested=case.amount_requested,
            currency=case.currency,
            delivered_at=case.delivered_at,
            requested_at=case.requested_at,
            seller_decided_at=case.seller_decided_at,
            no_reason_return_eligible=case.no_reason_return_eligible,
            item=case.item,
            defence_grounds=case.defence.grounds if case.defence else (),
            defence_at=case.defence.submitted_at if case.defence else None,
            missed_deadlines=case.missed_deadlines,
            created_at=case.created_at,
            policy_version=case.policy_version,
        ),
        evidence=tuple(
            EvidenceFact(
                party=e.party,
                kind=e.kind,
                created_at=e.created_at,
                tracking=e.tracking.status if e.tracking else None,
            )
            for e in facts.evidence
        ),
        seller_points=facts.seller_points,
        buyer_disputes=facts.buyer_disputes,
        buyer_lost=facts.buyer_lost,
        now=facts.now,
    )


def facts_from(inputs: RuleInputs, policy: Policy) -> Facts:
    """`Facts` again from recorded inputs; what the rules never read is filled with placeholders."""
    recorded = inputs.case
    defence = None
    if recorded.defence_grounds:
        defence = Defence(
            grounds=recorded.defence_grounds,
            statement="",
            submitted_by=recorded.seller_id,
            submitted_at=recorded.defence_at or recorded.created_at,
        )
    case = Dispute(
        id=recorded.id,
        storefront_id=recorded.storefront_id,
        request_id=recorded.request_id,
        order_id=RECORDED,
        buyer_id=recorded.buyer_id,
        seller_id=recorded.seller_id,
        type=recorded.type,
        reason=recorded.reason,
        amount_paid=recorded.amount_paid,
        shipping_paid=recorded.shipping_paid,
        amount_requested=recorded.amount_requested,
        currency=recorded.currency,
        delivered_at=recorded.delivered_at,
        requested_at=recorded.requested_at,
        seller_decided_at=recorded.seller_decided_at,
        no_reason_return_eligible=recorded.no_reason_return_eligible,
        item=recorded.item,
        statement="",
        status=Status.UNDER_REVIEW,
        missed_deadlines=recorded.missed_deadlines,
        defence=defence,
        policy_version=recorded.policy_version,
        created_at=recorded.created_at,
        updated_at=inputs.now,
    )
    evidence = tuple(
        Evidence(
            id=f"{RECORDED}-{index}",
            case_id=recorded.id,
            party=fact.party,
            added_by=RECORDED,
            kind=fact.kind,
            status=EvidenceStatus.VERIFIED,
            window_id=RECORDED,
            tracking=Tracking(carrier=RECORDED, tracking_number=RECORDED, status=fact.tracking)
            if fact.tracking
            else None,
            created_at=fact.created_at,
        )
        for index, fact in enumerate(inputs.evidence)
    )
    return Facts(
        case=case,
        evidence=evidence,
        policy=policy,
        now=inputs.now,
        seller_points=inputs.seller_points,
        buyer_disputes=inputs.buyer_disputes,
        buyer_lost=inputs.buyer_lost,
    )


def recommend(inputs: RuleInputs, policy: Policy) -> Recommendation:
    """What the rules recommend from these inputs under `policy`: the live path and every replay alike."""
    return evaluate(facts_from(inputs, policy))


def record(inputs: RuleInputs, recommendation: Recommendation) -> RecommendationRecord:
    return RecommendationRecord(
        case_id=inputs.case.id,
        storefront_id=inputs.case.storefront_id,
        recorded_at=inputs.now,
        inputs=inputs,
        recommendation=recommendation,
    )


# -- comparing recommendations ----------------------------------------------------------------------


class Summary(Frozen):
    """What a simulation shows of a recommendation: its decision and terms, no case content."""

    outcome: Outcome
    decision: str
    liability: Liability
    compensation: int  # minor units of `currency` owed to the buyer
    currency: str
    penalty_points: int
    rules: tuple[str, ...]


def summary(recommendation: Recommendation, currency: str) -> Summary:
    ruling = recommendation.ruling
    return Summary(
        outcome=ruling.outcome,
        decision=recommendation.decision,
        liability=ruling.liability,
        compensation=compensation_total(ruling.compensation, Payee.BUYER),
        currency=currency,
        penalty_points=sum(p.value for p in ruling.penalties if p.kind == PenaltyKind.POINTS),
        rules=tuple(hit.rule for hit in recommendation.rules_fired),
    )


@dataclass(frozen=True)
class Change:
    dispute_id: str
    before: Summary
    after: Summary


@dataclass(frozen=True)
class Simulation:
    """Recorded recommendations replayed under a draft: what would change, and the totals before and after."""

    cases: int
    changes: tuple[Change, ...]
    auto_before: int
    auto_after: int
    compensation: dict[str, tuple[int, int]]  # currency -> (before, after), minor units
    currencies: Counter[str]  # cases per currency

    @property
    def main_currency(self) -> str | None:
        """The currency most cases were in (ties: the first by code): the one `compensation_total` shows."""
        if not self.currencies:
            return None
        return min(self.currencies, key=lambda currency: (-self.currencies[currency], currency))


def _differs(before: Summary, after: Summary) -> bool:
    """A change a platform would care about: the decision, or the terms (the reasons' wording is not one)."""
    return (before.outcome, before.decision, before.liability, before.compensation, before.penalty_points) != (
        after.outcome,
        after.decision,
        after.liability,
        after.compensation,
        after.penalty_points,
    )


def simulate(records: Sequence[RecommendationRecord], draft: Policy) -> Simulation:
    """Each record's recommendation as recorded, against the rules' answer from its inputs under `draft`."""
    changes: list[Change] = []
    auto_before = auto_after = 0
    totals: dict[str, tuple[int, int]] = {}
    currencies: Counter[str] = Counter()
    for recorded in records:
        currency = recorded.inputs.case.currency
        currencies[currency] += 1
        before = summary(recorded.recommendation, currency)
        after = summary(recommend(recorded.inputs, draft), currency)
        auto_before += before.decision == "auto"
        auto_after += after.decision == "auto"
        was, will = totals.get(currency, (0, 0))
        totals[currency] = (was + before.compensation, will + after.compensation)
        if _differs(before, after):
            changes.append(Change(recorded.case_id, before, after))
    return Simulation(len(records), tuple(changes), auto_before, auto_after, totals, currencies)


@dataclass(frozen=True)
class Replay:
    """A recorded recommendation recomputed from its inputs under the policy version it names."""

    record: RecommendationRecord
    replayed: Recommendation

    @property
    def matches(self) -> bool:
        return self.replayed == self.record.recommendation


def replay(recorded: RecommendationRecord, policy: Policy) -> Replay:
    return Replay(recorded, recommend(recorded.inputs, policy))


def simulation_scope(document: dict[str, Any], window: tuple[datetime, datetime], limit: int) -> str:
    """A digest of a whole simulation request (draft, range, page size): its cursor is valid only for the same
    request, so a cursor carried to another draft or another limit is a 400, not a page of the wrong listing."""
    since, until = window
    asked = {"document": document, "since": iso(since), "until": iso(until), "limit": limit}
    return hashlib.sha256(json.dumps(asked, sort_keys=True, separators=(",", ":")).encode()).hexdigest()[:32]
