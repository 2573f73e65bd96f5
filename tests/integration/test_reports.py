"""GET /v1/reports/overview: the dashboard's figures, checked against the cases the test made."""

from __future__ import annotations

from typing import Any

from tests.factories import bearer, unique
from tests.integration.conftest import Api, Storefront

REVIEWER = bearer("reviewer", "rev-report", "platform")


def overview(api: Api, shop: Storefront, query: str = "") -> dict[str, Any]:
    response = api.call("GET", f"/v1/reports/overview?storefront_id={shop.id}{query}", REVIEWER)
    assert response.status_code == 200, response.json
    figures: dict[str, Any] = response.json
    return figures


def test_the_overview_counts_the_storefronts_cases_now_and_over_the_period(api: Api) -> None:
    # Given one storefront's cases: one waiting for a reviewer, one withdrawn, one a reviewer denied,
    # and one the rules granted by default (paid by the storefront)
    shop = Storefront(api, unique("shop"))
    waiting = shop.to_review(reason="counterfeit")
    shop.withdrawn(reason="not_received")
    denied = shop.denied_by_reviewer(REVIEWER)
    granted = shop.ruled_by_default()

    # When a reviewer reads the overview of the last 30 days
    figures = overview(api, shop)

    # Then every figure is those cases'
    assert (figures["days"], figures["storefront_id"], figures["truncated"]) == (30, shop.id, False)
    assert figures["now"] == {"review": 1, "senior": 0, "fulfilment": 0, "sla_breached": 0, "fulfilment_overdue": 0}
    assert figures["closed"] == 3 and figures["sla_breaches"] == 0
    assert figures["decided_by"] == {"rules": 1, "reviewer": 1, "parties": 0, "none": 1}
    assert figures["automatic_share"] == 0.5
    assert figures["outcomes_by_reason"] == [
        {"reason": "quality_defect", "total": 2, "outcomes": {granted["ruling"]["outcome"]: 1, "claim_denied": 1}}
    ]
    assert figures["time_to_ruling"]["count"] == 2
    assert 0 <= figures["time_to_ruling"]["median_seconds"] <= figures["time_to_ruling"]["p90_seconds"]
    assert figures["appeals"] == {"appealed": 0, "overturned": 0, "overturn_rate": None}
    assert figures["fulfilment"] == {"completed": 1, "lapsed": 0, "platform_refunded": 0, "platform_payouts": []}
    assert len(figures["by_day"]) in (30, 31) and sum(day["closed"] for day in figures["by_day"]) == 3
    points = sum(p["value"] for p in granted["ruling"]["penalties"] if p["party"] == "seller" and p["kind"] == "points")
    expected = [{"storefront_id": shop.id, "seller_id": "seller-1", "points": points, "live_points": points}]
    assert figures["top_sellers"] == (expected if points else [])
    assert waiting["id"] and denied["status"] == "closed"


def test_platform_payouts_and_overdue_refunds_are_counted(api: Api) -> None:
    # Given a rules refund whose storefront never reports it: first overdue (the test clock passes it) ...
    shop = Storefront(api, unique("shop"))
    case = shop.escalate()
    for window in ("buyer_rebuttal", "appeal", "refund"):
        shop.advance(case["id"])
        shop.wait_for_window(case["id"], window)
    owed = shop.get(case["id"])["fulfilment"]["owed"]
    assert overview(api, shop)["now"]["fulfilment"] == 1

    # ... then the platform refunds the buyer
    shop.advance(case["id"])
    shop.wait_for_status(case["id"], "closed")
    figures = overview(api, shop)

    assert figures["fulfilment"]["platform_refunded"] == 1
    assert figures["fulfilment"]["platform_payouts"] == [{"amount": owed, "currency": "CNY"}]
    assert figures["now"]["fulfilment"] == 0


def test_the_overview_is_for_reviewers_with_a_bounded_period(api: Api) -> None:
    shop = Storefront(api, unique("shop"))
    assert overview(api, shop, "&days=1")["days"] == 1
    for query in ("days=0", "days=91", "days=x", "storefront_id=a%20b", "since=2026-01-01"):
        assert api.call("GET", f"/v1/reports/overview?{query}", REVIEWER).status_code == 422, query
    for token in (shop.buyer, shop.seller, shop.token):
        assert api.call("GET", "/v1/reports/overview", token).status_code == 403
