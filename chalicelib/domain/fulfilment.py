"""Carrying out a final decision: the steps each remedy takes, who acts in each, and what the platform
does when a step's window passes (DESIGN section 10).

A final decision (appeal window ended, appeal decided, concession, accepted offer)
leaves its marks on the parties' records and then either closes the case, when it
owes nothing, or moves it to `fulfilling` with the first step of its remedy open as
the case's window. Each step is completed by the party it names, through its own
route, before its deadline; a missed deadline has a consequence of its own:

  return_shipment     buyer      missed: the remedy lapses, the case closes
  return_receipt      seller     missed: deemed received in good order
  refund              storefront missed: the platform refunds, the seller owes it back, penalty points
  reshipment          seller     missed: the exchange or repair becomes a refund of the item price
  reshipment_receipt  buyer      missed: deemed received in good order

A receipt reported in any other condition (with the reporter's evidence) sends the
case back to a reviewer, who decides what is still owed; that goes on to the refund.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain.errors import DeadlinePassed, InvalidState, InvalidValue, SeniorReviewerRequired
from chalicelib.domain.lifecycle import (
    TIMER_TOLERANCE,
    advance,
    close_case,
    event,
    ledger_entries,
    open_review,
    open_window,
)
from chalicelib.domain.models import (
    SYSTEM_ACTOR,
    Actor,
    AuditEvent,
    Dispute,
    Fulfilment,
    FulfilmentOutcome,
    FulfilmentStep,
    LedgerEntry,
    Outcome,
    Party,
    Payee,
    ReceiptCondition,
    Resolution,
    Role,
    Status,
    StepParty,
    Transition,
    Window,
    WindowKind,
    iso,
)
from chalicelib.domain.policy import Deadlines, FulfilmentPolicy

K = WindowKind
STEPS: dict[Outcome, tuple[WindowKind, ...]] = {
    Outcome.REFUND_FULL: (K.REFUND,),
    Outcome.REFUND_PARTIAL: (K.REFUND,),
    Outcome.RETURN_AND_REFUND: (K.RETURN_SHIPMENT, K.RETURN_RECEIPT, K.REFUND),
    Outcome.EXCHANGE: (K.RETURN_SHIPMENT, K.RETURN_RECEIPT, K.RESHIPMENT, K.RESHIPMENT_RECEIPT),
    Outcome.REPAIR: (K.RETURN_SHIPMENT, K.RETURN_RECEIPT, K.RESHIPMENT, K.RESHIPMENT_RECEIPT),
}
ACTS: dict[WindowKind, StepParty] = {
    K.RETURN_SHIPMENT: StepParty.BUYER,
    K.RETURN_RECEIPT: StepParty.SELLER,
    K.REFUND: StepParty.STOREFRONT,
    K.RESHIPMENT: StepParty.SELLER,
    K.RESHIPMENT_RECEIPT: StepParty.BUYER,
}
RECEIPT_STEPS = frozenset({K.RETURN_RECEIPT, K.RESHIPMENT_RECEIPT})


def window_length(policy: FulfilmentPolicy, step: WindowKind, remedy: Outcome) -> timedelta:
    if step == K.RESHIPMENT:
        return policy.repair_reshipment if remedy == Outcome.REPAIR else policy.exchange_reshipment
    return {
        K.RETURN_SHIPMENT: policy.return_shipment,
        K.RETURN_RECEIPT: policy.return_receipt,
        K.REFUND: policy.refund,
        K.RESHIPMENT_RECEIPT: policy.reshipment_receipt,
    }[step]


GOODS_REMEDIES = frozenset({Outcome.EXCHANGE, Outcome.REPAIR})


def owed_to_buyer(case: Dispute, payer: Payee | None = None) -> int:
    """What the final decision has the buyer paid: every compensation line to the buyer (from `payer` only)."""
    ruling = case.ruling
    if ruling is None:
        return 0
    return sum(line.amount for line in ruling.compensation if line.payee == Payee.BUYER and payer in (None, line.payer))


def plan(case: Dispute) -> Fulfilment:
    """The remedy of the final decision and its steps. Money owed is refunded last (after an exchange's
    reshipment too); nothing owed and no goods to move is no step at all."""
    ruling = case.ruling
    remedy = ruling.outcome if ruling else Outcome.CLAIM_DENIED
    owed = owed_to_buyer(case)
    steps = tuple(step for step in STEPS.get(remedy, ()) if step != K.REFUND or owed)
    if remedy in GOODS_REMEDIES and owed:
        steps = (*steps, K.REFUND)
    return Fulfilment(
        remedy=remedy,
        owed=owed,
        seller_share=owed_to_buyer(case, Payee.SELLER),
        currency=case.currency,
        plan=steps,
    )


def finalize(
    case: Dispute,
    resolution: Resolution,
    now: datetime,
    *,
    reason: str,
    policy: FulfilmentPolicy,
    deadlines: Deadlines,
    actor: Actor | None = None,
) -> Transition:
    """The decision is final: record it on the parties' records, then carry it out or close the case."""
    decided = advance(case, now, resolution=resolution, window=None, fulfilment=plan(case))
    ledger = ledger_entries(decided, now)
    if decided.fulfilment is None or not decided.fulfilment.plan:
        nothing = _with(decided, outcome=FulfilmentOutcome.NOT_REQUIRED)
        closed = close_case(nothing, resolution, now, reason=reason, actor=actor)
        return closed.model_copy(update={"ledger": ledger})
    opened = _open_next(decided, policy, deadlines, now, reason=reason)
    return opened.model_copy(update={"ledger": ledger})


