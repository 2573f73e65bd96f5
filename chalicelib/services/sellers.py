"""A seller's record as reviewers read it: the penalty points closed cases left, live or expired."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.access import require_role
from chalicelib.domain.models import Actor, LedgerEntry
from chalicelib.services.context import Context


@dataclass(frozen=True)
class PenaltyHistory:
    storefront_id: str
    seller_id: str
    entries: list[LedgerEntry]  # newest first
    live_since: datetime  # entries recorded before this have expired
    repeat_offender_points: int  # the storefront's threshold for the `repeat_offender` guard

    @property
    def live_points(self) -> int:
        """The same sum the rules read (`LedgerRepository.seller_points`)."""
        return sum(entry.points for entry in self.entries if self.is_live(entry))

    def is_live(self, entry: LedgerEntry) -> bool:
        return entry.at >= self.live_since


def penalty_history(ctx: Context, actor: Actor, storefront_id: str, seller_id: str) -> PenaltyHistory:
    require_role(actor, "view_seller_record")
    rules = ctx.policy(storefront_id).rules
    return PenaltyHistory(
        storefront_id=storefront_id,
        seller_id=seller_id,
        entries=ctx.ledgers.seller_penalties(storefront_id, seller_id),
        live_since=ctx.clock() - rules.penalty_points_expire_after,
        repeat_offender_points=rules.repeat_offender_points,
    )
