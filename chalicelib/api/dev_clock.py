"""`POST /v1/dev/disputes/{id}/advance`: the local runtime's test clock (404 in AWS).

Ends the window the case waits on as if its deadline had passed, through the same state
machine path a real timeout takes (chalicelib/services/dev_clock.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice.app import Blueprint, Response

from chalicelib.api.http import current_actor, expected_version, json_response, parse_body, route
from chalicelib.lazy import lazy

if TYPE_CHECKING:
    import chalicelib.bootstrap as contexts
    from chalicelib.api import schemas
    from chalicelib.domain import views
    from chalicelib.services import dev_clock
else:  # loaded with the first request that needs them (chalicelib/lazy.py)
    schemas = lazy("chalicelib.api.schemas")
    views = lazy("chalicelib.domain.views")
    dev_clock = lazy("chalicelib.services.dev_clock")
    contexts = lazy("chalicelib.bootstrap")


bp = Blueprint(__name__)


@route(bp, "/v1/dev/disputes/{dispute_id}/advance", "POST")
def advance(dispute_id: str) -> Response:
    actor = current_actor(bp.current_request)
    parse_body(bp.current_request, schemas.EmptyBody)
    case = dev_clock.advance(contexts.context(), actor, dispute_id, expected_version(bp.current_request))
    return json_response(views.dispute_view(case), 202, version=case.version)
