"""Every bad evidence input gets its clear 4xx, leaves no bytes behind, and is never listed."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain.errors import DomainError
from chalicelib.domain.evidence_models import MAX_FILES_PER_PARTY, EvidenceKind, FileDeclaration, MiB
from chalicelib.domain.models import Actor, Role
from chalicelib.services import evidence as evidence_service
from chalicelib.services.context import Context
from tests import evidence_samples as samples
from tests.conftest import eventually
from tests.factories import bearer
from tests.integration.conftest import Api, Storefront
from tests.integration.evidence_helpers import (
    REVIEWER,
    add_photo,
    complete,
    declare,
    declare_photo,
    listed_ids,
    stored_versions,
    timeline,
    upload,
)
from tests.integration.test_bad_input import assert_error


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"kind": "photo", "content_type": "image/png", "size": 10 * MiB + 1}, 413, "payload_too_large"),
        ({"kind": "video", "content_type": "video/mp4", "size": 100 * MiB + 1}, 413, "payload_too_large"),
        ({"kind": "document", "content_type": "application/pdf", "size": 20 * MiB + 1}, 413, "payload_too_large"),
        ({"kind": "photo", "content_type": "application/pdf", "size": 100}, 415, "unsupported_media_type"),
        ({"kind": "chat_log", "content_type": "text/html", "size": 100}, 415, "unsupported_media_type"),
        ({"kind": "photo", "content_type": "image/png", "size": 0}, 422, "invalid_value"),
        ({"kind": "photo", "content_type": "image/png", "size": "100"}, 422, "invalid_value"),
        ({"kind": "photo", "content_type": "image/png"}, 422, "invalid_value"),
        ({"kind": "hologram", "content_type": "image/png", "size": 100}, 422, "invalid_value"),
        ({"kind": "statement", "text": "use the statements route"}, 422, "invalid_value"),
        (
            {"kind": "tracking", "carrier": "UPS", "tracking_number": "1Z9", "status": "teleported"},
            422,
            "invalid_value",
        ),
        (
            {"kind": "tracking", "carrier": "UPS", "tracking_number": "1Z9", "status": "lost", "size": 9},
            422,
            "invalid_value",
        ),
    ],
)
def test_a_declaration_the_rules_refuse_gets_its_status_and_creates_nothing(
    api: Api, patient_shop: Storefront, ctx: Context, body: dict[str, Any], status: int, code: str
) -> None:
    case = patient_shop.escalate()

    response = declare(api, patient_shop.seller, case["id"], **body)

    assert_error(response, status, code)
    assert ctx.evidence.for_case(case["id"]) == []


@pytest.mark.parametrize(
    "delivered_at",
    ["9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00", "9999-12-31T00:00:00Z", "in an hour"],
    ids=["year 10000 in UTC", "year 0 in UTC", "year 9999", "an hour ahead"],
)
def test_a_tracking_delivery_outside_the_calendar_or_in_the_future_is_422_naming_the_field(
    api: Api, patient_shop: Storefront, ctx: Context, delivered_at: str
) -> None:
    case = patient_shop.escalate()
    when = (datetime.now(UTC) + timedelta(hours=1)).isoformat() if delivered_at == "in an hour" else delivered_at

    response = declare(
        api,
        patient_shop.seller,
        case["id"],
        kind="tracking",
        carrier="UPS",
        tracking_number="1Z999",
        status="delivered",
        delivered_at=when,
    )

    assert_error(response, 422, "invalid_value")
    assert [detail["field"] for detail in response.json["error"]["details"]] == ["tracking.delivered_at"]
    assert ctx.evidence.for_case(case["id"]) == []


def test_an_upload_that_lies_about_its_type_is_415_deleted_and_never_listed(api: Api, patient_shop: Storefront) -> None:
    # Given a declared PNG photo whose bytes are really a PDF
    case = patient_shop.escalate()
    lie = samples.pdf()
    added = declare_photo(api, patient_shop.seller, case["id"], lie, "image/png")
    upload(added, lie)
    key = added["upload"]["fields"]["key"]
    assert stored_versions(key)

    # When it is completed
    response = complete(api, patient_shop.seller, case["id"], added["evidence_id"])

    # Then it is rejected with the reason, every version of the object is gone, and nobody sees it
    assert_error(response, 415, "unsupported_media_type")
    assert "application/pdf" in response.json["error"]["message"]
    assert stored_versions(key) == []
    assert listed_ids(api, patient_shop.seller, case["id"]) == []
    assert listed_ids(api, REVIEWER, case["id"]) == []
    assert timeline(api, patient_shop, case["id"])[-1] == "evidence_rejected"
    # and asking again gives the same answer
    assert_error(complete(api, patient_shop.seller, case["id"], added["evidence_id"]), 415, "unsupported_media_type")


def test_an_upload_larger_than_declared_is_413_and_deleted(api: Api, patient_shop: Storefront) -> None:
    # moto ignores the policy's content-length-range (AWS would refuse the POST): complete is the guard
    case = patient_shop.escalate()
    added = declare_photo(api, patient_shop.seller, case["id"], b"x" * 100)
    upload(added, samples.png() + b"\x00" * 500)

    response = complete(api, patient_shop.seller, case["id"], added["evidence_id"])

    assert_error(response, 413, "payload_too_large")
    assert stored_versions(added["upload"]["fields"]["key"]) == []
    assert listed_ids(api, patient_shop.seller, case["id"]) == []


def test_an_empty_upload_is_rejected_and_deleted(api: Api, patient_shop: Storefront) -> None:
    # An empty object has no first byte for complete's ranged read to start at: it is still judged, as empty
    case = patient_shop.escalate()
    added = declare_photo(api, patient_shop.seller, case["id"], samples.png())
    upload(added, b"")

    response = complete(api, patient_shop.seller, case["id"], added["evidence_id"])

    assert response.status_code == 422, response.json
    assert stored_versions(added["upload"]["fields"]["key"]) == []
    assert listed_ids(api, patient_shop.seller, case["id"]) == []


def test_completing_before_uploading_is_409_and_the_upload_can_still_follow(api: Api, patient_shop: Storefront) -> None:
    case = patient_shop.escalate()
    data = samples.png()
    added = declare_photo(api, patient_shop.seller, case["id"], data)

    early = complete(api, patient_shop.seller, case["id"], added["evidence_id"])

    assert_error(early, 409, "invalid_state")
    assert listed_ids(api, patient_shop.seller, case["id"]) == []
    upload(added, data)
    assert complete(api, patient_shop.seller, case["id"], added["evidence_id"]).status_code == 200


def test_the_twenty_first_file_of_a_party_is_409_and_a_rejected_file_gives_its_place_back(
    api: Api, patient_shop: Storefront
) -> None:
    # Given a seller that declared its twentieth file, the last one a lie
    case = patient_shop.escalate()
    for _ in range(MAX_FILES_PER_PARTY - 1):
        declare_photo(api, patient_shop.seller, case["id"], samples.png())
    lie = declare_photo(api, patient_shop.seller, case["id"], samples.pdf())

    # Then a twenty-first is refused
    assert_error(declare_photo_response(api, patient_shop.seller, case["id"]), 409, "invalid_state")

    # When the lie is rejected, its place is free again; statements have their own allowance
    upload(lie, samples.pdf())
    assert complete(api, patient_shop.seller, case["id"], lie["evidence_id"]).status_code == 415
    assert declare_photo_response(api, patient_shop.seller, case["id"]).status_code == 201
    assert_error(declare_photo_response(api, patient_shop.seller, case["id"]), 409, "invalid_state")
    statement = api.call("POST", f"/v1/disputes/{case['id']}/statements", patient_shop.seller, {"text": "still here"})
    assert statement.status_code == 201


def declare_photo_response(api: Api, token: dict[str, str], case_id: str) -> Any:
    return declare(api, token, case_id, kind="photo", content_type="image/png", size=100)


def test_concurrent_declarations_never_exceed_twenty_files(patient_shop: Storefront, ctx: Context) -> None:
    case = patient_shop.escalate()
    seller = Actor(sub="seller-1", role=Role.SELLER, storefront_id=patient_shop.id)
    photo = FileDeclaration(kind=EvidenceKind.PHOTO, content_type="image/png", size=100)

    def attempt(_: int) -> str:
        try:
            evidence_service.add_evidence(ctx, seller, case["id"], photo)
        except DomainError as error:
            return error.code
        return "added"

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(attempt, range(MAX_FILES_PER_PARTY + 6)))

    assert outcomes.count("added") == MAX_FILES_PER_PARTY
    assert set(outcomes) == {"added", "invalid_state"}
    assert len(ctx.evidence.for_case(case["id"])) == MAX_FILES_PER_PARTY


def test_evidence_after_the_deadline_is_410_and_a_pending_upload_is_rejected_and_deleted(
    api: Api, fast_shop: Storefront
) -> None:
    # Given an upload the seller started in its window (seconds long in this storefront)
    case = fast_shop.escalate()
    data = samples.png()
    added = declare_photo(api, fast_shop.seller, case["id"], data)
    upload(added, data)

    # When the deadline passes and the case moves on to the buyer
    fast_shop.wait_for_status(case["id"], "awaiting_buyer")

    # Then completing it, declaring more or adding a statement is 410, and the stray bytes are deleted
    assert_error(complete(api, fast_shop.seller, case["id"], added["evidence_id"]), 410, "deadline_passed")
    assert stored_versions(added["upload"]["fields"]["key"]) == []
    assert_error(complete(api, fast_shop.seller, case["id"], added["evidence_id"]), 410, "deadline_passed")
    assert_error(declare_photo_response(api, fast_shop.seller, case["id"]), 410, "deadline_passed")
    late = api.call("POST", f"/v1/disputes/{case['id']}/statements", fast_shop.seller, {"text": "late"})
    assert_error(late, 410, "deadline_passed")
    assert listed_ids(api, REVIEWER, case["id"]) == []


def test_completing_after_ending_ones_window_early_is_409_and_the_upload_is_deleted(
    api: Api, patient_shop: Storefront
) -> None:
    case = patient_shop.escalate()
    added = declare_photo(api, patient_shop.seller, case["id"], samples.png())
    upload(added, samples.png())
    assert patient_shop.act(patient_shop.seller, case["id"], "submit").status_code == 202

    response = complete(api, patient_shop.seller, case["id"], added["evidence_id"])

    assert_error(response, 409, "invalid_state")
    assert stored_versions(added["upload"]["fields"]["key"]) == []
    assert_error(complete(api, patient_shop.seller, case["id"], added["evidence_id"]), 409, "invalid_state")
    assert listed_ids(api, patient_shop.buyer, case["id"]) == []


def test_a_party_whose_window_is_not_open_gets_409(api: Api, patient_shop: Storefront) -> None:
    # Given a case the seller is done with: the buyer's rebuttal window is open
    case = patient_shop.escalate()
    assert patient_shop.act(patient_shop.seller, case["id"], "submit").status_code == 202

    # Then the seller may add nothing more, and neither may the buyer once it ended its window
    assert_error(declare_photo_response(api, patient_shop.seller, case["id"]), 409, "invalid_state")
    assert patient_shop.act(patient_shop.buyer, case["id"], "submit").status_code == 202
    assert_error(declare_photo_response(api, patient_shop.buyer, case["id"]), 409, "invalid_state")
    statement = api.call("POST", f"/v1/disputes/{case['id']}/statements", patient_shop.buyer, {"text": "one more"})
    assert_error(statement, 409, "invalid_state")


def test_the_buyer_adds_with_its_complaint_but_cannot_end_the_sellers_window(
    api: Api, patient_shop: Storefront
) -> None:
    case = patient_shop.escalate()

    assert (
        declare(api, patient_shop.buyer, case["id"], kind="photo", content_type="image/png", size=9).status_code == 201
    )
    assert_error(patient_shop.act(patient_shop.buyer, case["id"], "submit"), 409, "invalid_state")
    assert patient_shop.get(case["id"])["open_window"]["kind"] == "seller_response"


def test_the_buyer_cannot_add_after_its_rebuttal_deadline(api: Api, fast_shop: Storefront) -> None:
    # Given a buyer who added its photo with the complaint, and then let its rebuttal window pass
    case = fast_shop.escalate()
    add_photo(api, fast_shop.buyer, case["id"], samples.png())
    assert fast_shop.act(fast_shop.seller, case["id"], "submit").status_code == 202
    eventually(
        lambda: fast_shop.get(case["id"]), lambda seen: "buyer_rebuttal:buyer" in seen["missed_deadlines"], timeout=30
    )

    # Then neither a file nor a statement is accepted from it any more: its deadline passed
    assert_error(declare_photo_response(api, fast_shop.buyer, case["id"]), 410, "deadline_passed")
    late = api.call("POST", f"/v1/disputes/{case['id']}/statements", fast_shop.buyer, {"text": "late"})
    assert_error(late, 410, "deadline_passed")


@pytest.mark.parametrize(
    "stranger",
    [bearer("buyer", "buyer-2", "patient"), bearer("seller", "seller-2", "patient"), bearer("seller", "seller-1", "x")],
)
def test_a_non_party_can_neither_add_nor_read_nor_complete_evidence(
    api: Api, patient_shop: Storefront, stranger: dict[str, str]
) -> None:
    case = patient_shop.escalate()
    added = declare_photo(api, patient_shop.seller, case["id"], samples.png())

    assert_error(declare_photo_response(api, stranger, case["id"]), 404, "not_found")
    assert_error(api.call("GET", f"/v1/disputes/{case['id']}/evidence", stranger), 404, "not_found")
    assert_error(complete(api, stranger, case["id"], added["evidence_id"]), 404, "not_found")
    statement = api.call("POST", f"/v1/disputes/{case['id']}/statements", stranger, {"text": "hi"})
    assert_error(statement, 404, "not_found")


def test_the_other_party_cannot_complete_someone_elses_upload(api: Api, patient_shop: Storefront) -> None:
    case = patient_shop.escalate()
    added = declare_photo(api, patient_shop.seller, case["id"], samples.png())

    assert_error(complete(api, patient_shop.buyer, case["id"], added["evidence_id"]), 404, "not_found")
    assert_error(complete(api, patient_shop.seller, case["id"], "evd_unknown"), 404, "not_found")


def test_reviewers_and_storefronts_may_read_but_never_add_evidence(api: Api, patient_shop: Storefront) -> None:
    case = patient_shop.escalate()

    assert_error(declare_photo_response(api, REVIEWER, case["id"]), 403, "forbidden")
    assert_error(declare_photo_response(api, patient_shop.token, case["id"]), 403, "forbidden")
    assert api.call("GET", f"/v1/disputes/{case['id']}/evidence", patient_shop.token).status_code == 200


def test_a_statement_over_the_limit_is_413(api: Api, patient_shop: Storefront) -> None:
    case = patient_shop.escalate()

    response = api.call("POST", f"/v1/disputes/{case['id']}/statements", patient_shop.seller, {"text": "x" * 5001})

    assert_error(response, 413, "payload_too_large")


def test_nothing_unverified_is_ever_listed(api: Api, patient_shop: Storefront) -> None:
    # Given one verified photo, one declared but never uploaded, one uploaded but never completed
    case = patient_shop.escalate()
    verified = add_photo(api, patient_shop.seller, case["id"], samples.png())["evidence_id"]
    declare_photo(api, patient_shop.seller, case["id"], samples.png())
    uploaded = declare_photo(api, patient_shop.seller, case["id"], samples.png())
    upload(uploaded, samples.png())
    assert patient_shop.act(patient_shop.seller, case["id"], "submit").status_code == 202

    # Then every reader sees the verified one only
    for reader in (patient_shop.seller, patient_shop.buyer, patient_shop.token, REVIEWER):
        assert listed_ids(api, reader, case["id"]) == [verified]
