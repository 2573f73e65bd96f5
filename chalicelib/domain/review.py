"""The reviewer's side: who may take a case, claims, information requests, and appeals."""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain.errors import (
    AnotherReviewerRequired,
    DeadlinePassed,
    Duplicate,
    InvalidState,
    LimitReached,
    SeniorReviewerRequired,
)
from chalicelib.domain.lifecycle import advance, ensure_status, event, open_review, open_window
from chalicelib.domain.models import (
    Actor,
    Appeal,
    Dispute,
    Party,
    Role,
    Status,
    Transition,
    WindowKind,
    iso,
)
from chalicelib.domain.policy import DEFAULT_LIMITS, Deadlines


def require_review_window(case: Dispute) -> None:
    ensure_status(case, Status.UNDER_REVIEW, Status.APPEALED)
    if case.window is None or case.window.kind != WindowKind.REVIEW:
        raise InvalidState("the case is not waiting for a reviewer", [{"status": case.status.value}])


def require_may_decide(case: Dispute, actor: Actor) -> None:
    """Senior cases need a senior reviewer; an appeal needs someone other than the first decider;
    a claimed case belongs to its claimant."""
    if case.in_senior_queue and actor.role != Role.SENIOR_REVIEWER:
        raise SeniorReviewerRequired("this case is in the senior queue: a senior reviewer decides it")
    appeal_open = case.appeal is not None and case.fulfilment is None  # a disputed receipt is no appeal
    if appeal_open and case.ruling is not None and case.ruling.decided_by == actor.sub:
        raise AnotherReviewerRequired("an appeal must be decided by a reviewer other than the first")
    if case.claimed_by not in (None, actor.sub):
        raise InvalidState(f"the case is claimed by {case.claimed_by}", [{"claimed_by": case.claimed_by}])


def claim(case: Dispute, reviewer: Actor, now: datetime) -> Transition:
    """One reviewer at a time; claiming again is a no-op for the same reviewer.

    The no-op is the case itself with no events: there is nothing to save, and the case is answered as it is.
    """
    require_review_window(case)
    require_may_decide(case, reviewer)
    if case.claimed_by == reviewer.sub:
        return Transition(case=case, events=())
    claimed = event(case, now, "claimed", actor=reviewer, reason="reviewer took the case")
    return Transition(case=advance(case, now, claimed_by=reviewer.sub), events=(claimed,))


def request_information(
    case: Dispute,
    reviewer: Actor,
    parties: tuple[Party, ...],
    message: str,
    deadlines: Deadlines,
    now: datetime,
    *,
    max_info_requests: int = DEFAULT_LIMITS.max_info_requests,
) -> Transition:
    """Send the case back to one party (or both) with a question and a fresh deadline.

    At most `max_info_requests` per case (the storefront policy's `limits.max_info_requests`),
    so reviewers cannot keep a case, and its record of missed deadlines, growing for ever.
    """
    require_review_window(case)
    require_may_decide(case, reviewer)
    if case.info_requests_made >= max_info_requests:
        raise LimitReached(
            f"reviewers have sent the {max_info_requests} information requests this case allows; rule on what exists",
            [{"limit": "limits.max_info_requests", "max": max_info_requests, "made": case.info_requests_made}],
        )
    status = Status.AWAITING_SELLER if parties == (Party.SELLER,) else Status.AWAITING_BUYER
    if len(parties) > 1:
        status = case.status  # both parties asked: the case stays in review, the window names both
    asked = event(
        case, now, "info_requested", actor=reviewer, reason=message, parties=[party.value for party in parties]
    )
    base = case.model_copy(
        update={
            "window": None,
            "info_request": message,
            "info_requests_made": case.info_requests_made + 1,
            "claimed_by": reviewer.sub,
        }
    )
    opened = open_window(
        base, WindowKind.INFO_REQUEST, parties, deadlines, now, status=status, reason="information requested"
    )
    return opened.preceded_by(asked)


def appeal(
    case: Dispute, actor: Actor, party: Party, statement: str, deadlines: Deadlines, now: datetime
) -> Transition:
    """Either party, once, within the appeal window; a senior reviewer then decides for good."""
    ensure_status(case, Status.RULED)
    window = case.window
    if case.appeal is not None:
        raise Duplicate("this case was already appealed", [{"appealed_by": case.appeal.party.value}])
    if window is None or window.kind != WindowKind.APPEAL:
        raise InvalidState("the case has no open appeal window", [{"status": case.status.value}])
    if now >= window.due_at:
        raise DeadlinePassed(f"the appeal window closed at {iso(window.due_at)}", [{"deadline": iso(window.due_at)}])
    filed = Appeal(party=party, statement=statement, filed_at=now, filed_by=actor.sub)
    appealed = event(case, now, "appealed", actor=actor, to_status=Status.APPEALED, reason=statement, party=party.value)
    base = case.model_copy(update={"window": None, "appeal": filed, "claimed_by": None})
    review = open_review(base, deadlines, now, reason="appeal queued for a senior reviewer")
    return review.preceded_by(appealed)
