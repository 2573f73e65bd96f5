"""Finding a case: a search by order, buyer or seller, and the closed cases browsed with filters.

Pure: the query models the API parses, and what a closed case is filed under (who decided it), which
the repository stores beside the case so that its index can filter on it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import Field, model_validator

from chalicelib.domain.models import (
    RULES_ACTOR,
    ClaimReason,
    Dispute,
    Frozen,
    Identifier,
    IsoTime,
    Outcome,
    Resolution,
)

PAGE = Field(default=25, ge=1, le=100)
CURSOR = Field(default=None, max_length=2048, description="`next_cursor` of the previous page, with the same filters")


class Decider(StrEnum):
    """Who made the decision a closed case ended on."""

    RULES = "rules"  # the rules engine decided it automatically
    REVIEWER = "reviewer"  # a reviewer (or a senior reviewer, on appeal) ruled
    PARTIES = "parties"  # the seller conceded or the buyer accepted an offer
    NONE = "none"  # nobody decided: the buyer withdrew


def decider(case: Dispute) -> Decider:
    if case.ruling is None:
        return Decider.NONE
    if case.ruling.decided_by == RULES_ACTOR:
        return Decider.RULES
    if case.resolution in (Resolution.CONCEDED, Resolution.SETTLED):
        return Decider.PARTIES
    return Decider.REVIEWER


SearchField = Literal["order_id", "buyer_id", "seller_id"]


class CaseSearch(Frozen):
    """Exactly one of order, buyer or seller id, across every storefront, newest case first."""

    order_id: Identifier | None = None
    buyer_id: Identifier | None = None
    seller_id: Identifier | None = None
    limit: int = PAGE
    cursor: str | None = CURSOR

    @model_validator(mode="after")
    def _one_key(self) -> CaseSearch:
        named = [name for name in ("order_id", "buyer_id", "seller_id") if getattr(self, name)]
        if len(named) != 1:
            raise ValueError("name exactly one of order_id, buyer_id or seller_id")
        return self

    @property
    def key(self) -> tuple[SearchField, str]:
        """What to look up: the one field named, and its value."""
        for name in ("order_id", "buyer_id", "seller_id"):
            value = getattr(self, name)
            if value:
                return name, value
        raise AssertionError("validated: one key is named")


class ClosedQuery(Frozen):
    """Closed cases, most recently closed first; every filter narrows the same index partition."""

    reason: ClaimReason | None = None
    outcome: Outcome | None = Field(default=None, description="the final ruling's outcome")
    resolution: Resolution | None = None
    decided_by: Decider | None = None
    reviewer_id: Identifier | None = Field(default=None, description="only cases this reviewer ruled")
    storefront_id: Identifier | None = None
    closed_from: IsoTime | None = Field(default=None, description="closed at or after (ISO 8601)")
    closed_to: IsoTime | None = Field(default=None, description="closed at or before (ISO 8601)")
    limit: int = PAGE
    cursor: str | None = CURSOR

    @model_validator(mode="after")
    def _ordered(self) -> ClosedQuery:
        if self.closed_from and self.closed_to and self.closed_from > self.closed_to:
            raise ValueError("closed_from must not be after closed_to")
        return self

    @property
    def listing(self) -> str:
        """Every filter as one string (all but the page itself): a cursor is bound to it, so it resumes only its
        own listing, whatever filter is added later."""
        return self.model_dump_json(exclude={"limit", "cursor"})

    def matches(self, case: Dispute, closed_at: datetime) -> bool:
        """The same filters the index applies, for the in-memory repository."""
        checks = (
            (self.reason, case.reason),
            (self.outcome, case.ruling.outcome if case.ruling else None),
            (self.resolution, case.resolution),
            (self.decided_by, decider(case)),
            (self.reviewer_id, case.ruling.decided_by if case.ruling else None),
            (self.storefront_id, case.storefront_id),
        )
        if any(wanted is not None and wanted != actual for wanted, actual in checks):
            return False
        if self.closed_from and closed_at < self.closed_from:
            return False
        return not (self.closed_to and closed_at > self.closed_to)
