"""Concurrent writers on one case: exactly one wins where one should, and the case stays consistent."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from chalicelib.adapters.aws import client
from chalicelib.domain.errors import DomainError
from chalicelib.domain.models import ReviewerDecision
from chalicelib.services import disputes, negotiation, review, workflow_steps
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
    """Each version has exactly one timeline item of the write that made it: no lost or doubled transition."""
    case = ctx.cases.get(case_id)
    assert case is not None
    assert _transition_versions(ctx, case_id) == list(range(1, case.version + 1))


def _transition_versions(ctx: Context, case_id: str) -> list[int]:
    """The versions of the case's transition timeline items (`EVENT#{version}`), in key order."""
    items = client("dynamodb").query(
        TableName=ctx.settings.table_name,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :e)",
        ExpressionAttributeValues={":pk": {"S": f"CASE#{case_id}"}, ":e": {"S": "EVENT#"}},
        ConsistentRead=True,
    )["Items"]
    keys = [item["SK"]["S"].split("#") for item in items]
    return [int(key[1]) for key in keys if len(key) == 2]


def test_twenty_concurrent_submits_by_the_seller_succeed_once(ctx: Context, patient_shop: Storefront) -> None:
    case_id = patient_shop.escalate()["id"]
    seller = actor("seller", "seller-1", patient_shop.id)

    results = race([lambda: disputes.submit(ctx, seller, case_id) for _ in range(20)])

    assert outcomes(results) == Counter({"Dispute": 1, "InvalidState": 19})
    assert [e.action for e in ctx.cases.events(case_id)].count("evidence_submitted") == 1
    assert_consistent_history(ctx, case_id)


def test_twenty_offers_at_once_leave_exactly_one_open_offer(ctx: Context, patient_shop: Storefront) -> None:
    case_id = patient_shop.escalate()["id"]
    seller = actor("seller", "seller-1", patient_shop.id)

    amounts = range(500, 10_500, 500)  # twenty offers
    results = race([partial(negotiation.make_offer, ctx, seller, case_id, amount, None) for amount in amounts])

    assert outcomes(results) == Counter({"MadeOffer": 1, "InvalidState": 19})
    stored = ctx.cases.get(case_id)
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

    history = [e.action for e in ctx.cases.events(case["id"])]
    submitted, missed = history.count("evidence_submitted"), history.count("deadline_missed")
    assert (submitted, missed) in ((1, 0), (0, 1))
    stored = ctx.cases.get(case["id"])
    assert stored is not None and stored.status.value == "awaiting_buyer"
    assert stored.missed_deadlines == (("seller_response:seller",) if missed else ())
    assert not isinstance(results[1], DomainError)  # the workflow step never fails on a lost race
    assert_consistent_history(ctx, case["id"])


def test_concede_racing_withdraw_decides_the_case_once(ctx: Context, patient_shop: Storefront) -> None:
    case_id = patient_shop.escalate()["id"]
    buyer = actor("buyer", "buyer-1", patient_shop.id)
    seller = actor("seller", "seller-1", patient_shop.id)

    results = race(
        [lambda: negotiation.concede(ctx, seller, case_id), lambda: negotiation.withdraw(ctx, buyer, case_id, None)]
    )

    # Then one of them decided the case (a concession goes on to its refund, a withdrawal closes it)
    assert outcomes(results) == Counter({"Dispute": 1, "InvalidState": 1})
    history = [e.action for e in ctx.cases.events(case_id)]
    assert history.count("conceded") + history.count("withdrawn") == 1


def test_twenty_concurrent_rulings_rule_once(ctx: Context, patient_shop: Storefront) -> None:
    # Given a case waiting for a reviewer, and twenty reviewers deciding it at the same moment
    case_id = patient_shop.to_review()["id"]
    before = ctx.cases.get(case_id)
    assert before is not None
    reviewers = [actor("reviewer", f"rev-{number}", "platform") for number in range(20)]
    decision = ReviewerDecision(accept_recommendation=True)

    results = race([partial(review.rule, ctx, reviewer, case_id, decision) for reviewer in reviewers])

    # Then exactly one ruling stands; the others were refused with a state conflict (409)
    assert outcomes(results) == Counter({"Dispute": 1, "InvalidState": 19})
    winner = next(result for result in results if not isinstance(result, DomainError))
    history = [e.action for e in ctx.cases.events(case_id)]
    assert history.count("ruled") == 1
    stored = ctx.cases.get(case_id)
    assert stored is not None and stored.ruling == winner.ruling
    assert winner.version == stored.version == before.version + 1  # the winner answers the case as it saved it
    assert_consistent_history(ctx, case_id)


def test_twenty_concurrent_escalations_of_one_request_open_one_case(ctx: Context, patient_shop: Storefront) -> None:
    # Given one rejected request, escalated twenty times at once (by the buyer and by the storefront)
    request_id = patient_shop.record()
    callers = [actor("buyer", "buyer-1", patient_shop.id), actor("storefront", "backend", patient_shop.id)] * 10

    results = race([partial(disputes.escalate, ctx, caller, request_id, "it broke") for caller in callers])

    # Then one case exists; every other escalation is a 409 naming it
    assert outcomes(results) == Counter({"Dispute": 1, "Duplicate": 19})
    case = next(result for result in results if not isinstance(result, DomainError))
    assert {tuple(d["dispute_id"] for d in r.details) for r in results if isinstance(r, DomainError)} == {(case.id,)}
    stored_request = ctx.cases.get_request(patient_shop.id, request_id)
    assert stored_request is not None and stored_request.dispute_id == case.id
    assert [e.action for e in ctx.cases.events(case.id)].count("created") == 1
    assert_consistent_history(ctx, case.id)


def test_ten_concurrent_re_claims_by_the_holder_write_nothing(ctx: Context, patient_shop: Storefront) -> None:
    # Given a case a reviewer already claimed
    case_id = patient_shop.to_review()["id"]
    reviewer = actor("reviewer", "rev-holder", "platform")
    claimed = review.claim(ctx, reviewer, case_id)

    # When the same reviewer claims it ten more times at once
    results = race([partial(review.claim, ctx, reviewer, case_id) for _ in range(10)])

    # Then each answers the case as it is: no new version, no new `claimed` event
    assert outcomes(results) == Counter({"Dispute": 10})
    assert {result.version for result in results} == {claimed.version}
    stored = ctx.cases.get(case_id)
    assert stored is not None and stored.version == claimed.version
    assert [e.action for e in ctx.cases.events(case_id)].count("claimed") == 1
