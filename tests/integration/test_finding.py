"""Reviewers find cases: by order, buyer or seller across storefronts, and closed cases through filters."""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.table import Table
from chalicelib.services.context import Context
from tests.factories import bearer, unique
from tests.integration.conftest import Api, Storefront
from tools.backfill_finder import backfill

REVIEWER = bearer("reviewer", "rev-find", "platform")


def ids(api: Api, path: str, token: dict[str, str] = REVIEWER) -> list[str]:
    response = api.call("GET", path, token)
    assert response.status_code == 200, response.json
    return [item["id"] for item in response.json["items"]]


def every_id(api: Api, path: str, pages: int = 50) -> list[str]:
    """Every id of a filtered listing, following its cursor (a filtered page may come back short)."""
    seen: list[str] = []
    cursor = None
    for _ in range(pages):
        page = api.call("GET", path + (f"&cursor={cursor}" if cursor else ""), REVIEWER).json
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return seen
    raise AssertionError(f"{path} has more than {pages} pages")


def test_a_reviewer_finds_a_case_by_order_buyer_or_seller_on_any_storefront(api: Api) -> None:
    # Given a buyer and a seller with cases on two storefronts, and an order of one of them
    buyer, seller, order = unique("buyer"), unique("seller"), unique("order")
    first, second = Storefront(api, unique("shop")), Storefront(api, unique("shop"))
    on_first = first.escalate_for(buyer_id=buyer, seller_id=seller, order_id=order)
    on_second = second.escalate_for(buyer_id=buyer, seller_id=seller)
    other = second.escalate_for()

    # When a reviewer searches, then each key finds exactly its cases, newest first
    assert ids(api, f"/v1/disputes/search?order_id={order}") == [on_first["id"]]
    assert ids(api, f"/v1/disputes/search?buyer_id={buyer}") == [on_second["id"], on_first["id"]]
    assert ids(api, f"/v1/disputes/search?seller_id={seller}") == [on_second["id"], on_first["id"]]
    assert other["id"] not in ids(api, f"/v1/disputes/search?seller_id={seller}")
    assert ids(api, f"/v1/disputes/search?order_id={unique('no-such-order')}") == []


def test_search_pages_with_a_cursor_bound_to_its_key(api: Api) -> None:
    shop = Storefront(api, unique("shop"))
    buyer = unique("buyer")
    made = {shop.escalate_for(buyer_id=buyer)["id"] for _ in range(3)}

    page = api.call("GET", f"/v1/disputes/search?buyer_id={buyer}&limit=2", REVIEWER).json
    rest = api.call("GET", f"/v1/disputes/search?buyer_id={buyer}&cursor={page['next_cursor']}", REVIEWER).json
    elsewhere = api.call("GET", f"/v1/disputes/search?buyer_id=x{buyer}&cursor={page['next_cursor']}", REVIEWER)

    assert {item["id"] for item in page["items"] + rest["items"]} == made
    assert elsewhere.status_code == 400


def test_search_needs_exactly_one_key_and_a_reviewer(api: Api) -> None:
    shop = Storefront(api, unique("shop"))
    for query in ("", "?order_id=o-1&buyer_id=b-1", "?order_id=", "?order_id=a%20b", "?case=1", "?limit=0"):
        assert api.call("GET", f"/v1/disputes/search{query}", REVIEWER).status_code == 422, query
    for token in (shop.buyer, shop.seller, shop.token):
        assert api.call("GET", "/v1/disputes/search?order_id=o-1", token).status_code == 403


def closed(api: Api, shop: Storefront, query: str = "") -> list[str]:
    return ids(api, f"/v1/disputes/closed?storefront_id={shop.id}{query}")


def test_closed_cases_are_browsed_by_reason_outcome_decider_and_date(api: Api) -> None:
    # Given a storefront's cases closed three ways: withdrawn, denied by a reviewer, ruled by the rules
    shop = Storefront(api, unique("shop"))
    withdrawn = shop.withdrawn(reason="not_received")
    denied = shop.denied_by_reviewer(REVIEWER)
    granted = shop.ruled_by_default()
    still_open = shop.escalate()

    # Then the closed listing holds them, most recently closed first, and each filter narrows it
    assert closed(api, shop) == [granted["id"], denied["id"], withdrawn["id"]]
    assert still_open["id"] not in closed(api, shop)
    assert closed(api, shop, "&reason=not_received") == [withdrawn["id"]]
    assert closed(api, shop, "&outcome=claim_denied") == [denied["id"]]
    assert closed(api, shop, "&decided_by=reviewer") == [denied["id"]]
    assert closed(api, shop, "&decided_by=rules") == [granted["id"]]
    assert closed(api, shop, "&decided_by=none&resolution=withdrawn") == [withdrawn["id"]]
    assert closed(api, shop, "&reviewer_id=rev-find") == [denied["id"]]
    since = denied["updated_at"].replace("+00:00", "Z")
    assert closed(api, shop, f"&closed_from={since}") == [granted["id"], denied["id"]]
    assert closed(api, shop, f"&closed_to={since}") == [denied["id"], withdrawn["id"]]


def test_a_closed_listing_cursor_resumes_only_its_own_filters(api: Api) -> None:
    shop = Storefront(api, unique("shop"))
    made = [shop.withdrawn()["id"] for _ in range(3)]

    first = api.call("GET", f"/v1/disputes/closed?storefront_id={shop.id}&limit=2", REVIEWER).json
    cursor = first["next_cursor"]
    rest = api.call("GET", f"/v1/disputes/closed?storefront_id={shop.id}&cursor={cursor}", REVIEWER).json
    other = f"/v1/disputes/closed?storefront_id={shop.id}&reason=other&cursor={cursor}"
    other_filter = api.call("GET", other, REVIEWER)

    seen: list[Any] = [item["id"] for item in first["items"] + rest["items"]]
    assert seen[:3] == list(reversed(made))
    assert other_filter.status_code == 400


