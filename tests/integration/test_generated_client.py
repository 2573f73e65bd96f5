"""A client generated from the served OpenAPI document, used typed: escalation, ruling and refund through it.

`openapi-python-client` turns `GET /v1/openapi.json` into a package in a temporary folder on every run
(nothing cached), and its httpx client talks to the in-process API through a transport onto
`chalice.test.Client` (no socket). Every answer is read through the generated models' attributes,
never `additional_properties`, so an untyped or wrong success schema fails here.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from localrun.tokens import mint
from tests.conftest import eventually
from tests.documented import assert_documented_answer
from tests.factories import unique
from tests.integration.conftest import Api

PACKAGE = "disputes_client"
GENERATOR_CONFIG = f"package_name_override: {PACKAGE}\npost_hooks: []\n"
GENERATE = ("--path", "openapi.json", "--config", "config.yaml", "--meta", "none", "--output-path", PACKAGE)
BASE_URL = "http://in-process"


class InProcessTransport(httpx.BaseTransport):
    """httpx requests answered by the Chalice app in this process, as API Gateway would hand them over."""

    def __init__(self, api: Api) -> None:
        self.api = api

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.raw_path.decode()
        headers = {name: value for name, value in request.headers.items() if name not in ("host", "content-length")}
        answer = self.api.client.http.request(request.method, path, headers=headers, body=request.read())
        assert_documented_answer(request.method, path, answer.status_code, answer.body, answer.headers)
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.body, request=request)


@pytest.fixture
def client_package(api: Api, tmp_path: Path) -> Iterator[ModuleType]:
    """The package generated from the live document, importable for the length of one test."""
    served = api.call("GET", "/v1/openapi.json", None)
    assert served.status_code == 200
    (tmp_path / "openapi.json").write_text(json.dumps(served.json), encoding="utf-8")
    (tmp_path / "config.yaml").write_text(GENERATOR_CONFIG, encoding="utf-8")
    started = time.monotonic()
    generated = subprocess.run(
        [sys.executable, "-m", "openapi_python_client", "generate", *GENERATE],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    assert "Warning" not in generated.stdout + generated.stderr, generated.stdout + generated.stderr
    assert time.monotonic() - started < 20, "generating the client should take seconds"
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def test_a_generated_client_carries_a_case_from_escalation_through_a_ruling_to_its_refund_typed(
    api: Api, client_package: ModuleType
) -> None:
    generated = Generated(client_package)
    shop = "patient"  # party windows of hours: the test acts inside them (tests/policies/patient.json)
    transport = InProcessTransport(api)

    def as_(role: str, sub: str, storefront: str = shop) -> Any:
        return generated.client.AuthenticatedClient(
            base_url=BASE_URL, token=mint(role, sub, storefront), httpx_args={"transport": transport}
        )

    storefront, buyer = as_("storefront", "patient-backend"), as_("buyer", "buyer-1")
    seller, reviewer = as_("seller", "seller-1"), as_("reviewer", "rev-typed", "platform")
    m = generated.models
    now = datetime.now(UTC)

    # Given a request the seller rejected, recorded by the storefront
    request_id = unique("req")
    recorded = generated.call(
        "after_sales.record_after_sales_request",
        request_id=request_id,
        client=storefront,
        body=m.AfterSalesFacts(
            order_id=unique("order"),
            buyer_id="buyer-1",
            seller_id="seller-1",
            amount_paid=12_900,
            shipping_paid=800,
            currency="CNY",
            delivered_at=now - timedelta(days=2),
            type_=m.RequestType.REFUND_ONLY,
            reason=m.ClaimReason.QUALITY_DEFECT,
            amount_requested=12_900,
            requested_at=now - timedelta(days=1),
            seller_decision=m.SellerDecision.REJECTED,
            seller_decided_at=now - timedelta(hours=1),
        ),
    )
    assert isinstance(recorded, m.AfterSalesRequestView) and recorded.dispute_id is None

    # When the buyer escalates it, the seller's window opens
    dispute = generated.call(
        "disputes.escalate_dispute",
        client=buyer,
        body=m.EscalateBody(request_id=request_id, statement="The kettle arrived with a cracked lid."),
    )
    assert isinstance(dispute, m.DisputeView)
    assert dispute.request_id == request_id and dispute.amount_requested == 12_900
    dispute = eventually(
        lambda: generated.call("disputes.get_dispute", dispute_id=dispute.id, client=buyer),
        lambda case: case.open_window is not None and case.open_window.kind == m.WindowKind.SELLER_RESPONSE,
    )
    assert dispute.status == m.Status.AWAITING_SELLER
    early = generated.answer(
        "disputes.issue_ruling",
        dispute_id=dispute.id,
        client=reviewer,
        body=m.ReviewerDecision(accept_recommendation=True),
    )
    assert early.status_code == 409 and early.parsed.error.code == m.ErrorInfoCode.INVALID_STATE  # a typed error

    # And both parties end their windows, the case reaches a reviewer
    generated.call("disputes.submit_window", dispute_id=dispute.id, client=seller, body=m.EmptyBody())
    eventually(
        lambda: generated.call("disputes.get_dispute", dispute_id=dispute.id, client=buyer),
        lambda case: case.status == m.Status.AWAITING_BUYER,
    )
    generated.call("disputes.submit_window", dispute_id=dispute.id, client=buyer, body=m.EmptyBody())
    in_review = eventually(
        lambda: generated.call("disputes.get_dispute", dispute_id=dispute.id, client=reviewer),
        lambda case: case.open_window is not None and case.open_window.kind == m.WindowKind.REVIEW,
    )
    assert in_review.status == m.Status.UNDER_REVIEW
    assert in_review.recommendation is not None and in_review.recommendation.decision == "review"
    queue = generated.call("disputes.list_disputes", client=reviewer)  # no `queue` sent: the review queue
    assert isinstance(queue, m.DisputePage) and all(case.status == m.Status.UNDER_REVIEW for case in queue.items)

    # Then the reviewer's ruling comes back typed, with the appeal window open and nothing yet to fulfil
    ruled = generated.call(
        "disputes.issue_ruling",
        dispute_id=dispute.id,
        client=reviewer,
        body=m.ReviewerDecision(
            outcome=m.Outcome.REFUND_FULL,
            liability=m.Liability.SELLER,
            compensation=[
                m.CompensationLine(
                    payer=m.Payee.SELLER,
                    payee=m.Payee.BUYER,
                    kind=m.CompensationKind.REFUND,
                    amount=12_900,
                    currency="CNY",
                )
            ],
            notes="The unboxing photo shows the crack before any use.",
        ),
    )
    assert isinstance(ruled, m.DisputeView)
    assert ruled.status == m.Status.RULED
    assert ruled.ruling is not None and ruled.ruling.outcome == m.Outcome.REFUND_FULL
    assert ruled.ruling.decided_by == "rev-typed"
    assert ruled.open_window is not None and ruled.open_window.kind == m.WindowKind.APPEAL
    assert ruled.fulfilment is None and ruled.version > in_review.version

    # When the test clock ends the appeal window, the ruling is final and the refund step waits on the storefront
    generated.call("dev.advance_test_clock", dispute_id=dispute.id, client=buyer, body=m.EmptyBody())
    fulfilling = eventually(
        lambda: generated.call("disputes.get_dispute", dispute_id=dispute.id, client=storefront),
        lambda case: case.fulfilment is not None and case.fulfilment.step == m.WindowKind.REFUND,
    )
    assert fulfilling.status == m.Status.FULFILLING and fulfilling.fulfilment.owed == 12_900

    # Then the storefront's refund closes the case, and the timeline tells it from the start
    closed = generated.call(
        "disputes.report_refund",
        dispute_id=dispute.id,
        client=storefront,
        body=m.RefundBody(amount=fulfilling.fulfilment.owed, currency="CNY", reference=unique("refund")),
    )
    assert closed.status == m.Status.CLOSED and closed.resolution == m.Resolution.RULED
    assert closed.fulfilment.outcome == m.FulfilmentOutcome.COMPLETED and closed.fulfilment.step is None
    events = generated.call("disputes.list_dispute_events", dispute_id=dispute.id, client=buyer)
    assert [event.action for event in events.items][:2] == ["created", "evidence_requested"]
    assert events.items[-1].to_status == m.Status.CLOSED


class Generated:
    """The generated package: its models, clients, and its operations called by `tag.operation` name."""

    def __init__(self, package: ModuleType) -> None:
        self.package = package
        self.models = importlib.import_module(f"{package.__name__}.models")
        self.client = importlib.import_module(f"{package.__name__}.client")

    def answer(self, operation: str, **arguments: Any) -> Any:
        """The operation's `sync_detailed`: the status code and the parsed model, success or error."""
        return importlib.import_module(f"{self.package.__name__}.api.{operation}").sync_detailed(**arguments)

    def call(self, operation: str, **arguments: Any) -> Any:
        """The parsed success model; anything else fails the test."""
        response = self.answer(operation, **arguments)
        assert 200 <= response.status_code < 300, (operation, response.status_code, response.content)
        assert not isinstance(response.parsed, self.models.Error | type(None)), (operation, response.parsed)
        return response.parsed
