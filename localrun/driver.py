"""Drive cases over HTTP as a storefront, its buyers and sellers, and reviewers would.

Used by `python -m localrun.trigger`, the demo seeding (`make demo`) and the end-to-end tests. Every
wait polls the case with a time limit: nothing here sleeps without bound.
"""

from __future__ import annotations

import struct
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from localrun.tokens import mint

PLATFORM = "platform"


class ScenarioError(RuntimeError):
    """The service answered something the scenario did not expect, or a case did not move in time."""


def token(role: str, sub: str, storefront: str, secret: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint(role, sub, storefront, hours=12, secret=secret)}"}


def photo_png(width: int = 480, height: int = 320, tint: tuple[int, int, int] = (0, 6, 16)) -> bytes:
    """A real PNG of a pale plate with a dark crack across it: something a reviewer can see."""
    rows = []
    red, green, blue = tint
    for y in range(height):
        row = bytearray(b"\x00")  # filter: none
        crack_x = width // 3 + (y * 2) // 3 + abs(y % 24 - 12)  # a zig-zag running down the plate
        for x in range(width):
            if abs(x - crack_x) <= 2:
                row += b"\x3a\x32\x2c"
            else:
                shade = 236 - (x + y) // 24
                row += bytes((shade - red, shade - green, shade - blue))
        rows.append(bytes(row))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    body = zlib.compress(b"".join(rows), 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def poll(probe: Callable[[], Any], until: Callable[[Any], bool], timeout: float, interval: float = 0.1) -> Any:
    """Call `probe` until `until(value)` holds, at most `timeout` seconds; ScenarioError with the last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if until(value):
            return value
        if time.monotonic() > deadline:
            raise ScenarioError(f"condition not met within {timeout}s; last value: {value!r}")
        time.sleep(interval)


@dataclass
class Driver:
    """One storefront's cases, driven through the API; `seller_id` sells everything it escalates."""

    url: str
    shop: str = "demo-shop"
    seller_id: str = "seller-demo"
    timeout: float = 30.0  # the longest any one wait for the workflow may take
    secret: str | None = None  # signs the tokens; DISPUTES_DEV_JWT_SECRET or the documented default if None
    case_ids: dict[str, str] = field(default_factory=dict)
    session: requests.Session = field(default_factory=requests.Session)

    def buyer(self, buyer: str) -> dict[str, str]:
        return token("buyer", buyer, self.shop, self.secret)

    @property
    def seller(self) -> dict[str, str]:
        return token("seller", self.seller_id, self.shop, self.secret)

    @property
    def storefront(self) -> dict[str, str]:
        return token("storefront", f"{self.shop}-backend", self.shop, self.secret)

    @property
    def reviewer(self) -> dict[str, str]:
        return token("reviewer", "reviewer-demo", PLATFORM, self.secret)

    @property
    def senior(self) -> dict[str, str]:
        return token("senior_reviewer", "senior-demo", PLATFORM, self.secret)

    def call(self, method: str, path: str, auth: dict[str, str], body: Any = None) -> requests.Response:
        return self.session.request(method, f"{self.url}{path}", headers=auth, json=body, timeout=10)

    def ok(self, method: str, path: str, auth: dict[str, str], body: Any = None) -> Any:
        response = self.call(method, path, auth, body)
        if response.status_code >= 300:
            raise ScenarioError(f"{method} {path}: {response.status_code} {response.text}")
        return response.json() if response.content else None

    def escalate(self, name: str, buyer: str, statement: str, **facts: Any) -> str:
        """The storefront records a rejected request and the buyer escalates it: the case waits for the seller."""
        now = datetime.now(UTC)
        request = {
            "order_id": f"order-{name}",
            "buyer_id": buyer,
            "seller_id": self.seller_id,
            "amount_paid": 12_900,
            "shipping_paid": 800,
            "currency": "CNY",
            "delivered_at": (now - timedelta(days=3)).isoformat(),
            "type": "refund_only",
            "reason": "quality_defect",
            "amount_requested": 12_900,
            "requested_at": (now - timedelta(days=2)).isoformat(),
            "seller_decision": "rejected",
            "seller_decided_at": (now - timedelta(days=1)).isoformat(),
            "seller_reason": "the item left the warehouse intact",
            **facts,
        }
        self.ok("PUT", f"/v1/after-sales/req-{name}", self.storefront, request)
        case = self.ok("POST", "/v1/disputes", self.buyer(buyer), {"request_id": f"req-{name}", "statement": statement})
        self.case_ids[name] = case["id"]
        return str(case["id"])

    def case(self, case_id: str) -> dict[str, Any]:
        found: dict[str, Any] = self.ok("GET", f"/v1/disputes/{case_id}", self.senior)
        return found

    def wait(self, case_id: str, until: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        found: dict[str, Any] = poll(lambda: self.case(case_id), until, timeout=self.timeout)
        return found

    def wait_for_window(self, case_id: str, kind: str) -> dict[str, Any]:
        return self.wait(case_id, lambda case: (case["open_window"] or {}).get("kind") == kind)

    def wait_for_status(self, case_id: str, status: str) -> dict[str, Any]:
        return self.wait(case_id, lambda case: case["status"] == status)

    def advance(self, case_id: str, kind: str) -> None:
        """The test clock: end the `kind` window the case waits on now, as if its deadline had passed."""
        self.wait_for_window(case_id, kind)
        self.ok("POST", f"/v1/dev/disputes/{case_id}/advance", self.senior)

    def statement(self, case_id: str, auth: dict[str, str], text: str) -> None:
        self.ok("POST", f"/v1/disputes/{case_id}/statements", auth, {"text": text})

    def tracking(self, case_id: str, auth: dict[str, str], **record: Any) -> None:
        self.ok("POST", f"/v1/disputes/{case_id}/evidence", auth, {"kind": "tracking", **record})

    def photo(self, case_id: str, auth: dict[str, str], data: bytes, description: str) -> None:
        """Declare, POST the bytes straight to the presigned storage URL, complete: a verified photo."""
        declared = self.ok(
            "POST",
            f"/v1/disputes/{case_id}/evidence",
            auth,
            {"kind": "photo", "content_type": "image/png", "size": len(data), "description": description},
        )
        upload = declared["upload"]
        stored = requests.post(upload["url"], data=upload["fields"], files={"file": ("photo.png", data)}, timeout=10)
        if stored.status_code not in (200, 201, 204):
            raise ScenarioError(f"upload to storage: {stored.status_code} {stored.text}")
        self.ok("POST", f"/v1/disputes/{case_id}/evidence/{declared['evidence_id']}/complete", auth)

    def submit(self, case_id: str, auth: dict[str, str]) -> None:
        self.ok("POST", f"/v1/disputes/{case_id}/submit", auth)
