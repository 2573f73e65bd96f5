"""Use cases of carrying out a remedy: the parties' and the storefront's reports, a reviewer's decision on a
disputed receipt, and the recovery ledger of what the platform paid on a seller's behalf."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain import fulfilment
from chalicelib.domain.access import require_own_storefront, require_role
from chalicelib.domain.models import Actor, Dispute, LedgerEntry, ReceiptCondition, Transition, WindowKind
from chalicelib.services.cases import change
from chalicelib.services.context import Context


def report_shipment(
    ctx: Context,
    actor: Actor,
    case_id: str,
    step: WindowKind,
    carrier: str,
    tracking_number: str,
    expected_version: int | None = None,
) -> Dispute:
    """The buyer's return shipment, or the seller's reshipment."""

    def command(case: Dispute, now: datetime) -> Transition:
        policy, deadlines = (
            ctx.fulfilment(case.storefront_id, case.policy_version),
            ctx.deadlines(case.storefront_id, case.policy_version),
        )
        return fulfilment.report_shipment(case, actor, step, carrier, tracking_number, policy, deadlines, now)

    action = "report_return_shipment" if step == WindowKind.RETURN_SHIPMENT else "report_reshipment"
    return change(ctx, case_id, command, actor=actor, action=action, expected_version=expected_version).case


def report_receipt(
    ctx: Context,
    actor: Actor,
    case_id: str,
    step: WindowKind,
    condition: ReceiptCondition,
    note: str | None,
    expected_version: int | None = None,
) -> Dispute:
    """The seller's receipt of the return, or the buyer's of the reshipment; a bad one with the reporter's evidence."""

    def command(case: Dispute, now: datetime) -> Transition:
        policy, deadlines = (
            ctx.fulfilment(case.storefront_id, case.policy_version),
            ctx.deadlines(case.storefront_id, case.policy_version),
        )
        return fulfilment.report_receipt(
            case, actor, step, condition, note, _evidence_in_step(ctx, actor, case), policy, deadlines, now
        )

    action = "report_return_receipt" if step == WindowKind.RETURN_RECEIPT else "report_reshipment_receipt"
    return change(ctx, case_id, command, actor=actor, action=action, expected_version=expected_version).case


def report_refund(
    ctx: Context,
    actor: Actor,
    case_id: str,
    amount: int,
    currency: str,
    reference: str,
    expected_version: int | None = None,
) -> Dispute:
    def command(case: Dispute, now: datetime) -> Transition:
        return fulfilment.report_refund(case, actor, amount, currency, reference, now)

    return change(ctx, case_id, command, actor=actor, action="report_refund", expected_version=expected_version).case


def decide_receipt(
    ctx: Context, actor: Actor, case_id: str, owed: int, notes: str | None, expected_version: int | None = None
) -> Dispute:
    def command(case: Dispute, now: datetime) -> Transition:
        policy, deadlines = (
            ctx.fulfilment(case.storefront_id, case.policy_version),
            ctx.deadlines(case.storefront_id, case.policy_version),
        )
        return fulfilment.decide_receipt(case, actor, owed, notes, policy, deadlines, now)

    return change(ctx, case_id, command, actor=actor, action="decide_receipt", expected_version=expected_version).case


def _evidence_in_step(ctx: Context, actor: Actor, case: Dispute) -> tuple[str, ...]:
    """The caller's verified files (photos, videos, documents) added while the case waits on the current step."""
    party = case.party_of(actor)
    window = case.window
    if party is None or window is None:
        return ()
    return tuple(
        item.id
        for item in ctx.evidence.verified_for_case(case.id)
        if item.party == party and item.window_id == window.id and item.is_file  # photos and documents
    )


@dataclass(frozen=True)
class RecoveryLedger:
    storefront_id: str
    seller_id: str
    entries: list[LedgerEntry]  # payouts the platform made on the seller's behalf, newest first

    def outstanding(self) -> dict[str, int]:
        """What the seller owes the platform, per currency (nothing is recovered through this service yet)."""
        totals: dict[str, int] = {}
        for entry in self.entries:
            totals[entry.currency or ""] = totals.get(entry.currency or "", 0) + entry.amount
        return totals


def recovery_ledger(ctx: Context, actor: Actor, storefront_id: str, seller_id: str) -> RecoveryLedger:
    """Reviewers read any storefront's; a storefront only its own sellers' (another's is a 404)."""
    require_role(actor, "view_seller_ledger")
    require_own_storefront(actor, storefront_id, f"no ledger for seller {seller_id}")
    return RecoveryLedger(storefront_id, seller_id, ctx.ledgers.seller_recoveries(storefront_id, seller_id))
