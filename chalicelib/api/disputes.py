"""Disputes: escalate, read, act in a window, rule."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from chalicelib.api.http import current_actor, expected_version, json_response, parse_body, route
from chalicelib.api.schemas import EmptyBody, EscalateBody, RulingBody
from chalicelib.api.views import dispute_view, event_view
from chalicelib.domain.models import Ruling
from chalicelib.services import disputes
from chalicelib.services.context import context

bp = Blueprint(__name__)


@route(bp, "/v1/disputes", "POST")
def escalate() -> Response:
    actor = current_actor(bp.current_request, "escalate")
    body = parse_body(bp.current_request, EscalateBody)
    case = disputes.escalate(context(), actor, body.request_id, body.statement)
    return json_response(dispute_view(case), 201, {"Location": f"/v1/disputes/{case.id}"})


@route(bp, "/v1/disputes/{dispute_id}", "GET")
def get_dispute(dispute_id: str) -> Response:
    actor = current_actor(bp.current_request, "view_case")
    return json_response(dispute_view(disputes.get_dispute(context(), actor, dispute_id)))


@route(bp, "/v1/disputes/{dispute_id}/events", "GET")
def list_events(dispute_id: str) -> Response:
    actor = current_actor(bp.current_request, "view_events")
    events = disputes.list_events(context(), actor, dispute_id)
    return json_response({"items": [event_view(event) for event in events]})


@route(bp, "/v1/disputes/{dispute_id}/submit", "POST")
def submit(dispute_id: str) -> Response:
    actor = current_actor(bp.current_request, "submit")
    parse_body(bp.current_request, EmptyBody)
    case = disputes.submit(context(), actor, dispute_id, expected_version(bp.current_request))
    return json_response(dispute_view(case), 202)


@route(bp, "/v1/disputes/{dispute_id}/ruling", "POST")
def rule(dispute_id: str) -> Response:
    actor = current_actor(bp.current_request, "rule")
    body = parse_body(bp.current_request, RulingBody)
    ctx = context()
    ruling = Ruling(
        **body.model_dump(),
        decided_by=actor.sub,
        decided_at=ctx.clock(),
    )
    case = disputes.rule(ctx, actor, dispute_id, ruling, expected_version(bp.current_request))
    return json_response(dispute_view(case), 201)
