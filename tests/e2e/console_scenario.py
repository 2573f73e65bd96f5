"""The cases the reviewer-console test works on, set up over HTTP as a storefront, buyers and a seller would."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from chalicelib.config import DEV_JWT_SECRET
from localrun.driver import Driver, photo_png

SHOP = "console-shop"
SELLER_ID = "seller-console"


def token(role: str, sub: str, storefront: str = SHOP) -> dict[str, str]:
    claims = {"sub": sub, "role": role, "storefront_id": storefront, "exp": datetime.now(UTC) + timedelta(hours=1)}
    return {"Authorization": f"Bearer {jwt.encode(claims, DEV_JWT_SECRET, algorithm='HS256')}"}


SELLER = token("seller", SELLER_ID)
SENIOR = token("senior_reviewer", "senior-console", "platform")


@dataclass
class Scenario(Driver):
    """Drives one storefront's cases through the API (localrun/driver.py), with tokens signed by the
    documented dev secret the console's runtime runs with."""

    shop: str = SHOP
    seller_id: str = SELLER_ID
    secret: str | None = DEV_JWT_SECRET


def penalised_earlier_case(scenario: Scenario) -> str:
    """A proven defect the rules rule at once (4 points); the seller appeals; a senior reviewer confirms it,
    which makes the ruling final, writes the points to the seller's record and starts its return."""
    buyer = token("buyer", "buyer-earlier")
    case_id = scenario.escalate("earlier", "buyer-earlier", "The handle came off on day one.")
    scenario.submit(case_id, SELLER)
    scenario.wait_for_window(case_id, "buyer_rebuttal")
    scenario.photo(case_id, buyer, photo_png(96, 64), "the broken handle")
    scenario.submit(case_id, buyer)
    scenario.wait_for_window(case_id, "appeal")
    scenario.ok("POST", f"/v1/disputes/{case_id}/appeal", SELLER, {"statement": "The buyer dropped it."})
    scenario.wait_for_window(case_id, "review")
    scenario.ok("POST", f"/v1/disputes/{case_id}/ruling", SENIOR, {"accept_recommendation": True})
    scenario.wait(case_id, lambda case: case["status"] == "fulfilling")
    return case_id


def contested_defect(scenario: Scenario) -> str:
    """The case the reviewer decides: a cracked plate, a buyer photo, the seller's tracking saying 'delivered'."""
    buyer = token("buyer", "buyer-plate")
    case_id = scenario.escalate("plate", "buyer-plate", "The plate arrived cracked in two places.")
    scenario.tracking(
        case_id,
        SELLER,
        carrier="SF Express",
        tracking_number="SF1234567890",
        status="delivered",
        delivered_at=(datetime.now(UTC) - timedelta(days=3)).isoformat(),
        description="delivered, signed for by the buyer",
    )
    scenario.statement(case_id, SELLER, "We pack every plate in foam; the courier reported no damage.")
    scenario.submit(case_id, SELLER)
    scenario.wait_for_window(case_id, "buyer_rebuttal")
    scenario.photo(case_id, buyer, photo_png(), "crack across the rim, photographed on unboxing")
    scenario.statement(case_id, buyer, "The box looked fine; the plate inside was cracked.")
    scenario.submit(case_id, buyer)
    scenario.wait_for_window(case_id, "review")
    return case_id


def parcel_never_arrived(scenario: Scenario) -> str:
    """A yen order (no decimals) the buyer says never came; no tracking, so the rules leave it to a person."""
    buyer = token("buyer", "buyer-tokyo")
    case_id = scenario.escalate(
        "tokyo",
        "buyer-tokyo",
        "The parcel never arrived.",
        currency="JPY",
        amount_paid=4_800,
        shipping_paid=500,
        amount_requested=4_800,
        reason="not_received",
        delivered_at=None,
    )
    scenario.submit(case_id, SELLER)
    scenario.wait_for_window(case_id, "buyer_rebuttal")
    scenario.submit(case_id, buyer)
    scenario.wait_for_window(case_id, "review")
    return case_id


def counterfeit_claim(scenario: Scenario) -> str:
    """Counterfeit claims always go to a person."""
    buyer = token("buyer", "buyer-watch")
    case_id = scenario.escalate(
        "watch",
        "buyer-watch",
        "The serial number does not exist at the maker.",
        currency="USD",
        amount_paid=8_999,
        shipping_paid=0,
        amount_requested=8_999,
        reason="counterfeit",
    )
    scenario.submit(case_id, SELLER)
    scenario.wait_for_window(case_id, "buyer_rebuttal")
    scenario.submit(case_id, buyer)
    scenario.wait_for_window(case_id, "review")
    return case_id


# -- fulfilment: a storefront (tests/policies/console-returns.json) with a 2 s appeal window and a 20 s refund window


RETURNS_SHOP = "console-returns"


def conceded_refund(scenario: Scenario) -> str:
    """The seller concedes a refund-only request: the refund step opens at once, the storefront's to report."""
    case_id = scenario.escalate("kettle", "buyer-kettle", "The kettle leaks from the base.")
    scenario.ok("POST", f"/v1/disputes/{case_id}/concede", scenario.seller)
    scenario.wait_for_window(case_id, "refund")
    return case_id


def return_on_its_way(scenario: Scenario) -> str:
    """A proven defect the rules rule return-and-refund; nobody appeals; the buyer ships the teapot back."""
    buyer = scenario.buyer("buyer-teapot")
    case_id = scenario.escalate("teapot", "buyer-teapot", "The lid does not fit the teapot.", type="return_and_refund")
    scenario.submit(case_id, scenario.seller)
    scenario.wait_for_window(case_id, "buyer_rebuttal")
    scenario.photo(case_id, buyer, photo_png(96, 64), "the lid sits crooked")
    scenario.submit(case_id, buyer)
    scenario.wait_for_window(case_id, "return_shipment")
    scenario.ok(
        "POST",
        f"/v1/disputes/{case_id}/return-shipment",
        buyer,
        {"carrier": "SF Express", "tracking_number": "SF9876543210"},
    )
    scenario.wait_for_window(case_id, "return_receipt")
    return case_id


def return_received_damaged(scenario: Scenario, case_id: str) -> None:
    """The seller photographs the returned teapot and reports it damaged: the case goes back to a reviewer."""
    scenario.photo(case_id, scenario.seller, photo_png(160, 120), "the spout arrived chipped")
    scenario.ok(
        "POST",
        f"/v1/disputes/{case_id}/return-receipt",
        scenario.seller,
        {"condition": "damaged", "note": "The spout is chipped; it left us whole."},
    )
    scenario.wait_for_window(case_id, "review")
