"""Evidence through the API on moto: real presigned uploads, verification, tracking, statements, visibility."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlparse

import requests

from chalicelib.adapters.aws import client
from chalicelib.services.context import Context
from localrun.provision import INFRA_RESOURCES
from tests import evidence_samples as samples
from tests.factories import bearer
from tests.integration.conftest import Api, Storefront
from tests.integration.evidence_helpers import (
    REVIEWER,
    add_photo,
    complete,
    declare,
    declare_photo,
    listed,
    listed_ids,
    policy_of,
    timeline,
    upload,
)


def test_a_real_presigned_upload_is_verified_hashed_listed_and_downloadable(api: Api, patient_shop: Storefront) -> None:
    # Given a case waiting for the seller
    case = patient_shop.escalate()
    data = samples.png()

    # When the seller declares a photo, uploads it straight to S3 over HTTP and completes it
    added = declare_photo(api, patient_shop.seller, case["id"], data)
    upload(added, data)
    response = complete(api, patient_shop.seller, case["id"], added["evidence_id"])

    # Then it is verified with the SHA-256 of exactly those bytes
    assert response.status_code == 200, response.json
    assert response.json["status"] == "verified"
    assert response.json["sha256"] == samples.sha256(data)
    assert response.json["size"] == len(data)
    # and the seller sees it with a download URL that expires within five minutes
    [item] = listed(api, patient_shop.seller, case["id"])
    assert item["evidence_id"] == added["evidence_id"]
    assert item["kind"] == "photo"
    assert int(parse_qs(urlparse(item["download"]["url"]).query)["X-Amz-Expires"][0]) <= 300
    download = requests.get(item["download"]["url"], timeout=10)
    assert download.status_code == 200
    assert download.content == data
    assert download.headers["Content-Type"] == "image/png"
    assert download.headers["Content-Disposition"].startswith("attachment")


def test_the_upload_policy_pins_key_type_and_size(api: Api, patient_shop: Storefront) -> None:
    case = patient_shop.escalate()

    added = declare(api, patient_shop.seller, case["id"], kind="video", content_type="video/mp4", size=50_000_000)

    assert added.status_code == 201, added.json
    assert added.json["status"] == "pending"
    fields = added.json["upload"]["fields"]
    assert fields["key"] == f"cases/{case['id']}/seller/{added.json['evidence_id']}"
    assert fields["Content-Type"] == "video/mp4"
    conditions = policy_of(added.json)["conditions"]
    assert ["content-length-range", 1, 50_000_000] in conditions
    assert {"Content-Type": "video/mp4"} in conditions
    assert {"key": fields["key"]} in conditions


def test_verification_is_idempotent_and_recorded_on_the_timeline_without_a_new_case_version(
    api: Api, patient_shop: Storefront
) -> None:
    case = patient_shop.escalate()
    verified = add_photo(api, patient_shop.seller, case["id"], samples.png())

    again = complete(api, patient_shop.seller, case["id"], verified["evidence_id"])

    assert again.status_code == 200
    assert again.json == verified
    assert timeline(api, patient_shop, case["id"])[-1] == "evidence_added"
    assert patient_shop.get(case["id"])["version"] == case["version"]


def test_downloads_serve_the_verified_bytes_even_if_the_upload_policy_is_reused(
    api: Api, patient_shop: Storefront
) -> None:
    # Given a verified photo whose upload policy has not expired yet
    case = patient_shop.escalate()
    original = samples.png()
    added = declare_photo(api, patient_shop.seller, case["id"], original)
    upload(added, original)
    assert complete(api, patient_shop.seller, case["id"], added["evidence_id"]).status_code == 200

    # When the same policy is used again to overwrite the key
    upload(added, samples.jpeg())

    # Then the download is still the version whose hash was recorded
    [item] = listed(api, REVIEWER, case["id"])
    assert requests.get(item["download"]["url"], timeout=10).content == original


def test_tracking_is_recorded_without_an_upload_and_shown_as_fields(api: Api, patient_shop: Storefront) -> None:
    case = patient_shop.escalate()

    response = declare(
        api,
        patient_shop.seller,
        case["id"],
        kind="tracking",
        carrier="SF Express",
        tracking_number="SF1234567890",
        status="delivered",
        delivered_at="2026-11-20T10:00:00Z",
        description="signed for at the front desk",
    )

    assert response.status_code == 201, response.json
    assert response.json["upload"] is None
    assert response.json["status"] == "verified"
    [item] = listed(api, REVIEWER, case["id"])
    assert item["tracking"] == {
        "carrier": "SF Express",
        "tracking_number": "SF1234567890",
        "status": "delivered",
        "delivered_at": "2026-11-20T10:00:00Z",
    }
    assert "download" not in item


def test_a_statement_is_stored_as_evidence_of_kind_statement(api: Api, patient_shop: Storefront) -> None:
    case = patient_shop.escalate()

    response = api.call(
        "POST", f"/v1/disputes/{case['id']}/statements", patient_shop.seller, {"text": "It left intact."}
    )

    assert response.status_code == 201, response.json
    assert response.json["kind"] == "statement"
    assert response.json["sha256"] == samples.sha256(b"It left intact.")
    assert [item["text"] for item in listed(api, patient_shop.seller, case["id"])] == ["It left intact."]


def test_each_side_sees_the_others_evidence_only_after_the_others_window_closed(
    api: Api, patient_shop: Storefront
) -> None:
    # Given a photo from the seller, in the seller's open window
    case = patient_shop.escalate()
    seller_photo = add_photo(api, patient_shop.seller, case["id"], samples.png())["evidence_id"]

    # Then the buyer does not see it yet; reviewers and the storefront do
    assert listed_ids(api, patient_shop.buyer, case["id"]) == []
    assert listed_ids(api, REVIEWER, case["id"]) == [seller_photo]
    assert listed_ids(api, patient_shop.token, case["id"]) == [seller_photo]

    # When the seller ends its window, the buyer sees it, and adds its own in its window
    assert patient_shop.act(patient_shop.seller, case["id"], "submit").status_code == 202
    assert listed_ids(api, patient_shop.buyer, case["id"]) == [seller_photo]
    buyer_photo = add_photo(api, patient_shop.buyer, case["id"], samples.jpeg(), "image/jpeg")["evidence_id"]

    # Then the seller sees only its own until the buyer's window ends too
    assert listed_ids(api, patient_shop.seller, case["id"]) == [seller_photo]
    assert patient_shop.act(patient_shop.buyer, case["id"], "submit").status_code == 202
    assert listed_ids(api, patient_shop.seller, case["id"]) == [seller_photo, buyer_photo]
    assert listed_ids(api, REVIEWER, case["id"]) == [seller_photo, buyer_photo]


def test_the_buyers_photo_comes_with_the_complaint_and_the_seller_sees_it_at_once(
    api: Api, patient_shop: Storefront
) -> None:
    # Given a case just escalated, the seller's window open
    case = patient_shop.escalate()

    # When the buyer adds a photo and a statement right away
    photo = add_photo(api, patient_shop.buyer, case["id"], samples.png())["evidence_id"]
    said = api.call("POST", f"/v1/disputes/{case['id']}/statements", patient_shop.buyer, {"text": "Cracked."})
    assert said.status_code == 201, said.json

    # Then the seller sees both in its window, to answer them, and so do reviewers
    assert listed_ids(api, patient_shop.seller, case["id"]) == [photo, said.json["evidence_id"]]
    assert listed_ids(api, REVIEWER, case["id"]) == [photo, said.json["evidence_id"]]
    assert patient_shop.get(case["id"])["status"] == "awaiting_seller"


def test_the_buyer_still_sees_the_sellers_evidence_only_once_the_sellers_window_ended(
    api: Api, patient_shop: Storefront
) -> None:
    # Given a buyer's photo with the complaint and the seller's photo answering it
    case = patient_shop.escalate()
    buyer_photo = add_photo(api, patient_shop.buyer, case["id"], samples.jpeg(), "image/jpeg")["evidence_id"]
    seller_photo = add_photo(api, patient_shop.seller, case["id"], samples.png())["evidence_id"]

    # Then the seller sees both, the buyer only its own
    assert sorted(listed_ids(api, patient_shop.seller, case["id"])) == sorted([buyer_photo, seller_photo])
    assert listed_ids(api, patient_shop.buyer, case["id"]) == [buyer_photo]

    # When the seller ends its window, the buyer sees the seller's too, and may still add in its rebuttal
    assert patient_shop.act(patient_shop.seller, case["id"], "submit").status_code == 202
    assert sorted(listed_ids(api, patient_shop.buyer, case["id"])) == sorted([buyer_photo, seller_photo])
    rebuttal = add_photo(api, patient_shop.buyer, case["id"], samples.png())["evidence_id"]
    assert rebuttal not in listed_ids(api, patient_shop.seller, case["id"])


def test_the_rules_can_read_verified_evidence_of_a_case(api: Api, patient_shop: Storefront, ctx: Context) -> None:
    case = patient_shop.escalate()
    verified = add_photo(api, patient_shop.seller, case["id"], samples.png())["evidence_id"]
    declare_photo(api, patient_shop.seller, case["id"], samples.png())  # requested, never uploaded

    assert [item.id for item in ctx.evidence.verified_for_case(case["id"])] == [verified]
    assert len(ctx.evidence.for_case(case["id"])) == 2


def test_the_evidence_bucket_is_private_encrypted_versioned_and_blocks_public_access(ctx: Context) -> None:
    s3 = client("s3")
    bucket = ctx.settings.evidence_bucket

    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] in ("AES256", "aws:kms")
    assert all(s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"].values())
    grants = s3.get_bucket_acl(Bucket=bucket)["Grants"]
    assert all("URI" not in grant["Grantee"] for grant in grants)  # no AllUsers / AuthenticatedUsers grant
    declared = json.loads(INFRA_RESOURCES.read_text())["Resources"]["EvidenceBucket"]["Properties"]
    assert declared["VersioningConfiguration"] == {"Status": "Enabled"}
    assert declared["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert all(declared["PublicAccessBlockConfiguration"].values())


def test_a_party_token_from_another_storefront_cannot_list(api: Api, patient_shop: Storefront) -> None:
    case = patient_shop.escalate()

    response = api.call("GET", f"/v1/disputes/{case['id']}/evidence", bearer("seller", "seller-1", "elsewhere"))

    assert response.status_code == 404
