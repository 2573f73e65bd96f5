"""The one way a case changes: load it, decide through the domain, commit, and retry on a conflicting writer.

API commands, workflow steps, evidence and messages all go through `change`, and every
write goes through `commit`, so what must happen on every commit happens on
every commit: the business metrics, the webhook outbox (written by the case
repository in the same transaction) and telling the workflow when a window
ended. A decision is a pure function of the case as read and the time; when
another writer got in first, the case is read again and the domain re-checks,
so concurrent callers see success or a meaningful 409/410, never a corrupt case.

A command reads the case together with the task token the workflow parked on its
window (`StoredCase`), and its write holds only if that token is still as read (see
adapters/cases.py): ending a window costs the read, the transaction and the
SendTaskSuccess, with no token read after the save.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from chalicelib.domain.access import require_role, require_visible
from chalicelib.domain.errors import StaleVersion, TransientStorageError, VersionConflict, WorkflowSignalFailed
from chalicelib.domain.evidence_models import EvidenceChange
from chalicelib.domain.message_models import MessageChange
from chalicelib.domain.models import Actor, Dispute, Transition
from chalicelib.domain.workflow import StoredCase, next_step
from chalicelib.observability import logger, record_case_events
from chalicelib.services.context import Context

MAX_ATTEMPTS = 5

C = TypeVar("C", Transition, EvidenceChange, MessageChange)
Decide = Callable[[Dispute, datetime], C]


class CaseMissing(Exception):
    """The workflow names a case that is not stored: not retryable, lands in MarkCaseStalled."""


def load_visible(ctx: Context, actor: Actor, case_id: str, action: str) -> Dispute:
    require_role(actor, action)
    return require_visible(actor, ctx.cases.get(case_id), case_id)


def load(ctx: Context, case_id: str) -> Dispute:
    """A case as the workflow reads it: no caller to authorize, and absence is a broken workflow."""
    case = ctx.cases.get(case_id)
    if case is None:
        raise CaseMissing(case_id)
    return case


def change(
    ctx: Context,
    case_id: str,
    decide: Decide[C],
    *,
    actor: Actor | None = None,
    action: str = "",
    expected_version: int | None = None,
    read: Callable[[], StoredCase | None] | None = None,
    attempts: int = MAX_ATTEMPTS,
) -> C:
    """Run `decide(case, now)` on the latest case and commit what it decided; answer it as saved.

    `actor` is the API caller (authorized for `action` and the case); without one the
    change comes from the workflow itself. `expected_version` is the client's If-Match.
    `read` reads the case (by default `ctx.cases.read`), for a use case that reads more
    of the case's partition in the same call. `attempts` bounds the reads and writes: a use case whose writers
    collide with each other more than with the case (messages) may allow more.
    """
    busy: TransientStorageError | None = None
    for _ in range(attempts):
        stored = _read(ctx, case_id, actor, action, read)
        case = stored.case
        if expected_version is not None and case.version != expected_version:
            raise StaleVersion(
                f"the case is at version {case.version}, not {expected_version}", [{"version": case.version}]
            )
        decided = decide(case, ctx.clock())
        try:
            return commit(ctx, decided, read=stored, by_workflow=actor is None)
        except VersionConflict:
            logger.info("case changed under a command; retrying", extra={"case_id": case_id, "action": action})
        except TransientStorageError as error:  # throttled, or a transaction collided: nothing was written
            busy = error
            logger.info("storage busy under a command; retrying", extra={"case_id": case_id, "action": action})
    if busy is not None:
        raise busy
    raise VersionConflict("the case is changing too fast; retry the request")


def _read(
    ctx: Context, case_id: str, actor: Actor | None, action: str, read: Callable[[], StoredCase | None] | None
) -> StoredCase:
    """`load` or `load_visible`, with the parked token."""
    if actor is not None:
        require_role(actor, action)
    stored = read() if read is not None else ctx.cases.read(case_id)
    if actor is not None:
        require_visible(actor, stored.case if stored else None, case_id)
    if stored is None:
        raise CaseMissing(case_id)  # a caller got NotFound above
    return stored


def create(ctx: Context, transition: Transition) -> Dispute:
    """A new case: stored with its first events, counted, and its workflow started."""
    case = commit(ctx, transition, read=None).case
    ctx.workflow.start(next_step(case, ctx.clock()))
    return case


def commit(ctx: Context, decided: C, *, read: StoredCase | None, by_workflow: bool = False) -> C:
    """Store what was decided about the case `read` (None: a new case), in one transaction, then
    count it and, when a caller ended the window the workflow waits on, resume the workflow.

    Nothing is written when nothing changed (a repeated claim, a step already applied).
    """
    if isinstance(decided, EvidenceChange):
        if decided.write is None:
            return decided
        ctx.evidence.save(decided)
        saved: C = decided
    elif isinstance(decided, MessageChange):
        ctx.messages.save(decided)  # beside the case, never in it: its version stays
        saved = decided
    elif read is None:
        saved = decided.model_copy(update={"case": ctx.cases.create(decided)})
    elif not decided.changes(read.case):
        return decided
    else:
        saved = decided.model_copy(update={"case": ctx.cases.save(decided, read.parked)})
    record_case_events(decided.events, saved.case.created_at)
    if read is not None and isinstance(saved, Transition) and not by_workflow:
        resume_workflow(ctx, read, saved.case)
    return saved


def resume_workflow(ctx: Context, read: StoredCase, after: Dispute) -> None:
    """If the change ended the window the workflow waits on, tell it what comes next, with the token read."""
    before, parked = read.case, read.parked
    if before.window is None or (after.window is not None and after.window.id == before.window.id):
        return
    if parked is None or parked.window_id != before.window.id:
        # The wait state had not parked when the case was read, nor before the write (which was conditional on
        # that); when it parks, it sees the window ended and moves on.
        return
    try:
        ctx.workflow.resume(parked.token, next_step(after, ctx.clock()))
    except WorkflowSignalFailed as error:
        # The change is saved: the caller must hear so. The parked wait's own timer moves the workflow on
        # (its deadline state finds the window already ended), so nothing is lost but time.
        logger.warning("could not resume the workflow", extra={"case_id": after.id, "error": str(error)})
