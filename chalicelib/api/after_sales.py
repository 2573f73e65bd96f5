"""Storefronts record after-sales requests the seller rejected or ignored."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice.app import Blueprint, Response

from chalicelib.api.http import current_actor, json_response, parse_body, route
from chalicelib.lazy import lazy

if TYPE_CHECKING:
    import chalicelib.bootstrap as contexts
    from chalicelib.domain import models, views
    from chalicelib.services import disputes
else:  # loaded with the first request that needs them (chalicelib/lazy.py)
    views = lazy("chalicelib.domain.views")
    models = lazy("chalicelib.domain.models")
    disputes = lazy("chalicelib.services.disputes")
    contexts = lazy("chalicelib.bootstrap")


bp = Blueprint(__name__)


@route(bp, "/v1/after-sales/{request_id}", "PUT")
def put_after_sales_request(request_id: str) -> Response:
    actor = current_actor(bp.current_request)
    facts = parse_body(bp.current_request, models.AfterSalesFacts)
    recorded = disputes.record_request(contexts.context(), actor, request_id, facts)
    return json_response(views.request_view(recorded.request), 201 if recorded.created else 200)
