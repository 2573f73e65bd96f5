"""Every API route at its floor of AWS round trips (bench/aws_calls.py counts them).

Calls are deterministic, so a route that grows a call fails here rather than in a
benchmark nobody reran. Webhook events leave the request path in the case's own
transaction (the table's stream relays them), so no route publishes anything itself.
"""

from __future__ import annotations

import pytest

from bench.aws_calls import FLOORS, Calls, measure_all
from localrun.runtime import LocalRuntime
from tests.integration.conftest import Api

# route: budget of calls = issue 19's floor (bench/aws_calls.py FLOORS), and no inline webhook publish
BUDGETS = {
    "PUT /v1/after-sales/{id}": 1,
    "POST /v1/disputes": 3,
    "GET /v1/disputes/{id}": 1,
    "GET /v1/disputes/{id}/events": 1,
    "POST .../evidence (file)": 2,
    "POST .../evidence/{id}/complete": 3,
    "POST .../submit": 3,
    "POST .../offers": 2,
    "POST .../offers/{id}/accept": 3,
    "POST .../ruling": 3,
}


# workflow step: budget of calls per invocation (the stored case decides what a step reads)
STEP_BUDGETS = {
    "park_task_token": 1,  # one conditional UpdateItem; its old image is the case as parked
    "apply_rules": 5,  # the case, the buyer's totals, the seller's live points, the verified evidence, the ruling
}
# Sequential round trips: apply_rules reads the case, then the three reads that depend only on it, together.
STEP_ROUND_TRIPS = {"park_task_token": 1, "apply_rules": 3}


@pytest.fixture(scope="module")
def walked(runtime: LocalRuntime, api: Api) -> tuple[dict[str, Calls], dict[str, list[Calls]]]:
    return measure_all(api.client, runtime.resources.table_name)  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def measured(walked: tuple[dict[str, Calls], dict[str, list[Calls]]]) -> dict[str, Calls]:
    return walked[0]


def test_every_route_has_a_budget_at_its_floor() -> None:
    assert BUDGETS == FLOORS


@pytest.mark.parametrize("route", list(BUDGETS))
def test_the_route_stays_within_its_budget_of_aws_calls(route: str, measured: dict[str, Calls]) -> None:
    calls = measured[route]
    assert calls.total <= BUDGETS[route], f"{route}: {calls.total} calls, budget {BUDGETS[route]}: {calls.operations}"
    assert calls.outbox == 0, f"{route} publishes webhook events itself: {calls.operations}"


@pytest.mark.parametrize("step", list(STEP_BUDGETS))
def test_each_workflow_step_stays_within_its_budget_of_aws_calls(
    step: str, walked: tuple[dict[str, Calls], dict[str, list[Calls]]]
) -> None:
    invocations = walked[1][step]
    assert invocations, f"the walk never ran {step}"
    worst = max(invocations, key=lambda calls: calls.total)
    assert worst.total <= STEP_BUDGETS[step], f"{step}: {worst.total} calls: {worst.operations}"
    slowest = max(calls.round_trips for calls in invocations)
    assert slowest <= STEP_ROUND_TRIPS[step], f"{step}: {slowest} sequential round trips"
