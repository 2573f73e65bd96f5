"""What the reviewer console needs from the service: its files, dev tokens locally, and sellers' penalty records."""

from __future__ import annotations

from typing import Any

import jwt
import pytest

from chalicelib.config import DEV_JWT_SECRET
from tests.factories import bearer, unique
from tests.integration.conftest import Api, Storefront

REVIEWER = bearer("reviewer", "rev-1", "platform")


def fetch(api: Api, path: str) -> Any:
    """A plain GET whose body is not JSON."""
    return api.client.http.get(path)


def test_the_console_page_is_html_that_may_only_run_its_own_scripts_and_call_its_own_api(api: Api) -> None:
    response = fetch(api, "/console")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "connect-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    page = response.body.decode()
    assert '<script type="module" src="console/app.js">' in page
    assert 'data-dev-tokens="on"' in page  # the local runtime offers the dev-token button


@pytest.mark.parametrize(
    ("asset", "content_type"),
    [
        ("app.js", "application/javascript; charset=utf-8"),
        ("queue.js", "application/javascript; charset=utf-8"),
        ("app.css", "text/css; charset=utf-8"),
        ("icon.svg", "image/svg+xml; charset=utf-8"),
    ],
)
def test_console_files_are_served_as_text_with_their_types(api: Api, asset: str, content_type: str) -> None:
    response = fetch(api, f"/console/{asset}")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert isinstance(response.body, bytes) and response.body


@pytest.mark.parametrize("asset", ["missing.js", "index.html", "..", "__init__.py"])
def test_nothing_but_the_console_files_is_served(api: Api, asset: str) -> None:
    response = api.call("GET", f"/console/{asset}", None)

    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


def test_a_local_reviewer_gets_a_dev_token_the_api_accepts(api: Api) -> None:
    minted = api.call(
        "POST", "/v1/dev/tokens", None, {"role": "senior_reviewer"}, **{"Content-Type": "application/json"}
    )

    assert minted.status_code == 201, minted.json
    assert minted.headers["Cache-Control"] == "no-store"
    claims = jwt.decode(minted.json["token"], DEV_JWT_SECRET, algorithms=["HS256"])
    assert (claims["role"], claims["sub"], claims["storefront_id"]) == ("senior_reviewer", "dev-reviewer", "platform")
    queue = api.call("GET", "/v1/disputes?queue=senior", {"Authorization": f"Bearer {minted.json['token']}"})
    assert queue.status_code == 200, queue.json


@pytest.mark.parametrize("role", ["buyer", "seller", "storefront"])
def test_dev_tokens_are_minted_for_reviewers_only(api: Api, role: str) -> None:
    response = api.call("POST", "/v1/dev/tokens", None, {"role": role}, **{"Content-Type": "application/json"})

    assert response.status_code == 422
    assert response.json["error"]["details"][0]["field"] == "role"


def test_a_reviewer_reads_the_penalty_points_a_final_ruling_left_on_its_seller(
    api: Api, brisk_shop: Storefront
) -> None:
    # Given a case against a seller of its own, ruled with 5 penalty points (the 3 s appeal window then makes the
    # ruling final: the points are written and the refund step opens)
    seller_id = unique("seller")
    seller = bearer("seller", seller_id, brisk_shop.id)
    case = brisk_shop.escalate(seller_id=seller_id)
    assert brisk_shop.act(seller, case["id"], "submit").status_code == 202
    assert brisk_shop.act(brisk_shop.buyer, case["id"], "submit").status_code == 202
    brisk_shop.wait_for_window(case["id"], "review")
    ruling = {
        "outcome": "refund_full",
        "liability": "seller",
        "compensation": [{"payer": "seller", "payee": "buyer", "kind": "refund", "amount": 12_900, "currency": "CNY"}],
        "penalties": [{"party": "seller", "kind": "points", "value": 5}],
        "override_reason": "the seller's own chat log admits the defect",
    }
    assert brisk_shop.act(REVIEWER, case["id"], "ruling", ruling).status_code == 201
    brisk_shop.wait_for_status(case["id"], "fulfilling")

    # When a reviewer reads the seller's record
    response = api.call("GET", f"/v1/sellers/{seller_id}/penalties?storefront_id={brisk_shop.id}", REVIEWER)

    # Then the points are there, live, with the storefront's repeat-offender threshold
    assert response.status_code == 200, response.json
    record = response.json
    assert (record["seller_id"], record["storefront_id"]) == (seller_id, brisk_shop.id)
    assert record["live_points"] == 5
    assert record["repeat_offender_points"] == 12
    assert [(item["case_id"], item["points"], item["live"]) for item in record["items"]] == [(case["id"], 5, True)]
    assert record["items"][0]["recorded_at"].endswith("Z")


def test_a_seller_with_no_record_has_no_points(api: Api) -> None:
    response = api.call("GET", "/v1/sellers/nobody/penalties?storefront_id=shop-1", REVIEWER)

    assert response.status_code == 200
    assert (response.json["live_points"], response.json["items"]) == (0, [])


@pytest.mark.parametrize(
    ("token", "status"),
    [
        (bearer("buyer", "buyer-1"), 403),
        (bearer("seller", "seller-1"), 403),
        (bearer("storefront", "shop-backend"), 403),
        (None, 401),
    ],
)
def test_only_reviewers_read_a_sellers_record(api: Api, token: dict[str, str] | None, status: int) -> None:
    assert api.call("GET", "/v1/sellers/seller-1/penalties?storefront_id=shop-1", token).status_code == status


def test_a_sellers_record_needs_its_storefront(api: Api) -> None:
    response = api.call("GET", "/v1/sellers/seller-1/penalties", REVIEWER)

    assert response.status_code == 422
    assert response.json["error"]["details"][0]["field"] == "storefront_id"
