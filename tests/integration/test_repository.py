"""The DynamoDB repository on moto: versions, transactions, append-only events."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain import lifecycle
from chalicelib.domain.errors import Duplicate, VersionConflict
from chalicelib.domain.models import Dispute, LedgerEntry, Party, Status, Transition
from chalicelib.domain.policy import Deadlines
from chalicelib.services.context import Context
from tests.factories import BUYER, NOW, SELLER, request, unique


def new_case(ctx: Context) -> Dispute:
    req = request()
    ctx.cases.put_request(req)
    return ctx.cases.create(lifecycle.open_case(req, BUYER, "broken", unique("dsp"), "v1", Deadlines(), NOW))


def test_created_case_reads_back_with_version_one_and_its_events(ctx: Context) -> None:
    case = new_case(ctx)

    stored = ctx.cases.get(case.id)

    assert stored == case
    assert stored is not None and stored.version == 1
    assert [e.action for e in ctx.cases.events(case.id)] == ["created", "evidence_requested"]
    linked = ctx.cases.get_request(case.storefront_id, case.request_id)
    assert linked is not None and linked.dispute_id == case.id


def test_a_write_from_a_stale_read_is_refused_and_leaves_no_events(ctx: Context) -> None:
    case = new_case(ctx)
    first = lifecycle.submit(case, SELLER, Party.SELLER, Deadlines(), NOW + timedelta(minutes=1))
    assert case.window is not None
    racing = lifecycle.window_timed_out(case, case.window.id, Deadlines(), case.window.due_at)
    assert racing is not None

    winner = ctx.cases.save(first)
    with pytest.raises(VersionConflict):
        ctx.cases.save(racing)

    stored = ctx.cases.get(case.id)
    assert stored == winner
    assert stored is not None and stored.status == Status.AWAITING_BUYER and stored.version == 2
    assert "deadline_missed" not in [e.action for e in ctx.cases.events(case.id)]


def test_the_same_request_cannot_be_linked_to_two_cases(ctx: Context) -> None:
    req = request()
    ctx.cases.put_request(req)
    ctx.cases.create(lifecycle.open_case(req, BUYER, "one", unique("dsp"), "v1", Deadlines(), NOW))
    second = lifecycle.open_case(req, BUYER, "two", unique("dsp"), "v1", Deadlines(), NOW)

    with pytest.raises(Duplicate):
        ctx.cases.create(second)

    assert ctx.cases.get(second.case.id) is None
    assert ctx.cases.events(second.case.id) == []


def test_task_tokens_are_kept_per_window(ctx: Context) -> None:
    ctx.task_tokens.put("dsp-x", "w1-seller_response", "token-1", 2_000_000_000)
    ctx.task_tokens.put("dsp-x", "w2-buyer_rebuttal", "token-2", 2_000_000_000)

    assert ctx.task_tokens.get("dsp-x", "w1-seller_response") == "token-1"
    assert ctx.task_tokens.get("dsp-x", "w2-buyer_rebuttal") == "token-2"
    assert ctx.task_tokens.get("dsp-x", "w3-review") is None


def close_with(ctx: Context, case: Dispute, *entries: LedgerEntry) -> Dispute:
    return ctx.cases.save(Transition(case=case, events=(), ledger=entries))


def test_party_records_count_each_closed_case_once_and_read_only_live_points(ctx: Context) -> None:
    # Given a seller penalised three times (once long ago) and a buyer with three ruled cases, two lost
    shop, seller, buyer = unique("shop"), unique("seller"), unique("buyer")
    ages = (timedelta(days=400), timedelta(days=10), timedelta(days=1))
    for age, points, lost in zip(ages, (7, 3, 2), (True, False, True), strict=True):
        case = new_case(ctx)
        penalty = LedgerEntry(
            kind="seller_penalty", storefront_id=shop, subject=seller, case_id=case.id, points=points, at=NOW - age
        )
        outcome = LedgerEntry(
            kind="buyer_outcome", storefront_id=shop, subject=buyer, case_id=case.id, lost=lost, at=NOW
        )
        closed = close_with(ctx, case, penalty, outcome)

    # When the last case's closing is replayed from its stale read
    with pytest.raises(VersionConflict):
        close_with(ctx, case, outcome)

    # Then the replay counted nothing, expired points are left out, and the history keeps them all
    assert closed.version == 2
    assert ctx.ledgers.buyer_record(shop, buyer) == (3, 2)
    assert ctx.ledgers.buyer_record(shop, unique("buyer")) == (0, 0)
    assert ctx.ledgers.seller_points(shop, seller, since=NOW - timedelta(days=365)) == 5
    assert [entry.points for entry in ctx.ledgers.seller_penalties(shop, seller)] == [2, 3, 7]
