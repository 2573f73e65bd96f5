"""Carrying out a final decision, step by step, and what the platform does when a step's window passes."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from chalicelib.domain import fulfilment, lifecycle, negotiation, rulings, timers
from chalicelib.domain.errors import DeadlinePassed, InvalidState, InvalidValue
from chalicelib.domain.models import (
    RETURN_OUTCOMES,
    CompensationKind,
    CompensationLine,
    Dispute,
    FulfilmentOutcome,
    Liability,
    Outcome,
    Payee,
    ReceiptCondition,
    Resolution,
    ReviewerDecision,
    Status,
    StepParty,
    Transition,
    WindowKind,
    iso,
)
from chalicelib.domain.policy import Deadlines, FulfilmentPolicy
from tests.factories import BUYER, NOW, REVIEWER, SELLER, actor, opened_case, saved

D = Deadlines()
P = FulfilmentPolicy()
STOREFRONT = actor("storefront", "shop-backend")
PRICE, SHIPPING = 12_900, 800


def line(kind: CompensationKind, amount: int) -> CompensationLine:
    return CompensationLine(payer=Payee.SELLER, payee=Payee.BUYER, kind=kind, amount=amount, currency="CNY")


def decided(outcome: Outcome, *lines: CompensationLine) -> Dispute:
    """A case whose final decision is `outcome` with `lines`, made final (the appeal window ended)."""
    case = opened_case(amount_paid=PRICE, shipping_paid=SHIPPING)
    in_review = saved(lifecycle.open_review(case.model_copy(update={"window": None}), D, NOW, reason="test"))
    liability = Liability.BUYER if outcome == Outcome.CLAIM_DENIED else Liability.SELLER
    payer = Payee.SELLER if outcome in RETURN_OUTCOMES else None
    decision = ReviewerDecision(outcome=outcome, liability=liability, return_shipping_payer=payer, compensation=lines)
    ruled = saved(rulings.issue_ruling(in_review, REVIEWER, decision, D, NOW))
    assert ruled.window is not None
    return saved(timers.window_timed_out(ruled, ruled.window.id, D, ruled.window.due_at, policy=P) or _never())


def _never() -> Transition:
    raise AssertionError("the appeal window's end must make the ruling final")


def at(case: Dispute, fraction: float = 0.5) -> datetime:
    """A moment inside the window the case waits on."""
    assert case.window is not None
    return case.window.opened_at + (case.window.due_at - case.window.opened_at) * fraction


def missed(case: Dispute) -> Transition:
    assert case.window is not None
    passed = timers.window_timed_out(case, case.window.id, D, case.window.due_at, policy=P)
    assert passed is not None
    return passed


def actions(transition: Transition) -> list[str]:
    return [event.action for event in transition.events]


def return_and_refund() -> Dispute:
    return decided(
        Outcome.RETURN_AND_REFUND,
        line(CompensationKind.REFUND, PRICE),
        line(CompensationKind.RETURN_SHIPPING, SHIPPING),
    )


def test_a_return_and_refund_moves_the_goods_then_the_money_and_then_closes() -> None:
    # Given a final return-and-refund ruling
    case = return_and_refund()
    assert case.status == Status.FULFILLING and case.resolution == Resolution.RULED
    assert case.fulfilment is not None and case.fulfilment.owed == PRICE + SHIPPING
    assert case.window is not None and case.window.kind == WindowKind.RETURN_SHIPMENT
    assert case.window.due_at - case.window.opened_at == P.return_shipment and case.window.remind_at is not None

    # When the buyer ships the return, the seller receives it in good order and the storefront refunds
    shipped = saved(fulfilment.report_shipment(case, BUYER, WindowKind.RETURN_SHIPMENT, "SF", "SF123", P, D, at(case)))
    assert shipped.window is not None and shipped.window.kind == WindowKind.RETURN_RECEIPT
    received = saved(
        fulfilment.report_receipt(
            shipped, SELLER, WindowKind.RETURN_RECEIPT, ReceiptCondition.RECEIVED_OK, None, (), P, D, at(shipped)
        )
    )
    assert received.window is not None and received.window.kind == WindowKind.REFUND
    refunded = fulfilment.report_refund(received, STOREFRONT, PRICE + SHIPPING, "CNY", "rf-1", at(received))

    # Then the case is fulfilled and closed, every step recorded with who did it
    closed = refunded.case
    assert closed.status == Status.CLOSED and closed.fulfilment is not None
    assert closed.fulfilment.outcome == FulfilmentOutcome.COMPLETED
    assert [(s.step, s.party, s.by) for s in closed.fulfilment.steps] == [
        (WindowKind.RETURN_SHIPMENT, StepParty.BUYER, BUYER.sub),
        (WindowKind.RETURN_RECEIPT, StepParty.SELLER, SELLER.sub),
        (WindowKind.REFUND, StepParty.STOREFRONT, STOREFRONT.sub),
    ]
    assert actions(refunded) == ["fulfilment_step_completed", "fulfilled", "closed"]


def test_a_refund_that_does_not_match_what_is_owed_is_refused_with_the_expected_figure() -> None:
    case = decided(Outcome.REFUND_FULL, line(CompensationKind.REFUND, PRICE))
    assert case.window is not None and case.window.kind == WindowKind.REFUND

    with pytest.raises(InvalidValue) as refused:
        fulfilment.report_refund(case, STOREFRONT, PRICE - 1, "CNY", "rf-1", at(case))
    with pytest.raises(InvalidValue):
        fulfilment.report_refund(case, STOREFRONT, PRICE, "USD", "rf-1", at(case))

    assert refused.value.details == [{"field": "amount", "expected": {"amount": PRICE, "currency": "CNY"}}]


def test_a_decision_that_owes_nothing_closes_at_once() -> None:
    case = decided(Outcome.CLAIM_DENIED)

    assert case.status == Status.CLOSED and case.fulfilment is not None
    assert case.fulfilment.outcome == FulfilmentOutcome.NOT_REQUIRED and case.fulfilment.steps == ()


def test_a_return_never_shipped_lapses_the_remedy() -> None:
    passed = missed(return_and_refund())

    assert passed.case.status == Status.CLOSED and passed.case.fulfilment is not None
    assert passed.case.fulfilment.outcome == FulfilmentOutcome.LAPSED
    assert actions(passed) == ["fulfilment_overdue", "fulfilment_step_completed", "closed"]


def test_a_return_the_seller_never_confirms_is_deemed_received_in_good_order() -> None:
    case = return_and_refund()
    shipped = saved(fulfilment.report_shipment(case, BUYER, WindowKind.RETURN_SHIPMENT, "SF", "SF123", P, D, at(case)))

    passed = missed(shipped)

    assert passed.case.window is not None and passed.case.window.kind == WindowKind.REFUND
    assert passed.case.fulfilment is not None
    assert passed.case.fulfilment.steps[1].details == {"condition": "received_ok", "deemed": True, "overdue": True}


def test_a_refund_never_reported_is_paid_by_the_platform_and_recovered_from_the_seller() -> None:
    case = decided(Outcome.REFUND_FULL, line(CompensationKind.REFUND, PRICE))

    passed = missed(case)

    assert passed.case.status == Status.CLOSED and passed.case.fulfilment is not None
    assert passed.case.fulfilment.outcome == FulfilmentOutcome.PLATFORM_REFUNDED
    assert actions(passed) == [
        "fulfilment_overdue",
        "fulfilment_step_completed",
        "platform_refunded",
        "fulfilled",
        "closed",
    ]
    recovery, points = passed.ledger
    assert (recovery.kind, recovery.subject, recovery.amount, recovery.currency) == (
        "seller_recovery",
        case.seller_id,
        PRICE,
        "CNY",
    )
    assert (points.kind, points.points) == ("seller_penalty", P.missed_refund_points)


def test_an_exchange_the_seller_never_reships_becomes_a_refund_of_the_item_price() -> None:
    case = decided(Outcome.EXCHANGE)
    shipped = saved(fulfilment.report_shipment(case, BUYER, WindowKind.RETURN_SHIPMENT, "SF", "SF123", P, D, at(case)))
    received = saved(
        fulfilment.report_receipt(
            shipped, SELLER, WindowKind.RETURN_RECEIPT, ReceiptCondition.RECEIVED_OK, None, (), P, D, at(shipped)
        )
    )
    assert received.window is not None and received.window.kind == WindowKind.RESHIPMENT
    assert received.window.due_at - received.window.opened_at == P.exchange_reshipment

    passed = saved(missed(received))

    assert passed.window is not None and passed.window.kind == WindowKind.REFUND
    assert passed.fulfilment is not None and passed.fulfilment.owed == PRICE


def test_a_damaged_return_needs_the_sellers_evidence_and_goes_back_to_a_reviewer() -> None:
    # Given a return the seller has in hand
    case = return_and_refund()
    shipped = saved(fulfilment.report_shipment(case, BUYER, WindowKind.RETURN_SHIPMENT, "SF", "SF123", P, D, at(case)))

    def report(*evidence: str) -> Transition:
        damaged = ReceiptCondition.DAMAGED
        return fulfilment.report_receipt(
            shipped, SELLER, WindowKind.RETURN_RECEIPT, damaged, "cracked", evidence, P, D, at(shipped)
        )

    # When it is reported damaged without, then with, a photo
    with pytest.raises(InvalidValue):
        report()
    disputed = saved(report("evd-1"))

    # Then a reviewer decides what is owed, within the policy's deduction, and the refund follows
    assert disputed.status == Status.UNDER_REVIEW and disputed.window is not None
    assert disputed.window.kind == WindowKind.REVIEW
    owed = PRICE + SHIPPING
    least = owed - int(owed * P.max_return_deduction)
    assert disputed.fulfilment is not None and disputed.fulfilment.receipt_review is not None
    assert (disputed.fulfilment.receipt_review["full"], disputed.fulfilment.receipt_review["least"]) == (owed, least)
    later = at(disputed)
    with pytest.raises(InvalidValue):
        fulfilment.decide_receipt(disputed, REVIEWER, least - 1, None, P, D, later)
    with pytest.raises(InvalidState):
        rulings.issue_ruling(disputed, REVIEWER, ReviewerDecision(accept_recommendation=True), D, later)
    reduced = saved(
        fulfilment.decide_receipt(disputed, REVIEWER, least, "a third of the glaze is chipped", P, D, later)
    )
    assert reduced.status == Status.FULFILLING and reduced.window is not None
    assert reduced.window.kind == WindowKind.REFUND and reduced.fulfilment is not None
    assert reduced.fulfilment.owed == least
    assert reduced.fulfilment.steps[1].details["decision"] == {
        "owed": least,
        "of": owed,
        "by": REVIEWER.sub,
        "at": iso(later),
    }
    nothing = fulfilment.decide_receipt(disputed, REVIEWER, 0, "the buyer broke it", P, D, later)
    assert nothing.case.status == Status.CLOSED


def test_acting_out_of_turn_is_409_and_after_the_deadline_410() -> None:
    case = return_and_refund()

    with pytest.raises(InvalidState):
        fulfilment.report_shipment(case, SELLER, WindowKind.RETURN_SHIPMENT, "SF", "SF123", P, D, at(case))
    with pytest.raises(InvalidState):
        fulfilment.report_refund(case, STOREFRONT, PRICE, "CNY", "rf-1", at(case))
    assert case.window is not None
    with pytest.raises(DeadlinePassed):
        fulfilment.report_shipment(case, BUYER, WindowKind.RETURN_SHIPMENT, "SF", "SF1", P, D, case.window.due_at)
    lapsed = saved(missed(case))
    with pytest.raises(DeadlinePassed):
        fulfilment.report_shipment(
            lapsed, BUYER, WindowKind.RETURN_SHIPMENT, "SF", "SF1", P, D, case.window.due_at + timedelta(1)
        )


def test_every_fulfilment_step_sends_a_reminder_before_its_deadline() -> None:
    case = decided(Outcome.REFUND_FULL, line(CompensationKind.REFUND, PRICE))
    assert case.window is not None and case.window.remind_at is not None

    reminded = timers.window_timed_out(case, case.window.id, D, case.window.remind_at, policy=P)

    assert reminded is not None and actions(reminded) == ["deadline_approaching"]


def test_a_disputed_receipt_back_in_review_cannot_be_conceded_settled_or_withdrawn() -> None:
    # Given a final decision whose return the seller reported damaged, waiting for a reviewer
    case = return_and_refund()
    shipped = saved(fulfilment.report_shipment(case, BUYER, WindowKind.RETURN_SHIPMENT, "SF", "SF123", P, D, at(case)))
    damaged = ReceiptCondition.DAMAGED
    disputed = saved(
        fulfilment.report_receipt(shipped, SELLER, WindowKind.RETURN_RECEIPT, damaged, None, ("e",), P, D, at(shipped))
    )
    assert disputed.status == Status.UNDER_REVIEW

    # Then the parties can no longer end it themselves: the decision is final
    with pytest.raises(InvalidState):
        negotiation.concede(disputed, SELLER, at(disputed))
    with pytest.raises(InvalidState):
        negotiation.withdraw(disputed, BUYER, None, at(disputed))
    with pytest.raises(InvalidState):
        negotiation.make_offer(disputed, SELLER, "off-1", 100, None, at(disputed))


def test_a_refund_the_carrier_owes_is_not_recovered_from_the_seller_when_the_platform_pays_it() -> None:
    # Given a final refund the carrier owes (a lost parcel), which the storefront never reports
    carrier_pays = CompensationLine(
        payer=Payee.CARRIER, payee=Payee.BUYER, kind=CompensationKind.REFUND, amount=PRICE, currency="CNY"
    )
    case = decided(Outcome.REFUND_FULL, carrier_pays)

    # When its window passes, the platform refunds the buyer
    passed = missed(case)

    # Then nothing lands on the seller's recovery ledger, and no penalty either
    assert passed.case.fulfilment is not None
    assert passed.case.fulfilment.outcome == FulfilmentOutcome.PLATFORM_REFUNDED
    assert passed.ledger == ()


def test_an_exchange_that_also_owes_money_refunds_it_after_the_reshipment_is_received() -> None:
    # Given an exchange whose ruling also pays the buyer's return postage
    case = decided(Outcome.EXCHANGE, line(CompensationKind.RETURN_SHIPPING, SHIPPING))
    assert case.fulfilment is not None
    assert case.fulfilment.plan == (
        WindowKind.RETURN_RECEIPT,
        WindowKind.RESHIPMENT,
        WindowKind.RESHIPMENT_RECEIPT,
        WindowKind.REFUND,
    )

    # When every parcel moves and the buyer confirms the replacement
    ok = ReceiptCondition.RECEIVED_OK
    step = saved(fulfilment.report_shipment(case, BUYER, WindowKind.RETURN_SHIPMENT, "SF", "SF1", P, D, at(case)))
    step = saved(fulfilment.report_receipt(step, SELLER, WindowKind.RETURN_RECEIPT, ok, None, (), P, D, at(step)))
    step = saved(fulfilment.report_shipment(step, SELLER, WindowKind.RESHIPMENT, "SF", "SF2", P, D, at(step)))
    step = saved(fulfilment.report_receipt(step, BUYER, WindowKind.RESHIPMENT_RECEIPT, ok, None, (), P, D, at(step)))

    # Then the postage is still to be refunded: the case waits for the storefront, not closed
    assert step.window is not None and step.window.kind == WindowKind.REFUND
    assert step.fulfilment is not None and step.fulfilment.owed == SHIPPING


def test_a_disputed_exchange_is_measured_against_the_item_price_and_what_else_is_owed() -> None:
    case = decided(Outcome.EXCHANGE, line(CompensationKind.RETURN_SHIPPING, SHIPPING))
    shipped = saved(fulfilment.report_shipment(case, BUYER, WindowKind.RETURN_SHIPMENT, "SF", "SF1", P, D, at(case)))
    disputed = saved(
        fulfilment.report_receipt(
            shipped, SELLER, WindowKind.RETURN_RECEIPT, ReceiptCondition.DAMAGED, None, ("e",), P, D, at(shipped)
        )
    )

    assert disputed.fulfilment is not None and disputed.fulfilment.receipt_review is not None
    assert disputed.fulfilment.receipt_review["full"] == PRICE + SHIPPING


def test_a_money_ruling_without_a_refund_line_is_refused() -> None:
    case = opened_case()
    in_review = saved(lifecycle.open_review(case.model_copy(update={"window": None}), D, NOW, reason="test"))
    nothing_paid = ReviewerDecision(outcome=Outcome.REFUND_FULL, liability=Liability.SELLER, override_reason="x")

    with pytest.raises(InvalidValue):
        rulings.issue_ruling(in_review, REVIEWER, nothing_paid, D, NOW)
