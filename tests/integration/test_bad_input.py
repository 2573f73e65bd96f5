"""Bad input gets a clear JSON 4xx and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import after_sales_body, bearer, unique
from tests.integration.conftest import Api, Storefront


def assert_error(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.json
    assert response.json["error"]["code"] == code
    assert response.json["error"]["message"]


def test_malformed_json_is_400(api: Api, patient_shop: Storefront) -> None:
    response = api.call("PUT", f"/v1/after-sales/{unique('req')}", patient_shop.token, "{not json")

    assert_error(response, 400, "malformed_request")


def test_a_json_array_is_not_a_body(api: Api, patient_shop: Storefront) -> None:
    response = api.call("POST", "/v1/disputes", patient_shop.buyer, "[1, 2]")

    assert_error(response, 400, "malformed_request")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount_paid": "12900"}, "amount_paid"),
        ({"amount_paid": 12.5}, "amount_paid"),
        ({"amount_paid": -1}, "amount_paid"),
        ({"currency": "XYZ"}, "currency"),
        ({"type": "teleport"}, "type"),
        ({"delivered_at": "2026-11-20T10:00:00"}, "delivered_at"),
        ({"amount_requested": 999_999}, "body"),
        ({"surprise": True}, "surprise"),
    ],
)
def test_invalid_request_facts_are_422_with_the_field(
    api: Api, patient_shop: Storefront, change: dict[str, Any], field: str
) -> None:
    request_id = unique("req")

    response = api.call("PUT", f"/v1/after-sales/{request_id}", patient_shop.token, after_sales_body(**change))

    assert_error(response, 422, "invalid_value")
    assert field in {detail["field"] for detail in response.json["error"]["details"]}
    escalation = api.call("POST", "/v1/disputes", patient_shop.buyer, {"request_id": request_id, "statement": "x"})
    assert_error(escalation, 404, "not_found")


def test_missing_fields_are_listed(api: Api, patient_shop: Storefront) -> None:
    body = after_sales_body()
    del body["currency"], body["seller_id"]

    response = api.call("PUT", f"/v1/after-sales/{unique('req')}", patient_shop.token, body)

    assert_error(response, 422, "invalid_value")
    assert {"currency", "seller_id"} <= {d["field"] for d in response.json["error"]["details"]}


def test_wrong_content_type_is_415(api: Api, patient_shop: Storefront) -> None:
    token = {**patient_shop.buyer, "Content-Type": "text/plain"}

    response = api.call("POST", "/v1/disputes", token, '{"request_id": "r", "statement": "s"}')

    assert response.status_code == 415


def test_escalating_an_unknown_request_is_404(api: Api, patient_shop: Storefront) -> None:
    response = api.call("POST", "/v1/disputes", patient_shop.buyer, {"request_id": "never-recorded", "statement": "x"})

    assert_error(response, 404, "not_found")


def test_a_request_the_seller_accepted_cannot_be_recorded_for_escalation(api: Api, patient_shop: Storefront) -> None:
    response = api.call(
        "PUT", f"/v1/after-sales/{unique('req')}", patient_shop.token, after_sales_body(seller_decision="accepted")
    )

    assert_error(response, 422, "invalid_value")


def test_second_escalation_returns_409_with_the_existing_case(api: Api, patient_shop: Storefront) -> None:
    request_id = patient_shop.record()
    first = api.call("POST", "/v1/disputes", patient_shop.buyer, {"request_id": request_id, "statement": "one"})
    assert first.status_code == 201

    second = api.call("POST", "/v1/disputes", patient_shop.buyer, {"request_id": request_id, "statement": "two"})

    assert_error(second, 409, "duplicate")
    assert second.json["error"]["details"] == [{"dispute_id": first.json["id"]}]


def test_request_facts_are_frozen_once_escalated(api: Api, patient_shop: Storefront) -> None:
    case = patient_shop.escalate()

    response = api.call(
        "PUT", f"/v1/after-sales/{case['request_id']}", patient_shop.token, after_sales_body(amount_paid=99_999)
    )

    assert_error(response, 409, "duplicate")
    assert patient_shop.get(case["id"])["amount_paid"] == case["amount_paid"]


def test_escalation_window_closed_is_410(api: Api, patient_shop: Storefront) -> None:
    request_id = unique("req")
    old = after_sales_body(
        requested_at="2026-01-01T00:00:00Z", seller_decided_at="2026-01-02T00:00:00Z", delivered_at=None
    )
    assert api.call("PUT", f"/v1/after-sales/{request_id}", patient_shop.token, old).status_code == 201

    response = api.call("POST", "/v1/disputes", patient_shop.buyer, {"request_id": request_id, "statement": "late"})

    assert_error(response, 410, "deadline_passed")


def test_missing_or_forged_token_is_401(api: Api, patient_shop: Storefront) -> None:
    forged = {"Authorization": "Bearer " + bearer("buyer", "b", "s")["Authorization"].split()[1][:-4] + "AAAA"}

    assert_error(api.call("GET", "/v1/disputes/anything", None), 401, "unauthenticated")
    assert_error(api.call("GET", "/v1/disputes/anything", forged), 401, "unauthenticated")


def test_health_needs_no_token(api: Api) -> None:
    response = api.call("GET", "/health", None)

    assert response.status_code == 200
    assert response.json == {"status": "ok"}
