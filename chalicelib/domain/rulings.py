"""Rulings: what a reviewer (or the rules) decides, checked against the order it is about."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from chalicelib.domain.errors import InvalidState, InvalidValue
from chalicelib.domain.fulfilment import finalize
from chalicelib.domain.lifecycle import advance, ensure_status, event, open_review, open_window
from chalicelib.domain.models import (
    Actor,
    CompensationKind,
    CompensationLine,
    Dispute,
    Liability,
    Outcome,
    Party,
    Payee,
    Penalty,
    Recommendation,
    RequestType,
    Resolution,
    ReviewerDecision,
    RuleHit,
    Ruling,
    RulingDecision,
    Status,
    Transition,
    WindowKind,
)
from chalicelib.domain.policy import Deadlines, FulfilmentPolicy
from chalicelib.domain.review import require_may_decide, require_review_window

PARTY_LIABILITY = {Party.SELLER: Liability.SELLER, Party.BUYER: Liability.BUYER}
REQUESTED_OUTCOME = {
    RequestType.REFUND_ONLY: Outcome.REFUND_FULL,
    RequestType.RETURN_AND_REFUND: Outcome.RETURN_AND_REFUND,
    RequestType.EXCHANGE: Outcome.EXCHANGE,
    RequestType.REPAIR: Outcome.REPAIR,
}
MONEY_OUTCOMES = frozenset({Outcome.REFUND_FULL, Outcome.REFUND_PARTIAL, Outcome.RETURN_AND_REFUND})


def ruling_as_requested(case: Dispute, hits: tuple[RuleHit, ...], decided_by: str, now: datetime) -> Ruling:
    """The buyer gets what the after-sales request asked for, the seller liable."""
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
    return Ruling(
        outcome=outcome,
        liability=Liability.SELLER,
        compensation=(refund,) if outcome in MONEY_OUTCOMES else (),
        rationale=hits,
        decided_by=decided_by,
        decided_at=now,
    )


def validate_ruling(case: Dispute, ruling: Ruling) -> None:
    """A remedy never exceeds what the buyer paid, in the order's currency, on the liable party."""
    problems: list[dict[str, str]] = []
    for index, line in enumerate(ruling.compensation):
        if line.currency != case.currency:
            problems.append({"field": f"compensation[{index}].currency", "message": f"must be {case.currency}"})
        if line.payer == line.payee:
            problems.append({"field": f"compensation[{index}].payee", "message": "payer and payee must differ"})
    to_buyer = compensation_total(ruling.compensation, Payee.BUYER)
    if to_buyer > case.order_total:
        problems.append(
            {
                "field": "compensation",
                "message": f"compensation to the buyer ({to_buyer}) exceeds the order total ({case.order_total})",
            }
        )
    problems.extend(_penalty_problems(ruling.penalties, ruling.liability))
    if problems:
        raise InvalidValue("the ruling is not valid for this case", problems)


def _penalty_problems(penalties: tuple[Penalty, ...], liability: Liability) -> list[dict[str, str]]:
    return [
        {
            "field": f"penalties[{index}].party",
            "message": f"the {penalty.party.value} was not found liable",
        }
        for index, penalty in enumerate(penalties)
        if liability not in (PARTY_LIABILITY[penalty.party], Liability.SHARED)
    ]


def issue_ruling(
    case: Dispute,
    actor: Actor,
    decision: ReviewerDecision,
    deadlines: Deadlines,
    now: datetime,
    *,
    policy: FulfilmentPolicy | None = None,
) -> Transition:
    """A reviewer decides; an appeal's ruling is final and goes on to be carried out (or closes the case).

    Departing from the rules' recommendation needs a written reason. The rationale shown
    to both parties carries the rules that fired, the override and the reviewer's notes.
    """
    require_review_window(case)
    require_may_decide(case, actor)
    if case.fulfilment is not None:
        raise InvalidState(
            "the ruling is final and being carried out; decide the disputed receipt instead",
            [{"status": case.status.value, "route": "receipt-decision"}],
        )
    chosen = _chosen(case, decision)
    rationale = case.recommendation.rules_fired if case.recommendation else ()
    if case.recommendation and _differs(chosen, case.recommendation.ruling):
        if not decision.override_reason:
            raise InvalidValue(
                "this ruling departs from the recommendation: say why in override_reason",
                [{"field": "override_reason", "recommended": case.recommendation.ruling.outcome.value}],
            )
        rationale = (*rationale, RuleHit(rule="reviewer_override", reason=decision.override_reason))
    ruling = Ruling(
        **chosen.model_dump(),
        override_reason=decision.override_reason,
        rationale=rationale,
        decided_by=actor.sub,
        decided_at=now,
        final=case.status == Status.APPEALED,
    )
    validate_ruling(case, ruling)
    return record_ruling(case, ruling, deadlines, now, actor=actor, policy=policy)


