"""The policy document: windows, deadlines and rule thresholds as versioned data."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator


class PolicyError(ValueError):
    """A policy document that cannot be used; raised at load time, loudly."""


class Deadlines(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    escalation_window: timedelta = timedelta(days=15)
    seller_response: timedelta = timedelta(hours=72)
    buyer_rebuttal: timedelta = timedelta(hours=48)
    info_request: timedelta = timedelta(hours=48)
    reviewer_sla: timedelta = timedelta(hours=24)
    senior_reviewer_sla: timedelta = timedelta(hours=24)
    appeal_window: timedelta = timedelta(hours=72)
    reminder_before: timedelta = timedelta(hours=24)

    @field_validator("*")
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("durations must be positive")
        return value

    def scaled(self, factor: float) -> Deadlines:
        """Shrink every duration the workflow waits for, so a whole case can run in seconds locally.

        The escalation window is not scaled: it is checked against the storefront's real
        order timestamps, not waited for.
        """
        waits = {name: getattr(self, name) * factor for name in type(self).model_fields if name != "escalation_window"}
        return Deadlines(**waits, escalation_window=self.escalation_window)


class Policy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str = Field(min_length=1, max_length=64)
    deadlines: Deadlines = Deadlines()


def load_policy(document: str | bytes | dict[str, Any]) -> Policy:
    """Parse a policy document; a malformed one fails with every problem listed."""
    try:
        raw = json.loads(document) if isinstance(document, str | bytes) else document
        return Policy.model_validate(raw)
    except (ValidationError, json.JSONDecodeError) as error:
        raise PolicyError(f"invalid policy document: {error}") from error


def merge_policy(base: Policy, override: dict[str, Any]) -> Policy:
    """A storefront's overrides on top of the default, validated as a whole."""
    merged = _deep_merge(base.model_dump(mode="json"), override)
    return load_policy(merged)


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    result = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = _deep_merge(result[key], value)
        else:
            result[key] = value
    return result
