"""Every path of the state machine on moto's real execution, deadlines scaled to seconds."""

from __future__ import annotations

from typing import Any

from tests.conftest import eventually
from tests.factories import bearer
from tests.integration.conftest import Api, Storefront, wait_for_execution_end

REVIEWER = bearer("reviewer", "rev-1", "platform")
REVIEWER_2 = bearer("reviewer", "rev-2", "platform")
SENIOR = bearer("senior_reviewer", "senior-1", "platform")
PARTIAL: dict[str, Any] = {
    "outcome": "refund_partial",
    "liability": "seller",
    "compensation": [{"payer": "seller", "payee": "buyer", "kind": "refund", "amount": 6_000, "currency": "CNY"}],
    "notes": "minor scuff, partial refund",
    "override_reason": "the scuff is real but minor",
}


def test_seller_concedes_in_its_window_and_the_case_closes_once_the_refund_is_reported(
    patient_shop: Storefront,
) -> None:
    case = patient_shop.escalate()

    response = patient_shop.act(patient_shop.seller, case["id"], "concede")

    assert response.status_code == 200, response.json
    assert response.json["status"] == "fulfilling" and response.json["resolution"] == "conceded"
    assert response.json["ruling"]["compensation"][0]["amount"] == case["amount_requested"]
    assert response.json["fulfilment"]["step"] == "refund" and response.json["fulfilment"]["party"] == "storefront"
    closed = patient_shop.refund_owed(case["id"])
    assert closed["status"] == "closed" and closed["fulfilment"]["outcome"] == "completed"
    assert wait_for_execution_end(case["id"]) == "SUCCEEDED"


def test_accepted_offer_settles_the_case(patient_shop: Storefront) -> None:
    case = patient_shop.escalate()
    offered = patient_shop.act(patient_shop.seller, case["id"], "offers", {"amount": 5_000, "note": "half"})
    assert offered.status_code == 201, offered.json
    offer_id = offered.json["id"]
    assert offered.json["status"] == "open" and offered.json["version"] == patient_shop.get(case["id"])["version"]

    accepted = patient_shop.act(patient_shop.buyer, case["id"], f"offers/{offer_id}/accept")

    assert accepted.status_code == 200, accepted.json
    assert accepted.json["resolution"] == "settled" and accepted.json["status"] == "fulfilling"
    assert accepted.json["ruling"]["compensation"][0]["amount"] == 5_000
    assert accepted.json["fulfilment"]["owed"] == 5_000
    assert patient_shop.refund_owed(case["id"])["status"] == "closed"
    assert wait_for_execution_end(case["id"]) == "SUCCEEDED"


def test_rejected_offer_keeps_the_case_in_its_window(patient_shop: Storefront) -> None:
    case = patient_shop.escalate()
    offer_id = patient_shop.act(patient_shop.seller, case["id"], "offers", {"amount": 5_000}).json["id"]

    rejected = patient_shop.act(patient_shop.buyer, case["id"], f"offers/{offer_id}/reject")

    assert rejected.status_code == 200
    assert rejected.json["status"] == "awaiting_seller"
    assert rejected.json["open_window"]["id"] == case["open_window"]["id"]
    assert patient_shop.act(patient_shop.seller, case["id"], "submit").status_code == 202


def test_buyer_withdraws_during_its_window(patient_shop: Storefront) -> None:
    case = patient_shop.escalate()
    assert patient_shop.act(patient_shop.seller, case["id"], "submit").status_code == 202

    withdrawn = patient_shop.act(patient_shop.buyer, case["id"], "withdraw", {"reason": "refund arrived"})

    assert withdrawn.status_code == 200
    assert withdrawn.json["resolution"] == "withdrawn"
    assert wait_for_execution_end(case["id"]) == "SUCCEEDED"
    assert patient_shop.act(patient_shop.buyer, case["id"], "withdraw").status_code == 409


def test_information_request_round_trip_then_ruling(brisk_shop: Storefront, api: Api) -> None:
    case = brisk_shop.to_review()
    assert brisk_shop.act(REVIEWER, case["id"], "claim").status_code == 200

    asked = brisk_shop.act(REVIEWER, case["id"], "info-requests", {"parties": ["seller"], "message": "Invoice?"})

    assert asked.status_code == 201, asked.json
    assert asked.json["status"] == "awaiting_seller"
    assert asked.json["deadlines"]["info_request"]
    assert brisk_shop.act(REVIEWER, case["id"], "ruling", PARTIAL).status_code == 409
    assert brisk_shop.act(brisk_shop.seller, case["id"], "submit").status_code == 202
    back = brisk_shop.wait_for_window(case["id"], "review")
    assert back["status"] == "under_review" and back["claimed_by"] == "rev-1"

    assert brisk_shop.act(REVIEWER, case["id"], "ruling", PARTIAL).status_code == 201
    assert brisk_shop.refund_owed(case["id"])["resolution"] == "ruled"
    assert wait_for_execution_end(case["id"]) == "SUCCEEDED"