def _chosen(case: Dispute, decision: ReviewerDecision) -> RulingDecision:
    """The terms a reviewer rules on: the recommendation's when accepting it, their own otherwise."""
    if decision.accept_recommendation and case.recommendation is None:
        raise InvalidState("there is no recommendation to accept")
    terms: RulingDecision | ReviewerDecision = (
        case.recommendation.ruling if decision.accept_recommendation and case.recommendation else decision
    )
    assert terms.outcome is not None and terms.liability is not None  # ReviewerDecision guarantees both
    return RulingDecision(
        outcome=terms.outcome,
        liability=terms.liability,
        compensation=terms.compensation,
        penalties=terms.penalties,
        notes=decision.notes,
    )


def _differs(chosen: RulingDecision, recommended: RulingDecision) -> bool:
    """Same outcome, liability, money and penalties (in any order) is accepting; anything else overrides."""

    def terms(ruling: RulingDecision) -> tuple[object, ...]:
        return ruling.outcome, ruling.liability, Counter(ruling.compensation), Counter(ruling.penalties)

    return terms(chosen) != terms(recommended)


def record_ruling(
    case: Dispute,
    ruling: Ruling,
    deadlines: Deadlines,
    now: datetime,
    *,
    actor: Actor | None = None,
    policy: FulfilmentPolicy | None = None,
) -> Transition:
    ruled = event(
        case,
        now,
        "ruled",
        actor=actor,
        to_status=Status.RULED,
        reason=f"{ruling.outcome.value}, {ruling.liability.value} liable",
        outcome=ruling.outcome.value,
        decided_by=ruling.decided_by,
        final=ruling.final,
    )
    decided = advance(
        case,
        now,
        status=Status.RULED,
        ruling=ruling,
        window=None,
        claimed_by=None,
        superseded_ruling=case.ruling if ruling.final else None,
    )
    if ruling.final:
        final = finalize(
            decided,
            Resolution.RULED,
            now,
            reason="appeal decided; the ruling is final",
            actor=actor,
            policy=policy or FulfilmentPolicy(),
            deadlines=deadlines,
        )
        return final.preceded_by(ruled)
    appeal = open_window(decided, WindowKind.APPEAL, (Party.BUYER, Party.SELLER), deadlines, now)
    return appeal.preceded_by(ruled)


def apply_recommendation(
    case: Dispute, recommendation: Recommendation, deadlines: Deadlines, now: datetime
) -> Transition:
    """The rules have spoken: decide clear cases now, queue the rest for a reviewer."""
    ensure_status(case, Status.UNDER_REVIEW)
    if case.window is not None:
        raise InvalidState("rules already applied", [{"status": case.status.value}])
    recommended = advance(case, now, recommendation=recommendation, policy_version=recommendation.policy_version)
    fired = event(
        case,
        now,
        "rules_applied",
        reason=recommendation.decision,
        rules=[hit.rule for hit in recommendation.rules_fired],
        policy_version=recommendation.policy_version,
    )
    if recommendation.decision == "auto":
        after = record_ruling(recommended, recommendation.ruling, deadlines, now)
    else:
        after = open_review(recommended, deadlines, now, action="under_review", reason="queued for a reviewer")
    return after.preceded_by(fired)


def compensation_total(lines: tuple[CompensationLine, ...], payee: Payee) -> int:
    return sum(line.amount for line in lines if line.payee == payee)