# -- the parties' reports -------------------------------------------------------------------


def report_shipment(
    case: Dispute,
    actor: Actor,
    step: WindowKind,
    carrier: str,
    tracking_number: str,
    policy: FulfilmentPolicy,
    deadlines: Deadlines,
    now: datetime,
) -> Transition:
    """The buyer shipped the return, or the seller shipped the replacement or repaired item."""
    _require_step(case, actor, step, now)
    details = {"carrier": carrier, "tracking_number": tracking_number}
    done, completed = _complete(case, actor.sub, details, now, actor=actor)
    return _open_next(done, policy, deadlines, now, reason=f"{step.value.replace('_', ' ')} reported").preceded_by(
        completed
    )


def report_receipt(
    case: Dispute,
    actor: Actor,
    step: WindowKind,
    condition: ReceiptCondition,
    note: str | None,
    evidence_ids: tuple[str, ...],
    policy: FulfilmentPolicy,
    deadlines: Deadlines,
    now: datetime,
) -> Transition:
    """What arrived: in good order the remedy goes on; otherwise, with evidence, a reviewer decides what is owed.

    `evidence_ids` is the reporter's verified evidence added during this step.
    """
    _require_step(case, actor, step, now)
    details: dict[str, Any] = {"condition": condition.value, **({"note": note} if note else {})}
    if condition == ReceiptCondition.RECEIVED_OK:
        done, completed = _complete(case, actor.sub, details, now, actor=actor)
        return _open_next(done, policy, deadlines, now, reason="received in good order").preceded_by(completed)
    if not evidence_ids:
        raise InvalidValue(
            f"a receipt reported as {condition.value} needs your evidence: add a photo or document in this step first",
            [{"field": "condition", "needs": "evidence added during this step"}],
        )
    details["evidence_ids"] = list(evidence_ids)
    done, completed = _complete(case, actor.sub, details, now, actor=actor)
    full, least = _owed_bounds(done, policy)
    review = {
        "step": step.value,
        "condition": condition.value,
        "reported_by": actor.sub,
        "reported_at": iso(now),
        "full": full,  # what a reviewer may decide is still owed: `full`, at least `least`, or 0
        "least": least,
        "currency": case.currency,
    }
    # An ordinary review, whatever queue the first one ended in: the decision itself is not reopened.
    paused = _with(done, receipt_review=review).model_copy(update={"claimed_by": None, "senior_queue_since": None})
    sent_back = open_review(
        paused,
        deadlines,
        now,
        action="under_review",
        reason=f"{step.value.replace('_', ' ')} reported {condition.value.replace('_', ' ')}: what is owed?",
    )
    return sent_back.preceded_by(completed)


