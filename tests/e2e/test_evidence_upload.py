"""Evidence over HTTP against `python -m localrun`: a real file POSTed to the presigned URL, then completed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import requests

from chalicelib.config import DEV_JWT_SECRET
from tests import evidence_samples as samples
from tests.e2e.conftest import Service

SHOP = "shop-evidence-e2e"


def token(role: str, sub: str, storefront: str = SHOP) -> dict[str, str]:
    claims = {"sub": sub, "role": role, "storefront_id": storefront, "exp": datetime.now(UTC) + timedelta(hours=1)}
    return {"Authorization": f"Bearer {jwt.encode(claims, DEV_JWT_SECRET, algorithm='HS256')}"}


STOREFRONT, BUYER, SELLER = token("storefront", "shop-backend"), token("buyer", "b-7"), token("seller", "s-7")


def escalated_case(service: Service) -> str:
    now = datetime.now(UTC)
    request = {
        "order_id": "o-700",
        "buyer_id": "b-7",
        "seller_id": "s-7",
        "amount_paid": 9_900,
        "shipping_paid": 0,
        "currency": "CNY",
        "delivered_at": (now - timedelta(days=3)).isoformat(),
        "type": "refund_only",
        "reason": "quality_defect",
        "amount_requested": 9_900,
        "requested_at": (now - timedelta(days=1)).isoformat(),
        "seller_decision": "rejected",
        "seller_decided_at": (now - timedelta(hours=2)).isoformat(),
    }
    assert service.call("PUT", "/v1/after-sales/rq-700", STOREFRONT, request).status_code == 201
    escalated = service.call("POST", "/v1/disputes", BUYER, {"request_id": "rq-700", "statement": "cracked"})
    assert escalated.status_code == 201, escalated.text
    case_id: str = escalated.json()["id"]
    return case_id


def test_a_file_uploaded_through_the_presigned_post_is_verified_and_shown_to_the_other_side(service: Service) -> None:
    # Given a case waiting for the seller
    path = f"/v1/disputes/{escalated_case(service)}"
    photo = samples.png()

    # When the seller declares a photo, POSTs the bytes straight to the storage URL it got, and completes it
    completed = service.upload(path, SELLER, photo, "image/png")

    # Then it is verified with the hash of those bytes
    assert completed.status_code == 200, completed.text
    assert completed.json()["status"] == "verified"
    assert completed.json()["sha256"] == samples.sha256(photo)

    # When an upload lies about its type, complete refuses it
    lie = samples.pdf()
    declared = service.call(
        "POST", f"{path}/evidence", SELLER, {"kind": "photo", "content_type": "image/png", "size": len(lie)}
    )
    upload = declared.json()["upload"]
    requests.post(upload["url"], data=upload["fields"], files={"file": ("photo.png", lie)}, timeout=10)
    refused = service.call("POST", f"{path}/evidence/{declared.json()['evidence_id']}/complete", SELLER)
    assert refused.status_code == 415, refused.text

    # When the seller ends its window, the buyer sees the verified photo only, and can download it
    assert service.call("POST", f"{path}/submit", SELLER).status_code == 202
    items = service.call("GET", f"{path}/evidence", BUYER).json()["items"]
    assert [item["status"] for item in items] == ["verified"]
    assert requests.get(items[0]["download"]["url"], timeout=10).content == photo
