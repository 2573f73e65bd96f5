"""Many clients at once over HTTP: each request is answered as its own caller, and retries are idempotent.

The local server answers each request in a thread of its own, against one Chalice
app; these tests catch any state one request could leak into another.
"""

from __future__ import annotations

import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import requests

from chalicelib.config import DEV_JWT_SECRET
from tests.e2e.conftest import Service
from tests.factories import after_sales_body

CLIENTS = 20


def token(role: str, sub: str, storefront: str) -> dict[str, str]:
    claims = {"sub": sub, "role": role, "storefront_id": storefront, "exp": datetime.now(UTC) + timedelta(hours=1)}
    return {"Authorization": f"Bearer {jwt.encode(claims, DEV_JWT_SECRET, algorithm='HS256')}"}


def escalated(service: Service, shop: str, buyer: str) -> str:
    request_id = f"req-{uuid.uuid4().hex[:12]}"
    recorded = service.call(
        "PUT", f"/v1/after-sales/{request_id}", token("storefront", "backend", shop), after_sales_body(buyer_id=buyer)
    )
    assert recorded.status_code == 201, recorded.text
    case = service.call(
        "POST", "/v1/disputes", token("buyer", buyer, shop), {"request_id": request_id, "statement": "x"}
    )
    assert case.status_code == 201, case.text
    case_id: str = case.json()["id"]
    return case_id


def test_concurrent_callers_each_get_their_own_answer(service: Service) -> None:
    # Given two buyers, each with a case the other may not see
    shop = f"shop-{uuid.uuid4().hex[:8]}"
    cases = {buyer: escalated(service, shop, buyer) for buyer in ("buyer-a", "buyer-b")}

    # When both read their own case many times at once
    def read(number: int) -> int:
        buyer = "buyer-a" if number % 2 else "buyer-b"
        return service.call("GET", f"/v1/disputes/{cases[buyer]}", token("buyer", buyer, shop)).status_code

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        statuses = Counter(pool.map(read, range(CLIENTS * 5)))

    # Then nobody was answered with the other's token or path
    assert statuses == Counter({200: CLIENTS * 5})


def test_concurrent_idempotent_writes_of_different_callers_stay_apart(service: Service) -> None:
    # Given 20 buyers, each with a request of their own to escalate
    shop = f"shop-{uuid.uuid4().hex[:8]}"
    backend = token("storefront", "backend", shop)
    requests_of = {f"buyer-{n}": f"req-{uuid.uuid4().hex[:12]}" for n in range(CLIENTS)}
    for buyer, request_id in requests_of.items():
        assert service.call("PUT", f"/v1/after-sales/{request_id}", backend, after_sales_body(buyer_id=buyer)).ok

    # When all escalate at once, each with an Idempotency-Key (the view runs after the key's record is written)
    def escalate(buyer: str) -> tuple[str, int, Any]:
        headers = {**token("buyer", buyer, shop), "Idempotency-Key": "same-key-for-everyone"}
        body = {"request_id": requests_of[buyer], "statement": f"{buyer} says it broke"}
        answer = requests.post(f"{service.url}/v1/disputes", headers=headers, json=body, timeout=10)
        return buyer, answer.status_code, answer.json()

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        answers = list(pool.map(escalate, requests_of))

    # Then each got its own case, of its own request
    assert [(status, body.get("buyer_id")) for _, status, body in answers] == [(201, buyer) for buyer in requests_of]
    assert all(body["request_id"] == requests_of[buyer] for buyer, _, body in answers)


def test_concurrent_retries_with_one_idempotency_key_escalate_once(service: Service) -> None:
    # Given a recorded request and a client that retries its escalation 20 times at once, with one key
    shop = f"shop-{uuid.uuid4().hex[:8]}"
    request_id = f"req-{uuid.uuid4().hex[:12]}"
    service.call("PUT", f"/v1/after-sales/{request_id}", token("storefront", "backend", shop), after_sales_body())
    headers = {**token("buyer", "buyer-1", shop), "Idempotency-Key": f"key-{uuid.uuid4()}"}
    body = {"request_id": request_id, "statement": "it broke"}

    def escalate(_: int) -> requests.Response:
        return requests.post(f"{service.url}/v1/disputes", headers=headers, json=body, timeout=10)

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        answers = list(pool.map(escalate, range(CLIENTS)))

    # Then one escalation ran; the others got its answer replayed, or were told it was still running
    kinds = Counter(_kind(answer) for answer in answers)
    assert set(kinds) <= {"created", "replayed", "in_progress"}, [a.text for a in answers]
    assert kinds["created"] == 1, kinds
    assert len({answer.json()["id"] for answer in answers if answer.status_code == 201}) == 1
    # And a later retry gets the stored answer
    again = escalate(0)
    assert _kind(again) == "replayed"
    print(f"\n20 concurrent retries with one Idempotency-Key: {dict(kinds)}")


def _kind(answer: requests.Response) -> str:
    body: Any = answer.json()
    if answer.status_code == 201:
        return "replayed" if answer.headers.get("Idempotent-Replayed") == "true" else "created"
    if answer.status_code == 409 and body["error"]["code"] == "request_in_progress":
        return "in_progress"
    return f"{answer.status_code} {body}"
