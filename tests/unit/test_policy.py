"""Policy documents load, merge and scale, and fail loudly when malformed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.adapters.policy_store import PolicyStore
from chalicelib.domain.policy import (
    MAX_INFO_REQUESTS_CEILING,
    MAX_OFFERS_CEILING,
    PolicyError,
    load_policy,
    merge_policy,
)


def test_bundled_default_policy_has_the_designs_deadlines() -> None:
    policy = PolicyStore().default

    assert policy.deadlines.seller_response == timedelta(hours=72)
    assert policy.deadlines.buyer_rebuttal == timedelta(hours=48)
    assert policy.deadlines.escalation_window == timedelta(days=15)
    assert policy.deadlines.appeal_window == timedelta(hours=72)


def test_bundled_default_policy_bounds_what_a_client_grows_on_a_case() -> None:
    limits = PolicyStore().default.limits

    assert (limits.max_offers, limits.max_info_requests) == (5, 3)


@pytest.mark.parametrize(
    "limits",
    [
        {"max_offers": MAX_OFFERS_CEILING + 1},
        {"max_info_requests": MAX_INFO_REQUESTS_CEILING + 1},
        {"max_offers": 0},
        {"max_comments": 3},
    ],
    ids=["offers above the ceiling", "info requests above the ceiling", "no offers at all", "unknown limit"],
)
def test_a_storefront_cannot_lift_a_case_limit_past_its_ceiling(limits: dict[str, int]) -> None:
    with pytest.raises(PolicyError, match="limits"):
        merge_policy(PolicyStore().default, {"version": "shop-2", "limits": limits})


def test_storefront_override_changes_only_what_it_names() -> None:
    base = PolicyStore().default

    merged = merge_policy(base, {"version": "shop-2", "deadlines": {"seller_response": "PT24H"}})

    assert merged.deadlines.seller_response == timedelta(hours=24)
    assert merged.deadlines.buyer_rebuttal == base.deadlines.buyer_rebuttal


@pytest.mark.parametrize(
    "document",
    [
        "{not json",
        '{"version": ""}',
        '{"version": "x", "deadlines": {"seller_response": "-PT1H"}}',
        '{"version": "x", "surprise": 1}',
    ],
)
def test_malformed_policy_fails_with_a_clear_message(document: str) -> None:
    with pytest.raises(PolicyError, match="invalid policy document"):
        load_policy(document)


def test_deadline_scale_shrinks_every_wait() -> None:
    scaled = PolicyStore().default.deadlines.scaled(0.001)

    assert scaled.seller_response == timedelta(hours=72) * 0.001
    assert scaled.reviewer_sla == timedelta(hours=24) * 0.001
    assert scaled.escalation_window == timedelta(days=15)  # checked against real order times, never waited for
