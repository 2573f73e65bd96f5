"""The seller's defence as a pure transition: its window, its grounds, replacing, and what it leaves open."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from chalicelib.api.errors import status_for
from chalicelib.api.schemas import DefenceBody
from chalicelib.domain import lifecycle, review, timers
from chalicelib.domain.defence import MAX_DEFENCES, state_defence
from chalicelib.domain.errors import DeadlinePassed, InvalidState, InvalidValue, LimitReached, RoleNotAllowed
from chalicelib.domain.models import FREE_TEXT_MAX_CHARS, Defence, Dispute, Party, SellerGround, Status, WindowKind
from chalicelib.domain.policy import Deadlines
from tests.factories import BUYER, NOW, REVIEWER, SELLER, opened_case, saved

D = Deadlines()
LATER = NOW + timedelta(minutes=5)
USED = (SellerGround.ITEM_USED, SellerGround.INCOMPLETE)


def defended(case: Dispute, grounds: tuple[SellerGround, ...] = USED, statement: str = "Worn, tags cut.") -> Dispute:
    return saved(state_defence(case, SELLER, Party.SELLER, grounds, statement, LATER))


def test_the_seller_states_its_grounds_in_its_window_and_the_window_stays_open() -> None:
    # Given a case waiting for the seller
    case = opened_case()

    # When the seller states its grounds
    transition = state_defence(case, SELLER, Party.SELLER, USED, "Worn, tags cut.", LATER)

    # Then the defence is on the case, the window is untouched, and the timeline names the grounds
    assert transition.case.defence == Defence(
        grounds=USED, statement="Worn, tags cut.", submitted_by=SELLER.sub, submitted_at=LATER
    )
    assert transition.case.window == case.window
    assert transition.case.status == Status.AWAITING_SELLER
    (stated,) = transition.events
    assert (stated.action, stated.actor, stated.from_status, stated.to_status) == (
        "defence_submitted",
        SELLER.sub,
        Status.AWAITING_SELLER,
        Status.AWAITING_SELLER,
    )
    assert stated.data["grounds"] == ["item_used", "incomplete"]
    assert stated.data["replaces_earlier"] is False


def test_a_second_defence_in_the_window_replaces_the_first_and_the_timeline_keeps_both() -> None:
    first = defended(opened_case())

    second = state_defence(first, SELLER, Party.SELLER, (SellerGround.NO_DEFECT,), "It works.", LATER)

    assert second.case.defence is not None
    assert second.case.defence.grounds == (SellerGround.NO_DEFECT,)
    assert second.events[0].data["replaces_earlier"] is True


def test_a_case_takes_a_bounded_number_of_defences_so_its_timeline_stays_bounded() -> None:
    case = opened_case()
    for _ in range(MAX_DEFENCES):
        case = defended(case)
    assert case.defence is not None and case.defence.revision == MAX_DEFENCES

    with pytest.raises(LimitReached) as refused:
        state_defence(case, SELLER, Party.SELLER, USED, "once more", LATER)

    assert status_for(refused.value) == 409
    assert refused.value.details == [{"limit": "max_defences", "value": MAX_DEFENCES}]


def test_the_seller_may_still_submit_after_its_defence_and_the_buyer_reads_it_in_its_rebuttal() -> None:
    case = defended(opened_case())

    rebuttal = saved(lifecycle.submit(case, SELLER, Party.SELLER, D, LATER))

    assert rebuttal.window is not None and rebuttal.window.kind == WindowKind.BUYER_REBUTTAL
    assert rebuttal.defence == case.defence


def test_an_information_request_addressed_to_the_seller_reopens_its_defence() -> None:
    done = saved(
        lifecycle.submit(
            saved(lifecycle.submit(opened_case(), SELLER, Party.SELLER, D, LATER)), BUYER, Party.BUYER, D, LATER
        )
    )
    in_review = saved(lifecycle.open_review(done, D, LATER, reason="a person decides"))
    asked_seller = saved(review.request_information(in_review, REVIEWER, (Party.SELLER,), "Proof?", D, LATER))
    asked_buyer = saved(review.request_information(in_review, REVIEWER, (Party.BUYER,), "Photo?", D, LATER))

    assert defended(asked_seller).defence is not None
    with pytest.raises(InvalidState):
        defended(asked_buyer)


def test_outside_the_sellers_window_a_defence_is_409() -> None:
    rebuttal = saved(lifecycle.submit(opened_case(), SELLER, Party.SELLER, D, LATER))

    with pytest.raises(InvalidState) as refused:
        defended(rebuttal)
    assert status_for(refused.value) == 409


def test_after_the_sellers_deadline_a_defence_is_410_whether_or_not_the_workflow_moved_on() -> None:
    case = opened_case()
    assert case.window is not None
    due = case.window.due_at
    moved_on = timers.window_timed_out(case, case.window.id, D, due)
    assert moved_on is not None

    for late, at in ((case, due), (saved(moved_on), due + timedelta(seconds=1))):
        with pytest.raises(DeadlinePassed) as refused:
            state_defence(late, SELLER, Party.SELLER, USED, "Too late.", at)
        assert status_for(refused.value) == 410


def test_only_the_seller_states_a_defence() -> None:
    with pytest.raises(RoleNotAllowed):
        state_defence(opened_case(), BUYER, Party.BUYER, USED, "Not mine to say.", LATER)


@pytest.mark.parametrize("grounds", [(), (SellerGround.NO_DEFECT, SellerGround.NO_DEFECT)])
def test_grounds_are_at_least_one_and_each_once(grounds: tuple[SellerGround, ...]) -> None:
    with pytest.raises(InvalidValue):
        state_defence(opened_case(), SELLER, Party.SELLER, grounds, "Hm.", LATER)


@pytest.mark.parametrize(
    "body",
    [
        {"grounds": [], "statement": "x"},
        {"grounds": ["no_defect", "no_defect"], "statement": "x"},
        {"grounds": ["buyer_is_lying"], "statement": "x"},
        {"grounds": "no_defect", "statement": "x"},
        {"grounds": ["no_defect"], "statement": ""},
        {"grounds": ["no_defect"], "statement": "x" * (FREE_TEXT_MAX_CHARS + 1)},
        {"grounds": ["no_defect"], "statement": "bell \x07"},
        {"grounds": ["no_defect"]},
        {"grounds": ["no_defect"], "statement": "x", "verified": True},
    ],
)
def test_a_defence_body_off_the_list_or_the_limits_is_refused(body: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        DefenceBody.model_validate(body)


def test_every_ground_of_the_design_is_accepted_together() -> None:
    body = DefenceBody.model_validate({"grounds": list(SellerGround), "statement": "x" * FREE_TEXT_MAX_CHARS})

    assert body.grounds == list(SellerGround)
