"""Rulings: what a reviewer (or the rules) decides, checked against the order it is about."""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain.errors import InvalidState, InvalidValue, RoleNotAllowed
from chalicelib.domain.lifecycle import advance, close_case, ensure_status, event, open_window
from chalicelib.domain.models import (
    Actor,
    CompensationLine,
    Dispute,
    Liability,
    Party,
    Payee,
    Penalty,
    Recommendation,
    Resolution,
    Role,
    Ruling,
    Status,
    Transition,
    WindowKind,
)
from chalicelib.domain.policy import Deadlines

PARTY_LIABILITY = {Party.SELLER: Liability.SELLER, Party.BUYER: Liability.BUYER}


def validate_ruling(case: Dispute, ruling: Ruling) -> None:
    """A remedy never exceeds what the buyer paid, in the order's currency, on the liable party."""
    problems: list[dict[str, str]] = []
    for index, line in enumerate(ruling.compensation):
        if line.currency != case.currency:
            problems.append({"field": f"compensation[{index}].currency", "message": f"must be {case.currency}"})
        if line.payer == line.payee:
            problems.append({"field": f"compensation[{index}].payee", "message": "payer and payee must differ"})
    to_buyer = sum(line.amount for line in ruling.compensation if line.payee == Payee.BUYER)
    if to_buyer > case.order_total:
        problems.append(
            {
                "field": "compensation",
                "message": f"compensation to the buyer ({to_buyer}) exceeds the order total ({case.order_total})",
            }
        )
    problems.extend(_penalty_problems(ruling.penalties, ruling.liability))
    if problems:
        raise InvalidValue("the ruling is not valid for this case", problems)


def _penalty_problems(penalties: tuple[Penalty, ...], liability: Liability) -> list[dict[str, str]]:
    return [
        {
            "field": f"penalties[{index}].party",
            "message": f"the {penalty.party.value} was not found liable",
        }
        for index, penalty in enumerate(penalties)
        if liability not in (PARTY_LIABILITY[penalty.party], Liability.SHARED)
    ]


def issue_ruling(case: Dispute, actor: Actor, ruling: Ruling, deadlines: Deadlines, now: datetime) -> Transition:
    """A reviewer decides; an appeal's ruling is final and closes the case."""
    ensure_status(case, Status.UNDER_REVIEW, Status.APPEALED)
    if case.window is None or case.window.kind != WindowKind.REVIEW:
        raise InvalidState("the case is not waiting for a reviewer yet", [{"status": case.status.value}])
    final = case.status == Status.APPEALED
    if final and actor.role != Role.SENIOR_REVIEWER:
        raise RoleNotAllowed("only a senior reviewer may decide an appeal")
    if final and case.ruling and case.ruling.decided_by == actor.sub:
        raise RoleNotAllowed("an appeal must be decided by a reviewer other than the first")
    validate_ruling(case, ruling)
    return record_ruling(case, ruling.model_copy(update={"final": final}), deadlines, now, actor=actor)


def record_ruling(
    case: Dispute,
    ruling: Ruling,
    deadlines: Deadlines,
    now: datetime,
    *,
    actor: Actor | None = None,
) -> Transition:
    ruled = event(
        case,
        now,
        "ruled",
        actor=actor,
        to_status=Status.RULED,
        reason=f"{ruling.outcome.value}, {ruling.liability.value} liable",
        outcome=ruling.outcome.value,
        decided_by=ruling.decided_by,
        final=ruling.final,
    )
    decided = advance(case, now, status=Status.RULED, ruling=ruling, window=None)
    if ruling.final:
        closed = close_case(
            decided,
            Resolution.RULED,
            now,
            reason="appeal decided; the ruling is final",
            actor=actor,
        )
        return Transition(case=closed.case, events=(ruled, *closed.events))
    appeal = open_window(decided, WindowKind.APPEAL, (Party.BUYER, Party.SELLER), deadlines, now)
    return Transition(case=appeal.case, events=(ruled, *appeal.events))


def apply_recommendation(
    case: Dispute, recommendation: Recommendation, deadlines: Deadlines, now: datetime
) -> Transition:
    """The rules have spoken: decide clear cases now, queue the rest for a reviewer."""
    ensure_status(case, Status.UNDER_REVIEW)
    if case.window is not None:
        raise InvalidState("rules already applied", [{"status": case.status.value}])
    recommended = advance(case, now, recommendation=recommendation, policy_version=recommendation.policy_version)
    fired = event(
        case,
        now,
        "rules_applied",
        reason=recommendation.decision,
        rules=[hit.rule for hit in recommendation.rules_fired],
        policy_version=recommendation.policy_version,
    )
    if recommendation.decision == "auto":
        after = record_ruling(recommended, recommendation.ruling, deadlines, now)
    else:
        after = open_window(
            recommended,
            WindowKind.REVIEW,
            (),
            deadlines,
            now,
            status=Status.UNDER_REVIEW,
            action="under_review",
            reason="queued for a reviewer",
        )
    return Transition(case=after.case, events=(fired, *after.events))


def compensation_total(lines: tuple[CompensationLine, ...], payee: Payee) -> int:
    return sum(line.amount for line in lines if line.payee == payee)
