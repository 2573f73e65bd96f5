"""Policy documents load, merge and scale, and fail loudly when malformed."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from chalicelib.adapters.policy_store import PolicyStore
from chalicelib.domain.errors import InvalidValue
from chalicelib.domain.policy import (
    MAX_INFO_REQUESTS_CEILING,
    MAX_OFFERS_CEILING,
    PENALTY_FINDINGS,
    Deadlines,
    PolicyError,
    draft_policy,
    load_policy,
    merge_policy,
)
from chalicelib.domain.rulings import QUALITY_REASONS


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


# -- drafts an admin publishes (PUT /v1/policies/{storefront_id}) --------------------------------------------------

REPO = Path(__file__).resolve().parents[2]


def problems(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The 422's details for a draft, or [] when it is valid."""
    try:
        draft_policy(PolicyStore().default, document, "v1")
    except InvalidValue as error:
        return list(error.details or [])
    return []


def fields(document: dict[str, Any]) -> set[str]:
    return {problem["field"] for problem in problems(document)}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("PT48H", timedelta(hours=48)),
        ("P3D", timedelta(days=3)),
        ("PT90M", timedelta(minutes=90)),
        ("PT2S", timedelta(seconds=2)),
        ("P1DT12H", timedelta(hours=36)),
    ],
)
def test_a_duration_is_an_iso_8601_string_in_whole_seconds(value: str, expected: timedelta) -> None:
    policy = draft_policy(PolicyStore().default, {"deadlines": {"seller_response": value}}, "v1")

    assert policy.deadlines.seller_response == expected


@pytest.mark.parametrize(
    "value",
    [48, 48.0, True, "48", "48:00:00", "PT0.5S", "P1M", "PT", "pt48h", "2 days", None],
    ids=["seconds", "float", "bool", "digits", "clock", "fraction", "month", "empty", "lowercase", "words", "null"],
)
def test_any_other_duration_is_a_422_naming_its_path(value: Any) -> None:
    assert fields({"deadlines": {"seller_response": value}}) == {"document.deadlines.seller_response"}
    assert fields({"fulfilment": {"refund": value}}) == {"document.fulfilment.refund"}
    assert fields({"rules": {"after_sales_window": value}}) == {"document.rules.after_sales_window"}


def test_durations_already_parsed_pass_as_they_are() -> None:
    deadlines = Deadlines(seller_response=timedelta(hours=1), reminder_before=timedelta(minutes=30))

    assert deadlines.scaled(0.001).seller_response == timedelta(seconds=3.6)
    assert merge_policy(PolicyStore().default, {"version": "x"}).rules.penalty_points_expire_after == timedelta(
        days=365
    )


def test_a_stored_policy_reads_back_as_it_was_written() -> None:
    # pydantic writes 365 days as P1Y and a negative offset as -PT5H30M: both read back
    policy = merge_policy(PolicyStore().default, {"version": "x", "rules": {"local_utc_offset": "-PT5H30M"}})

    assert load_policy(policy.model_dump_json()) == policy


