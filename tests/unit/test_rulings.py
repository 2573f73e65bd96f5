"""Rulings on every path name the remedy asked for and who pays the postage: concession, reviewer, stored."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from chalicelib.adapters.policy_store import PolicyStore
from chalicelib.domain import negotiation, rules, rulings
from chalicelib.domain.errors import InvalidValue
from chalicelib.domain.evidence_models import Evidence, EvidenceKind, EvidenceStatus
from chalicelib.domain.models import (
    CompensationKind,
    CompensationLine,
    Dispute,
    Liability,
    Outcome,
    Party,
    Payee,
    ReviewerDecision,
    Ruling,
    Status,
)
from chalicelib.domain.policy import Deadlines, merge_policy
from tests.factories import NOW, REVIEWER, SELLER, opened_case, saved

D = Deadlines()
LATER = NOW + timedelta(hours=1)
POLICY = PolicyStore().default
BUYER_PHOTO = Evidence(
    id="ev-1",
    case_id="dsp-1",
    party=Party.BUYER,
    added_by="buyer-1",
    kind=EvidenceKind.PHOTO,
    status=EvidenceStatus.VERIFIED,
    window_id="w1",
    created_at=NOW,
)


def refund(amount: int, kind: CompensationKind = CompensationKind.REFUND) -> CompensationLine:
    return CompensationLine(payer=Payee.SELLER, payee=Payee.BUYER, kind=kind, amount=amount, currency="CNY")


def recommended(policy: Any = POLICY, *found: Evidence, **request: Any) -> Dispute:
    """A case under review with the rules' recommendation on it."""
    base = opened_case(**request).model_copy(update={"window": None, "status": Status.UNDER_REVIEW})
    recommendation = rules.evaluate(rules.Facts(case=base, evidence=found, policy=policy, now=NOW))
    forced = recommendation.model_copy(update={"decision": "review"})
    return saved(rulings.apply_recommendation(base, forced, D, NOW))


@pytest.mark.parametrize(
    ("request_type", "reason", "outcome", "payer", "kinds"),
    [
        ("exchange", "quality_defect", Outcome.EXCHANGE, Payee.SELLER, []),
        ("repair", "not_as_described", Outcome.REPAIR, Payee.SELLER, []),
        ("return_and_refund", "quality_defect", Outcome.RETURN_AND_REFUND, Payee.SELLER, ["refund", "return_shipping"]),
        ("return_and_refund", "no_reason_return", Outcome.RETURN_AND_REFUND, Payee.BUYER, ["refund"]),
        ("exchange", "no_reason_return", Outcome.EXCHANGE, Payee.BUYER, []),
        ("refund_only", "quality_defect", Outcome.REFUND_FULL, None, ["refund"]),
    ],
)
def test_a_concession_gives_the_remedy_asked_for_with_the_postage_on_the_right_side(
    request_type: str, reason: str, outcome: Outcome, payer: Payee | None, kinds: list[str]
) -> None:
    conceded = negotiation.concede(opened_case(type=request_type, reason=reason), SELLER, LATER).case

    assert conceded.ruling is not None
    assert conceded.ruling.outcome == outcome
    assert conceded.ruling.return_shipping_payer == payer
    assert [line.kind.value for line in conceded.ruling.compensation] == kinds


def test_a_reviewer_accepting_an_exchange_recommendation_rules_an_exchange_the_seller_posts() -> None:
    case = recommended(POLICY, BUYER_PHOTO, type="exchange", reason="quality_defect")

    ruled = rulings.issue_ruling(case, REVIEWER, ReviewerDecision(accept_recommendation=True), D, LATER).case

    assert ruled.ruling is not None
    assert (ruled.ruling.outcome, ruled.ruling.return_shipping_payer) == (Outcome.EXCHANGE, Payee.SELLER)
    assert "reviewer_override" not in [hit.rule for hit in ruled.ruling.rationale]


