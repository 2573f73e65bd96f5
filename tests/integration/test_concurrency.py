"""Concurrent writers on one case: exactly one wins where one should, and the case stays consistent."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from chalicelib.domain.errors import DomainError
from chalicelib.services import disputes, negotiation, workflow_steps
from chalicelib.services.context import Context
from tests.factories import actor
from tests.integration.conftest import Storefront


def race(calls: list[Callable[[], Any]]) -> list[Any]:
    """Start every call at once; each result is the return value or the domain error raised."""

    def run(call: Callable[[], Any]) -> Any:
        try:
            return call()
        except DomainError as error:
            return error

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def outcomes(results: list[Any]) -> Counter[str]:
    return Counter(type(result).__name__ for result in results)


def assert_consistent_history(ctx: Context, case_id: str) -> None:
    """Event keys follow the versions one by one: no lost or doubled transition."""
    case = ctx.repo.get_case(case_id)
    assert case is not None
    versions = sorted({event_key[0] for event_key in _event_keys(ctx, case_id)})
    assert versions == list(range(1, case.version + 1))


def _event_keys(ctx: Context, case_id: str) -> list[tuple[int, int]]:
    items = ctx.repo._db.query(
        TableName=ctx.repo.table,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :e)",
        ExpressionAttributeValues={":pk": {"S": f"CASE#{case_id}"}, ":e": {"S": "EVENT#"}},
        ConsistentRead=True,
    )["Items"]
    keys = [item["SK"]["S"].split("#") for item in items]
    return [(int(version), int(index)) for _, version, index in keys]


def test_twenty_concurrent_submits_by_the_seller_succeed_once(ctx: Context, patient_shop: Storefront) -> None:
    case_id = patient_shop.escalate()["id"]
    seller = actor("seller", "seller-1", patient_shop.id)

    results = race([lambda: disputes.submit(ctx, seller, case_id) for _ in range(20)])

    assert outcomes(results) == Counter({"Dispute": 1, "InvalidState": 19})
    assert [e.action for e in ctx.repo.events(case_id)].count("evidence_submitted") == 1
    assert_consistent_history(ctx, case_id)


def test_two_offers_at_once_leave_exactly_one_open_offer(ctx: Context, patient_shop: Storefront) -> None:
    case_id = patient_shop.escalate()["id"]
    seller = actor("seller", "seller-1", patient_shop.id)

    amounts = (4_000, 5_000, 6_000, 7_000, 8_000, 9_000, 10_000, 11_000)
    results = race([partial(negotiation.make_offer, ctx, seller, case_id, amount, None) for amount in amounts])

    assert outcomes(results) == Counter({"Dispute": 1, "InvalidState": 7})
    stored = ctx.repo.get_case(case_id)
    assert stored is not None and len(stored.offers) == 1
    assert_consistent_history(ctx, case_id)


def test_submit_racing_the_deadline_has_exactly_one_winner(ctx: Context, patient_shop: Storefront) -> None:
    case = patient_shop.escalate()
    seller = actor("seller", "seller-1", patient_shop.id)
    due = datetime.fromisoformat(case["open_window"]["due_at"])
    window_id = case["open_window"]["id"]
    just_before = dataclasses.replace(ctx, clock=lambda: due - timedelta(milliseconds=5))
    just_after = dataclasses.replace(ctx, clock=lambda: due + timedelta(seconds=1))

    results = race(
        [
            lambda: disputes.submit(just_before, seller, case["id"]),
            lambda: workflow_steps.handle_deadline(just_after, case["id"], window_id),
        ]
    )

    history = [e.action for e in ctx.repo.events(case["id"])]
    submitted, missed = history.count("evidence_submitted"), history.count("deadline_missed")
    assert (submitted, missed) in ((1, 0), (0, 1))
    stored = ctx.repo.get_case(case["id"])
    assert stored is not None and stored.status.value == "awaiting_buyer"
    assert stored.missed_deadlines == (("seller_response:seller",) if missed else ())
    assert not isinstance(results[1], DomainError)  # the workflow step never fails on a lost race
    assert_consistent_history(ctx, case["id"])


def test_concede_racing_withdraw_closes_the_case_once(ctx: Context, patient_shop: Storefront) -> None:
    case_id = patient_shop.escalate()["id"]
    buyer = actor("buyer", "buyer-1", patient_shop.id)
    seller = actor("seller", "seller-1", patient_shop.id)

    results = race(
        [lambda: negotiation.concede(ctx, seller, case_id), lambda: negotiation.withdraw(ctx, buyer, case_id, None)]
    )

    assert outcomes(results) == Counter({"Dispute": 1, "InvalidState": 1})
    assert [e.action for e in ctx.repo.events(case_id)].count("closed") == 1
