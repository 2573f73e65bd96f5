"""Integration fixtures: the local runtime in-process (moto + the real state machine), no API socket.

The API is driven through Chalice's test client; the state machine calls the
Lambda functions through the runtime's loopback Invoke endpoint, as in AWS.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from chalice.test import Client

from app import app
from chalicelib.adapters.aws import client
from chalicelib.bootstrap import context
from chalicelib.services.context import Context
from localrun.runtime import LocalRuntime
from tests.conftest import eventually
from tests.documented import assert_documented_answer
from tests.factories import after_sales_body, bearer, unique

POLICIES = Path(__file__).resolve().parent.parent / "policies"
# Webhook retries: a day of backoff in about a second; a silent receiver times out after 0.5 s.
WEBHOOK_ENVIRONMENT = {"WEBHOOK_RETRY_SCALE": str(1 / 86_400), "WEBHOOK_TIMEOUT_SECONDS": "0.5"}


@pytest.fixture(scope="session")
def runtime() -> Iterator[LocalRuntime]:
    environment = {"POLICY_DIR": str(POLICIES), **WEBHOOK_ENVIRONMENT}
    with LocalRuntime(serve_api=False, extra_environment=environment) as running:
        yield running


class Api:
    """A thin JSON client over chalice.test.Client with tokens per role; every success answer is checked
    against its documented response model."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def call(self, method: str, path: str, token: dict[str, str] | None, body: Any = None, **headers: str) -> Any:
        raw = body if isinstance(body, str | bytes) or body is None else json.dumps(body)
        response = getattr(self.client.http, method.lower())(path, headers={**(token or {}), **headers}, body=raw)
        response.json = json.loads(response.body) if response.body else None
        assert_documented_answer(method, path, response.status_code, response.body, response.headers)
        return response


@pytest.fixture(scope="session")
def api(runtime: LocalRuntime) -> Iterator[Api]:
    with Client(app) as client:
        yield Api(client)


@pytest.fixture
def ctx(runtime: LocalRuntime) -> Context:
    return context()


@pytest.fixture
def runtime_context(runtime: LocalRuntime) -> Context:
    """The same as `ctx`, for a module that parametrizes its own `ctx`."""
    return context()


