"""The seller's defence over the API: stated in its window, read by the buyer and reviewers, refused elsewhere."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.domain.models import FREE_TEXT_MAX_CHARS
from tests.factories import bearer
from tests.integration.conftest import Api, Storefront
from tests.integration.evidence_helpers import REVIEWER, timeline
from tests.integration.test_bad_input import assert_error

USED = {"grounds": ["item_used", "incomplete"], "statement": "Worn twice; the tags are cut (see our photos)."}


def defend(shop: Storefront, token: dict[str, str], case_id: str, body: Any = None) -> Any:
    return shop.act(token, case_id, "defence", USED if body is None else body)


def test_the_seller_states_its_grounds_and_the_buyer_and_reviewers_read_them_on_the_case(
    api: Api, patient_shop: Storefront
) -> None:
    # Given a case waiting for the seller
    case = patient_shop.escalate()

    # When the seller states its grounds
    response = defend(patient_shop, patient_shop.seller, case["id"])

    # Then the case as saved carries the defence, its window still open, with the new version as ETag
    assert response.status_code == 201, response.json
    stated = response.json
    assert stated["defence"]["grounds"] == ["item_used", "incomplete"]
    assert stated["defence"]["statement"] == USED["statement"]
    assert stated["defence"]["submitted_by"] == "seller-1"
    assert stated["status"] == "awaiting_seller"
    assert stated["open_window"]["kind"] == "seller_response" and stated["open_window"]["submitted"] == []
    assert stated["version"] == case["version"] + 1
    assert response.headers["ETag"] == f'"{stated["version"]}"'

    # And the buyer and reviewers see it, and the timeline records it with its grounds
    assert patient_shop.get(case["id"])["defence"] == stated["defence"]
    assert api.call("GET", f"/v1/disputes/{case['id']}", REVIEWER).json["defence"] == stated["defence"]
    events = api.call("GET", f"/v1/disputes/{case['id']}/events", patient_shop.buyer).json["items"]
    assert events[-1]["action"] == "defence_submitted"
    assert events[-1]["data"]["grounds"] == ["item_used", "incomplete"]


def test_a_second_defence_replaces_the_first_and_the_timeline_keeps_both(api: Api, patient_shop: Storefront) -> None:
    case = patient_shop.escalate()
    assert defend(patient_shop, patient_shop.seller, case["id"]).status_code == 201

    again = defend(patient_shop, patient_shop.seller, case["id"], {"grounds": ["no_defect"], "statement": "It works."})

    assert again.status_code == 201, again.json
    assert again.json["defence"]["grounds"] == ["no_defect"]
    assert timeline(api, patient_shop, case["id"]).count("defence_submitted") == 2


def test_the_seller_still_submits_after_its_defence_and_is_then_outside_its_window(
    patient_shop: Storefront,
) -> None:
    case = patient_shop.escalate()
    assert defend(patient_shop, patient_shop.seller, case["id"]).status_code == 201

    assert patient_shop.act(patient_shop.seller, case["id"], "submit").status_code == 202

    assert_error(defend(patient_shop, patient_shop.seller, case["id"]), 409, "invalid_state")
    assert patient_shop.get(case["id"])["defence"]["grounds"] == USED["grounds"]


def test_an_information_request_to_the_seller_lets_it_state_its_defence(brisk_shop: Storefront) -> None:
    case = brisk_shop.to_review()
    assert_error(defend(brisk_shop, brisk_shop.seller, case["id"]), 409, "invalid_state")
    asked = brisk_shop.act(REVIEWER, case["id"], "info-requests", {"parties": ["seller"], "message": "Why refuse?"})
    assert asked.status_code == 201, asked.json

    assert defend(brisk_shop, brisk_shop.seller, case["id"]).status_code == 201


def test_a_buyer_may_never_state_a_defence(patient_shop: Storefront) -> None:
    case = patient_shop.escalate()

    assert_error(defend(patient_shop, patient_shop.buyer, case["id"]), 403, "forbidden")
    assert_error(defend(patient_shop, REVIEWER, case["id"]), 403, "forbidden")
    assert_error(defend(patient_shop, patient_shop.token, case["id"]), 403, "forbidden")


@pytest.mark.parametrize(
    "stranger", [bearer("seller", "seller-2", "patient"), bearer("seller", "seller-1", "elsewhere")]
)
def test_a_seller_who_is_not_the_cases_gets_404(patient_shop: Storefront, stranger: dict[str, str]) -> None:
    case = patient_shop.escalate()

    assert_error(defend(patient_shop, stranger, case["id"]), 404, "not_found")
    assert patient_shop.get(case["id"])["defence"] is None


@pytest.mark.parametrize(
    "body",
    [
        {"grounds": ["buyer_is_lying"], "statement": "x"},
        {"grounds": ["no_defect", "no_defect"], "statement": "x"},
        {"grounds": [], "statement": "x"},
        {"grounds": ["no_defect"], "statement": "x" * (FREE_TEXT_MAX_CHARS + 1)},
        {"grounds": ["no_defect"], "statement": ""},
        {"grounds": ["no_defect"]},
    ],
    ids=["unknown-ground", "repeated-ground", "no-ground", "too-long", "blank", "no-statement"],
)
def test_a_defence_off_the_list_or_the_limits_is_422_and_changes_nothing(
    patient_shop: Storefront, body: dict[str, Any]
) -> None:
    case = patient_shop.escalate()

    assert_error(defend(patient_shop, patient_shop.seller, case["id"], body), 422, "invalid_value")
    assert patient_shop.get(case["id"])["version"] == case["version"]


def test_a_defence_after_the_sellers_deadline_is_410(fast_shop: Storefront) -> None:
    # Given a seller who let its window (seconds long in this storefront) pass
    case = fast_shop.escalate()
    fast_shop.wait_for_status(case["id"], "awaiting_buyer")

    # Then its defence comes too late
    assert_error(defend(fast_shop, fast_shop.seller, case["id"]), 410, "deadline_passed")


def test_a_defence_honours_if_match(api: Api, patient_shop: Storefront) -> None:
    case = patient_shop.escalate()
    path = f"/v1/disputes/{case['id']}/defence"

    stale = api.call("POST", path, patient_shop.seller, USED, **{"If-Match": f'"{case["version"] + 1}"'})
    fresh = api.call("POST", path, patient_shop.seller, USED, **{"If-Match": f'"{case["version"]}"'})

    assert_error(stale, 409, "stale_version")
    assert fresh.status_code == 201, fresh.json
