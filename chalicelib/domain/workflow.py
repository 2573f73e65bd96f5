"""What the state machine should do next, derived from the case alone.

Every Lambda the workflow calls, and every API action that resumes it, returns
`next_step(case, now)`. The state machine routes on `next`; a wait state uses
`timeout_seconds` and names the window it parks on, so a late or duplicate
signal can always be recognised as stale.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from chalicelib.domain.models import Dispute, Status, WindowKind

NextState = Literal["party_window", "rules", "review", "appeal_window", "closed"]

WAIT_STATE: dict[WindowKind, NextState] = {
    WindowKind.SELLER_RESPONSE: "party_window",
    WindowKind.BUYER_REBUTTAL: "party_window",
    WindowKind.INFO_REQUEST: "party_window",
    WindowKind.REVIEW: "review",
    WindowKind.APPEAL: "appeal_window",
}


class WorkflowStep(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    case_id: str
    next: NextState
    window_id: str | None = None
    timeout_seconds: int | None = None


def next_step(case: Dispute, now: datetime) -> WorkflowStep:
    if case.status == Status.CLOSED:
        return WorkflowStep(case_id=case.id, next="closed")
    window = case.window
    if window is None:
        return WorkflowStep(case_id=case.id, next="rules")
    timer_at = window.remind_at if window.remind_at and not window.reminded else window.due_at
    # Step Functions takes whole seconds, at least one; rounding up never fires early.
    seconds = max(1, math.ceil((timer_at - now).total_seconds()))
    return WorkflowStep(case_id=case.id, next=WAIT_STATE[window.kind], window_id=window.id, timeout_seconds=seconds)
