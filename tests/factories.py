"""Factories for requests, cases and tokens, shared by every test layer."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.domain import lifecycle
from chalicelib.domain.models import Actor, AfterSalesRequest, Dispute, Role, Transition
from chalicelib.domain.policy import Deadlines
from localrun.tokens import mint

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
_ids = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}-{next(_ids)}-{datetime.now(UTC).strftime('%H%M%S%f')}"


def after_sales_body(now: datetime | None = None, **overrides: Any) -> dict[str, Any]:
    """A rejected refund request as a storefront would PUT it."""
    at = now or datetime.now(UTC)
    body: dict[str, Any] = {
        "order_id": unique("order"),
        "buyer_id": "buyer-1",
        "seller_id": "seller-1",
        "amount_paid": 12_900,
        "shipping_paid": 800,
        "currency": "CNY",
        "delivered_at": (at - timedelta(days=2)).isoformat(),
        "type": "refund_only",
        "reason": "quality_defect",
        "amount_requested": 12_900,
        "requested_at": (at - timedelta(days=1)).isoformat(),
        "seller_decision": "rejected",
        "seller_decided_at": (at - timedelta(hours=1)).isoformat(),
        "seller_reason": "the item was used",
    }
    body.update(overrides)
    return body


def request(now: datetime = NOW, **overrides: Any) -> AfterSalesRequest:
    fields = {**after_sales_body(now), "request_id": unique("req"), "storefront_id": "shop-1", "recorded_at": now}
    fields.update(overrides)
    return AfterSalesRequest.model_validate(fields)


def actor(role: Role | str, sub: str, storefront_id: str = "shop-1") -> Actor:
    return Actor(sub=sub, role=Role(role), storefront_id=storefront_id)


BUYER = actor(Role.BUYER, "buyer-1")
SELLER = actor(Role.SELLER, "seller-1")
REVIEWER = actor(Role.REVIEWER, "rev-1")
SENIOR = actor(Role.SENIOR_REVIEWER, "senior-1")


def opened_case(now: datetime = NOW, deadlines: Deadlines | None = None, **overrides: Any) -> Dispute:
    """A freshly escalated case waiting for the seller."""
    transition = lifecycle.open_case(
        request(now, **overrides), BUYER, "it broke", unique("dsp"), "test-policy", deadlines or Deadlines(), now
    )
    return saved(transition)


def saved(transition: Transition) -> Dispute:
    """What the repository would store: the same case, one version later."""
    return transition.case.model_copy(update={"version": transition.case.version + 1})


def bearer(role: str, sub: str, storefront_id: str = "shop-1") -> dict[str, str]:
    return {"Authorization": f"Bearer {mint(role, sub, storefront_id)}", "Content-Type": "application/json"}
