"""Messages on a case: post one to an audience, read the thread (only what the caller may read)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice.app import Blueprint, Response

from chalicelib.api.http import current_actor, expected_version, json_response, parse_body, parse_query, route
from chalicelib.lazy import lazy

if TYPE_CHECKING:
    import chalicelib.bootstrap as contexts
    from chalicelib.api import schemas
    from chalicelib.domain import messages as domain
    from chalicelib.services import messages
else:  # loaded with the first request that needs them (chalicelib/lazy.py)
    schemas = lazy("chalicelib.api.schemas")
    domain = lazy("chalicelib.domain.messages")
    messages = lazy("chalicelib.services.messages")
    contexts = lazy("chalicelib.bootstrap")


bp = Blueprint(__name__)


@route(bp, "/v1/disputes/{dispute_id}/messages", "POST")
def post_message(dispute_id: str) -> Response:
    actor = current_actor(bp.current_request)
    body = parse_body(bp.current_request, schemas.MessageBody)
    posted = messages.post_message(
        contexts.context(),
        actor,
        dispute_id,
        body.text,
        body.audience,
        body.evidence_ids,
        expected_version(bp.current_request),
    )
    return json_response(domain.view(posted.message), 201, version=posted.case.version)


@route(bp, "/v1/disputes/{dispute_id}/messages", "GET")
def list_messages(dispute_id: str) -> Response:
    actor = current_actor(bp.current_request)
    query = parse_query(bp.current_request, schemas.MessageQuery)
    page = messages.list_messages(contexts.context(), actor, dispute_id, query.limit, query.cursor)
    return json_response({"items": [domain.view(item) for item in page.items], "next_cursor": page.cursor})
