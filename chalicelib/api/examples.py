"""An example request body per body model, shown in the OpenAPI document (a unit test validates each)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from chalicelib.api.schemas import (
    AppealBody,
    DefenceBody,
    DevTokenBody,
    EscalateBody,
    EvidenceBody,
    InfoRequestBody,
    MessageBody,
    OfferBody,
    PolicyBody,
    ReceiptBody,
    ReceiptDecisionBody,
    RefundBody,
    RulingBody,
    ShipmentBody,
    SimulationBody,
    StatementBody,
    SubscribeBody,
    WithdrawBody,
)
from chalicelib.domain.models import AfterSalesFacts

EXAMPLES: dict[type[BaseModel], dict[str, Any]] = {
    AfterSalesFacts: {
        "order_id": "order-1001",
        "buyer_id": "buyer-1",
        "seller_id": "seller-1",
        "amount_paid": 12900,
        "shipping_paid": 800,
        "currency": "CNY",
        "delivered_at": "2026-01-02T10:00:00Z",
        "type": "refund_only",
        "reason": "quality_defect",
        "amount_requested": 12900,
        "requested_at": "2026-01-03T09:00:00Z",
        "seller_decision": "rejected",
        "seller_decided_at": "2026-01-03T18:00:00Z",
        "seller_reason": "the item was used",
    },
    EscalateBody: {"request_id": "req-1001", "statement": "The kettle arrived with a cracked lid."},
    EvidenceBody: {"kind": "photo", "content_type": "image/jpeg", "size": 48213, "description": "The cracked lid"},
    StatementBody: {"text": "The crack was there when I opened the box."},
    DefenceBody: {"grounds": ["item_used"], "statement": "The photos show wear from weeks of use."},
    OfferBody: {"amount": 6000, "note": "Half back, keep the kettle"},
    WithdrawBody: {"reason": "The seller sent a new lid"},
    InfoRequestBody: {"parties": ["buyer"], "message": "Please add a photo of the box the kettle came in."},
    RulingBody: {
        "outcome": "refund_full",
        "liability": "seller",
        "compensation": [{"payer": "seller", "payee": "buyer", "kind": "refund", "amount": 12900, "currency": "CNY"}],
        "notes": "The unboxing photo shows the crack before any use.",
    },
    AppealBody: {"statement": "The ruling ignored the courier's damage report."},
    ShipmentBody: {"carrier": "SF Express", "tracking_number": "SF1234567890"},
    ReceiptBody: {"condition": "received_ok"},
    RefundBody: {"amount": 12900, "currency": "CNY", "reference": "refund-88231"},
    ReceiptDecisionBody: {"owed": 0, "notes": "The return arrived complete."},
    SubscribeBody: {"url": "https://shop.example.com/hooks/disputes", "events": ["dispute.created", "dispute.ruled"]},
    DevTokenBody: {"role": "reviewer", "sub": "dev-reviewer"},
    MessageBody: {
        "text": "Could you send a photo of the parcel label?",
        "audience": "everyone",
        "evidence_ids": [],
    },
    PolicyBody: {
        "document": {
            "deadlines": {"seller_response": "PT48H"},
            "rules": {"high_amount": {"CNY": 300000}, "no_reason_return_days": 7},
        }
    },
    SimulationBody: {
        "document": {"rules": {"high_amount": {"CNY": 300000}}},
        "since": "2026-11-01T00:00:00Z",
        "until": "2026-12-01T00:00:00Z",
        "limit": 50,
    },
}
