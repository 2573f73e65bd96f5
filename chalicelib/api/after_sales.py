"""Storefronts record after-sales requests the seller rejected or ignored."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from chalicelib.api.http import current_actor, json_response, parse_body, route
from chalicelib.api.views import request_view
from chalicelib.domain.models import AfterSalesFacts
from chalicelib.services import disputes
from chalicelib.services.context import context

bp = Blueprint(__name__)


@route(bp, "/v1/after-sales/{request_id}", "PUT")
def put_after_sales_request(request_id: str) -> Response:
    actor = current_actor(bp.current_request)
    facts = parse_body(bp.current_request, AfterSalesFacts)
    recorded = disputes.record_request(context(), actor, request_id, facts)
    return json_response(request_view(recorded.request), 201 if recorded.created else 200)
