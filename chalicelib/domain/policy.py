"""The policy document: windows, deadlines and rule thresholds as versioned data."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import ErrorDetails

from chalicelib.domain.errors import InvalidValue
from chalicelib.domain.money import ISO_4217


class PolicyError(ValueError):
    """A policy document that cannot be used; raised at load time, loudly."""


# A window longer than this is a typo, and one that would push a deadline past what a datetime holds.
MAX_WINDOW = timedelta(days=366)
# The most keys a per-currency table may hold: a stored version stays a small item.
MAX_TABLE_KEYS = 64
# The findings the rules give penalty points for (rules.py `_with_points`: the seller's default, a proven
# counterfeit, and the quality reasons); a key naming anything else would be read by nobody.
PENALTY_FINDINGS = ("seller_default", "quality_defect", "not_as_described", "counterfeit")


# ISO 8601 durations in whole units: P3D, PT48H, PT90M, PT2S, P1DT12H; P1Y (365 days) and P2W as pydantic writes
# and reads them. A month has no fixed length and a fraction of a second no use here: both refused.
ISO_DURATION = re.compile(
    r"^(?P<sign>-)?P(?!$)(?:(?P<years>\d{1,4})Y)?(?:(?P<weeks>\d{1,6})W)?(?:(?P<days>\d{1,7})D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d{1,8})H)?(?:(?P<minutes>\d{1,10})M)?(?:(?P<seconds>\d{1,12})S)?)?$"
)
UNITS = {"years": 365 * 86400, "weeks": 7 * 86400, "days": 86400, "hours": 3600, "minutes": 60, "seconds": 1}


def iso_duration(value: Any) -> timedelta:
    """A duration from a policy document: an ISO 8601 string of whole seconds (a timedelta already parsed passes).
    A bare number (seconds? hours?) or "48:00:00" says nothing a reader can trust, so it is refused."""
    if isinstance(value, timedelta):
        return value
    found = ISO_DURATION.match(value) if isinstance(value, str) else None
    if found is None:
        raise ValueError("a duration is an ISO 8601 string in whole seconds, e.g. PT48H, P3D, PT90M or PT2S")
    seconds = sum(int(amount) * UNITS[unit] for unit, amount in found.groupdict().items() if unit != "sign" and amount)
    if seconds > 10 * MAX_WINDOW.total_seconds():
        raise ValueError("a duration of at most ten years")
    return timedelta(seconds=-seconds if found["sign"] else seconds)


Duration = Annotated[timedelta, BeforeValidator(iso_duration)]


# A number in a policy document is a JSON number: `true` is not 1, nor "7" 7 (strict, with its path in the 422).
Amount = Annotated[int, Field(strict=True, ge=0, le=10**12)]


def _currency_key(key: str) -> str:
    if key != "default" and key not in ISO_4217:
        raise ValueError("keys are ISO 4217 currency codes the service knows (CNY) or default")
    return key


def _finding_key(key: str) -> str:
    if key not in PENALTY_FINDINGS:
        raise ValueError(f"keys are the findings the rules give points for: {', '.join(PENALTY_FINDINGS)}")
    return key


PenaltyFinding = Annotated[str, AfterValidator(_finding_key)]
# A per-currency table's key: what a case's currency can be, or `default` for the rest.
CurrencyKey = Annotated[str, AfterValidator(_currency_key)]
PerCurrency = Annotated[dict[CurrencyKey, Amount], Field(max_length=MAX_TABLE_KEYS)]


def positive_duration(cls: type[BaseModel], value: timedelta) -> timedelta:
    """Every window the workflow waits for lasts some time, and less than a year."""
    if value <= timedelta(0):
        raise ValueError("durations must be positive")
    if value > MAX_WINDOW:
        raise ValueError(f"durations are at most {MAX_WINDOW.days} days")
    return value


class Deadlines(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    escalation_window: Duration = timedelta(days=15)
    seller_response: Duration = timedelta(hours=72)
    buyer_rebuttal: Duration = timedelta(hours=48)
    info_request: Duration = timedelta(hours=48)
    reviewer_sla: Duration = timedelta(hours=24)
    senior_reviewer_sla: Duration = timedelta(hours=24)
    appeal_window: Duration = timedelta(hours=72)
    reminder_before: Duration = timedelta(hours=24)

    _positive = field_validator("*")(positive_duration)

    def scaled(self, factor: float) -> Deadlines:
        """Shrink every duration the workflow waits for, so a whole case can run in seconds locally.

        The escalation window is not scaled: it is checked against the storefront's real
        order timestamps, not waited for.
        """
        waits = {name: getattr(self, name) * factor for name in type(self).model_fields if name != "escalation_window"}
        return Deadlines(**waits, escalation_window=self.escalation_window)


FULFILMENT_WINDOWS = (
    "return_shipment",
    "return_receipt",
    "refund",
    "exchange_reshipment",
    "repair_reshipment",
    "reshipment_receipt",
)


class FulfilmentPolicy(BaseModel):
    """How long each step of carrying out a remedy may take, and what the platform does when one is missed."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    return_shipment: Duration = timedelta(days=7)
    return_receipt: Duration = timedelta(days=10)
    refund: Duration = timedelta(days=3)
    exchange_reshipment: Duration = timedelta(days=3)
    repair_reshipment: Duration = timedelta(days=30)
    reshipment_receipt: Duration = timedelta(days=10)
    # A reviewer may reduce what is owed for a return received damaged by at most this share.
    max_return_deduction: float = Field(default=0.5, ge=0, le=1, strict=True)
    # Penalty points when the platform had to refund because the refund was never reported.
    missed_refund_points: int = Field(default=2, ge=0, le=100, strict=True)

    _positive = field_validator(*FULFILMENT_WINDOWS)(positive_duration)

    def scaled(self, factor: float) -> FulfilmentPolicy:
        """Every window shrunk like the case's other waits (DEADLINE_SCALE); the money rules stay."""
        return self.model_copy(update={name: getattr(self, name) * factor for name in FULFILMENT_WINDOWS})


