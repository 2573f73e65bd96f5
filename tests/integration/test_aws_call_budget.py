"""Every API route within its budget of AWS round trips (bench/aws_calls.py counts them).

Calls are deterministic, so a route that grows a call fails here rather than in a
benchmark nobody reran. A budget is what the route costs today; issue 19's floor
stands beside it. Without the webhook outbox's inline publish (an SQS send and an
outbox update per event, which leaves the request path with the stream-fed outbox)
every route is at its floor, and must stay there.
"""

from __future__ import annotations

import pytest

from bench.aws_calls import FLOORS, Calls, measure
from localrun.runtime import LocalRuntime
from tests.integration.conftest import Api

# route: (budget of calls, of which the inline outbox publish)
BUDGETS = {
    "PUT /v1/after-sales/{id}": (1, 0),  # floor 1
    "POST /v1/disputes": (8, 4),  # floor 4: issue 19's 3 and the policy version in force (issue 23)
    "GET /v1/disputes/{id}": (1, 0),  # floor 1
    "GET /v1/disputes/{id}/events": (1, 0),  # floor 1
    "POST .../evidence (file)": (2, 0),  # floor 2
    "POST .../evidence/{id}/complete": (3, 0),  # floor 3
    "POST .../submit": (7, 4),  # floor 3
    "POST .../offers": (4, 2),  # floor 2
    "POST .../offers/{id}/accept": (7, 4),  # floor 3
    "POST .../ruling": (5, 2),  # floor 3
}


@pytest.fixture(scope="module")
def measured(runtime: LocalRuntime, api: Api) -> dict[str, Calls]:
    return measure(api.client, runtime.resources.table_name)  # type: ignore[union-attr]


def test_every_route_has_a_budget_and_a_floor() -> None:
    assert set(BUDGETS) == set(FLOORS)


@pytest.mark.parametrize("route", list(BUDGETS))
def test_the_route_stays_within_its_budget_of_aws_calls(route: str, measured: dict[str, Calls]) -> None:
    budget, outbox = BUDGETS[route]
    calls = measured[route]
    assert calls.total <= budget, f"{route}: {calls.total} calls, budget {budget}: {calls.operations}"
    assert calls.outbox <= outbox, f"{route}: {calls.outbox} outbox publishes, budget {outbox}: {calls.operations}"
    assert calls.total - calls.outbox <= FLOORS[route], f"{route} is above its floor: {calls.operations}"
