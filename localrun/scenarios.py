"""Named scenarios: each plays one case over HTTP to a documented state and returns its id.

`python -m localrun.trigger NAME` plays one; `make demo` seeds the console with all of them. Every
scenario runs with the real deadlines: the test clock (`POST /v1/dev/disputes/{id}/advance`) ends a
window where the story lets a deadline pass. `expect` is the state each one leaves its case in,
checked by tests/e2e/test_trigger.py.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from localrun.driver import Driver, photo_png


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    play: Callable[[Driver, str], str]  # (driver, unique tag) -> case id
    expect: dict[str, Any] = field(default_factory=dict)  # dotted path in the case -> value


SCENARIOS: dict[str, Scenario] = {}


def scenario(description: str, **expect: Any) -> Callable[[Callable[[Driver, str], str]], Callable[[Driver, str], str]]:
    def register(play: Callable[[Driver, str], str]) -> Callable[[Driver, str], str]:
        name = play.__name__
        SCENARIOS[name] = Scenario(name, description, play, {key.replace("__", "."): v for key, v in expect.items()})
        return play

    return register


def lookup(case: dict[str, Any], dotted: str) -> Any:
    value: Any = case
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def mismatches(case: dict[str, Any], expect: dict[str, Any]) -> dict[str, Any]:
    """What differs from `expect`: {path: actual}. `True` expects anything present."""
    found = {path: lookup(case, path) for path in expect}
    return {
        path: value
        for path, value in found.items()
        if not (value is not None if expect[path] is True else value == expect[path])
    }


def new_driver(url: str, name: str) -> tuple[Driver, str]:
    """A driver whose seller is this run's own, so no earlier run's penalty points or buyer record count."""
    tag = f"{name}-{secrets.token_hex(3)}"
    return Driver(url=url, seller_id=f"seller-{tag}"), tag


def run(url: str, name: str) -> str:
    driver, tag = new_driver(url, name)
    case_id = SCENARIOS[name].play(driver, tag)
    ready = driver.wait(case_id, lambda case: not mismatches(case, SCENARIOS[name].expect))
    return str(ready["id"])


# -- steps the scenarios share


def _tracking(driver: Driver, case_id: str, status: str = "delivered") -> None:
    delivered = (datetime.now(UTC) - timedelta(days=3)).isoformat() if status == "delivered" else None
    driver.tracking(
        case_id,
        driver.seller,
        carrier="SF Express",
        tracking_number=f"SF{secrets.randbelow(10**10):010d}",
        status=status,
        delivered_at=delivered,
        description="delivered, signed for by the buyer" if delivered else f"carrier reports the parcel {status}",
    )


def _proven_defect(driver: Driver, tag: str, statement: str, **facts: Any) -> str:
    """The seller answers nothing; the buyer's photo proves the defect: the rules rule at once."""
    buyer = f"buyer-{tag}"
    case_id = driver.escalate(tag, buyer, statement, **facts)
    driver.submit(case_id, driver.seller)
    driver.wait_for_window(case_id, "buyer_rebuttal")
    driver.photo(case_id, driver.buyer(buyer), photo_png(320, 220), "the defect, photographed on unboxing")
    driver.submit(case_id, driver.buyer(buyer))
    driver.wait_for_window(case_id, "appeal")
    return case_id


def _final(driver: Driver, case_id: str, step: str) -> None:
    """Nobody appeals: the test clock ends the appeal window and the ruling is carried out."""
    driver.advance(case_id, "appeal")
    driver.wait_for_window(case_id, step)


def _returned(driver: Driver, tag: str) -> str:
    """A return-and-refund the rules grant, final, the teapot shipped back: waits for the seller's receipt."""
    case_id = _proven_defect(driver, tag, "The lid does not fit the teapot.", type="return_and_refund")
    _final(driver, case_id, "return_shipment")
    parcel = {"carrier": "SF Express", "tracking_number": f"SF{secrets.randbelow(10**10):010d}"}
    driver.ok("POST", f"/v1/disputes/{case_id}/return-shipment", driver.buyer(f"buyer-{tag}"), parcel)
    driver.wait_for_window(case_id, "return_receipt")
    return case_id


def _refund(driver: Driver, case_id: str) -> None:
    """The storefront reports the refund, exactly what is owed: the case closes."""
    case = driver.wait_for_window(case_id, "refund")
    owed = {"amount": case["fulfilment"]["owed"], "currency": case["fulfilment"]["currency"], "reference": case_id}
    driver.ok("POST", f"/v1/disputes/{case_id}/refund", driver.storefront, owed)


def _contested(driver: Driver, tag: str) -> str:
    buyer = f"buyer-{tag}"
    case_id = driver.escalate(tag, buyer, "The plate arrived cracked in two places.")
    _tracking(driver, case_id)
    driver.photo(case_id, driver.seller, photo_png(320, 220, (20, 10, 0)), "the plate as packed, in foam")
    driver.statement(case_id, driver.seller, "We pack every plate in foam; the courier reported no damage.")
    driver.submit(case_id, driver.seller)
    driver.wait_for_window(case_id, "buyer_rebuttal")
    driver.photo(case_id, driver.buyer(buyer), photo_png(), "crack across the rim, photographed on unboxing")
    driver.statement(case_id, driver.buyer(buyer), "The box looked fine; the plate inside was cracked.")
    driver.submit(case_id, driver.buyer(buyer))
    driver.wait_for_window(case_id, "review")
    return case_id