@pytest.mark.parametrize(
    "path",
    sorted(
        [
            *REPO.glob("chalicelib/policies/*.json"),
            *REPO.glob("tests/policies/*.json"),
            *REPO.glob("bench/policies/*.json"),
        ]
    ),
    ids=lambda path: str(path.relative_to(REPO)),
)
def test_every_policy_file_in_the_repository_loads(path: Path) -> None:
    default = PolicyStore().default
    document = json.loads(path.read_text(encoding="utf-8"))

    loaded = merge_policy(default, document)

    # It carries the file's own version and survives being stored and read back
    assert loaded.version == document.get("version", default.version)
    assert load_policy(loaded.model_dump_json()) == loaded


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({"rules": {"high_amount": {"CNY": True}}}, "document.rules.high_amount.CNY"),
        ({"rules": {"high_amount": {"CNY": "300000"}}}, "document.rules.high_amount.CNY"),
        ({"rules": {"high_amount": {"CNY": 3000.5}}}, "document.rules.high_amount.CNY"),
        ({"rules": {"penalty_points": {"counterfeit": False}}}, "document.rules.penalty_points.counterfeit"),
        (
            {"rules": {"counterfeit_compensation_cap": {"default": "1"}}},
            "document.rules.counterfeit_compensation_cap.default",
        ),
        ({"limits": {"max_offers": "7"}}, "document.limits.max_offers"),
        ({"limits": {"max_info_requests": True}}, "document.limits.max_info_requests"),
        ({"rules": {"abusive_buyer_loss_rate": "0.5"}}, "document.rules.abusive_buyer_loss_rate"),
        ({"rules": {"abusive_buyer_loss_rate": True}}, "document.rules.abusive_buyer_loss_rate"),
        ({"rules": {"no_reason_return_days": "7"}}, "document.rules.no_reason_return_days"),
        ({"fulfilment": {"max_return_deduction": "0.5"}}, "document.fulfilment.max_return_deduction"),
        ({"fulfilment": {"missed_refund_points": 2.0}}, "document.fulfilment.missed_refund_points"),
    ],
)
def test_a_number_given_as_a_boolean_or_a_string_is_a_422_naming_its_path(document: dict[str, Any], field: str) -> None:
    assert fields(document) == {field}


def test_numbers_of_the_right_kind_are_taken_as_they_are() -> None:
    document = {
        "rules": {"high_amount": {"CNY": 300_000}, "abusive_buyer_loss_rate": 1, "repeat_offender_points": 20},
        "fulfilment": {"max_return_deduction": 0.25},
    }

    policy = draft_policy(PolicyStore().default, document, "v1")

    assert policy.rules.high_amount["CNY"] == 300_000 and policy.rules.abusive_buyer_loss_rate == 1.0
    assert (policy.rules.repeat_offender_points, policy.fulfilment.max_return_deduction) == (20, 0.25)


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({"rules": {"penalty_points": {"new_kind": 3}}}, "document.rules.penalty_points.new_kind"),
        ({"rules": {"penalty_points": {"Counterfeit": 3}}}, "document.rules.penalty_points.Counterfeit"),
        ({"rules": {"high_amount": {"ZZZ": 5}}}, "document.rules.high_amount.ZZZ"),
        ({"rules": {"high_amount": {"cny": 5}}}, "document.rules.high_amount.cny"),
        (
            {"rules": {"counterfeit_compensation_cap": {"XYZ": 5}}},
            "document.rules.counterfeit_compensation_cap.XYZ",
        ),
        ({"rules": {"high_amount": {"CNY": -5}}}, "document.rules.high_amount.CNY"),
    ],
)
def test_a_table_key_that_names_nothing_the_rules_read_is_a_422_naming_its_path(
    document: dict[str, Any], field: str
) -> None:
    assert fields(document) == {field}
    (problem,) = problems(document)
    assert problem.get("key", "CNY") == field.rsplit(".", 1)[1]  # a key refused is named as the key


def test_tables_take_known_currencies_default_and_the_findings_the_rules_give_points_for() -> None:
    document = {
        "rules": {
            "high_amount": {"USD": 100_000, "default": 150_000},
            "counterfeit_compensation_cap": {"EUR": 1},
            "penalty_points": dict.fromkeys(PENALTY_FINDINGS, 1),
        }
    }

    policy = draft_policy(PolicyStore().default, document, "v1")

    assert (policy.rules.high_amount_for("USD"), policy.rules.high_amount_for("GBP")) == (100_000, 150_000)
    assert all(policy.rules.points_for(finding) == 1 for finding in PENALTY_FINDINGS)


def test_the_penalty_findings_are_exactly_those_the_rules_give_points_for() -> None:
    # rules.py gives points for the seller's default, a counterfeit, and a proven quality reason
    assert set(PENALTY_FINDINGS) == {"seller_default", "counterfeit"} | {reason.value for reason in QUALITY_REASONS}