def report_refund(case: Dispute, actor: Actor, amount: int, currency: str, reference: str, now: datetime) -> Transition:
    """The storefront refunded the buyer exactly what is owed; the case is fulfilled."""
    _require_step(case, actor, K.REFUND, now)
    fulfilment = _fulfilment(case)
    if (amount, currency) != (fulfilment.owed, fulfilment.currency):
        expected = {"amount": fulfilment.owed, "currency": fulfilment.currency}
        raise InvalidValue(
            f"the refund owed is {fulfilment.owed} {fulfilment.currency}",
            [{"field": "amount", "expected": expected}],
        )
    details = {"amount": amount, "currency": currency, "reference": reference}
    done, completed = _complete(case, actor.sub, details, now, actor=actor)
    return _fulfilled(done, FulfilmentOutcome.COMPLETED, now, reason="refund reported").preceded_by(completed)


def decide_receipt(
    case: Dispute,
    reviewer: Actor,
    owed: int,
    notes: str | None,
    policy: FulfilmentPolicy,
    deadlines: Deadlines,
    now: datetime,
) -> Transition:
    """A reviewer settles a disputed receipt: what is still owed goes on to the refund step (nothing closes it).

    What is owed is the refund due (the item price, when the remedy was goods) or that reduced by at
    most `max_return_deduction`, or nothing.
    """
    fulfilment = _fulfilment(case)
    review = fulfilment.receipt_review
    if review is None or case.window is None or case.window.kind != K.REVIEW:
        raise InvalidState("no disputed receipt is waiting for a reviewer", [{"status": case.status.value}])
    if case.in_senior_queue and reviewer.role != Role.SENIOR_REVIEWER:
        raise SeniorReviewerRequired("this case is in the senior queue: a senior reviewer decides it")
    if case.claimed_by not in (None, reviewer.sub):
        raise InvalidState(f"the case is claimed by {case.claimed_by}", [{"claimed_by": case.claimed_by}])
    full, least = _owed_bounds(case, policy)
    if owed != 0 and not least <= owed <= full:
        raise InvalidValue(
            f"what is owed is {full} in full, at least {least} when reduced, or 0",
            [{"field": "owed", "full": full, "least": least, "currency": fulfilment.currency}],
        )
    decided = event(
        case,
        now,
        "receipt_decided",
        actor=reviewer,
        to_status=Status.FULFILLING,
        reason=notes or f"{owed} {fulfilment.currency} still owed",
        owed=owed,
        currency=fulfilment.currency,
        condition=review["condition"],
    )
    plan_after = (K.REFUND,) if owed else ()
    # The disputed receipt's step keeps what was decided about it; `owed` becomes what the refund must report.
    decision = {"owed": owed, "of": full, "by": reviewer.sub, "at": iso(now)}
    steps = tuple(
        step.model_copy(update={"details": {**step.details, "decision": decision}})
        if step.step.value == review["step"] and step.details.get("condition") == review["condition"]
        else step
        for step in fulfilment.steps
    )
    goods = case.amount_paid if fulfilment.remedy in GOODS_REMEDIES else 0
    share = min(owed, fulfilment.seller_share + goods)
    resumed = _with(case, owed=owed, seller_share=share, plan=plan_after, receipt_review=None, steps=steps)
    resumed = advance(resumed, now, window=None, status=Status.FULFILLING, claimed_by=None)
    if not owed:
        return _fulfilled(resumed, FulfilmentOutcome.COMPLETED, now, reason="nothing further owed").preceded_by(decided)
    return _open_next(resumed, policy, deadlines, now, reason="receipt decided").preceded_by(decided)


def refund_base(case: Dispute) -> int:
    """The refund a disputed receipt is measured against: what was owed, and for goods the item price too."""
    fulfilment = _fulfilment(case)
    return fulfilment.owed + (case.amount_paid if fulfilment.remedy in GOODS_REMEDIES else 0)


