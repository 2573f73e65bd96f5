"""Every size has a bound, and crossing it is a clear 4xx: bodies, strings, lists, ids, queries, pages, nesting."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from chalicelib.api.http import MAX_BODY_BYTES
from chalicelib.domain.models import FREE_TEXT_MAX_CHARS
from tests.factories import after_sales_body, bearer, unique
from tests.integration.conftest import Api, Storefront

REVIEWER = bearer("reviewer", "rev-limits", "platform")


def error_code(response: Any) -> str:
    code: str = response.json["error"]["code"]
    return code


def test_a_body_over_64_kib_is_413(api: Api, patient_shop: Storefront) -> None:
    body = '{"request_id": "r", "statement": "' + "x" * MAX_BODY_BYTES + '"}'

    response = api.call("POST", "/v1/disputes", patient_shop.buyer, body)

    assert response.status_code == 413
    assert error_code(response) == "payload_too_large"


@pytest.mark.parametrize("depth", [1_000, 30_000])
def test_deeply_nested_json_is_400_not_a_crash(api: Api, patient_shop: Storefront, depth: int) -> None:
    nested = "[" * depth + "]" * depth

    response = api.call("POST", "/v1/disputes", patient_shop.buyer, f'{{"request_id": {nested}}}')

    assert response.status_code in (400, 422), response.json
    assert error_code(response) in ("malformed_request", "invalid_value")


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/v1/disputes/" + "d" * 129, "dispute_id"),
        ("/v1/disputes/" + "d" * 5_000 + "/events", "dispute_id"),
        ("/v1/disputes/dsp_x/offers/" + "o" * 300 + "/accept", "offer_id"),
        ("/v1/disputes/dsp%20x", "dispute_id"),
        ("/v1/webhooks/" + "w" * 2_000 + "/deliveries", "webhook_id"),
    ],
)
def test_an_over_long_or_odd_path_id_is_422(api: Api, patient_shop: Storefront, path: str, name: str) -> None:
    method = "POST" if path.endswith("/accept") else "GET"
    token = patient_shop.token if "/webhooks/" in path else patient_shop.buyer

    response = api.call(method, path, token)

    assert response.status_code == 422, response.json
    assert name in response.json["error"]["message"]


def test_an_over_long_request_id_is_422(api: Api, patient_shop: Storefront) -> None:
    response = api.call("PUT", "/v1/after-sales/" + "r" * 129, patient_shop.token, after_sales_body())

    assert response.status_code == 422


@pytest.mark.parametrize(
    "query",
    [
        "limit=101",
        "limit=0",
        "limit=" + "9" * 400,
        "cursor=" + "c" * 2_049,
        "status=" + "s" * 10_000,
        "&".join(f"p{number}=x" for number in range(2_000)),
    ],
    ids=["limit over 100", "limit 0", "huge limit", "long cursor", "long status", "2000 parameters"],
)
def test_bad_or_huge_queries_are_422(api: Api, patient_shop: Storefront, query: str) -> None:
    response = api.call("GET", f"/v1/disputes?{query}", patient_shop.buyer)

    assert response.status_code == 422, response.json
    assert len(response.body) < 200_000  # the answer does not grow with the abuse


def test_deliveries_page_size_is_bounded(api: Api, patient_shop: Storefront) -> None:
    hook = api.call(
        "POST", "/v1/webhooks", patient_shop.token, {"url": "http://127.0.0.1:9/h", "events": ["dispute.appealed"]}
    )
    assert hook.status_code == 201
    try:
        over = api.call("GET", f"/v1/webhooks/{hook.json['id']}/deliveries?limit=101", patient_shop.token)
        assert over.status_code == 422
    finally:
        api.call("DELETE", f"/v1/webhooks/{hook.json['id']}", patient_shop.token)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("statement", "x" * 2_001),
        ("statement", ""),
        ("request_id", "r" * 129),
    ],
)
def test_string_lengths_are_enforced_on_escalation(api: Api, patient_shop: Storefront, field: str, value: str) -> None:
    body = {"request_id": patient_shop.record(), "statement": "ok", field: value}

    response = api.call("POST", "/v1/disputes", patient_shop.buyer, body)

    assert response.status_code == 422
    assert field in {detail["field"] for detail in response.json["error"]["details"]}


def test_an_offer_note_over_2000_characters_is_422(api: Api, patient_shop: Storefront) -> None:
    case = patient_shop.escalate()

    response = patient_shop.act(patient_shop.seller, case["id"], "offers", {"amount": 100, "note": "n" * 2_001})

    assert response.status_code == 422


TOO_LONG = "t" * (FREE_TEXT_MAX_CHARS + 1)
RULING = {"outcome": "refund_full", "liability": "seller"}


@pytest.mark.parametrize(
    ("action", "who", "body", "field"),
    [
        ("offers", "seller", {"amount": 100, "note": TOO_LONG}, "note"),
        ("defence", "seller", {"grounds": ["no_defect"], "statement": TOO_LONG}, "statement"),
        ("withdraw", "buyer", {"reason": TOO_LONG}, "reason"),
        ("info-requests", "reviewer", {"parties": ["seller"], "message": TOO_LONG}, "message"),
        ("appeal", "buyer", {"statement": TOO_LONG}, "statement"),
        ("ruling", "reviewer", {**RULING, "notes": TOO_LONG}, "notes"),
        ("ruling", "reviewer", {**RULING, "override_reason": TOO_LONG}, "override_reason"),
        ("offers", "seller", {"amount": 100, "note": "a\x00b"}, "note"),
        ("appeal", "buyer", {"statement": "\x1b[2J"}, "statement"),
    ],
    ids=[
        "offer note",
        "defence statement",
        "withdraw reason",
        "information request",
        "appeal statement",
        "ruling notes",
        "override reason",
        "a NUL in a note",
        "an escape sequence in a statement",
    ],
)
def test_every_text_written_onto_a_case_is_at_most_2000_printable_characters(
    patient_shop: Storefront, action: str, who: str, body: dict[str, Any], field: str
) -> None:
    case = patient_shop.escalate()
    token = {"seller": patient_shop.seller, "buyer": patient_shop.buyer, "reviewer": REVIEWER}[who]

    response = patient_shop.act(token, case["id"], action, body)

    assert response.status_code == 422, response.json
    assert field in {detail["field"] for detail in response.json["error"]["details"]}
    assert patient_shop.get(case["id"])["version"] == case["version"]


def test_an_escalation_statement_may_be_2000_characters_and_not_one_more(patient_shop: Storefront) -> None:
    longest = {"request_id": patient_shop.record(), "statement": "s" * FREE_TEXT_MAX_CHARS}
    over = {"request_id": patient_shop.record(), "statement": TOO_LONG}

    assert patient_shop.api.call("POST", "/v1/disputes", patient_shop.buyer, longest).status_code == 201
    assert patient_shop.api.call("POST", "/v1/disputes", patient_shop.buyer, over).status_code == 422


def test_a_ruling_with_too_many_lines_is_422(api: Api, patient_shop: Storefront) -> None:
    line = {"payer": "seller", "payee": "buyer", "kind": "goodwill", "amount": 1, "currency": "CNY"}
    penalty = {"party": "seller", "kind": "points", "value": 1}
    too_many = [
        {"outcome": "refund_full", "liability": "seller", "compensation": [line] * 21},
        {"outcome": "refund_full", "liability": "seller", "penalties": [penalty] * 11},
        {"outcome": "refund_full", "liability": "seller", "notes": "n" * 2_001},
    ]
    case_id = patient_shop.escalate()["id"]

    for body in too_many:
        response = api.call("POST", f"/v1/disputes/{case_id}/ruling", REVIEWER, body)
        assert response.status_code == 422, response.json


def test_list_lengths_are_enforced(api: Api, patient_shop: Storefront) -> None:
    case_id = patient_shop.escalate()["id"]

    parties = api.call(
        "POST",
        f"/v1/disputes/{case_id}/info-requests",
        REVIEWER,
        {"parties": ["buyer", "seller", "buyer"], "message": "m"},
    )
    events = api.call(
        "POST", "/v1/webhooks", patient_shop.token, {"url": "https://x.example/h", "events": ["dispute.created"] * 14}
    )

    assert parties.status_code == 422
    assert events.status_code == 422


def test_webhook_urls_are_bounded(api: Api, patient_shop: Storefront) -> None:
    response = api.call(
        "POST",
        "/v1/webhooks",
        patient_shop.token,
        {"url": "https://x.example/" + "p" * 3_000, "events": ["dispute.created"]},
    )

    assert response.status_code == 422


def test_an_unknown_request_id_of_maximum_length_is_a_plain_404(api: Api, patient_shop: Storefront) -> None:
    response = api.call(
        "POST", "/v1/disputes", patient_shop.buyer, {"request_id": unique("r") + "x" * 100, "statement": "s"}
    )

    assert response.status_code == 404


# -- inputs that used to be 500s (found probing what the fuzzer generates) ----------------------------


NESTED_CURSOR = base64.urlsafe_b64encode(b"[" * 1_500).decode()


@pytest.mark.parametrize(
    ("path", "who"),
    [
        (f"/v1/disputes?cursor={NESTED_CURSOR}", "buyer"),
        (f"/v1/disputes?queue=review&cursor={NESTED_CURSOR}", "reviewer"),
    ],
)
def test_a_cursor_of_deeply_nested_json_is_400(api: Api, patient_shop: Storefront, path: str, who: str) -> None:
    response = api.call("GET", path, patient_shop.buyer if who == "buyer" else REVIEWER)

    assert response.status_code == 400, response.json


def test_a_deliveries_cursor_of_deeply_nested_json_is_400(api: Api, patient_shop: Storefront) -> None:
    hook = api.call(
        "POST", "/v1/webhooks", patient_shop.token, {"url": "http://127.0.0.1:9/h", "events": ["dispute.appealed"]}
    ).json
    try:
        response = api.call("GET", f"/v1/webhooks/{hook['id']}/deliveries?cursor={NESTED_CURSOR}", patient_shop.token)
        assert response.status_code == 400, response.json
    finally:
        api.call("DELETE", f"/v1/webhooks/{hook['id']}", patient_shop.token)


@pytest.mark.parametrize("version", ["9" * 5_000, "\u00b2", "1e3", "-1"])
def test_an_if_match_that_is_not_a_plain_version_number_is_400(
    api: Api, patient_shop: Storefront, version: str
) -> None:
    case = patient_shop.escalate()

    response = api.call("POST", f"/v1/disputes/{case['id']}/submit", patient_shop.seller, None, **{"If-Match": version})

    assert response.status_code == 400, response.json


def test_a_number_of_5000_digits_is_400(api: Api, patient_shop: Storefront) -> None:
    case = patient_shop.escalate()

    response = api.call(
        "POST", f"/v1/disputes/{case['id']}/offers", patient_shop.seller, '{"amount": ' + "9" * 5_000 + "}"
    )

    assert response.status_code == 400, response.json


@pytest.mark.parametrize("key", [None, "k-surrogate"])
def test_a_body_that_is_not_utf_8_is_400(api: Api, patient_shop: Storefront, key: str | None) -> None:
    headers = {"Idempotency-Key": key} if key else {}

    response = api.call(
        "POST", "/v1/disputes", patient_shop.buyer, '{"request_id": "r", "statement": "\ud800"}', **headers
    )

    assert response.status_code == 400, response.json


@pytest.mark.parametrize("url", ["http://[::1", "https://[zz]/", "https://example.com:99999/"])
def test_an_unparseable_webhook_url_is_422(api: Api, patient_shop: Storefront, url: str) -> None:
    response = api.call("POST", "/v1/webhooks", patient_shop.token, {"url": url, "events": ["dispute.appealed"]})

    assert response.status_code == 422, response.json


# -- every list a client grows on a case is bounded -------------------------------------------------------


def events_of(shop: Storefront, case_id: str) -> list[dict[str, Any]]:
    response = shop.api.call("GET", f"/v1/disputes/{case_id}/events", shop.buyer)
    assert response.status_code == 200, response.json
    events: list[dict[str, Any]] = response.json["items"]
    return events


def offer_rounds(shop: Storefront, case_id: str, rounds: int) -> None:
    """The seller offers (with the longest note) and the buyer rejects, `rounds` times."""
    for _ in range(rounds):
        offered = shop.act(shop.seller, case_id, "offers", {"amount": 100, "note": "n" * FREE_TEXT_MAX_CHARS})
        assert offered.status_code == 201, offered.json
        offer_id = offered.json["id"]
        assert shop.act(shop.buyer, case_id, f"offers/{offer_id}/reject").status_code == 200


def assert_limit_reached(response: Any, limit: str, most: int) -> None:
    """A 409 that names the policy key, its value and how many were made."""
    assert response.status_code == 409, response.json
    assert response.json["error"]["code"] == "invalid_state"
    assert {"limit": limit, "max": most, "made": most} in response.json["error"]["details"]


def test_the_seller_may_make_five_offers_and_a_sixth_is_409_that_changes_nothing(patient_shop: Storefront) -> None:
    # Given: five offers made and rejected in the seller's window (the default limits.max_offers)
    case_id = patient_shop.escalate()["id"]
    offer_rounds(patient_shop, case_id, 5)
    before = patient_shop.get(case_id)
    timeline = events_of(patient_shop, case_id)

    # When: the seller makes a sixth
    sixth = patient_shop.act(patient_shop.seller, case_id, "offers", {"amount": 100})

    # Then: 409 naming the limit, and the case is as it was
    assert_limit_reached(sixth, "limits.max_offers", 5)
    after = patient_shop.get(case_id)
    assert after["version"] == before["version"] and len(after["offers"]) == 5
    assert events_of(patient_shop, case_id) == timeline
    assert patient_shop.act(patient_shop.seller, case_id, "submit").status_code == 202  # the case goes on


def information_rounds(shop: Storefront, case_id: str, rounds: int) -> None:
    """A reviewer asks the seller (the longest question), the seller answers, the case returns to review."""
    for _ in range(rounds):
        message = {"parties": ["seller"], "message": "m" * FREE_TEXT_MAX_CHARS}
        asked = shop.act(REVIEWER, case_id, "info-requests", message)
        assert asked.status_code == 201, asked.json
        assert shop.act(shop.seller, case_id, "submit").status_code == 202
        shop.wait_for_window(case_id, "review")


def test_reviewers_may_send_three_information_requests_and_a_fourth_is_409_that_changes_nothing(
    patient_shop: Storefront,
) -> None:
    # Given: a case in review that went back to the seller three times (the default limits.max_info_requests)
    case_id = patient_shop.to_review()["id"]
    information_rounds(patient_shop, case_id, 3)
    before = patient_shop.get(case_id)
    timeline = events_of(patient_shop, case_id)

    # When: a reviewer asks a fourth time
    fourth = patient_shop.act(REVIEWER, case_id, "info-requests", {"parties": ["buyer"], "message": "once more?"})

    # Then: 409 naming the limit, and the case is as it was, still waiting for a ruling
    assert_limit_reached(fourth, "limits.max_info_requests", 3)
    after = patient_shop.get(case_id)
    assert after["version"] == before["version"] and after["info_requests_made"] == 3
    assert events_of(patient_shop, case_id) == timeline
    assert after["open_window"]["kind"] == "review"


# These two need the service to pass the storefront's policy (limits.max_offers, limits.max_info_requests)
# to the domain; with the default passed instead, the tight shop's lower limits are not applied.


def test_a_storefronts_own_offer_limit_is_the_one_applied(tight_shop: Storefront) -> None:
    case_id = tight_shop.escalate()["id"]
    offer_rounds(tight_shop, case_id, 2)
    version = tight_shop.get(case_id)["version"]

    third = tight_shop.act(tight_shop.seller, case_id, "offers", {"amount": 100})

    assert_limit_reached(third, "limits.max_offers", 2)
    assert tight_shop.get(case_id)["version"] == version


def test_a_storefronts_own_information_request_limit_is_the_one_applied(tight_shop: Storefront) -> None:
    case_id = tight_shop.to_review()["id"]
    information_rounds(tight_shop, case_id, 1)
    version = tight_shop.get(case_id)["version"]

    second = tight_shop.act(REVIEWER, case_id, "info-requests", {"parties": ["seller"], "message": "again?"})

    assert_limit_reached(second, "limits.max_info_requests", 1)
    assert tight_shop.get(case_id)["version"] == version
