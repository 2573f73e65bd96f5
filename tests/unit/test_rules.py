"""The rules engine, one table per rule: it fires where it should and nowhere else."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.adapters.policy_store import PolicyStore
from chalicelib.domain import rules
from chalicelib.domain.evidence_models import Evidence, EvidenceKind, EvidenceStatus, Tracking, TrackingStatus
from chalicelib.domain.models import (
    ClaimReason,
    Defence,
    Disclosed,
    Dispute,
    ItemCategory,
    ItemFacts,
    Liability,
    Outcome,
    Party,
    Payee,
    PenaltyKind,
    RequestType,
    SellerGround,
)
from chalicelib.domain.policy import merge_policy
from chalicelib.domain.rulings import validate_ruling
from tests.factories import NOW, opened_case

POLICY = PolicyStore().default
FAKE_ONE_PAY_THREE = merge_policy(POLICY, {"rules": {"counterfeit_compensation_multiplier": 3}})


def evidence(party: Party, kind: EvidenceKind, tracking: TrackingStatus | None = None, at: datetime = NOW) -> Evidence:
    return Evidence(
        id=f"ev-{party.value}-{kind.value}-{at.isoformat()}",
        case_id="dsp-1",
        party=party,
        added_by=f"{party.value}-1",
        kind=kind,
        status=EvidenceStatus.VERIFIED,
        window_id="w1",
        tracking=Tracking(carrier="SF", tracking_number="SF123456", status=tracking) if tracking else None,
        created_at=at,
    )


BUYER_PHOTO = evidence(Party.BUYER, EvidenceKind.PHOTO)
SELLER_PHOTO = evidence(Party.SELLER, EvidenceKind.PHOTO)
CERTIFICATE = evidence(Party.BUYER, EvidenceKind.THIRD_PARTY_CERTIFICATE)
BUYER_PHOTO_LATER = evidence(Party.BUYER, EvidenceKind.PHOTO, at=NOW + timedelta(hours=1))
DELIVERED_TRACKING = evidence(Party.SELLER, EvidenceKind.TRACKING, TrackingStatus.DELIVERED)


def case(**overrides: Any) -> Dispute:
    base = opened_case(reason=overrides.pop("reason", "quality_defect"), type=overrides.pop("type", "refund_only"))
    return base.model_copy(update=overrides)


def item(category: str = "general", eligible: bool | None = None, **disclosed: bool) -> ItemFacts:
    return ItemFacts(
        category=ItemCategory(category), no_reason_return_eligible=eligible, disclosed=Disclosed(**disclosed)
    )


def defence(*grounds: str) -> Defence:
    return Defence(
        grounds=tuple(SellerGround(g) for g in grounds), statement="", submitted_by="seller-1", submitted_at=NOW
    )


def facts(subject: Dispute, *found: Evidence, policy: Any = POLICY, **records: int) -> rules.Facts:
    return rules.Facts(case=subject, evidence=found, policy=policy, now=NOW, **records)


def fired(recommendation: Any) -> list[str]:
    return [hit.rule for hit in recommendation.rules_fired]


@pytest.mark.parametrize(
    ("subject", "found", "rule", "decision", "outcome", "liability"),
    [
        (
            case(missed_deadlines=("seller_response:seller",)),
            (),
            "seller_default",
            "auto",
            Outcome.REFUND_FULL,
            Liability.SELLER,
        ),
        (
            case(reason="no_reason_return", type="return_and_refund"),
            (),
            "no_reason_return",
            "auto",
            Outcome.RETURN_AND_REFUND,
            Liability.BUYER,
        ),
        (
            case(reason="no_reason_return", requested_at=NOW + timedelta(days=9)),
            (),
            "no_reason_return_refused",
            "auto",
            Outcome.CLAIM_DENIED,
            Liability.BUYER,
        ),
        (
            case(reason="no_reason_return", no_reason_return_eligible=False),
            (),
            "no_reason_return_excluded",
            "auto",
            Outcome.CLAIM_DENIED,
            Liability.BUYER,
        ),
        (
            case(reason="no_reason_return"),
            (SELLER_PHOTO,),
            "no_reason_return_contested",
            "review",
            Outcome.RETURN_AND_REFUND,
            Liability.BUYER,
        ),
        (
            case(reason="quality_defect", type="return_and_refund"),
            (BUYER_PHOTO,),
            "quality_claim_proven",
            "auto",
            Outcome.RETURN_AND_REFUND,
            Liability.SELLER,
        ),
        (
            case(reason="not_as_described"),
            (BUYER_PHOTO,),
            "quality_claim_proven",
            "auto",
            Outcome.REFUND_FULL,
            Liability.SELLER,
        ),
        (
            case(reason="quality_defect", type="exchange"),
            (BUYER_PHOTO,),
            "quality_claim_proven",
            "auto",
            Outcome.EXCHANGE,
            Liability.SELLER,
        ),
        (
            case(reason="quality_defect", type="repair"),
            (BUYER_PHOTO,),
            "quality_claim_proven",
            "auto",
            Outcome.REPAIR,
            Liability.SELLER,
        ),
        (
            case(reason="quality_defect"),
            (BUYER_PHOTO, SELLER_PHOTO),
            "quality_claim_contested",
            "review",
            Outcome.REFUND_FULL,
            Liability.SELLER,
        ),
        (
            case(reason="no_reason_return", type="exchange"),
            (),
            "no_reason_return",
            "auto",
            Outcome.EXCHANGE,
            Liability.BUYER,
        ),
        (
            case(reason="no_reason_return", type="repair"),
            (),
            "no_reason_return",
            "review",
            Outcome.RETURN_AND_REFUND,
            Liability.BUYER,
        ),
        (
            case(reason="no_reason_return", type="return_and_refund", item=item("perishable")),
            (),
            "no_reason_return_excluded",
            "auto",
            Outcome.CLAIM_DENIED,
            Liability.BUYER,
        ),
        (
            case(reason="quality_defect", item=item(flawed=True)),
            (BUYER_PHOTO,),
            "quality_claim_disclosed_flaw",
            "review",
            Outcome.CLAIM_DENIED,
            Liability.BUYER,
        ),
        (
            case(reason="quality_defect", defence=defence("packaging_only")),
            (BUYER_PHOTO, SELLER_PHOTO),
            "seller_ground_packaging_only",
            "auto",
            Outcome.CLAIM_DENIED,
            Liability.BUYER,
        ),
        (
            case(reason="quality_defect", defence=defence("packaging_only")),
            (BUYER_PHOTO, SELLER_PHOTO, BUYER_PHOTO_LATER),
            "seller_ground_packaging_only_rebutted",
            "review",
            Outcome.CLAIM_DENIED,
            Liability.BUYER,
        ),
        (
            case(reason="not_received", defence=defence("delivered")),
            (DELIVERED_TRACKING,),
            "not_received_delivered",
            "review",
            Outcome.CLAIM_DENIED,
            Liability.BUYER,
        ),
        (
            case(reason="quality_defect", type="exchange", missed_deadlines=("seller_response:seller",)),
            (),
            "seller_default",
            "auto",
            Outcome.EXCHANGE,
            Liability.SELLER,
        ),
        (case(reason="quality_defect"), (), "quality_claim_unproven", "review", Outcome.CLAIM_DENIED, Liability.BUYER),
        (
            case(reason="not_received"),
            (evidence(Party.BUYER, EvidenceKind.TRACKING, TrackingStatus.LOST),),
            "not_received_tracking",
            "auto",
            Outcome.REFUND_FULL,
            Liability.CARRIER,
        ),
        (
            case(reason="not_received"),
            (evidence(Party.SELLER, EvidenceKind.TRACKING, TrackingStatus.DELIVERED),),
            "not_received_unproven",
            "review",
            Outcome.CLAIM_DENIED,
            Liability.BUYER,
        ),
        (
            case(reason="missing_items"),
            (CERTIFICATE,),
            "missing_items_certified",
            "auto",
            Outcome.REFUND_FULL,
            Liability.SELLER,
        ),
        (
            case(reason="missing_items"),
            (BUYER_PHOTO,),
            "missing_items_unproven",
            "auto",
            Outcome.CLAIM_DENIED,
            Liability.BUYER,
        ),
        (
            case(reason="damaged_in_transit"),
            (BUYER_PHOTO,),
            "damaged_in_transit",
            "review",
            Outcome.REFUND_FULL,
            Liability.CARRIER,
        ),
        (
            case(reason="counterfeit"),
            (BUYER_PHOTO,),
            "counterfeit_claim",
            "review",
            Outcome.REFUND_FULL,
            Liability.SELLER,
        ),
        (case(reason="other"), (), "needs_review", "review", Outcome.CLAIM_DENIED, Liability.BUYER),
        (
            case(created_at=NOW + timedelta(days=20)),
            (BUYER_PHOTO,),
            "outside_escalation_window",
            "auto",
            Outcome.CLAIM_DENIED,
            Liability.BUYER,
        ),
    ],
)
def test_each_rule_fires_with_its_ruling(
    subject: Dispute, found: tuple[Evidence, ...], rule: str, decision: str, outcome: Outcome, liability: Liability
) -> None:
    recommendation = rules.evaluate(facts(subject, *found))

    assert fired(recommendation)[0] == rule
    assert recommendation.decision == decision
    assert recommendation.ruling.outcome == outcome
    assert recommendation.ruling.liability == liability
    assert recommendation.policy_version == POLICY.version
    assert all("seed 00" in hit.reason or "DESIGN section" in hit.reason for hit in recommendation.rules_fired)
    validate_ruling(subject, recommendation.ruling)


def test_quality_defect_seller_pays_shipping_both_ways_and_earns_points() -> None:
    ruling = rules.evaluate(facts(case(type="return_and_refund", amount_requested=12_000), BUYER_PHOTO)).ruling

    shipping = [line for line in ruling.compensation if line.kind.value == "return_shipping"]
    assert shipping and shipping[0].payer == Payee.SELLER and shipping[0].amount == 800
    assert ruling.return_shipping_payer == Payee.SELLER
    assert [(p.party, p.kind, p.value) for p in ruling.penalties] == [(Party.SELLER, PenaltyKind.POINTS, 4)]


def test_buyer_remorse_pays_its_own_return_shipping() -> None:
    subject = case(reason="no_reason_return", type="return_and_refund", amount_requested=10_000)

    ruling = rules.evaluate(facts(subject)).ruling

    assert [line.kind.value for line in ruling.compensation] == ["refund"]
    assert ruling.return_shipping_payer == Payee.BUYER
    assert ruling.penalties == ()


@pytest.mark.parametrize(
    ("subject", "records", "guard"),
    [
        (case(amount_requested=600_000, amount_paid=600_000), {}, "high_amount"),
        (case(), {"seller_points": 12}, "repeat_offender"),
        (case(), {"buyer_disputes": 5, "buyer_lost": 3}, "abusive_buyer"),
        (case(reason="counterfeit"), {}, "counterfeit_needs_review"),
    ],
)
def test_guards_send_clear_cases_to_a_person_keeping_the_recommendation(
    subject: Dispute, records: dict[str, int], guard: str
) -> None:
    recommendation = rules.evaluate(facts(subject, BUYER_PHOTO, **records))

    assert recommendation.decision == "review"
    assert guard in fired(recommendation)
    assert recommendation.ruling.outcome != Outcome.CLAIM_DENIED


@pytest.mark.parametrize(
    ("subject", "records"),
    [
        (case(amount_requested=499_999, amount_paid=499_999), {}),
        (case(), {"seller_points": 11}),
        (case(), {"buyer_disputes": 2, "buyer_lost": 2}),
        (case(), {"buyer_disputes": 5, "buyer_lost": 2}),
    ],
)
def test_guards_stay_quiet_below_their_thresholds(subject: Dispute, records: dict[str, int]) -> None:
    recommendation = rules.evaluate(facts(subject, BUYER_PHOTO, **records))

    assert recommendation.decision == "auto"
    assert fired(recommendation) == ["quality_claim_proven"]


reasons = st.sampled_from(list(ClaimReason))
types = st.sampled_from(list(RequestType))
kinds = st.sampled_from([k for k in EvidenceKind if k not in (EvidenceKind.TRACKING, EvidenceKind.STATEMENT)])
parties = st.sampled_from(list(Party))


@st.composite
def cases_and_evidence(draw: st.DrawFn) -> tuple[Dispute, tuple[Evidence, ...], dict[str, int]]:
    paid = draw(st.integers(min_value=1, max_value=2_000_000))
    shipping = draw(st.integers(min_value=0, max_value=50_000))
    requested = draw(st.integers(min_value=1, max_value=paid + shipping))
    subject = opened_case(
        reason=draw(reasons), type=draw(types), amount_paid=paid, shipping_paid=shipping, amount_requested=requested
    ).model_copy(update={"missed_deadlines": draw(st.sampled_from([(), ("seller_response:seller",)]))})
    found = tuple(evidence(draw(parties), draw(kinds)) for _ in range(draw(st.integers(0, 4))))
    tracked = draw(st.sampled_from([None, *TrackingStatus]))
    if tracked:
        found = (*found, evidence(Party.BUYER, EvidenceKind.TRACKING, tracked))
    records = {"seller_points": draw(st.integers(0, 30)), "buyer_disputes": draw(st.integers(0, 10))}
    records["buyer_lost"] = draw(st.integers(0, records["buyer_disputes"]))
    return subject, found, records


@settings(max_examples=300, deadline=None)
@given(cases_and_evidence())
def test_no_recommendation_ever_breaks_the_compensation_caps(
    drawn: tuple[Dispute, tuple[Evidence, ...], dict[str, int]],
) -> None:
    subject, found, records = drawn

    ruling = rules.evaluate(facts(subject, *found, **records)).ruling

    validate_ruling(subject, ruling)  # raises on any cap, currency or liability breach
    to_buyer = sum(line.amount for line in ruling.compensation if line.payee == Payee.BUYER)
    assert to_buyer <= subject.amount_paid + subject.shipping_paid


@settings(max_examples=200, deadline=None)
@given(cases_and_evidence())
def test_the_engine_is_deterministic(drawn: tuple[Dispute, tuple[Evidence, ...], dict[str, int]]) -> None:
    subject, found, records = drawn

    first = rules.evaluate(facts(subject, *found, **records))
    again = rules.evaluate(facts(subject, *reversed(found), **records))

    assert first == again