class Storefront:
    """Drives a storefront's side: record a rejected request, then let the buyer escalate it."""

    def __init__(self, api: Api, storefront_id: str) -> None:
        self.api = api
        self.id = storefront_id
        self.token = bearer("storefront", f"{storefront_id}-backend", storefront_id)
        self.buyer = bearer("buyer", "buyer-1", storefront_id)
        self.seller = bearer("seller", "seller-1", storefront_id)

    def record(self, **overrides: Any) -> str:
        request_id = unique("req")
        response = self.api.call("PUT", f"/v1/after-sales/{request_id}", self.token, after_sales_body(**overrides))
        assert response.status_code == 201, response.json
        return request_id

    def escalate(self, **overrides: Any) -> dict[str, Any]:
        request_id = self.record(**overrides)
        response = self.api.call(
            "POST", "/v1/disputes", self.buyer, {"request_id": request_id, "statement": "it arrived broken"}
        )
        assert response.status_code == 201, response.json
        case: dict[str, Any] = response.json
        return case

    def get(self, case_id: str) -> dict[str, Any]:
        response = self.api.call("GET", f"/v1/disputes/{case_id}", self.buyer)
        assert response.status_code == 200, response.json
        case: dict[str, Any] = response.json
        return case

    def wait_for_status(self, case_id: str, status: str, timeout: float = 30) -> dict[str, Any]:
        return eventually(lambda: self.get(case_id), lambda case: case["status"] == status, timeout=timeout)

    def wait_for_window(self, case_id: str, kind: str, timeout: float = 30) -> dict[str, Any]:
        return eventually(
            lambda: self.get(case_id),
            lambda case: (case["open_window"] or {}).get("kind") == kind,
            timeout=timeout,
        )

    def act(self, token: dict[str, str], case_id: str, action: str, body: Any = None) -> Any:
        return self.api.call("POST", f"/v1/disputes/{case_id}/{action}", token, body)

    def refund_owed(self, case_id: str) -> dict[str, Any]:
        """The storefront reports the refund the case's fulfilment waits on, exactly as owed; the case closes."""
        case = self.wait_for_window(case_id, "refund")
        owed = case["fulfilment"]
        body = {"amount": owed["owed"], "currency": owed["currency"], "reference": unique("refund")}
        response = self.act(self.token, case_id, "refund", body)
        assert response.status_code == 200, response.json
        refunded: dict[str, Any] = response.json
        return refunded

    def escalate_for(self, **overrides: Any) -> dict[str, Any]:
        """The storefront escalates on its buyer's behalf, so the request may name any buyer."""
        request_id = self.record(**overrides)
        response = self.api.call("POST", "/v1/disputes", self.token, {"request_id": request_id, "statement": "broken"})
        assert response.status_code == 201, response.json
        case: dict[str, Any] = response.json
        return case

    def withdrawn(self, **overrides: Any) -> dict[str, Any]:
        """A case the buyer withdrew at once: closed, nobody decided."""
        case = self.escalate(**overrides)
        response = self.act(self.buyer, case["id"], "withdraw")
        assert response.status_code == 200, response.json
        closed: dict[str, Any] = response.json
        return closed

    def advance(self, case_id: str) -> None:
        """The test clock ends the window the case waits on now (its deadline passes)."""
        response = self.api.call("POST", f"/v1/dev/disputes/{case_id}/advance", self.token)
        assert response.status_code == 202, response.json

    def denied_by_reviewer(self, reviewer: dict[str, str], **overrides: Any) -> dict[str, Any]:
        """A reviewer denies the claim and the appeal window passes: closed, ruled by that reviewer."""
        case = self.to_review(**overrides)
        assert self.act(reviewer, case["id"], "claim").status_code == 200
        ruling = {
            "outcome": "claim_denied",
            "liability": "buyer",
            "compensation": [],
            "penalties": [],
            "override_reason": "the photos show wear, not a defect",
        }
        ruled = self.act(reviewer, case["id"], "ruling", ruling)
        assert ruled.status_code == 201, ruled.json
        self.wait_for_window(case["id"], "appeal")
        self.advance(case["id"])
        return self.wait_for_status(case["id"], "closed")

    def ruled_by_default(self, **overrides: Any) -> dict[str, Any]:
        """Both parties stay silent past their deadlines: the rules grant the refund, the storefront pays it."""
        case = self.escalate(**overrides)
        self.advance(case["id"])
        self.wait_for_window(case["id"], "buyer_rebuttal")
        self.advance(case["id"])
        self.wait_for_window(case["id"], "appeal")
        self.advance(case["id"])
        self.refund_owed(case["id"])
        return self.wait_for_status(case["id"], "closed")

    def to_review(self, **overrides: Any) -> dict[str, Any]:
        """A case whose parties both submitted, waiting for a reviewer."""
        case = self.escalate(**overrides)
        assert self.act(self.seller, case["id"], "submit").status_code == 202
        assert self.act(self.buyer, case["id"], "submit").status_code == 202
        return self.wait_for_window(case["id"], "review")


def execution_status(case_id: str) -> str:
    """The Step Functions execution of a case (named after it), as moto runs it."""
    settings = context().settings
    arn = settings.state_machine_arn.replace(":stateMachine:", ":execution:") + f":{case_id}"
    status: str = client("stepfunctions").describe_execution(executionArn=arn)["status"]
    return status


def wait_for_execution_end(case_id: str, timeout: float = 30) -> str:
    return eventually(lambda: execution_status(case_id), lambda status: status != "RUNNING", timeout=timeout)


@pytest.fixture
def sla_shop(api: Api) -> Storefront:
    """Party deadlines of hours, a review SLA of 2 s (tests/policies/sla.json)."""
    return Storefront(api, "sla")


@pytest.fixture
def fast_shop(api: Api) -> Storefront:
    """Deadlines of a few seconds (tests/policies/fast.json)."""
    return Storefront(api, "fast")


@pytest.fixture
def brisk_shop(api: Api) -> Storefront:
    """Party windows of hours, an appeal window of 3 s: a ruled case closes quickly (tests/policies/brisk.json)."""
    return Storefront(api, "brisk")


@pytest.fixture
def patient_shop(api: Api) -> Storefront:
    """Party deadlines of hours, so tests act inside the windows (tests/policies/patient.json)."""
    return Storefront(api, "patient")


@pytest.fixture
def tight_shop(api: Api) -> Storefront:
    """Patient deadlines, and a policy that lowers the case limits: 2 offers, 1 information request."""
    return Storefront(api, "tight")
