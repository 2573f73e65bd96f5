"""Dev reviewer tokens exist on the local runtime only, and only for reviewers."""

from __future__ import annotations

from datetime import timedelta

import jwt
import pytest

from chalicelib.config import DEV_JWT_SECRET, Settings
from chalicelib.domain.errors import NotFound, RoleNotAllowed
from chalicelib.domain.models import Role
from chalicelib.services.dev_tokens import DEV_TOKEN_LIFETIME, mint_reviewer_token
from tests.factories import NOW

RESOURCES = {"table_name": "t", "evidence_bucket": "b", "state_machine_arn": "arn:sm"}
LOCAL = Settings(runtime="local", dev_jwt_secret=DEV_JWT_SECRET, **RESOURCES)


def test_the_local_runtime_mints_a_reviewer_token_signed_with_the_dev_secret() -> None:
    minted = mint_reviewer_token(LOCAL, Role.REVIEWER, "rev-9", NOW)

    claims = jwt.decode(minted.token, DEV_JWT_SECRET, algorithms=["HS256"], options={"verify_exp": False})
    assert (claims["sub"], claims["role"], claims["storefront_id"]) == ("rev-9", "reviewer", "platform")
    assert claims["exp"] == int((NOW + DEV_TOKEN_LIFETIME).timestamp())
    assert minted.expires_at - NOW == timedelta(hours=8)


@pytest.mark.parametrize(
    "config",
    [
        pytest.param(Settings(**RESOURCES), id="aws"),
        pytest.param(
            Settings(runtime="aws", dev_jwt_secret=DEV_JWT_SECRET, **RESOURCES), id="aws with a dev secret set"
        ),
        pytest.param(LOCAL.model_copy(update={"jwks_url": "https://id.example/jwks"}), id="local with a real IdP"),
        pytest.param(LOCAL.model_copy(update={"dev_jwt_secret": None}), id="local without a secret"),
    ],
)
def test_anywhere_else_there_is_no_such_thing(config: Settings) -> None:
    with pytest.raises(NotFound):
        mint_reviewer_token(config, Role.REVIEWER, "rev-9", NOW)


@pytest.mark.parametrize("role", [Role.BUYER, Role.SELLER, Role.STOREFRONT])
def test_only_reviewer_roles_are_minted(role: Role) -> None:
    with pytest.raises(RoleNotAllowed):
        mint_reviewer_token(LOCAL, role, "someone", NOW)
