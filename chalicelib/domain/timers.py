"""What a workflow timer means when it fires: the reminder before a deadline, or the deadline itself.

Each window kind's missed deadline has its own consequence: a party's window closes
without it (the seller's is a default), a review breaching its SLA moves to the
senior queue, the appeal window's end makes the ruling final, and a fulfilment step
missed is handled by the platform (chalicelib/domain/fulfilment.py).
"""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain import fulfilment
from chalicelib.domain.lifecycle import (
    FULFILMENT_WINDOWS,
    PARTY_WINDOWS,
    TIMER_TOLERANCE,
    advance,
    close_window,
    event,
    open_review,
)
from chalicelib.domain.models import Dispute, Resolution, Transition, Window, WindowKind, iso
from chalicelib.domain.policy import Deadlines, FulfilmentPolicy


def window_timed_out(
    case: Dispute,
    window_id: str,
    deadlines: Deadlines,
    now: datetime,
    *,
    policy: FulfilmentPolicy | None = None,
) -> Transition | None:
    """A workflow timer fired: send the reminder, or apply the missed deadline.

    None when the timer is stale (the window already ended another way) or early,
    so the workflow simply carries on from the case as it is.
    """
    window = case.window
    if window is None or window.id != window_id:
        return None
    reached = now + TIMER_TOLERANCE
    if reached >= window.due_at:
        return deadline_missed(case, window, deadlines, policy or FulfilmentPolicy(), now)
    if window.remind_at and not window.reminded and reached >= window.remind_at:
        return _remind(case, window, now)
    return None


def _remind(case: Dispute, window: Window, now: datetime) -> Transition:
    reminder = event(
        case,
        now,
        "deadline_approaching",
        reason="reminder before the deadline",
        window=window.kind.value,
        parties=[p.value for p in window.parties if p not in window.submitted],
        due_at=iso(window.due_at),
    )
    reminded = window.model_copy(update={"reminded": True})
    return Transition(case=advance(case, now, window=reminded), events=(reminder,))


def deadline_missed(
    case: Dispute, window: Window, deadlines: Deadlines, policy: FulfilmentPolicy, now: datetime
) -> Transition:
    if window.kind in PARTY_WINDOWS:
        return _party_missed(case, window, deadlines, now)
    if window.kind == WindowKind.APPEAL:
        return fulfilment.finalize(
            case.model_copy(update={"window": None}),
            Resolution.RULED,
            now,
            reason="appeal window ended",
            policy=policy,
            deadlines=deadlines,
        )
    if window.kind in FULFILMENT_WINDOWS:
        return fulfilment.step_overdue(case, window, policy, deadlines, now)
    # Review SLA breached: the case moves to the senior queue and keeps waiting there.
    breached = event(case, now, "review_sla_breached", reason="review SLA passed; the case moves to the senior queue")
    senior = case.model_copy(
        update={"window": None, "claimed_by": None, "senior_queue_since": case.senior_queue_since or now}
    )
    reopened = open_review(senior, deadlines, now, reason="senior review")
    return reopened.preceded_by(breached)


def _party_missed(case: Dispute, window: Window, deadlines: Deadlines, now: datetime) -> Transition:
    late = [p for p in window.parties if p not in window.submitted]
    missed = event(
        case,
        now,
        "deadline_missed",
        reason=f"{', '.join(p.value for p in late)} missed the deadline",
        window=window.kind.value,
        parties=[p.value for p in late],
    )
    marked = case.model_copy(
        update={"missed_deadlines": (*case.missed_deadlines, *(f"{window.kind.value}:{p.value}" for p in late))}
    )
    after = close_window(marked, window, deadlines, now)
    return after.preceded_by(missed)
