"""The one ASL file is valid States Language, is what its source generates, follows the service's rules for
every task, and names one wait state per window kind."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from typing import Any, get_args

import pytest

import statemachines
from chalicelib.domain.models import WindowKind
from chalicelib.domain.workflow import NextState
from infra.check import definition_problems, example_definition
from statemachines import build

Machine = dict[str, Any]
CALLBACK = "arn:aws:states:::lambda:invoke.waitForTaskToken"
STATE_NAME = re.compile(r"^(?:(?:Route|Await|Apply|Mark|Case|Unknown|Workflow)[A-Z]\w*|[A-Z]\w*(?:Due|Ends))$")
TRANSIENT_ERRORS = {
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
    "Lambda.Unknown",
    "TransientStorageError",
}


def committed() -> Machine:
    loaded: Machine = json.loads(statemachines.DEFINITION_PATH.read_text())
    return loaded


def tasks(of: Machine) -> dict[str, Any]:
    return {name: state for name, state in of["States"].items() if state["Type"] == "Task"}


def waits(of: Machine) -> dict[str, Any]:
    return {name: state for name, state in tasks(of).items() if state["Resource"] == CALLBACK}


def routes(of: Machine) -> dict[str, str]:
    """RouteCase: the value of `next` -> the state it goes to."""
    choices = of["States"]["RouteCase"]["Choices"]
    assert all(choice["Variable"] == "$.next" for choice in choices)
    values = [choice["StringEquals"] for choice in choices]
    assert [value for value, count in Counter(values).items() if count > 1] == []
    return {choice["StringEquals"]: choice["Next"] for choice in choices}


def timer_target(wait: dict[str, Any]) -> str:
    (catcher,) = [c for c in wait["Catch"] if "States.Timeout" in c["ErrorEquals"]]
    target: str = catcher["Next"]
    return target


def test_the_definition_passes_statelint_and_the_service_rules() -> None:
    assert definition_problems(example_definition()) == []


def test_every_placeholder_names_a_workflow_function() -> None:
    assert statemachines.placeholders() <= statemachines.FUNCTIONS.keys()


def test_the_committed_definition_is_what_its_source_generates() -> None:
    assert statemachines.DEFINITION_PATH.read_text() == build.render(), (
        "dispute.asl.json differs from dispute.source.json: edit the source, then run `python -m statemachines.build`"
    )


def test_route_case_has_one_branch_per_step_and_an_unknown_one_stalls_the_case() -> None:
    definition = committed()
    route_case = definition["States"]["RouteCase"]

    assert set(routes(definition)) == set(get_args(NextState))
    assert routes(definition)["rules"] == "ApplyRules"
    assert routes(definition)["closed"] == "CaseClosed"
    assert route_case["Default"] == "UnknownStep"
    assert definition["States"]["UnknownStep"]["Next"] == "MarkCaseStalled"


@pytest.mark.parametrize("kind", list(WindowKind))
def test_each_window_kind_has_one_wait_state_named_for_it_with_its_deadline(kind: WindowKind) -> None:
    definition = committed()
    named = "Await" + "".join(word.title() for word in kind.value.split("_"))

    wait = waits(definition)[routes(definition)[kind.value]]

    assert routes(definition)[kind.value] == named
    assert wait["TimeoutSecondsPath"] == "$.timeout_seconds"
    assert wait["Parameters"]["FunctionName"] == "${ParkTaskTokenFunctionArn}"
    assert wait["Next"] == "RouteCase"


def test_every_wait_is_reached_only_from_route_case_for_its_own_window_kind() -> None:
    definition = committed()

    routed = {state: value for value, state in routes(definition).items()}

    assert {routed[name] for name in waits(definition)} == {kind.value for kind in WindowKind}
    assert len(waits(definition)) == len(WindowKind)


def test_every_timer_goes_to_its_own_deadline_state_which_handles_it_and_routes_again() -> None:
    definition = committed()
    by_wait = {name: timer_target(wait) for name, wait in waits(definition).items()}
    kind_of = {state: value for value, state in routes(definition).items()}

    assert len(set(by_wait.values())) == len(by_wait), "two waits share a deadline state"
    for wait, deadline in by_wait.items():
        handler = definition["States"][deadline]
        assert re.fullmatch(r"[A-Z]\w*(Due|Ends)", deadline), deadline
        assert handler["Type"] == "Task"
        assert handler["Resource"] == "arn:aws:states:::lambda:invoke"
        assert handler["Parameters"]["FunctionName"] == "${HandleDeadlineFunctionArn}"
        assert handler["Parameters"]["Payload"] == {
            "case_id.$": "$.case_id",
            "window_id.$": "$.window_id",
            "window_kind": kind_of[wait],
            "execution_id.$": "$$.Execution.Id",
        }
        assert (handler["OutputPath"], handler["Next"]) == ("$.Payload", "RouteCase")
    handlers = {
        name
        for name, state in tasks(definition).items()
        if state["Parameters"]["FunctionName"] == "${HandleDeadlineFunctionArn}"
    }
    assert handlers == set(by_wait.values())


def test_every_task_retries_transient_errors_alike_and_stalls_the_case_on_anything_else() -> None:
    definition = committed()
    retries = {json.dumps(state["Retry"]) for state in tasks(definition).values()}

    (retry,) = [json.loads(r) for r in retries]
    (retrier,) = retry
    assert set(retrier["ErrorEquals"]) == TRANSIENT_ERRORS
    assert (retrier["IntervalSeconds"], retrier["MaxAttempts"], retrier["BackoffRate"]) == (1, 4, 2.0)
    for name, state in tasks(definition).items():
        catch_all = state["Catch"][-1]
        assert catch_all["ErrorEquals"] == ["States.ALL"], name
        if name == "MarkCaseStalled":
            assert catch_all == {"ErrorEquals": ["States.ALL"], "Next": "WorkflowFailed"}
        else:
            assert catch_all == {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "MarkCaseStalled"}


def test_state_names_say_what_the_case_is_doing() -> None:
    assert [name for name in committed()["States"] if not STATE_NAME.match(name)] == []


def _reference_to_nothing(source: Machine) -> None:
    source["States"]["ApplyRules"]["Retry"] = "#no_such_policy"


def _two_states_one_name(source: Machine) -> None:
    source["States"]["AwaitAppeal"]["Deadline"] = "ReviewDue"


def _window_without_a_deadline(source: Machine) -> None:
    del source["States"]["AwaitRefund"]["Deadline"]


def _window_field_outside_a_window(source: Machine) -> None:
    source["States"]["ApplyRules"]["Comment"] = "<comment>"


@pytest.mark.parametrize(
    ("break_it", "expected"),
    [
        (_reference_to_nothing, "'#no_such_policy' names nothing"),
        (_two_states_one_name, "two states are named ReviewDue"),
        (_window_without_a_deadline, "the window AwaitRefund needs 'Deadline'"),
        (_window_field_outside_a_window, "'<comment>' has no value here"),
    ],
)
def test_the_generator_rejects_a_broken_source(break_it: Callable[[Machine], None], expected: str) -> None:
    source = json.loads(statemachines.SOURCE_PATH.read_text())
    break_it(source)

    with pytest.raises(build.SourceError, match=re.escape(expected)):
        build.definition(source)


def _dangling_next(machine: Machine) -> None:
    machine["States"]["ApplyRules"]["Next"] = "NoSuchState"


def _unreachable_state(machine: Machine) -> None:
    machine["States"]["Forgotten"] = {"Type": "Succeed"}


def _task_without_retry(machine: Machine) -> None:
    del machine["States"]["ApplyRules"]["Retry"]


def _task_without_catch_all(machine: Machine) -> None:
    machine["States"]["SellerResponseDue"]["Catch"] = []


def _wait_without_deadline(machine: Machine) -> None:
    del machine["States"]["AwaitSellerResponse"]["TimeoutSecondsPath"]


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
        (_task_without_catch_all, "SellerResponseDue: a Task needs a Catch on States.ALL"),
        (_wait_without_deadline, "AwaitSellerResponse: a wait for a task token needs TimeoutSecondsPath"),
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
