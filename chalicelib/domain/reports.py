"""The reviewers' dashboard figures, computed from cases (never sampled): pure, given the cases read.

`overview` takes the cases closed in the period and the cases waiting in the queues now, as the service
read them (bounded; `truncated` says when a bound was reached), and answers every figure the dashboard
draws. Money stays in integer minor units per currency.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from pydantic import Field

from chalicelib.domain.finding import Decider, decider
from chalicelib.domain.models import (
    ClaimReason,
    Dispute,
    Frozen,
    FulfilmentOutcome,
    Identifier,
    Outcome,
    Party,
    UtcDateTime,
)

SELLERS_SHOWN = 5
SELLER_CANDIDATES = 20  # sellers whose ledger is read (one query each) to rank them by live points


class ReportQuery(Frozen):
    days: int = Field(default=30, ge=1, le=90, description="the period: this many days up to now")
    storefront_id: Identifier | None = Field(default=None, description="only this storefront's cases")


class QueueNow(Frozen):
    """What waits now."""

    review: int
    senior: int
    fulfilment: int
    sla_breached: int = Field(description="waiting for a reviewer past the review SLA (review and senior queues)")
    fulfilment_overdue: int = Field(description="fulfilment steps past their deadline")


class DayCount(Frozen):
    day: str = Field(description="UTC date, YYYY-MM-DD")
    closed: int
    sla_breaches: int


class Durations(Frozen):
    count: int
    median_seconds: int | None
    p90_seconds: int | None


class ReasonOutcomes(Frozen):
    reason: ClaimReason
    total: int
    outcomes: dict[Outcome, int]


class Appeals(Frozen):
    appealed: int
    overturned: int = Field(description="appeals whose final ruling has another outcome than the first")
    overturn_rate: float | None


class Money(Frozen):
    amount: int
    currency: str


class FulfilmentFigures(Frozen):
    completed: int
    lapsed: int
    platform_refunded: int
    platform_payouts: list[Money] = Field(description="what the platform refunded for sellers, per currency")


class SellerPoints(Frozen):
    storefront_id: str
    seller_id: str
    points: int = Field(description="penalty points from cases closed in the period")
    live_points: int = Field(description="all points still live on the seller's record (what the rules read)")


class Overview(Frozen):
    days: int
    since: UtcDateTime
    until: UtcDateTime
    storefront_id: str | None
    bound: int = Field(description="at most this many cases are read per listing")
    truncated: bool = Field(description="a listing held more than `bound` cases: figures cover the most recent")
    now: QueueNow
    closed: int
    sla_breaches: int = Field(description="cases closed in the period that passed their review SLA")
    by_day: list[DayCount]
    time_to_ruling: Durations = Field(description="escalation to the first ruling, of cases ruled by rules or people")
    decided_by: dict[Decider, int]
    automatic_share: float | None = Field(description="share of ruled cases the rules decided")
    outcomes_by_reason: list[ReasonOutcomes]
    appeals: Appeals
    fulfilment: FulfilmentFigures
    top_sellers: list[SellerPoints]


def _quantile(values: list[int], share: float) -> int | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _queue_now(queues: dict[str, list[Dispute]], now: datetime) -> QueueNow:
    review, senior, fulfilment = (queues.get(name, []) for name in ("review", "senior", "fulfilment"))

    def past_due(case: Dispute) -> bool:
        return case.window is not None and case.window.due_at <= now

    return QueueNow(
        review=len(review),
        senior=len(senior),
        fulfilment=len(fulfilment),
        sla_breached=sum(past_due(case) for case in review)
        + sum(case.senior_queue_since is not None for case in senior),
        fulfilment_overdue=sum(past_due(case) for case in fulfilment),
    )


def _days(closed: Iterable[Dispute], since: datetime, until: datetime) -> list[DayCount]:
    counts: Counter[str] = Counter()
    breaches: Counter[str] = Counter()
    for case in closed:
        closed_on = case.updated_at.date().isoformat()
        counts[closed_on] += 1
        breaches[closed_on] += case.senior_queue_since is not None
    days = []
    day = since.date()
    while day <= until.date():
        key = day.isoformat()
        days.append(DayCount(day=key, closed=counts[key], sla_breaches=breaches[key]))
        day += timedelta(days=1)
    return days


def _time_to_ruling(closed: list[Dispute]) -> Durations:
    seconds = []
    for case in closed:
        first = case.superseded_ruling or case.ruling
        if first is not None and decider(case) in (Decider.RULES, Decider.REVIEWER):
            seconds.append(int((first.decided_at - case.created_at).total_seconds()))
    return Durations(count=len(seconds), median_seconds=_quantile(seconds, 0.5), p90_seconds=_quantile(seconds, 0.9))


def _outcomes(closed: list[Dispute]) -> list[ReasonOutcomes]:
    table: dict[ClaimReason, Counter[Outcome]] = defaultdict(Counter)
    for case in closed:
        if case.ruling is not None:
            table[case.reason][case.ruling.outcome] += 1
    return [
        ReasonOutcomes(reason=reason, total=sum(counts.values()), outcomes=dict(counts))
        for reason, counts in sorted(table.items(), key=lambda row: -sum(row[1].values()))
    ]


def _appeals(closed: list[Dispute]) -> Appeals:
    appealed = [case for case in closed if case.appeal is not None and case.ruling is not None]
    overturned = sum(
        case.superseded_ruling is not None
        and case.ruling is not None
        and case.superseded_ruling.outcome != case.ruling.outcome
        for case in appealed
    )
    return Appeals(
        appealed=len(appealed),
        overturned=overturned,
        overturn_rate=round(overturned / len(appealed), 4) if appealed else None,
    )


def _fulfilment(closed: list[Dispute]) -> FulfilmentFigures:
    outcomes: Counter[FulfilmentOutcome] = Counter()
    payouts: Counter[str] = Counter()
    for case in closed:
        if case.fulfilment is None or case.fulfilment.outcome is None:
            continue
        outcomes[case.fulfilment.outcome] += 1
        if case.fulfilment.outcome == FulfilmentOutcome.PLATFORM_REFUNDED:
            payouts[case.fulfilment.currency] += case.fulfilment.owed
    return FulfilmentFigures(
        completed=outcomes[FulfilmentOutcome.COMPLETED],
        lapsed=outcomes[FulfilmentOutcome.LAPSED],
        platform_refunded=outcomes[FulfilmentOutcome.PLATFORM_REFUNDED],
        platform_payouts=[Money(amount=amount, currency=currency) for currency, amount in sorted(payouts.items())],
    )


def seller_candidates(closed: list[Dispute]) -> list[tuple[str, str, int]]:
    """(storefront, seller, points of the period's rulings) of the sellers whose live points are worth reading:
    the period's sellers, most penalised (then most cases) first, at most SELLER_CANDIDATES of them. Points a
    seller got without a ruling (a refund the platform had to make) show in its live points."""
    points: Counter[tuple[str, str]] = Counter()
    cases: Counter[tuple[str, str]] = Counter()
    for case in closed:
        seller = (case.storefront_id, case.seller_id)
        cases[seller] += 1
        for penalty in case.ruling.penalties if case.ruling else ():
            if penalty.party == Party.SELLER and penalty.kind == "points":
                points[seller] += penalty.value
    ranked = sorted(cases, key=lambda seller: (-points[seller], -cases[seller], seller))[:SELLER_CANDIDATES]
    return [(storefront, seller, points[(storefront, seller)]) for storefront, seller in ranked]


def _top_sellers(candidates: list[tuple[str, str, int]], live_points: Callable[[str, str], int]) -> list[SellerPoints]:
    rows = [
        SellerPoints(storefront_id=sf, seller_id=seller, points=points, live_points=live_points(sf, seller))
        for sf, seller, points in candidates
    ]
    shown = [row for row in rows if row.points or row.live_points]
    return sorted(shown, key=lambda row: (-row.live_points, -row.points, row.seller_id))[:SELLERS_SHOWN]


def overview(
    query: ReportQuery,
    closed: list[Dispute],
    queues: dict[str, list[Dispute]],
    *,
    now: datetime,
    bound: int,
    truncated: bool,
    live_points: Callable[[str, str], int],
) -> Overview:
    since = now - timedelta(days=query.days)
    ruled = Counter(decider(case) for case in closed)
    decided = ruled[Decider.RULES] + ruled[Decider.REVIEWER] + ruled[Decider.PARTIES]
    return Overview(
        days=query.days,
        since=since,
        until=now,
        storefront_id=query.storefront_id,
        bound=bound,
        truncated=truncated,
        now=_queue_now(queues, now),
        closed=len(closed),
        sla_breaches=sum(case.senior_queue_since is not None for case in closed),
        by_day=_days(closed, since, now),
        time_to_ruling=_time_to_ruling(closed),
        decided_by={kind: ruled[kind] for kind in Decider},
        automatic_share=round(ruled[Decider.RULES] / decided, 4) if decided else None,
        outcomes_by_reason=_outcomes(closed),
        appeals=_appeals(closed),
        fulfilment=_fulfilment(closed),
        top_sellers=_top_sellers(seller_candidates(closed), live_points),
    )
