"""Concede, offers and withdraw: the parties end a case themselves."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.api.errors import status_for
from chalicelib.domain import negotiation
from chalicelib.domain.errors import InvalidState, InvalidValue, LimitReached, NotFound
from chalicelib.domain.models import Dispute, OfferStatus, Outcome, Resolution, Status, WindowKind
from chalicelib.domain.money import in_words
from chalicelib.domain.policy import DEFAULT_LIMITS
from tests.factories import BUYER, NOW, SELLER, opened_case, saved

LATER = NOW + timedelta(hours=1)


def test_a_concession_decides_for_the_buyer_as_requested_and_the_refund_is_carried_out() -> None:
    case = opened_case()

    conceded = saved(negotiation.concede(case, SELLER, LATER))

    assert conceded.status == Status.FULFILLING
    assert conceded.resolution == Resolution.CONCEDED
    assert conceded.ruling is not None and conceded.ruling.outcome == Outcome.REFUND_FULL
    assert conceded.ruling.compensation[0].amount == case.amount_requested
    assert conceded.fulfilment is not None and conceded.fulfilment.owed == case.amount_requested
    assert conceded.window is not None and conceded.window.kind == WindowKind.REFUND


def test_accepted_offer_settles_with_the_agreed_amount() -> None:
    offered = saved(negotiation.make_offer(opened_case(), SELLER, "off-1", 5_000, "half back", NOW))

    settled = negotiation.accept_offer(offered, BUYER, "off-1", LATER)

    assert settled.case.status == Status.FULFILLING
    assert settled.case.resolution == Resolution.SETTLED
    assert settled.case.ruling is not None and settled.case.ruling.outcome == Outcome.REFUND_PARTIAL
    assert settled.case.ruling.compensation[0].amount == 5_000
    assert settled.case.offers[0].status == OfferStatus.ACCEPTED
    assert settled.case.fulfilment is not None and settled.case.fulfilment.owed == 5_000
    assert [e.action for e in settled.events] == ["settled", "fulfilment_step_opened"]
    assert settled.case.ruling.rationale[0].reason == "the buyer accepted 50.00 CNY"


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


def after_rejected_offers(rounds: int, **limit: int) -> Dispute:
    """A case whose seller made `rounds` offers, each rejected by the buyer."""
    case = opened_case()
    for number in range(rounds):
        case = saved(negotiation.make_offer(case, SELLER, f"off-{number}", 1_000, "n" * 2_000, NOW, **limit))
        case = saved(negotiation.reject_offer(case, BUYER, f"off-{number}", NOW))
    return case


def test_the_seller_may_make_five_offers_and_the_sixth_is_refused_with_the_limit_named() -> None:
    # Given: five offers made and rejected, the default limit
    case = after_rejected_offers(5)
    assert DEFAULT_LIMITS.max_offers == 5

    # When: the seller makes a sixth
    with pytest.raises(LimitReached) as refused:
        negotiation.make_offer(case, SELLER, "off-6", 1_000, None, LATER)

    # Then: a 409 that names the policy key and its value
    assert status_for(refused.value) == 409
    assert refused.value.code == "invalid_state"
    assert refused.value.details == [{"limit": "limits.max_offers", "max": 5, "made": 5}]
    assert "5 offers" in refused.value.message


def test_a_storefronts_offer_limit_is_the_one_applied() -> None:
    case = after_rejected_offers(2, max_offers=2)

    with pytest.raises(LimitReached):
        negotiation.make_offer(case, SELLER, "off-3", 1_000, None, LATER, max_offers=2)
    assert len(negotiation.make_offer(case, SELLER, "off-3", 1_000, None, LATER, max_offers=3).case.offers) == 3


def test_an_open_offer_is_still_answered_as_open_when_the_limit_is_reached() -> None:
    # The last allowed offer is open: a further one is refused for being the second open offer, as before.
    case = saved(negotiation.make_offer(after_rejected_offers(4), SELLER, "off-5", 1_000, None, NOW))

    with pytest.raises(InvalidState, match="already open"):
        negotiation.make_offer(case, SELLER, "off-6", 1_000, None, LATER)
    assert negotiation.accept_offer(case, BUYER, "off-5", LATER).case.resolution == Resolution.SETTLED


def test_timeline_sentences_name_amounts_in_the_currency_not_in_minor_units() -> None:
    assert in_words(4_300, "CNY") == "43.00 CNY"
    assert in_words(5, "USD") == "0.05 USD"
    assert in_words(500, "JPY") == "500 JPY"
    assert in_words(1_234, "KWD") == "1.234 KWD"