def _owed_bounds(case: Dispute, policy: FulfilmentPolicy) -> tuple[int, int]:
    """(in full, the least a reduced amount may be) for a disputed receipt."""
    full = refund_base(case)
    return full, full - int(full * policy.max_return_deduction)


# -- deadlines ----------------------------------------------------------------------------


def step_overdue(
    case: Dispute, window: Window, policy: FulfilmentPolicy, deadlines: Deadlines, now: datetime
) -> Transition:
    """A step's window passed without its party acting: the platform does what the step's rule says."""
    step = window.kind
    overdue = event(
        case,
        now,
        "fulfilment_overdue",
        reason=f"{ACTS[step].value} did not complete the {step.value.replace('_', ' ')} in time",
        step=step.value,
        party=ACTS[step].value,
        due_at=iso(window.due_at),
    )
    if step == K.RETURN_SHIPMENT:
        done, completed = _complete(case, SYSTEM_ACTOR, {"overdue": True}, now)
        lapsed = _fulfilled(done, FulfilmentOutcome.LAPSED, now, reason="the return was never shipped")
        return lapsed.preceded_by(overdue, completed)
    if step in RECEIPT_STEPS:
        deemed = {"condition": ReceiptCondition.RECEIVED_OK.value, "deemed": True, "overdue": True}
        done, completed = _complete(case, SYSTEM_ACTOR, deemed, now)
        return _open_next(done, policy, deadlines, now, reason="deemed received").preceded_by(overdue, completed)
    if step == K.RESHIPMENT:
        done, completed = _complete(case, SYSTEM_ACTOR, {"overdue": True, "becomes": "refund"}, now)
        fulfilment = _fulfilment(done)
        item_price = {
            "owed": fulfilment.owed + case.amount_paid,
            "seller_share": fulfilment.seller_share + case.amount_paid,
        }
        refund = _with(done, **item_price, plan=(K.REFUND,))
        opened = _open_next(refund, policy, deadlines, now, reason="never reshipped: the item price is refunded")
        return opened.preceded_by(overdue, completed)
    return _platform_refunds(case, overdue, policy.missed_refund_points, now)


def _platform_refunds(case: Dispute, overdue: AuditEvent, penalty_points: int, now: datetime) -> Transition:
    fulfilment = _fulfilment(case)
    done, completed = _complete(case, SYSTEM_ACTOR, {"overdue": True, "paid_by": "platform"}, now)
    refunded = event(
        case,
        now,
        "platform_refunded",
        reason="the refund was not reported in time: the platform refunded the buyer and recovers it from the seller",
        amount=fulfilment.owed,
        currency=fulfilment.currency,
    )
    closed = _fulfilled(done, FulfilmentOutcome.PLATFORM_REFUNDED, now, reason="the platform refunded the buyer")
    # Only what the seller owed is recovered from it, and only then is it penalised; a carrier's or the
    # platform's own share of the refund is not the seller's debt.
    recovered = min(fulfilment.seller_share, fulfilment.owed)
    if not recovered:
        return closed.preceded_by(overdue, completed, refunded)
    recovery = LedgerEntry(
        kind="seller_recovery",
        storefront_id=case.storefront_id,
        subject=case.seller_id,
        case_id=case.id,
        amount=recovered,
        currency=fulfilment.currency,
        at=now,
    )
    ledger: tuple[LedgerEntry, ...] = (recovery,)
    if penalty_points:
        points = LedgerEntry(
            kind="seller_penalty",
            storefront_id=case.storefront_id,
            subject=case.seller_id,
            case_id=case.id,
            points=penalty_points,
            at=now,
        )
        ledger = (*ledger, points)
    return closed.preceded_by(overdue, completed, refunded).model_copy(update={"ledger": ledger})


# -- plumbing -----------------------------------------------------------------------------


def _fulfilment(case: Dispute) -> Fulfilment:
    if case.fulfilment is None:
        raise InvalidState("the case has no remedy being carried out", [{"status": case.status.value}])
    return case.fulfilment


