"""The cases the reviewer-console test works on, set up over HTTP as a storefront, buyers and a seller would."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import requests

from chalicelib.config import DEV_JWT_SECRET
from tests.conftest import eventually

SHOP = "console-shop"
SELLER_ID = "seller-console"


def token(role: str, sub: str, storefront: str = SHOP) -> dict[str, str]:
    claims = {"sub": sub, "role": role, "storefront_id": storefront, "exp": datetime.now(UTC) + timedelta(hours=1)}
    return {"Authorization": f"Bearer {jwt.encode(claims, DEV_JWT_SECRET, algorithm='HS256')}"}


SELLER = token("seller", SELLER_ID)
SENIOR = token("senior_reviewer", "senior-console", "platform")


def photo_png(width: int = 480, height: int = 320) -> bytes:
    """A real PNG of a pale plate with a dark crack across it: something a reviewer can see."""
    rows = []
    for y in range(height):
        row = bytearray(b"\x00")  # filter: none
        crack_x = width // 3 + (y * 2) // 3 + abs(y % 24 - 12)  # a zig-zag running down the plate
        for x in range(width):
            if abs(x - crack_x) <= 2:
                row += b"\x3a\x32\x2c"
            else:
                shade = 236 - (x + y) // 24
                row += bytes((shade, shade - 6, shade - 16))
        rows.append(bytes(row))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    body = zlib.compress(b"".join(rows), 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


@dataclass
class Scenario:
    """Drives one storefront's cases through the API until they wait for a reviewer."""

    url: str
    shop: str = SHOP
    case_ids: dict[str, str] = field(default_factory=dict)

    def buyer(self, buyer: str) -> dict[str, str]:
        return token("buyer", buyer, self.shop)

    @property
    def seller(self) -> dict[str, str]:
        return token("seller", SELLER_ID, self.shop)

    @property
    def storefront(self) -> dict[str, str]:
        return token("storefront", f"{self.shop}-backend", self.shop)

    def call(self, method: str, path: str, auth: dict[str, str], body: Any = None) -> requests.Response:
        return requests.request(method, f"{self.url}{path}", headers=auth, json=body, timeout=10)

    def ok(self, method: str, path: str, auth: dict[str, str], body: Any = None) -> Any:
        response = self.call(method, path, auth, body)
        assert response.status_code < 300, f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content else None

    def escalate(self, name: str, buyer: str, statement: str, **facts: Any) -> str:
        now = datetime.now(UTC)
        request = {
            "order_id": f"order-{name}",
            "buyer_id": buyer,
            "seller_id": SELLER_ID,
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
        found: dict[str, Any] = self.ok("GET", f"/v1/disputes/{case_id}", SENIOR)
        return found

    def wait(self, case_id: str, until: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        return eventually(lambda: self.case(case_id), until, timeout=30, interval=0.1)

    def wait_for_window(self, case_id: str, kind: str) -> dict[str, Any]:
        return self.wait(case_id, lambda case: (case["open_window"] or {}).get("kind") == kind)

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
        assert stored.status_code in (200, 201, 204), stored.text
        self.ok("POST", f"/v1/disputes/{case_id}/evidence/{declared['evidence_id']}/complete", auth)

    def submit(self, case_id: str, auth: dict[str, str]) -> None:
        self.ok("POST", f"/v1/disputes/{case_id}/submit", auth)


def penalised_earlier_case(scenario: Scenario) -> str:
    """A proven defect the rules rule at once (4 points); the seller appeals; a senior reviewer confirms it,
    which makes the ruling final, writes the points to the seller's record and starts its return."""
    buyer = token("buyer", "buyer-earlier")
    case_id = scenario.escalate("earlier", "buyer-earlier", "The handle came off on day one.")
    scenario.submit(case_id, SELLER)
    scenario.wait_for_window(case_id, "buyer_rebuttal")
    scenario.photo(case_id, buyer, photo_png(96, 64), "the broken handle")
    scenario.submit(case_id, buyer)
    scenario.wait_for_window(case_id, "appeal")
    scenario.ok("POST", f"/v1/disputes/{case_id}/appeal", SELLER, {"statement": "The buyer dropped it."})
    scenario.wait_for_window(case_id, "review")
    scenario.ok("POST", f"/v1/disputes/{case_id}/ruling", SENIOR, {"accept_recommendation": True})
    scenario.wait(case_id, lambda case: case["status"] == "fulfilling")
    return case_id


def contested_defect(scenario: Scenario) -> str:
    """The case the reviewer decides: a cracked plate, a buyer photo, the seller's tracking saying 'delivered'."""
    buyer = token("buyer", "buyer-plate")
    case_id = scenario.escalate("plate", "buyer-plate", "The plate arrived cracked in two places.")
    scenario.tracking(
        case_id,
        SELLER,
        carrier="SF Express",
        tracking_number="SF1234567890",
        status="delivered",
        delivered_at=(datetime.now(UTC) - timedelta(days=3)).isoformat(),
        description="delivered, signed for by the buyer",
    )
    scenario.statement(case_id, SELLER, "We pack every plate in foam; the courier reported no damage.")
    scenario.submit(case_id, SELLER)
    scenario.wait_for_window(case_id, "buyer_rebuttal")
    scenario.photo(case_id, buyer, photo_png(), "crack across the rim, photographed on unboxing")
    scenario.statement(case_id, buyer, "The box looked fine; the plate inside was cracked.")
    scenario.submit(case_id, buyer)
    scenario.wait_for_window(case_id, "review")
    return case_id


def parcel_never_arrived(scenario: Scenario) -> str:
    """A yen order (no decimals) the buyer says never came; no tracking, so the rules leave it to a person."""
    buyer = token("buyer", "buyer-tokyo")
    case_id = scenario.escalate(
        "tokyo",
        "buyer-tokyo",
        "The parcel never arrived.",
        currency="JPY",
        amount_paid=4_800,
        shipping_paid=500,
        amount_requested=4_800,
        reason="not_received",
        delivered_at=None,
    )
    scenario.submit(case_id, SELLER)
    scenario.wait_for_window(case_id, "buyer_rebuttal")
    scenario.submit(case_id, buyer)
    scenario.wait_for_window(case_id, "review")
    return case_id


def counterfeit_claim(scenario: Scenario) -> str:
    """Counterfeit claims always go to a person."""
    buyer = token("buyer", "buyer-watch")
    case_id = scenario.escalate(
        "watch",
        "buyer-watch",
        "The serial number does not exist at the maker.",
        currency="USD",
        amount_paid=8_999,
        shipping_paid=0,
        amount_requested=8_999,
        reason="counterfeit",
    )
    scenario.submit(case_id, SELLER)
    scenario.wait_for_window(case_id, "buyer_rebuttal")
    scenario.submit(case_id, buyer)
    scenario.wait_for_window(case_id, "review")
    return case_id


# -- fulfilment: a storefront (tests/policies/console-returns.json) with a 2 s appeal window and a 20 s refund window


RETURNS_SHOP = "console-returns"


def conceded_refund(scenario: Scenario) -> str:
    """The seller concedes a refund-only request: the refund step opens at once, the storefront's to report."""
    case_id = scenario.escalate("kettle", "buyer-kettle", "The kettle leaks from the base.")
    scenario.ok("POST", f"/v1/disputes/{case_id}/concede", scenario.seller)
    scenario.wait_for_window(case_id, "refund")
    return case_id


def return_on_its_way(scenario: Scenario) -> str:
    """A proven defect the rules rule return-and-refund; nobody appeals; the buyer ships the teapot back."""
    buyer = scenario.buyer("buyer-teapot")
    case_id = scenario.escalate("teapot", "buyer-teapot", "The lid does not fit the teapot.", type="return_and_refund")
    scenario.submit(case_id, scenario.seller)
    scenario.wait_for_window(case_id, "buyer_rebuttal")
    scenario.photo(case_id, buyer, photo_png(96, 64), "the lid sits crooked")
    scenario.submit(case_id, buyer)
    scenario.wait_for_window(case_id, "return_shipment")
    scenario.ok(
        "POST",
        f"/v1/disputes/{case_id}/return-shipment",
        buyer,
        {"carrier": "SF Express", "tracking_number": "SF9876543210"},
    )
    scenario.wait_for_window(case_id, "return_receipt")
    return case_id


def return_received_damaged(scenario: Scenario, case_id: str) -> None:
    """The seller photographs the returned teapot and reports it damaged: the case goes back to a reviewer."""
    scenario.photo(case_id, scenario.seller, photo_png(160, 120), "the spout arrived chipped")
    scenario.ok(
        "POST",
        f"/v1/disputes/{case_id}/return-receipt",
        scenario.seller,
        {"condition": "damaged", "note": "The spout is chipped; it left us whole."},
    )
    scenario.wait_for_window(case_id, "review")
