"""Claims, information requests, rulings and appeals as pure transitions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.api.errors import status_for
from chalicelib.domain import lifecycle, review, rulings, timers
from chalicelib.domain.errors import (
    AnotherReviewerRequired,
    DeadlinePassed,
    Duplicate,
    InvalidState,
    InvalidValue,
    LimitReached,
    SeniorReviewerRequired,
)
from chalicelib.domain.models import (
    Actor,
    CompensationKind,
    CompensationLine,
    Dispute,
    Liability,
    Outcome,
    Party,
    Payee,
    Penalty,
    PenaltyKind,
    Resolution,
    ReviewerDecision,
    Role,
    Status,
    WindowKind,
)
from chalicelib.domain.policy import DEFAULT_LIMITS, Deadlines
from tests.factories import BUYER, NOW, REVIEWER, SELLER, SENIOR, actor, opened_case, saved

D = Deadlines()
LATER = NOW + timedelta(minutes=5)
REFUND = ReviewerDecision(
    outcome=Outcome.REFUND_FULL,
    liability=Liability.SELLER,
    compensation=(
        CompensationLine(
            payer=Payee.SELLER, payee=Payee.BUYER, kind=CompensationKind.REFUND, amount=12_900, currency="CNY"
        ),
    ),
)


def in_review() -> Dispute:
    case = opened_case()
    return saved(lifecycle.open_review(case.model_copy(update={"window": None}), D, NOW, reason="test"))


def ruled() -> Dispute:
    return saved(rulings.issue_ruling(in_review(), REVIEWER, REFUND, D, NOW))


def test_claim_is_exclusive_to_one_reviewer() -> None:
    claimed = saved(review.claim(in_review(), REVIEWER, NOW))

    assert claimed.claimed_by == REVIEWER.sub
    with pytest.raises(InvalidState):
        review.claim(claimed, actor(Role.REVIEWER, "rev-2"), NOW)
    with pytest.raises(InvalidState):
        rulings.issue_ruling(claimed, actor(Role.REVIEWER, "rev-2"), REFUND, D, NOW)


def test_claiming_again_by_the_reviewer_who_holds_the_case_is_no_transition() -> None:
    # Given: a case the reviewer already claimed
    claimed = saved(review.claim(in_review(), REVIEWER, NOW))

    # When: the same reviewer claims it again, later
    again = review.claim(claimed, REVIEWER, LATER)

    # Then: the very same case, no event: nothing to save, the version stays
    assert again.case is claimed
    assert again.events == ()
    assert again.ledger == ()


def test_claiming_again_still_checks_the_case_waits_for_a_reviewer() -> None:
    claimed = saved(review.claim(in_review(), REVIEWER, NOW))
    asked = saved(review.request_information(claimed, REVIEWER, (Party.SELLER,), "Invoice?", D, NOW))

    assert asked.claimed_by == REVIEWER.sub
    with pytest.raises(InvalidState, match="this needs under_review"):
        review.claim(asked, REVIEWER, LATER)


def back_in_review(case: Dispute, reviewer: Actor = REVIEWER, **limit: int) -> Dispute:
    """One information-request round: the seller is asked, answers, and the case returns to review."""
    asked = saved(review.request_information(case, reviewer, (Party.SELLER,), "Invoice?", D, NOW, **limit))
    return saved(lifecycle.submit(asked, SELLER, Party.SELLER, D, LATER))


def test_reviewers_may_send_three_information_requests_and_the_fourth_is_refused() -> None:
    # Given: three rounds of questions, the default limit
    case = in_review()
    for _ in range(DEFAULT_LIMITS.max_info_requests):
        case = back_in_review(case)
    assert (DEFAULT_LIMITS.max_info_requests, case.info_requests_made) == (3, 3)

    # When: a fourth is sent, by anyone
    with pytest.raises(LimitReached) as refused:
        review.request_information(case, REVIEWER, (Party.BUYER,), "And photos?", D, LATER)

    # Then: a 409 that names the policy key and its value
    assert status_for(refused.value) == 409
    assert refused.value.details == [{"limit": "limits.max_info_requests", "max": 3, "made": 3}]


def test_a_storefronts_information_request_limit_is_the_one_applied() -> None:
    once = back_in_review(in_review(), max_info_requests=1)

    with pytest.raises(LimitReached):
        review.request_information(once, REVIEWER, (Party.SELLER,), "Again?", D, LATER, max_info_requests=1)
    assert review.request_information(once, REVIEWER, (Party.SELLER,), "Again?", D, LATER, max_info_requests=2)


def test_information_requests_are_counted_across_review_and_appeal() -> None:
    asked_once = back_in_review(in_review())
    ruling = saved(rulings.issue_ruling(asked_once, REVIEWER, REFUND, D, NOW))
    appealed = saved(review.appeal(ruling, BUYER, Party.BUYER, "it is cracked", D, LATER))

    asked_again = back_in_review(appealed, SENIOR, max_info_requests=2)

    assert asked_again.info_requests_made == 2
    with pytest.raises(LimitReached):
        review.request_information(asked_again, SENIOR, (Party.SELLER,), "More?", D, LATER, max_info_requests=2)


def test_information_request_sends_the_case_to_that_party_then_back_to_review() -> None:
    asked = saved(review.request_information(in_review(), REVIEWER, (Party.SELLER,), "Send the invoice", D, NOW))

    assert asked.status == Status.AWAITING_SELLER
    assert asked.window is not None and asked.window.kind == WindowKind.INFO_REQUEST
    assert asked.window.due_at == NOW + timedelta(hours=48)
    back = saved(lifecycle.submit(asked, SELLER, Party.SELLER, D, LATER))
    assert back.status == Status.UNDER_REVIEW
    assert back.window is not None and back.window.kind == WindowKind.REVIEW


def test_information_request_to_both_parties_waits_for_both() -> None:
    asked = saved(review.request_information(in_review(), REVIEWER, (Party.BUYER, Party.SELLER), "More?", D, NOW))

    one = saved(lifecycle.submit(asked, SELLER, Party.SELLER, D, LATER))
    assert one.window is not None and one.window.kind == WindowKind.INFO_REQUEST
    both = saved(lifecycle.submit(one, BUYER, Party.BUYER, D, LATER))
    assert both.window is not None and both.window.kind == WindowKind.REVIEW


def test_ruling_rationale_carries_the_rules_and_opens_the_appeal_window() -> None:
    case = ruled()

    assert case.status == Status.RULED
    assert case.ruling is not None and case.ruling.decided_by == REVIEWER.sub and not case.ruling.final
    assert case.window is not None and case.window.kind == WindowKind.APPEAL
    assert case.window.due_at == NOW + timedelta(hours=72)


@pytest.mark.parametrize(
    "decision",
    [
        REFUND.model_copy(update={"compensation": (REFUND.compensation[0].model_copy(update={"amount": 13_701}),)}),
        REFUND.model_copy(update={"compensation": (REFUND.compensation[0].model_copy(update={"currency": "USD"}),)}),
        REFUND.model_copy(update={"penalties": (Penalty(party=Party.BUYER, kind=PenaltyKind.WARNING),)}),
    ],
    ids=["over the order total", "wrong currency", "penalty on a party not liable"],
)
def test_invalid_rulings_are_refused(decision: ReviewerDecision) -> None:
    with pytest.raises(InvalidValue):
        rulings.issue_ruling(in_review(), REVIEWER, decision, D, NOW)


def test_appeal_goes_to_a_senior_reviewer_other_than_the_first_and_is_final() -> None:
    appealed = saved(review.appeal(ruled(), SELLER, Party.SELLER, "the photos are staged", D, LATER))

    assert appealed.status == Status.APPEALED
    assert appealed.in_senior_queue
    with pytest.raises(SeniorReviewerRequired):
        rulings.issue_ruling(appealed, actor(Role.REVIEWER, "rev-2"), REFUND, D, LATER)
    with pytest.raises(AnotherReviewerRequired):
        rulings.issue_ruling(appealed, actor(Role.SENIOR_REVIEWER, REVIEWER.sub), REFUND, D, LATER)
    final = rulings.issue_ruling(appealed, SENIOR, REFUND, D, LATER).case
    assert final.status == Status.FULFILLING and final.resolution == Resolution.RULED  # the refund is carried out
    assert final.ruling is not None and final.ruling.final
    assert final.superseded_ruling is not None and final.superseded_ruling.decided_by == REVIEWER.sub


def test_only_one_appeal_and_only_inside_the_window() -> None:
    case = ruled()
    appealed = saved(review.appeal(case, BUYER, Party.BUYER, "too little", D, LATER))

    with pytest.raises((Duplicate, InvalidState)):
        review.appeal(appealed, SELLER, Party.SELLER, "me too", D, LATER)
    with pytest.raises(DeadlinePassed):
        review.appeal(case, BUYER, Party.BUYER, "late", D, NOW + timedelta(hours=73))


def test_senior_queue_cases_need_a_senior_reviewer() -> None:
    case = in_review()
    assert case.window is not None
    breached = saved(timers.window_timed_out(case, case.window.id, D, case.window.due_at))  # type: ignore[arg-type]

    with pytest.raises(SeniorReviewerRequired):
        review.claim(breached, REVIEWER, NOW)
    assert saved(review.claim(breached, SENIOR, NOW)).claimed_by == SENIOR.sub


def recommended_review() -> Dispute:
    """Under review with the rules' recommendation: deny (no buyer pictures)."""
    from chalicelib.adapters.policy_store import PolicyStore
    from chalicelib.domain import rules

    base = opened_case().model_copy(update={"window": None, "status": Status.UNDER_REVIEW})
    recommendation = rules.evaluate(rules.Facts(case=base, evidence=(), policy=PolicyStore().default, now=NOW))
    return saved(rulings.apply_recommendation(base, recommendation, D, NOW))


