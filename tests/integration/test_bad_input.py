"""Bad input gets a clear JSON 4xx and changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain.models import CLOCK_SKEW
from chalicelib.services.context import Context
from tests.factories import after_sales_body, bearer, request, unique
from tests.integration.conftest import Api, Storefront

RECORDED_TIMES = ("delivered_at", "requested_at", "seller_decided_at")


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


@pytest.mark.parametrize(
    "value", ["9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00"], ids=["year 10000 in UTC", "year 0 in UTC"]
)
@pytest.mark.parametrize("field", RECORDED_TIMES)
def test_a_time_outside_the_calendar_once_in_utc_is_422_naming_the_field(
    api: Api, patient_shop: Storefront, field: str, value: str
) -> None:
    response = api.call(
        "PUT", f"/v1/after-sales/{unique('req')}", patient_shop.token, {**after_sales_body(), field: value}
    )

    assert_error(response, 422, "invalid_value")
    assert [detail["field"] for detail in response.json["error"]["details"]] == [field]


@pytest.mark.parametrize(
    "value",
    ["9999-12-31T00:00:00Z", "in an hour"],
    ids=["year 9999", "an hour ahead"],
)
@pytest.mark.parametrize("field", RECORDED_TIMES)
def test_a_recorded_time_in_the_future_is_422_naming_the_field(
    api: Api, patient_shop: Storefront, field: str, value: str
) -> None:
    when = (datetime.now(UTC) + timedelta(hours=1)).isoformat() if value == "in an hour" else value

    response = api.call(
        "PUT", f"/v1/after-sales/{unique('req')}", patient_shop.token, {**after_sales_body(), field: when}
    )

    assert_error(response, 422, "invalid_value")
    assert [detail["field"] for detail in response.json["error"]["details"]] == [field]
    assert "future" in response.json["error"]["details"][0]["message"]


def test_a_seller_clock_a_little_ahead_of_ours_is_tolerated(api: Api, patient_shop: Storefront) -> None:
    ahead = (datetime.now(UTC) + CLOCK_SKEW - timedelta(seconds=30)).isoformat()

    response = api.call(
        "PUT", f"/v1/after-sales/{unique('req')}", patient_shop.token, after_sales_body(seller_decided_at=ahead)
    )

    assert response.status_code == 201, response.json


def test_a_request_stored_with_a_decision_in_the_year_9999_is_422_on_escalation_not_a_500(
    api: Api, patient_shop: Storefront, ctx: Context
) -> None:
    # Given a request recorded before future dates were refused
    last_day = datetime(9999, 12, 31, tzinfo=UTC)
    legacy = request(
        datetime.now(UTC), storefront_id=patient_shop.id, requested_at=last_day, seller_decided_at=last_day
    )
    ctx.cases.put_request(legacy)

    # When the buyer escalates it
    response = api.call("POST", "/v1/disputes", patient_shop.buyer, {"request_id": legacy.request_id, "statement": "x"})

    # Then it is refused, naming the date to correct
    assert_error(response, 422, "invalid_value")
    assert response.json["error"]["details"] == [{"field": "seller_decided_at"}]


def test_a_request_from_the_year_1_is_recorded_and_its_escalation_is_410(api: Api, patient_shop: Storefront) -> None:
    request_id = unique("req")
    ancient = after_sales_body(
        delivered_at="0001-01-01T00:00:00Z",
        requested_at="0001-01-01T00:00:00-01:00",
        seller_decided_at="0001-01-02T00:00:00Z",
    )
    assert api.call("PUT", f"/v1/after-sales/{request_id}", patient_shop.token, ancient).status_code == 201

    response = api.call("POST", "/v1/disputes", patient_shop.buyer, {"request_id": request_id, "statement": "late"})

    assert_error(response, 410, "deadline_passed")
    assert response.json["error"]["details"] == [{"field": "request_id", "closed_at": "0001-01-17T00:00:00Z"}]


def test_a_case_delivered_in_the_year_1_goes_through_the_rules(api: Api, patient_shop: Storefront) -> None:
    # Given a no-reason return of an item delivered at the first moment of the calendar
    case = patient_shop.escalate(delivered_at="0001-01-01T00:00:00Z", reason="no_reason_return")

    # When both parties end their windows and the rules run
    assert patient_shop.act(patient_shop.seller, case["id"], "submit").status_code == 202
    assert patient_shop.act(patient_shop.buyer, case["id"], "submit").status_code == 202
    queued = patient_shop.wait_for_window(case["id"], "review")

    # Then the return is simply too late, and so far outside the after-sales period that a person confirms it
    assert queued["recommendation"]["ruling"]["outcome"] == "claim_denied"
    assert [hit["rule"] for hit in queued["recommendation"]["rules_fired"]] == [
        "no_reason_return_refused",
        "outside_after_sales_period",
    ]


def test_missing_or_forged_token_is_401(api: Api, patient_shop: Storefront) -> None:
    forged = {"Authorization": "Bearer " + bearer("buyer", "b", "s")["Authorization"].split()[1][:-4] + "AAAA"}

    assert_error(api.call("GET", "/v1/disputes/anything", None), 401, "unauthenticated")
    assert_error(api.call("GET", "/v1/disputes/anything", forged), 401, "unauthenticated")


def test_health_needs_no_token(api: Api) -> None:
    response = api.call("GET", "/health", None)

    assert response.status_code == 200
    assert response.json == {"status": "ok"}
