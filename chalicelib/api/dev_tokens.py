"""`POST /v1/dev/tokens`: a reviewer token for the console, on the local runtime only (404 in AWS)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice.app import Blueprint, Response

from chalicelib.api.http import json_response, parse_body, route
from chalicelib.lazy import lazy

if TYPE_CHECKING:
    import chalicelib.bootstrap as contexts
    import chalicelib.services.dev_tokens as dev_tokens_service
    from chalicelib.api import schemas
    from chalicelib.domain import models
else:  # loaded with the first request that needs them (chalicelib/lazy.py)
    schemas = lazy("chalicelib.api.schemas")
    models = lazy("chalicelib.domain.models")
    contexts = lazy("chalicelib.bootstrap")
    dev_tokens_service = lazy("chalicelib.services.dev_tokens")


bp = Blueprint(__name__)


@route(bp, "/v1/dev/tokens", "POST")
def mint_dev_token() -> Response:
    """No bearer token: this is how a local reviewer gets one. Tokens are never logged."""
    ctx = contexts.context()
    dev_tokens_service.require_enabled(ctx.settings)  # before reading the body: in AWS nothing here may answer but 404
    body = parse_body(bp.current_request, schemas.DevTokenBody)
    minted = dev_tokens_service.mint_reviewer_token(ctx.settings, models.Role(body.role), body.sub, ctx.clock())
    return json_response(
        {
            "token": minted.token,
            "token_type": "Bearer",
            "sub": minted.actor.sub,
            "role": minted.actor.role.value,
            "storefront_id": minted.actor.storefront_id,
            "expires_at": models.iso(minted.expires_at),
        },
        201,
        {"Cache-Control": "no-store"},
    )
