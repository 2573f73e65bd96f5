"""AWS calls per API route: every botocore call (DynamoDB, S3, SQS, Step Functions) a request makes itself.

In AWS a Lambda's latency is its sequential round trips, so a route costs what it
calls on its own thread. The workflow's Lambdas and the webhook worker run on other
threads of the local runtime and are not counted here (cost_per_case counts them).
An inline webhook publish (an SQS send, or an update of an outbox item) is counted
apart: before issue 19 every event was published on the request path; now the table's
stream relays the outbox items, and the count must stay 0. Counts are deterministic: each party acts once the workflow
waits for it, so a command finds the wait parked and nobody writes the case under it.

`python -m bench.aws_calls` prints the table; tests/integration/test_aws_call_budget.py
holds every route to its budget.
"""

from __future__ import annotations

import contextvars
import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import requests
from chalice.test import Client

from app import app
from bench.common import POLICIES, headers, request_body, table
from chalicelib.adapters.aws import client
from chalicelib.adapters.cases import case_key
from chalicelib.adapters.table import json_text
from chalicelib.workflow import handlers as workflow_handlers
from localrun.runtime import LocalRuntime

SERVICES = ("dynamodb", "s3", "sqs", "stepfunctions")
STOREFRONT = "calls"  # no policy file: the default policy, whose windows stay open for days
SHOP = headers("storefront", "calls-shop", STOREFRONT)
BUYER, SELLER = headers("buyer", "buyer-1", STOREFRONT), headers("seller", "seller-1", STOREFRONT)
REVIEWER = headers("reviewer", "rev-1", "platform")


@dataclass(frozen=True)
class Route:
    name: str
    floor: int  # the fewest round trips a correct design needs: issue 19's, and for the two it does not list
    # (declaring evidence, making an offer) one read and one transaction


ROUTES = (
    Route("PUT /v1/after-sales/{id}", 1),
    # the request and the policy version in force (issue 23) in one BatchGetItem, the transaction, the start
    Route("POST /v1/disputes", 3),
    Route("GET /v1/disputes/{id}", 1),
    Route("GET /v1/disputes/{id}/events", 1),
    Route("POST .../evidence (file)", 2),
    Route("POST .../evidence/{id}/complete", 3),
    Route("POST .../submit", 3),
    Route("POST .../offers", 2),
    Route("POST .../offers/{id}/accept", 3),
    Route("POST .../ruling", 3),
)
FLOORS = {route.name: route.floor for route in ROUTES}
# (calls, of which outbox publish) measured at 1608176, before the calls were cut: docs/BENCHMARKS.md's "before".
BEFORE = {
    "PUT /v1/after-sales/{id}": (2, 0),
    "POST /v1/disputes": (7, 4),
    "GET /v1/disputes/{id}": (1, 0),
    "GET /v1/disputes/{id}/events": (2, 0),
    "POST .../evidence (file)": (2, 0),
    "POST .../evidence/{id}/complete": (5, 0),
    "POST .../submit": (8, 4),
    "POST .../offers": (4, 2),
    "POST .../offers/{id}/accept": (8, 4),
    "POST .../ruling": (6, 2),
}


@dataclass
class Calls:
    """The calls of one request or step, by `service.Operation`, and the thread each was made on;
    `outbox` are the inline webhook publishes among them."""

    owner: int = field(default_factory=threading.get_ident)
    operations: list[str] = field(default_factory=list)
    threads: list[int] = field(default_factory=list)
    outbox: int = 0

    @property
    def total(self) -> int:
        return len(self.operations)

    @property
    def round_trips(self) -> int:
        """Sequential round trips: each call on the request's own thread, and each run of calls it issued
        together on other threads while it waited (services/together.py) as one."""
        trips, helping = 0, False
        for thread in self.threads:
            if thread == self.owner:
                trips, helping = trips + 1, False
            elif not helping:
                trips, helping = trips + 1, True
        return trips


