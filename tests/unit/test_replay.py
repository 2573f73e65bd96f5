"""Recorded rule inputs replay to the same recommendation; a draft replayed over them says what would change."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain import replay, rules
from chalicelib.domain.errors import InvalidValue
from chalicelib.domain.evidence_models import MAX_FILES_PER_PARTY, EvidenceKind, TrackingStatus
from chalicelib.domain.models import (
    ClaimReason,
    Disclosed,
    ItemCategory,
    ItemFacts,
    Party,
    RequestType,
    Role,
    SellerGround,
)
from chalicelib.domain.policy import draft_policy, merge_policy
from chalicelib.services import policies
from tests.factories import NOW, actor
from tests.unit.fakes import Fakes
from tests.unit.test_rules import POLICY, case, defence, evidence

ADMIN = actor(Role.PLATFORM_ADMIN, "admin-1", "platform")

evidence_facts = st.builds(
    evidence,
    party=st.sampled_from(Party),
    kind=st.sampled_from(EvidenceKind),
    tracking=st.none() | st.sampled_from(TrackingStatus),
    at=st.sampled_from([NOW - timedelta(hours=2), NOW - timedelta(hours=1), NOW]),
)
items = st.none() | st.builds(
    ItemFacts,
    category=st.sampled_from(ItemCategory),
    no_reason_return_eligible=st.none() | st.booleans(),
    disclosed=st.builds(Disclosed, flawed=st.booleans(), near_expiry=st.booleans(), custom_made=st.booleans()),
)


@st.composite
def scenarios(draw: st.DrawFn) -> rules.Facts:
    grounds = draw(st.lists(st.sampled_from(SellerGround), unique=True, max_size=3))
    amount = draw(st.sampled_from([1_000, 12_900, 600_000]))
    subject = case(
        reason=draw(st.sampled_from(ClaimReason)),
        type=draw(st.sampled_from(RequestType)),
        amount_paid=amount,
        amount_requested=draw(st.sampled_from([amount, amount // 2])),
        item=draw(items),
        no_reason_return_eligible=draw(st.booleans()),
        defence=defence(*grounds) if grounds else None,
        missed_deadlines=draw(st.sampled_from([(), ("seller_response:seller",), ("buyer_rebuttal:buyer",)])),
        delivered_at=draw(st.sampled_from([None, NOW - timedelta(days=3), NOW - timedelta(days=30)])),
    )
    return rules.Facts(
        case=subject,
        evidence=tuple(draw(st.lists(evidence_facts, max_size=5))),
        policy=POLICY,
        now=NOW,
        seller_points=draw(st.sampled_from([0, 20])),
        buyer_disputes=draw(st.sampled_from([0, 5])),
        buyer_lost=draw(st.sampled_from([0, 4])),
    )


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_the_recorded_inputs_give_the_recommendation_the_live_facts_give(facts: rules.Facts) -> None:
    inputs = replay.inputs_of(facts)

    # Stored and read back, as the record item holds them
    stored = replay.RuleInputs.model_validate_json(inputs.model_dump_json())

    assert replay.recommend(stored, facts.policy) == rules.evaluate(facts)


def test_the_largest_record_stays_a_small_item() -> None:
    # Given a case with every piece of evidence both parties may add, and every ground
    found = tuple(
        evidence(party, kind, at=NOW - timedelta(minutes=n))
        for party in Party
        for n, kind in enumerate([EvidenceKind.PHOTO, EvidenceKind.STATEMENT] * MAX_FILES_PER_PARTY)
    )
    subject = case(reason="counterfeit", amount_requested=600_000, defence=defence(*SellerGround))
    facts = rules.Facts(subject, found, POLICY, NOW, seller_points=99, buyer_disputes=9, buyer_lost=9)
    inputs = replay.inputs_of(facts)

    record = replay.record(inputs, replay.recommend(inputs, POLICY))

    assert len(inputs.evidence) == replay.MAX_EVIDENCE_FACTS
    assert len(record.model_dump_json().encode()) < 32 * 1024


def test_a_draft_is_validated_whole_and_every_failing_path_named() -> None:
    document: dict[str, Any] = {"rules": {"abusive_buyer_loss_rate": 2, "high_amount": {"cny": 1}}, "limits": []}

    with pytest.raises(InvalidValue) as raised:
        draft_policy(POLICY, document, "draft")

    assert {d["field"] for d in raised.value.details} == {
        "document.rules.abusive_buyer_loss_rate",
        "document.rules.high_amount.cny",
        "document.limits",
    }


def recorded(case_id: str, **overrides: Any) -> replay.RecommendationRecord:
    """A recommendation recorded with its inputs: a case whose seller missed its deadline."""
    facts = rules.Facts(case(id=case_id, missed_deadlines=("seller_response:seller",), **overrides), (), POLICY, NOW)
    inputs = replay.inputs_of(facts)
    return replay.record(inputs, replay.recommend(inputs, POLICY))


def test_a_simulation_counts_changes_rates_and_totals_per_currency() -> None:
    # Given recorded recommendations: a large seller default (auto), a small one, and a yen case
    records = [
        recorded("dsp_large", amount_paid=300_000, amount_requested=300_000),
        recorded("dsp_small"),
        recorded("dsp_yen", currency="JPY", amount_paid=5_000, amount_requested=5_000),
    ]
    draft = merge_policy(POLICY, {"rules": {"high_amount": {"CNY": 200_000}}})

    result = replay.simulate(records, draft)

    assert (result.cases, [c.dispute_id for c in result.changes]) == (3, ["dsp_large"])
    assert (result.auto_before, result.auto_after) == (3, 2)
    assert result.main_currency == "CNY"
    assert result.compensation == {"CNY": (312_900, 312_900), "JPY": (5_000, 5_000)}
    assert replay.simulate(records, draft) == result


def test_publishing_numbers_versions_and_simulating_changes_no_fake() -> None:
    fakes = Fakes()
    first = policies.publish(fakes.ctx, ADMIN, "shop-1", {"deadlines": {"seller_response": "PT48H"}})
    second = policies.publish(fakes.ctx, ADMIN, "shop-1", {})
    past = recorded("dsp_past")
    fakes.cases.records[past.case_id] = past
    held = (dict(fakes.cases.cases), dict(fakes.cases.records), dict(fakes.policy_versions.versions))

    window = (NOW - timedelta(days=1), NOW + timedelta(seconds=1))
    page = policies.simulate_draft(fakes.ctx, ADMIN, past.storefront_id, {}, window, 10, None)

    assert (first.number, second.number, first.policy.version) == (1, 2, "v1")
    assert fakes.ctx.policy("shop-1").version == "v2"
    assert fakes.ctx.policy("shop-1", "v1").deadlines.seller_response == timedelta(hours=48)
    assert past.storefront_id == "shop-1" and page.simulation.cases == 1
    assert (dict(fakes.cases.cases), dict(fakes.cases.records), dict(fakes.policy_versions.versions)) == held
