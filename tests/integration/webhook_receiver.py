"""A storefront's webhook endpoint on loopback that checks every request with the `standardwebhooks` package.

It can fail the first attempts of each message, or never answer at all, and it
records every request it saw, so tests can ask what a real storefront would have
received.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks import Webhook, WebhookVerificationError

SILENCE_LIMIT_SECONDS = 30


@dataclass(frozen=True)
class Hit:
    """One request as the receiver saw it, and what it answered."""

    headers: dict[str, str]
    body: bytes
    status: int | None  # None: it never answered
    verified_with: tuple[int, ...]  # indexes of `Receiver.secrets` whose signature matched

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]

    @property
    def payload(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.body)
        return loaded

    @property
    def accepted(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class Receiver:
    def __init__(self) -> None:
        self.secrets: list[str] = []
        self.fail_first = 0  # answer 500 to the first N attempts of each webhook-id
        self.silent = False  # accept the connection, never answer
        self.hits: list[Hit] = []
        self._lock = threading.Lock()
        self._seen: Counter[str] = Counter()
        self._stopping = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                receiver._handle(self)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="webhook-receiver", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/hooks/disputes"

    def start(self) -> Receiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def for_case(self, case_id: str) -> list[Hit]:
        with self._lock:
            return [hit for hit in self.hits if hit.payload["data"].get("dispute", {}).get("id") == case_id]

    def for_event(self, webhook_id: str) -> list[Hit]:
        with self._lock:
            return [hit for hit in self.hits if hit.webhook_id == webhook_id]

    def accepted_events(self, case_id: str) -> dict[str, dict[str, Any]]:
        """The distinct events a storefront processed for a case, by webhook-id (it dedupes on that id)."""
        return {hit.webhook_id: hit.payload for hit in self.for_case(case_id) if hit.accepted}

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        body = request.rfile.read(int(request.headers.get("Content-Length") or 0))
        headers = {key.lower(): value for key, value in request.headers.items()}
        verified = tuple(index for index, secret in enumerate(self.secrets) if _verifies(secret, body, headers))
        if self.silent:
            self._record(Hit(headers, body, None, verified))
            self._stopping.wait(SILENCE_LIMIT_SECONDS)
            request.close_connection = True
            return
        with self._lock:
            self._seen[headers.get("webhook-id", "")] += 1
            attempt = self._seen[headers.get("webhook-id", "")]
        status = 401 if not verified else 500 if attempt <= self.fail_first else 204
        self._record(Hit(headers, body, status, verified))
        request.send_response(status)
        request.send_header("Content-Length", "0")
        request.end_headers()

    def _record(self, hit: Hit) -> None:
        with self._lock:
            self.hits.append(hit)


def _verifies(secret: str, body: bytes, headers: dict[str, str]) -> bool:
    try:
        Webhook(secret).verify(body, headers)
    except WebhookVerificationError:
        return False
    return True
