"""The reviewers' dashboard: read the period's closed cases and today's queues (bounded), then compute."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from chalicelib.domain.access import require_role
from chalicelib.domain.finding import ClosedQuery
from chalicelib.domain.models import Actor, Dispute, Page
from chalicelib.domain.reports import Overview, ReportQuery, overview
from chalicelib.services.context import Context

# At most this many cases are read per listing (the closed cases of the period, each queue): 40 pages of
# 100 cases; past it the figures cover the most recent ones and say `truncated`. docs/SCALING.md.
REPORT_BOUND = 4000
PAGE = 100
QUEUES = ("review", "senior", "fulfilment")


def _read(page: Callable[[str | None], Page], bound: int) -> tuple[list[Dispute], bool]:
    """Follow a listing's cursors up to `bound` cases; True when there was more."""
    cases: list[Dispute] = []
    cursor: str | None = None
    while len(cases) < bound:
        result = page(cursor)
        cases.extend(result.items)
        cursor = result.cursor
        if cursor is None:
            return cases[:bound], len(cases) > bound
    return cases[:bound], True


def _queue_pages(ctx: Context, name: str) -> Callable[[str | None], Page]:
    return lambda cursor: ctx.cases.queue(name, None, PAGE, cursor)


def report_overview(ctx: Context, actor: Actor, query: ReportQuery) -> Overview:
    require_role(actor, "view_reports")
    now = ctx.clock()
    closed_query = ClosedQuery(storefront_id=query.storefront_id, closed_from=now - timedelta(days=query.days))

    def closed_page(cursor: str | None) -> Page:
        return ctx.cases.closed(closed_query.model_copy(update={"limit": PAGE, "cursor": cursor}))

    closed, truncated = _read(closed_page, REPORT_BOUND)
    queues: dict[str, list[Dispute]] = {}
    for name in QUEUES:
        waiting, more = _read(_queue_pages(ctx, name), REPORT_BOUND)
        queues[name] = [case for case in waiting if query.storefront_id in (None, case.storefront_id)]
        truncated = truncated or more

    def live_points(storefront_id: str, seller_id: str) -> int:
        since = now - ctx.policy(storefront_id).rules.penalty_points_expire_after
        return ctx.ledgers.seller_points(storefront_id, seller_id, since)

    return overview(query, closed, queues, now=now, bound=REPORT_BOUND, truncated=truncated, live_points=live_points)
