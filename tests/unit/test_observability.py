"""Business metrics come out as CloudWatch EMF lines, and workflow logs carry the case and execution."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from typing import Any

import pytest

from chalicelib.domain import lifecycle, timers
from chalicelib.domain.policy import Deadlines
from chalicelib.observability import lambda_entry, logger, record_case_events
from tests.factories import NOW, opened_case, saved


def emitted(output: str) -> dict[str, dict[str, Any]]:
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{") and '"_aws"' in line]
    return {line["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Name"]: line for line in lines}


def test_case_events_become_metrics_with_their_dimensions(capsys: pytest.CaptureFixture[str]) -> None:
    case = opened_case()
    assert case.window is not None
    missed = timers.window_timed_out(case, case.window.id, Deadlines(), case.window.due_at)
    assert missed is not None
    ruled = lifecycle.event(case, NOW + timedelta(hours=80), "ruled", outcome="refund_full", decided_by="rev-1")

    record_case_events([*missed.events, ruled], NOW)

    metrics = emitted(capsys.readouterr().out)
    assert metrics["DeadlinesMissed"]["window"] == "seller_response"
    assert metrics["Rulings"]["decider"] == "reviewer" and metrics["Rulings"]["outcome"] == "refund_full"
    assert metrics["TimeToRuling"]["TimeToRuling"] == [80 * 3600.0]
    assert metrics["Rulings"]["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "Disputes"


def test_a_review_past_its_sla_is_counted_for_the_alarm_on_it(capsys: pytest.CaptureFixture[str]) -> None:
    # infra's ReviewSlaBreachedAlarm watches this metric with the `service` dimension only
    case = opened_case()
    in_review = saved(lifecycle.open_review(case.model_copy(update={"window": None}), Deadlines(), NOW, reason="t"))
    assert in_review.window is not None
    breached = timers.window_timed_out(in_review, in_review.window.id, Deadlines(), in_review.window.due_at)
    assert breached is not None

    record_case_events(breached.events, NOW)

    metric = emitted(capsys.readouterr().out)["ReviewSlaBreached"]
    assert metric["ReviewSlaBreached"] == [1.0]
    assert metric["_aws"]["CloudWatchMetrics"][0]["Dimensions"] == [["service"]]


def test_workflow_lambda_logs_carry_case_and_execution() -> None:
    stream = io.StringIO()
    previous = logger.registered_handler.setStream(stream)  # type: ignore[attr-defined]

    @lambda_entry
    def step(event: dict[str, Any], context: Any) -> str:
        logger.info("working")
        return "done"

    try:
        assert step({"case_id": "dsp_1", "execution_id": "arn:exec:1"}, None) == "done"
        logger.info("after")
    finally:
        logger.registered_handler.setStream(previous)  # type: ignore[attr-defined]

    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    working = next(line for line in lines if line["message"] == "working")
    after = next(line for line in lines if line["message"] == "after")
    assert working["case_id"] == "dsp_1" and working["execution_id"] == "arn:exec:1"
    assert "case_id" not in after
