"""Response bodies of the policy routes (DESIGN section 12), beside `responses.py` and on the same `Answer` base:
the route table names them, the OpenAPI document shows them, and the tests validate every answer against them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import ConfigDict, Field
from pydantic.config import JsonDict

from chalicelib.api.responses import Answer
from chalicelib.domain.models import Liability, Outcome

CREATED_EXAMPLE: JsonDict = {
    "storefront_id": "shop-1",
    "version": 3,
    "policy_version": "v3",
    "created_at": "2026-12-01T09:30:00Z",
    "created_by": "admin-1",
}


class PolicyVersionCreated(Answer):
    """A stored version; cases escalated from now on carry its `policy_version`."""

    model_config = ConfigDict(json_schema_extra={"examples": [CREATED_EXAMPLE]})

    storefront_id: str
    version: int = Field(ge=1)
    policy_version: str = Field(description="What cases and recommendations escalated under it carry")
    created_at: datetime
    created_by: str


class PolicyVersionEntry(Answer):
    version: int
    policy_version: str
    created_at: datetime
    created_by: str


class PolicyInForce(Answer):
    """`version` 0: no version was stored; the shipped default (or the storefront's deployed file) is in force."""

    version: int = Field(ge=0)
    policy_version: str
    created_at: datetime | None
    created_by: str | None
    document: dict[str, Any] = Field(description="The overrides as published (`{}` for the default)")
    policy: dict[str, Any] = Field(description="The whole policy they make on the shipped default")


OVERVIEW_EXAMPLE: JsonDict = {
    "storefront_id": "shop-1",
    "in_force": {
        "version": 2,
        "policy_version": "v2",
        "created_at": "2026-12-01T09:30:00Z",
        "created_by": "admin-1",
        "document": {"deadlines": {"seller_response": "PT48H"}},
        "policy": {"version": "v2", "deadlines": {"seller_response": "P2D"}},
    },
    "history": [
        {"version": 2, "policy_version": "v2", "created_at": "2026-12-01T09:30:00Z", "created_by": "admin-1"},
        {"version": 1, "policy_version": "v1", "created_at": "2026-11-02T08:00:00Z", "created_by": "admin-2"},
    ],
    "cursor": None,
}


class PolicyOverview(Answer):
    """The version in force and the history, newest first, a page at a time."""

    model_config = ConfigDict(json_schema_extra={"examples": [OVERVIEW_EXAMPLE]})

    storefront_id: str
    in_force: PolicyInForce
    history: list[PolicyVersionEntry]
    cursor: str | None


class RecommendedTerms(Answer):
    """A recommendation as a simulation shows it: its decision and terms, no case content."""

    outcome: Outcome
    decision: Literal["auto", "review"]
    liability: Liability
    compensation: int = Field(description="Minor units of `currency` owed to the buyer")
    currency: str
    penalty_points: int
    rules: list[str] = Field(description="The rules that fired, in order")


class SimulatedChange(Answer):
    dispute_id: str
    before: RecommendedTerms
    after: RecommendedTerms


class BeforeAfterRate(Answer):
    before: float | None = Field(description="Share of the cases decided automatically; null without cases")
    after: float | None


class BeforeAfterCount(Answer):
    before: int
    after: int


class CompensationTotal(Answer):
    """What the recommendations owed buyers in one currency (the most frequent one of the page)."""

    before: int
    after: int
    currency: str | None


class CurrencyTotal(Answer):
    currency: str
    cases: int
    before: int
    after: int


SIMULATION_EXAMPLE: JsonDict = {
    "storefront_id": "shop-1",
    "since": "2026-11-01T00:00:00Z",
    "until": "2026-12-01T00:00:00Z",
    "cases": 2,
    "changed": 1,
    "changes": [
        {
            "dispute_id": "dsp_1",
            "before": {
                "outcome": "refund_full",
                "decision": "auto",
                "liability": "seller",
                "compensation": 12900,
                "currency": "CNY",
                "penalty_points": 4,
                "rules": ["quality_claim_proven"],
            },
            "after": {
                "outcome": "refund_full",
                "decision": "review",
                "liability": "seller",
                "compensation": 12900,
                "currency": "CNY",
                "penalty_points": 4,
                "rules": ["quality_claim_proven", "high_amount"],
            },
        }
    ],
    "auto_rate": {"before": 1.0, "after": 0.5},
    "auto_cases": {"before": 2, "after": 1},
    "compensation_total": {"before": 25800, "after": 25800, "currency": "CNY"},
    "compensation_totals": [{"currency": "CNY", "cases": 2, "before": 25800, "after": 25800}],
    "cursor": None,
}


class SimulationResult(Answer):
    """One page of recorded recommendations replayed under a draft; follow `cursor` for the next page (every
    figure is of this page). Nothing is written."""

    model_config = ConfigDict(json_schema_extra={"examples": [SIMULATION_EXAMPLE]})

    storefront_id: str
    since: datetime
    until: datetime
    cases: int
    changed: int
    changes: list[SimulatedChange]
    auto_rate: BeforeAfterRate
    auto_cases: BeforeAfterCount
    compensation_total: CompensationTotal
    compensation_totals: list[CurrencyTotal]
    cursor: str | None


class RecommendationReplay(Answer):
    """A case's recommendation recomputed from its recorded inputs under the policy version it names."""

    dispute_id: str
    policy_version: str
    recorded_at: datetime
    matches: bool = Field(description="The replay gives exactly the recorded recommendation")
    recorded: RecommendedTerms
    replayed: RecommendedTerms
