"""When a failed delivery is tried again, when it is given up, and what a repeated queue message may do."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.errors import InvalidState
from chalicelib.domain.webhook_messages import delay_seconds
from chalicelib.domain.webhooks import (
    EARLY_TOLERANCE,
    Attempt,
    Delivery,
    DeliveryStatus,
    EventType,
    RetrySchedule,
    step_for,
)
from tests.factories import NOW

SCHEDULE = RetrySchedule()


def delivery(**changes: object) -> Delivery:
    fields: dict[str, object] = {
        "id": "dlv_1",
        "subscription_id": "wh_1",
        "storefront_id": "shop-1",
        "event_id": "evt_1",
        "event_type": EventType.CREATED,
        "case_id": "dsp_1",
        "sequence": 100,
        "body": "{}",
        "created_at": NOW,
        "updated_at": NOW,
        **changes,
    }
    return Delivery.model_validate(fields)


def failed(number: int) -> Attempt:
    return Attempt(round=1, number=number, at=NOW, status_code=500, latency_ms=3, error="HTTP 500")


def test_backoff_doubles_from_a_minute_caps_at_six_hours_and_spans_a_day() -> None:
    delays = SCHEDULE.delays()

    assert delays[:4] == (timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4), timedelta(minutes=8))
    assert max(delays) == timedelta(hours=6)
    assert sum(delays, timedelta(0)) == timedelta(hours=24)
    assert SCHEDULE.max_attempts == len(delays) + 1 == 13


@given(attempt=st.integers(min_value=1, max_value=12), rand=st.floats(min_value=0, max_value=1))
def test_jitter_keeps_each_delay_within_twenty_percent(attempt: int, rand: float) -> None:
    nominal = SCHEDULE.delays()[attempt - 1]

    delay = SCHEDULE.delay_after(attempt, rand)

    assert delay is not None
    assert nominal * 0.8 <= delay <= nominal * 1.2


def test_after_the_last_attempt_there_is_no_next_one() -> None:
    assert SCHEDULE.delay_after(SCHEDULE.max_attempts, 0.5) is None
    assert SCHEDULE.delay_after(SCHEDULE.max_attempts - 1, 0.5) is not None


def test_scaling_shrinks_every_wait_but_keeps_the_number_of_attempts() -> None:
    fast = SCHEDULE.scaled(1 / 86_400)

    assert fast.max_attempts == SCHEDULE.max_attempts
    assert sum(fast.delays(), timedelta(0)) == timedelta(seconds=1)


def test_queue_delays_round_to_whole_seconds_within_the_early_tolerance_and_sqs_limit() -> None:
    assert delay_seconds(NOW + timedelta(milliseconds=400), NOW) == 0
    assert delay_seconds(NOW + timedelta(seconds=61.4), NOW) == 61
    assert delay_seconds(NOW + timedelta(hours=6), NOW) == 900
    assert delay_seconds(NOW - timedelta(seconds=5), NOW) == 0
    assert timedelta(milliseconds=500) <= EARLY_TOLERANCE


def test_the_next_attempt_message_is_attempted_when_due_and_waits_when_early() -> None:
    pending = delivery()

    assert step_for(pending, 1, 1, NOW, NOW) == "attempt"
    assert step_for(pending, 1, 1, NOW + timedelta(milliseconds=300), NOW) == "attempt"
    assert step_for(pending, 1, 1, NOW + timedelta(minutes=30), NOW) == "wait"


def test_repeated_or_outdated_messages_do_nothing() -> None:
    tried_twice = delivery().recorded(failed(1)).queued(2, NOW).recorded(failed(2)).queued(3, NOW)

    assert step_for(tried_twice, 1, 1, NOW, NOW) == "stale"  # attempt 1 again
    assert step_for(tried_twice, 1, 2, NOW, NOW) == "stale"  # attempt 2 was followed up already
    assert step_for(tried_twice, 1, 3, NOW, NOW) == "attempt"
    assert step_for(tried_twice, 1, 5, NOW, NOW) == "stale"
    assert step_for(tried_twice, 0, 3, NOW, NOW) == "stale"  # a round before a redelivery
    done = tried_twice.ended(DeliveryStatus.DELIVERED, NOW)
    assert step_for(done, 1, 3, NOW, NOW) == "stale"


def test_an_attempt_made_but_never_followed_up_is_followed_up_by_its_repeated_message() -> None:
    crashed = delivery().queued(1, NOW).recorded(failed(1))  # recorded, then the worker died

    assert step_for(crashed, 1, 1, NOW, NOW) == "follow_up"


def test_a_2xx_attempt_delivers_and_the_log_keeps_every_attempt() -> None:
    ok = Attempt(round=1, number=2, at=NOW, status_code=204, latency_ms=12)

    done = delivery().recorded(failed(1)).recorded(ok)

    assert done.status == DeliveryStatus.DELIVERED
    assert [a.status_code for a in done.attempts] == [500, 204]
    assert done.next_attempt_at is None


def test_redelivery_starts_a_new_round_only_once_the_delivery_has_ended() -> None:
    pending = delivery().recorded(failed(1))
    with pytest.raises(InvalidState):
        pending.redelivered(NOW)

    again = pending.ended(DeliveryStatus.FAILED, NOW).redelivered(NOW)

    assert (again.status, again.round, again.round_attempts, again.queued_attempt) == (DeliveryStatus.PENDING, 2, 0, 0)
    assert step_for(again, 2, 1, NOW, NOW) == "attempt"
    assert step_for(again, 1, 2, NOW, NOW) == "stale"
