"""Every API route at its floor of AWS round trips (bench/aws_calls.py counts them).

Calls are deterministic, so a route that grows a call fails here rather than in a
benchmark nobody reran. Webhook events leave the request path in the case's own
transaction (the table's stream relays them), so no route publishes anything itself.
"""

from __future__ import annotations

import pytest

from bench.aws_calls import FLOORS, Calls, measure
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


@pytest.fixture(scope="module")
def measured(runtime: LocalRuntime, api: Api) -> dict[str, Calls]:
    return measure(api.client, runtime.resources.table_name)  # type: ignore[union-attr]


def test_every_route_has_a_budget_at_its_floor() -> None:
    assert BUDGETS == FLOORS


@pytest.mark.parametrize("route", list(BUDGETS))
def test_the_route_stays_within_its_budget_of_aws_calls(route: str, measured: dict[str, Calls]) -> None:
    calls = measured[route]
    assert calls.total <= BUDGETS[route], f"{route}: {calls.total} calls, budget {BUDGETS[route]}: {calls.operations}"
    assert calls.outbox == 0, f"{route} publishes webhook events itself: {calls.operations}"
