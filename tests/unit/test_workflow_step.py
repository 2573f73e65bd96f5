"""The next step the state machine takes is derived from the case alone."""

from __future__ import annotations

from datetime import timedelta
from typing import get_args

import pytest

from chalicelib.domain.models import Status, WindowKind
from chalicelib.domain.workflow import NextState, next_step
from tests.factories import NOW, opened_case


def test_waits_until_the_reminder_first() -> None:
    step = next_step(opened_case(), NOW)

    assert step.next == "seller_response"
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


@pytest.mark.parametrize("kind", list(WindowKind))
def test_a_case_waiting_on_a_window_goes_to_the_wait_state_of_that_kind(kind: WindowKind) -> None:
    # Given a case whose open window is of this kind
    case = opened_case()
    assert case.window is not None
    waiting = case.model_copy(update={"window": case.window.model_copy(update={"kind": kind})})

    # When the workflow asks where to go
    step = next_step(waiting, NOW)

    # Then it waits on that window, named by its kind
    assert (step.next, step.window_id) == (kind.value, case.window.id)


def test_a_case_waiting_on_nothing_goes_to_the_rules_and_a_closed_case_ends() -> None:
    case = opened_case()

    assert next_step(case.model_copy(update={"window": None}), NOW).next == "rules"
    assert next_step(case.model_copy(update={"window": None, "status": Status.CLOSED}), NOW).next == "closed"


def test_the_steps_are_the_window_kinds_plus_rules_and_closed() -> None:
    assert set(get_args(NextState)) == {kind.value for kind in WindowKind} | {"rules", "closed"}