class CallCounter:
    """A botocore `before-call` hook that counts only the calls made inside `counting()`: on its thread, or on
    threads that run in a copy of its context (calls issued together)."""

    def __init__(self) -> None:
        self.current: contextvars.ContextVar[Calls | None] = contextvars.ContextVar("counted_calls", default=None)
        self.lock = threading.Lock()

    def __call__(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        calls = self.current.get()
        if calls is None:
            return
        service = model.service_model.service_name
        with self.lock:
            calls.operations.append(f"{service}.{model.name}")
            calls.threads.append(threading.get_ident())
            if service == "sqs" or (model.name == "UpdateItem" and _is_outbox(params)):
                calls.outbox += 1

    @contextmanager
    def counting(self) -> Iterator[Calls]:
        calls = Calls()
        token = self.current.set(calls)
        try:
            yield calls
        finally:
            self.current.reset(token)

    @contextmanager
    def installed(self) -> Iterator[CallCounter]:
        clients = [client(service) for service in SERVICES]
        for each in clients:
            each.meta.events.register("before-call", self)
        try:
            yield self
        finally:
            for each in clients:
                each.meta.events.unregister("before-call", self)


def _is_outbox(request: dict[str, Any]) -> bool:
    """An update of an outbox entry (marking it published), from the serialized request `before-call` sees."""
    body = request.get("body") or b"{}"
    key = json.loads(body.decode() if isinstance(body, bytes) else body).get("Key") or {}
    return str(key.get("PK", {}).get("S", "")).startswith("WEBHOOK_OUTBOX#")


def wait(probe: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not probe():
        if time.monotonic() > deadline:
            raise TimeoutError("the workflow did not reach its wait in time")
        time.sleep(0.05)


class Driver:
    """Walks cases through the routes, each request counted on its own."""

    def __init__(self, api: Client, counter: CallCounter, table_name: str) -> None:
        self.api, self.counter, self.table_name = api, counter, table_name
        self.measured: dict[str, Calls] = {}

    def call(self, route: str | None, method: str, path: str, token: dict[str, str], body: Any = None) -> Any:
        with self.counter.counting() as calls:
            response = getattr(self.api.http, method.lower())(path, headers=token, body=json.dumps(body or {}))
        assert response.status_code < 300, (path, response.status_code, response.body)
        if route is not None:
            self.measured.setdefault(route, calls)  # the first time a route runs: the same on every run
        return json.loads(response.body) if response.body else None

    def parked(self, case_id: str, kind: str) -> None:
        """Until the workflow waits on the case's `kind` window with its task token parked."""

        def waiting() -> bool:
            item = client("dynamodb").get_item(TableName=self.table_name, Key=case_key(case_id), ConsistentRead=True)
            window = json.loads(json_text(item["Item"]["doc"])).get("window") or {}
            if window.get("kind") != kind:
                return False
            return bool(item["Item"].get("parked_window", {}).get("S") == window["id"])

        wait(waiting)

    def escalate(self, reason: str, route: bool = False) -> str:
        request_id = f"calls-{reason}-{time.time_ns()}"
        body = request_body(request_id, reason)
        self.call("PUT /v1/after-sales/{id}" if route else None, "PUT", f"/v1/after-sales/{request_id}", SHOP, body)
        case = self.call(
            "POST /v1/disputes" if route else None,
            "POST",
            "/v1/disputes",
            BUYER,
            {"request_id": request_id, "statement": "it arrived broken"},
        )
        return str(case["id"])

    def walk(self) -> dict[str, Calls]:
        # A case read, its timeline read, a photo added and verified, the seller's submission.
        case_id = self.escalate("quality_defect", route=True)
        self.parked(case_id, "seller_response")
        self.call("GET /v1/disputes/{id}", "GET", f"/v1/disputes/{case_id}", BUYER)
        self.call("GET /v1/disputes/{id}/events", "GET", f"/v1/disputes/{case_id}/events", BUYER)
        declared = {"kind": "photo", "content_type": "image/png", "size": len(PNG_BYTES)}
        added = self.call("POST .../evidence (file)", "POST", f"/v1/disputes/{case_id}/evidence", SELLER, declared)
        upload = added["upload"]
        posted = requests.post(upload["url"], data=upload["fields"], files={"file": ("p.png", PNG_BYTES)}, timeout=10)
        assert posted.status_code < 300, posted.text
        path = f"/v1/disputes/{case_id}/evidence/{added['evidence_id']}/complete"
        self.call("POST .../evidence/{id}/complete", "POST", path, SELLER)
        self.call("POST .../submit", "POST", f"/v1/disputes/{case_id}/submit", SELLER)
        # The buyer submits too; the rules send a quality claim without the buyer's photos to a reviewer.
        self.parked(case_id, "buyer_rebuttal")
        self.call(None, "POST", f"/v1/disputes/{case_id}/submit", BUYER)
        self.parked(case_id, "review")
        self.call(
            "POST .../ruling", "POST", f"/v1/disputes/{case_id}/ruling", REVIEWER, {"accept_recommendation": True}
        )
        # A settlement: the seller offers in its window, the buyer accepts.
        settled = self.escalate("quality_defect")
        self.parked(settled, "seller_response")
        offer = self.call("POST .../offers", "POST", f"/v1/disputes/{settled}/offers", SELLER, {"amount": 6_000})
        accept = f"/v1/disputes/{settled}/offers/{offer['id']}/accept"
        self.call("POST .../offers/{id}/accept", "POST", accept, BUYER)
        return self.measured


# The smallest PNG: a 1x1 transparent pixel.
PNG_BYTES = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


WORKFLOW_STEPS = ("park_task_token", "handle_deadline", "apply_rules", "mark_case_stalled")


@contextmanager
def counting_steps(counter: CallCounter) -> Iterator[dict[str, list[Calls]]]:
    """Each workflow Lambda invocation's calls, by step. app.py looks its handler up at every call, so wrapping
    the handlers for the walk counts them on the Lambda endpoint's threads."""
    seen: dict[str, list[Calls]] = {name: [] for name in WORKFLOW_STEPS}
    lock = threading.Lock()
    originals = {name: getattr(workflow_handlers, name) for name in WORKFLOW_STEPS}

    def counted(name: str, handler: Callable[[dict[str, Any]], dict[str, Any]]) -> Any:
        def step(event: dict[str, Any]) -> dict[str, Any]:
            with counter.counting() as calls:
                answer = handler(event)
            with lock:
                seen[name].append(calls)
            return answer

        return step

    for name, handler in originals.items():
        setattr(workflow_handlers, name, counted(name, handler))
    try:
        yield seen
    finally:
        for name, handler in originals.items():
            setattr(workflow_handlers, name, handler)


def measure(api: Client, table_name: str) -> dict[str, Calls]:
    """Every route's calls, on a local runtime already running in this process."""
    return measure_all(api, table_name)[0]


def measure_all(api: Client, table_name: str) -> tuple[dict[str, Calls], dict[str, list[Calls]]]:
    """Every route's calls, and every workflow step invocation's, over the same walk."""
    counter = CallCounter()
    with counter.installed(), counting_steps(counter) as steps:
        routes = Driver(api, counter, table_name).walk()
        return routes, {name: list(calls) for name, calls in steps.items()}


def step_rows(steps: dict[str, list[Calls]]) -> list[dict[str, Any]]:
    """Per workflow step: how often it ran in the walk, its fewest and most calls, and its usual operations."""
    rows = []
    for name, invocations in steps.items():
        if not invocations:
            continue
        totals = sorted(calls.total for calls in invocations)
        seen = Counter(tuple(calls.operations) for calls in invocations)
        usual = max(invocations, key=lambda calls: (seen[tuple(calls.operations)], calls.total))
        rows.append(
            {
                "step": name,
                "invocations": len(invocations),
                "fewest": totals[0],
                "most": totals[-1],
                "round_trips": max(calls.round_trips for calls in invocations),
                "operations": usual.operations,
            }
        )
    return rows


def rows(measured: dict[str, Calls]) -> list[dict[str, Any]]:
    return [
        {
            "route": route.name,
            "calls": measured[route.name].total,
            "outbox_publish": measured[route.name].outbox,
            "floor": route.floor,
            "operations": measured[route.name].operations,
        }
        for route in ROUTES
    ]


def run() -> list[dict[str, Any]]:
    """Rows per route (`route`), then per workflow step (`step`)."""
    with LocalRuntime(serve_api=False, extra_environment={"POLICY_DIR": str(POLICIES)}) as runtime, Client(app) as api:
        routes, steps = measure_all(api, runtime.resources.table_name)  # type: ignore[union-attr]
        return [*rows(routes), *step_rows(steps)]


def render(results: list[dict[str, Any]]) -> str:
    routes = table(
        [
            [f"`{r['route']}`", r["calls"], r["outbox_publish"], r["calls"] - r["outbox_publish"], r["floor"]]
            for r in results
            if "route" in r
        ],
        ["route", "AWS calls", "of which outbox publish", "without the publish", "floor"],
    )
    steps = table(
        [
            [f"`{r['step']}`", r["invocations"], r["fewest"], r["most"], r["round_trips"]]
            for r in results
            if "step" in r
        ],
        ["workflow step", "invocations in the walk", "fewest calls", "most calls", "sequential round trips"],
    )
    return f"{routes}\n\n{steps}"


if __name__ == "__main__":
    results = run()
    print(render(results))
    for result in results:
        print(f"{result.get('route') or result['step']}: {', '.join(result['operations'])}")
