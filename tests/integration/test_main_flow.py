"""The main flow through the real state machine on moto: escalate, windows, review, ruling, close."""

from __future__ import annotations

from typing import Any

from tests.conftest import eventually
from tests.factories import bearer
from tests.integration.conftest import Api, Storefront

REVIEWER = bearer("reviewer", "rev-1", "platform")

REFUND_RULING = {
    "outcome": "refund_full",
    "liability": "seller",
    "compensation": [{"payer": "seller", "payee": "buyer", "kind": "refund", "amount": 12_900, "currency": "CNY"}],
    "penalties": [{"party": "seller", "kind": "points", "value": 2}],
    "notes": "photos show the defect; the seller offered no rebuttal",
    "override_reason": "the buyer's photos were sent by chat; the defect is plain",
}


def actions(api: Api, shop: Storefront, case_id: str) -> list[str]:
    response = api.call("GET", f"/v1/disputes/{case_id}/events", shop.buyer)
    assert response.status_code == 200
    return [event["action"] for event in response.json["items"]]


def test_both_parties_submit_then_a_reviewer_rules_and_the_case_closes(api: Api, brisk_shop: Storefront) -> None:
    # Given an escalated case waiting for the seller
    case = brisk_shop.escalate()
    assert case["status"] == "awaiting_seller"
    assert "seller_response" in case["deadlines"]

    # When the seller and then the buyer end their windows early
    response = api.call("POST", f"/v1/disputes/{case['id']}/submit", brisk_shop.seller)
    assert response.status_code == 202, response.json
    assert response.json["status"] == "awaiting_buyer"
    response = api.call("POST", f"/v1/disputes/{case['id']}/submit", brisk_shop.buyer)
    assert response.status_code == 202, response.json

    # Then the workflow applies the rules and queues the case for a reviewer
    reviewed = brisk_shop.wait_for_status(case["id"], "under_review")
    reviewed = eventually(lambda: brisk_shop.get(case["id"]), lambda c: c["recommendation"] is not None)
    assert reviewed["recommendation"]["decision"] == "review"

    # When a reviewer rules, the appeal window opens, its end makes the ruling final, and the refund closes the case
    response = api.call("POST", f"/v1/disputes/{case['id']}/ruling", REVIEWER, REFUND_RULING)
    assert response.status_code == 201, response.json
    assert response.json["status"] == "ruled"
    assert response.json["ruling"]["decided_by"] == "rev-1"
    closed = brisk_shop.refund_owed(case["id"])
    assert closed["status"] == "closed" and closed["resolution"] == "ruled"
    assert closed["version"] > response.json["version"]
    assert actions(api, brisk_shop, case["id"]) == [
        "created",
        "evidence_requested",
        "evidence_submitted",
        "evidence_requested",
        "evidence_submitted",
        "awaiting_rules",
        "rules_applied",
        "under_review",
        "ruled",
        "appeal_opened",
        "fulfilment_step_opened",
        "fulfilment_step_completed",
        "fulfilled",
        "closed",
    ]


def test_seller_silence_is_a_default_and_the_rules_rule_for_the_buyer(fast_shop: Storefront, api: Api) -> None:
    # Given a case nobody acts on, with deadlines of seconds
    case = fast_shop.escalate()

    # Then both deadlines pass (each with its reminder), the rules rule automatically, and the refund closes the case
    fast_shop.wait_for_window(case["id"], "refund", timeout=40)
    closed = fast_shop.refund_owed(case["id"])
    assert closed["resolution"] == "ruled"
    assert closed["missed_deadlines"] == ["seller_response:seller", "buyer_rebuttal:buyer"]
    assert closed["ruling"]["decided_by"] == "rules"
    assert closed["ruling"]["outcome"] == "refund_full"
    history = actions(api, fast_shop, case["id"])
    assert history.count("deadline_approaching") == 2
    assert history.count("deadline_missed") == 2


def test_a_ruling_before_the_case_reaches_review_is_a_conflict(api: Api, patient_shop: Storefront) -> None:
    case = patient_shop.escalate()

    response = api.call("POST", f"/v1/disputes/{case['id']}/ruling", REVIEWER, REFUND_RULING)

    assert response.status_code == 409
    assert response.json["error"]["code"] == "invalid_state"
    assert patient_shop.get(case["id"])["version"] == case["version"]


def test_stale_if_match_version_is_refused(api: Api, patient_shop: Storefront) -> None:
    case = patient_shop.escalate()

    response = api.call("POST", f"/v1/disputes/{case['id']}/submit", patient_shop.seller, **{"If-Match": "99"})

    assert response.status_code == 409
    assert response.json["error"]["code"] == "stale_version"
    unchanged: dict[str, Any] = patient_shop.get(case["id"])
    assert unchanged["status"] == "awaiting_seller"
