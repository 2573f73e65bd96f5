"""The decision step through the real state machine: auto rulings, the review queue, and the records the rules read."""

from __future__ import annotations

from typing import Any

from tests import evidence_samples as samples
from tests.conftest import eventually
from tests.factories import bearer
from tests.integration.conftest import Api, Storefront
from tests.integration.evidence_helpers import add_photo

REVIEWER = bearer("reviewer", "rev-1", "platform")


def quality_case_with_buyer_photo(shop: Storefront, api: Api) -> dict[str, Any]:
    """Seller sends nothing; the buyer shows the defect; both end their windows."""
    case = shop.escalate(reason="quality_defect", type="return_and_refund", amount_requested=12_900)
    assert shop.act(shop.seller, case["id"], "submit").status_code == 202
    add_photo(api, shop.buyer, case["id"], samples.png())
    assert shop.act(shop.buyer, case["id"], "submit").status_code == 202
    return case


def test_proven_quality_defect_is_ruled_automatically_and_costs_the_seller_points(api: Api, ctx: Any) -> None:
    shop = Storefront(api, "strict")
    case = quality_case_with_buyer_photo(shop, api)

    closed = shop.wait_for_status(case["id"], "fulfilling")

    assert closed["fulfilment"]["step"] == "return_shipment" and closed["fulfilment"]["party"] == "buyer"
    assert closed["ruling"]["decided_by"] == "rules"
    assert closed["ruling"]["outcome"] == "return_and_refund"
    assert [line["kind"] for line in closed["ruling"]["compensation"]] == ["refund", "return_shipping"]
    assert closed["ruling"]["penalties"] == [{"party": "seller", "kind": "points", "value": 4}]
    assert [hit["rule"] for hit in closed["recommendation"]["rules_fired"]] == ["quality_claim_proven"]
    assert closed["policy_version"] == "test-strict"

    # Then the seller's next dispute on this storefront goes to a person: it is now a repeat offender
    second = quality_case_with_buyer_photo(shop, api)
    queued = shop.wait_for_window(second["id"], "review")
    assert queued["recommendation"]["decision"] == "review"
    assert [hit["rule"] for hit in queued["recommendation"]["rules_fired"]] == [
        "quality_claim_proven",
        "repeat_offender",
    ]


def test_reviewer_claims_and_accepts_the_recommendation(api: Api, brisk_shop: Storefront) -> None:
    case = brisk_shop.to_review()
    assert case["recommendation"]["decision"] == "review"
    assert brisk_shop.act(REVIEWER, case["id"], "claim").status_code == 200
    assert brisk_shop.act(bearer("reviewer", "rev-2", "platform"), case["id"], "claim").status_code == 409

    ruled = brisk_shop.act(REVIEWER, case["id"], "ruling", {"accept_recommendation": True, "notes": "no photos"})

    assert ruled.status_code == 201, ruled.json
    assert ruled.json["ruling"]["outcome"] == case["recommendation"]["ruling"]["outcome"]
    assert ruled.json["ruling"]["rationale"] == case["recommendation"]["rules_fired"]
    closed = brisk_shop.wait_for_status(case["id"], "closed")
    assert closed["resolution"] == "ruled"


def test_an_override_without_a_reason_is_refused_and_changes_nothing(api: Api, patient_shop: Storefront) -> None:
    case = patient_shop.to_review()
    override = {
        "outcome": "refund_full",
        "liability": "seller",
        "compensation": [{"payer": "seller", "payee": "buyer", "kind": "refund", "amount": 12_900, "currency": "CNY"}],
    }

    refused = patient_shop.act(REVIEWER, case["id"], "ruling", override)

    assert refused.status_code == 422
    assert refused.json["error"]["details"][0]["field"] == "override_reason"
    assert patient_shop.get(case["id"])["version"] == case["version"]
    accepted = patient_shop.act(REVIEWER, case["id"], "ruling", {**override, "override_reason": "chat photos"})
    assert accepted.status_code == 201
    assert accepted.json["ruling"]["rationale"][-1] == {"rule": "reviewer_override", "reason": "chat photos"}


def test_review_queue_shows_the_recommendation_with_its_rules(api: Api, patient_shop: Storefront) -> None:
    case = patient_shop.to_review()

    queue = eventually(
        lambda: api.call("GET", "/v1/disputes?queue=review&limit=100", REVIEWER).json["items"],
        lambda items: case["id"] in [item["id"] for item in items],
    )

    listed = next(item for item in queue if item["id"] == case["id"])
    assert listed["recommendation"]["rules_fired"][0]["rule"] == "quality_claim_unproven"


def test_a_conceded_exchange_is_an_exchange_the_seller_posts_both_ways(patient_shop: Storefront) -> None:
    # Given a rejected exchange request for a defect, with the item's facts as the storefront recorded them
    item = {"category": "general", "disclosed": {"flawed": False}}
    case = patient_shop.escalate(reason="quality_defect", type="exchange", item=item)
    assert case["item"] == {
        "category": "general",
        "no_reason_return_eligible": None,
        "disclosed": {"flawed": False, "near_expiry": False, "custom_made": False},
    }

    # When the seller concedes
    conceded = patient_shop.act(patient_shop.seller, case["id"], "concede")

    # Then the buyer gets the exchange asked for, the seller paying the postage, and the return goes first
    assert conceded.status_code == 200, conceded.json
    ruling = patient_shop.get(case["id"])["ruling"]
    assert (ruling["outcome"], ruling["return_shipping_payer"], ruling["compensation"]) == ("exchange", "seller", [])
    fulfilling = patient_shop.wait_for_window(case["id"], "return_shipment")
    assert fulfilling["fulfilment"]["remedy"] == "exchange"


def test_a_reviewers_return_ruling_without_a_postage_payer_is_refused(patient_shop: Storefront) -> None:
    case = patient_shop.to_review()
    ruling = {
        "outcome": "return_and_refund",
        "liability": "seller",
        "compensation": [{"payer": "seller", "payee": "buyer", "kind": "refund", "amount": 12_900, "currency": "CNY"}],
        "override_reason": "the photos came by chat",
    }

    refused = patient_shop.act(REVIEWER, case["id"], "ruling", ruling)
    ruled = patient_shop.act(REVIEWER, case["id"], "ruling", {**ruling, "return_shipping_payer": "seller"})

    assert refused.status_code == 422, refused.json
    assert refused.json["error"]["details"][0]["field"] == "return_shipping_payer"
    assert ruled.status_code == 201, ruled.json
    assert ruled.json["ruling"]["return_shipping_payer"] == "seller"
