"""Loading a case as a caller may see it, and applying a command to it safely.

A command is a pure function from the current case to a Transition. It runs
against a fresh read; if another writer got in first, the read and the command
are repeated (the domain re-checks state), so concurrent callers see either
success or a meaningful 409/410, never a corrupt case.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from chalicelib.adapters.dynamodb import VersionConflict
from chalicelib.domain.access import require_role, require_visible
from chalicelib.domain.errors import StaleVersion
from chalicelib.domain.models import Actor, Dispute, Transition
from chalicelib.domain.workflow import next_step
from chalicelib.observability import logger, record_case_events
from chalicelib.services.context import Context

MAX_ATTEMPTS = 5

Command = Callable[[Dispute, datetime], Transition]


def load_visible(ctx: Context, actor: Actor, case_id: str, action: str) -> Dispute:
    require_role(actor, action)
    return require_visible(actor, ctx.repo.get_case(case_id), case_id)


def apply_command(
    ctx: Context,
    actor: Actor,
    case_id: str,
    action: str,
    command: Command,
    *,
    expected_version: int | None = None,
) -> Dispute:
    """Run `command(case, now)` on the latest case, save it with its events, and resume the workflow."""
    for _ in range(MAX_ATTEMPTS):
        case = load_visible(ctx, actor, case_id, action)
        if expected_version is not None and case.version != expected_version:
            raise StaleVersion(
                f"the case is at version {case.version}, not {expected_version}",
                [{"version": case.version}],
            )
        transition = command(case, ctx.clock())
        try:
            ctx.repo.save(transition)
        except VersionConflict:
            logger.info(
                "case changed under a command; retrying",
                extra={"case_id": case_id, "action": action},
            )
            continue
        resume_workflow(ctx, case, transition.case)
        return transition.case
    raise StaleVersion("the case is changing too fast; retry the request")


def commit(ctx: Context, transition: Transition) -> Dispute:
    """Save a transition (conditional on its version) and count what it means for the business."""
    saved = ctx.repo.save(transition)
    record_case_events(transition.events, saved.created_at)
    return saved


def resume_workflow(ctx: Context, before: Dispute, after: Dispute) -> None:
    """If the command ended the window the workflow waits on, tell it what comes next."""
    if before.window is None or (after.window is not None and after.window.id == before.window.id):
        return
    token = ctx.repo.get_task_token(before.id, before.window.id)
    if token is None:
        # The wait state has not parked yet; when it does, it sees the window ended and moves on.
        return
    ctx.workflow.resume(token, next_step(after, ctx.clock()))
