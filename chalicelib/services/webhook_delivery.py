"""The webhook worker: fan an event out to subscriptions, attempt each delivery, retry or give up.

Every queue message is handled to completion and is safe to handle twice: the
delivery in DynamoDB is the truth (which attempt was made, which one is queued),
the queue only carries "do attempt n of round r". A crash at any point leaves
the message on the queue, and handling it again picks up where the last run
stopped. Delivery is therefore at least once; receivers dedupe on `webhook-id`.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import ValidationError

from chalicelib.domain.models import iso
from chalicelib.domain.views import dispute_view, event_view
from chalicelib.domain.webhook_messages import AttemptMessage, EventMessage, OutboxEntry, delay_seconds, parse_message
from chalicelib.domain.webhook_urls import Resolver
from chalicelib.domain.webhooks import (
    Attempt,
    Delivery,
    DeliveryStatus,
    EventType,
    RetrySchedule,
    Subscription,
    delivery_id_for,
    disabled_event_id_for,
    event_body,
    notice,
    signature_headers,
    step_for,
)
from chalicelib.observability import count, logger
from chalicelib.services.context import utc_now
from chalicelib.services.ports import WebhookQueue, WebhookSender, WebhookStore

_jitter = random.SystemRandom()


MAX_WRITE_ATTEMPTS = 5
INLINE_BUDGET_SECONDS = 30.0  # worst case of a fan-out's inline attempts; the Lambda's limit is 60 s


class UnreadableMessage(Exception):
    """Not a message this worker wrote; left on the queue so the redrive policy parks it in the DLQ."""


class DeliveryContention(Exception):
    """The delivery kept changing under this worker; SQS hands the message out again."""


@dataclass(frozen=True)
class WebhookPorts:
    store: WebhookStore
    queue: WebhookQueue
    sender: WebhookSender
    schedule: RetrySchedule
    local: bool
    resolver: Resolver
    secret_grace: timedelta
    disable_after: timedelta = timedelta(days=3)
    clock: Callable[[], datetime] = utc_now
    rand: Callable[[], float] = _jitter.random


def handle_message(ports: WebhookPorts, body: str) -> None:
    """One message from the webhook queue. Raises only when the queue should hand it out again."""
    try:
        message = parse_message(body)
    except ValidationError as error:
        raise UnreadableMessage(body[:200]) from error
    if isinstance(message, EventMessage):
        fan_out(ports, message)
    else:
        attempt(ports, message)


# -- fan-out -------------------------------------------------------------------------------


def fan_out(ports: WebhookPorts, message: EventMessage) -> None:
    """One delivery per event of the outbox item and subscription of the case's storefront that wants it.

    An outbox item holds the events of one write of the case (one stream record, one queue
    message), fanned out in their order. The first attempt is made right here rather than
    queued, and the delivery is stored once it is made, with it: most events reach one
    subscription and most first attempts succeed, so a delivery costs a read and one write,
    and no queue hop. The event message stands in for the attempt-1 messages: if this run
    dies before a delivery is stored, SQS hands the message out again and the attempt is
    made again (receivers dedupe on webhook-id); a repeated fan-out that finds a delivery
    stored finishes what the first one left (two at once may both post: at least once,
    never never). Only the first `inline_attempts` deliveries are attempted inline, so a
    handful of slow receivers cannot hold the fan-out past its time limit; the rest are queued.
    """
    entries = ports.store.outbox_entries(message)
    if not entries:  # most lines beside a case raise no webhook; an old outbox item may have expired
        if message.line is None:
            logger.warning("webhook event no longer in the outbox", extra={"case_id": message.case_id})
        return
    subscriptions = ports.store.subscriptions(entries[0].storefront_id)
    inline = inline_attempts(ports.sender.timeout)
    made = 0
    for entry in entries:
        wanted = [s for s in subscriptions if s.wants(entry.event_type, entry.created_at)]
        if not wanted:
            continue
        body = rendered(entry)
        for subscription in wanted:
            _deliver(ports, entry, subscription, body, in_hand=made < inline)
            made += 1


def _deliver(ports: WebhookPorts, entry: OutboxEntry, subscription: Subscription, body: str, *, in_hand: bool) -> None:
    """One event to one subscription: attempted here (`in_hand`), or queued; a repeat resumes the stored one."""
    now = ports.clock()
    delivery = Delivery(
        id=delivery_id_for(subscription.id, entry.event_id, entry.created_at),
        subscription_id=subscription.id,
        storefront_id=entry.storefront_id,
        event_id=entry.event_id,
        event_type=entry.event_type,
        case_id=entry.case_id,
        sequence=entry.sequence,
        queued_attempt=1 if in_hand else 0,
        next_attempt_at=now,
        created_at=now,
        updated_at=now,
    )
    first = AttemptMessage(delivery_id=delivery.id, round=1, attempt=1, not_before=now)
    if in_hand and ports.store.get_delivery(delivery.id) is None:  # a read costs a fifth of a write
        _attempt(ports, delivery, first, now, subscription, body, stored=False)
    elif not in_hand and ports.store.create_delivery(delivery):
        enqueue_attempt(ports, delivery, 1, now)
    else:
        _resume(ports, delivery.id, first)


def rendered(entry: OutboxEntry) -> str:
    """A case event's body, from its outbox entry: the same bytes at every attempt, so no delivery stores it
    (the entry rides on the case's timeline item, which is kept as long as the case)."""
    return event_body(
        entry.event_id,
        entry.event_type,
        entry.created_at,
        entry.sequence,
        dispute_view(entry.case),
        event_view(entry.event),
    )


def inline_attempts(timeout_seconds: float) -> int:
    """How many first attempts one fan-out makes itself: as many as fit the budget, at least one."""
    return max(1, int(INLINE_BUDGET_SECONDS // timeout_seconds))


def _resume(ports: WebhookPorts, delivery_id: str, first: AttemptMessage) -> None:
    """A repeated fan-out: finish what the run before it left undone for this delivery, if anything."""
    existing = ports.store.get_delivery(delivery_id)
    if existing is None or not existing.in_round(first.round):
        return
    if existing.queued_attempt == 0:  # it stopped before queueing attempt 1
        enqueue_attempt(ports, existing, 1, first.not_before)
    else:  # make attempt 1 or follow it up, unless that was done; if it was queued rather than made
        attempt(ports, first)  # inline, its message may also make it: receivers dedupe on webhook-id


def enqueue_attempt(ports: WebhookPorts, delivery: Delivery, number: int, not_before: datetime) -> None:
    """Queue attempt `number` of the delivery's current round, then note that it is queued.

    Sent first, noted second: a crash in between leaves the note missing, and the repeated
    message that follows up finds it missing and queues again (at least once, never never).
    """
    message = AttemptMessage(delivery_id=delivery.id, round=delivery.round, attempt=number, not_before=not_before)
    ports.queue.send(message, delay_seconds(not_before, ports.clock()))
    update(ports, delivery, lambda d: d.queued(number, not_before) if d.in_round(message.round) else None)


def end(ports: WebhookPorts, delivery: Delivery, status: DeliveryStatus, now: datetime, round_number: int = 0) -> None:
    """End the delivery as `status`, unless it already ended or was redelivered since (`round_number`, when
    the caller acts for one round; otherwise whichever round is running)."""
    update(ports, delivery, lambda d: d.ended(status, now) if d.in_round(round_number or d.round) else None)


def update(ports: WebhookPorts, delivery: Delivery, change: Callable[[Delivery], Delivery | None]) -> Delivery | None:
    """Apply `change` and save; if another writer got in first, re-read and apply it to theirs.

    `change` returns None when it no longer applies (e.g. the attempt was recorded by another
    worker, or the delivery was redelivered), and then nothing is written.
    """
    current: Delivery | None = delivery
    for _ in range(MAX_WRITE_ATTEMPTS):
        changed = change(current) if current is not None else None
        if changed is None:
            return None
        saved = ports.store.save_delivery(changed)
        if saved is not None:
            return saved
        current = ports.store.get_delivery(delivery.id)
    raise DeliveryContention(delivery.id)


# -- attempts --------------------------------------------------------------------------------


def attempt(ports: WebhookPorts, message: AttemptMessage) -> None:
    delivery = ports.store.get_delivery(message.delivery_id)
    if delivery is None:
        return
    now = ports.clock()
    step = step_for(delivery, message.round, message.attempt, message.not_before, now)
    if step == "follow_up":
        follow_up(ports, delivery, message)
    elif step == "wait":
        ports.queue.send(message, delay_seconds(message.not_before, now))
    elif step == "attempt":
        _attempt(ports, delivery, message, now)


def _attempt(
    ports: WebhookPorts,
    delivery: Delivery,
    message: AttemptMessage,
    now: datetime,
    subscription: Subscription | None = None,
    body: str | None = None,
    *,
    stored: bool = True,
) -> None:
    """Sign and POST, record the attempt (once, whoever wins), then follow it up.

    `stored=False` is the fan-out's first attempt: the delivery is created with it recorded, in one write.
    Nothing is sent to a deleted endpoint (the delivery is cancelled) or a disabled one (it fails, and
    can be redelivered once the endpoint is enabled again); a test may still try a disabled endpoint,
    which is how a storefront checks its fix before enabling it.
    """
    subscription = subscription or ports.store.get_subscription(delivery.storefront_id, delivery.subscription_id)
    if subscription is None or not (subscription.enabled or delivery.event_type is EventType.WEBHOOK_TEST):
        end(ports, delivery, DeliveryStatus.CANCELLED if subscription is None else DeliveryStatus.FAILED, now)
        return
    body = body or delivery.body or _body_from_outbox(ports, delivery)
    if body is None:
        logger.warning("webhook event no longer in the outbox", extra={"delivery_id": delivery.id})
        end(ports, delivery, DeliveryStatus.FAILED, now)
        return
    result = ports.sender.post(
        subscription.url, body, signature_headers(delivery.event_id, body, subscription.signing_secrets(now), now)
    )
    made = Attempt(
        round=delivery.round,
        number=message.attempt,
        at=now,
        status_code=result.status_code,
        latency_ms=result.latency_ms,
        error=result.error,
    )
    recorded = _record(ports, delivery, made, message, stored=stored)
    log = {"case_id": delivery.case_id, "delivery_id": delivery.id, "attempt": made.number}
    if recorded is None:
        return  # another worker recorded this attempt first and follows it up
    if made.ok:
        logger.info("webhook delivered", extra={**log, "status_code": made.status_code})
        if subscription.failing_since is not None:
            ports.store.note_success(subscription)
        return
    logger.warning("webhook attempt failed", extra={**log, "status_code": made.status_code, "error": made.error})
    count("WebhookAttemptsFailed")
    if subscription.failing_since is None:
        ports.store.note_failure(subscription, now)
    elif subscription.failing_too_long(now, ports.disable_after) and disable(ports, subscription, now):
        end(ports, recorded, DeliveryStatus.FAILED, now)
        return
    follow_up(ports, recorded, message)


def _record(
    ports: WebhookPorts, delivery: Delivery, made: Attempt, message: AttemptMessage, *, stored: bool
) -> Delivery | None:
    """The delivery with the attempt recorded, or None when another worker recorded it (and follows it up)."""
    if stored:
        return update(ports, delivery, lambda d: d.recorded(made) if d.awaits(made) else None)
    created = delivery.recorded(made)
    if ports.store.create_delivery(created):
        return created
    _resume(ports, delivery.id, message)  # a repeated fan-out stored it first: finish what that run left
    return None


def _body_from_outbox(ports: WebhookPorts, delivery: Delivery) -> str | None:
    if delivery.case_id is None:
        return None
    entry = ports.store.outbox_entry(delivery.case_id, delivery.sequence)
    return rendered(entry) if entry is not None else None


# -- endpoint health ---------------------------------------------------------------------


def disable(ports: WebhookPorts, subscription: Subscription, now: datetime) -> bool:
    """Disable an endpoint that failed every attempt for `disable_after`, and tell the storefront's others.

    The store's condition makes one worker the one that disables it (and sends the notice); False for
    the others, or when an attempt succeeded in the meantime.
    """
    since = subscription.failing_since or now
    reason = f"every attempt failed from {iso(since)} to {iso(now)}"
    if not ports.store.disable(subscription, now, reason, now - ports.disable_after):
        return False
    disabled = subscription.model_copy(update={"disabled_at": now, "disabled_reason": reason})
    logger.warning("webhook endpoint disabled", extra={"subscription_id": subscription.id, "failing_since": iso(since)})
    count("WebhookEndpointsDisabled")
    event_id = disabled_event_id_for(subscription.id, now)
    for other in ports.store.subscriptions(subscription.storefront_id):
        if other.id != subscription.id and other.enabled:
            told = notice(event_id, EventType.WEBHOOK_DISABLED, other, disabled, now, now)
            if ports.store.create_delivery(told):
                enqueue_attempt(ports, told, 1, now)
    return True


def follow_up(ports: WebhookPorts, delivery: Delivery, message: AttemptMessage) -> None:
    """After failed attempt n: queue attempt n+1 after a backoff, or give up and dead-letter it."""
    now = ports.clock()
    delay = ports.schedule.delay_after(message.attempt, ports.rand())
    if delay is not None:
        enqueue_attempt(ports, delivery, message.attempt + 1, now + delay)
        return
    reason = f"gave up after {message.attempt} attempts: {delivery.attempts[-1].error if delivery.attempts else ''}"
    if not ports.queue.dead_letter(message, reason):
        logger.warning("no webhook dead-letter queue configured", extra={"delivery_id": delivery.id})
    end(ports, delivery, DeliveryStatus.FAILED, now, message.round)
    logger.error("webhook delivery failed", extra={"case_id": delivery.case_id, "delivery_id": delivery.id})
    count("WebhookDeliveriesFailed")
