"""The rules engine: pure, deterministic, explainable.

`evaluate(facts)` runs the decisive rules in order; the first that applies
gives the recommended ruling and whether it is clear enough to decide alone
(`auto`). Then the guards run (chalicelib/domain/guards.py): any that fires
sends the case to a human (`review`), the recommendation still shown. What the
rules read, and the questions they ask of it, is chalicelib/domain/rule_facts.py.
Every rule that fired is listed with its reason, which names the seed passage
it encodes. docs/RULES.md describes each rule and its policy keys.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from chalicelib.domain.evidence_models import EvidenceKind
from chalicelib.domain.guards import GUARDS
from chalicelib.domain.models import (
    RETURN_OUTCOMES,
    RULES_ACTOR,
    ClaimReason,
    CompensationKind,
    CompensationLine,
    Liability,
    Outcome,
    Party,
    Payee,
    Penalty,
    PenaltyKind,
    Recommendation,
    RuleHit,
    Ruling,
    SellerGround,
)
from chalicelib.domain.rule_facts import NOT_DELIVERED, PICTURES, REBUTTALS, Facts
from chalicelib.domain.rulings import (
    QUALITY_REASONS,
    granted,
    remedy_allowed,
    remedy_asked,
    ruling_as_requested,
)

__all__ = ["Facts", "evaluate"]

# The grounds that refuse a claim outright, by the claims they answer (seed 003, 以下情況,拒絕退換貨).
REFUSING_GROUNDS: dict[SellerGround, tuple[frozenset[ClaimReason], str]] = {
    SellerGround.NOT_OUR_PRODUCT: (
        frozenset({*QUALITY_REASONS, ClaimReason.NO_REASON_RETURN, ClaimReason.DAMAGED_IN_TRANSIT}),
        "the item is not the product this seller supplied (seed 003: 產品並非我們提供)",
    ),
    SellerGround.PACKAGING_ONLY: (
        QUALITY_REASONS,
        "only the packaging is flawed, claimed as a defect (seed 003: 紙袋、包裝盒有瑕疵,以質量問題退貨的)",
    ),
    SellerGround.ITEM_USED: (
        frozenset({ClaimReason.NO_REASON_RETURN}),
        "the item was used (seed 003: 對於已經使用的商品,不予以退換貨)",
    ),
    SellerGround.INCOMPLETE: (
        frozenset({ClaimReason.NO_REASON_RETURN}),
        "accessories are missing or tags torn (seed 003: 退換貨物不全或者外觀受損; 缺少附件或損壞原包裝將不給予退貨)",
    ),
}
NOT_OURS_BESIDE_COUNTERFEIT = (
    "the seller shows the item is not the product it supplied (seed 003: 產品並非我們提供): a person weighs it"
    " against the counterfeit claim"
)
# Grounds that contest a quality claim without refusing it: a person weighs them against the buyer's pictures.
CONTESTING_GROUNDS = {
    SellerGround.NO_DEFECT: "the seller shows no defect (seed 003: 貨物本身不存在質量問題的,又以質量理由退貨的)",
    SellerGround.ITEM_USED: "the seller shows the item used (seed 003: 已經使用的商品); a defect may show only in use",
    SellerGround.INCOMPLETE: "the seller shows accessories missing or tags torn (seed 003: 退換貨物不全)",
}


@dataclass(frozen=True)
class Finding:
    """A decisive rule's answer: the ruling it recommends (its rationale led by `hit`), and whether that settles
    the case."""

    hit: RuleHit
    ruling: Ruling
    auto: bool


Rule = Callable[[Facts], Finding | None]


def evaluate(facts: Facts) -> Recommendation:
    finding = next((found for rule in DECISIVE_RULES if (found := rule(facts)) is not None), None)
    if finding is None:
        hit = RuleHit(rule="needs_review", reason="no rule settles this case; a reviewer decides (DESIGN section 4)")
        finding = Finding(hit, _ruling(facts, Outcome.CLAIM_DENIED, Liability.BUYER, (hit,)), auto=False)
    guards = tuple(guarded for guard in GUARDS if (guarded := guard(facts)) is not None)
    fired = (*finding.ruling.rationale, *guards, *_uncounted(facts))
    return Recommendation(
        decision="auto" if finding.auto and not guards else "review",
        ruling=finding.ruling.model_copy(update={"rationale": fired}),
        rules_fired=fired,
        policy_version=facts.policy.version,
    )


def _uncounted(facts: Facts) -> tuple[RuleHit, ...]:
    """Grounds the seller gave without verified evidence behind them: shown, never counted (DESIGN section 4)."""
    return tuple(
        RuleHit(
            rule="seller_ground_not_counted",
            reason=f"the seller's ground {ground.value} is not counted: no verified seller evidence supports it"
            " (DESIGN section 4)",
        )
        for ground in facts.uncounted_grounds()
    )


# -- decisive rules, in order ---------------------------------------------------------------------


def outside_escalation_window(facts: Facts) -> Finding | None:
    """Policy key: deadlines.escalation_window. The API already refuses these; this holds if one slips in."""
    case = facts.case
    if case.created_at - case.seller_decided_at <= facts.policy.deadlines.escalation_window:
        return None
    hit = RuleHit(
        rule="outside_escalation_window",
        reason="escalated after the escalation window closed (seed 002: 若卖家操作拒绝申请,您可以申请淘宝客服介入处理;"
        " DESIGN section 3)",
    )
    return Finding(hit, _ruling(facts, Outcome.CLAIM_DENIED, Liability.BUYER, (hit,)), auto=True)


def seller_default(facts: Facts) -> Finding | None:
    """Policy key: rules.penalty_points.seller_default. Silence is not contesting: the remedy asked for, with the
    postage the reason puts on each side."""
    if "seller_response:seller" not in facts.case.missed_deadlines:
        return None
    hit = RuleHit(
        rule="seller_default",
        reason="the seller missed the evidence deadline: treated as not contesting (seed 002: 若申请售后卖家一直未"
        "操作处理,超期系统自动达成申请协议)",
    )
    ruling = ruling_as_requested(facts.case, (hit,), RULES_ACTOR, facts.now)
    return Finding(hit, _with_points(facts, ruling, "seller_default"), auto=True)


def counterfeit(facts: Facts) -> Finding | None:
    """Policy keys: rules.penalty_points.counterfeit, rules.counterfeit_compensation_multiplier,
    rules.counterfeit_compensation_cap. Always reviewed (see the guard): a full refund, the buyer keeps the
    item, and the compensation the storefront promises."""
    case = facts.case
    if case.reason != ClaimReason.COUNTERFEIT:
        return None
    extra = facts.policy.rules.counterfeit_extra_for(case.currency, case.amount_paid)
    promise = f" and {extra} {case.currency} compensation as the storefront promises" if extra else ""
    hit = RuleHit(
        rule="counterfeit_claim",
        reason=f"counterfeit claim: if confirmed, a full refund, the buyer keeps the item{promise}, heavy seller"
        " penalty (seed 003: 如果您可以證明我們不是正品,我們全額退款,包包直接送您再加另外賠償)",
    )
    outcome = Outcome.REFUND_FULL if case.amount_requested >= case.amount_paid else Outcome.REFUND_PARTIAL
    hits: tuple[RuleHit, ...] = (hit,)
    if SellerGround.NOT_OUR_PRODUCT in facts.counted_grounds():
        hits = (*hits, RuleHit(rule="seller_ground_not_our_product", reason=NOT_OURS_BESIDE_COUNTERFEIT))
    ruling = granted(case, Liability.SELLER, hits, RULES_ACTOR, facts.now, outcome=outcome)
    if extra:
        goodwill = _line(Payee.SELLER, CompensationKind.GOODWILL, extra, facts)
        ruling = ruling.model_copy(update={"compensation": (*ruling.compensation, goodwill)})
    return Finding(hit, _with_points(facts, ruling, "counterfeit"), auto=False)


def refusing_ground(facts: Facts) -> Finding | None:
    """A counted seller ground that seed 003 lists as a reason to refuse: denied, unless the buyer answered it."""
    reason = facts.case.reason
    ground = next(
        (g for g in facts.counted_grounds() if g in REFUSING_GROUNDS and reason in REFUSING_GROUNDS[g][0]), None
    )
    if ground is None:
        return None
    why = REFUSING_GROUNDS[ground][1]
    if facts.buyer_answered_seller():
        hit = RuleHit(
            rule=f"seller_ground_{ground.value}_rebutted",
            reason=f"{why}, backed by seller evidence; the buyer answered it with later evidence: a person decides",
        )
        return Finding(hit, _ruling(facts, Outcome.CLAIM_DENIED, Liability.BUYER, (hit,)), auto=False)
    hit = RuleHit(rule=f"seller_ground_{ground.value}", reason=f"{why}, backed by verified seller evidence")
    return Finding(hit, _ruling(facts, Outcome.CLAIM_DENIED, Liability.BUYER, (hit,)), auto=True)


def no_reason_return(facts: Facts) -> Finding | None:
    """Policy keys: rules.no_reason_return_days, rules.local_utc_offset. Buyer's remorse within N days of the day
    after delivery: a return or an exchange, the buyer paying the postage both ways."""
    case = facts.case
    if case.reason != ClaimReason.NO_REASON_RETURN:
        return None
    days = facts.policy.rules.no_reason_return_days
    excluded = facts.no_reason_exclusion()
    if excluded:
        hit = RuleHit(
            rule="no_reason_return_excluded",
            reason=f"no-reason return not available: {excluded} (the national 7-day rule; seed 000: 对于部分特殊"
            "商品,如食品、贴身衣物等,平台通常会有特殊规定)",
        )
        return Finding(hit, _ruling(facts, Outcome.CLAIM_DENIED, Liability.BUYER, (hit,)), auto=True)
    if not facts.within_no_reason_days():
        late = f"asked after the {days} days that start the day after delivery"
        why = late if case.delivered_at is not None else "no delivery is recorded to count the days from"
        hit = RuleHit(
            rule="no_reason_return_refused",
            reason=f"no-reason return not available: {why} (seed 003: 超出7天或者已經使用的商品將不在退貨范圍)",
        )
        return Finding(hit, _ruling(facts, Outcome.CLAIM_DENIED, Liability.BUYER, (hit,)), auto=True)
    if facts.has(Party.SELLER, PICTURES):
        hit = RuleHit(
            rule="no_reason_return_contested",
            reason="the seller shows pictures of the item: a person judges whether it is unused and complete"
            " (seed 003: 在保證沒使用及包裝配件全的情況下)",
        )
        return Finding(hit, granted(case, Liability.BUYER, (hit,), RULES_ACTOR, facts.now), auto=False)
    outcome = remedy_allowed(case)
    hit = RuleHit(
        rule="no_reason_return",
        reason=f"{outcome.value} within {days} days of the day after delivery, unused and complete; the buyer pays"
        " the postage both ways (seed 003: 收到貨7天內對貨物不滿意或不喜歡的; 無質量問題退換貨的,由顧客承擔來回運費)",
    )
    repair_asked = remedy_asked(case) == Outcome.REPAIR  # nothing to repair: a person confirms the remedy
    return Finding(hit, granted(case, Liability.BUYER, (hit,), RULES_ACTOR, facts.now), auto=not repair_asked)


def disclosed_flaw(facts: Facts) -> Finding | None:
    """A quality claim on goods sold with the flaw (or near expiry) disclosed: a claim about that fails; a person
    checks the claim is about the disclosed one."""
    if facts.case.reason not in QUALITY_REASONS:
        return None
    disclosed = facts.disclosed_flaw()
    if disclosed is None:
        return None
    hit = RuleHit(
        rule="quality_claim_disclosed_flaw",
        reason=f"the listing disclosed the {disclosed} at sale: a claim about it fails; a person checks the claim is"
        " about that (the national 7-day rule: 销售时已明示的临期或有瑕疵的商品; seed 003: 實際收到貨物與網站上描述"
        "的有很大的出入的)",
    )
    return Finding(hit, _ruling(facts, Outcome.CLAIM_DENIED, Liability.BUYER, (hit,)), auto=False)


def quality_claim(facts: Facts) -> Finding | None:
    """Policy key: rules.penalty_points.<reason>. Buyer pictures and no seller rebuttal: the remedy asked for (a
    return, an exchange, a repair or a refund), the seller paying the postage both ways."""
    case = facts.case
    if case.reason not in QUALITY_REASONS:
        return None
    if not facts.has(Party.BUYER, PICTURES):
        hit = RuleHit(
            rule="quality_claim_unproven",
            reason="no verified photo or video from the buyer (seed 003: 可以讓客戶拍照取證,如果確實是,那麼就要主動"
            "為客戶承擔運費)",
        )
        return Finding(hit, _ruling(facts, Outcome.CLAIM_DENIED, Liability.BUYER, (hit,)), auto=False)
    contest = [CONTESTING_GROUNDS[g] for g in facts.counted_grounds() if g in CONTESTING_GROUNDS]
    if contest or facts.has(Party.SELLER, REBUTTALS):
        why = "; ".join(contest) if contest else "the seller submitted rebutting evidence"
        hit = RuleHit(
            rule="quality_claim_contested",
            reason=f"{why}: a person weighs it against the buyer's pictures (seed 004: 商家协查与举证…提供相关的"
            "商品质量合格证明)",
        )
        auto = False
    else:
        remedy = remedy_allowed(case)
        postage = "the seller pays the postage both ways" if remedy in RETURN_OUTCOMES else "nothing goes back"
        hit = RuleHit(
            rule="quality_claim_proven",
            reason=f"buyer photo/video evidence and no rebutting seller evidence: {remedy.value}, {postage}"
            " (seed 003: 質量問題退貨的,由我公司承擔訂購及退回運費; seed 004: 退货退款…换货…维修)",
        )
        auto = True
    ruling = granted(case, Liability.SELLER, (hit,), RULES_ACTOR, facts.now)
    return Finding(hit, _with_points(facts, ruling, case.reason.value), auto=auto)


def not_received(facts: Facts) -> Finding | None:
    """Carrier tracking showing no delivery: full refund, the carrier liable."""
    if facts.case.reason != ClaimReason.NOT_RECEIVED:
        return None
    statuses = facts.tracking()
    if statuses and all(status in NOT_DELIVERED for status in statuses):
        hit = RuleHit(
            rule="not_received_tracking",
            reason="carrier tracking shows no delivery: the carrier is liable"
            " (seed 002: 若您未收到货物…与物流公司核实货物情况)",
        )
        refund = _line(Payee.CARRIER, CompensationKind.REFUND, facts.case.amount_requested, facts)
        return Finding(hit, _ruling(facts, Outcome.REFUND_FULL, Liability.CARRIER, (hit,), (refund,)), auto=True)
    if SellerGround.DELIVERED in facts.counted_grounds():
        hit = RuleHit(
            rule="not_received_delivered",
            reason="the seller's ground delivered is backed by tracking showing the parcel signed for; signed for"
            " but not received is checked with the carrier by a person (seed 002: 如货物显示已签收,但实际未收到,"
            "建议您先联系卖家,让卖家帮助与物流公司核实货物情况)",
        )
        return Finding(hit, _ruling(facts, Outcome.CLAIM_DENIED, Liability.BUYER, (hit,)), auto=False)
    why = "tracking shows the parcel delivered" if statuses else "no carrier tracking evidence"
    hit = RuleHit(rule="not_received_unproven", reason=f"{why} (seed 002: 让卖家帮助与物流公司核实货物情况)")
    return Finding(hit, _ruling(facts, Outcome.CLAIM_DENIED, Liability.BUYER, (hit,)), auto=False)


def missing_items(facts: Facts) -> Finding | None:
    """Missing items need a carrier's or notary's statement; without one the claim is denied."""
    if facts.case.reason != ClaimReason.MISSING_ITEMS:
        return None
    if facts.has(Party.BUYER, frozenset({EvidenceKind.THIRD_PARTY_CERTIFICATE})):
        hit = RuleHit(
            rule="missing_items_certified",
            reason="a third-party statement confirms the missing items (seed 003: 需要有認可的第三方的證明才可以補發"
            "或者退還貨款)",
        )
        return Finding(hit, ruling_as_requested(facts.case, (hit,), RULES_ACTOR, facts.now), auto=True)
    hit = RuleHit(
        rule="missing_items_unproven",
        reason="no third-party (carrier or notary) statement (seed 003: 我公司不接受客戶單方面的因為少貨,要求退還貨款、"
        "補發的申請)",
    )
    return Finding(hit, _ruling(facts, Outcome.CLAIM_DENIED, Liability.BUYER, (hit,)), auto=True)


def damaged_in_transit(facts: Facts) -> Finding | None:
    """Damage in transit is the carrier's; a reviewer confirms from the pictures."""
    if facts.case.reason != ClaimReason.DAMAGED_IN_TRANSIT or not facts.has(Party.BUYER, PICTURES):
        return None
    hit = RuleHit(
        rule="damaged_in_transit",
        reason="buyer pictures of transit damage: the carrier is liable (seed 004: 运输损坏 … 物流责任)",
    )
    refund = _line(Payee.CARRIER, CompensationKind.REFUND, facts.case.amount_requested, facts)
    return Finding(hit, _ruling(facts, Outcome.REFUND_FULL, Liability.CARRIER, (hit,), (refund,)), auto=False)


