"""Carrying out final decisions through the real state machine, with deadlines of seconds where they must pass.

Storefront policies (tests/policies): `fulfil` waits hours at every step, so the parties act inside
them; `lapse`, `deemed`, `norefund` and `noreship` give one step three seconds, so its deadline passes.
Every shop's appeal window is two seconds: a ruling is final almost at once.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from tests import evidence_samples as samples
from tests.conftest import eventually
from tests.factories import bearer, unique
from tests.integration.conftest import Api, Storefront, wait_for_execution_end
from tests.integration.evidence_helpers import add_photo, timeline

REVIEWER = bearer("reviewer", "rev-fulfil", "platform")
PRICE, SHIPPING = 12_900, 800


def line(kind: str, amount: int) -> dict[str, Any]:
    return {"payer": "seller", "payee": "buyer", "kind": kind, "amount": amount, "currency": "CNY"}


RETURN_AND_REFUND = {
    "outcome": "return_and_refund",
    "liability": "seller",
    "return_shipping_payer": "seller",
    "compensation": [line("refund", PRICE), line("return_shipping", SHIPPING)],
    "override_reason": "the photos show the defect",
}
EXCHANGE = {
    "outcome": "exchange",
    "liability": "seller",
    "return_shipping_payer": "seller",
    "override_reason": "the buyer asked for a new one",
}


def finally_ruled(shop: Storefront, ruling: dict[str, Any]) -> dict[str, Any]:
    """A case a reviewer ruled, once the appeal window ended: waiting on its first fulfilment step."""
    case = shop.to_review()
    response = shop.act(REVIEWER, case["id"], "ruling", ruling)
    assert response.status_code == 201, response.json
    return eventually(lambda: shop.get(case["id"]), lambda got: got["status"] == "fulfilling")


def shipped(shop: Storefront, case_id: str) -> dict[str, Any]:
    response = shop.act(shop.buyer, case_id, "return-shipment", {"carrier": "SF", "tracking_number": "SF1234567"})
    assert response.status_code == 200, response.json
    return shop.wait_for_window(case_id, "return_receipt")


def test_a_return_and_refund_is_carried_out_step_by_step_and_the_case_closes(api: Api) -> None:
    # Given a final return-and-refund ruling: the buyer must ship the return first
    shop = Storefront(api, "fulfil")
    case = finally_ruled(shop, RETURN_AND_REFUND)
    fulfilment = case["fulfilment"]
    assert (fulfilment["remedy"], fulfilment["step"], fulfilment["party"]) == (
        "return_and_refund",
        "return_shipment",
        "buyer",
    )
    assert fulfilment["owed"] == PRICE + SHIPPING and fulfilment["due_at"] == case["open_window"]["due_at"]

    # When the seller tries the buyer's step (its role never may: 403) and the buyer a later one (out of turn: 409),
    # then the buyer ships and the seller receives it in good order
    parcel = {"carrier": "SF", "tracking_number": "X123"}
    assert shop.act(shop.seller, case["id"], "return-shipment", parcel).status_code == 403
    assert shop.act(shop.buyer, case["id"], "reshipment-receipt", {"condition": "received_ok"}).status_code == 409
    shipped(shop, case["id"])
    received = shop.act(shop.seller, case["id"], "return-receipt", {"condition": "received_ok"})
    assert received.status_code == 200, received.json
    assert received.json["fulfilment"]["step"] == "refund" and received.json["fulfilment"]["party"] == "storefront"

    # Then the refund must be exactly what is owed, and reporting it closes the case
    short = shop.act(shop.token, case["id"], "refund", {"amount": PRICE, "currency": "CNY", "reference": "rf-1"})
    assert short.status_code == 422
    assert short.json["error"]["details"] == [
        {"field": "amount", "expected": {"amount": PRICE + SHIPPING, "currency": "CNY"}}
    ]
    closed = shop.refund_owed(case["id"])
    assert closed["status"] == "closed" and closed["fulfilment"]["outcome"] == "completed"
    assert [(s["step"], s["by"]) for s in closed["fulfilment"]["steps"]] == [
        ("return_shipment", "buyer-1"),
        ("return_receipt", "seller-1"),
        ("refund", f"{shop.id}-backend"),
    ]
    history = timeline(api, shop, case["id"])
    assert history.count("fulfilment_step_opened") == 3 and history.count("fulfilment_step_completed") == 3
    assert history[-2:] == ["fulfilled", "closed"]
    assert wait_for_execution_end(case["id"]) == "SUCCEEDED"


def test_a_return_never_shipped_lapses_the_remedy_and_a_late_shipment_is_410(api: Api) -> None:
    shop = Storefront(api, "lapse")
    case = finally_ruled(shop, RETURN_AND_REFUND)

    closed = shop.wait_for_status(case["id"], "closed")

    assert closed["fulfilment"]["outcome"] == "lapsed"
    late = shop.act(shop.buyer, case["id"], "return-shipment", {"carrier": "SF", "tracking_number": "SF99"})
    assert late.status_code == 410
    history = timeline(api, shop, case["id"])
    assert "deadline_approaching" in history and "fulfilment_overdue" in history and "fulfilled" not in history


def test_a_return_the_seller_never_confirms_is_deemed_received_and_goes_on_to_the_refund(api: Api) -> None:
    shop = Storefront(api, "deemed")
    case = finally_ruled(shop, RETURN_AND_REFUND)
    shipped(shop, case["id"])

    waiting = shop.wait_for_window(case["id"], "refund")

    receipt = waiting["fulfilment"]["steps"][1]
    assert (receipt["step"], receipt["by"], receipt["details"]["condition"]) == (
        "return_receipt",
        "system",
        "received_ok",
    )
    assert receipt["details"]["deemed"] is True
    assert shop.refund_owed(case["id"])["fulfilment"]["outcome"] == "completed"


def test_an_unreported_refund_is_paid_by_the_platform_and_recovered_from_the_seller(api: Api) -> None:
    # Given a concession (a refund owed at once) nobody reports refunding
    shop = Storefront(api, "norefund")
    seller_id = unique("seller")
    seller = bearer("seller", seller_id, shop.id)
    case = shop.escalate(seller_id=seller_id)
    assert shop.act(seller, case["id"], "concede").status_code == 200

    # When the refund's three seconds pass
    closed = shop.wait_for_status(case["id"], "closed")

    # Then the platform refunded, the seller owes it back, and a penalty lands on its record
    assert closed["fulfilment"]["outcome"] == "platform_refunded"
    assert "platform_refunded" in timeline(api, shop, case["id"])
    ledger_path = f"/v1/sellers/{seller_id}/ledger?storefront_id={shop.id}"
    for reader in (REVIEWER, shop.token):
        ledger = api.call("GET", ledger_path, reader)
        assert ledger.status_code == 200, ledger.json
        assert [(i["case_id"], i["amount"], i["currency"]) for i in ledger.json["items"]] == [
            (case["id"], PRICE, "CNY")
        ]
        assert ledger.json["outstanding"] == [{"amount": PRICE, "currency": "CNY"}]
    elsewhere = bearer("storefront", "other-backend", "another-shop")
    assert api.call("GET", ledger_path, elsewhere).status_code == 404
    points = api.call("GET", f"/v1/sellers/{seller_id}/penalties?storefront_id={shop.id}", REVIEWER).json
    assert points["live_points"] == 2  # fulfilment.missed_refund_points


def test_an_exchange_the_seller_never_reships_becomes_a_refund_of_the_item_price(api: Api) -> None:
    shop = Storefront(api, "noreship")
    case = finally_ruled(shop, EXCHANGE)
    shipped(shop, case["id"])
    assert shop.act(shop.seller, case["id"], "return-receipt", {"condition": "received_ok"}).status_code == 200

    refund = shop.wait_for_window(case["id"], "refund")

    assert refund["fulfilment"]["owed"] == case["amount_paid"]
    assert refund["fulfilment"]["steps"][2]["details"]["becomes"] == "refund"
    assert shop.refund_owed(case["id"])["status"] == "closed"


def test_a_return_received_damaged_goes_back_to_a_reviewer_who_decides_what_is_owed(api: Api) -> None:
    # Given a return the seller has received
    shop = Storefront(api, "fulfil")
    case = finally_ruled(shop, RETURN_AND_REFUND)
    shipped(shop, case["id"])

    # When the seller reports it damaged: first without evidence, then with a photo added in this step
    damaged = {"condition": "damaged", "note": "the glaze is chipped"}
    assert shop.act(shop.seller, case["id"], "return-receipt", damaged).status_code == 422
    add_photo(api, shop.seller, case["id"], samples.png())
    reported = shop.act(shop.seller, case["id"], "return-receipt", damaged)
    assert reported.status_code == 200, reported.json
    assert reported.json["status"] == "under_review" and reported.json["open_window"]["kind"] == "review"
    assert reported.json["fulfilment"]["receipt_review"]["condition"] == "damaged"

    # Then a reviewer may not rule again, must stay within the policy's deduction, and the refund follows
    assert shop.act(REVIEWER, case["id"], "ruling", {"accept_recommendation": True}).status_code == 409
    owed = PRICE + SHIPPING
    least = owed - owed // 2
    too_little = shop.act(REVIEWER, case["id"], "receipt-decision", {"owed": least - 1})
    assert too_little.status_code == 422
    assert too_little.json["error"]["details"][0] | {"currency": "CNY"} == {
        "field": "owed",
        "full": owed,
        "least": least,
        "currency": "CNY",
    }
    decided = shop.act(REVIEWER, case["id"], "receipt-decision", {"owed": least, "notes": "half the set is chipped"})
    assert decided.status_code == 200, decided.json
    assert decided.json["fulfilment"]["step"] == "refund" and decided.json["fulfilment"]["owed"] == least
    assert shop.refund_owed(case["id"])["fulfilment"]["outcome"] == "completed"


def test_a_refund_report_racing_its_deadline_is_counted_once(api: Api) -> None:
    # Given a refund due in three seconds, and eight storefront workers reporting it right at the deadline
    shop = Storefront(api, "norefund")
    case = shop.escalate()
    conceded = shop.act(shop.seller, case["id"], "concede").json
    due = datetime.fromisoformat(conceded["fulfilment"]["due_at"].replace("Z", "+00:00"))
    body = {"amount": conceded["fulfilment"]["owed"], "currency": "CNY", "reference": "rf-race"}
    eventually(lambda: datetime.now(UTC), lambda now: (due - now).total_seconds() < 0.05, timeout=10, interval=0.01)

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda _: shop.act(shop.token, case["id"], "refund", body).status_code, range(8)))

    # Then exactly one of the storefront and the platform refunded, once, and the others were told why
    closed = shop.wait_for_status(case["id"], "closed")
    history = timeline(api, shop, case["id"])
    assert history.count("fulfilment_step_completed") == 1 and history.count("closed") == 1
    by_storefront = closed["fulfilment"]["outcome"] == "completed"
    assert by_storefront != ("platform_refunded" in history)
    tally = Counter(statuses)
    assert tally[200] == (1 if by_storefront else 0)
    assert set(tally) <= {200, 409, 410}


def test_an_exchange_is_reshipped_and_a_buyer_who_never_confirms_is_deemed_to_have_received_it(api: Api) -> None:
    # Given an exchange whose return the seller received, and which the seller reships
    shop = Storefront(api, "noconfirm")
    case = finally_ruled(shop, EXCHANGE)
    shipped(shop, case["id"])
    assert shop.act(shop.seller, case["id"], "return-receipt", {"condition": "received_ok"}).status_code == 200
    parcel = {"carrier": "SF", "tracking_number": "SF7654321"}
    reshipped = shop.act(shop.seller, case["id"], "reshipment", parcel)
    assert reshipped.status_code == 200, reshipped.json
    assert (reshipped.json["fulfilment"]["step"], reshipped.json["fulfilment"]["party"]) == (
        "reshipment_receipt",
        "buyer",
    )

    # When the buyer's three seconds to confirm pass
    closed = shop.wait_for_status(case["id"], "closed")

    # Then the replacement counts as received in good order, and the exchange is fulfilled
    assert closed["fulfilment"]["outcome"] == "completed"
    receipt = closed["fulfilment"]["steps"][-1]
    assert (receipt["step"], receipt["by"], receipt["details"]["deemed"]) == ("reshipment_receipt", "system", True)
    assert timeline(api, shop, case["id"])[-2:] == ["fulfilled", "closed"]
