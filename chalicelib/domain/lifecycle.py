"""Case transitions as pure functions: (case, command, now) -> Transition.

Each function checks that the command fits the case's state, then returns the
next case with the audit events that explain the change. The transition keeps
the version it was computed from; saving it bumps the version once, on the
condition that nobody wrote in between. Nothing here reads a clock or storage.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain.errors import DeadlinePassed, InvalidState, InvalidValue
from chalicelib.domain.models import (
    CLOCK_SKEW,
    SYSTEM_ACTOR,
    Actor,
    AfterSalesRequest,
    AuditEvent,
    Dispute,
    LedgerEntry,
    OfferStatus,
    Outcome,
    Party,
    PenaltyKind,
    Resolution,
    Status,
    Transition,
    Window,
    WindowKind,
    iso,
)
from chalicelib.domain.policy import Deadlines

# Step Functions may fire a timer a moment before our clock agrees it is due. A timer
# that is still early after this slack is harmless: the workflow simply waits again.
TIMER_TOLERANCE = timedelta(milliseconds=500)

PARTY_WINDOWS = frozenset({WindowKind.SELLER_RESPONSE, WindowKind.BUYER_REBUTTAL, WindowKind.INFO_REQUEST})
# The steps of carrying out a remedy (chalicelib/domain/fulfilment.py).
FULFILMENT_WINDOWS = frozenset(
    {
        WindowKind.RETURN_SHIPMENT,
        WindowKind.RETURN_RECEIPT,
        WindowKind.REFUND,
        WindowKind.RESHIPMENT,
        WindowKind.RESHIPMENT_RECEIPT,
    }
)
# Every window someone outside the platform must act in gets a reminder before its deadline.
REMINDED_WINDOWS = PARTY_WINDOWS | FULFILMENT_WINDOWS
WINDOW_STATUS = {
    WindowKind.SELLER_RESPONSE: Status.AWAITING_SELLER,
    WindowKind.BUYER_REBUTTAL: Status.AWAITING_BUYER,
}


def event(
    case: Dispute,
    now: datetime,
    action: str,
    *,
    actor: Actor | None = None,
    to_status: Status | None = None,
    reason: str = "",
    **data: Any,
) -> AuditEvent:
    return AuditEvent(
        case_id=case.id,
        at=now,
        actor=actor.sub if actor else SYSTEM_ACTOR,
        actor_role=actor.role.value if actor else SYSTEM_ACTOR,
        action=action,
        from_status=case.status,
        to_status=to_status or case.status,
        reason=reason,
        data=data,
    )


def advance(case: Dispute, now: datetime, **changes: Any) -> Dispute:
    """The case after a change. The version stays: the repository bumps it once per saved transition."""
    return case.model_copy(update={**changes, "updated_at": now})


def open_case(
    request: AfterSalesRequest,
    actor: Actor,
    statement: str,
    case_id: str,
    policy_version: str,
    deadlines: Deadlines,
    now: datetime,
) -> Transition:
    """Escalation: the platform steps in and the seller's evidence window opens at once.

    Times are compared as differences, which cannot overflow at the ends of the calendar.
    """
    if request.seller_decided_at - now > CLOCK_SKEW:  # recorded before such dates were refused
        raise InvalidValue(
            "the seller's decision on this request is dated in the future; record the request again",
            [{"field": "seller_decided_at"}],
        )
    if now - request.seller_decided_at > deadlines.escalation_window:
        closes_at = request.seller_decided_at + deadlines.escalation_window
        raise DeadlinePassed(
            "the escalation window for this request has closed",
            [{"field": "request_id", "closed_at": iso(closes_at)}],
        )
    case = Dispute(
        id=case_id,
        storefront_id=request.storefront_id,
        request_id=request.request_id,
        order_id=request.order_id,
        buyer_id=request.buyer_id,
        seller_id=request.seller_id,
        type=request.type,
        reason=request.reason,
        amount_paid=request.amount_paid,
        shipping_paid=request.shipping_paid,
        amount_requested=request.amount_requested,
        currency=request.currency,
        delivered_at=request.delivered_at,
        requested_at=request.requested_at,
        seller_decided_at=request.seller_decided_at,
        no_reason_return_eligible=request.no_reason_return_eligible,
        item=request.item,
        statement=statement,
        status=Status.ESCALATED,
        policy_version=policy_version,
        version=0,
        created_at=now,
        updated_at=now,
    )
    created = event(case, now, "created", actor=actor, reason="buyer escalated a rejected request")
    created = created.model_copy(update={"from_status": None})
    opened = open_window(case, WindowKind.SELLER_RESPONSE, (Party.SELLER,), deadlines, now)
    return opened.preceded_by(created)


def _window_duration(kind: WindowKind, deadlines: Deadlines) -> timedelta:
    return {
        WindowKind.SELLER_RESPONSE: deadlines.seller_response,
        WindowKind.BUYER_REBUTTAL: deadlines.buyer_rebuttal,
        WindowKind.INFO_REQUEST: deadlines.info_request,
        WindowKind.REVIEW: deadlines.reviewer_sla,
        WindowKind.APPEAL: deadlines.appeal_window,
    }[kind]


def open_window(
    case: Dispute,
    kind: WindowKind,
    parties: tuple[Party, ...],
    deadlines: Deadlines,
    now: datetime,
    *,
    status: Status | None = None,
    duration: timedelta | None = None,
    action: str = "",
    reason: str = "",
    **data: Any,
) -> Transition:
    """Start waiting for someone, with a deadline and (for parties and fulfilment steps) a reminder before it."""
    length = duration or _window_duration(kind, deadlines)
    due_at = now + length
    remind_at = None
    if kind in REMINDED_WINDOWS:
        remind_at = due_at - min(deadlines.reminder_before, length / 2)
    window = Window(
        id=f"w{case.version + 1}-{kind.value}",
        kind=kind,
        parties=parties,
        opened_at=now,
        due_at=due_at,
        remind_at=remind_at,
    )
    new_status = status or WINDOW_STATUS.get(kind, case.status)
    default_action = "evidence_requested" if kind in PARTY_WINDOWS else f"{kind.value}_opened"
    opened = event(
        case,
        now,
        action or default_action,
        to_status=new_status,
        reason=reason or f"{kind.value.replace('_', ' ')} window opened",
        window=kind.value,
        parties=[p.value for p in parties],
        due_at=iso(due_at),
        **data,
    )
    deadlines_shown = {**case.deadlines, kind.value: due_at}
    updated = advance(case, now, status=new_status, window=window, deadlines=deadlines_shown)
    return Transition(case=updated, events=(opened,))


def due_now(case: Dispute, actor: Actor, now: datetime) -> Transition:
    """The test clock (local runtime only): the window the case waits on is due now, its reminder
    counted as sent, so the deadline state applies the deadline exactly as when it passes."""
    window = case.window
    if window is None or case.status == Status.CLOSED:
        raise InvalidState("the case is not waiting on a window", [{"status": case.status.value}])
    advanced = event(
        case,
        now,
        "clock_advanced",
        actor=actor,
        reason=f"test clock: the {window.kind.value.replace('_', ' ')} is due now",
        window=window.kind.value,
        was_due_at=iso(window.due_at),
    )
    due = window.model_copy(update={"due_at": now, "reminded": True})
    shown = {**case.deadlines, window.kind.value: now}
    return Transition(case=advance(case, now, window=due, deadlines=shown), events=(advanced,))


def lapse_open_offer(case: Dispute, now: datetime) -> Dispute:
    """An offer still open when the case is decided another way can no longer be accepted."""
    offers = tuple(
        offer.model_copy(update={"status": OfferStatus.LAPSED, "decided_at": now})
        if offer.status == OfferStatus.OPEN
        else offer
        for offer in case.offers
    )
    return case.model_copy(update={"offers": offers})


def require_party_window(case: Dispute, party: Party, now: datetime) -> Window:
    """The open window in which this party may act; 410 once its deadline passed."""
    window = case.window
    if window is None or window.kind not in PARTY_WINDOWS or party not in window.parties:
        if any(missed.endswith(f":{party.value}") for missed in case.missed_deadlines):
            raise DeadlinePassed(f"the {party.value}'s deadline passed; the case moved on without it")
        raise InvalidState(f"the case is {case.status.value}; no window is open for the {party.value}")
    if party in window.submitted:
        raise InvalidState(f"the {party.value} already submitted in this window")
    if now >= window.due_at:
        raise DeadlinePassed(
            f"the {party.value}'s deadline passed at {iso(window.due_at)}",
            [{"deadline": iso(window.due_at)}],
        )
    return window


def submit(case: Dispute, actor: Actor, party: Party, deadlines: Deadlines, now: datetime) -> Transition:
    """A party ends its own window early; the case moves on at once."""
    window = require_party_window(case, party, now)
    submitted = event(
        case,
        now,
        "evidence_submitted",
        actor=actor,
        reason="party ended its window",
        party=party.value,
    )
    remaining = tuple(p for p in window.parties if p not in (*window.submitted, party))
    if remaining:
        still_open = window.model_copy(update={"submitted": (*window.submitted, party)})
        return Transition(case=advance(case, now, window=still_open), events=(submitted,))
    after = close_window(case, window, deadlines, now)
    return after.preceded_by(submitted)


def close_window(case: Dispute, window: Window, deadlines: Deadlines, now: datetime) -> Transition:
    """What follows a party window, whether it ended by submission or by deadline."""
    base = case.model_copy(update={"window": None})
    if window.kind == WindowKind.SELLER_RESPONSE:
        return open_window(base, WindowKind.BUYER_REBUTTAL, (Party.BUYER,), deadlines, now)
    if window.kind == WindowKind.BUYER_REBUTTAL:
        moved = event(case, now, "awaiting_rules", to_status=Status.UNDER_REVIEW, reason="both windows ended")
        return Transition(case=advance(base, now, status=Status.UNDER_REVIEW), events=(moved,))
    if window.kind == WindowKind.INFO_REQUEST:
        return open_review(base, deadlines, now, reason="information request ended")
    raise InvalidState(f"{window.kind.value} is not a party window")


def open_review(case: Dispute, deadlines: Deadlines, now: datetime, *, reason: str, action: str = "") -> Transition:
    """Wait for a reviewer: a senior one, on the senior SLA, for appeals and breached cases."""
    return open_window(
        case,
        WindowKind.REVIEW,
        (),
        deadlines,
        now,
        status=Status.APPEALED if case.appeal and case.fulfilment is None else Status.UNDER_REVIEW,
        duration=deadlines.senior_reviewer_sla if case.in_senior_queue else deadlines.reviewer_sla,
        action=action,
        reason=reason,
    )


def close_case(
    case: Dispute, resolution: Resolution, now: datetime, *, reason: str, actor: Actor | None = None
) -> Transition:
    """The end of a case. What a final decision leaves on the parties' records was written when it
    became final (`fulfilment.finalize`), not here."""
    closed = event(
        case, now, "closed", actor=actor, to_status=Status.CLOSED, reason=reason, resolution=resolution.value
    )
    after = advance(case, now, status=Status.CLOSED, resolution=resolution, window=None)
    return Transition(case=after, events=(closed,))


def ledger_entries(case: Dispute, now: datetime) -> tuple[LedgerEntry, ...]:
    """Seller penalty points from the final decision; a ruled case won or lost for the buyer's record."""
    entries: list[LedgerEntry] = []
    ruling = case.ruling
    points = (
        sum(p.value for p in ruling.penalties if p.party == Party.SELLER and p.kind == PenaltyKind.POINTS)
        if ruling
        else 0
    )
    if points:
        entries.append(
            LedgerEntry(
                kind="seller_penalty",
                storefront_id=case.storefront_id,
                subject=case.seller_id,
                case_id=case.id,
                points=points,
                at=now,
            )
        )
    if case.resolution == Resolution.RULED and ruling is not None:
        entries.append(
            LedgerEntry(
                kind="buyer_outcome",
                storefront_id=case.storefront_id,
                subject=case.buyer_id,
                case_id=case.id,
                lost=ruling.outcome == Outcome.CLAIM_DENIED,
                at=now,
            )
        )
    return tuple(entries)


def ensure_status(case: Dispute, *allowed: Status) -> None:
    if case.status not in allowed:
        raise InvalidState(
            f"the case is {case.status.value}; this needs {' or '.join(s.value for s in allowed)}",
            [{"status": case.status.value}],
        )
