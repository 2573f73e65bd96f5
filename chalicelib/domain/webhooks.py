"""Webhooks to storefronts, as plain Python: which events, their body and signature, when to retry, which URLs.

Signatures follow the Standard Webhooks specification through its own library,
so any Standard Webhooks verifier accepts them. Nothing here does I/O: the
clock and randomness come in as arguments. Where a webhook may point is in
webhook_urls.py.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Literal

from pydantic import Field
from standardwebhooks import Webhook

from chalicelib.domain.errors import InvalidState
from chalicelib.domain.models import Frozen, UtcDateTime, iso


class EventType(StrEnum):
    """Every webhook type is `dispute.<audit action>`; other audit actions stay internal."""

    CREATED = "dispute.created"
    EVIDENCE_REQUESTED = "dispute.evidence_requested"
    EVIDENCE_SUBMITTED = "dispute.evidence_submitted"
    DEADLINE_APPROACHING = "dispute.deadline_approaching"
    DEADLINE_MISSED = "dispute.deadline_missed"
    OFFER_MADE = "dispute.offer_made"
    SETTLED = "dispute.settled"
    UNDER_REVIEW = "dispute.under_review"
    INFO_REQUESTED = "dispute.info_requested"
    RULED = "dispute.ruled"
    APPEALED = "dispute.appealed"
    CLOSED = "dispute.closed"
    WITHDRAWN = "dispute.withdrawn"
    FULFILMENT_STEP_OPENED = "dispute.fulfilment_step_opened"
    FULFILMENT_STEP_COMPLETED = "dispute.fulfilment_step_completed"
    FULFILMENT_OVERDUE = "dispute.fulfilment_overdue"
    PLATFORM_REFUNDED = "dispute.platform_refunded"
    FULFILLED = "dispute.fulfilled"
    MESSAGE_POSTED = "dispute.message_posted"  # only for messages to `everyone` (chalicelib/domain/messages.py)
    # Notices about an endpoint, never subscribed to: a test on request (POST /v1/webhooks/{id}/test), and
    # the disabling of an endpoint that kept failing, sent to the storefront's other endpoints.
    WEBHOOK_TEST = "webhook.test"
    WEBHOOK_DISABLED = "webhook.disabled"


NOTICES = frozenset({EventType.WEBHOOK_TEST, EventType.WEBHOOK_DISABLED})
SUBSCRIBABLE = frozenset(EventType) - NOTICES


# Each saved version of a case owns a block of SEQUENCE_STRIDE numbers: the events of the transition that made
# it take the first TRANSITION_EVENTS, and the messages posted while the case stays at that version (they never
# change it) the rest, one per message slot (a case holds at most 500 messages: chalicelib/domain/messages.py).
SEQUENCE_STRIDE = 1000
TRANSITION_EVENTS = 500
MAX_LOGGED_ATTEMPTS = 100
# A queued attempt may arrive this much before its time (SQS delays are whole seconds) and still go.
EARLY_TOLERANCE = timedelta(milliseconds=500)


def event_type_for(action: str) -> EventType | None:
    try:
        return EventType(f"dispute.{action}")
    except ValueError:
        return None


def sequence_of(version: int, index: int) -> int:
    """Per-case and increasing: the stored version orders transitions, the index orders their events.

    Gaps are normal (audit-only events take numbers too); receivers sort by it, never count on it.
    """
    if not 0 <= index < TRANSITION_EVENTS:
        raise ValueError(f"a transition may carry at most {TRANSITION_EVENTS} events")
    return version * SEQUENCE_STRIDE + index


def message_sequence_of(version: int, slot: int) -> int:
    """A message posted on a case at `version`: after that version's events, before the next version's."""
    if not 0 <= slot < SEQUENCE_STRIDE - TRANSITION_EVENTS:
        raise ValueError(f"a case numbers at most {SEQUENCE_STRIDE - TRANSITION_EVENTS} messages")
    return version * SEQUENCE_STRIDE + TRANSITION_EVENTS + slot


def _digest(*parts: str) -> str:
    return hashlib.sha256("#".join(parts).encode()).hexdigest()[:32]


def event_id_for(case_id: str, sequence: int) -> str:
    """Derived, not random: the same event always has the same id (the `webhook-id`)."""
    return f"evt_{_digest(case_id, str(sequence))}"


def test_event_id_for(subscription_id: str, at: datetime) -> str:
    """One test event per endpoint per minute: asking again within the minute finds the same delivery, so a
    storefront pressing the button in a loop cannot grow its delivery log faster than that."""
    return f"evt_test_{_digest(subscription_id, minute_of_test_event(at).strftime('%Y-%m-%dT%H:%M'))}"


def disabled_event_id_for(subscription_id: str, disabled_at: datetime) -> str:
    """One notice per disabling: a worker that repeats it finds the deliveries it made."""
    return f"evt_disabled_{_digest(subscription_id, iso(disabled_at))}"


def delivery_id_for(subscription_id: str, event_id: str, event_at: datetime) -> str:
    """One delivery per (subscription, event), so a repeated fan-out finds the one it made. It names its
    subscription and then the event's time, so ids of one subscription sort in time order: the store keeps a
    subscription's deliveries in one partition keyed by their ids, and lists them without an index."""
    hex_part = subscription_id.removeprefix("wh_")
    if not (subscription_id.startswith("wh_") and hex_part.isalnum()):  # what services/webhooks.py issues
        raise ValueError(f"not a subscription id: {subscription_id!r}")
    moment = event_at.astimezone(UTC).strftime("%Y%m%d%H%M%S%f")
    return f"dlv_{hex_part}_{moment}_{_digest(subscription_id, event_id)[:16]}"


