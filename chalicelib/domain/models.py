"""The case and everything stored with it, as immutable pydantic models."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, model_validator

from chalicelib.domain.money import Currency, MinorUnits, PositiveMinorUnits

# How far a client's clock may run ahead of ours: a time it records later than now + CLOCK_SKEW has not happened.
CLOCK_SKEW = timedelta(minutes=5)


def _as_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("timestamp must carry a UTC offset (ISO 8601, e.g. 2026-01-31T12:00:00Z)")
    try:
        return value.astimezone(UTC)
    except OverflowError:  # e.g. 9999-12-31T23:59:59-01:00 is in the year 10000 in UTC
        raise ValueError("timestamp is out of range once converted to UTC (years 1 to 9999)") from None


def arrived_at(now: datetime) -> dict[str, datetime]:
    """The validation context of a client's request: when it arrived, for `RecordedDateTime` to compare with."""
    return {"now": now}


def _not_in_the_future(value: datetime, info: ValidationInfo) -> datetime:
    """Validated with `arrived_at(now)` as context, a recorded time may be at most CLOCK_SKEW after now.

    Without that context (a stored record read back) nothing is compared: the domain never reads a clock.
    """
    now = info.context.get("now") if isinstance(info.context, dict) else None
    if isinstance(now, datetime) and value - now > CLOCK_SKEW:
        minutes = int(CLOCK_SKEW.total_seconds() // 60)
        raise ValueError(f"must not be in the future (at most {minutes} minutes ahead of the service's clock)")
    return value


UtcDateTime = Annotated[datetime, AfterValidator(_as_utc)]

ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def _iso_text(value: Any) -> Any:
    """A moment a client writes as ISO 8601 text: an epoch number (seconds? milliseconds?) is refused, not
    guessed. A datetime the service built itself passes."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not ISO_TIME.match(value):
        raise ValueError("a time is an ISO 8601 string with a UTC offset, e.g. 2026-11-01T00:00:00Z")
    return value


# A moment a client names (a range to search or replay): ISO 8601 text with its offset, never a number.
IsoTime = Annotated[UtcDateTime, BeforeValidator(_iso_text)]
# A moment a client says already happened (a delivery, a request, a seller's decision).
RecordedDateTime = Annotated[datetime, AfterValidator(_as_utc), AfterValidator(_not_in_the_future)]


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z, as the API shows every time."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


Identifier = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:@-]+$")]
# What a stored record may hold. Requests that write onto a case take FreeText (stricter); an after-sales
# request's seller_reason stays Text: it is kept on the request, never copied to the case or its events.
Text = Annotated[str, Field(max_length=5000)]

# Free text a client writes onto a case or its timeline (statements, notes, reasons, questions):
# as long as a message on a case may be (docs: README "API", docs/SECURITY.md "Limits").
FREE_TEXT_MAX_CHARS = 2000
# Control characters other than tab and line breaks mean nothing in a note, and the stored case holds
# each as a six-byte JSON escape; without them a character costs at most four bytes (UTF-8).
PRINTABLE_TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
_PRINTABLE = re.compile(PRINTABLE_TEXT)


def _printable(value: str) -> str:
    if not _PRINTABLE.fullmatch(value):
        raise ValueError("text may not contain control characters other than tab and line breaks")
    return value


_FREE_TEXT = Field(max_length=FREE_TEXT_MAX_CHARS, json_schema_extra={"pattern": PRINTABLE_TEXT})
FreeText = Annotated[str, _FREE_TEXT, AfterValidator(_printable)]
# Free text that must say something: an escalation's or appeal's statement, a reviewer's question.
Statement = Annotated[str, Field(min_length=1), _FREE_TEXT, AfterValidator(_printable)]


class Frozen(BaseModel):
    # Dumped, a model writes every field, defaulted ones too: its serialization schema (what the OpenAPI
    # document shows a response holding) says so, and a generated client reads them as always there.
    model_config = ConfigDict(
        frozen=True, extra="forbid", defer_build=True, json_schema_serialization_defaults_required=True
    )


class Role(StrEnum):
    BUYER = "buyer"
    SELLER = "seller"
    REVIEWER = "reviewer"
    SENIOR_REVIEWER = "senior_reviewer"
    STOREFRONT = "storefront"
    # Manages policy versions and runs what-if simulations (DESIGN section 12); sees no case content beyond them.
    PLATFORM_ADMIN = "platform_admin"


class Party(StrEnum):
    BUYER = "buyer"
    SELLER = "seller"


class Actor(Frozen):
    """Who is calling, taken from a verified token."""

    sub: Identifier
    role: Role
    storefront_id: Identifier

    @property
    def is_reviewer(self) -> bool:
        return self.role in (Role.REVIEWER, Role.SENIOR_REVIEWER)


SYSTEM_ACTOR = "system"


class RequestType(StrEnum):
    REFUND_ONLY = "refund_only"
    RETURN_AND_REFUND = "return_and_refund"
    EXCHANGE = "exchange"
    REPAIR = "repair"


class ClaimReason(StrEnum):
    QUALITY_DEFECT = "quality_defect"
    NOT_AS_DESCRIBED = "not_as_described"
    NOT_RECEIVED = "not_received"
    MISSING_ITEMS = "missing_items"
    DAMAGED_IN_TRANSIT = "damaged_in_transit"
    COUNTERFEIT = "counterfeit"
    NO_REASON_RETURN = "no_reason_return"
    OTHER = "other"


class SellerDecision(StrEnum):
    REJECTED = "rejected"
    NO_RESPONSE = "no_response"


class ItemCategory(StrEnum):
    """What kind of goods, as the national 7-day rule sorts them (消费者权益保护法 art. 25, 网络购买商品七日无理由
    退货暂行办法 arts. 6-7). The first four are never 7-day returnable; `intimate` and `activated` are excluded only
    when the buyer confirmed it at purchase (the storefront records that as `no_reason_return_eligible: false`)."""

    GENERAL = "general"
    CUSTOM_MADE = "custom_made"  # 消费者定作的
    PERISHABLE = "perishable"  # 鲜活易腐的
    DIGITAL_UNSEALED = "digital_unsealed"  # 在线下载或者消费者拆封的音像制品、计算机软件等数字化商品
    PERIODICAL = "periodical"  # 交付的报纸、期刊
    INTIMATE = "intimate"  # 拆封后易影响人身安全或者生命健康的商品 (贴身衣物, seed 000)
    ACTIVATED = "activated"  # 一经激活或者试用后价值贬损较大的商品


# Never returnable without a reason, whatever the storefront or the buyer says.
NEVER_NO_REASON_RETURNABLE = frozenset(
    {ItemCategory.CUSTOM_MADE, ItemCategory.PERISHABLE, ItemCategory.DIGITAL_UNSEALED, ItemCategory.PERIODICAL}
)


class Disclosed(Frozen):
    """What the listing told the buyer before the sale (销售时已明示)."""

    flawed: bool = False  # 有瑕疵的商品
    near_expiry: bool = False  # 临期商品
    custom_made: bool = False  # made to the buyer's order


class ItemFacts(Frozen):
    """The item's own facts as the storefront recorded them at sale."""

    category: ItemCategory = ItemCategory.GENERAL
    no_reason_return_eligible: bool | None = None  # None: the top-level field decides (old clients)
    disclosed: Disclosed = Disclosed.model_construct()  # not Disclosed(): that builds its validator at import


class AfterSalesFacts(Frozen):
    """Order facts as the storefront recorded them; the buyer never supplies these."""

    order_id: Identifier
    buyer_id: Identifier
    seller_id: Identifier
    amount_paid: MinorUnits
    shipping_paid: MinorUnits
    currency: Currency
    delivered_at: RecordedDateTime | None = None
    type: RequestType
    reason: ClaimReason
    amount_requested: PositiveMinorUnits
    requested_at: RecordedDateTime
    seller_decision: SellerDecision
    seller_decided_at: RecordedDateTime
    seller_reason: Text | None = None
    # The storefront knows the item's category: customized, perishable, digital or intimate goods are not
    # returnable without a reason, whatever the buyer asks.
    no_reason_return_eligible: bool = True
    # The item's category and what was disclosed at sale (optional; `item.no_reason_return_eligible` wins).
    item: ItemFacts | None = None

    @model_validator(mode="after")
    def _consistent(self) -> AfterSalesFacts:
        if self.amount_requested > self.amount_paid + self.shipping_paid:
            raise ValueError("amount_requested cannot exceed amount_paid plus shipping_paid")
        if self.buyer_id == self.seller_id:
            raise ValueError("buyer_id and seller_id must differ")
        if self.seller_decided_at < self.requested_at:
            raise ValueError("seller_decided_at cannot be before requested_at")
        return self


class AfterSalesRequest(AfterSalesFacts):
    request_id: Identifier
    storefront_id: Identifier
    recorded_at: UtcDateTime
    dispute_id: str | None = None


class Status(StrEnum):
    ESCALATED = "escalated"
    AWAITING_SELLER = "awaiting_seller"
    AWAITING_BUYER = "awaiting_buyer"
    UNDER_REVIEW = "under_review"
    RULED = "ruled"
    APPEALED = "appealed"
    FULFILLING = "fulfilling"  # the final decision owes something: goods and money are moving (DESIGN section 10)
    CLOSED = "closed"


class Resolution(StrEnum):
    RULED = "ruled"
    CONCEDED = "conceded"
    SETTLED = "settled"
    WITHDRAWN = "withdrawn"


class WindowKind(StrEnum):
    """Something the case waits for, with a deadline; the workflow parks a task token on it."""

    SELLER_RESPONSE = "seller_response"
    BUYER_REBUTTAL = "buyer_rebuttal"
    INFO_REQUEST = "info_request"
    REVIEW = "review"
    APPEAL = "appeal"
    # The steps of carrying out a remedy; the window is the step the case waits on.
    RETURN_SHIPMENT = "return_shipment"
    RETURN_RECEIPT = "return_receipt"
    REFUND = "refund"
    RESHIPMENT = "reshipment"
    RESHIPMENT_RECEIPT = "reshipment_receipt"


class Window(Frozen):
    id: str
    kind: WindowKind
    parties: tuple[Party, ...] = ()
    opened_at: UtcDateTime
    due_at: UtcDateTime
    remind_at: UtcDateTime | None = None
    reminded: bool = False
    submitted: tuple[Party, ...] = ()

    def is_open_for(self, party: Party) -> bool:
        return party in self.parties and party not in self.submitted


class Outcome(StrEnum):
    REFUND_FULL = "refund_full"
    REFUND_PARTIAL = "refund_partial"
    RETURN_AND_REFUND = "return_and_refund"
    EXCHANGE = "exchange"
    REPAIR = "repair"
    CLAIM_DENIED = "claim_denied"


class Liability(StrEnum):
    SELLER = "seller"
    BUYER = "buyer"
    CARRIER = "carrier"
    PLATFORM = "platform"
    SHARED = "shared"


class Payee(StrEnum):
    BUYER = "buyer"
    SELLER = "seller"
    CARRIER = "carrier"
    PLATFORM = "platform"


class CompensationKind(StrEnum):
    REFUND = "refund"
    RETURN_SHIPPING = "return_shipping"
    GOODWILL = "goodwill"


class CompensationLine(Frozen):
    payer: Payee
    payee: Payee
    kind: CompensationKind
    amount: PositiveMinorUnits
    currency: Currency


class PenaltyKind(StrEnum):
    POINTS = "points"
    FINE = "fine"
    WARNING = "warning"
    LISTING_RESTRICTION = "listing_restriction"


class Penalty(Frozen):
    party: Party
    kind: PenaltyKind
    value: Annotated[int, Field(ge=0, le=10**9, strict=True)] = 0


class RuleHit(Frozen):
    rule: str
    reason: str


# Outcomes that send the item back to the seller: each ruling with one states who pays the return postage.
RETURN_OUTCOMES = frozenset({Outcome.RETURN_AND_REFUND, Outcome.EXCHANGE, Outcome.REPAIR})


class RulingDecision(Frozen):
    """What a decider chooses; the rest of a Ruling is recorded around it.

    `return_shipping_payer` is required (checked by `rulings.validate_ruling`) for an outcome in
    RETURN_OUTCOMES and absent otherwise; rulings stored before it existed still load without it.
    """

    outcome: Outcome
    liability: Liability
    return_shipping_payer: Payee | None = None
    compensation: tuple[CompensationLine, ...] = Field(default=(), max_length=20)
    penalties: tuple[Penalty, ...] = Field(default=(), max_length=10)
    notes: Text | None = None


class ReviewerDecision(Frozen):
    """A reviewer accepts the rules' recommendation, or decides otherwise and writes down why."""

    accept_recommendation: bool = False
    outcome: Outcome | None = None
    liability: Liability | None = None
    return_shipping_payer: Payee | None = None
    compensation: tuple[CompensationLine, ...] = Field(default=(), max_length=20)
    penalties: tuple[Penalty, ...] = Field(default=(), max_length=10)
    notes: FreeText | None = None
    override_reason: FreeText | None = None

    @model_validator(mode="after")
    def _accept_or_decide(self) -> ReviewerDecision:
        chosen = self.outcome or self.liability or self.return_shipping_payer or self.compensation or self.penalties
        if self.accept_recommendation and chosen:
            raise ValueError(
                "either accept_recommendation, or give outcome, liability, return_shipping_payer, compensation and "
                "penalties"
            )
        if not self.accept_recommendation and (self.outcome is None or self.liability is None):
            raise ValueError("outcome and liability are required unless accept_recommendation is true")
        return self


RULES_ACTOR = "rules"  # a Ruling's `decided_by` when the rules engine decided it (chalicelib/domain/rules.py)


class Ruling(RulingDecision):
    """Immutable once issued; an appeal supersedes it with a new, final one."""

    override_reason: Text | None = None
    rationale: tuple[RuleHit, ...] = ()
    decided_by: str
    decided_at: UtcDateTime
    final: bool = False


class Recommendation(Frozen):
    decision: str  # "auto" or "review"
    ruling: Ruling
    rules_fired: tuple[RuleHit, ...]
    policy_version: str


class OfferStatus(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    LAPSED = "lapsed"


class Offer(Frozen):
    """A seller's partial-refund proposal; the buyer accepts (case settles) or rejects (case goes on)."""

    id: str
    amount: int
    currency: str
    note: str | None = None
    status: OfferStatus = OfferStatus.OPEN
    made_at: UtcDateTime
    decided_at: UtcDateTime | None = None


class Appeal(Frozen):
    party: Party
    statement: str
    filed_at: UtcDateTime
    filed_by: str


class SellerGround(StrEnum):
    """Why a seller refuses the request (DESIGN section 4); a ground counts only when verified seller evidence
    supports it."""

    ITEM_USED = "item_used"
    INCOMPLETE = "incomplete"  # accessories missing or tags torn
    NOT_OUR_PRODUCT = "not_our_product"
    PACKAGING_ONLY = "packaging_only"  # a packaging flaw claimed as a defect
    NO_DEFECT = "no_defect"
    OUTSIDE_WINDOW = "outside_window"
    DELIVERED = "delivered"


class Defence(Frozen):
    """The seller's grounds for refusing, stated in its window (`POST /v1/disputes/{id}/defence`)."""

    grounds: tuple[SellerGround, ...] = Field(min_length=1, max_length=len(SellerGround))
    statement: str = Field(max_length=FREE_TEXT_MAX_CHARS)
    submitted_by: str
    submitted_at: UtcDateTime
    revision: int = Field(default=1, ge=1)  # how many defences the seller has stated on the case, this one included


class StepParty(StrEnum):
    """Who carries out a fulfilment step: a party, or the storefront that moves the money."""

    BUYER = "buyer"
    SELLER = "seller"
    STOREFRONT = "storefront"


class ReceiptCondition(StrEnum):
    RECEIVED_OK = "received_ok"
    NOT_RECEIVED = "not_received"
    DAMAGED = "damaged"
    DIFFERENT_ITEM = "different_item"
    MISSING_PARTS = "missing_parts"


class FulfilmentOutcome(StrEnum):
    COMPLETED = "completed"  # everything owed happened
    LAPSED = "lapsed"  # the buyer never shipped the return: the remedy is forfeited
    PLATFORM_REFUNDED = "platform_refunded"  # the storefront never reported the refund: the platform paid
    NOT_REQUIRED = "not_required"  # the final decision owed nothing


class FulfilmentStep(Frozen):
    """One step of carrying out a remedy, as it happened."""

    step: WindowKind
    party: StepParty
    opened_at: UtcDateTime
    due_at: UtcDateTime
    done_at: UtcDateTime | None = None
    by: str | None = None  # who did it, or "system" when its window passed
    details: dict[str, Any] = Field(default_factory=dict)


class Fulfilment(Frozen):
    """What the final decision owes and how far it got (DESIGN section 10).

    `plan` is the steps still to come after the current one; `owed` is the money the
    refund step must report (minor units in `currency`), 0 when only goods move.
    """

    remedy: Outcome
    owed: int = Field(ge=0)
    # Of `owed`, what the seller pays (the rest is the carrier's or the platform's): what the platform
    # recovers from the seller when it has to refund for it.
    seller_share: int = Field(default=0, ge=0)
    currency: str
    steps: tuple[FulfilmentStep, ...] = Field(default=(), max_length=12)
    plan: tuple[WindowKind, ...] = ()
    outcome: FulfilmentOutcome | None = None
    receipt_review: dict[str, Any] | None = None  # a receipt reported other than received_ok, awaiting a reviewer

    @property
    def current(self) -> FulfilmentStep | None:
        last = self.steps[-1] if self.steps else None
        return last if last is not None and last.done_at is None else None


class Dispute(Frozen):
    id: str
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
    delivered_at: UtcDateTime | None
    requested_at: UtcDateTime | None = None
    seller_decided_at: UtcDateTime
    no_reason_return_eligible: bool = True
    item: ItemFacts | None = None
    statement: str
    status: Status
    resolution: Resolution | None = None
    window: Window | None = None
    deadlines: dict[str, UtcDateTime] = Field(default_factory=dict)
    missed_deadlines: tuple[str, ...] = ()
    senior_queue_since: UtcDateTime | None = None
    workflow_error: str | None = None
    recommendation: Recommendation | None = None
    ruling: Ruling | None = None
    superseded_ruling: Ruling | None = None
    offers: tuple[Offer, ...] = ()
    appeal: Appeal | None = None
    claimed_by: str | None = None
    info_request: str | None = None
    # How many information requests reviewers sent on this case (bounded by the policy's limits.max_info_requests).
    info_requests_made: int = 0
    fulfilment: Fulfilment | None = None
    defence: Defence | None = None
    policy_version: str
    version: int = 0
    created_at: UtcDateTime
    updated_at: UtcDateTime

    def party_of(self, actor: Actor) -> Party | None:
        """The side the actor is on, or None: identity is (storefront, subject, role)."""
        if actor.storefront_id != self.storefront_id:
            return None
        if actor.role == Role.BUYER and actor.sub == self.buyer_id:
            return Party.BUYER
        if actor.role == Role.SELLER and actor.sub == self.seller_id:
            return Party.SELLER
        return None

    @property
    def order_total(self) -> int:
        return self.amount_paid + self.shipping_paid

    @property
    def open_offer(self) -> Offer | None:
        return next((offer for offer in self.offers if offer.status == OfferStatus.OPEN), None)

    @property
    def in_senior_queue(self) -> bool:
        """Appeals and cases whose review SLA passed belong to senior reviewers (a disputed receipt after an
        appeal is an ordinary review: the appeal is decided)."""
        return self.senior_queue_since is not None or (self.appeal is not None and self.fulfilment is None)


class AuditEvent(Frozen):
    """One append-only line of a case's history."""

    case_id: str
    at: UtcDateTime
    actor: str
    actor_role: str
    action: str
    from_status: Status | None
    to_status: Status | None
    reason: str = ""
    data: dict[str, Any] = Field(default_factory=dict)


class LedgerEntry(Frozen):
    """What a final decision leaves on a party's record: a seller's penalty points, a buyer's won or lost
    dispute, or a payout the platform made on the seller's behalf that the seller owes back (`seller_recovery`)."""

    kind: Literal["seller_penalty", "buyer_outcome", "seller_recovery"]
    storefront_id: str
    subject: str
    case_id: str
    points: int = 0
    lost: bool = False
    amount: int = 0
    currency: str | None = None
    at: UtcDateTime


class CaseRecord(Frozen):
    """A record written in the case's own transaction but on an item of its own: the case item is at its size
    budget (tests/unit/test_case_size.py). `chalicelib/domain/replay.py` defines the one kind there is."""


class Transition(Frozen):
    """A case's next state and the audit events that explain it, saved together or not at all.

    `case.version` is still the version the transition was computed from. `ledger` holds the
    records a closing case leaves on its parties, `records` what is kept beside the case (the rule
    inputs of a recommendation), both written in the same transaction.
    """

    case: Dispute
    events: tuple[AuditEvent, ...]
    ledger: tuple[LedgerEntry, ...] = ()
    records: tuple[CaseRecord, ...] = ()

    def preceded_by(self, *events: AuditEvent) -> Transition:
        """The same outcome, explained by earlier events first (composing transitions keeps their ledger)."""
        return self.model_copy(update={"events": (*events, *self.events)})

    @classmethod
    def unchanged(cls, case: Dispute) -> Transition:
        """Nothing to write: a repeated command (a re-claim) or a workflow step that already happened."""
        return cls(case=case, events=())

    def changes(self, read: Dispute) -> bool:
        """Whether committing this would write anything to the case `read`."""
        return bool(self.events or self.ledger or self.records) or self.case != read


@dataclass(frozen=True)
class Page:
    """One page of a listing of cases, and the cursor of the next (None on the last page)."""

    items: list[Dispute]
    cursor: str | None


class DisputeQuery(Frozen):
    """A page of cases: reviewers read a queue (`review` when none is named), everyone else their own cases."""

    queue: Literal["review", "senior", "fulfilment"] | None = None
    status: Status | None = None
    reason: ClaimReason | None = Field(
        default=None, description="only cases of this reason (a page may come back short; follow next_cursor)"
    )
    limit: int = Field(default=25, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=2048)
