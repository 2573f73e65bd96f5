"""What the state machine should do next, derived from the case alone.

Every Lambda the workflow calls, and every API action that resumes it, returns
`next_step(case, now)`. The state machine routes on `next`: the kind of the
window the case waits on (one wait state per kind, `AwaitSellerResponse` for
`seller_response`, ...), else `rules` or `closed`. A wait state uses
`timeout_seconds` and names the window it parks on, so a late or duplicate
signal can always be recognised as stale.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from chalicelib.domain.models import Dispute, Status, WindowKind

# One value per WindowKind (the case waits on that window), then the two steps that wait on nothing.
NextState = Literal[
    "seller_response",
    "buyer_rebuttal",
    "info_request",
    "review",
    "appeal",
    "return_shipment",
    "return_receipt",
    "refund",
    "reshipment",
    "reshipment_receipt",
    "rules",
    "closed",
]


class WorkflowStep(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    case_id: str
    next: NextState
    window_id: str | None = None
    timeout_seconds: int | None = None


def waits_on(kind: WindowKind) -> NextState:
    """The step of a case waiting on a window of this kind: the kind's own value.

    mypy reads `kind.value` as the union of WindowKind's values, so a kind missing from NextState fails the
    type check here (and WorkflowStep's validation at run time).
    """
    return kind.value


def next_step(case: Dispute, now: datetime) -> WorkflowStep:
    if case.status == Status.CLOSED:
        return WorkflowStep(case_id=case.id, next="closed")
    window = case.window
    if window is None:
        return WorkflowStep(case_id=case.id, next="rules")
    timer_at = window.remind_at if window.remind_at and not window.reminded else window.due_at
    # Step Functions takes whole seconds, at least one; rounding up never fires early.
    seconds = max(1, math.ceil((timer_at - now).total_seconds()))
    return WorkflowStep(case_id=case.id, next=waits_on(window.kind), window_id=window.id, timeout_seconds=seconds)


@dataclass(frozen=True)
class ParkedWait:
    """The task token a wait state parked on the window `window_id`, so whoever ends that window resumes it.

    `on_case` is False only for a token parked, before tokens moved onto the case item, as an item of its own.
    """

    window_id: str
    token: str
    on_case: bool = True


@dataclass(frozen=True)
class StoredCase:
    """A case as a command reads it: the document, and the wait the workflow parked on it if it has yet."""

    case: Dispute
    parked: ParkedWait | None = None