def delivery_subscription(delivery_id: str) -> str | None:
    """The subscription a delivery id names; None for an id issued before ids named it (`dlv_` + a digest)."""
    parts = delivery_id.removeprefix("dlv_").split("_")
    return f"wh_{parts[0]}" if len(parts) == 3 and delivery_id.startswith("dlv_") else None


def minute_of_test_event(now: datetime) -> datetime:
    """When a test event happens: the start of its minute (one test event per endpoint per minute)."""
    return now.replace(second=0, microsecond=0)


# -- subscriptions -------------------------------------------------------------


class SigningSecret(Frozen):
    value: str
    expires_at: UtcDateTime | None = None


class Subscription(Frozen):
    """An endpoint of a storefront, and its health.

    `failing_since` is when the endpoint's current run of failed attempts began (None once any attempt
    succeeds); an endpoint still failing `disable_after` later is disabled, as Stripe does: no new
    deliveries, pending ones end failed (to redeliver), until the storefront enables it again.
    """

    id: str
    storefront_id: str
    url: str
    events: tuple[EventType, ...]
    secrets: tuple[SigningSecret, ...]
    created_at: UtcDateTime
    rotated_at: UtcDateTime | None = None
    failing_since: UtcDateTime | None = None
    disabled_at: UtcDateTime | None = None
    disabled_reason: str | None = None

    @property
    def enabled(self) -> bool:
        return self.disabled_at is None

    def wants(self, event_type: str, happened_at: datetime) -> bool:
        """Enabled, subscribed to this type, and subscribed before it happened (no backfill of old events)."""
        return self.enabled and event_type in self.events and happened_at >= self.created_at

    def failing_too_long(self, now: datetime, disable_after: timedelta) -> bool:
        """After a failed attempt: has every attempt since `failing_since` failed for `disable_after`?"""
        return self.enabled and self.failing_since is not None and now - self.failing_since >= disable_after

    def signing_secrets(self, now: datetime) -> list[str]:
        """The current secret first, then previous ones still in their grace period."""
        return [s.value for s in self.secrets if s.expires_at is None or s.expires_at > now]

    def rotated(self, new_secret: str, now: datetime, grace: timedelta) -> Subscription:
        """The new secret signs from now on; the old ones keep signing until the grace period ends."""
        kept = tuple(
            SigningSecret(value=s.value, expires_at=min(s.expires_at or now + grace, now + grace))
            for s in self.secrets
            if s.expires_at is None or s.expires_at > now
        )
        return self.model_copy(update={"secrets": (SigningSecret(value=new_secret), *kept), "rotated_at": now})