def test_bad_closed_filters_are_422_and_parties_may_not_browse(api: Api) -> None:
    shop = Storefront(api, unique("shop"))
    for query in (
        "reason=lost",
        "outcome=win",
        "decided_by=cat",
        "closed_from=yesterday",
        "closed_from=1700000000",  # an epoch number is not guessed at
        "closed_to=2026-12-02T00:00:00",  # a time without its offset
        "closed_from=2026-12-02T00:00:00Z&closed_to=2026-12-01T00:00:00Z",
        "limit=101",
        "storefront_id=a%20b",
        "sort=asc",
    ):
        assert api.call("GET", f"/v1/disputes/closed?{query}", REVIEWER).status_code == 422, query
    for token in (shop.buyer, shop.seller, shop.token):
        assert api.call("GET", "/v1/disputes/closed", token).status_code == 403


def test_the_review_queue_filters_by_reason_on_the_api_with_a_cursor_bound_to_it(api: Api) -> None:
    shop = Storefront(api, unique("shop"))
    counterfeit = shop.to_review(reason="counterfeit")
    defect = shop.to_review()

    listed = every_id(api, "/v1/disputes?queue=review&reason=counterfeit&limit=100")
    page = api.call("GET", "/v1/disputes?queue=review&limit=1", REVIEWER).json
    moved = api.call("GET", f"/v1/disputes?queue=review&reason=other&cursor={page['next_cursor']}", REVIEWER)

    assert counterfeit["id"] in listed and defect["id"] not in listed
    assert api.call("GET", "/v1/disputes?reason=lost", REVIEWER).status_code == 422
    assert moved.status_code == 400


def test_cases_stored_before_the_finder_index_are_found_once_backfilled(api: Api, ctx: Context) -> None:
    # Given a waiting case and a withdrawn one, stored as before GSI5: no lookup items, no index attributes
    shop = Storefront(api, unique("shop"))
    buyer = unique("buyer")
    waiting = shop.escalate_for(buyer_id=buyer)
    withdrawn = shop.withdrawn()
    table = Table(ctx.settings.table_name)
    for case in (waiting, withdrawn):
        key = {"PK": {"S": f"CASE#{case['id']}"}, "SK": {"S": "CASE"}}
        table.call("update_item", Key=key, UpdateExpression="REMOVE GSI5PK, GSI5SK, case_reason, case_decider")
        for name in ("order_id", "buyer_id", "seller_id"):
            table.call("delete_item", Key={**key, "SK": {"S": f"FIND#{name}"}})
    assert ids(api, f"/v1/disputes/search?buyer_id={buyer}") == []
    assert closed(api, shop) == []
    before = api.call("GET", f"/v1/disputes/{waiting['id']}", shop.token).json

    # When the one-off backfill runs (twice: it is safe to run again)
    assert backfill(table) >= 2
    backfill(table)

    # Then both are found again, each once, and the waiting case is still as it was
    assert ids(api, f"/v1/disputes/search?buyer_id={buyer}") == [waiting["id"]]
    assert closed(api, shop) == [withdrawn["id"]]
    assert api.call("GET", f"/v1/disputes/{waiting['id']}", shop.token).json == before


def test_cases_listed_through_their_own_item_are_listed_once_and_move_to_their_lookup_items(
    api: Api, ctx: Context
) -> None:
    # Given a case stored as before its lookup items carried its listing keys: the case item carried them
    shop = Storefront(api, unique("shop"))
    case = shop.escalate()
    table = Table(ctx.settings.table_name)
    key = {"PK": {"S": f"CASE#{case['id']}"}, "SK": {"S": "CASE"}}
    lookups = {name: {**key, "SK": {"S": f"FIND#{name}"}} for name in ("order_id", "buyer_id", "seller_id")}
    buyer_lookup, seller_lookup = table.get(lookups["buyer_id"]), table.get(lookups["seller_id"])
    assert buyer_lookup is not None and seller_lookup is not None
    sort = {"S": f"{case['created_at'].replace('Z', '+00:00')}#{case['id']}"}
    table.call(
        "update_item",
        Key=key,
        UpdateExpression="SET GSI1PK = :buyer, GSI1SK = :sort, GSI2PK = :seller, GSI2SK = :sort, GSI4SK = :sort",
        ExpressionAttributeValues={":buyer": buyer_lookup["GSI1PK"], ":seller": seller_lookup["GSI2PK"], ":sort": sort},
    )
    listings = (shop.token, shop.buyer, shop.seller)

    # Then, while both the case item and its lookup items list it (a backfill half done), it is listed once
    assert all(ids(api, "/v1/disputes", token) == [case["id"]] for token in listings)

    # and so it is before the backfill, when only the case item lists it, even once the case was written again
    for index, lookup in zip(("GSI4", "GSI1", "GSI2"), lookups.values(), strict=True):
        table.call("update_item", Key=lookup, UpdateExpression=f"REMOVE {index}PK, {index}SK")
    assert shop.act(shop.buyer, case["id"], "withdraw").status_code == 200
    assert all(ids(api, "/v1/disputes", token) == [case["id"]] for token in listings)
    assert ids(api, "/v1/disputes?status=closed", shop.token) == [case["id"]]

    # and after it, when the lookup items list it and the case item carries no listing key but the storefront
    backfill(table)
    item = table.get(key)
    assert item is not None and not {"GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "GSI4SK"} & set(item)
    assert all(ids(api, "/v1/disputes", token) == [case["id"]] for token in listings)
