"""The parties' records that closed cases leave and the rules read.

Items (PK / SK):
  LEDGER#seller_penalty#{storefront}#{seller} / AT#{time}#CASE#{id}   a closed case's penalty points
  LEDGER#buyer_outcome#{storefront}#{buyer} / TOTALS                  the buyer's ruled and lost counts
  LEDGER#seller_recovery#{storefront}#{seller} / AT#{time}#CASE#{id}  a refund the platform paid for the seller

A record is written in the transaction that makes its case's decision final (`ledger_write`, used by
the case repository), which is conditional on the case's version: it commits once,
so a case is never counted twice. Penalties are kept one per case, keyed by time, so
the rules read only the live ones; a buyer's record is two counters, so reading it
costs the same however many disputes the buyer had.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from chalicelib.adapters.table import Table, Write, n, s, sortable
from chalicelib.domain.models import LedgerEntry


def _partition(kind: str, storefront_id: str, party_id: str) -> dict[str, str]:
    return s(f"LEDGER#{kind}#{storefront_id}#{party_id}")


def ledger_write(entry: LedgerEntry) -> Write:
    """The transaction element recording a closed case on a party's record."""
    partition = _partition(entry.kind, entry.storefront_id, entry.subject)
    if entry.kind == "buyer_outcome":
        update: dict[str, Any] = {
            "Key": {"PK": partition, "SK": s("TOTALS")},
            "UpdateExpression": "ADD ruled :one, lost :lost",
            "ExpressionAttributeValues": {":one": n(1), ":lost": n(int(entry.lost))},
        }
        return Write({"Update": update})
    item = {
        "PK": partition,
        "SK": s(f"AT#{sortable(entry.at)}#CASE#{entry.case_id}"),
        "points": n(entry.points),
        "recorded_at": s(entry.at.isoformat()),
    }
    if entry.kind == "seller_recovery":
        item |= {"amount": n(entry.amount), "currency": s(entry.currency or "")}
    return Write({"Put": {"Item": item}})


class DynamoLedgerRepository:
    def __init__(self, table: Table) -> None:
        self.table = table

    def seller_points(self, storefront_id: str, seller_id: str, since: datetime) -> int:
        """Live penalty points: those recorded since `since` (older ones expired, and are not read)."""
        items = self.table.query(
            KeyConditionExpression="PK = :pk AND SK >= :since",
            ExpressionAttributeValues={
                ":pk": _partition("seller_penalty", storefront_id, seller_id),
                ":since": s(f"AT#{sortable(since)}"),
            },
            ProjectionExpression="points",
        )
        return sum(int(item["points"]["N"]) for item in items)

    def buyer_record(self, storefront_id: str, buyer_id: str) -> tuple[int, int]:
        """(ruled disputes, of which lost) for a buyer on a storefront."""
        item = self.table.get({"PK": _partition("buyer_outcome", storefront_id, buyer_id), "SK": s("TOTALS")})
        if item is None:
            return 0, 0
        return int(item["ruled"]["N"]), int(item["lost"]["N"])

    def seller_penalties(self, storefront_id: str, seller_id: str) -> list[LedgerEntry]:
        """Every penalty-points record of a seller on a storefront, expired ones too, newest first."""
        return self._seller_entries("seller_penalty", storefront_id, seller_id)

    def seller_recoveries(self, storefront_id: str, seller_id: str) -> list[LedgerEntry]:
        """Refunds the platform made on a seller's behalf (its recovery ledger), newest first."""
        return self._seller_entries("seller_recovery", storefront_id, seller_id)

    def _seller_entries(
        self, kind: Literal["seller_penalty", "seller_recovery"], storefront_id: str, seller_id: str
    ) -> list[LedgerEntry]:
        items = self.table.query(
            KeyConditionExpression="PK = :pk AND begins_with(SK, :at)",
            ExpressionAttributeValues={":pk": _partition(kind, storefront_id, seller_id), ":at": s("AT#")},
            ScanIndexForward=False,
        )
        return [
            LedgerEntry(
                kind=kind,
                storefront_id=storefront_id,
                subject=seller_id,
                case_id=item["SK"]["S"].partition("#CASE#")[2],
                points=int(item["points"]["N"]),
                amount=int(item.get("amount", {"N": "0"})["N"]),
                currency=item["currency"]["S"] if "currency" in item else None,
                at=datetime.fromisoformat(item["recorded_at"]["S"]),
            )
            for item in items
        ]