# -- deliveries -----------------------------------------------------------------


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"
    CANCELLED = "cancelled"


class Attempt(Frozen):
    round: int
    number: int
    at: UtcDateTime
    status_code: int | None = None
    latency_ms: int = 0
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class Delivery(Frozen):
    """One event to one subscription: its body, its attempts, and where it stands.

    `round` counts manual redeliveries; `round_attempts` is how many attempts the current
    round made (what the retry schedule counts), `queued_attempt` the highest one queued
    (a first attempt made inline by the fan-out counts as queued on the event message),
    so a repeated queue message can tell what is left to do. `revision` guards writes.
    """

    id: str
    subscription_id: str
    storefront_id: str
    event_id: str
    event_type: EventType
    case_id: str | None  # None for a `webhook.test` delivery, which belongs to no case
    sequence: int
    body: str | None = None  # a notice's own; a case event's is rendered from its outbox entry, never stored twice
    status: DeliveryStatus = DeliveryStatus.PENDING
    round: int = 1
    round_attempts: int = 0
    queued_attempt: int = 0
    attempts: tuple[Attempt, ...] = ()
    next_attempt_at: UtcDateTime | None = None
    created_at: UtcDateTime
    updated_at: UtcDateTime
    revision: int = 0

    def in_round(self, round_number: int) -> bool:
        """Still being delivered, and not redelivered since: changes made for this round still apply."""
        return self.status == DeliveryStatus.PENDING and self.round == round_number

    def awaits(self, attempt: Attempt) -> bool:
        """This attempt is the next one to record (no other worker recorded it first)."""
        return self.in_round(attempt.round) and self.round_attempts == attempt.number - 1

    def queued(self, number: int, not_before: datetime) -> Delivery:
        return self.model_copy(
            update={"queued_attempt": max(number, self.queued_attempt), "next_attempt_at": not_before}
        )

    def recorded(self, attempt: Attempt) -> Delivery:
        """The attempt joins the log (the newest MAX_LOGGED_ATTEMPTS are kept); a 2xx ends the delivery."""
        attempts = (*self.attempts, attempt)[-MAX_LOGGED_ATTEMPTS:]
        return self.model_copy(
            update={
                "attempts": attempts,
                "round_attempts": attempt.number,
                "status": DeliveryStatus.DELIVERED if attempt.ok else self.status,
                "next_attempt_at": None,
                "updated_at": attempt.at,
            }
        )

    def ended(self, status: DeliveryStatus, now: datetime) -> Delivery:
        return self.model_copy(update={"status": status, "next_attempt_at": None, "updated_at": now})

    def redelivered(self, now: datetime) -> Delivery:
        """Send it again, same webhook-id and body, with a fresh retry schedule."""
        if self.status not in (DeliveryStatus.DELIVERED, DeliveryStatus.FAILED):
            raise InvalidState(
                f"the delivery is {self.status.value}; only a delivered or failed one can be sent again",
                [{"status": self.status.value}],
            )
        return self.model_copy(
            update={
                "status": DeliveryStatus.PENDING,
                "round": self.round + 1,
                "round_attempts": 0,
                "queued_attempt": 0,
                "next_attempt_at": now,
                "updated_at": now,
            }
        )


Step = Literal["stale", "follow_up", "wait", "attempt"]


def step_for(delivery: Delivery, round_number: int, attempt: int, not_before: datetime, now: datetime) -> Step:
    """What a queued "attempt n of round r" asks of the delivery as it stands; duplicates ask nothing.

    `follow_up`: attempt n was made but what comes after it was never queued (a crash in between).
    `wait`: too early; SQS delays are at most 15 minutes, so long waits take several hops.
    """
    if not delivery.in_round(round_number):
        return "stale"
    if attempt == delivery.round_attempts and delivery.queued_attempt <= attempt:
        return "follow_up"
    if attempt != delivery.round_attempts + 1:
        return "stale"
    if not_before - now > EARLY_TOLERANCE:
        return "wait"
    return "attempt"


