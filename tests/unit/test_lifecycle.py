"""Case transitions: pure functions over models, no AWS."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain import lifecycle, timers
from chalicelib.domain.errors import DeadlinePassed, InvalidState
from chalicelib.domain.models import Party, Resolution, Status, WindowKind
from chalicelib.domain.policy import Deadlines
from chalicelib.domain.workflow import next_step
from tests.factories import BUYER, NOW, SELLER, opened_case, request, saved

DEADLINES = Deadlines()


def test_escalation_opens_the_seller_window_with_default_deadlines() -> None:
    case = opened_case()

    assert case.status == Status.AWAITING_SELLER
    assert case.window is not None
    assert case.window.kind == WindowKind.SELLER_RESPONSE
    assert case.window.due_at == NOW + timedelta(hours=72)
    assert case.window.remind_at == NOW + timedelta(hours=48)
    assert case.deadlines["seller_response"] == NOW + timedelta(hours=72)


def test_escalation_records_created_then_evidence_requested() -> None:
    transition = lifecycle.open_case(request(), BUYER, "broken", "dsp-1", "v1", DEADLINES, NOW)

    actions = [(e.action, e.from_status, e.to_status) for e in transition.events]
    assert actions == [
        ("created", None, Status.ESCALATED),
        ("evidence_requested", Status.ESCALATED, Status.AWAITING_SELLER),
    ]


def test_escalation_after_the_window_is_refused() -> None:
    late = request(requested_at=NOW - timedelta(days=17), seller_decided_at=NOW - timedelta(days=16))

    with pytest.raises(DeadlinePassed):
        lifecycle.open_case(late, BUYER, "late", "dsp-1", "v1", DEADLINES, NOW)


def test_seller_submission_opens_the_buyer_rebuttal_window() -> None:
    case = opened_case()
    later = NOW + timedelta(hours=1)

    after = saved(lifecycle.submit(case, SELLER, Party.SELLER, DEADLINES, later))

    assert after.status == Status.AWAITING_BUYER
    assert after.window is not None and after.window.kind == WindowKind.BUYER_REBUTTAL
    assert after.window.due_at == later + timedelta(hours=48)
    assert after.window.id != case.window.id  # type: ignore[union-attr]


def test_buyer_cannot_submit_in_the_sellers_window() -> None:
    with pytest.raises(InvalidState):
        lifecycle.submit(opened_case(), BUYER, Party.BUYER, DEADLINES, NOW)


def test_submission_after_the_deadline_is_gone() -> None:
    case = opened_case()

    with pytest.raises(DeadlinePassed):
        lifecycle.submit(case, SELLER, Party.SELLER, DEADLINES, NOW + timedelta(hours=72))


def test_first_timer_is_the_reminder_and_keeps_the_window_open() -> None:
    case = opened_case()
    assert case.window is not None

    reminded = timers.window_timed_out(case, case.window.id, DEADLINES, case.window.remind_at)  # type: ignore[arg-type]

    assert reminded is not None
    assert [e.action for e in reminded.events] == ["deadline_approaching"]
    assert reminded.case.status == Status.AWAITING_SELLER
    assert reminded.case.window is not None and reminded.case.window.reminded


def test_seller_silence_past_the_deadline_is_recorded_as_default() -> None:
    case = opened_case()
    assert case.window is not None

    missed = timers.window_timed_out(case, case.window.id, DEADLINES, case.window.due_at)

    assert missed is not None
    assert [e.action for e in missed.events] == ["deadline_missed", "evidence_requested"]
    assert missed.case.missed_deadlines == ("seller_response:seller",)
    assert missed.case.status == Status.AWAITING_BUYER


def test_buyer_deadline_moves_the_case_to_review_for_the_rules() -> None:
    case = saved(lifecycle.submit(opened_case(), SELLER, Party.SELLER, DEADLINES, NOW))
    assert case.window is not None

    missed = timers.window_timed_out(case, case.window.id, DEADLINES, case.window.due_at)

    assert missed is not None
    assert missed.case.status == Status.UNDER_REVIEW
    assert missed.case.window is None
    assert next_step(missed.case, case.window.due_at).next == "rules"


def test_a_stale_or_early_timer_changes_nothing() -> None:
    case = opened_case()
    assert case.window is not None

    assert timers.window_timed_out(case, "w0-some-old-window", DEADLINES, NOW + timedelta(days=9)) is None
    assert timers.window_timed_out(case, case.window.id, DEADLINES, NOW + timedelta(hours=1)) is None


def test_appeal_window_ending_closes_the_case_as_ruled() -> None:
    case = opened_case()
    in_appeal = saved(
        lifecycle.open_window(case, WindowKind.APPEAL, (Party.BUYER, Party.SELLER), DEADLINES, NOW, status=Status.RULED)
    )
    assert in_appeal.window is not None

    closed = timers.window_timed_out(in_appeal, in_appeal.window.id, DEADLINES, in_appeal.window.due_at)

    assert closed is not None
    assert closed.case.status == Status.CLOSED
    assert closed.case.resolution == Resolution.RULED
    assert next_step(closed.case, NOW).next == "closed"


def test_review_sla_breach_moves_the_case_to_the_senior_queue() -> None:
    case = opened_case()
    in_review = saved(lifecycle.open_review(case.model_copy(update={"window": None}), DEADLINES, NOW, reason="t"))
    assert in_review.window is not None

    breached = timers.window_timed_out(in_review, in_review.window.id, DEADLINES, in_review.window.due_at)

    assert breached is not None
    assert breached.case.senior_queue_since == in_review.window.due_at
    assert breached.case.window is not None and breached.case.window.kind == WindowKind.REVIEW
    assert "review_sla_breached" in [e.action for e in breached.events]
