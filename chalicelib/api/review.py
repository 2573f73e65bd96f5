"""Reviewers and appeals: claim, ask for information, rule, appeal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice.app import Blueprint, Response

from chalicelib.api.http import current_actor, expected_version, json_response, parse_body, route
from chalicelib.lazy import lazy

if TYPE_CHECKING:
    import chalicelib.bootstrap as contexts
    from chalicelib.api import schemas
    from chalicelib.domain import views
    from chalicelib.services import review
else:  # loaded with the first request that needs them (chalicelib/lazy.py)
    schemas = lazy("chalicelib.api.schemas")
    views = lazy("chalicelib.domain.views")
    review = lazy("chalicelib.services.review")
    contexts = lazy("chalicelib.bootstrap")


bp = Blueprint(__name__)


@route(bp, "/v1/disputes/{dispute_id}/claim", "POST")
def claim(dispute_id: str) -> Response:
    actor = current_actor(bp.current_request)
    parse_body(bp.current_request, schemas.EmptyBody)
    case = review.claim(contexts.context(), actor, dispute_id, expected_version(bp.current_request))
    return json_response(views.dispute_view(case), version=case.version)


@route(bp, "/v1/disputes/{dispute_id}/info-requests", "POST")
def request_information(dispute_id: str) -> Response:
    actor = current_actor(bp.current_request)
    body = parse_body(bp.current_request, schemas.InfoRequestBody)
    case = review.request_information(
        contexts.context(),
        actor,
        dispute_id,
        tuple(dict.fromkeys(body.parties)),
        body.message,
        expected_version(bp.current_request),
    )
    return json_response(views.dispute_view(case), 201, version=case.version)


@route(bp, "/v1/disputes/{dispute_id}/ruling", "POST")
def rule(dispute_id: str) -> Response:
    actor = current_actor(bp.current_request)
    decision = parse_body(bp.current_request, schemas.RulingBody)
    case = review.rule(contexts.context(), actor, dispute_id, decision, expected_version(bp.current_request))
    return json_response(views.dispute_view(case), 201, version=case.version)


@route(bp, "/v1/disputes/{dispute_id}/appeal", "POST")
def appeal(dispute_id: str) -> Response:
    actor = current_actor(bp.current_request)
    body = parse_body(bp.current_request, schemas.AppealBody)
    case = review.appeal(contexts.context(), actor, dispute_id, body.statement, expected_version(bp.current_request))
    return json_response(views.dispute_view(case), 201, version=case.version)
