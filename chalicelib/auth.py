"""Bearer tokens to Actors. RS256 against the platform's JWKS in AWS; HS256 with the dev secret locally.

PyJWT pulls in `cryptography` (~25 ms), so it is imported on the first request that
needs it, not when the Lambda package loads: the workflow Lambdas never do.
"""

from __future__ import annotations

import importlib
import time
from functools import cache
from typing import TYPE_CHECKING, Any, NamedTuple

from pydantic import ValidationError

from chalicelib.config import Settings, settings
from chalicelib.domain.errors import Unauthenticated
from chalicelib.domain.models import Actor

if TYPE_CHECKING:
    import jwt
else:
    jwt = None  # bound by _jwt() on first use

REQUIRED_CLAIMS = ["exp", "sub", "role", "storefront_id"]
TIME_CLAIMS = ("exp", "iat", "nbf")
# 9999-12-31T23:59:59Z. PyJWT compares a time claim as any integer, so an `exp` of 10**400 passes it.
LATEST_TIME_CLAIM = 253_402_300_799


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


class _Verified(NamedTuple):
    actor: Actor
    expires_at: float  # the token's `exp`
    trusted_until: float


# A client sends the same token with every request; checking its signature and claims once and
# remembering the result is what an API Gateway authorizer's result cache does. A remembered token
# still stops working at its `exp`, and is checked again after TRUST_SECONDS (a key removed
# from the JWKS stops opening doors within that). Keyed by the verifier's settings too: another
# verifier, another check.
TRUST_SECONDS = 300
MAX_REMEMBERED = 4096
_verified: dict[tuple[str, tuple[str | None, ...]], _Verified] = {}
_clock = time.time  # tests move it


def authenticate(authorization: str | None) -> Actor:
    scheme, _, token = (authorization or "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthenticated("send 'Authorization: Bearer <token>'")
    config, now = settings(), _clock()
    key = (token, (config.runtime, config.jwks_url, config.jwt_issuer, config.jwt_audience, config.dev_jwt_secret))
    remembered = _verified.get(key)
    if remembered is not None and now < min(remembered.expires_at, remembered.trusted_until):
        return remembered.actor
    actor, expires_at = _verify(token, config)
    if len(_verified) >= MAX_REMEMBERED:
        _verified.clear()  # a crude bound, but one refill costs only what no cache would
    _verified[key] = _Verified(actor, expires_at, now + TRUST_SECONDS)
    return actor


def _verify(token: str, config: Settings) -> tuple[Actor, float]:
    invalid_token = _jwt().PyJWTError
    try:
        claims = _claims(token, config)
        actor = Actor.model_validate({key: claims.get(key) for key in ("sub", "role", "storefront_id")})
    except invalid_token as error:
        raise Unauthenticated(f"invalid token: {error}") from error
    except OverflowError as error:  # older PyJWT releases (pyproject allows 2.8) let int() of an inf claim escape
        raise Unauthenticated("invalid token: a time claim is out of range") from error
    except ValidationError as error:
        raise Unauthenticated("the token's sub, role or storefront_id claim is not valid") from error
    return actor, _expires_at(claims)


def _expires_at(claims: dict[str, Any]) -> float:
    """The token's `exp`, once every time claim is a JSON number of seconds between 1970 and 9999."""
    for name in TIME_CLAIMS:
        value = claims.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= LATEST_TIME_CLAIM:
            raise Unauthenticated(f"invalid token: the {name} claim is not a time between 1970 and 9999")
    return float(claims["exp"])
