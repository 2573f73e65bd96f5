"""Rulings: what a reviewer (or the rules) decides, checked against the order it is about."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from chalicelib.domain.errors import InvalidState, InvalidValue
from chalicelib.domain.fulfilment import finalize
from chalicelib.domain.lifecycle import advance, ensure_status, event, lapse_open_offer, open_review, open_window
from chalicelib.domain.models import (
    RETURN_OUTCOMES,
    Actor,
    ClaimReason,
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
from chalicelib.domain.policy import Deadlines, FulfilmentPolicy, RuleThresholds
from chalicelib.domain.review import require_may_decide, require_review_window

PARTY_LIABILITY = {Party.SELLER: Liability.SELLER, Party.BUYER: Liability.BUYER}
REQUESTED_OUTCOME = {
    RequestType.REFUND_ONLY: Outcome.REFUND_FULL,
    RequestType.RETURN_AND_REFUND: Outcome.RETURN_AND_REFUND,
    RequestType.EXCHANGE: Outcome.EXCHANGE,
    RequestType.REPAIR: Outcome.REPAIR,
}
MONEY_OUTCOMES = frozenset({Outcome.REFUND_FULL, Outcome.REFUND_PARTIAL, Outcome.RETURN_AND_REFUND})
QUALITY_REASONS = frozenset({ClaimReason.QUALITY_DEFECT, ClaimReason.NOT_AS_DESCRIBED})
# Buyer's remorse sends the item back for its money or for another one (seed 003: 收到貨7天內對貨物不滿意或不喜歡的
# ... 可以要求退換貨); a remorse "refund" is a return, and there is nothing to repair.
REMORSE_REMEDIES = {
    Outcome.REFUND_FULL: Outcome.RETURN_AND_REFUND,
    Outcome.REFUND_PARTIAL: Outcome.RETURN_AND_REFUND,
    Outcome.RETURN_AND_REFUND: Outcome.RETURN_AND_REFUND,
    Outcome.EXCHANGE: Outcome.EXCHANGE,
    Outcome.REPAIR: Outcome.RETURN_AND_REFUND,
}
LIABLE_PAYS_POSTAGE = {
    Liability.SELLER: Payee.SELLER,
    Liability.BUYER: Payee.BUYER,
    Liability.CARRIER: Payee.CARRIER,
    Liability.PLATFORM: Payee.PLATFORM,
    Liability.SHARED: Payee.SELLER,
}


def remedy_asked(case: Dispute) -> Outcome:
    """What the after-sales request asked for, as an outcome (a refund of less than the price is partial)."""
    outcome = REQUESTED_OUTCOME[case.type]
    if outcome == Outcome.REFUND_FULL and case.amount_requested < case.amount_paid:
        return Outcome.REFUND_PARTIAL
    return outcome


def remedy_allowed(case: Dispute) -> Outcome:
    """The remedy asked for, as far as the reason allows it: remorse returns or exchanges, anything else as asked
    (a quality problem allows a return, an exchange, a repair or a refund)."""
    asked = remedy_asked(case)
    return REMORSE_REMEDIES[asked] if case.reason == ClaimReason.NO_REASON_RETURN else asked


def return_shipping_payer(case: Dispute, outcome: Outcome, liability: Liability) -> Payee | None:
    """Who pays the postage of a return: the buyer for remorse (seed 003: 無質量問題退換貨的,由顧客承擔來回運費),
    otherwise the party found liable (質量問題退貨的,由我公司承擔訂購及退回運費); None when nothing goes back."""
    if outcome not in RETURN_OUTCOMES:
        return None
    return Payee.BUYER if case.reason == ClaimReason.NO_REASON_RETURN else LIABLE_PAYS_POSTAGE[liability]


def granted(
    case: Dispute,
    liability: Liability,
    hits: tuple[RuleHit, ...],
    decided_by: str,
    now: datetime,
    *,
    outcome: Outcome | None = None,
) -> Ruling:
    """The buyer gets `outcome` (by default the remedy asked for, as the reason allows), with the money and the
    postage that go with it.

    A refund pays back what was asked; remorse pays back the price only, the buyer bearing the postage both
    ways. A return the seller is liable for also refunds the postage the buyer paid (a `return_shipping` line,
    within the order total) and the seller pays the return leg. An exchange or a repair moves goods, not money.
    """
    remedy = outcome or remedy_allowed(case)
    payer = return_shipping_payer(case, remedy, liability)
    lines: list[CompensationLine] = []
    if remedy in MONEY_OUTCOMES:
        remorse = case.reason == ClaimReason.NO_REASON_RETURN
        refund = min(case.amount_requested, case.amount_paid) if remorse else case.amount_requested
        lines.append(_to_buyer(case, CompensationKind.REFUND, refund))
        shipping = min(case.shipping_paid, case.order_total - refund)
        if remedy == Outcome.RETURN_AND_REFUND and payer == Payee.SELLER and shipping > 0:
            lines.append(_to_buyer(case, CompensationKind.RETURN_SHIPPING, shipping))
    if outcome is None and remedy != remedy_asked(case):  # only remorse narrows the remedy asked for
        hits = (
            *hits,
            RuleHit(
                rule="remedy_not_available",
                reason=f"{case.type.value} is not a remedy for buyer's remorse, which allows a return or an"
                f" exchange: ruled {remedy.value} (seed 003: 收到貨7天內對貨物不滿意或不喜歡的…可以要求退換貨)",
            ),
        )
    return Ruling(
        outcome=remedy,
        liability=liability,
        return_shipping_payer=payer,
        compensation=tuple(lines),
        rationale=hits,
        decided_by=decided_by,
        decided_at=now,
    )


def _to_buyer(case: Dispute, kind: CompensationKind, amount: int) -> CompensationLine:
    return CompensationLine(payer=Payee.SELLER, payee=Payee.BUYER, kind=kind, amount=amount, currency=case.currency)


def ruling_as_requested(case: Dispute, hits: tuple[RuleHit, ...], decided_by: str, now: datetime) -> Ruling:
    """The buyer gets the remedy asked for (as its reason allows), the seller liable: a default or a concession."""
    return granted(case, Liability.SELLER, hits, decided_by, now)


def counterfeit_allowance(case: Dispute, thresholds: RuleThresholds | None) -> int:
    """What a ruling may owe the buyer beyond the order total: only a counterfeit, as the policy promises."""
    if thresholds is None or case.reason != ClaimReason.COUNTERFEIT:
        return 0
    return thresholds.counterfeit_extra_for(case.currency, case.amount_paid)


def validate_ruling(case: Dispute, ruling: RulingDecision, *, beyond_order_total: int = 0) -> None:
    """A remedy never exceeds what the buyer paid, in the order's currency, on the liable party; a return
    names who pays its postage.

    `beyond_order_total` is the counterfeit compensation the storefront's policy promises
    (`counterfeit_allowance`): that much more may be owed, as `goodwill`, never as a refund.
    """
    problems: list[dict[str, str]] = []
    for index, line in enumerate(ruling.compensation):
        if line.currency != case.currency:
            problems.append({"field": f"compensation[{index}].currency", "message": f"must be {case.currency}"})
        if line.payer == line.payee:
            problems.append({"field": f"compensation[{index}].payee", "message": "payer and payee must differ"})
    to_buyer = compensation_total(ruling.compensation, Payee.BUYER)
    goodwill = sum(
        line.amount
        for line in ruling.compensation
        if line.payee == Payee.BUYER and line.kind == CompensationKind.GOODWILL
    )
    cap = case.order_total + beyond_order_total
    if to_buyer > cap or to_buyer - goodwill > case.order_total:
        problems.append(
            {
                "field": "compensation",
                "message": f"compensation to the buyer ({to_buyer}) exceeds the order total ({case.order_total})"
                + (
                    f" plus the counterfeit compensation the policy allows ({beyond_order_total})"
                    if beyond_order_total
                    else ""
                ),
            }
        )
    if ruling.outcome in MONEY_OUTCOMES and not any(
        line.payee == Payee.BUYER and line.kind == CompensationKind.REFUND for line in ruling.compensation
    ):
        problems.append(
            {"field": "compensation", "message": f"{ruling.outcome.value} needs a refund line to the buyer"}
        )
    problems.extend(_payer_problems(ruling))
    problems.extend(_penalty_problems(ruling.penalties, ruling.liability))
    if problems:
        raise InvalidValue("the ruling is not valid for this case", problems)


def _payer_problems(ruling: RulingDecision) -> list[dict[str, str]]:
    if ruling.outcome in RETURN_OUTCOMES and ruling.return_shipping_payer is None:
        return [
            {
                "field": "return_shipping_payer",
                "message": f"{ruling.outcome.value} sends the item back: say who pays the postage"
                " (buyer, seller, carrier or platform)",
            }
        ]
    if ruling.outcome not in RETURN_OUTCOMES and ruling.return_shipping_payer is not None:
        return [{"field": "return_shipping_payer", "message": f"{ruling.outcome.value} sends nothing back"}]
    return []


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
    thresholds: RuleThresholds | None = None,
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
    # The pinned ruling body puts the reviewer's reasoning in `notes`: either field may say why.
    override_reason = decision.override_reason
    if case.recommendation and _differs(case, chosen, case.recommendation.ruling):
        override_reason = override_reason or decision.notes
        if not override_reason:
            raise InvalidValue(
                "this ruling departs from the recommendation: say why (override_reason, or notes)",
                [{"field": "override_reason", "recommended": case.recommendation.ruling.outcome.value}],
            )
        rationale = (*rationale, RuleHit(rule="reviewer_override", reason=override_reason))
    ruling = Ruling(
        **chosen.model_dump(),
        override_reason=override_reason,
        rationale=rationale,
        decided_by=actor.sub,
        decided_at=now,
        final=case.status == Status.APPEALED,
    )
    validate_ruling(case, ruling, beyond_order_total=counterfeit_allowance(case, thresholds))
    return record_ruling(case, ruling, deadlines, now, actor=actor, policy=policy)


def _chosen(case: Dispute, decision: ReviewerDecision) -> RulingDecision:
    """The terms a reviewer rules on: the recommendation's when accepting it, their own otherwise."""
    if decision.accept_recommendation and case.recommendation is None:
        raise InvalidState("there is no recommendation to accept")
    terms: RulingDecision | ReviewerDecision = (
        case.recommendation.ruling if decision.accept_recommendation and case.recommendation else decision
    )
    assert terms.outcome is not None and terms.liability is not None  # ReviewerDecision guarantees both
    payer = terms.return_shipping_payer
    if decision.accept_recommendation and payer is None:  # a recommendation made before rulings named a payer
        payer = return_shipping_payer(case, terms.outcome, terms.liability)
    return RulingDecision(
        outcome=terms.outcome,
        liability=terms.liability,
        return_shipping_payer=payer,
        compensation=terms.compensation,
        penalties=terms.penalties,
        notes=decision.notes,
    )


def _differs(case: Dispute, chosen: RulingDecision, recommended: RulingDecision) -> bool:
    """Same outcome, liability, postage payer, money and penalties (in any order) is accepting; anything else
    overrides. A recommendation from before rulings named a payer is read with the payer it implied."""

    def terms(ruling: RulingDecision) -> tuple[object, ...]:
        payer = ruling.return_shipping_payer or return_shipping_payer(case, ruling.outcome, ruling.liability)
        return ruling.outcome, ruling.liability, payer, Counter(ruling.compensation), Counter(ruling.penalties)

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
        lapse_open_offer(case, now),
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
