"""Use cases of reviewers and appeals: claim, ask for information, rule, appeal."""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain import review, rulings
from chalicelib.domain.access import require_party
from chalicelib.domain.models import Actor, Dispute, Party, ReviewerDecision, Transition
from chalicelib.services.cases import change
from chalicelib.services.context import Context


def claim(ctx: Context, actor: Actor, case_id: str, expected_version: int | None = None) -> Dispute:
    return change(
        ctx,
        case_id,
        lambda case, now: review.claim(case, actor, now),
        actor=actor,
        action="claim",
        expected_version=expected_version,
    ).case


def request_information(
    ctx: Context,
    actor: Actor,
    case_id: str,
    parties: tuple[Party, ...],
    message: str,
    expected_version: int | None = None,
) -> Dispute:
    def command(case: Dispute, now: datetime) -> Transition:
        deadlines = ctx.deadlines(case.storefront_id, case.policy_version)
        limit = ctx.policy(case.storefront_id, case.policy_version).limits.max_info_requests
        return review.request_information(case, actor, parties, message, deadlines, now, max_info_requests=limit)

    return change(
        ctx, case_id, command, actor=actor, action="request_information", expected_version=expected_version
    ).case


def rule(
    ctx: Context, actor: Actor, case_id: str, decision: ReviewerDecision, expected_version: int | None = None
) -> Dispute:
    def command(case: Dispute, now: datetime) -> Transition:
        deadlines, policy = (
            ctx.deadlines(case.storefront_id, case.policy_version),
            ctx.fulfilment(case.storefront_id, case.policy_version),
        )
        thresholds = ctx.policy(case.storefront_id, case.policy_version).rules
        return rulings.issue_ruling(case, actor, decision, deadlines, now, policy=policy, thresholds=thresholds)

    return change(ctx, case_id, command, actor=actor, action="rule", expected_version=expected_version).case


def appeal(ctx: Context, actor: Actor, case_id: str, statement: str, expected_version: int | None = None) -> Dispute:
    def command(case: Dispute, now: datetime) -> Transition:
        party = require_party(actor, case)
        return review.appeal(case, actor, party, statement, ctx.deadlines(case.storefront_id, case.policy_version), now)

    return change(ctx, case_id, command, actor=actor, action="appeal", expected_version=expected_version).case
