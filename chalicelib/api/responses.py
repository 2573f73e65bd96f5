"""Response bodies as pydantic models: what every 2xx answers, for the OpenAPI document and its generated clients.

The views (`chalicelib/domain/views.py`, and the evidence, webhook and seller views beside their routes) build
plain dicts; these models describe those dicts. `tests/integration/test_response_models.py` checks that the
answers the routes actually give validate against the model the route table names, so the two cannot drift.

Fields a view always writes are required (`json_schema_serialization_defaults_required`), so a generated
client gets plain attributes rather than "unset" ones; nested domain models keep their own rules.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.domain.evidence_models import EvidenceKind, EvidenceStatus, Tracking
from chalicelib.domain.message_models import EXCERPT_CHARS, Audience
from chalicelib.domain.models import (
    Appeal,
    ClaimReason,
    Defence,
    FulfilmentOutcome,
    FulfilmentStep,
    ItemFacts,
    Offer,
    OfferStatus,
    Outcome,
    Party,
    Recommendation,
    RequestType,
    Resolution,
    Role,
    Ruling,
    SellerDecision,
    Status,
    StepParty,
    Window,
    WindowKind,
)
from chalicelib.domain.webhooks import Attempt, DeliveryStatus, EventType


class Answer(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, defer_build=True, json_schema_serialization_defaults_required=True
    )


class FulfilmentView(Answer):
    """Carrying out the final decision (DESIGN section 10): the step waited on (null between steps and once
    done), every step so far, and the steps still to come."""

    remedy: Outcome
    step: WindowKind | None
    party: StepParty | None
    due_at: datetime | None
    steps: list[FulfilmentStep]
    outcome: FulfilmentOutcome | None
    next_steps: list[WindowKind]
    owed: int = Field(ge=0, description="Minor units of `currency` the refund step must report")
    seller_share: int = Field(ge=0)
    currency: str
    receipt_review: dict[str, Any] | None


class DisputeView(Answer):
    """A case as every party may see it; `version` is its ETag, for `If-Match`."""

    id: str
    status: Status
    resolution: Resolution | None
    storefront_id: str
    request_id: str
    order_id: str
    buyer_id: str
    seller_id: str
    type: RequestType
    reason: ClaimReason
    amount_paid: int
    shipping_paid: int
    amount_requested: int
    currency: str
    delivered_at: datetime | None
    requested_at: datetime | None
    seller_decided_at: datetime
    no_reason_return_eligible: bool
    item: ItemFacts | None
    statement: str
    deadlines: dict[str, datetime]
    missed_deadlines: list[str]
    senior_queue_since: datetime | None
    workflow_error: str | None
    recommendation: Recommendation | None
    ruling: Ruling | None
    superseded_ruling: Ruling | None
    offers: list[Offer]
    appeal: Appeal | None
    claimed_by: str | None
    info_request: str | None
    info_requests_made: int
    fulfilment: FulfilmentView | None
    defence: Defence | None
    policy_version: str
    version: int
    created_at: datetime
    updated_at: datetime
    open_window: Window | None = Field(description="What the case waits for now, and until when")


class DisputePage(Answer):
    items: list[DisputeView]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last")


class EventView(Answer):
    """One line of a case's audit timeline."""

    at: datetime
    actor: str
    actor_role: str
    action: str
    from_status: Status | None
    to_status: Status | None
    reason: str
    data: dict[str, Any]


class EventList(Answer):
    items: list[EventView]


class AfterSalesRequestView(Answer):
    """The after-sales request as recorded (`dispute_id` once a buyer escalated it)."""

    request_id: str
    storefront_id: str
    recorded_at: datetime
    dispute_id: str | None
    order_id: str
    buyer_id: str
    seller_id: str
    amount_paid: int
    shipping_paid: int
    currency: str
    delivered_at: datetime | None
    type: RequestType
    reason: ClaimReason
    amount_requested: int
    requested_at: datetime
    seller_decision: SellerDecision
    seller_decided_at: datetime
    seller_reason: str | None
    no_reason_return_eligible: bool
    item: ItemFacts | None


class EvidenceView(BaseModel):
    """Evidence metadata; fields that do not apply to its kind or status are left out."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    evidence_id: str
    party: Party
    added_by: str
    kind: EvidenceKind
    status: EvidenceStatus
    window_id: str
    created_at: datetime
    description: str | None = None
    content_type: str | None = None
    size: int | None = None
    sha256: str | None = Field(default=None, description="Of the verified file's bytes")
    tracking: Tracking | None = None
    text: str | None = None
    decided_at: datetime | None = None


class Upload(Answer):
    """A presigned POST: send `fields` and then the file as multipart/form-data to `url` before `expires_at`."""

    url: str
    fields: dict[str, str]
    expires_at: datetime


class AddedEvidence(EvidenceView):
    upload: Upload | None = Field(description="Where to upload the file; null for records with no file")


class Download(Answer):
    url: str
    expires_at: datetime


class ShownEvidence(EvidenceView):
    download: Download | None = Field(default=None, description="A short-lived link to a verified file")


class EvidenceList(Answer):
    items: list[ShownEvidence]


class OfferView(Answer):
    """The offer as made, with the case's version after it (also its ETag)."""

    id: str
    amount: int
    currency: str
    note: str | None
    status: OfferStatus
    made_at: datetime
    decided_at: datetime | None
    dispute_id: str
    version: int