# -- the scenarios, in the order `--list` shows them and the demo seeds them


@scenario("a new case, waiting for the seller's answer", status="awaiting_seller")
def awaiting_seller(driver: Driver, tag: str) -> str:
    return driver.escalate(tag, f"buyer-{tag}", "The kettle whistles but never boils.")


@scenario("the seller answered with tracking and a statement; the buyer's rebuttal is due", status="awaiting_buyer")
def awaiting_buyer(driver: Driver, tag: str) -> str:
    case_id = driver.escalate(tag, f"buyer-{tag}", "The scarf is a different colour from the listing.")
    _tracking(driver, case_id)
    driver.statement(case_id, driver.seller, "The colour matches the listing photos under daylight.")
    driver.submit(case_id, driver.seller)
    driver.wait_for_window(case_id, "buyer_rebuttal")
    return case_id


@scenario(
    "the seller lets its deadline pass: the rules rule for the buyer by default; appeal window open",
    status="ruled",
    ruling__decided_by="rules",
    open_window__kind="appeal",
)
def seller_default(driver: Driver, tag: str) -> str:
    case_id = driver.escalate(tag, f"buyer-{tag}", "The lamp arrived without its shade.", reason="missing_items")
    driver.advance(case_id, "seller_response")
    driver.advance(case_id, "buyer_rebuttal")
    driver.wait_for_window(case_id, "appeal")
    return case_id


@scenario(
    "the buyer's photo proves a defect the seller does not contest: ruled by the rules; appeal window open",
    status="ruled",
    ruling__decided_by="rules",
    open_window__kind="appeal",
)
def quality_proven(driver: Driver, tag: str) -> str:
    return _proven_defect(driver, tag, "The handle came off on day one.")


@scenario(
    "a yen parcel the carrier lost: refunded in full by the rules, the carrier liable; appeal window open",
    status="ruled",
    ruling__decided_by="rules",
)
def not_received(driver: Driver, tag: str) -> str:
    case_id = driver.escalate(
        tag,
        f"buyer-{tag}",
        "The parcel never arrived.",
        currency="JPY",
        amount_paid=4_800,
        shipping_paid=500,
        amount_requested=4_800,
        reason="not_received",
        delivered_at=None,
    )
    _tracking(driver, case_id, status="lost")
    driver.submit(case_id, driver.seller)
    driver.advance(case_id, "buyer_rebuttal")
    driver.wait_for_window(case_id, "appeal")
    return case_id


@scenario(
    "a contested cracked plate, photos from both sides: in the review queue with a recommendation",
    status="under_review",
    open_window__kind="review",
    recommendation__decision="review",
)
def review_needed(driver: Driver, tag: str) -> str:
    return _contested(driver, tag)


@scenario(
    "a counterfeit claim on a US-dollar watch, which always goes to a person: in the review queue",
    status="under_review",
    open_window__kind="review",
)
def counterfeit(driver: Driver, tag: str) -> str:
    buyer = f"buyer-{tag}"
    facts = {"currency": "USD", "amount_paid": 8_999, "shipping_paid": 0, "amount_requested": 8_999}
    case_id = driver.escalate(
        tag, buyer, "The serial number does not exist at the maker.", reason="counterfeit", **facts
    )
    driver.photo(case_id, driver.buyer(buyer), photo_png(240, 240, (30, 20, 0)), "the serial number on the case back")
    driver.submit(case_id, driver.seller)
    driver.wait_for_window(case_id, "buyer_rebuttal")
    driver.submit(case_id, driver.buyer(buyer))
    driver.wait_for_window(case_id, "review")
    return case_id


@scenario(
    "a contested case whose reviewer SLA passed: in the senior queue",
    status="under_review",
    senior_queue_since=True,
)
def senior_queue(driver: Driver, tag: str) -> str:
    case_id = _contested(driver, tag)
    driver.advance(case_id, "review")
    driver.wait(case_id, lambda case: case.get("senior_queue_since") is not None)
    return case_id


@scenario("a ruling the seller appealed: waiting for a senior reviewer", status="appealed", open_window__kind="review")
def appealed(driver: Driver, tag: str) -> str:
    case_id = _proven_defect(
        driver,
        tag,
        "The watch stops every night.",
        currency="USD",
        amount_paid=8_999,
        shipping_paid=0,
        amount_requested=8_999,
    )
    driver.ok("POST", f"/v1/disputes/{case_id}/appeal", driver.seller, {"statement": "The buyer dropped it."})
    driver.wait_for_window(case_id, "review")
    return case_id


@scenario(
    "a final return-and-refund ruling: waiting for the buyer to ship the item back",
    status="fulfilling",
    fulfilment__step="return_shipment",
)
def return_shipment(driver: Driver, tag: str) -> str:
    case_id = _proven_defect(driver, tag, "The drawer runners are bent.", type="return_and_refund")
    _final(driver, case_id, "return_shipment")
    return case_id


