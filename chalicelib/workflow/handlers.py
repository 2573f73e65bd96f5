"""Event parsing for the state machine's tasks; the work is in services.workflow_steps."""

from __future__ import annotations

from typing import Any

from chalicelib.bootstrap import context
from chalicelib.services import workflow_steps


def park_task_token(event: dict[str, Any]) -> dict[str, Any]:
    return workflow_steps.park_task_token(context(), event["case_id"], event["window_id"], event["task_token"])


def handle_deadline(event: dict[str, Any]) -> dict[str, Any]:
    return workflow_steps.handle_deadline(context(), event["case_id"], event["window_id"], event.get("window_kind"))


def apply_rules(event: dict[str, Any]) -> dict[str, Any]:
    return workflow_steps.apply_rules(context(), event["case_id"])


def mark_case_stalled(event: dict[str, Any]) -> dict[str, Any]:
    return workflow_steps.mark_case_stalled(
        context(), event["case_id"], event.get("error") or {}, event.get("execution_id", "")
    )
