"""The README walk-through, over HTTP against the running local service."""

from __future__ import annotations

import signal
import subprocess
from datetime import UTC, datetime, timedelta

import jwt

from chalicelib.config import DEV_JWT_SECRET
from tests import evidence_samples as samples
from tests.conftest import eventually
from tests.e2e.conftest import Service


def token(role: str, sub: str, storefront: str = "shop-e2e") -> dict[str, str]:
    """Minted with plain PyJWT, as any client would, not with the project's helper."""
    claims = {"sub": sub, "role": role, "storefront_id": storefront, "exp": datetime.now(UTC) + timedelta(hours=1)}
    return {"Authorization": f"Bearer {jwt.encode(claims, DEV_JWT_SECRET, algorithm='HS256')}"}


STOREFRONT, BUYER, SELLER = token("storefront", "shop-backend"), token("buyer", "b-1"), token("seller", "s-1")
REVIEWER = token("reviewer", "rev-1", "platform")


def test_a_dispute_goes_from_escalation_to_a_ruling_carried_out_and_closed(service: Service) -> None:
    now = datetime.now(UTC)
    request = {
        "order_id": "o-100",
        "buyer_id": "b-1",
        "seller_id": "s-1",
        "amount_paid": 25_900,
        "shipping_paid": 1_000,
        "currency": "CNY",
        "delivered_at": (now - timedelta(days=3)).isoformat(),
        "type": "return_and_refund",
        "reason": "not_as_described",
        "amount_requested": 25_900,
        "requested_at": (now - timedelta(days=1)).isoformat(),
        "seller_decision": "rejected",
        "seller_decided_at": (now - timedelta(hours=2)).isoformat(),
        "seller_reason": "matches the listing",
    }
    assert service.call("PUT", "/v1/after-sales/rq-100", STOREFRONT, request).status_code == 201

    escalated = service.call("POST", "/v1/disputes", BUYER, {"request_id": "rq-100", "statement": "wrong colour"})
    assert escalated.status_code == 201, escalated.text
    case = escalated.json()
    assert case["status"] == "awaiting_seller"
    assert case["deadlines"]["seller_response"].endswith("Z")

    duplicate = service.call("POST", "/v1/disputes", BUYER, {"request_id": "rq-100", "statement": "again"})
    assert duplicate.status_code == 409
    assert duplicate.json()["error"]["details"] == [{"dispute_id": case["id"]}]

    path = f"/v1/disputes/{case['id']}"
    # Each side backs its story with a photo, uploaded as the README shows: the rules can't settle it alone
    for party in (BUYER, SELLER):
        added = service.upload(path, party, samples.png(), "image/png")
        assert added.status_code == 200 and added.json()["status"] == "verified", added.text
    assert service.call("POST", f"{path}/submit", SELLER).status_code == 202
    assert service.call("GET", path, BUYER).json()["status"] == "awaiting_buyer"
    assert service.call("POST", f"{path}/submit", BUYER).status_code == 202

    queued = eventually(
        lambda: service.call("GET", path, REVIEWER).json(),
        lambda c: c["status"] == "under_review" and c["open_window"] is not None,
        timeout=30,
    )
    assert queued["recommendation"]["decision"] == "review"

    ruling = {
        "outcome": "return_and_refund",
        "liability": "seller",
        "return_shipping_payer": "seller",
        "compensation": [
            {"payer": "seller", "payee": "buyer", "kind": "refund", "amount": 25_900, "currency": "CNY"},
            {"payer": "seller", "payee": "buyer", "kind": "return_shipping", "amount": 1_000, "currency": "CNY"},
        ],
        "notes": "listing photos show a different colour",
        "override_reason": "the listing itself shows the mismatch",
    }
    ruled = service.call("POST", f"{path}/ruling", REVIEWER, ruling)
    assert ruled.status_code == 201, ruled.text
    assert ruled.json()["status"] == "ruled"

    # The test clock ends the appeal window now: the ruling is final and carried out, the goods back first
    advanced = service.call("POST", f"/v1/dev/disputes/{case['id']}/advance", BUYER)
    assert advanced.status_code == 202, advanced.text
    fulfilling = eventually(
        lambda: service.call("GET", path, BUYER).json(), lambda c: c["status"] == "fulfilling", timeout=40
    )
    assert fulfilling["fulfilment"]["step"] == "return_shipment"
    parcel = {"carrier": "SF Express", "tracking_number": "SF1234567890"}
    assert service.call("POST", f"{path}/return-shipment", BUYER, parcel).status_code == 200
    received = service.call("POST", f"{path}/return-receipt", SELLER, {"condition": "received_ok"})
    assert received.status_code == 200, received.text
    assert received.json()["fulfilment"]["step"] == "refund"
    refund = {"amount": 26_900, "currency": "CNY", "reference": "refund-100"}
    refunded = service.call("POST", f"{path}/refund", STOREFRONT, refund)
    assert refunded.status_code == 200, refunded.text

    closed = service.call("GET", path, SELLER).json()
    assert closed["status"] == "closed" and closed["resolution"] == "ruled"
    assert closed["ruling"]["outcome"] == "return_and_refund"
    assert closed["fulfilment"]["outcome"] == "completed"
    events = service.call("GET", f"{path}/events", SELLER).json()["items"]
    assert events[0]["action"] == "created" and [e["action"] for e in events[-2:]] == ["fulfilled", "closed"]
    assert all(event["at"].endswith("Z") for event in events)


def test_a_stranger_gets_404_over_http(service: Service) -> None:
    assert service.call("GET", "/v1/disputes/dsp_unknown", token("buyer", "nobody")).status_code == 404


def test_ctrl_c_stops_the_service_cleanly(service: Service) -> None:
    # Runs last in this module: it ends the session's service.
    service.process.send_signal(signal.SIGINT)
    try:
        code = service.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        service.process.kill()
        raise
    assert code == 0