def test_claiming_again_by_the_reviewer_who_holds_the_case_writes_nothing(patient_shop: Storefront, api: Api) -> None:
    # Needs the service's runner to treat a transition with the case unchanged and no events as nothing to write.
    case = patient_shop.to_review()
    assert patient_shop.act(REVIEWER, case["id"], "claim").status_code == 200
    claimed = patient_shop.get(case["id"])
    timeline = api.call("GET", f"/v1/disputes/{case['id']}/events", REVIEWER).json["items"]

    again = patient_shop.act(REVIEWER, case["id"], "claim")

    assert again.status_code == 200, again.json
    assert again.json["claimed_by"] == "rev-1" and again.json["version"] == claimed["version"]
    assert patient_shop.get(case["id"]) == claimed
    assert api.call("GET", f"/v1/disputes/{case['id']}/events", REVIEWER).json["items"] == timeline


def test_missed_information_request_returns_the_case_to_review(sla_shop: Storefront) -> None:
    case = sla_shop.to_review()

    asked = sla_shop.act(SENIOR, case["id"], "info-requests", {"parties": ["buyer", "seller"], "message": "Photos?"})
    assert asked.status_code == 201, asked.json

    back = sla_shop.wait_for_window(case["id"], "review", timeout=30)
    assert "info_request:buyer" in back["missed_deadlines"] and "info_request:seller" in back["missed_deadlines"]


def test_appeal_is_decided_by_another_senior_reviewer_and_is_final(patient_shop: Storefront) -> None:
    case = patient_shop.to_review()
    assert patient_shop.act(REVIEWER, case["id"], "ruling", PARTIAL).status_code == 201

    appealed = patient_shop.act(patient_shop.buyer, case["id"], "appeal", {"statement": "the scuff is a crack"})
    assert appealed.status_code == 201, appealed.json
    assert appealed.json["status"] == "appealed"
    assert patient_shop.act(patient_shop.seller, case["id"], "appeal", {"statement": "me too"}).status_code == 409
    refused = patient_shop.act(REVIEWER_2, case["id"], "ruling", PARTIAL)
    assert refused.status_code == 409 and refused.json["error"]["code"] == "senior_reviewer_required"

    full = {**PARTIAL, "outcome": "refund_full", "notes": "crack confirmed"}
    full["compensation"] = [{**PARTIAL["compensation"][0], "amount": 12_900}]
    final = patient_shop.act(SENIOR, case["id"], "ruling", full)

    assert final.status_code == 201, final.json
    assert final.json["status"] == "fulfilling" and final.json["ruling"]["final"] is True
    assert final.json["superseded_ruling"]["decided_by"] == "rev-1"
    assert patient_shop.refund_owed(case["id"])["fulfilment"]["owed"] == 12_900
    assert wait_for_execution_end(case["id"]) == "SUCCEEDED"


def test_review_sla_breach_moves_the_case_to_the_senior_queue(sla_shop: Storefront, api: Api) -> None:
    case = sla_shop.to_review()

    breached = eventually_senior(sla_shop, case["id"])

    assert breached["open_window"]["kind"] == "review"
    senior_queue = api.call("GET", "/v1/disputes?queue=senior&limit=100", SENIOR)
    assert case["id"] in [item["id"] for item in senior_queue.json["items"]]
    assert sla_shop.act(REVIEWER, case["id"], "claim").status_code == 409  # senior_reviewer_required
    assert sla_shop.act(SENIOR, case["id"], "claim").status_code == 200


def eventually_senior(shop: Storefront, case_id: str) -> dict[str, Any]:
    return eventually(lambda: shop.get(case_id), lambda c: c["senior_queue_since"] is not None, timeout=30)


def test_actions_in_the_wrong_state_are_409_and_change_nothing(patient_shop: Storefront) -> None:
    case = patient_shop.escalate()

    assert patient_shop.act(patient_shop.buyer, case["id"], "appeal", {"statement": "too early"}).status_code == 409
    assert patient_shop.act(REVIEWER, case["id"], "claim").status_code == 409
    assert (
        patient_shop.act(REVIEWER, case["id"], "info-requests", {"parties": ["buyer"], "message": "x"}).status_code
        == 409
    )
    assert patient_shop.get(case["id"])["version"] == case["version"]


def test_acting_after_the_deadline_is_410(fast_shop: Storefront) -> None:
    case = fast_shop.escalate()
    fast_shop.wait_for_status(case["id"], "awaiting_buyer", timeout=20)

    response = fast_shop.act(fast_shop.seller, case["id"], "submit")

    assert response.status_code == 410
    assert response.json["error"]["code"] == "deadline_passed"
