"""Times a client records: in UTC, inside the calendar, and not in the future; escalation never overflows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from chalicelib.adapters.policy_store import PolicyStore
from chalicelib.domain import lifecycle, rules
from chalicelib.domain.errors import DeadlinePassed, InvalidValue
from chalicelib.domain.evidence_models import Tracking
from chalicelib.domain.models import CLOCK_SKEW, AfterSalesFacts, arrived_at
from chalicelib.domain.policy import Deadlines
from tests.factories import BUYER, NOW, after_sales_body, opened_case, request

TIMES = ("delivered_at", "requested_at", "seller_decided_at")
# Valid ISO 8601 with an offset, but the year 10000 and the year 0 once in UTC.
OUTSIDE_THE_CALENDAR = ("9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00")
FIRST_MOMENT = datetime(1, 1, 1, tzinfo=UTC)
LAST_DAY = datetime(9999, 12, 31, tzinfo=UTC)
POLICY = PolicyStore().default


def facts(context: Any = None, **changes: Any) -> AfterSalesFacts:
    return AfterSalesFacts.model_validate(after_sales_body(NOW, **changes), context=context)


def refused_fields(error: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return {".".join(str(part) for part in item["loc"]) for item in error.value.errors()}


@pytest.mark.parametrize("value", OUTSIDE_THE_CALENDAR)
@pytest.mark.parametrize("field", TIMES)
def test_a_time_that_leaves_the_calendar_in_utc_is_a_validation_error_of_its_field(field: str, value: str) -> None:
    with pytest.raises(ValidationError) as refused:
        facts(**{field: value})

    assert refused_fields(refused) == {field}
    assert "out of range" in str(refused.value)


@pytest.mark.parametrize("value", OUTSIDE_THE_CALENDAR)
def test_a_tracking_delivery_time_that_leaves_the_calendar_is_a_validation_error(value: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Tracking.model_validate(
            {"carrier": "UPS", "tracking_number": "1Z999", "status": "delivered", "delivered_at": value}
        )

    assert refused_fields(refused) == {"delivered_at"}


@pytest.mark.parametrize("field", TIMES)
def test_a_recorded_time_beyond_the_clock_skew_is_refused_when_the_request_arrives(field: str) -> None:
    ahead = NOW + CLOCK_SKEW + timedelta(seconds=1)

    with pytest.raises(ValidationError) as refused:
        facts(arrived_at(NOW), **{field: ahead.isoformat()})

    assert refused_fields(refused) == {field}
    assert "future" in str(refused.value)


def test_a_recorded_time_within_the_clock_skew_is_accepted() -> None:
    ahead = (NOW + CLOCK_SKEW).isoformat()

    recorded = facts(arrived_at(NOW), delivered_at=ahead, requested_at=ahead, seller_decided_at=ahead)

    assert recorded.seller_decided_at == NOW + CLOCK_SKEW


def test_a_tracking_delivery_in_the_future_is_refused_when_the_request_arrives() -> None:
    fields = {"carrier": "UPS", "tracking_number": "1Z999", "status": "delivered", "delivered_at": LAST_DAY}

    with pytest.raises(ValidationError, match="future"):
        Tracking.model_validate(fields, context=arrived_at(NOW))


def test_a_stored_record_read_back_without_a_clock_is_not_compared_with_one() -> None:
    stored = facts(seller_decided_at=LAST_DAY.isoformat(), requested_at=LAST_DAY.isoformat())

    assert stored.seller_decided_at == LAST_DAY


def test_a_request_decided_in_the_year_9999_is_refused_at_escalation_not_overflowed() -> None:
    # Given a request stored before future dates were refused
    legacy = request(requested_at=LAST_DAY, seller_decided_at=LAST_DAY)

    with pytest.raises(InvalidValue) as refused:
        lifecycle.open_case(legacy, BUYER, "broken", "dsp-1", "v1", Deadlines(), NOW)

    assert refused.value.details == [{"field": "seller_decided_at"}]


def test_a_request_decided_in_the_year_1_is_outside_the_escalation_window() -> None:
    ancient = request(delivered_at=FIRST_MOMENT, requested_at=FIRST_MOMENT, seller_decided_at=FIRST_MOMENT)

    with pytest.raises(DeadlinePassed) as refused:
        lifecycle.open_case(ancient, BUYER, "late", "dsp-1", "v1", Deadlines(), NOW)

    assert refused.value.details == [{"field": "request_id", "closed_at": "0001-01-16T00:00:00Z"}]


@pytest.mark.parametrize("decided_at", [FIRST_MOMENT, LAST_DAY], ids=["year 1", "year 9999"])
def test_the_rules_judge_the_escalation_window_at_either_end_of_the_calendar(decided_at: datetime) -> None:
    case = opened_case().model_copy(update={"requested_at": decided_at, "seller_decided_at": decided_at})

    recommendation = rules.evaluate(rules.Facts(case=case, evidence=(), policy=POLICY, now=NOW))

    fired = [hit.rule for hit in recommendation.rules_fired]
    assert ("outside_escalation_window" in fired) == (decided_at == FIRST_MOMENT)


def test_a_delivery_in_the_year_1_is_just_long_ago_for_the_rules() -> None:
    case = opened_case(reason="no_reason_return").model_copy(update={"delivered_at": FIRST_MOMENT})

    recommendation = rules.evaluate(rules.Facts(case=case, evidence=(), policy=POLICY, now=NOW))

    # Far outside the 7 days, and far outside the after-sales period: refused, and a person confirms it.
    assert [hit.rule for hit in recommendation.rules_fired] == [
        "no_reason_return_refused",
        "outside_after_sales_period",
    ]
