"""Reviewers and appeals: claim, ask for information, rule, appeal."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from chalicelib.api.http import current_actor, expected_version, json_response, parse_body, route
from chalicelib.api.schemas import AppealBody, EmptyBody, InfoRequestBody, RulingBody
from chalicelib.api.views import dispute_view
from chalicelib.services import review
from chalicelib.services.context import context

bp = Blueprint(__name__)


@route(bp, "/v1/disputes/{dispute_id}/claim", "POST")
def claim(dispute_id: str) -> Response:
    actor = current_actor(bp.current_request)
    parse_body(bp.current_request, EmptyBody)
    return json_response(dispute_view(review.claim(context(), actor, dispute_id, expected_version(bp.current_request))))


@route(bp, "/v1/disputes/{dispute_id}/info-requests", "POST")
def request_information(dispute_id: str) -> Response:
    actor = current_actor(bp.current_request)
    body = parse_body(bp.current_request, InfoRequestBody)
    case = review.request_information(
        context(),
        actor,
        dispute_id,
        tuple(dict.fromkeys(body.parties)),
        body.message,
        expected_version(bp.current_request),
    )
    return json_response(dispute_view(case), 201)


@route(bp, "/v1/disputes/{dispute_id}/ruling", "POST")
def rule(dispute_id: str) -> Response:
    actor = current_actor(bp.current_request)
    decision = parse_body(bp.current_request, RulingBody)
    case = review.rule(context(), actor, dispute_id, decision, expected_version(bp.current_request))
    return json_response(dispute_view(case), 201)


@route(bp, "/v1/disputes/{dispute_id}/appeal", "POST")
def appeal(dispute_id: str) -> Response:
    actor = current_actor(bp.current_request)
    body = parse_body(bp.current_request, AppealBody)
    case = review.appeal(context(), actor, dispute_id, body.statement, expected_version(bp.current_request))
    return json_response(dispute_view(case), 201)
