"""GET /v1/disputes: own cases for parties and storefronts, queues for reviewers, with cursors."""

from __future__ import annotations

from tests.factories import bearer
from tests.integration.conftest import Api, Storefront

REVIEWER = bearer("reviewer", "rev-1", "platform")


def ids(api: Api, path: str, token: dict[str, str]) -> list[str]:
    response = api.call("GET", path, token)
    assert response.status_code == 200, response.json
    return [item["id"] for item in response.json["items"]]


def test_a_buyer_lists_only_its_own_cases_newest_first(api: Api) -> None:
    shop = Storefront(api, "listing-shop")
    first, second = shop.escalate(), shop.escalate()
    other_buyer = bearer("buyer", "buyer-2", shop.id)

    assert ids(api, "/v1/disputes", shop.buyer)[:2] == [second["id"], first["id"]]
    assert ids(api, "/v1/disputes", other_buyer) == []
    assert set(ids(api, "/v1/disputes", shop.seller)) >= {first["id"], second["id"]}
    assert set(ids(api, "/v1/disputes", shop.token)) >= {first["id"], second["id"]}


def test_cursor_pagination_walks_every_case_once(api: Api) -> None:
    shop = Storefront(api, "paging-shop")
    created = {shop.escalate()["id"] for _ in range(5)}
    seen: list[str] = []
    cursor = None

    for _ in range(10):
        path = "/v1/disputes?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = api.call("GET", path, shop.buyer).json
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert sorted(seen) == sorted(created)


def test_status_filter(api: Api) -> None:
    shop = Storefront(api, "filter-shop")
    waiting = shop.escalate()
    withdrawn = shop.escalate()
    assert shop.act(shop.buyer, withdrawn["id"], "withdraw").status_code == 200

    assert ids(api, "/v1/disputes?status=closed", shop.buyer) == [withdrawn["id"]]
    assert ids(api, "/v1/disputes?status=awaiting_seller", shop.buyer) == [waiting["id"]]


def test_review_queue_is_ordered_by_due_time(api: Api, patient_shop: Storefront) -> None:
    first = patient_shop.to_review()
    second = patient_shop.to_review()

    queue = ids(api, "/v1/disputes?queue=review&limit=100", REVIEWER)

    assert queue.index(first["id"]) < queue.index(second["id"])


def test_bad_listing_parameters_are_4xx(api: Api, patient_shop: Storefront) -> None:
    assert api.call("GET", "/v1/disputes?limit=0", patient_shop.buyer).status_code == 422
    assert api.call("GET", "/v1/disputes?limit=1000", patient_shop.buyer).status_code == 422
    assert api.call("GET", "/v1/disputes?status=lost", patient_shop.buyer).status_code == 422
    assert api.call("GET", "/v1/disputes?sort=asc", patient_shop.buyer).status_code == 422
    assert api.call("GET", "/v1/disputes?cursor=not-a-cursor", patient_shop.buyer).status_code == 400
    forged = "eyJQSyI6eyJTIjoiQ0FTRSN4In19"  # {"PK":{"S":"CASE#x"}}
    assert api.call("GET", f"/v1/disputes?cursor={forged}", patient_shop.buyer).status_code == 400


def test_a_reviewer_who_names_no_queue_reads_the_review_queue(api: Api, patient_shop: Storefront) -> None:
    # Given a case waiting for a reviewer (the document gives `queue` no default, so clients may leave it out)
    case = patient_shop.to_review()

    # When a reviewer lists without `queue`, and with `queue=review`
    unnamed = ids(api, "/v1/disputes?limit=100", REVIEWER)
    named = ids(api, "/v1/disputes?queue=review&limit=100", REVIEWER)

    # Then both are the review queue
    assert case["id"] in unnamed and case["id"] in named
    assert case["id"] not in ids(api, "/v1/disputes?queue=senior&limit=100", REVIEWER)