class RuleThresholds(BaseModel):
    """The numbers the rules read; each rule names the keys it uses (docs/RULES.md)."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    no_reason_return_days: int = Field(default=7, ge=0, le=90, strict=True)
    # Calendar days are the storefront's: its offset from UTC decides on which date a delivery or request fell
    # (the 7 days start the day after delivery).
    local_utc_offset: Duration = timedelta(0)
    # The after-sales period: a request made later than this after delivery is outside it, and a person decides.
    after_sales_window: Duration = timedelta(days=15)
    # "Fake one, pay N" (假一赔N): a proven counterfeit owes N times the price in all, the refund plus (N - 1) times
    # the price as `goodwill` compensation; 1 promises nothing beyond the refund. The extra never exceeds the cap
    # (minor units, per currency; `default` for the rest).
    counterfeit_compensation_multiplier: int = Field(default=1, ge=1, le=10, strict=True)
    counterfeit_compensation_cap: PerCurrency = Field(
        default_factory=lambda: {"default": 200_000, "CNY": 500_000, "JPY": 10_000_000}
    )
    # Cases asking for at least this much (minor units, per currency; `default` for the rest) go to a human.
    high_amount: PerCurrency = Field(default_factory=lambda: {"default": 200_000, "CNY": 500_000, "JPY": 10_000_000})
    repeat_offender_points: int = Field(default=12, ge=1, le=1_000_000, strict=True)
    penalty_points_expire_after: Duration = timedelta(days=365)
    abusive_buyer_min_disputes: int = Field(default=3, ge=1, le=1_000_000, strict=True)
    abusive_buyer_loss_rate: float = Field(default=0.6, gt=0, le=1, strict=True)
    # Penalty points a seller earns per finding against it.
    penalty_points: dict[PenaltyFinding, Amount] = Field(
        default_factory=lambda: {
            "seller_default": 2,
            "quality_defect": 4,
            "not_as_described": 4,
            "counterfeit": 12,
        }
    )

    @field_validator("penalty_points_expire_after")
    @classmethod
    def _an_expiry(cls, value: timedelta) -> timedelta:
        if not timedelta(0) < value <= timedelta(days=3660):
            raise ValueError("penalty points live between a second and ten years")
        return value

    @field_validator("local_utc_offset")
    @classmethod
    def _an_offset(cls, value: timedelta) -> timedelta:
        if abs(value) > timedelta(hours=14):
            raise ValueError("a UTC offset lies between -14 and +14 hours")
        return value

    @field_validator("after_sales_window")
    @classmethod
    def _a_window(cls, value: timedelta) -> timedelta:
        return positive_duration(cls, value)

    def counterfeit_extra_for(self, currency: str, price: int) -> int:
        """The most a proven counterfeit may owe the buyer beyond the order total (the policy's promise, capped)."""
        cap = self.counterfeit_compensation_cap.get(currency, self.counterfeit_compensation_cap.get("default", 0))
        return max(0, min((self.counterfeit_compensation_multiplier - 1) * price, cap))

    def high_amount_for(self, currency: str) -> int:
        return self.high_amount.get(currency, self.high_amount.get("default", 200_000))

    def points_for(self, finding: str) -> int:
        return self.penalty_points.get(finding, 0)


# The most a storefront may allow. A case is one DynamoDB item (400 KB at most); with these lists
# full and every free text at its longest the stored case stays under half of that
# (tests/unit/test_case_size.py). Raise them only with that test.
MAX_OFFERS_CEILING = 10
MAX_INFO_REQUESTS_CEILING = 10


class CaseLimits(BaseModel):
    """How long the lists a client grows on a case may get; one more is a 409 (docs/RULES.md)."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    # Offers the seller may make on one case, open, rejected or lapsed alike.
    max_offers: int = Field(default=5, ge=1, le=MAX_OFFERS_CEILING, strict=True)
    # Information requests reviewers may send on one case, whoever sends them (first review and appeal together).
    max_info_requests: int = Field(default=3, ge=1, le=MAX_INFO_REQUESTS_CEILING, strict=True)


# Defaults are built with model_construct: calling the model would build its validator while this module
# imports (a cold start's first request pays each), and a model of nothing but its defaults has nothing to check.
DEFAULT_LIMITS = CaseLimits.model_construct()


class Policy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    version: str = Field(min_length=1, max_length=64)
    deadlines: Deadlines = Deadlines.model_construct()
    rules: RuleThresholds = RuleThresholds.model_construct()
    limits: CaseLimits = DEFAULT_LIMITS
    fulfilment: FulfilmentPolicy = FulfilmentPolicy.model_construct()


def load_policy(document: str | bytes | dict[str, Any]) -> Policy:
    """Parse a policy document; a malformed one fails with every problem listed."""
    try:
        raw = json.loads(document) if isinstance(document, str | bytes) else document
        return Policy.model_validate(raw)
    except (ValidationError, json.JSONDecodeError) as error:
        raise PolicyError(f"invalid policy document: {error}") from error


def merge_policy(base: Policy, override: dict[str, Any]) -> Policy:
    """A storefront's overrides on top of the default, validated as a whole."""
    merged = _deep_merge(base.model_dump(), override)
    return load_policy(merged)


# The label a stored version's policy carries, and the case escalated under it (`policy_version`).
VERSION_LABEL = re.compile(r"^v([1-9][0-9]{0,8})$")


def version_label(number: int) -> str:
    return f"v{number}"


def version_number(label: str) -> int | None:
    """The stored version a case's `policy_version` names, or None for the shipped default (or a file)."""
    found = VERSION_LABEL.match(label)
    return int(found.group(1)) if found else None


def draft_policy(base: Policy, document: dict[str, Any], label: str) -> Policy:
    """The whole policy a draft makes: `base` (the shipped default) overridden by `document`, validated as a
    whole. Invalid: a 422 naming every failing field path (`document.rules.high_amount.CNY`)."""
    problems = []
    if "version" in document:
        problems.append({"field": "document.version", "message": "versions are numbered by the service"})
    merged = {**_deep_merge(base.model_dump(), document), "version": label}
    try:
        policy = Policy.model_validate(merged)
    except ValidationError as error:
        problems.extend(_problem(item) for item in error.errors(include_url=False, include_input=False))
    if problems:
        raise InvalidValue("the policy document is invalid", problems)
    return policy


def _problem(item: ErrorDetails) -> dict[str, Any]:
    """One failing path of a draft. A table key that names nothing (pydantic's `[key]` location) is reported at
    the key's own path, `key` naming it, so the path still leads to the draft's value."""
    parts = [str(part) for part in item["loc"]]
    key = parts[-2] if parts[-1:] == ["[key]"] and len(parts) > 1 else None
    field = ".".join(["document", *(parts[:-1] if key is not None else parts)])
    problem: dict[str, Any] = {"field": field, "message": item["msg"], "type": item["type"]}
    return {**problem, "key": key} if key is not None else problem


class PolicyVersion(BaseModel):
    """One stored, immutable version of a storefront's policy: what the admin sent, and the whole policy it
    made (the default as it was then, overridden), so a redeploy of the default never changes an old version."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    storefront_id: str
    number: int = Field(ge=1)
    created_at: datetime
    created_by: str
    document: dict[str, Any]
    policy: Policy


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    result = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = _deep_merge(result[key], value)
        else:
            result[key] = value
    return result
