"""Independent reads issued together really run at once, answer in order, and carry the caller's context."""

from __future__ import annotations

import contextvars
import threading

import pytest

from chalicelib.services.together import together

REQUEST = contextvars.ContextVar("request", default="none")


def test_the_calls_run_at_the_same_time_and_answer_in_order() -> None:
    # each call waits for the other two to have started: run one after another, the first would time out
    all_started = threading.Barrier(3, timeout=5)

    def read(answer: int) -> int:
        all_started.wait()
        return answer

    assert together(lambda: read(1), lambda: read(2), lambda: read(3)) == (1, 2, 3)


def test_each_call_sees_the_callers_context() -> None:
    REQUEST.set("req-1")

    assert together(REQUEST.get, REQUEST.get) == ("req-1", "req-1")


def test_a_failure_is_raised_to_the_caller() -> None:
    def failing() -> int:
        raise LookupError("the table said no")

    with pytest.raises(LookupError, match="the table said no"):
        together(lambda: 1, failing)
