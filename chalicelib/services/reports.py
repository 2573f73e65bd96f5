"""The reviewers' dashboard: read the period's closed cases and today's queues (bounded), then compute."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import cache

from chalicelib.domain.access import require_role
from chalicelib.domain.finding import ClosedQuery
from chalicelib.domain.models import Actor, Dispute, Page
from chalicelib.domain.reports import Overview, ReportQuery, overview
from chalicelib.services.context import Context

# At most this many cases are read per listing (the closed cases of the period, each queue): 40 pages of
# 100 cases read, whatever their filter keeps; past it the figures cover the most recent ones and say
# `truncated`. docs/SCALING.md.
REPORT_BOUND = 4000
PAGE = 100
QUEUES = ("review", "senior", "fulfilment")


def _read(page: Callable[[str | None], Page], bound: int) -> tuple[list[Dispute], bool]:
    """Follow a listing's cursors for at most `bound // PAGE` pages; True when there was more.

    Pages are counted, not cases: a filtered page (a storefront's closed cases in the one CLOSED partition)
    may hold few cases or none, and counting cases would read the whole partition for a small storefront.
    """
    cases: list[Dispute] = []
    cursor: str | None = None
    for _ in range(bound // PAGE):
        result = page(cursor)
        cases.extend(result.items)
        cursor = result.cursor
        if cursor is None:
            return cases, False
    return cases, True


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

    @cache
    def points_since(storefront_id: str) -> datetime:
        """Read once per storefront: the policy in force decides how long points stay live."""
        return now - ctx.policy(storefront_id).rules.penalty_points_expire_after

    def live_points(storefront_id: str, seller_id: str) -> int:
        return ctx.ledgers.seller_points(storefront_id, seller_id, points_since(storefront_id))

    return overview(query, closed, queues, now=now, bound=REPORT_BOUND, truncated=truncated, live_points=live_points)
