"""The next step the state machine takes is derived from the case alone."""

from __future__ import annotations

from datetime import timedelta

from chalicelib.domain.workflow import next_step
from tests.factories import NOW, opened_case


def test_waits_until_the_reminder_first() -> None:
    step = next_step(opened_case(), NOW)

    assert step.next == "party_window"
    assert step.timeout_seconds == 48 * 3600


def test_after_the_reminder_waits_until_the_deadline() -> None:
    case = opened_case()
    assert case.window is not None
    reminded = case.model_copy(update={"window": case.window.model_copy(update={"reminded": True})})

    assert next_step(reminded, NOW + timedelta(hours=48)).timeout_seconds == 24 * 3600


def test_timeouts_round_up_to_whole_seconds_and_never_below_one() -> None:
    case = opened_case()
    assert case.window is not None
    remind_at = case.window.remind_at
    assert remind_at is not None

    assert next_step(case, remind_at - timedelta(milliseconds=1500)).timeout_seconds == 2
    assert next_step(case, remind_at + timedelta(seconds=30)).timeout_seconds == 1
