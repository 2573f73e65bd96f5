"""`Idempotency-Key`: the header's name, its limits and its parsing.

Shared by the request pipeline (`http.route`, which loads Powertools idempotency only
for a request that sends the header), the idempotency store (`idempotency.py`) and the
OpenAPI document; it imports neither of them, so none of them import each other in a circle.
"""

from __future__ import annotations

from chalice.app import Request

from chalicelib.domain.errors import MalformedRequest

IDEMPOTENCY_HEADER = "idempotency-key"
# Every write that is not naturally idempotent takes an `Idempotency-Key`: POSTs, and the PUT that publishes a
# new policy version (a retried publish must not make a second version). The after-sales PUT takes it too.
IDEMPOTENT_METHODS = frozenset({"POST", "PUT"})
MAX_IDEMPOTENCY_KEY_LENGTH = 255
REPLAYED_HEADER = "Idempotent-Replayed"


def idempotency_key(request: Request) -> str | None:
    """The caller's key, if it sent one: 1-255 printable ASCII characters."""
    value: str | None = request.headers.get(IDEMPOTENCY_HEADER)
    if value is None:
        return None
    key = value.strip()
    if not 1 <= len(key) <= MAX_IDEMPOTENCY_KEY_LENGTH or not (key.isascii() and key.isprintable()):
        raise MalformedRequest(f"Idempotency-Key must be 1-{MAX_IDEMPOTENCY_KEY_LENGTH} printable ASCII characters")
    return key
