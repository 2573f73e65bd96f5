"""Helpers for the evidence tests: declare, upload for real over HTTP to moto's server, complete, list."""

from __future__ import annotations

import base64
import json
from typing import Any

import requests

from chalicelib.adapters.aws import client
from chalicelib.bootstrap import context
from tests.factories import bearer
from tests.integration.conftest import Api, Storefront

REVIEWER = bearer("reviewer", "rev-1", "platform")


def declare(api: Api, token: dict[str, str], case_id: str, **body: Any) -> Any:
    return api.call("POST", f"/v1/disputes/{case_id}/evidence", token, body)


def declare_photo(api: Api, token: dict[str, str], case_id: str, data: bytes, content_type: str = "image/png") -> Any:
    response = declare(api, token, case_id, kind="photo", content_type=content_type, size=len(data))
    assert response.status_code == 201, response.json
    return response.json


def upload(added: dict[str, Any], data: bytes) -> requests.Response:
    """A real presigned POST over loopback, exactly as a browser or mobile client sends it."""
    response = requests.post(
        added["upload"]["url"], data=added["upload"]["fields"], files={"file": ("upload", data)}, timeout=10
    )
    assert response.status_code in (200, 201, 204), response.text
    return response


def complete(api: Api, token: dict[str, str], case_id: str, evidence_id: str) -> Any:
    return api.call("POST", f"/v1/disputes/{case_id}/evidence/{evidence_id}/complete", token)


def add_photo(
    api: Api, token: dict[str, str], case_id: str, data: bytes, content_type: str = "image/png"
) -> dict[str, Any]:
    """Declare, upload and complete: a verified photo."""
    added = declare_photo(api, token, case_id, data, content_type)
    upload(added, data)
    response = complete(api, token, case_id, added["evidence_id"])
    assert response.status_code == 200, response.json
    verified: dict[str, Any] = response.json
    return verified


def listed(api: Api, token: dict[str, str], case_id: str) -> list[dict[str, Any]]:
    response = api.call("GET", f"/v1/disputes/{case_id}/evidence", token)
    assert response.status_code == 200, response.json
    items: list[dict[str, Any]] = response.json["items"]
    return items


def listed_ids(api: Api, token: dict[str, str], case_id: str) -> list[str]:
    return [item["evidence_id"] for item in listed(api, token, case_id)]


def policy_of(added: dict[str, Any]) -> dict[str, Any]:
    decoded: dict[str, Any] = json.loads(base64.b64decode(added["upload"]["fields"]["policy"]))
    return decoded


def stored_versions(key: str) -> list[str]:
    """Every version and delete marker S3 holds for a key: empty means the bytes are really gone."""
    settings = context().settings
    s3 = client("s3")
    page = s3.list_object_versions(Bucket=settings.evidence_bucket, Prefix=key)
    return [
        entry["VersionId"]
        for entry in (*page.get("Versions", []), *page.get("DeleteMarkers", []))
        if entry["Key"] == key
    ]


def timeline(api: Api, shop: Storefront, case_id: str) -> list[str]:
    response = api.call("GET", f"/v1/disputes/{case_id}/events", shop.buyer)
    assert response.status_code == 200, response.json
    return [event["action"] for event in response.json["items"]]
