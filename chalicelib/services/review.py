"""Use cases of reviewers and appeals: claim, ask for information, rule, appeal."""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain import review, rulings
from chalicelib.domain.access import require_party
from chalicelib.domain.models import Actor, Dispute, Party, ReviewerDecision, Transition
from chalicelib.services.cases import apply_command
from chalicelib.services.context import Context


def claim(ctx: Context, actor: Actor, case_id: str, expected_version: int | None = None) -> Dispute:
    return apply_command(
        ctx,
        actor,
        case_id,
        "claim",
        lambda case, now: review.claim(case, actor, now),
        expected_version=expected_version,
    )


def request_information(
    ctx: Context,
    actor: Actor,
    case_id: str,
    parties: tuple[Party, ...],
    message: str,
    expected_version: int | None = None,
) -> Dispute:
    def command(case: Dispute, now: datetime) -> Transition:
        deadlines = ctx.deadlines(case.storefront_id)
        return review.request_information(case, actor, parties, message, deadlines, now)

    return apply_command(ctx, actor, case_id, "request_information", command, expected_version=expected_version)


def rule(
    ctx: Context, actor: Actor, case_id: str, decision: ReviewerDecision, expected_version: int | None = None
) -> Dispute:
    def command(case: Dispute, now: datetime) -> Transition:
        return rulings.issue_ruling(case, actor, decision, ctx.deadlines(case.storefront_id), now)

    return apply_command(ctx, actor, case_id, "rule", command, expected_version=expected_version)


def appeal(ctx: Context, actor: Actor, case_id: str, statement: str, expected_version: int | None = None) -> Dispute:
    def command(case: Dispute, now: datetime) -> Transition:
        party = require_party(actor, case)
        return review.appeal(case, actor, party, statement, ctx.deadlines(case.storefront_id), now)

    return apply_command(ctx, actor, case_id, "appeal", command, expected_version=expected_version)
