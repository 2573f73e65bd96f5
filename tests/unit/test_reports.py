"""The dashboard's figures from the cases alone: appeals overturned, SLA breaches, payouts, penalised sellers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from chalicelib.domain.models import (
    Appeal,
    Dispute,
    Fulfilment,
    FulfilmentOutcome,
    Liability,
    Outcome,
    Page,
    Party,
    Penalty,
    PenaltyKind,
    Resolution,
    Ruling,
    Status,
)
from chalicelib.domain.reports import ReportQuery, overview
from chalicelib.services import reports as report_service
from tests.factories import NOW, opened_case


def ruling(outcome: Outcome, by: str = "rev-1", points: int = 0, hours: int = 5) -> Ruling:
    penalties = (Penalty(party=Party.SELLER, kind=PenaltyKind.POINTS, value=points),) if points else ()
    return Ruling(
        outcome=outcome,
        liability=Liability.SELLER,
        penalties=penalties,
        decided_by=by,
        decided_at=NOW - timedelta(days=2) + timedelta(hours=hours),
    )


def closed(**changes: Any) -> Dispute:
    """A case escalated two days before NOW and closed a day later."""
    case = opened_case(NOW - timedelta(days=2))
    defaults = {
        "status": Status.CLOSED,
        "resolution": Resolution.RULED,
        "window": None,
        "updated_at": NOW - timedelta(days=1),
    }
    return case.model_copy(update={**defaults, **changes})


def figures(cases: list[Dispute], queues: dict[str, list[Dispute]] | None = None) -> Any:
    return overview(
        ReportQuery(days=7), cases, queues or {}, now=NOW, bound=100, truncated=False, live_points=lambda sf, s: 9
    )


def test_an_appeal_counts_as_overturned_only_when_the_final_outcome_differs() -> None:
    # Given two appealed cases: one the senior reviewer reversed, one it confirmed
    appeal = Appeal(party=Party.SELLER, statement="no", filed_at=NOW - timedelta(days=1), filed_by="seller-1")
    reversed_case = closed(
        appeal=appeal, superseded_ruling=ruling(Outcome.REFUND_FULL), ruling=ruling(Outcome.CLAIM_DENIED, "senior-1")
    )
    confirmed = closed(
        appeal=appeal, superseded_ruling=ruling(Outcome.REFUND_FULL), ruling=ruling(Outcome.REFUND_FULL, "senior-1")
    )

    report = figures([reversed_case, confirmed])

    assert report.appeals.model_dump() == {"appealed": 2, "overturned": 1, "overturn_rate": 0.5}
    assert report.time_to_ruling.count == 2 and report.time_to_ruling.median_seconds == 5 * 3600  # the first ruling


def test_deciders_sla_breaches_payouts_and_sellers_come_from_the_closed_cases() -> None:
    late = closed(ruling=ruling(Outcome.REFUND_FULL, points=3), senior_queue_since=NOW - timedelta(days=1, hours=6))
    automatic = closed(ruling=ruling(Outcome.REFUND_FULL, by="rules", points=2, hours=1))
    paid = Fulfilment(
        remedy=Outcome.REFUND_FULL, owed=12_900, currency="CNY", outcome=FulfilmentOutcome.PLATFORM_REFUNDED
    )
    refunded_by_platform = closed(ruling=ruling(Outcome.REFUND_FULL, by="rules", hours=2), fulfilment=paid)
    withdrawn = closed(resolution=Resolution.WITHDRAWN)

    report = figures([late, automatic, refunded_by_platform, withdrawn])

    assert report.closed == 4 and report.sla_breaches == 1
    assert {kind.value: n for kind, n in report.decided_by.items()} == {
        "rules": 2,
        "reviewer": 1,
        "parties": 0,
        "none": 1,
    }
    assert report.automatic_share == round(2 / 3, 4)
    assert [(m.amount, m.currency) for m in report.fulfilment.platform_payouts] == [(12_900, "CNY")]
    assert [(s.seller_id, s.points, s.live_points) for s in report.top_sellers] == [("seller-1", 5, 9)]
    assert len(report.by_day) == 8 and sum(day.closed for day in report.by_day) == 4


def test_what_waits_now_counts_the_queues_past_their_deadline() -> None:
    waiting = opened_case(NOW - timedelta(days=1))
    assert waiting.window is not None
    late_window = waiting.window.model_copy(update={"due_at": NOW - timedelta(hours=1)})
    past_due = waiting.model_copy(update={"window": late_window})
    moved = waiting.model_copy(update={"senior_queue_since": NOW - timedelta(hours=2)})

    report = figures([], {"review": [waiting, past_due], "senior": [moved], "fulfilment": [past_due]})

    assert report.now.model_dump() == {
        "review": 2, "senior": 1, "fulfilment": 1, "sla_breached": 2, "fulfilment_overdue": 1,
    }  # fmt: skip


def test_a_listing_is_read_for_a_bounded_number_of_pages_even_when_its_filter_keeps_nothing() -> None:
    # A storefront's closed cases in the one CLOSED partition: every page filtered empty, a cursor always left
    pages: list[str | None] = []

    def empty_page(cursor: str | None) -> Page:
        pages.append(cursor)
        return Page(items=[], cursor=f"after-{len(pages)}")

    cases, truncated = report_service._read(empty_page, report_service.REPORT_BOUND)

    assert cases == [] and truncated
    assert len(pages) == report_service.REPORT_BOUND // report_service.PAGE