def _with(case: Dispute, **changes: Any) -> Dispute:
    return case.model_copy(update={"fulfilment": _fulfilment(case).model_copy(update=changes)})


def _require_step(case: Dispute, actor: Actor, step: WindowKind, now: datetime) -> None:
    """The step is the one the case waits on, the caller is who acts in it, and its deadline has not passed."""
    fulfilment = case.fulfilment
    current = fulfilment.current if fulfilment else None
    party = ACTS[step]
    acting = actor.role.value == party.value and (party == StepParty.STOREFRONT or case.party_of(actor) is not None)
    if not acting:
        raise InvalidState(f"the {step.value.replace('_', ' ')} is the {party.value}'s to report")
    if current is None or current.step != step or case.window is None or case.window.kind != step:
        missed = fulfilment is not None and any(s.step == step and s.details.get("overdue") for s in fulfilment.steps)
        if missed:
            raise DeadlinePassed(f"the {step.value.replace('_', ' ')} deadline passed; the platform acted")
        waiting = current.step.value if current else case.status.value
        raise InvalidState(f"the case is not waiting for the {step.value.replace('_', ' ')}", [{"waiting": waiting}])
    if now + TIMER_TOLERANCE >= case.window.due_at:  # the deadline state acts from then on
        raise DeadlinePassed(
            f"the {step.value.replace('_', ' ')} was due at {iso(case.window.due_at)}",
            [{"deadline": iso(case.window.due_at)}],
        )


def _complete(
    case: Dispute, by: str, details: dict[str, Any], now: datetime, *, actor: Actor | None = None
) -> tuple[Dispute, AuditEvent]:
    fulfilment = _fulfilment(case)
    current = fulfilment.current
    if current is None:
        raise InvalidState("no fulfilment step is open")
    done = current.model_copy(update={"done_at": now, "by": by, "details": details})
    completed = event(
        case,
        now,
        "fulfilment_step_completed",
        actor=actor,
        reason=f"{current.step.value.replace('_', ' ')} done",
        step=current.step.value,
        party=current.party.value,
        **{key: value for key, value in details.items() if key != "note"},
    )
    return _with(case, steps=(*fulfilment.steps[:-1], done)).model_copy(update={"window": None}), completed


def _open_next(
    case: Dispute, policy: FulfilmentPolicy, deadlines: Deadlines, now: datetime, *, reason: str
) -> Transition:
    fulfilment = _fulfilment(case)
    remaining = tuple(step for step in fulfilment.plan if step != K.REFUND or fulfilment.owed)
    if not remaining:
        return _fulfilled(case, FulfilmentOutcome.COMPLETED, now, reason=reason)
    step, rest = remaining[0], remaining[1:]
    length = window_length(policy, step, fulfilment.remedy)
    party = ACTS[step]
    parties = () if party == StepParty.STOREFRONT else (Party(party.value),)
    record = FulfilmentStep(step=step, party=party, opened_at=now, due_at=now + length)
    planned = _with(case, steps=(*fulfilment.steps, record), plan=rest)
    return open_window(
        planned,
        step,
        parties,
        deadlines,
        now,
        status=Status.FULFILLING,
        duration=length,
        action="fulfilment_step_opened",
        reason=f"{step.value.replace('_', ' ')} by the {party.value}: {reason}",
        step=step.value,
        party=party.value,
    )


def _fulfilled(case: Dispute, outcome: FulfilmentOutcome, now: datetime, *, reason: str) -> Transition:
    """The end of the remedy, and of the case; `fulfilled` only when the buyer got what was owed."""
    fulfilment = _fulfilment(case)
    ended = _with(case, outcome=outcome, plan=())
    closed = close_case(ended, case.resolution or Resolution.RULED, now, reason=reason)
    if outcome == FulfilmentOutcome.LAPSED:
        return closed
    fulfilled = event(ended, now, "fulfilled", reason=reason, outcome=outcome.value, remedy=fulfilment.remedy.value)
    return closed.preceded_by(fulfilled)