@scenario(
    "the return is on its way: waiting for the seller to report its receipt",
    status="fulfilling",
    fulfilment__step="return_receipt",
)
def return_receipt(driver: Driver, tag: str) -> str:
    return _returned(driver, tag)


@scenario(
    "a final refund ruling: waiting for the storefront to report the refund",
    status="fulfilling",
    fulfilment__step="refund",
)
def refund_due(driver: Driver, tag: str) -> str:
    case_id = _proven_defect(driver, tag, "The zip broke the first time I used it.")
    _final(driver, case_id, "refund")
    return case_id


@scenario(
    "an exchange: the return received, waiting for the seller to ship the replacement",
    status="fulfilling",
    fulfilment__step="reshipment",
)
def reshipment(driver: Driver, tag: str) -> str:
    case_id = _proven_defect(driver, tag, "One of the two speakers hums.", type="exchange")
    _final(driver, case_id, "return_shipment")
    parcel = {"carrier": "SF Express", "tracking_number": f"SF{secrets.randbelow(10**10):010d}"}
    driver.ok("POST", f"/v1/disputes/{case_id}/return-shipment", driver.buyer(f"buyer-{tag}"), parcel)
    driver.wait_for_window(case_id, "return_receipt")
    driver.ok("POST", f"/v1/disputes/{case_id}/return-receipt", driver.seller, {"condition": "received_ok"})
    driver.wait_for_window(case_id, "reshipment")
    return case_id


@scenario(
    "the seller reports the returned item damaged, with a photo: back in review to decide what is owed",
    status="under_review",
    fulfilment__receipt_review=True,
)
def disputed_receipt(driver: Driver, tag: str) -> str:
    case_id = _returned(driver, tag)
    driver.photo(case_id, driver.seller, photo_png(160, 120, (0, 20, 30)), "the spout arrived chipped")
    condition = {"condition": "damaged", "note": "The spout is chipped; it left us whole."}
    driver.ok("POST", f"/v1/disputes/{case_id}/return-receipt", driver.seller, condition)
    driver.wait_for_window(case_id, "review")
    return case_id


@scenario(
    "return and refund carried out: shipped back, received, refunded; closed",
    status="closed",
    resolution="ruled",
    fulfilment__outcome="completed",
)
def return_and_refund(driver: Driver, tag: str) -> str:
    case_id = _returned(driver, tag)
    driver.ok("POST", f"/v1/disputes/{case_id}/return-receipt", driver.seller, {"condition": "received_ok"})
    _refund(driver, case_id)
    return case_id


@scenario(
    "the seller concedes and the storefront refunds: closed, conceded",
    status="closed",
    resolution="conceded",
    fulfilment__outcome="completed",
)
def conceded(driver: Driver, tag: str) -> str:
    case_id = driver.escalate(tag, f"buyer-{tag}", "The kettle leaks from the base.")
    driver.ok("POST", f"/v1/disputes/{case_id}/concede", driver.seller)
    _refund(driver, case_id)
    return case_id


@scenario(
    "the seller offers part of the price, the buyer accepts, the storefront refunds: closed, settled",
    status="closed",
    resolution="settled",
    fulfilment__outcome="completed",
)
def settled(driver: Driver, tag: str) -> str:
    case_id = driver.escalate(tag, f"buyer-{tag}", "Two of the six glasses are chipped.")
    offer = driver.ok(
        "POST", f"/v1/disputes/{case_id}/offers", driver.seller, {"amount": 4_300, "note": "For the two glasses."}
    )
    driver.ok("POST", f"/v1/disputes/{case_id}/offers/{offer['id']}/accept", driver.buyer(f"buyer-{tag}"))
    _refund(driver, case_id)
    return case_id


@scenario("the buyer withdraws before a ruling: closed, withdrawn", status="closed", resolution="withdrawn")
def withdrawn(driver: Driver, tag: str) -> str:
    case_id = driver.escalate(tag, f"buyer-{tag}", "The parcel has not come.")
    driver.ok("POST", f"/v1/disputes/{case_id}/withdraw", driver.buyer(f"buyer-{tag}"), {"reason": "It came today."})
    return case_id


@scenario(
    "a return the buyer never ships before its deadline: the remedy lapses; closed",
    status="closed",
    fulfilment__outcome="lapsed",
)
def lapsed(driver: Driver, tag: str) -> str:
    case_id = _proven_defect(driver, tag, "The chair wobbles.", type="return_and_refund")
    _final(driver, case_id, "return_shipment")
    driver.advance(case_id, "return_shipment")
    return case_id


@scenario(
    "a conceded refund the storefront never reports: the platform refunds; closed, on the seller's ledger",
    status="closed",
    resolution="conceded",
    fulfilment__outcome="platform_refunded",
)
def platform_refund(driver: Driver, tag: str) -> str:
    case_id = driver.escalate(tag, f"buyer-{tag}", "The toaster burns one side only.")
    driver.ok("POST", f"/v1/disputes/{case_id}/concede", driver.seller)
    driver.advance(case_id, "refund")
    return case_id
