"""Request bodies as pydantic models: validation and the OpenAPI schema come from here."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel, field_validator, model_validator

from chalicelib.api.errors import error_codes
from chalicelib.domain.evidence_models import Declaration
from chalicelib.domain.message_models import MAX_ATTACHMENTS, Audience
from chalicelib.domain.models import (
    FreeText,
    Frozen,
    Identifier,
    IsoTime,
    Party,
    ReceiptCondition,
    ReviewerDecision,
    SellerGround,
    Statement,
)
from chalicelib.domain.money import Currency, MinorUnits, PositiveMinorUnits
from chalicelib.domain.webhook_urls import MAX_URL_LENGTH
from chalicelib.domain.webhooks import SUBSCRIBABLE, DeliveryStatus, EventType

RulingBody = ReviewerDecision


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class EscalateBody(Body):
    request_id: Identifier
    statement: Statement


class OfferBody(Body):
    amount: Annotated[int, Field(gt=0, le=10**12, strict=True)]
    note: FreeText | None = None


class DefenceBody(Body):
    """The seller's grounds for refusing (each once, at least one) and what it says about them."""

    grounds: Annotated[
        list[SellerGround], Field(min_length=1, max_length=len(SellerGround), json_schema_extra={"uniqueItems": True})
    ]
    statement: Statement

    @field_validator("grounds")
    @classmethod
    def _each_once(cls, grounds: list[SellerGround]) -> list[SellerGround]:
        if len(set(grounds)) != len(grounds):
            raise ValueError("each ground may be named once")
        return grounds


class WithdrawBody(Body):
    reason: FreeText | None = None


class InfoRequestBody(Body):
    parties: Annotated[list[Party], Field(min_length=1, max_length=2)]
    message: Statement


class AppealBody(Body):
    statement: Statement


class EmptyBody(Body):
    pass


class EvidenceBody(RootModel[Annotated[Declaration, Field(discriminator="kind")]]):
    """A file to upload (`kind`, `content_type`, `size`) or a tracking record (`kind: tracking`, carrier fields)."""

    model_config = ConfigDict(frozen=True, defer_build=True)


class StatementBody(Body):
    text: Annotated[str, Field(min_length=1)]  # its size limit is the domain's, answered with a 413


class SubscribeBody(Body):
    url: Annotated[str, Field(min_length=1, max_length=MAX_URL_LENGTH)]
    events: Annotated[list[EventType], Field(min_length=1, max_length=len(EventType))]

    @field_validator("events")
    @classmethod
    def subscribable(cls, events: list[EventType]) -> list[EventType]:
        notices = sorted(set(events) - SUBSCRIBABLE)
        if notices:
            raise ValueError(
                f"{', '.join(notices)} cannot be subscribed to: webhook.test is sent on request"
                " (POST /v1/webhooks/{id}/test), webhook.disabled to every other endpoint of the storefront"
            )
        return events


class DeliveriesQuery(Frozen):
    limit: int = Field(default=25, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=2048)
    status: DeliveryStatus | None = Field(
        default=None, description="only deliveries in this state (a page may come back short; follow next_cursor)"
    )


class DevTokenBody(Body):
    """Local runtime only: which reviewer (or platform admin: the policies page) the console signs in as."""

    role: Literal["reviewer", "senior_reviewer", "platform_admin"] = "reviewer"
    sub: Identifier = "dev-reviewer"


class ShipmentBody(Body):
    """A parcel handed to a carrier: the buyer's return, or the seller's replacement or repaired item."""

    carrier: Annotated[str, Field(min_length=1, max_length=64)]
    tracking_number: Annotated[str, Field(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9-]+$")]


class ReceiptBody(Body):
    """What arrived. Any condition but `received_ok` needs the reporter's evidence added during the step."""

    condition: ReceiptCondition
    note: FreeText | None = None


class RefundBody(Body):
    """The refund the storefront carried out: exactly the amount owed, and its own reference for it."""

    amount: PositiveMinorUnits
    currency: Currency
    reference: Identifier


class ReceiptDecisionBody(Body):
    """A reviewer's decision on a disputed receipt: what is still owed (0 for nothing)."""

    owed: MinorUnits
    notes: FreeText | None = None


class MessageBody(Body):
    """A message on the case. `audience`: `everyone` or `platform` (reviewers only read it); a reviewer may
    also address the `buyer` or the `seller` alone. `evidence_ids`: verified evidence of the case the author
    may see, each once."""

    text: Statement
    audience: Audience
    evidence_ids: Annotated[
        list[Identifier],
        Field(default_factory=list, max_length=MAX_ATTACHMENTS, json_schema_extra={"uniqueItems": True}),
    ]

    @field_validator("evidence_ids")
    @classmethod
    def _each_once(cls, evidence_ids: list[str]) -> list[str]:
        if len(set(evidence_ids)) != len(evidence_ids):
            raise ValueError("each piece of evidence may be attached once")
        return evidence_ids


class MessageQuery(Frozen):
    limit: int = Field(default=25, ge=1, le=100)
    cursor: str | None = Field(
        default=None, max_length=2048, description="a page may come back short (what the caller may not read)"
    )


PolicyDocument = Annotated[
    dict[str, Any],
    Field(
        description="Overrides of the shipped default policy (`deadlines`, `rules`, `limits`, `fulfilment`; "
        "docs/RULES.md names every key): the whole merged document is validated, durations are ISO 8601",
        json_schema_extra={"examples": [{"deadlines": {"seller_response": "PT48H"}}]},
    ),
]


class PolicyBody(Body):
    """A new version of a storefront's policy: its overrides of the shipped default."""

    document: PolicyDocument


class SimulationBody(Body):
    """A draft replayed over the storefront's recommendations made in [since, until), a page at a time."""

    document: PolicyDocument
    since: IsoTime
    until: IsoTime
    limit: int = Field(default=50, ge=1, le=100, strict=True, description="recommendations replayed per call")
    cursor: str | None = Field(default=None, max_length=2048, description="`cursor` of the previous answer")

    @model_validator(mode="after")
    def _a_range(self) -> SimulationBody:
        if self.until <= self.since:
            raise ValueError("until must be after since")
        return self


class PolicyHistoryQuery(Frozen):
    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=2048)


class SellerRecordQuery(Body):
    storefront_id: Identifier


class ErrorInfo(BaseModel):
    # An enum in the document (every code the API can answer, from the error classes), a string here.
    code: Annotated[str, Field(json_schema_extra=lambda schema: schema.update(enum=error_codes()))]
    message: str
    details: list[dict[str, Any]] = Field(default_factory=list)


class Error(BaseModel):
    """The shape of every error response (built by `errors.error_body`; the OpenAPI document shows it from here)."""

    error: ErrorInfo
