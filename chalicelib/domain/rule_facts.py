"""What the rules read, and the plain questions they ask of it.

`Facts` holds the case, its verified evidence, the parties' records and the policy; the methods
answer the questions every rule needs the same way: on which local date something happened, whether
the item may go back without a reason, which of the seller's grounds count, whether the buyer
answered them. Pure: time comes in as `now`, the calendar offset from the policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from chalicelib.domain.evidence_models import Evidence, EvidenceKind, TrackingStatus
from chalicelib.domain.models import (
    NEVER_NO_REASON_RETURNABLE,
    ClaimReason,
    Dispute,
    Party,
    SellerGround,
)
from chalicelib.domain.policy import Policy

PICTURES = frozenset({EvidenceKind.PHOTO, EvidenceKind.VIDEO})
REBUTTALS = frozenset(
    {
        EvidenceKind.PHOTO,
        EvidenceKind.VIDEO,
        EvidenceKind.DOCUMENT,
        EvidenceKind.INVOICE,
        EvidenceKind.THIRD_PARTY_CERTIFICATE,
        EvidenceKind.TRACKING,
    }
)
NOT_DELIVERED = frozenset({TrackingStatus.LOST, TrackingStatus.RETURNED, TrackingStatus.IN_TRANSIT})
# What shows the item's condition: a seller's ground about the item counts only with one of these, verified.
CONDITION_PROOF = frozenset(
    {EvidenceKind.PHOTO, EvidenceKind.VIDEO, EvidenceKind.DOCUMENT, EvidenceKind.THIRD_PARTY_CERTIFICATE}
)
GROUND_PROOF: dict[SellerGround, frozenset[EvidenceKind]] = {
    SellerGround.ITEM_USED: CONDITION_PROOF,
    SellerGround.INCOMPLETE: CONDITION_PROOF,
    SellerGround.PACKAGING_ONLY: CONDITION_PROOF,
    SellerGround.NO_DEFECT: CONDITION_PROOF,
    # The seller's own records (an invoice, a serial-number document) tell its goods from others.
    SellerGround.NOT_OUR_PRODUCT: CONDITION_PROOF | {EvidenceKind.INVOICE},
}


@dataclass(frozen=True)
class Facts:
    """Everything the rules may read: the case, its verified evidence, and the parties' records."""

    case: Dispute
    evidence: tuple[Evidence, ...]
    policy: Policy
    now: datetime
    seller_points: int = 0
    buyer_disputes: int = 0
    buyer_lost: int = 0

    def has(self, party: Party, kinds: frozenset[EvidenceKind]) -> bool:
        return any(e.party == party and e.kind in kinds for e in self.evidence)

    def tracking(self) -> list[TrackingStatus]:
        return [e.tracking.status for e in self.evidence if e.tracking is not None]

    # -- days -------------------------------------------------------------------------------------

    @property
    def asked_at(self) -> datetime:
        return self.case.requested_at or self.case.created_at

    def local_date(self, moment: datetime) -> date:
        """The storefront's calendar date of a moment (policy `rules.local_utc_offset`)."""
        return (moment + self.policy.rules.local_utc_offset).date()

    def within_no_reason_days(self) -> bool:
        """The N days start the day after delivery: delivered on day D, a request on D + N is in time."""
        delivered = self.case.delivered_at
        if delivered is None:
            return False
        days = self.policy.rules.no_reason_return_days
        return self.local_date(self.asked_at) <= self.local_date(delivered) + timedelta(days=days)

    def outside_after_sales_period(self) -> bool:
        delivered = self.case.delivered_at
        return delivered is not None and self.asked_at - delivered > self.policy.rules.after_sales_window

    # -- the item ---------------------------------------------------------------------------------

    def no_reason_exclusion(self) -> str | None:
        """Why the item may not go back without a reason, or None when it may."""
        item = self.case.item
        if item is not None:
            if item.category in NEVER_NO_REASON_RETURNABLE:
                return f"{item.category.value.replace('_', ' ')} goods are never returnable without a reason"
            if item.disclosed.custom_made:
                return "the item was made to the buyer's order, as the listing said"
            if item.disclosed.flawed:
                return "the flaw was disclosed at sale"
            if item.disclosed.near_expiry:
                return "the near expiry was disclosed at sale"
        eligible = item.no_reason_return_eligible if item and item.no_reason_return_eligible is not None else None
        if eligible is False or (eligible is None and not self.case.no_reason_return_eligible):
            return "the storefront marked the item not returnable without a reason (confirmed by the buyer at sale)"
        return None

    def disclosed_flaw(self) -> str | None:
        item = self.case.item
        if item is None:
            return None
        if item.disclosed.flawed:
            return "flaw"
        return "near expiry" if item.disclosed.near_expiry else None

    # -- the seller's grounds ---------------------------------------------------------------------

    def counted_grounds(self) -> tuple[SellerGround, ...]:
        """The grounds of the seller's defence that verified seller evidence (or the case's dates) supports."""
        defence = self.case.defence
        if defence is None:
            return ()
        return tuple(ground for ground in defence.grounds if self._supported(ground))

    def uncounted_grounds(self) -> tuple[SellerGround, ...]:
        defence = self.case.defence
        counted = self.counted_grounds()
        return tuple(ground for ground in defence.grounds if ground not in counted) if defence else ()

    def _supported(self, ground: SellerGround) -> bool:
        if ground == SellerGround.DELIVERED:
            return TrackingStatus.DELIVERED in self.tracking()
        if ground == SellerGround.OUTSIDE_WINDOW:
            return self._outside_a_window()
        return self.has(Party.SELLER, GROUND_PROOF[ground])

    def _outside_a_window(self) -> bool:
        case = self.case
        if case.created_at - case.seller_decided_at > self.policy.deadlines.escalation_window:
            return True
        if case.reason == ClaimReason.NO_REASON_RETURN and not self.within_no_reason_days():
            return True
        return self.outside_after_sales_period()

    def buyer_answered_seller(self) -> bool:
        """The buyer's rebuttal: verified buyer evidence added after the seller's latest."""
        seller = [e.created_at for e in self.evidence if e.party == Party.SELLER]
        if not seller:
            return False
        latest = max(seller)
        return any(e.party == Party.BUYER and e.created_at > latest for e in self.evidence)
