"""Schemathesis against the running local service: every documented operation, as every role.

Cases are generated from the served OpenAPI document (valid and invalid data), half
of them aimed at real objects (a case, its offer and evidence, a subscription) so
the fuzzing reaches past the 404s. Every answer must be no 5xx, and conform to the
document: a documented status code, its content type, its schema, its headers.

`make test` runs a few examples per operation and role; `make fuzz` runs many
(FUZZ_EXAMPLES, default 3 here).
"""

from __future__ import annotations

import os
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from chalicelib.api.routes import ROUTES
from chalicelib.config import DEV_JWT_SECRET
from chalicelib.domain.models import Role
from tests.e2e.conftest import Service
from tests.factories import after_sales_body

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))
OPERATIONS = [(spec.method, spec.path) for spec in ROUTES if spec.documented]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
TALLY: Counter[str] = Counter()


def token(role: Role, sub: str, storefront: str) -> str:
    claims = {
        "sub": sub,
        "role": role.value,
        "storefront_id": storefront,
        "exp": datetime.now(UTC) + timedelta(hours=1),
    }
    return jwt.encode(claims, DEV_JWT_SECRET, algorithm="HS256")


@dataclass(frozen=True)
class Targets:
    """Real objects for path parameters, and a token per role that is a party of (or may see) them."""

    ids: dict[str, str]
    tokens: dict[Role, str]


@pytest.fixture(scope="module")
def api_schema(service: Service) -> Any:
    return schemathesis.openapi.from_url(f"{service.url}/v1/openapi.json")


@pytest.fixture(scope="module")
def targets(service: Service) -> Iterator[Targets]:
    shop = f"fuzz-{uuid.uuid4().hex[:8]}"
    tokens = {
        Role.BUYER: token(Role.BUYER, "buyer-1", shop),
        Role.SELLER: token(Role.SELLER, "seller-1", shop),
        Role.STOREFRONT: token(Role.STOREFRONT, "backend", shop),
        Role.REVIEWER: token(Role.REVIEWER, "rev-fuzz", "platform"),
        Role.SENIOR_REVIEWER: token(Role.SENIOR_REVIEWER, "senior-fuzz", "platform"),
        Role.PLATFORM_ADMIN: token(Role.PLATFORM_ADMIN, "admin-fuzz", "platform"),
    }

    def call(method: str, path: str, role: Role, body: Any = None) -> Any:
        answer = requests.request(
            method, f"{service.url}{path}", headers={"Authorization": f"Bearer {tokens[role]}"}, json=body, timeout=10
        )
        assert answer.status_code < 300, answer.text
        return answer.json()

    request_id = f"req-{uuid.uuid4().hex[:12]}"
    call("PUT", f"/v1/after-sales/{request_id}", Role.STOREFRONT, after_sales_body())
    case_id = call("POST", "/v1/disputes", Role.BUYER, {"request_id": request_id, "statement": "fuzz"})["id"]
    offer = call("POST", f"/v1/disputes/{case_id}/offers", Role.SELLER, {"amount": 100})
    evidence = call(
        "POST",
        f"/v1/disputes/{case_id}/evidence",
        Role.SELLER,
        {"kind": "photo", "content_type": "image/png", "size": 10},
    )
    hook = call(
        "POST", "/v1/webhooks", Role.STOREFRONT, {"url": "http://127.0.0.1:9/fuzz", "events": ["dispute.appealed"]}
    )
    ids = {
        "dispute_id": case_id,
        "offer_id": offer["id"],
        "evidence_id": evidence["evidence_id"],
        "webhook_id": hook["id"],
        "request_id": request_id,
        "seller_id": "seller-1",
        "storefront_id": shop,
    }
    yield Targets(ids=ids, tokens=tokens)
    requests.delete(
        f"{service.url}/v1/webhooks/{hook['id']}",
        headers={"Authorization": f"Bearer {tokens[Role.STOREFRONT]}"},
        timeout=10,
    )


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_every_operation_as_every_role_answers_within_its_documented_schema(
    service: Service, api_schema: Any, targets: Targets, method: str, path: str
) -> None:
    operation = api_schema[path][method]
    aimed = {name: value for name, value in targets.ids.items() if f"{{{name}}}" in path}
    cases = st.one_of(
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
        operation.as_strategy(generation_mode=GenerationMode.POSITIVE, path_parameters=aimed),
        operation.as_strategy(generation_mode=GenerationMode.NEGATIVE, path_parameters=aimed),
    )
    session = requests.Session()
    for role in Role:
        assert_examples_conform(cases, service.url, session, {"Authorization": f"Bearer {targets.tokens[role]}"})


def assert_examples_conform(cases: Any, url: str, session: requests.Session, headers: dict[str, str]) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases)
    def fuzz(case: Any) -> None:
        response = case.call(base_url=url, session=session, headers=headers)
        TALLY[f"{response.status_code // 100}xx"] += 1
        TALLY["examples"] += 1
        case.validate_response(response, checks=CHECKS, headers=headers)

    fuzz()


def test_fuzz_tally(capsys: pytest.CaptureFixture[str]) -> None:
    """For the record: how many examples ran in this process, by status class; and none was a 5xx."""
    with capsys.disabled():
        print(f"\nschemathesis ({EXAMPLES} per operation and role, this worker): {dict(sorted(TALLY.items()))}")
    assert "5xx" not in TALLY