def test_a_reviewers_return_ruling_must_say_who_pays_the_postage() -> None:
    case = recommended(POLICY, BUYER_PHOTO, type="return_and_refund")
    body = {
        "outcome": Outcome.RETURN_AND_REFUND,
        "liability": Liability.SELLER,
        "compensation": (refund(12_900),),
        "override_reason": "less than recommended",
    }

    with pytest.raises(InvalidValue) as refused:
        rulings.issue_ruling(case, REVIEWER, ReviewerDecision(**body), D, LATER)
    ruled = rulings.issue_ruling(
        case, REVIEWER, ReviewerDecision(**body, return_shipping_payer=Payee.SELLER), D, LATER
    ).case

    assert refused.value.details[0]["field"] == "return_shipping_payer"
    assert ruled.ruling is not None and ruled.ruling.return_shipping_payer == Payee.SELLER


def test_a_refund_without_a_return_names_no_postage_payer() -> None:
    case = recommended(POLICY, BUYER_PHOTO)
    decision = ReviewerDecision(
        outcome=Outcome.REFUND_FULL,
        liability=Liability.SELLER,
        return_shipping_payer=Payee.SELLER,
        compensation=(refund(12_900),),
        override_reason="the buyer keeps it",
    )

    with pytest.raises(InvalidValue, match="not valid"):
        rulings.issue_ruling(case, REVIEWER, decision, D, LATER)


def test_a_different_postage_payer_is_an_override() -> None:
    case = recommended(POLICY, BUYER_PHOTO, type="exchange")
    decision = ReviewerDecision(outcome=Outcome.EXCHANGE, liability=Liability.SELLER, return_shipping_payer=Payee.BUYER)

    with pytest.raises(InvalidValue, match="override_reason"):
        rulings.issue_ruling(case, REVIEWER, decision, D, LATER)


def test_a_ruling_stored_before_the_postage_payer_existed_still_loads() -> None:
    stored = {
        "outcome": "return_and_refund",
        "liability": "seller",
        "compensation": [],
        "penalties": [],
        "rationale": [],
        "decided_by": "rules",
        "decided_at": "2026-11-01T00:00:00Z",
        "final": True,
    }

    assert Ruling.model_validate(stored).return_shipping_payer is None


def test_accepting_a_recommendation_stored_without_a_payer_fills_in_the_one_it_implied() -> None:
    # Given a recommendation recorded before rulings named who pays the return postage
    case = recommended(POLICY, BUYER_PHOTO, type="return_and_refund")
    assert case.recommendation is not None
    old_ruling = case.recommendation.ruling.model_copy(update={"return_shipping_payer": None})
    old = case.model_copy(update={"recommendation": case.recommendation.model_copy(update={"ruling": old_ruling})})

    ruled = rulings.issue_ruling(old, REVIEWER, ReviewerDecision(accept_recommendation=True), D, LATER).case

    assert ruled.ruling is not None and ruled.ruling.return_shipping_payer == Payee.SELLER
    assert "reviewer_override" not in [hit.rule for hit in ruled.ruling.rationale]


def test_a_reviewer_may_award_the_counterfeit_compensation_the_storefront_promises_and_no_more() -> None:
    promise = merge_policy(POLICY, {"rules": {"counterfeit_compensation_multiplier": 3}})
    case = recommended(promise, BUYER_PHOTO, reason="counterfeit")

    accepted = rulings.issue_ruling(
        case, REVIEWER, ReviewerDecision(accept_recommendation=True), D, LATER, thresholds=promise.rules
    ).case
    more = ReviewerDecision(
        outcome=Outcome.REFUND_FULL,
        liability=Liability.SELLER,
        # the whole order back (price and postage), and one more than twice the price on top
        compensation=(refund(12_900 + 800), refund(2 * 12_900 + 1, CompensationKind.GOODWILL)),
        override_reason="more",
    )

    assert accepted.ruling is not None
    assert sum(line.amount for line in accepted.ruling.compensation) == 3 * 12_900
    with pytest.raises(InvalidValue):
        rulings.issue_ruling(case, REVIEWER, more, D, LATER, thresholds=promise.rules)
    with pytest.raises(InvalidValue):  # a storefront that promised nothing allows nothing beyond the order
        rulings.issue_ruling(case, REVIEWER, ReviewerDecision(accept_recommendation=True), D, LATER)


def test_the_item_facts_are_copied_onto_the_case_at_escalation() -> None:
    item = {"category": "perishable", "no_reason_return_eligible": False, "disclosed": {"near_expiry": True}}

    case = opened_case(item=item)

    assert case.item is not None and case.item.category.value == "perishable"
    assert case.item.disclosed.near_expiry and not case.item.disclosed.flawed
