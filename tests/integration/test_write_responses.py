"""Writes answer the case as saved, with its version as ETag, so a client can chain If-Match;
listing cursors are signed and bound to the listing that issued them."""

from __future__ import annotations

from typing import Any

from tests.factories import bearer
from tests.integration.conftest import Api, Storefront

REVIEWER = bearer("reviewer", "rev-etag", "platform")


def etag(response: Any) -> str:
    value: str = response.headers["ETag"]
    return value


def test_every_case_write_answers_the_version_it_saved_with_its_etag(api: Api, patient_shop: Storefront) -> None:
    # Given a new case
    escalated = api.call(
        "POST", "/v1/disputes", patient_shop.buyer, {"request_id": patient_shop.record(), "statement": "broken"}
    )
    case_id = escalated.json["id"]
    assert etag(escalated) == f'"{escalated.json["version"]}"'

    # When the seller ends its window, chaining If-Match from the escalation's answer
    submitted = api.call("POST", f"/v1/disputes/{case_id}/submit", patient_shop.seller, **{"If-Match": etag(escalated)})

    # Then the answer is the case as saved: the same version and ETag a read gives now
    assert submitted.status_code == 202, submitted.json
    read = api.call("GET", f"/v1/disputes/{case_id}", patient_shop.buyer)
    assert submitted.json["version"] == read.json["version"] == escalated.json["version"] + 1
    assert etag(submitted) == etag(read) == f'"{read.json["version"]}"'
    assert submitted.json["status"] == read.json["status"] == "awaiting_buyer"


def test_a_claim_answers_the_claimed_case(api: Api, patient_shop: Storefront) -> None:
    case = patient_shop.to_review()

    claimed = api.call("POST", f"/v1/disputes/{case['id']}/claim", REVIEWER, **{"If-Match": f'"{case["version"]}"'})

    assert claimed.status_code == 200, claimed.json
    assert claimed.json["claimed_by"] == "rev-etag"
    assert claimed.json["version"] == patient_shop.get(case["id"])["version"] == case["version"] + 1


def test_statements_and_evidence_honour_if_match_and_answer_the_case_version(
    api: Api, patient_shop: Storefront
) -> None:
    # Given a case in the seller's window
    case = patient_shop.escalate()
    current, stale = f'"{case["version"]}"', f'"{case["version"] + 1}"'
    path = f"/v1/disputes/{case['id']}"

    # When the seller writes with a stale If-Match, then with the current one
    refused_statement = api.call(
        "POST", f"{path}/statements", patient_shop.seller, {"text": "intact"}, **{"If-Match": stale}
    )
    photo = {"kind": "photo", "content_type": "image/jpeg", "size": 1_000}
    refused_photo = api.call("POST", f"{path}/evidence", patient_shop.seller, photo, **{"If-Match": stale})
    statement = api.call("POST", f"{path}/statements", patient_shop.seller, {"text": "intact"}, **{"If-Match": current})
    declared = api.call("POST", f"{path}/evidence", patient_shop.seller, photo, **{"If-Match": current})

    # Then the stale writes were 409 and added nothing; the others answer the (unchanged) case version
    assert refused_statement.status_code == refused_photo.status_code == 409
    assert refused_statement.json["error"]["code"] == "stale_version"
    assert statement.status_code == declared.status_code == 201
    assert etag(statement) == etag(declared) == current
    listed = api.call("GET", f"{path}/evidence", patient_shop.seller).json["items"]
    assert [item["evidence_id"] for item in listed] == [statement.json["evidence_id"]]
    assert patient_shop.get(case["id"])["version"] == case["version"]


def test_a_cursor_works_only_for_the_listing_that_issued_it(api: Api) -> None:
    # Given a buyer with two cases, read one at a time
    shop = Storefront(api, "cursor-shop")
    shop.escalate()
    shop.escalate()
    cursor = api.call("GET", "/v1/disputes?limit=1", shop.buyer).json["next_cursor"]
    assert cursor

    # Then the buyer can follow it, but a seller's listing refuses it, and so does a tampered copy
    assert api.call("GET", f"/v1/disputes?limit=1&cursor={cursor}", shop.buyer).status_code == 200
    assert api.call("GET", f"/v1/disputes?limit=1&cursor={cursor}", shop.seller).status_code == 400
    tampered = cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB")
    assert api.call("GET", f"/v1/disputes?limit=1&cursor={tampered}", shop.buyer).status_code == 400
