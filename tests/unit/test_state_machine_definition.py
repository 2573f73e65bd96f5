"""The one ASL file is valid States Language and follows the service's rules for every task."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

import statemachines
from infra.check import definition_problems, example_definition

Machine = dict[str, Any]


def test_the_definition_passes_statelint_and_the_service_rules() -> None:
    assert definition_problems(example_definition()) == []


def test_every_placeholder_names_a_workflow_function() -> None:
    assert statemachines.placeholders() <= statemachines.FUNCTIONS.keys()


def _dangling_next(machine: Machine) -> None:
    machine["States"]["ApplyRules"]["Next"] = "NoSuchState"


def _unreachable_state(machine: Machine) -> None:
    machine["States"]["Forgotten"] = {"Type": "Succeed"}


def _task_without_retry(machine: Machine) -> None:
    del machine["States"]["ApplyRules"]["Retry"]


def _task_without_catch_all(machine: Machine) -> None:
    machine["States"]["HandleDeadline"]["Catch"] = []


def _wait_without_deadline(machine: Machine) -> None:
    del machine["States"]["AwaitPartyEvidence"]["TimeoutSecondsPath"]


def _wait_without_timeout_catch(machine: Machine) -> None:
    state = machine["States"]["AwaitAppeal"]
    state["Catch"] = [c for c in state["Catch"] if "States.Timeout" not in c["ErrorEquals"]]


def _malformed_retrier(machine: Machine) -> None:
    machine["States"]["ApplyRules"]["Retry"][0]["BackoffRate"] = 0.5


@pytest.mark.parametrize(
    ("break_it", "expected"),
    [
        (_dangling_next, "NoSuchState"),
        (_unreachable_state, "Forgotten"),
        (_task_without_retry, "ApplyRules: a Task needs a Retry"),
        (_task_without_catch_all, "HandleDeadline: a Task needs a Catch on States.ALL"),
        (_wait_without_deadline, "AwaitPartyEvidence: a wait for a task token needs TimeoutSecondsPath"),
        (_wait_without_timeout_catch, "AwaitAppeal: a wait for a task token needs a Catch on States.Timeout"),
        (_malformed_retrier, "BackoffRate"),
    ],
)
def test_the_validator_rejects_a_broken_definition(break_it: Callable[[Machine], None], expected: str) -> None:
    # Given the real definition with one defect
    machine = json.loads(example_definition())
    break_it(machine)

    # When it is validated
    problems = definition_problems(json.dumps(machine))

    # Then the defect is reported
    assert any(expected in problem for problem in problems), problems