def test_accepting_the_recommendation_rules_exactly_as_recommended() -> None:
    case = recommended_review()
    assert case.recommendation is not None

    ruled_case = rulings.issue_ruling(case, REVIEWER, ReviewerDecision(accept_recommendation=True), D, NOW).case

    assert ruled_case.ruling is not None
    assert ruled_case.ruling.outcome == case.recommendation.ruling.outcome == Outcome.CLAIM_DENIED
    assert ruled_case.ruling.decided_by == REVIEWER.sub
    assert [hit.rule for hit in ruled_case.ruling.rationale] == ["quality_claim_unproven"]


def test_overriding_the_recommendation_needs_a_written_reason() -> None:
    case = recommended_review()

    with pytest.raises(InvalidValue, match="override_reason"):
        rulings.issue_ruling(case, REVIEWER, REFUND, D, NOW)
    overridden = rulings.issue_ruling(
        case, REVIEWER, REFUND.model_copy(update={"override_reason": "photos came by chat"}), D, NOW
    ).case

    assert overridden.ruling is not None and overridden.ruling.outcome == Outcome.REFUND_FULL
    assert overridden.ruling.override_reason == "photos came by chat"
    assert overridden.ruling.rationale[-1].rule == "reviewer_override"


def test_an_override_may_give_its_reason_in_the_pinned_bodys_notes() -> None:
    case = recommended_review()

    overridden = rulings.issue_ruling(case, REVIEWER, REFUND.model_copy(update={"notes": "the crack is plain"}), D, NOW)

    assert overridden.case.ruling is not None and overridden.case.ruling.override_reason == "the crack is plain"
    assert overridden.case.ruling.rationale[-1].reason == "the crack is plain"


def test_a_decision_is_either_acceptance_or_a_full_ruling() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        ReviewerDecision(accept_recommendation=True, outcome=Outcome.REFUND_FULL)
    with pytest.raises(ValidationError):
        ReviewerDecision(outcome=Outcome.REFUND_FULL)


def test_closing_a_ruled_case_records_seller_points_and_the_buyers_outcome() -> None:
    from chalicelib.domain.models import PenaltyKind as Kind

    decision = REFUND.model_copy(update={"penalties": (Penalty(party=Party.SELLER, kind=Kind.POINTS, value=4),)})
    appealed = saved(
        review.appeal(
            saved(rulings.issue_ruling(in_review(), REVIEWER, decision, D, NOW)), SELLER, Party.SELLER, "no", D, LATER
        )
    )

    closed = rulings.issue_ruling(appealed, SENIOR, decision, D, LATER)

    assert {(entry.kind, entry.points, entry.lost) for entry in closed.ledger} == {
        ("seller_penalty", 4, False),
        ("buyer_outcome", 0, False),
    }
