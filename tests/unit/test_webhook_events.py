"""Which case events become webhooks, their ids and sequence, their body, and their signatures."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from chalicelib.adapters.table import json_attribute
from chalicelib.adapters.webhook_outbox import entries_from_timeline_item, webhook_attributes
from chalicelib.domain import lifecycle
from chalicelib.domain.models import AuditEvent, Party
from chalicelib.domain.policy import Deadlines
from chalicelib.domain.views import dispute_view, event_view
from chalicelib.domain.webhook_messages import OutboxEntry, outbox_entries
from chalicelib.domain.webhooks import (
    SUBSCRIBABLE,
    EventType,
    SigningSecret,
    Subscription,
    delivery_id_for,
    delivery_subscription,
    event_body,
    event_id_for,
    event_type_for,
    message_sequence_of,
    sequence_of,
    signature_headers,
)
from chalicelib.services.webhooks import new_secret
from tests.factories import NOW, SELLER, opened_case, request, saved, unique

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
OTHER_SECRET = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"


def test_audit_actions_named_after_a_webhook_type_map_to_it_and_others_stay_internal() -> None:
    assert event_type_for("created") == EventType.CREATED
    assert event_type_for("offer_made") == EventType.OFFER_MADE
    assert event_type_for("withdrawn") == EventType.WITHDRAWN
    # every event of carrying out a decision (chalicelib/domain/fulfilment.py) is sent
    for action in ("fulfilment_step_opened", "fulfilment_step_completed", "fulfilment_overdue", "platform_refunded"):
        assert event_type_for(action) == EventType(f"dispute.{action}")
    assert event_type_for("fulfilled") == EventType.FULFILLED
    internal_actions = ("awaiting_rules", "rules_applied", "appeal_opened", "review_sla_breached", "workflow_failed")
    for internal in (*internal_actions, "receipt_decided"):
        assert event_type_for(internal) is None
    assert event_type_for("message_posted") == EventType.MESSAGE_POSTED  # messages to everyone only
    assert len(EventType) == 21
    assert {EventType.WEBHOOK_TEST, EventType.WEBHOOK_DISABLED}.isdisjoint(SUBSCRIBABLE)  # notices, never subscribed
    assert len(SUBSCRIBABLE) == len(EventType) - 2


def test_sequence_increases_with_the_version_and_then_the_event_index() -> None:
    assert sequence_of(1, 0) < sequence_of(1, 1) < sequence_of(2, 0) < sequence_of(10, 0)
    with pytest.raises(ValueError, match="at most"):
        sequence_of(1, 500)
    # a message posted at a version sorts after that version's events and before the next version's
    assert sequence_of(1, 499) < message_sequence_of(1, 0) < message_sequence_of(1, 499) < sequence_of(2, 0)
    with pytest.raises(ValueError, match="at most"):
        message_sequence_of(1, 500)


def test_event_ids_are_derived_so_the_same_event_always_has_the_same_id() -> None:
    assert event_id_for("dsp_1", 100) == event_id_for("dsp_1", 100)
    assert len({event_id_for("dsp_1", 100), event_id_for("dsp_1", 101), event_id_for("dsp_2", 100)}) == 3
    assert event_id_for("dsp_1", 100).startswith("evt_")


def test_a_new_case_puts_its_created_and_evidence_requested_events_in_the_outbox() -> None:
    transition = lifecycle.open_case(request(), SELLER, "broken", unique("dsp"), "v1", Deadlines(), NOW)
    stored = transition.case.model_copy(update={"version": 1})

    entries = outbox_entries(stored, transition.events)

    assert [(e.event_type, e.sequence) for e in entries] == [
        (EventType.CREATED, 1000),
        (EventType.EVIDENCE_REQUESTED, 1001),
    ]
    assert all(e.case.version == 1 and e.storefront_id == stored.storefront_id for e in entries)
    assert stored_and_read_back(stored.id, transition.events, entries) == [facts_of(e) for e in entries]


def test_a_webhook_that_says_more_than_its_line_keeps_its_own_document() -> None:
    case = opened_case()
    line = lifecycle.event(case, NOW, "message_posted", reason="a message")
    (entry,) = outbox_entries(case, (line,))
    fuller = dataclasses.replace(entry, event_doc=line.model_copy(update={"data": {"body": "hi"}}).model_dump_json())

    assert stored_and_read_back(case.id, (line,), [fuller]) == [facts_of(fuller)]


def stored_and_read_back(case_id: str, lines: tuple[AuditEvent, ...], entries: list[OutboxEntry]) -> list[Any]:
    """The webhook events as a timeline item of `lines` stores them and reads them back."""
    docs = [line.model_dump_json() for line in lines]
    item = {
        "PK": {"S": f"CASE#{case_id}"},
        "SK": {"S": "EVENT#0000000001"},
        "doc": json_attribute(f"[{','.join(docs)}]"),
        **webhook_attributes(entries, docs),
    }
    return [facts_of(entry) for entry in entries_from_timeline_item(item)]


def facts_of(entry: OutboxEntry) -> tuple[Any, ...]:
    """What a webhook says (the event's document may be formatted differently, not differ)."""
    return (
        entry.case_id,
        entry.storefront_id,
        entry.sequence,
        entry.event_id,
        entry.event_type,
        entry.created_at,
        entry.case,
        entry.event,
    )


def test_audit_only_events_take_no_outbox_entry_but_keep_their_sequence_slot() -> None:
    case = opened_case()
    transition = lifecycle.submit(case, SELLER, Party.SELLER, Deadlines(), NOW + timedelta(minutes=5))
    stored = saved(transition)

    entries = outbox_entries(stored, transition.events)

    assert [e.event_type for e in entries] == [EventType.EVIDENCE_SUBMITTED, EventType.EVIDENCE_REQUESTED]
    assert [e.sequence for e in entries] == [stored.version * 1000, stored.version * 1000 + 1]


def test_the_body_carries_id_type_time_sequence_and_the_dispute_as_the_api_shows_it() -> None:
    case = opened_case()
    event = lifecycle.event(case, NOW, "created")

    body = json.loads(
        event_body("evt_1", EventType.CREATED, NOW, 100, dispute_view(case), event_view(event)),
    )

    assert body["id"] == "evt_1"
    assert body["type"] == "dispute.created"
    assert body["created_at"] == "2026-11-23T12:00:00Z"
    assert body["sequence"] == 100
    assert body["data"]["dispute"]["id"] == case.id
    assert body["data"]["dispute"]["status"] == "awaiting_seller"
    assert body["data"]["event"]["action"] == "created"


def test_signatures_verify_with_the_standard_webhooks_library() -> None:
    now = datetime.now(UTC)
    body = '{"id":"evt_1"}'

    headers = signature_headers("evt_1", body, [SECRET], now)

    assert headers["webhook-id"] == "evt_1"
    assert headers["webhook-timestamp"] == str(int(now.timestamp()))
    assert headers["webhook-signature"].startswith("v1,")
    assert Webhook(SECRET).verify(body, headers) == {"id": "evt_1"}
    with pytest.raises(WebhookVerificationError):
        Webhook(OTHER_SECRET).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(body + " ", headers)


def test_with_two_active_secrets_each_one_alone_verifies() -> None:
    now = datetime.now(UTC)
    headers = signature_headers("evt_1", "{}", [OTHER_SECRET, SECRET], now)

    assert len(headers["webhook-signature"].split(" ")) == 2
    Webhook(SECRET).verify("{}", headers)
    Webhook(OTHER_SECRET).verify("{}", headers)


def test_a_rotated_secret_keeps_signing_until_its_grace_period_ends() -> None:
    subscription = Subscription(
        id="wh_1",
        storefront_id="shop-1",
        url="https://shop.example/hooks",
        events=(EventType.CREATED,),
        secrets=(SigningSecret(value=SECRET),),
        created_at=NOW,
    )

    rotated = subscription.rotated(OTHER_SECRET, NOW, timedelta(hours=24))

    assert rotated.signing_secrets(NOW) == [OTHER_SECRET, SECRET]
    assert rotated.signing_secrets(NOW + timedelta(hours=23)) == [OTHER_SECRET, SECRET]
    assert rotated.signing_secrets(NOW + timedelta(hours=24)) == [OTHER_SECRET]
    twice = rotated.rotated(new := new_secret(), NOW + timedelta(hours=1), timedelta(hours=24))
    assert twice.signing_secrets(NOW + timedelta(hours=2)) == [new, OTHER_SECRET, SECRET]
    assert twice.signing_secrets(NOW + timedelta(hours=24, minutes=30)) == [new, OTHER_SECRET]


def test_a_subscription_gets_only_its_types_and_nothing_from_before_it_existed() -> None:
    subscription = Subscription(
        id="wh_1",
        storefront_id="shop-1",
        url="https://shop.example/hooks",
        events=(EventType.RULED,),
        secrets=(SigningSecret(value=SECRET),),
        created_at=NOW,
    )

    assert subscription.wants(EventType.RULED, NOW + timedelta(seconds=1))
    assert not subscription.wants(EventType.CREATED, NOW + timedelta(seconds=1))
    assert not subscription.wants(EventType.RULED, NOW - timedelta(seconds=1))


def test_new_secrets_are_standard_webhooks_secrets() -> None:
    secret = new_secret()

    assert secret.startswith("whsec_")
    assert secret != new_secret()
    Webhook(secret)  # decodes as base64, 32 bytes


def test_a_delivery_id_names_its_subscription_and_sorts_by_the_events_time() -> None:
    subscription = "wh_" + "a" * 32
    early = delivery_id_for(subscription, "evt_2", NOW)
    late = delivery_id_for(subscription, "evt_1", NOW + timedelta(microseconds=1))

    assert delivery_id_for(subscription, "evt_2", NOW) == early  # a repeated fan-out finds its delivery
    assert early < late and delivery_subscription(early) == delivery_subscription(late) == subscription
    assert delivery_subscription("dlv_" + "0" * 32) is None  # an id issued before
