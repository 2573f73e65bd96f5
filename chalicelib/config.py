"""Settings read once from the environment and validated, so a missing variable fails clearly."""

from __future__ import annotations

import os
from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

DEV_JWT_SECRET = "dev-only-disputes-secret-never-use-in-production"  # noqa: S105 (documented local default)


class SettingsError(RuntimeError):
    pass


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    runtime: Literal["aws", "local"] = "aws"
    table_name: str = Field(min_length=1)
    evidence_bucket: str = Field(min_length=1)
    state_machine_arn: str = Field(min_length=1)
    webhook_queue_url: str = ""
    webhook_dlq_url: str = ""
    webhook_timeout_seconds: float = Field(default=5.0, gt=0, le=30)
    webhook_retry_scale: float | None = Field(default=None, gt=0, le=1.0)  # None: follow deadline_scale
    webhook_secret_grace_seconds: int = Field(default=86_400, ge=0)
    webhook_disable_after_seconds: float = Field(default=3 * 86_400, gt=0)  # failing this long disables
    deadline_scale: float = Field(default=1.0, gt=0, le=1.0)
    dev_jwt_secret: str | None = None
    jwks_url: str | None = None
    jwt_issuer: str | None = None
    jwt_audience: str | None = None
    policy_dir: str | None = None
    cursor_secret: str | None = Field(default=None, min_length=32)
    # Messages a case may hold (DESIGN section 11: 500); smaller only to test the cap quickly.
    max_messages_per_case: int = Field(default=500, ge=1, le=500)

    @model_validator(mode="after")
    def _issuer_with_jwks(self) -> Settings:
        """A JWKS alone accepts any token its keys signed: pin the issuer (and the audience where tokens have one)."""
        if self.jwks_url and not self.jwt_issuer:
            raise ValueError("JWKS_URL needs JWT_ISSUER")
        return self

    @property
    def is_local(self) -> bool:
        return self.runtime == "local"

    @property
    def cursor_signing_key(self) -> str:
        """What signs pagination cursors: CURSOR_SECRET (from Secrets Manager in AWS); locally a dev default."""
        if self.cursor_secret:
            return self.cursor_secret
        if self.is_local:
            return f"cursors:{self.dev_jwt_secret or DEV_JWT_SECRET}"
        raise SettingsError("missing environment variable CURSOR_SECRET: it signs pagination cursors")


ENVIRONMENT = {
    "runtime": "DISPUTES_RUNTIME",
    "table_name": "TABLE_NAME",
    "evidence_bucket": "EVIDENCE_BUCKET",
    "state_machine_arn": "STATE_MACHINE_ARN",
    "webhook_queue_url": "WEBHOOK_QUEUE_URL",
    "webhook_dlq_url": "WEBHOOK_DLQ_URL",
    "webhook_timeout_seconds": "WEBHOOK_TIMEOUT_SECONDS",
    "webhook_retry_scale": "WEBHOOK_RETRY_SCALE",
    "webhook_secret_grace_seconds": "WEBHOOK_SECRET_GRACE_SECONDS",
    "webhook_disable_after_seconds": "WEBHOOK_DISABLE_AFTER_SECONDS",
    "deadline_scale": "DEADLINE_SCALE",
    "dev_jwt_secret": "DISPUTES_DEV_JWT_SECRET",
    "jwks_url": "JWKS_URL",
    "jwt_issuer": "JWT_ISSUER",
    "jwt_audience": "JWT_AUDIENCE",
    "policy_dir": "POLICY_DIR",
    "cursor_secret": "CURSOR_SECRET",
    "max_messages_per_case": "MAX_MESSAGES_PER_CASE",
}


@cache
def settings() -> Settings:
    values = {field: os.environ[name] for field, name in ENVIRONMENT.items() if os.environ.get(name)}
    try:
        loaded = Settings.model_validate(values)
    except ValidationError as error:
        names = ", ".join(ENVIRONMENT[str(e["loc"][0])] if e["loc"] else e["msg"] for e in error.errors())
        raise SettingsError(f"missing or invalid environment variables: {names}") from error
    if loaded.is_local and not loaded.dev_jwt_secret:
        loaded = loaded.model_copy(update={"dev_jwt_secret": DEV_JWT_SECRET})
    return loaded