DECISIVE_RULES: tuple[Rule, ...] = (
    outside_escalation_window,
    seller_default,
    counterfeit,
    refusing_ground,
    no_reason_return,
    disclosed_flaw,
    quality_claim,
    not_received,
    missing_items,
    damaged_in_transit,
)


# -- ruling builders -----------------------------------------------------------------------------


def _line(payer: Payee, kind: CompensationKind, amount: int, facts: Facts) -> CompensationLine:
    return CompensationLine(payer=payer, payee=Payee.BUYER, kind=kind, amount=amount, currency=facts.case.currency)


def _ruling(
    facts: Facts,
    outcome: Outcome,
    liability: Liability,
    hits: tuple[RuleHit, ...],
    compensation: tuple[CompensationLine, ...] = (),
) -> Ruling:
    return Ruling(
        outcome=outcome,
        liability=liability,
        compensation=compensation,
        rationale=hits,
        decided_by=RULES_ACTOR,
        decided_at=facts.now,
    )


def _with_points(facts: Facts, ruling: Ruling, finding: str) -> Ruling:
    points = facts.policy.rules.points_for(finding)
    if points <= 0 or ruling.liability != Liability.SELLER:
        return ruling
    penalty = Penalty(party=Party.SELLER, kind=PenaltyKind.POINTS, value=points)
    return ruling.model_copy(update={"penalties": (*ruling.penalties, penalty)})
