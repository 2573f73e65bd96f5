"""Use cases of the main flow: record a request, escalate it, act in a window, rule."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain import defence, lifecycle, messages
from chalicelib.domain.access import REVIEWERS, require_party, require_role, require_visible
from chalicelib.domain.errors import Duplicate, NotFound
from chalicelib.domain.finding import CaseSearch, ClosedQuery
from chalicelib.domain.models import (
    Actor,
    AfterSalesFacts,
    AfterSalesRequest,
    AuditEvent,
    Dispute,
    DisputeQuery,
    Page,
    Role,
    SellerGround,
    Status,
    Transition,
)
from chalicelib.domain.workflow import next_step
from chalicelib.observability import logger
from chalicelib.services.cases import change, create, load_visible
from chalicelib.services.context import Context


@dataclass(frozen=True)
class RecordedRequest:
    request: AfterSalesRequest
    created: bool


def record_request(ctx: Context, actor: Actor, request_id: str, facts: AfterSalesFacts) -> RecordedRequest:
    """Record the storefront's request, or correct it until it is escalated; it keeps its first `recorded_at`."""
    require_role(actor, "record_request")
    request = AfterSalesRequest(
        **facts.model_dump(), request_id=request_id, storefront_id=actor.storefront_id, recorded_at=ctx.clock()
    )
    first = ctx.cases.put_request(request)
    if first is None:
        return RecordedRequest(request=request, created=True)
    return RecordedRequest(request=request.model_copy(update={"recorded_at": first}), created=False)


def escalate(ctx: Context, actor: Actor, request_id: str, statement: str) -> Dispute:
    """The buyer (or its storefront) asks the platform to step in; one case per request."""
    require_role(actor, "escalate")
    request, in_force = ctx.cases.request_and_policy(actor.storefront_id, request_id)
    if request is None or (actor.role == Role.BUYER and request.buyer_id != actor.sub):
        raise NotFound(f"no after-sales request {request_id}")
    if request.dispute_id:
        _make_sure_it_runs(ctx, request.dispute_id)
        raise _already_escalated(request.dispute_id)
    policy = ctx.policies.in_force_as_read(request.storefront_id, in_force)  # the case keeps this version
    transition = lifecycle.open_case(
        request,
        actor,
        statement,
        f"dsp_{uuid.uuid4().hex}",
        policy.version,
        ctx.deadlines(request.storefront_id, policy.version),
        ctx.clock(),
    )
    try:
        case = create(ctx, transition)
    except Duplicate:
        winner = ctx.cases.get_request(actor.storefront_id, request_id)
        raise _already_escalated(winner.dispute_id if winner else None) from None
    logger.info("dispute escalated", extra={"case_id": case.id, "request_id": request_id})
    return case


def _make_sure_it_runs(ctx: Context, case_id: str) -> None:
    """A retried escalation whose first attempt stored the case but died before starting its workflow
    would otherwise leave a case with no timers: starting is idempotent (the execution is named after the
    case), so a duplicate costs one call and heals that."""
    case = ctx.cases.get(case_id)
    if case is not None and case.status != Status.CLOSED:
        ctx.workflow.start(next_step(case, ctx.clock()))


def _already_escalated(dispute_id: str | None) -> Duplicate:
    return Duplicate("this after-sales request was already escalated", [{"dispute_id": dispute_id}])


def get_dispute(ctx: Context, actor: Actor, case_id: str) -> Dispute:
    return load_visible(ctx, actor, case_id, "view_case")


def list_events(ctx: Context, actor: Actor, case_id: str) -> list[AuditEvent]:
    """The timeline, read in the same request as the case it is authorized on; a message's line only for those
    who may read the message."""
    require_role(actor, "view_events")
    case, events = ctx.cases.with_events(case_id) or (None, [])
    shown = messages.visibility(actor, require_visible(actor, case, case_id))
    return [event for event in events if messages.on_timeline(shown, event)]


def submit(ctx: Context, actor: Actor, case_id: str, expected_version: int | None = None) -> Dispute:
    """A party ends its own window now instead of at the deadline."""

    def command(case: Dispute, now: datetime) -> Transition:
        return lifecycle.submit(
            case, actor, require_party(actor, case), ctx.deadlines(case.storefront_id, case.policy_version), now
        )

    return change(ctx, case_id, command, actor=actor, action="submit", expected_version=expected_version).case


def state_defence(
    ctx: Context,
    actor: Actor,
    case_id: str,
    grounds: list[SellerGround],
    statement: str,
    expected_version: int | None = None,
) -> Dispute:
    """The seller's grounds for refusing, on the case for the buyer and reviewers to read; its window stays open."""
    return change(
        ctx,
        case_id,
        lambda case, now: defence.state_defence(case, actor, require_party(actor, case), grounds, statement, now),
        actor=actor,
        action="state_defence",
        expected_version=expected_version,
    ).case


def list_disputes(ctx: Context, actor: Actor, query: DisputeQuery) -> Page:
    """Own cases for parties and storefronts; the review queues, oldest due first, for reviewers."""
    require_role(actor, "list_cases")
    page = (query.status, query.limit, query.cursor, query.reason)
    if actor.role in REVIEWERS:
        return ctx.cases.queue(query.queue or "review", *page)
    if actor.role == Role.BUYER:
        return ctx.cases.of_buyer(actor.storefront_id, actor.sub, *page)
    if actor.role == Role.SELLER:
        return ctx.cases.of_seller(actor.storefront_id, actor.sub, *page)
    return ctx.cases.of_storefront(actor.storefront_id, *page)


def search_disputes(ctx: Context, actor: Actor, query: CaseSearch) -> Page:
    """Reviewers find a case by its order, buyer or seller, whatever queue (or none) it is in."""
    require_role(actor, "find_cases")
    return ctx.cases.search(query)


def closed_disputes(ctx: Context, actor: Actor, query: ClosedQuery) -> Page:
    """Reviewers browse closed cases, most recently closed first, by reason, outcome, decider and date."""
    require_role(actor, "find_cases")
    return ctx.cases.closed(query)
