"""Reviewer tokens minted by the service itself, for the console on the local runtime only.

In AWS tokens come from the platform's identity provider (RS256, JWKS); there this
use case answers 404 as if it did not exist. Locally it signs with the dev secret,
exactly as `python -m localrun.tokens` does, and only for platform staff: reviewers and platform admins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chalicelib.config import Settings
from chalicelib.domain.errors import NotFound, RoleNotAllowed
from chalicelib.domain.models import Actor, Role

DEV_TOKEN_ROLES = frozenset({Role.REVIEWER, Role.SENIOR_REVIEWER, Role.PLATFORM_ADMIN})
DEV_TOKEN_LIFETIME = timedelta(hours=8)
PLATFORM = "platform"  # reviewers and platform admins are platform staff, not a storefront's


def _jwt_encode(claims: dict[str, Any], secret: str) -> str:
    import jwt  # noqa: PLC0415 - local-only path; keeps cryptography out of the Lambda's import

    return jwt.encode(claims, secret, algorithm="HS256")


@dataclass(frozen=True)
class DevToken:
    token: str
    actor: Actor
    expires_at: datetime


def dev_tokens_enabled(config: Settings) -> bool:
    """Only the local runtime with its dev secret, and never when a real identity provider is configured."""
    return config.is_local and bool(config.dev_jwt_secret) and not config.jwks_url


def require_enabled(config: Settings) -> str:
    """The dev secret, or a 404 that says no more than an unknown route would."""
    if not dev_tokens_enabled(config) or config.dev_jwt_secret is None:
        raise NotFound("not found")
    return config.dev_jwt_secret


def mint_reviewer_token(config: Settings, role: Role, sub: str, now: datetime) -> DevToken:
    secret = require_enabled(config)
    if role not in DEV_TOKEN_ROLES:
        raise RoleNotAllowed("dev tokens are minted for reviewers, senior reviewers and platform admins only")
    actor = Actor(sub=sub, role=role, storefront_id=PLATFORM)
    expires_at = now + DEV_TOKEN_LIFETIME
    claims = {"sub": sub, "role": role.value, "storefront_id": PLATFORM, "exp": int(expires_at.timestamp())}
    return DevToken(
        token=_jwt_encode(claims, secret),
        actor=actor,
        expires_at=expires_at,
    )
