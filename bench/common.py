"""Small helpers shared by the benchmark scripts: statistics, tokens, request bodies, a webhook receiver."""

from __future__ import annotations

import json
import statistics
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from standardwebhooks import Webhook

from localrun.tokens import mint

ROOT = Path(__file__).resolve().parent.parent
POLICIES = ROOT / "bench" / "policies"
STOREFRONT = "bench"


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def headers(role: str, sub: str, storefront: str = STOREFRONT) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint(role, sub, storefront)}", "Content-Type": "application/json"}


def request_body(
    order: str,
    reason: str = "no_reason_return",
    kind: str = "return_and_refund",
    delivered_days_ago: int = 2,
    buyer: str = "buyer-1",
) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "order_id": order,
        "buyer_id": buyer,
        "seller_id": "seller-1",
        "amount_paid": 12_900,
        "shipping_paid": 800,
        "currency": "CNY",
        "delivered_at": (now - timedelta(days=delivered_days_ago)).isoformat(),
        "type": kind,
        "reason": reason,
        "amount_requested": 12_900,
        "requested_at": (now - timedelta(days=1)).isoformat(),
        "seller_decision": "rejected",
        "seller_decided_at": (now - timedelta(hours=1)).isoformat(),
        "seller_reason": "used",
    }


class WebhookReceiver:
    """A storefront's endpoint on loopback: verifies every signature, remembers every event once."""

    def __init__(self) -> None:
        self.secret = ""
        self.other_secrets: list[str] = []  # endpoints of other storefronts posting here too
        self.events: dict[str, dict[str, Any]] = {}
        self.invalid = 0
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                event = receiver.verified(body, dict(self.headers))
                if event is None:  # a bad signature is counted, never accepted
                    with receiver._lock:
                        receiver.invalid += 1
                    self.send_response(400)
                    self.end_headers()
                    return
                with receiver._lock:
                    receiver.events[self.headers["webhook-id"]] = event
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def verified(self, body: bytes, headers: dict[str, str]) -> dict[str, Any] | None:
        for secret in (self.secret, *self.other_secrets):
            try:
                event: dict[str, Any] = Webhook(secret).verify(body, headers)
            except Exception:
                continue
            return event
        return None

    def for_case(self, case_id: str) -> list[dict[str, Any]]:
        with self._lock:
            return [e for e in self.events.values() if e["data"]["dispute"]["id"] == case_id]

    def stop(self) -> None:
        self.server.shutdown()


def table(rows: list[list[Any]], header: list[str]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def dump(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")
