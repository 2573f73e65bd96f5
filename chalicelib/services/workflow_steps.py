"""What the state machine's Lambda tasks do. Each returns the next step as a dict."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.domain import lifecycle, replay, rules, rulings, timers
from chalicelib.domain.errors import NotFound
from chalicelib.domain.models import Dispute, Status, Transition
from chalicelib.domain.workflow import next_step
from chalicelib.observability import logger
from chalicelib.services.cases import CaseMissing, change, load
from chalicelib.services.context import Context
from chalicelib.services.together import together


def _step(ctx: Context, case: Dispute) -> dict[str, Any]:
    return next_step(case, ctx.clock()).model_dump(exclude_none=True)


def park_task_token(ctx: Context, case_id: str, window_id: str, token: str) -> dict[str, Any]:
    """Park the wait state's token on the case; if its window already ended, resume at once.

    One conditional write: the token is kept only while the case waits on `window_id`, and
    a command's write is conditional on the token it read, so a command that ended the
    window either resumes with this token or ended it before this write and is seen here.
    """
    parked = ctx.cases.park(case_id, window_id, token)
    if parked is not None:
        if ctx.settings.is_local:
            _caught_up_with_the_test_clock(ctx, parked, window_id, token)
        return {"parked": window_id}
    case = load(ctx, case_id)
    logger.info("window ended before the wait parked; resuming", extra={"case_id": case_id})
    ctx.workflow.resume(token, next_step(case, ctx.clock()))
    return {"parked": window_id}


def _caught_up_with_the_test_clock(ctx: Context, case: Dispute, window_id: str, token: str) -> None:
    """Local runtime only (the test clock exists nowhere else): the clock may have made this window due just
    before the wait parked, with no token to end; then go where the timeout goes, now."""
    if case.window is not None and case.window.id == window_id and case.window.due_at <= ctx.clock():
        ctx.workflow.end_wait_now(token)


def handle_deadline(ctx: Context, case_id: str, window_id: str, window_kind: str | None = None) -> dict[str, Any]:
    """A wait state's timer fired: the reminder or the deadline of `window_id`, whichever is due.

    `window_kind` is what the state machine's deadline state expects (`SellerResponseDue` passes
    `seller_response`); the stored window decides, a mismatch is only logged. A stale timer (the
    window already ended another way) changes nothing.
    """

    def decide(case: Dispute, now: datetime) -> Transition:
        window = case.window
        if window_kind and window is not None and window.id == window_id and window.kind != window_kind:
            logger.warning(
                "deadline state does not match the window it fired for",
                extra={"case_id": case_id, "expected_kind": window_kind, "window_kind": window.kind.value},
            )
        deadlines, policy = (
            ctx.deadlines(case.storefront_id, case.policy_version),
            ctx.fulfilment(case.storefront_id, case.policy_version),
        )
        timed_out = timers.window_timed_out(case, window_id, deadlines, now, policy=policy)
        return timed_out or Transition.unchanged(case)

    return _step(ctx, change(ctx, case_id, decide, action="handle_deadline").case)


def rule_facts(ctx: Context, case: Dispute, now: datetime) -> rules.Facts:
    """What the rules read: verified evidence only, and the parties' records on this storefront; the three
    reads depend only on the case, so they are issued together (one round trip instead of three)."""
    policy = ctx.policy(case.storefront_id, case.policy_version)
    (disputes, lost), evidence, seller_points = together(
        lambda: ctx.ledgers.buyer_record(case.storefront_id, case.buyer_id),
        lambda: ctx.evidence.verified_for_case(case.id),
        lambda: ctx.ledgers.seller_points(
            case.storefront_id, case.seller_id, now - policy.rules.penalty_points_expire_after
        ),
    )
    return rules.Facts(
        case=case,
        evidence=tuple(evidence),
        policy=policy,
        now=now,
        seller_points=seller_points,
        buyer_disputes=disputes,
        buyer_lost=lost,
    )


def apply_rules(ctx: Context, case_id: str) -> dict[str, Any]:
    def decide(case: Dispute, now: datetime) -> Transition:
        if case.status != Status.UNDER_REVIEW or case.window is not None:
            return Transition.unchanged(case)  # already applied (a retried invocation) or the case moved on
        facts = rule_facts(ctx, case, now)
        # Computed from the inputs it records (on an item of its own), so replaying them gives it again.
        inputs = replay.inputs_of(facts)
        recommendation = replay.recommend(inputs, facts.policy)
        deadlines = ctx.deadlines(case.storefront_id, case.policy_version)
        applied = rulings.apply_recommendation(case, recommendation, deadlines, now)
        return applied.model_copy(update={"records": (replay.record(inputs, recommendation),)})

    return _step(ctx, change(ctx, case_id, decide, action="apply_rules").case)


def mark_case_stalled(ctx: Context, case_id: str, error: dict[str, Any], execution: str) -> dict[str, Any]:
    """Make a failed workflow visible on the case instead of leaving it silently stuck."""
    summary = f"{error.get('Error', 'Unknown')}: {str(error.get('Cause', ''))[:500]}"
    logger.error("workflow stalled", extra={"case_id": case_id, "error": summary, "execution_id": execution})

    def decide(case: Dispute, now: datetime) -> Transition:
        if case.workflow_error:
            return Transition.unchanged(case)
        failed = lifecycle.event(case, now, "workflow_failed", reason=summary, execution=execution)
        return Transition(case=lifecycle.advance(case, now, workflow_error=summary), events=(failed,))

    try:
        return _step(ctx, change(ctx, case_id, decide, action="mark_case_stalled").case)
    except (CaseMissing, NotFound):
        logger.error("stalled workflow for a missing case", extra={"case_id": case_id, "error": summary})
        return {"case_id": case_id, "next": "closed"}