class Subscription(Answer):
    id: str
    url: str
    events: list[EventType]
    created_at: datetime
    secret_rotated_at: datetime | None
    status: Literal["enabled", "disabled"] = Field(
        description="`disabled` after every attempt failed for days (`webhook.disabled` tells the other endpoints);"
        " POST /v1/webhooks/{id}/enable turns it back on"
    )
    failing_since: datetime | None = Field(description="When its run of failed attempts began; null after a success")
    disabled_at: datetime | None
    disabled_reason: str | None


class SubscriptionWithSecret(Subscription):
    """Only the answer that creates or rotates a subscription shows its signing secret."""

    secret: str = Field(description="Standard Webhooks signing secret (`whsec_...`)")


class SubscriptionList(Answer):
    items: list[Subscription]


class DeliveryView(Answer):
    id: str
    subscription_id: str
    event_id: str
    event_type: EventType
    case_id: str | None = Field(description="null for a `webhook.test` delivery")
    sequence: int
    status: DeliveryStatus
    round: int
    attempts: list[Attempt]
    next_attempt_at: datetime | None
    created_at: datetime
    updated_at: datetime


class DeliveryPage(Answer):
    items: list[DeliveryView]
    next_cursor: str | None


class PenaltyEntry(Answer):
    case_id: str
    points: int
    recorded_at: datetime
    live: bool = Field(description="Still counts towards `live_points`")


class SellerPenalties(Answer):
    storefront_id: str
    seller_id: str
    live_points: int
    live_since: datetime
    repeat_offender_points: int
    items: list[PenaltyEntry]


class Amount(Answer):
    amount: int
    currency: str


class LedgerItem(Answer):
    case_id: str
    kind: Literal["platform_refund"]
    amount: int
    currency: str | None
    recovered: int
    paid_at: datetime


class SellerLedger(Answer):
    storefront_id: str
    seller_id: str
    outstanding: list[Amount]
    items: list[LedgerItem]


class DevToken(Answer):
    token: str
    token_type: Literal["Bearer"]
    sub: str
    role: Role
    storefront_id: str
    expires_at: datetime


class Health(Answer):
    status: Literal["ok"]


class WebhookEventData(Answer):
    dispute: DisputeView = Field(description="The case as saved by the change that raised the event")
    event: EventView


class WebhookEvent(Answer):
    """The body of every webhook delivery, signed per Standard Webhooks (`webhook-id` is `id`)."""

    id: str
    type: EventType
    created_at: datetime
    sequence: int = Field(description="Increasing per case; sort by it, never count on it")
    data: WebhookEventData


class MessageView(Answer):
    """A message on a case (DESIGN section 11); `author` and `role` are who wrote it."""

    id: str
    author: str
    role: Role
    audience: Audience
    text: str
    evidence_ids: list[str]
    created_at: datetime


class MessagePage(Answer):
    items: list[MessageView] = Field(description="Oldest first; only what the caller may read")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last")


class MessageReference(Answer):
    """What a message's timeline line says of it: which message, to whom, by which role, and how it begins.
    The whole text is read through `GET /v1/disputes/{id}/messages`."""

    message_id: str
    audience: Audience
    role: Role = Field(description="The author's role (the line's `actor` is the author)")
    excerpt: str = Field(max_length=EXCERPT_CHARS, description=f"The first {EXCERPT_CHARS} characters of the text")
    truncated: bool = Field(description="Whether the text goes on beyond the excerpt")
    attachments: int = Field(ge=0, description="How many pieces of evidence the message names")


class MessageLine(EventView):
    """The timeline line of a message: `action` is `message_posted`, `data` a reference to the message."""

    action: Literal["message_posted"]
    data: MessageReference  # type: ignore[assignment]


class PostedMessageReference(MessageReference):
    message: MessageView = Field(description="The whole message, as GET .../messages lists it")


class PostedMessageLine(MessageLine):
    """The message's timeline line as the webhook sends it: the reference, and the whole message."""

    data: PostedMessageReference


class MessagePostedData(Answer):
    dispute: DisputeView = Field(description="The case as it is: a message never changes it")
    event: PostedMessageLine


class MessagePostedEvent(Answer):
    """`dispute.message_posted`: a message to `everyone` (never one to the platform or to one party alone)."""

    id: str
    type: Literal["dispute.message_posted"]
    created_at: datetime
    sequence: int = Field(description="Increasing per case; sort by it, never count on it")
    data: MessagePostedData


class TestedEndpoint(Answer):
    id: str
    url: str


class WebhookTestData(Answer):
    webhook: TestedEndpoint = Field(description="The endpoint the test was sent to")


class DisabledEndpoint(Answer):
    id: str
    url: str
    failing_since: datetime | None
    disabled_at: datetime
    disabled_reason: str


class WebhookDisabledData(Answer):
    webhook: DisabledEndpoint = Field(description="The endpoint that stopped receiving events")


class WebhookDisabledEvent(Answer):
    """`webhook.disabled`, sent to a storefront's other endpoints when one of its endpoints is disabled for
    failing every attempt for days (WEBHOOK_DISABLE_AFTER_SECONDS, 3 days by default)."""

    id: str
    type: Literal["webhook.disabled"]
    created_at: datetime
    sequence: Literal[0]
    data: WebhookDisabledData


class WebhookTestEvent(Answer):
    """`webhook.test`, sent on request (POST /v1/webhooks/{id}/test): the same envelope and signature as every
    event, with the endpoint as its data, so a receiver's verification can be tried before any case exists."""

    id: str
    type: Literal["webhook.test"]
    created_at: datetime
    sequence: Literal[0]
    data: WebhookTestData
