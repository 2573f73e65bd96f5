"""Disputes: escalate, list, read, the timeline, and ending a party's window."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from chalicelib.api.http import current_actor, expected_version, json_response, parse_body, parse_query, route
from chalicelib.api.schemas import EmptyBody, EscalateBody
from chalicelib.api.views import dispute_view, event_view, page_view
from chalicelib.domain.models import DisputeQuery
from chalicelib.services import disputes
from chalicelib.services.context import context

bp = Blueprint(__name__)


@route(bp, "/v1/disputes", "POST")
def escalate() -> Response:
    actor = current_actor(bp.current_request)
    body = parse_body(bp.current_request, EscalateBody)
    case = disputes.escalate(context(), actor, body.request_id, body.statement)
    return json_response(dispute_view(case), 201, {"Location": f"/v1/disputes/{case.id}"})


@route(bp, "/v1/disputes", "GET")
def list_disputes() -> Response:
    actor = current_actor(bp.current_request)
    query = parse_query(bp.current_request, DisputeQuery)
    return json_response(page_view(disputes.list_disputes(context(), actor, query)))


@route(bp, "/v1/disputes/{dispute_id}", "GET")
def get_dispute(dispute_id: str) -> Response:
    actor = current_actor(bp.current_request)
    return json_response(dispute_view(disputes.get_dispute(context(), actor, dispute_id)))


@route(bp, "/v1/disputes/{dispute_id}/events", "GET")
def list_events(dispute_id: str) -> Response:
    actor = current_actor(bp.current_request)
    events = disputes.list_events(context(), actor, dispute_id)
    return json_response({"items": [event_view(event) for event in events]})


@route(bp, "/v1/disputes/{dispute_id}/submit", "POST")
def submit(dispute_id: str) -> Response:
    actor = current_actor(bp.current_request)
    parse_body(bp.current_request, EmptyBody)
    case = disputes.submit(context(), actor, dispute_id, expected_version(bp.current_request))
    return json_response(dispute_view(case), 202)
