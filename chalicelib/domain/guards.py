"""The guards: whatever the decisive rules found, any guard that fires sends the case to a person.

The recommendation is still shown; the guard's hit says why a person decides. docs/RULES.md lists each.
"""

from __future__ import annotations

from collections.abc import Callable

from chalicelib.domain.models import ClaimReason, RuleHit
from chalicelib.domain.money import in_words
from chalicelib.domain.rule_facts import Facts

Guard = Callable[[Facts], RuleHit | None]


def counterfeit_guard(facts: Facts) -> RuleHit | None:
    if facts.case.reason != ClaimReason.COUNTERFEIT:
        return None
    return RuleHit(
        rule="counterfeit_needs_review",
        reason="counterfeit claims are always decided by a person (seed 003: 不過請您提供相應證明; DESIGN section 4)",
    )


def high_amount(facts: Facts) -> RuleHit | None:
    """Policy key: rules.high_amount.<currency>."""
    threshold = facts.policy.rules.high_amount_for(facts.case.currency)
    if facts.case.amount_requested < threshold:
        return None
    return RuleHit(
        rule="high_amount",
        reason=f"amount requested is at least {in_words(threshold, facts.case.currency)} (DESIGN section 4)",
    )


def repeat_offender(facts: Facts) -> RuleHit | None:
    """Policy keys: rules.repeat_offender_points, rules.penalty_points_expire_after."""
    limit = facts.policy.rules.repeat_offender_points
    if facts.seller_points < limit:
        return None
    return RuleHit(
        rule="repeat_offender", reason=f"the seller holds {facts.seller_points} live penalty points (DESIGN section 4)"
    )


def abusive_buyer(facts: Facts) -> RuleHit | None:
    """Policy keys: rules.abusive_buyer_min_disputes, rules.abusive_buyer_loss_rate."""
    rules = facts.policy.rules
    if facts.buyer_disputes < rules.abusive_buyer_min_disputes:
        return None
    rate = facts.buyer_lost / facts.buyer_disputes
    if rate < rules.abusive_buyer_loss_rate:
        return None
    return RuleHit(
        rule="abusive_buyer",
        reason=f"the buyer lost {facts.buyer_lost} of {facts.buyer_disputes} disputes (DESIGN section 4)",
    )


def outside_after_sales_period(facts: Facts) -> RuleHit | None:
    """Policy key: rules.after_sales_window. Asked too long after delivery: never granted by the rules alone."""
    if not facts.outside_after_sales_period():
        return None
    window = facts.policy.rules.after_sales_window
    return RuleHit(
        rule="outside_after_sales_period",
        reason=f"asked more than {window.days} days after delivery, outside the after-sales period: a person"
        " decides (seed 002: 若交易成功超过了15天,此时订单已经过了维权处理期…建议您提供有效凭证,联系淘宝客服处理)",
    )


GUARDS: tuple[Guard, ...] = (
    counterfeit_guard,
    outside_after_sales_period,
    high_amount,
    repeat_offender,
    abusive_buyer,
)
