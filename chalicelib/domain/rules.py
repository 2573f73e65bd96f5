"""The rules engine: pure, deterministic, explainable.

It reads the case and returns a Recommendation: `auto` when a rule settles the
case outright, `review` otherwise, always with the rules that fired and why.
"""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain.models import Dispute, Recommendation, RuleHit
from chalicelib.domain.policy import Policy
from chalicelib.domain.rulings import ruling_as_requested

RULES_ACTOR = "rules"


def evaluate(case: Dispute, policy: Policy, now: datetime) -> Recommendation:
    if any(missed.startswith("seller_response:") for missed in case.missed_deadlines):
        hit = RuleHit(rule="seller_default", reason="the seller missed the evidence deadline: not contesting")
        return Recommendation(
            decision="auto",
            ruling=ruling_as_requested(case, (hit,), RULES_ACTOR, now),
            rules_fired=(hit,),
            policy_version=policy.version,
        )
    hit = RuleHit(rule="needs_review", reason="no rule settles this case; a reviewer decides")
    return Recommendation(
        decision="review",
        ruling=ruling_as_requested(case, (hit,), RULES_ACTOR, now),
        rules_fired=(hit,),
        policy_version=policy.version,
    )
