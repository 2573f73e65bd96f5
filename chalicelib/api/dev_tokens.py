"""`POST /v1/dev/tokens`: a reviewer token for the console, on the local runtime only (404 in AWS)."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from chalicelib.api.http import json_response, parse_body, route
from chalicelib.api.schemas import DevTokenBody
from chalicelib.domain.models import Role, iso
from chalicelib.services.context import context
from chalicelib.services.dev_tokens import mint_reviewer_token, require_enabled

bp = Blueprint(__name__)


@route(bp, "/v1/dev/tokens", "POST")
def mint_dev_token() -> Response:
    """No bearer token: this is how a local reviewer gets one. Tokens are never logged."""
    ctx = context()
    require_enabled(ctx.settings)  # before reading the body: in AWS nothing here may answer but 404
    body = parse_body(bp.current_request, DevTokenBody)
    minted = mint_reviewer_token(ctx.settings, Role(body.role), body.sub, ctx.clock())
    return json_response(
        {
            "token": minted.token,
            "token_type": "Bearer",
            "sub": minted.actor.sub,
            "role": minted.actor.role.value,
            "storefront_id": minted.actor.storefront_id,
            "expires_at": iso(minted.expires_at),
        },
        201,
        {"Cache-Control": "no-store"},
    )
