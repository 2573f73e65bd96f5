"""Every object-level check: a non-party gets 404, a role that may never act gets 403."""

from __future__ import annotations

from tests.factories import bearer
from tests.integration.conftest import Api, Storefront


def test_another_buyer_cannot_see_or_act_on_the_case(api: Api, patient_shop: Storefront) -> None:
    case = patient_shop.escalate()
    stranger = bearer("buyer", "buyer-2", patient_shop.id)

    assert api.call("GET", f"/v1/disputes/{case['id']}", stranger).status_code == 404
    assert api.call("GET", f"/v1/disputes/{case['id']}/events", stranger).status_code == 404
    assert api.call("POST", f"/v1/disputes/{case['id']}/submit", stranger).status_code == 404


def test_the_same_buyer_id_on_another_storefront_is_a_stranger(api: Api, patient_shop: Storefront) -> None:
    case = patient_shop.escalate()

    other_shop_buyer = bearer("buyer", "buyer-1", "another-shop")

    assert api.call("GET", f"/v1/disputes/{case['id']}", other_shop_buyer).status_code == 404


def test_another_seller_cannot_submit(api: Api, patient_shop: Storefront) -> None:
    case = patient_shop.escalate()

    response = api.call("POST", f"/v1/disputes/{case['id']}/submit", bearer("seller", "seller-9", patient_shop.id))

    assert response.status_code == 404
    assert patient_shop.get(case["id"])["status"] == "awaiting_seller"


def test_a_buyer_may_never_rule(api: Api, patient_shop: Storefront) -> None:
    case = patient_shop.escalate()

    response = api.call(
        "POST",
        f"/v1/disputes/{case['id']}/ruling",
        patient_shop.buyer,
        {
            "outcome": "refund_full",
            "liability": "seller",
        },
    )

    assert response.status_code == 403


def test_a_buyer_cannot_escalate_another_buyers_request(api: Api, patient_shop: Storefront) -> None:
    request_id = patient_shop.record()

    response = api.call(
        "POST",
        "/v1/disputes",
        bearer("buyer", "buyer-2", patient_shop.id),
        {"request_id": request_id, "statement": "mine now"},
    )

    assert response.status_code == 404


def test_storefront_sees_its_own_cases_only(api: Api, patient_shop: Storefront) -> None:
    case = patient_shop.escalate()

    assert api.call("GET", f"/v1/disputes/{case['id']}", patient_shop.token).status_code == 200
    assert api.call("GET", f"/v1/disputes/{case['id']}", bearer("storefront", "x", "other")).status_code == 404


def test_only_storefronts_record_requests(api: Api, patient_shop: Storefront) -> None:
    response = api.call("PUT", "/v1/after-sales/req-by-buyer", patient_shop.buyer, {})

    assert response.status_code == 403