# -- body and signature -----------------------------------------------------------


def event_body(
    event_id: str,
    event_type: EventType,
    created_at: datetime,
    sequence: int,
    dispute: dict[str, Any],
    event: dict[str, Any],
) -> str:
    """The JSON body, compact; built once per delivery so every attempt sends the same bytes."""
    payload = {
        "id": event_id,
        "type": event_type.value,
        "created_at": iso(created_at),
        "sequence": sequence,
        "data": {"dispute": dispute, "event": event},
    }
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


def notice(
    event_id: str,
    event_type: EventType,
    subscription: Subscription,
    about: Subscription,
    now: datetime,
    event_at: datetime,
) -> Delivery:
    """A notice about endpoint `about` for endpoint `subscription`: the envelope every event has, with the
    endpoint as its data (`webhook.test` to itself, `webhook.disabled` to the storefront's others); `event_at`
    is the moment its id is derived from."""
    webhook: dict[str, Any] = {"id": about.id, "url": about.url}
    if about.disabled_at is not None:
        webhook |= {
            "failing_since": iso(about.failing_since) if about.failing_since else None,
            "disabled_at": iso(about.disabled_at),
            "disabled_reason": about.disabled_reason,
        }
    payload = {
        "id": event_id,
        "type": event_type.value,
        "created_at": iso(now),
        "sequence": 0,
        "data": {"webhook": webhook},
    }
    return Delivery(
        id=delivery_id_for(subscription.id, event_id, event_at),
        subscription_id=subscription.id,
        storefront_id=subscription.storefront_id,
        event_id=event_id,
        event_type=event_type,
        case_id=None,
        sequence=0,
        body=json.dumps(payload, separators=(",", ":"), ensure_ascii=False),
        next_attempt_at=now,
        created_at=now,
        updated_at=now,
    )


def signature_headers(message_id: str, body: str, secrets: Sequence[str], at: datetime) -> dict[str, str]:
    """`webhook-id`, `webhook-timestamp`, and one `v1,` signature per active secret, space-separated."""
    if not secrets:
        raise ValueError("a subscription always has a current secret")
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": " ".join(Webhook(secret).sign(message_id, at, body) for secret in secrets),
    }


# -- retries ------------------------------------------------------------------------


class RetrySchedule(Frozen):
    """Exponential backoff with jitter: 1 min, 2, 4 ... capped at 6 h, for about a day in all.

    The nominal delays add up to exactly `horizon`; jitter moves each by up to +/- `jitter`.
    Scaling shrinks every duration alike, so the number of attempts never changes.
    """

    first_delay: timedelta = timedelta(minutes=1)
    factor: float = Field(default=2.0, ge=1.0)
    max_delay: timedelta = timedelta(hours=6)
    horizon: timedelta = timedelta(hours=24)
    jitter: float = Field(default=0.2, ge=0.0, lt=1.0)

    def delays(self) -> tuple[timedelta, ...]:
        delays: list[timedelta] = []
        elapsed = timedelta(0)
        nominal = self.first_delay
        while elapsed < self.horizon and self.first_delay > timedelta(0):
            delay = min(nominal, self.max_delay, self.horizon - elapsed)
            delays.append(delay)
            elapsed += delay
            nominal = nominal * self.factor
        return tuple(delays)

    @property
    def max_attempts(self) -> int:
        return len(self.delays()) + 1

    def delay_after(self, attempt: int, rand: float) -> timedelta | None:
        """How long to wait after failed attempt `attempt` (1-based); None once it was the last."""
        delays = self.delays()
        if attempt > len(delays):
            return None
        return delays[attempt - 1] * (1 - self.jitter + 2 * self.jitter * rand)

    def scaled(self, scale: float) -> RetrySchedule:
        return self.model_copy(
            update={
                "first_delay": self.first_delay * scale,
                "max_delay": self.max_delay * scale,
                "horizon": self.horizon * scale,
            }
        )
