"""Nothing secret reaches the logs: tokens, webhook secrets and signatures, presigned URL signatures.

Drives a full flow over HTTP (escalation, a presigned upload and its download URLs,
a webhook subscription, its rotation and signed deliveries, a dev token), then reads
everything the service printed: Powertools' JSON logs, the API server's request
lines, the local runtime's own output.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
import requests

from chalicelib.config import DEV_JWT_SECRET
from tests import evidence_samples as samples
from tests.conftest import eventually
from tests.e2e.conftest import Service
from tests.factories import after_sales_body
from tests.integration.webhook_receiver import Receiver

JWT_SHAPE = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]+")


def bearer(role: str, sub: str, storefront: str) -> tuple[str, dict[str, str]]:
    claims = {"sub": sub, "role": role, "storefront_id": storefront, "exp": datetime.now(UTC) + timedelta(hours=1)}
    token = jwt.encode(claims, DEV_JWT_SECRET, algorithm="HS256")
    return token, {"Authorization": f"Bearer {token}"}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver().start()
    yield running
    running.stop()


def test_a_full_flow_leaves_no_secret_in_the_logs(service: Service, receiver: Receiver) -> None:
    shop = f"shop-logs-{uuid.uuid4().hex[:6]}"
    # Only what the service printed for this flow: the session's service also served the fuzzer, whose
    # made-up query strings (a parameter named `whsec_`, say) are in its access log.
    first_line = len(service.output)
    secrets: list[str] = []
    shop_token, shop_auth = bearer("storefront", "backend", shop)
    buyer_token, buyer = bearer("buyer", "buyer-1", shop)
    seller_token, seller = bearer("seller", "seller-1", shop)
    secrets += [shop_token, buyer_token, seller_token]

    # A subscription (its secret is shown once), then a rotation (another one)
    hook = service.call(
        "POST",
        "/v1/webhooks",
        shop_auth,
        {"url": receiver.url, "events": ["dispute.created", "dispute.evidence_submitted"]},
    )
    assert hook.status_code == 201, hook.text
    rotated = service.call("POST", f"/v1/webhooks/{hook.json()['id']}/rotate-secret", shop_auth)
    assert rotated.status_code == 200, rotated.text
    receiver.secrets = [rotated.json()["secret"], hook.json()["secret"]]
    secrets += receiver.secrets

    # An escalation and a seller's photo: presigned POST, upload, complete, download URLs
    request_id = f"req-{uuid.uuid4().hex[:10]}"
    assert service.call("PUT", f"/v1/after-sales/{request_id}", shop_auth, after_sales_body()).status_code == 201
    escalated = service.call("POST", "/v1/disputes", buyer, {"request_id": request_id, "statement": "cracked"})
    assert escalated.status_code == 201, escalated.text
    path = f"/v1/disputes/{escalated.json()['id']}"
    photo = samples.png()
    declared = service.call(
        "POST", f"{path}/evidence", seller, {"kind": "photo", "content_type": "image/png", "size": len(photo)}
    )
    assert declared.status_code == 201, declared.text
    upload = declared.json()["upload"]
    secrets += [value for name, value in upload["fields"].items() if name.lower() in ("x-amz-signature", "policy")]
    assert requests.post(upload["url"], data=upload["fields"], files={"file": ("p.png", photo)}, timeout=10).ok
    assert service.call("POST", f"{path}/evidence/{declared.json()['evidence_id']}/complete", seller).status_code == 200
    listed = service.call("GET", f"{path}/evidence", seller).json()["items"]
    download = next(item["download"]["url"] for item in listed if "download" in item)
    secrets += parse_qs(urlparse(download).query)["X-Amz-Signature"]
    assert requests.get(download, timeout=10).content == photo
    assert service.call("POST", f"{path}/submit", seller).status_code == 202

    # A dev token for the console
    minted = service.call("POST", "/v1/dev/tokens", None, {"role": "reviewer", "sub": "rev-logs"})
    if minted.status_code == 201:
        secrets.append(minted.json()["token"])

    # Signed deliveries reached the storefront
    eventually(lambda: receiver.hits, lambda hits: len(hits) >= 2, timeout=30)
    secrets += [hit.headers["webhook-signature"] for hit in receiver.hits]
    service.call("DELETE", f"/v1/webhooks/{hook.json()['id']}", shop_auth)

    # Then the service logged the flow, and none of its secrets
    output = "".join(service.output[first_line:])
    assert "dispute escalated" in output  # the logs were captured at all
    leaked = [secret[:12] + "..." for secret in secrets if secret in output]
    assert not leaked, leaked
    assert "whsec_" not in output
    assert "x-amz-signature" not in output.lower()
    assert not JWT_SHAPE.search(output)
    assert "Bearer " not in output
