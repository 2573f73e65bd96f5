"""The test clock of the local runtime: end the window a case waits on now, as if its deadline had passed.

A person following the walk-through (or a test) cannot wait three days for a seller's
window. This makes the window due now and fails the parked wait with `DeadlineReached`,
which every wait state catches exactly like its `States.Timeout`: the same deadline
state, the same `handle_deadline`, the same consequence. In AWS it answers 404.
"""

from __future__ import annotations

from chalicelib.domain import lifecycle
from chalicelib.domain.errors import NotFound
from chalicelib.domain.models import Actor, Dispute
from chalicelib.services.cases import change
from chalicelib.services.context import Context


def advance(ctx: Context, actor: Actor, case_id: str, expected_version: int | None = None) -> Dispute:
    if not ctx.settings.is_local:
        raise NotFound("no resource at this path and method")
    advanced = change(
        ctx,
        case_id,
        lambda case, now: lifecycle.due_now(case, actor, now),
        actor=actor,
        action="advance_clock",
        expected_version=expected_version,
    ).case
    stored = ctx.cases.read(case_id)
    parked = stored.parked if stored else None
    if parked is not None and advanced.window is not None and parked.window_id == advanced.window.id:
        ctx.workflow.end_wait_now(parked.token)
    # Not parked yet: the wait sees its window already due when it parks (workflow_steps.park_task_token).
    return advanced
