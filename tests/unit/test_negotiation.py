"""Concede, offers and withdraw: the parties end a case themselves."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain import negotiation
from chalicelib.domain.errors import InvalidState, InvalidValue, NotFound
from chalicelib.domain.models import OfferStatus, Outcome, Resolution, Status
from chalicelib.domain.workflow import next_step
from tests.factories import BUYER, NOW, SELLER, opened_case, saved

LATER = NOW + timedelta(hours=1)


def test_concession_closes_the_case_for_the_buyer_as_requested() -> None:
    case = opened_case()

    conceded = saved(negotiation.concede(case, SELLER, LATER))

    assert conceded.status == Status.CLOSED
    assert conceded.resolution == Resolution.CONCEDED
    assert conceded.ruling is not None and conceded.ruling.outcome == Outcome.REFUND_FULL
    assert conceded.ruling.compensation[0].amount == case.amount_requested
    assert next_step(conceded, LATER).next == "closed"


def test_accepted_offer_settles_with_the_agreed_amount() -> None:
    offered = saved(negotiation.make_offer(opened_case(), SELLER, "off-1", 5_000, "half back", NOW))

    settled = negotiation.accept_offer(offered, BUYER, "off-1", LATER)

    assert settled.case.status == Status.CLOSED
    assert settled.case.resolution == Resolution.SETTLED
    assert settled.case.ruling is not None and settled.case.ruling.outcome == Outcome.REFUND_PARTIAL
    assert settled.case.ruling.compensation[0].amount == 5_000
    assert settled.case.offers[0].status == OfferStatus.ACCEPTED
    assert [e.action for e in settled.events] == ["settled", "closed"]


def test_rejected_offer_lets_the_case_go_on_and_a_new_offer_be_made() -> None:
    offered = saved(negotiation.make_offer(opened_case(), SELLER, "off-1", 5_000, None, NOW))

    rejected = saved(negotiation.reject_offer(offered, BUYER, "off-1", LATER))
    again = negotiation.make_offer(rejected, SELLER, "off-2", 8_000, None, LATER)

    assert rejected.status == Status.AWAITING_SELLER
    assert rejected.window == offered.window
    assert [o.status for o in again.case.offers] == [OfferStatus.REJECTED, OfferStatus.OPEN]


def test_only_one_open_offer_at_a_time() -> None:
    offered = saved(negotiation.make_offer(opened_case(), SELLER, "off-1", 5_000, None, NOW))

    with pytest.raises(InvalidState):
        negotiation.make_offer(offered, SELLER, "off-2", 6_000, None, NOW)


@pytest.mark.parametrize("amount", [0, -5, 12_901])
def test_offer_must_be_positive_and_within_the_request(amount: int) -> None:
    with pytest.raises(InvalidValue):
        negotiation.make_offer(opened_case(), SELLER, "off-1", amount, None, NOW)


def test_answering_an_unknown_or_decided_offer_fails() -> None:
    offered = saved(negotiation.make_offer(opened_case(), SELLER, "off-1", 5_000, None, NOW))
    rejected = saved(negotiation.reject_offer(offered, BUYER, "off-1", LATER))

    with pytest.raises(NotFound):
        negotiation.accept_offer(offered, BUYER, "off-9", LATER)
    with pytest.raises(InvalidState):
        negotiation.accept_offer(rejected, BUYER, "off-1", LATER)


def test_withdrawal_closes_and_lapses_an_open_offer() -> None:
    offered = saved(negotiation.make_offer(opened_case(), SELLER, "off-1", 5_000, None, NOW))

    withdrawn = negotiation.withdraw(offered, BUYER, "sorted it out with the seller", LATER)

    assert withdrawn.case.resolution == Resolution.WITHDRAWN
    assert withdrawn.case.offers[0].status == OfferStatus.LAPSED
    assert [e.action for e in withdrawn.events] == ["withdrawn", "closed"]


def test_nothing_can_be_settled_once_closed() -> None:
    closed = saved(negotiation.withdraw(opened_case(), BUYER, None, NOW))

    with pytest.raises(InvalidState):
        negotiation.concede(closed, SELLER, LATER)
    with pytest.raises(InvalidState):
        negotiation.make_offer(closed, SELLER, "off-1", 100, None, LATER)
    with pytest.raises(InvalidState):
        negotiation.withdraw(closed, BUYER, None, LATER)
