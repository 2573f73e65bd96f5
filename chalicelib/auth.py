"""Bearer tokens to Actors. RS256 against the platform's JWKS in AWS; HS256 with the dev secret locally.

PyJWT pulls in `cryptography` (~25 ms), so it is imported on the first request that
needs it, not when the Lambda package loads: the workflow Lambdas never do.
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from chalicelib.config import Settings, settings
from chalicelib.domain.errors import Unauthenticated
from chalicelib.domain.models import Actor

if TYPE_CHECKING:
    import jwt
else:
    jwt = None  # bound by _jwt() on first use

REQUIRED_CLAIMS = ["exp", "sub", "role", "storefront_id"]


def _jwt() -> Any:
    global jwt  # noqa: PLW0603 - a module imported once, on first use
    if jwt is None:
        jwt = importlib.import_module("jwt")
    return jwt


@cache
def _jwks_client(url: str) -> jwt.PyJWKClient:
    """Keys cached for 10 minutes; an unknown `kid` refetches at most every 30 s (PyJWT's cooldown)."""
    client: jwt.PyJWKClient = _jwt().PyJWKClient(url, cache_keys=True, lifespan=600, timeout=5)
    return client


def _claims(token: str, config: Settings) -> dict[str, Any]:
    if config.jwks_url:
        key = _jwks_client(config.jwks_url).get_signing_key_from_jwt(token).key
        return jwt.decode(
            token,
            key,
            algorithms=["RS256"],
            audience=config.jwt_audience,
            issuer=config.jwt_issuer,
            options={"require": REQUIRED_CLAIMS, "verify_aud": config.jwt_audience is not None},
        )
    if config.is_local and config.dev_jwt_secret:
        return jwt.decode(token, config.dev_jwt_secret, algorithms=["HS256"], options={"require": REQUIRED_CLAIMS})
    raise Unauthenticated("no token verifier is configured (set JWKS_URL)")


def authenticate(authorization: str | None) -> Actor:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("send 'Authorization: Bearer <token>'")
    invalid_token = _jwt().PyJWTError
    try:
        claims = _claims(token.strip(), settings())
        return Actor.model_validate({key: claims.get(key) for key in ("sub", "role", "storefront_id")})
    except invalid_token as error:
        raise Unauthenticated(f"invalid token: {error}") from error
    except ValidationError as error:
        raise Unauthenticated("the token's sub, role or storefront_id claim is not valid") from error
