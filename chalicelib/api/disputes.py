"""Disputes: escalate, list, read, the timeline, the seller's defence, and ending a party's window."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice.app import Blueprint, Response

from chalicelib.api.http import current_actor, expected_version, json_response, parse_body, parse_query, route
from chalicelib.lazy import lazy

if TYPE_CHECKING:
    import chalicelib.bootstrap as contexts
    from chalicelib.api import schemas
    from chalicelib.domain import finding, models, views
    from chalicelib.services import disputes
else:  # loaded with the first request that needs them (chalicelib/lazy.py)
    schemas = lazy("chalicelib.api.schemas")
    views = lazy("chalicelib.domain.views")
    models = lazy("chalicelib.domain.models")
    finding = lazy("chalicelib.domain.finding")
    disputes = lazy("chalicelib.services.disputes")
    contexts = lazy("chalicelib.bootstrap")


bp = Blueprint(__name__)


@route(bp, "/v1/disputes", "POST")
def escalate() -> Response:
    actor = current_actor(bp.current_request)
    body = parse_body(bp.current_request, schemas.EscalateBody)
    case = disputes.escalate(contexts.context(), actor, body.request_id, body.statement)
    return json_response(views.dispute_view(case), 201, {"Location": f"/v1/disputes/{case.id}"}, version=case.version)


@route(bp, "/v1/disputes", "GET")
def list_disputes() -> Response:
    actor = current_actor(bp.current_request)
    query = parse_query(bp.current_request, models.DisputeQuery)
    return json_response(views.page_view(disputes.list_disputes(contexts.context(), actor, query)))


@route(bp, "/v1/disputes/search", "GET")
def search_disputes() -> Response:
    actor = current_actor(bp.current_request)
    query = parse_query(bp.current_request, finding.CaseSearch)
    return json_response(views.page_view(disputes.search_disputes(contexts.context(), actor, query)))


@route(bp, "/v1/disputes/closed", "GET")
def closed_disputes() -> Response:
    actor = current_actor(bp.current_request)
    query = parse_query(bp.current_request, finding.ClosedQuery)
    return json_response(views.page_view(disputes.closed_disputes(contexts.context(), actor, query)))


@route(bp, "/v1/disputes/{dispute_id}", "GET")
def get_dispute(dispute_id: str) -> Response:
    actor = current_actor(bp.current_request)
    case = disputes.get_dispute(contexts.context(), actor, dispute_id)
    return json_response(views.dispute_view(case), version=case.version)


@route(bp, "/v1/disputes/{dispute_id}/events", "GET")
def list_events(dispute_id: str) -> Response:
    actor = current_actor(bp.current_request)
    events = disputes.list_events(contexts.context(), actor, dispute_id)
    return json_response({"items": [views.event_view(event) for event in events]})


@route(bp, "/v1/disputes/{dispute_id}/submit", "POST")
def submit(dispute_id: str) -> Response:
    actor = current_actor(bp.current_request)
    parse_body(bp.current_request, schemas.EmptyBody)
    case = disputes.submit(contexts.context(), actor, dispute_id, expected_version(bp.current_request))
    return json_response(views.dispute_view(case), 202, version=case.version)


@route(bp, "/v1/disputes/{dispute_id}/defence", "POST")
def state_defence(dispute_id: str) -> Response:
    actor = current_actor(bp.current_request)
    body = parse_body(bp.current_request, schemas.DefenceBody)
    case = disputes.state_defence(
        contexts.context(), actor, dispute_id, body.grounds, body.statement, expected_version(bp.current_request)
    )
    return json_response(views.dispute_view(case), 201, version=case.version)
