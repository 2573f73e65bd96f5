"""The storage contract, held by the DynamoDB adapters on moto and by the in-memory fakes alike:
versions, transactions, append-only events, listings, party records, parked task tokens, evidence guards."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

import pytest

from chalicelib.domain import evidence as evidence_rules
from chalicelib.domain import lifecycle, negotiation, replay, rules, rulings, timers
from chalicelib.domain import messages as message_rules
from chalicelib.domain.errors import (
    Duplicate,
    EvidenceChanged,
    EvidenceLimitReached,
    MessageLimitReached,
    VersionConflict,
)
from chalicelib.domain.evidence_models import (
    MAX_RECORDS_PER_PARTY,
    EvidenceChange,
    EvidenceKind,
    EvidenceStatus,
    EvidenceWrite,
    FileDeclaration,
    RejectionReason,
)
from chalicelib.domain.finding import CaseSearch, ClosedQuery, Decider
from chalicelib.domain.message_models import Audience
from chalicelib.domain.models import ClaimReason, Dispute, LedgerEntry, Party, Status, Transition
from chalicelib.domain.policy import Deadlines, PolicyVersion
from chalicelib.domain.workflow import ParkedWait
from chalicelib.services.context import Context
from tests.factories import BUYER, NOW, SELLER, actor, request, unique
from tests.unit.fakes import Fakes


@pytest.fixture(params=["dynamodb", "memory"])
def ctx(request: pytest.FixtureRequest) -> Context:
    """The same tests against the real adapters (the integration `ctx`) and the fakes."""
    if request.param == "memory":
        return Fakes().ctx
    real: Context = request.getfixturevalue("runtime_context")
    return real


def new_case(ctx: Context, **overrides: Any) -> Dispute:
    req = request(**overrides)
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
    racing = timers.window_timed_out(case, case.window.id, Deadlines(), case.window.due_at)
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


def test_a_wait_parks_its_token_on_the_case_only_while_the_case_waits_on_that_window(ctx: Context) -> None:
    # Given a case waiting on the seller's window
    case = new_case(ctx)
    assert case.window is not None

    # When the wait parks, and a stale wait of another window tries to
    parked = ctx.cases.park(case.id, case.window.id, "token-1")
    stale = ctx.cases.park(case.id, "w0-gone", "token-0")

    # Then the case is read with its window's token, its version unchanged; the stale one is refused
    assert parked and not stale and not ctx.cases.park("dsp-missing", "w1", "token-x")
    stored = ctx.cases.read(case.id)
    assert stored is not None and stored.case == case
    assert stored.parked == ParkedWait(case.window.id, "token-1")


def test_a_write_keeps_the_token_of_an_open_window_and_drops_that_of_an_ended_one(ctx: Context) -> None:
    case = new_case(ctx)
    assert case.window is not None
    ctx.cases.park(case.id, case.window.id, "token-1")
    read = ctx.cases.read(case.id)
    assert read is not None

    # A change that keeps the window keeps its token
    kept = ctx.cases.save(Transition(case=case, events=()), read.parked)
    again = ctx.cases.read(case.id)
    assert again is not None and again.parked == read.parked and again.case.version == kept.version

    # A change that ends the window drops it
    ctx.cases.save(lifecycle.submit(kept, SELLER, Party.SELLER, Deadlines(), NOW + timedelta(minutes=1)), read.parked)
    ended = ctx.cases.read(case.id)
    assert ended is not None and ended.parked is None


def test_a_write_decided_before_the_wait_parked_is_refused(ctx: Context) -> None:
    # Given a submission decided on a read without a parked token
    case = new_case(ctx)
    assert case.window is not None
    read = ctx.cases.read(case.id)
    assert read is not None and read.parked is None
    submitted = lifecycle.submit(case, SELLER, Party.SELLER, Deadlines(), NOW + timedelta(minutes=1))

    # When the wait parks before it is written
    ctx.cases.park(case.id, case.window.id, "token-1")

    # Then the write fails, so the command reads again and finds the token to resume
    with pytest.raises(VersionConflict):
        ctx.cases.save(submitted, read.parked)
    assert ctx.cases.get(case.id) == case


def test_a_correction_keeps_when_the_request_was_first_recorded(ctx: Context) -> None:
    first = request(NOW)
    assert ctx.cases.put_request(first) is None

    corrected = first.model_copy(
        update={"amount_requested": first.amount_requested - 100, "recorded_at": NOW + timedelta(hours=1)}
    )
    assert ctx.cases.put_request(corrected) == first.recorded_at

    stored = ctx.cases.get_request(first.storefront_id, first.request_id)
    assert stored is not None and stored.recorded_at == first.recorded_at
    assert stored.amount_requested == corrected.amount_requested


def test_the_timeline_is_read_with_its_case(ctx: Context) -> None:
    case = new_case(ctx)

    found = ctx.cases.with_events(case.id)

    assert found is not None and found == (case, ctx.cases.events(case.id)) and found[1]
    assert ctx.cases.with_events("dsp-missing") is None


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


def test_listings_page_newest_first_per_owner_and_the_queue_oldest_due_first(ctx: Context) -> None:
    # Given three cases of one buyer and one seller on a storefront, and one of another buyer
    shop, buyer = unique("shop"), unique("buyer")
    mine = [new_case(ctx, storefront_id=shop, buyer_id=buyer, seller_id="s-1") for _ in range(3)]
    other = new_case(ctx, storefront_id=shop, buyer_id=unique("buyer"), seller_id="s-1")

    # When the buyer's cases are read two at a time
    first = ctx.cases.of_buyer(shop, buyer, None, 2, None)
    assert first.cursor is not None
    second = ctx.cases.of_buyer(shop, buyer, None, 2, first.cursor)

    # Then every case of the buyer comes once, and only the buyer's
    assert {case.id for case in first.items + second.items} == {case.id for case in mine}
    assert len(first.items) == 2
    assert other.id in {case.id for case in ctx.cases.of_seller(shop, "s-1", None, 10, None).items}
    assert len(ctx.cases.of_storefront(shop, Status.AWAITING_SELLER, 10, None).items) == 4
    assert {case.id for case in mine} <= set(queued_ids(ctx, "seller_response"))


def queued_ids(ctx: Context, queue: str, max_pages: int = 100) -> list[str]:
    """Every case id in a queue, in its order, reading every page (bounded)."""
    ids: list[str] = []
    cursor = None
    for _ in range(max_pages):
        page = ctx.cases.queue(queue, None, 100, cursor)
        ids.extend(case.id for case in page.items)
        cursor = page.cursor
        if cursor is None:
            return ids
    raise AssertionError(f"the {queue} queue has more than {max_pages} pages")


def pending_photo(case: Dispute, party: Party = Party.SELLER) -> EvidenceChange:
    declared = FileDeclaration(kind=EvidenceKind.PHOTO, content_type="image/jpeg", size=1_000)
    seller = actor("seller", case.seller_id, case.storefront_id)
    pending = evidence_rules.plan_upload(case, seller, party, declared, unique("evd"), NOW)
    return EvidenceChange(case=case, evidence=pending, write=EvidenceWrite.ADD)


def test_evidence_is_accepted_only_while_the_case_is_at_the_version_read(ctx: Context) -> None:
    # Given a case in the seller's window and a photo declared from that version
    case = new_case(ctx)
    added = pending_photo(case)
    ctx.evidence.save(added)

    # When the case moves on and another photo is declared from the old read
    ctx.cases.save(lifecycle.submit(case, SELLER, Party.SELLER, Deadlines(), NOW + timedelta(minutes=1)))
    with pytest.raises(VersionConflict):
        ctx.evidence.save(pending_photo(case))

    # Then only the first is stored; it can be rejected once, and deciding it again is refused
    assert [item.id for item in ctx.evidence.for_case(case.id)] == [added.evidence.id]
    rejected = evidence_rules.reject(added.evidence, RejectionReason.WINDOW_CLOSED, "closed", NOW)
    ctx.evidence.save(EvidenceChange(case=case, evidence=rejected, write=EvidenceWrite.REJECT))
    with pytest.raises(EvidenceChanged):
        ctx.evidence.save(EvidenceChange(case=case, evidence=rejected, write=EvidenceWrite.REJECT))
    stored = ctx.evidence.get(case.id, added.evidence.id)
    assert stored is not None and stored.status == EvidenceStatus.REJECTED
    assert ctx.evidence.verified_for_case(case.id) == []


def test_a_party_cannot_add_more_records_than_its_allowance(ctx: Context) -> None:
    case = new_case(ctx)
    seller = actor("seller", case.seller_id, case.storefront_id)

    def statement(text: str) -> EvidenceChange:
        item = evidence_rules.record_statement(case, seller, Party.SELLER, text, unique("evd"), NOW)
        return EvidenceChange(case=case, evidence=item, write=EvidenceWrite.ADD)

    for number in range(MAX_RECORDS_PER_PARTY):
        ctx.evidence.save(statement(f"statement {number}"))
    with pytest.raises(EvidenceLimitReached):
        ctx.evidence.save(statement("one too many"))

    assert len(ctx.evidence.verified_for_case(case.id)) == MAX_RECORDS_PER_PARTY


def posted(ctx: Context, case: Dispute, audience: Audience, *, author: Any = BUYER, at_minute: int = 1) -> Any:
    """A message decided on the case as stored now, with the count the repository reads."""
    stored, count = ctx.messages.with_case(case.id)
    assert stored is not None
    return message_rules.post(
        stored.case,
        author,
        f"to {audience.value}",
        audience,
        (),
        (),
        message_id=unique("msg"),
        posted=count,
        limit=3,
        now=NOW + timedelta(minutes=at_minute),
    )


def test_messages_are_kept_beside_the_case_capped_and_guarded_on_its_version(ctx: Context) -> None:
    case = new_case(ctx)
    reviewer = actor("reviewer", "rev-1", "platform")

    ctx.messages.save(posted(ctx, case, Audience.EVERYONE, at_minute=1))
    ctx.messages.save(posted(ctx, case, Audience.SELLER, author=reviewer, at_minute=2))
    stale = posted(ctx, case, Audience.PLATFORM, at_minute=3)
    ctx.cases.save(lifecycle.submit(case, SELLER, Party.SELLER, Deadlines(), NOW + timedelta(minutes=4)))

    # A message decided on a version the case left is refused; the case itself never moved for a message
    with pytest.raises(VersionConflict):
        ctx.messages.save(stale)
    assert ctx.messages.with_case(case.id)[1] == 2
    stored = ctx.cases.get(case.id)
    assert stored is not None and stored.version == 2

    # The third fits the cap of 3, the fourth does not
    ctx.messages.save(posted(ctx, stored, Audience.PLATFORM, at_minute=5))
    with pytest.raises(MessageLimitReached):
        ctx.messages.save(dataclasses.replace(posted(ctx, stored, Audience.EVERYONE, at_minute=6), limit=3))

    # Readers get their audiences only, oldest first, in pages
    everything = message_rules.visibility(reviewer, stored)
    seller = message_rules.visibility(SELLER, stored)
    first, cursor = ctx.messages.page(case.id, everything, 2, None)
    rest, _ = ctx.messages.page(case.id, everything, 2, cursor)
    assert [m.text for m in first + rest] == ["to everyone", "to seller", "to platform"]
    assert [m.text for m in ctx.messages.page(case.id, seller, 10, None)[0]] == ["to everyone", "to seller"]
    buyer_reads = message_rules.visibility(BUYER, stored)
    assert [m.text for m in ctx.messages.page(case.id, buyer_reads, 10, None)[0]] == ["to everyone", "to platform"]
    # Each message left its timeline line
    lines = [e for e in ctx.cases.events(case.id) if e.action == "message_posted"]
    assert [e.data["audience"] for e in lines] == ["everyone", "seller", "platform"]


def test_a_closed_case_takes_no_message_even_from_a_decision_made_before_it_closed(ctx: Context) -> None:
    case = new_case(ctx)
    before = posted(ctx, case, Audience.EVERYONE)
    ctx.cases.save(negotiation.withdraw(case, BUYER, None, NOW + timedelta(minutes=2)))

    with pytest.raises(VersionConflict):
        ctx.messages.save(before)
    assert ctx.messages.with_case(case.id)[1] == 0


def _recommended(ctx: Context, storefront_id: str, at: Any) -> Dispute:
    """A case under review, its recommendation and rule inputs recorded at `at` in the same write."""
    case = new_case(ctx, storefront_id=storefront_id)
    reviewing = case.model_copy(update={"status": Status.UNDER_REVIEW, "window": None})
    facts = rules.Facts(reviewing, (), ctx.policy(storefront_id), at)
    inputs = replay.inputs_of(facts)
    recommendation = replay.recommend(inputs, facts.policy)
    applied = rulings.apply_recommendation(reviewing, recommendation, Deadlines(), at)
    return ctx.cases.save(applied.model_copy(update={"records": (replay.record(inputs, recommendation),)}))


def test_recommendation_records_are_written_with_the_case_and_listed_by_storefront_and_time(ctx: Context) -> None:
    shop = unique("rec")
    made = [_recommended(ctx, shop, NOW + timedelta(hours=hour)) for hour in (0, 1, 2)]
    _recommended(ctx, unique("other"), NOW + timedelta(hours=1))

    window = (NOW + timedelta(minutes=30), NOW + timedelta(hours=2))  # half-open: the 2 h record is outside
    first, cursor = ctx.cases.recommendation_records(shop, window, 1, None)
    rest, _ = ctx.cases.recommendation_records(shop, window, 1, cursor) if cursor else ([], None)

    assert [r.case_id for r in first + rest] == [made[1].id]
    record = ctx.cases.recommendation_record(made[0].id)
    assert record is not None and record.recommendation == made[0].recommendation
    assert ctx.cases.recommendation_record(unique("dsp")) is None


def test_a_policy_version_is_stored_once_and_the_latest_is_in_force(ctx: Context) -> None:
    shop = unique("pv")
    versions = [
        PolicyVersion(
            storefront_id=shop,
            number=number,
            created_at=NOW,
            created_by="admin-1",
            document={},
            policy=ctx.policies.default,
        )
        for number in (1, 2)
    ]

    assert [ctx.policies.add(v) for v in versions] == [True, True]
    assert ctx.policies.add(versions[0].model_copy(update={"created_by": "someone else"})) is False
    assert ctx.policies.in_force(shop) == versions[1]
    page, cursor = ctx.policies.history(shop, 1, None)
    assert cursor is not None
    rest, _ = ctx.policies.history(shop, 1, cursor)
    assert [v.number for v in page + rest] == [2, 1]


def test_a_case_is_found_by_order_buyer_and_seller_and_once_closed_in_the_closed_listing(ctx: Context) -> None:
    # Given two cases of one buyer on two storefronts, and one of them withdrawn a minute later
    buyer, order = unique("buyer"), unique("order")
    first = new_case(ctx, storefront_id=unique("shop"), buyer_id=buyer, order_id=order)
    second = new_case(ctx, storefront_id=unique("shop"), buyer_id=buyer, reason="counterfeit")
    withdrawn = ctx.cases.save(negotiation.withdraw(first, BUYER, None, NOW + timedelta(minutes=1)))

    # Then the search finds them by each key, and the closed listing (filtered) holds the withdrawn one only
    assert [case.id for case in ctx.cases.search(CaseSearch(order_id=order)).items] == [first.id]
    assert {case.id for case in ctx.cases.search(CaseSearch(buyer_id=buyer)).items} == {first.id, second.id}
    mine = ClosedQuery(storefront_id=first.storefront_id)
    assert [case.id for case in ctx.cases.closed(mine).items] == [withdrawn.id]
    assert ctx.cases.closed(mine.model_copy(update={"decided_by": Decider.RULES})).items == []
    later = mine.model_copy(update={"closed_from": NOW + timedelta(minutes=2)})
    assert ctx.cases.closed(later).items == []
    counterfeit = ctx.cases.of_storefront(second.storefront_id, None, 10, None, ClaimReason.COUNTERFEIT)
    assert [case.id for case in counterfeit.items] == [second.id]
    assert ctx.cases.of_storefront(second.storefront_id, None, 10, None, ClaimReason.OTHER).items == []


def test_lines_written_beside_the_case_read_in_time_order_whatever_their_kind(ctx: Context) -> None:
    # Given a message, then evidence, then another message, all at the case's first version
    case = new_case(ctx)
    ctx.messages.save(posted(ctx, case, Audience.EVERYONE, at_minute=2))
    photo = pending_photo(case)
    uploaded = lifecycle.event(case, NOW + timedelta(minutes=3), "evidence_added", actor=SELLER)
    ctx.evidence.save(photo.model_copy(update={"events": (uploaded,)}))
    ctx.messages.save(posted(ctx, case, Audience.EVERYONE, at_minute=4))

    # Then the timeline holds them after the escalation's own lines, in the order they happened
    lines = ctx.cases.events(case.id)
    assert [line.action for line in lines[-3:]] == ["message_posted", "evidence_added", "message_posted"]
    assert [line.at for line in lines] == sorted(line.at for line in lines)
