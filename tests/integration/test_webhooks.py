"""Webhooks end to end on the local runtime: outbox, queue, worker, and a real receiver on loopback.

The receiver verifies every request with the `standardwebhooks` package, as a
storefront would. (These tests open loopback sockets on purpose: the receiver is
the point.)
"""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import app
from chalicelib.adapters.aws import client
from chalicelib.adapters.webhook_outbox import entries_from_timeline_item
from chalicelib.adapters.webhook_sender import HttpSender
from chalicelib.api.responses import WebhookDisabledEvent, WebhookEvent
from chalicelib.bootstrap import context, webhook_ports, webhook_store
from chalicelib.domain import lifecycle, timers
from chalicelib.domain.errors import VersionConflict
from chalicelib.domain.models import Party
from chalicelib.domain.policy import Deadlines
from chalicelib.domain.webhook_messages import EventMessage, OutboxEntry, SendResult
from chalicelib.domain.webhooks import (
    SUBSCRIBABLE,
    Attempt,
    Delivery,
    EventType,
    RetrySchedule,
    SigningSecret,
    Subscription,
    delivery_subscription,
    sequence_of,
)
from chalicelib.services import webhook_delivery
from chalicelib.services.context import Context
from localrun.runtime import LocalRuntime
from tests.conftest import eventually
from tests.factories import BUYER, SELLER, bearer, request, unique
from tests.integration.conftest import Api, Storefront
from tests.integration.webhook_receiver import Receiver

ALL_EVENTS = sorted(SUBSCRIBABLE)


class Hooks:
    """Subscriptions made by a test, removed afterwards so no other test's cases reach its receiver."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.made: list[tuple[dict[str, str], str]] = []

    def subscribe(self, shop: Storefront, receiver: Receiver, events: list[str] | None = None) -> dict[str, Any]:
        response = self.api.call(
            "POST", "/v1/webhooks", shop.token, {"url": receiver.url, "events": events or ALL_EVENTS}
        )
        assert response.status_code == 201, response.json
        subscription: dict[str, Any] = response.json
        self.made.append((shop.token, subscription["id"]))
        receiver.secrets = [subscription["secret"]]
        return subscription

    def deliveries(self, shop: Storefront, subscription_id: str) -> list[dict[str, Any]]:
        response = self.api.call("GET", f"/v1/webhooks/{subscription_id}/deliveries", shop.token)
        assert response.status_code == 200, response.json
        items: list[dict[str, Any]] = response.json["items"]
        return items

    def remove_all(self) -> None:
        for token, subscription_id in self.made:
            self.api.call("DELETE", f"/v1/webhooks/{subscription_id}", token)


@pytest.fixture
def hooks(api: Api) -> Iterator[Hooks]:
    made = Hooks(api)
    yield made
    made.remove_all()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver().start()
    yield running
    running.stop()


@pytest.fixture
def quiet_shop(api: Api) -> Storefront:
    """A storefront of its own with the default policy: windows of days, so nothing moves by itself."""
    return Storefront(api, unique("shop"))


def webhook_types_in_audit(api: Api, shop: Storefront, case_id: str) -> list[str]:
    """The case's timeline, reduced to the events storefronts are told about, in order."""
    response = api.call("GET", f"/v1/disputes/{case_id}/events", shop.buyer)
    assert response.status_code == 200
    types = [f"dispute.{event['action']}" for event in response.json["items"]]
    return [kind for kind in types if kind in ALL_EVENTS]


def test_every_case_event_reaches_the_storefront_signed_and_in_sequence_order(
    api: Api, hooks: Hooks, receiver: Receiver, patient_shop: Storefront
) -> None:
    # Given a storefront subscribed to every event type
    hooks.subscribe(patient_shop, receiver)

    # When a case goes from escalation through both windows to a reviewer's queue
    case = patient_shop.escalate()
    assert api.call("POST", f"/v1/disputes/{case['id']}/submit", patient_shop.seller).status_code == 202
    assert api.call("POST", f"/v1/disputes/{case['id']}/submit", patient_shop.buyer).status_code == 202
    expected = eventually(
        lambda: webhook_types_in_audit(api, patient_shop, case["id"]), lambda types: "dispute.under_review" in types
    )

    # Then each event arrives, signed, and sorting by sequence gives back the case's own order
    events = eventually(lambda: receiver.accepted_events(case["id"]), lambda got: len(got) >= len(expected))
    in_order = sorted(events.values(), key=lambda event: event["sequence"])
    assert [event["type"] for event in in_order] == expected
    assert expected[:3] == ["dispute.created", "dispute.evidence_requested", "dispute.evidence_submitted"]
    assert all(webhook_id == event["id"] for webhook_id, event in events.items())
    assert all(hit.verified_with == (0,) for hit in receiver.for_case(case["id"]))
    assert in_order[0]["data"]["dispute"]["status"] == "awaiting_seller"
    assert in_order[-1]["data"]["dispute"]["status"] == "under_review"
    assert in_order[-1]["data"]["event"]["action"] == "under_review"
    # And every body is what the OpenAPI document's `webhooks` section says it is
    assert all(WebhookEvent.model_validate_json(hit.body) for hit in receiver.for_case(case["id"]))


def test_a_receiver_failing_the_first_attempts_still_gets_every_event_with_a_stable_id(
    api: Api, hooks: Hooks, receiver: Receiver, quiet_shop: Storefront
) -> None:
    # Given a storefront whose endpoint answers 500 to the first three attempts of every message
    subscription = hooks.subscribe(quiet_shop, receiver)
    receiver.fail_first = 3

    # When a case is escalated and the seller ends its window
    case = quiet_shop.escalate()
    assert api.call("POST", f"/v1/disputes/{case['id']}/submit", quiet_shop.seller).status_code == 202
    expected = webhook_types_in_audit(api, quiet_shop, case["id"])

    # Then every event is retried until accepted: none lost, each with one webhook-id and one body throughout
    events = eventually(lambda: receiver.accepted_events(case["id"]), lambda got: len(got) >= len(expected))
    assert sorted(e["type"] for e in events.values()) == sorted(expected)
    attempts: dict[str, list[Any]] = defaultdict(list)
    for hit in receiver.for_case(case["id"]):
        attempts[hit.webhook_id].append(hit)
    for hits in attempts.values():  # (a late 204 on a loaded machine may time out once and be sent again)
        statuses = [hit.status for hit in hits]
        assert statuses[:3] == [500, 500, 500] and statuses[-1] == 204, statuses
        assert len({hit.body for hit in hits}) == 1

    # And the delivery log shows every attempt
    log = eventually(
        lambda: hooks.deliveries(quiet_shop, subscription["id"]),
        lambda items: len(items) == len(expected) and all(d["status"] == "delivered" for d in items),
    )
    for delivery in log:
        codes = [a["status_code"] for a in delivery["attempts"]]
        assert codes[:3] == [500, 500, 500] and codes[-1] == 204, codes
        assert all(a["latency_ms"] >= 0 and a["at"] for a in delivery["attempts"])
        assert delivery["attempts"][0]["error"] == "HTTP 500"
        assert delivery["event_id"] in attempts


def test_a_receiver_that_never_answers_ends_in_the_dead_letter_queue_and_can_be_redelivered(
    api: Api, hooks: Hooks, receiver: Receiver, quiet_shop: Storefront, runtime: LocalRuntime
) -> None:
    # Given an endpoint that accepts connections and never answers
    subscription = hooks.subscribe(quiet_shop, receiver, ["dispute.created"])
    receiver.silent = True

    # When a case is escalated
    case = quiet_shop.escalate()

    # Then every attempt of the schedule times out, the delivery fails, and its message is dead-lettered
    (failed,) = eventually(
        lambda: hooks.deliveries(quiet_shop, subscription["id"]),
        lambda items: len(items) == 1 and items[0]["status"] == "failed",
        timeout=60,
    )
    assert len(failed["attempts"]) == RetrySchedule().max_attempts
    assert {(a["status_code"], a["error"]) for a in failed["attempts"]} == {(None, "timed out")}
    assert {hit.webhook_id for hit in receiver.for_case(case["id"])} == {failed["event_id"]}
    eventually(lambda: dead_lettered(runtime), lambda bodies: any(b["delivery_id"] == failed["id"] for b in bodies))

    # When the storefront's endpoint works again and it asks for the delivery once more
    receiver.silent = False
    response = api.call("POST", f"/v1/webhooks/deliveries/{failed['id']}/redeliver", quiet_shop.token)
    assert response.status_code == 202, response.json
    assert response.json["status"] == "pending"

    # Then the same message arrives, with the same webhook-id, and the log shows a second round
    events = eventually(lambda: receiver.accepted_events(case["id"]), bool)
    assert list(events) == [failed["event_id"]]
    (delivered,) = eventually(
        lambda: hooks.deliveries(quiet_shop, subscription["id"]), lambda items: items[0]["status"] == "delivered"
    )
    assert delivered["round"] == 2
    assert delivered["attempts"][-1]["status_code"] == 204


def dead_lettered(runtime: LocalRuntime) -> list[dict[str, Any]]:
    assert runtime.resources is not None
    response = client("sqs").receive_message(
        QueueUrl=runtime.resources.webhook_dlq_url, MaxNumberOfMessages=10, VisibilityTimeout=0
    )
    return [json.loads(message["Body"]) for message in response.get("Messages", [])]


def test_after_a_rotation_both_secrets_verify_during_the_grace_period(
    api: Api, hooks: Hooks, receiver: Receiver, quiet_shop: Storefront
) -> None:
    # Given a subscription whose secret was rotated
    subscription = hooks.subscribe(quiet_shop, receiver, ["dispute.created"])
    response = api.call("POST", f"/v1/webhooks/{subscription['id']}/rotate-secret", quiet_shop.token)
    assert response.status_code == 200, response.json
    rotated = response.json["secret"]
    assert rotated.startswith("whsec_") and rotated != subscription["secret"]
    receiver.secrets = [subscription["secret"], rotated]

    # When an event is delivered
    case = quiet_shop.escalate()

    # Then it carries one signature per secret, and each secret alone verifies it
    eventually(lambda: receiver.accepted_events(case["id"]), bool)
    (hit,) = receiver.for_case(case["id"])
    assert hit.verified_with == (0, 1)
    assert len(hit.headers["webhook-signature"].split(" ")) == 2

    # And the secret is never shown again
    (listed,) = api.call("GET", "/v1/webhooks", quiet_shop.token).json["items"]
    assert "secret" not in listed
    assert listed["secret_rotated_at"] is not None


def test_a_committed_event_reaches_the_storefront_with_no_publish_by_the_process_that_committed_it(
    hooks: Hooks, receiver: Receiver, quiet_shop: Storefront, ctx: Context
) -> None:
    # Given a case saved straight through the repository: one transaction, then nothing (as if the process died)
    hooks.subscribe(quiet_shop, receiver)
    now = datetime.now(UTC)
    facts = request(now, storefront_id=quiet_shop.id)
    ctx.cases.put_request(facts)
    case = ctx.cases.create(lifecycle.open_case(facts, BUYER, "broken", unique("dsp"), "v1", Deadlines(), now))
    assert [e.event_type for e in outbox_of(case.id)] == [EventType.CREATED, EventType.EVIDENCE_REQUESTED]

    # Then the table's stream carries both events to the storefront, each once
    events = eventually(lambda: receiver.accepted_events(case.id), lambda got: len(got) == 2)
    assert sorted(e["sequence"] for e in events.values()) == [sequence_of(1, 0), sequence_of(1, 1)]


def outbox_of(case_id: str) -> list[OutboxEntry]:
    """Every webhook event the case's timeline items carry, in sequence order."""
    response = client("dynamodb").query(
        TableName=context().settings.table_name,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :timeline)",
        ExpressionAttributeValues={":pk": {"S": f"CASE#{case_id}"}, ":timeline": {"S": "EVENT#"}},
        ConsistentRead=True,
    )
    return [entry for item in response["Items"] for entry in entries_from_timeline_item(item)]


def test_a_test_event_reaches_the_endpoint_signed_and_is_listed_with_its_deliveries(
    api: Api, hooks: Hooks, receiver: Receiver, quiet_shop: Storefront
) -> None:
    # Given an endpoint subscribed to one event type only, which fails its first attempt
    subscription = hooks.subscribe(quiet_shop, receiver, ["dispute.ruled"])
    receiver.fail_first = 1
    path = f"/v1/webhooks/{subscription['id']}"

    # When the storefront asks for a test event
    sent = api.call("POST", f"{path}/test", quiet_shop.token)

    # Then it is queued as a delivery of its own, belonging to no case
    assert sent.status_code == 202, sent.json
    assert sent.json["event_type"] == "webhook.test" and sent.json["case_id"] is None
    assert sent.json["status"] == "pending"

    # And it arrives signed with the endpoint's secret (retried like any event), with the endpoint as its data
    hits = eventually(lambda: receiver.for_event(sent.json["event_id"]), lambda got: any(h.accepted for h in got))
    assert [hit.status for hit in hits] == [500, 204]
    assert all(hit.verified_with == (0,) for hit in hits)
    payload = hits[-1].payload
    assert payload["type"] == "webhook.test" and payload["id"] == sent.json["event_id"]
    assert payload["data"] == {"webhook": {"id": subscription["id"], "url": receiver.url}}

    # And asking again within the minute is the same test, not a second delivery
    again = api.call("POST", f"{path}/test", quiet_shop.token)
    assert again.status_code == 202 and again.json["id"] == sent.json["id"]
    (listed,) = eventually(
        lambda: hooks.deliveries(quiet_shop, subscription["id"]), lambda items: items[0]["status"] == "delivered"
    )
    assert listed["id"] == sent.json["id"] and [a["status_code"] for a in listed["attempts"]] == [500, 204]


def test_webhook_test_cannot_be_subscribed_to(api: Api, receiver: Receiver, quiet_shop: Storefront) -> None:
    response = api.call("POST", "/v1/webhooks", quiet_shop.token, {"url": receiver.url, "events": ["webhook.test"]})
    assert response.status_code == 422
    assert api.call("GET", "/v1/webhooks", quiet_shop.token).json["items"] == []


def test_deliveries_are_filtered_by_status_with_cursors_that_keep_the_filter(
    api: Api, hooks: Hooks, receiver: Receiver, quiet_shop: Storefront
) -> None:
    # Given an endpoint that has one delivered event and one that failed every retry
    subscription = hooks.subscribe(quiet_shop, receiver, ["dispute.created"])
    path = f"/v1/webhooks/{subscription['id']}/deliveries"
    delivered = quiet_shop.escalate()
    eventually(lambda: receiver.accepted_events(delivered["id"]), bool)
    receiver.fail_first = 10_000
    failing = quiet_shop.escalate()
    eventually(
        lambda: hooks.deliveries(quiet_shop, subscription["id"]),
        lambda items: sorted(d["status"] for d in items) == ["delivered", "failed"],
    )

    def listed(query: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        cursor = ""
        for _ in range(10):  # bounded: pages of one until the cursor runs out
            response = api.call("GET", f"{path}?limit=1&{query}{cursor}", quiet_shop.token)
            assert response.status_code == 200, response.json
            items += response.json["items"]
            if not response.json["next_cursor"]:
                return items
            cursor = f"&cursor={response.json['next_cursor']}"
        raise AssertionError("the cursor never ran out")

    # Then each status lists only its own deliveries, across pages
    assert [d["case_id"] for d in listed("status=delivered")] == [delivered["id"]]
    assert [d["case_id"] for d in listed("status=failed")] == [failing["id"]]
    assert listed("status=pending") == [] and listed("status=cancelled") == []
    assert {d["case_id"] for d in listed("")} == {delivered["id"], failing["id"]}

    # And an unknown status, or a cursor of another filter, is a 4xx
    assert api.call("GET", f"{path}?status=lost", quiet_shop.token).status_code == 422
    first = api.call("GET", f"{path}?limit=1", quiet_shop.token).json["next_cursor"]
    assert api.call("GET", f"{path}?status=pending&cursor={first}", quiet_shop.token).status_code == 400


def test_deliveries_stored_before_ids_named_their_subscription_are_listed_after_the_newer_and_redelivered(
    api: Api, hooks: Hooks, receiver: Receiver, quiet_shop: Storefront, ctx: Context
) -> None:
    # Given a delivery made today, and one stored before, as an item of its own listed through GSI4
    subscription = hooks.subscribe(quiet_shop, receiver, ["dispute.created"])
    path = f"/v1/webhooks/{subscription['id']}/deliveries"
    case = quiet_shop.escalate()
    (made,) = eventually(lambda: hooks.deliveries(quiet_shop, subscription["id"]), bool)
    assert delivery_subscription(made["id"]) == subscription["id"]
    stored = webhook_store().get_delivery(made["id"])
    assert stored is not None
    long_ago = datetime(2026, 1, 1, tzinfo=UTC)
    older = stored.model_copy(update={"id": f"dlv_{'0' * 32}", "created_at": long_ago, "updated_at": long_ago})
    item = {
        "PK": {"S": f"WEBHOOK_DELIVERY#{older.id}"},
        "SK": {"S": "DELIVERY"},
        "doc": {"S": older.model_dump_json()},
        "revision": {"N": "0"},
        "delivery_status": {"S": older.status.value},
        "GSI4PK": {"S": f"WEBHOOK#{subscription['id']}"},
        "GSI4SK": {"S": f"2026-01-01T00:00:00.000000Z#{older.id}"},
    }
    client("dynamodb").put_item(TableName=ctx.settings.table_name, Item=item)

    # Then the listing gives the newer first, then the older, a page at a time, each once
    seen: list[str] = []
    cursor = ""
    for _ in range(5):
        page = api.call("GET", f"{path}?limit=1{cursor}", quiet_shop.token).json
        seen += [delivery["id"] for delivery in page["items"]]
        if not page["next_cursor"]:
            break
        cursor = f"&cursor={page['next_cursor']}"
    assert seen == [made["id"], older.id]
    assert [d["id"] for d in api.call("GET", f"{path}?status=failed", quiet_shop.token).json["items"]] == []

    # and the older one is redelivered like any other
    assert api.call("POST", f"/v1/webhooks/deliveries/{older.id}/redeliver", quiet_shop.token).status_code == 202
    eventually(lambda: receiver.for_case(case["id"]), lambda hits: len(hits) >= 2)


def test_subscriptions_are_checked_and_private_to_their_storefront(
    api: Api, hooks: Hooks, receiver: Receiver, quiet_shop: Storefront
) -> None:
    subscription = hooks.subscribe(quiet_shop, receiver)
    other_shop = bearer("storefront", "other-backend", unique("other"))
    path = f"/v1/webhooks/{subscription['id']}"

    # Another storefront cannot see or touch it
    assert api.call("GET", f"{path}/deliveries", other_shop).status_code == 404
    assert api.call("POST", f"{path}/rotate-secret", other_shop).status_code == 404
    assert api.call("POST", f"{path}/test", other_shop).status_code == 404
    assert api.call("DELETE", path, other_shop).status_code == 404
    assert api.call("GET", "/v1/webhooks", other_shop).json["items"] == []
    assert api.call("POST", "/v1/webhooks/deliveries/dlv_nothing/redeliver", other_shop).status_code == 404

    # Only storefronts manage webhooks
    assert api.call("GET", "/v1/webhooks", quiet_shop.buyer).status_code == 403

    # Unsafe or unknown input is refused
    for body in (
        {"url": "ftp://127.0.0.1/hook", "events": ["dispute.created"]},
        {"url": "http://10.0.0.1/hook", "events": ["dispute.created"]},
        {"url": "http://user:pw@127.0.0.1/hook", "events": ["dispute.created"]},
        {"url": receiver.url, "events": ["dispute.rules_applied"]},
        {"url": receiver.url, "events": []},
    ):
        response = api.call("POST", "/v1/webhooks", quiet_shop.token, body)
        assert response.status_code == 422, (body, response.json)

    # Deleting is final
    assert api.call("DELETE", path, quiet_shop.token).status_code == 204
    assert api.call("DELETE", path, quiet_shop.token).status_code == 404
    assert api.call("GET", "/v1/webhooks", quiet_shop.token).json["items"] == []


def test_the_lambda_entry_points_relay_and_fan_out_like_the_local_threads(
    hooks: Hooks, receiver: Receiver, quiet_shop: Storefront, ctx: Context
) -> None:
    # Given a committed case
    hooks.subscribe(quiet_shop, receiver, ["dispute.created"])
    case_id = committed_case(ctx, quiet_shop.id)

    # When the stream hands `relay_webhook_events` its records as Lambda does (another table write among them),
    # and SQS hands `deliver_webhooks` the event message
    records = [
        stream_record("MODIFY", f"CASE#{case_id}", "CASE", "1"),
        stream_record("INSERT", f"CASE#{case_id}", FIRST_WRITE, "2"),
    ]
    assert app.relay_webhook_events({"Records": records}, None) == {"batchItemFailures": []}
    body = EventMessage(case_id=case_id, line=FIRST_WRITE).model_dump_json()
    app.deliver_webhooks({"Records": [{"body": body, "receiptHandle": "r-1", "messageId": "m-1"}]}, None)

    # Then the storefront gets the event once, however many times it was relayed
    (event,) = eventually(lambda: receiver.accepted_events(case_id), bool).values()
    assert event["type"] == "dispute.created"


FIRST_WRITE = "EVENT#0000000001"  # the timeline item of a case's first write, which carries its webhook events


def stream_record(event_name: str, partition: str, sort: str, sequence_number: str) -> dict[str, Any]:
    """One record of a DynamoDB stream event as Lambda delivers it (KEYS_ONLY)."""
    return {
        "eventID": f"e-{sequence_number}",
        "eventName": event_name,
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": {
            "Keys": {"PK": {"S": partition}, "SK": {"S": sort}},
            "SequenceNumber": sequence_number,
            "SizeBytes": 100,
            "StreamViewType": "KEYS_ONLY",
        },
    }


def test_a_refused_case_write_adds_nothing_to_the_outbox(ctx: Context) -> None:
    # Given a case, and two changes computed from the same version of it
    now = datetime.now(UTC)
    repo = ctx.cases
    facts = request(now, storefront_id=unique("shop"))
    repo.put_request(facts)
    case = repo.create(lifecycle.open_case(facts, BUYER, "broken", unique("dsp"), "v1", Deadlines(), now))
    first = lifecycle.submit(case, SELLER, Party.SELLER, Deadlines(), now + timedelta(minutes=1))
    assert case.window is not None
    racing = timers.window_timed_out(case, case.window.id, Deadlines(), case.window.due_at)
    assert racing is not None

    # When the second one loses the race
    repo.save(first)
    with pytest.raises(VersionConflict):
        repo.save(racing)

    # Then the outbox holds the events of the writes that happened, and only those
    entries = outbox_of(case.id)
    assert [e.event_type for e in entries] == [
        EventType.CREATED,
        EventType.EVIDENCE_REQUESTED,
        EventType.EVIDENCE_SUBMITTED,
        EventType.EVIDENCE_REQUESTED,
    ]
    assert [e.sequence for e in entries] == [sequence_of(1, 0), sequence_of(1, 1), sequence_of(2, 0), sequence_of(2, 1)]


def test_an_attempt_is_recorded_even_when_the_queued_note_of_its_message_lands_first(ctx: Context) -> None:
    # Given a delivery whose next message was picked up before the sender noted it as queued
    worker = webhook_ports()
    now = datetime.now(UTC)
    read_by_worker = Delivery(
        id=unique("dlv"),
        subscription_id="wh_x",
        storefront_id=unique("shop"),
        event_id="evt_x",
        event_type=EventType.CREATED,
        case_id="dsp_x",
        sequence=100,
        body="{}",
        created_at=now,
        updated_at=now,
    )
    assert worker.store.create_delivery(read_by_worker)
    assert worker.store.save_delivery(read_by_worker.queued(1, now)) is not None  # the note lands in between
    made = Attempt(round=1, number=1, at=now, status_code=503, latency_ms=4, error="HTTP 503")

    # When the worker records its attempt from the copy it read earlier
    recorded = webhook_delivery.update(worker, read_by_worker, lambda d: d.recorded(made) if d.awaits(made) else None)

    # Then the attempt is recorded on top of the note, once: a second worker finds nothing left to record
    assert recorded is not None
    assert (recorded.round_attempts, recorded.queued_attempt, recorded.revision) == (1, 1, 2)
    again = webhook_delivery.update(worker, read_by_worker, lambda d: d.recorded(made) if d.awaits(made) else None)
    assert again is None


class DyingSender(HttpSender):
    """The process dies as it is about to send: nothing is posted and the handler never returns."""

    def post(self, url: str, body: str, headers: dict[str, str]) -> SendResult:
        raise RuntimeError("the Lambda ran out of time")


class CountingSender(HttpSender):
    def __init__(self, timeout_seconds: float) -> None:
        super().__init__(timeout_seconds, local=True)
        self.posted: list[str] = []

    def post(self, url: str, body: str, headers: dict[str, str]) -> SendResult:
        self.posted.append(url)
        return super().post(url, body, headers)


def committed_case(ctx: Context, storefront_id: str) -> str:
    """A case saved straight through the repository (its events reach the queue through the stream alone)."""
    now = datetime.now(UTC)
    facts = request(now, storefront_id=storefront_id)
    ctx.cases.put_request(facts)
    return ctx.cases.create(lifecycle.open_case(facts, BUYER, "x", unique("dsp"), "v1", Deadlines(), now)).id


@pytest.fixture
def stream_paused(runtime: LocalRuntime) -> Iterator[None]:
    """The table stream's poller held (as if its event source mapping were disabled): the test hands the
    fan-out its events itself."""
    assert runtime.stream_poller is not None
    with runtime.stream_poller.paused():
        yield


@pytest.mark.usefixtures("stream_paused")
def test_a_fan_out_that_died_before_its_inline_attempt_makes_it_when_handed_out_again(
    hooks: Hooks, receiver: Receiver, quiet_shop: Storefront, ctx: Context
) -> None:
    # Given an event whose first fan-out died as it was posting (so it stored no delivery)
    hooks.subscribe(quiet_shop, receiver, ["dispute.created"])
    case_id = committed_case(ctx, quiet_shop.id)
    created = EventMessage(case_id=case_id, line=FIRST_WRITE)
    worker = webhook_ports()
    with pytest.raises(RuntimeError):
        webhook_delivery.fan_out(dataclasses.replace(worker, sender=DyingSender(1, local=True)), created)
    assert receiver.for_case(case_id) == []

    # When SQS hands the event out again, twice
    webhook_delivery.fan_out(worker, created)
    webhook_delivery.fan_out(worker, created)

    # Then the storefront got it exactly once, and the delivery says so
    (hit,) = receiver.for_case(case_id)
    assert hit.accepted
    (delivery,) = hooks.deliveries(quiet_shop, hooks.made[0][1])
    assert (delivery["status"], len(delivery["attempts"])) == ("delivered", 1)


@pytest.mark.usefixtures("stream_paused")
def test_a_fan_out_attempts_inline_only_what_fits_its_time_budget_and_queues_the_rest(
    hooks: Hooks, quiet_shop: Storefront, ctx: Context
) -> None:
    # Given two subscriptions, and a time-out so long that only one attempt fits the fan-out's budget
    first, second = Receiver().start(), Receiver().start()
    try:
        hooks.subscribe(quiet_shop, first, ["dispute.created"])
        second.secrets = [hooks.subscribe(quiet_shop, second, ["dispute.created"])["secret"]]
        case_id = committed_case(ctx, quiet_shop.id)
        sender = CountingSender(timeout_seconds=30)
        assert webhook_delivery.inline_attempts(sender.timeout) == 1

        # When the event fans out
        webhook_delivery.fan_out(
            dataclasses.replace(webhook_ports(), sender=sender),
            EventMessage(case_id=case_id, line=FIRST_WRITE),
        )

        # Then one subscription was posted inline, the other through the queue, and each got it once
        assert len(sender.posted) == 1
        eventually(lambda: [got.for_case(case_id) for got in (first, second)], all)
        assert [len(got.for_case(case_id)) for got in (first, second)] == [1, 1]
    finally:
        first.stop()
        second.stop()


def failing_for(shop: Storefront, subscription_id: str, days: float) -> None:
    """The endpoint's record says every attempt has failed for `days` (the run's start, as a worker notes it)."""
    store = webhook_store()
    subscription = store.get_subscription(shop.id, subscription_id)
    assert subscription is not None
    store.note_failure(subscription, datetime.now(UTC) - timedelta(days=days))


def endpoint(api: Api, shop: Storefront, subscription_id: str) -> dict[str, Any]:
    items: list[dict[str, Any]] = api.call("GET", "/v1/webhooks", shop.token).json["items"]
    (listed,) = [s for s in items if s["id"] == subscription_id]
    return listed


def test_an_endpoint_failing_for_days_is_disabled_with_a_notice_and_can_be_enabled_again(
    api: Api, hooks: Hooks, receiver: Receiver, quiet_shop: Storefront
) -> None:
    # Given an endpoint whose attempts have all failed for four days, and a second, healthy endpoint
    broken = hooks.subscribe(quiet_shop, receiver, ["dispute.created"])
    receiver.fail_first = 10_000
    failing_for(quiet_shop, broken["id"], days=4)
    healthy_receiver = Receiver().start()
    try:
        hooks.subscribe(quiet_shop, healthy_receiver, ["dispute.created"])

        # When its next attempt fails too
        first = quiet_shop.escalate()

        # Then it is disabled after that one attempt, and the failed delivery is not retried
        (failed,) = eventually(
            lambda: hooks.deliveries(quiet_shop, broken["id"]),
            lambda items: bool(items) and items[0]["status"] == "failed",
        )
        assert failed["case_id"] == first["id"] and len(failed["attempts"]) == 1
        disabled = endpoint(api, quiet_shop, broken["id"])
        assert disabled["status"] == "disabled" and disabled["disabled_at"] is not None
        assert disabled["failing_since"] < disabled["disabled_at"]
        assert disabled["disabled_reason"].startswith("every attempt failed from ")

        # And the storefront's other endpoint is told, signed with its own secret, in the documented shape
        (notice,) = eventually(
            lambda: [h for h in healthy_receiver.hits if h.payload["type"] == "webhook.disabled" and h.accepted],
            bool,
        )
        assert notice.verified_with == (0,)
        assert WebhookDisabledEvent.model_validate_json(notice.body).data.webhook.id == broken["id"]
        assert notice.payload["data"]["webhook"]["disabled_at"] == disabled["disabled_at"]

        # When another case is escalated while it is disabled
        second = quiet_shop.escalate()
        eventually(lambda: healthy_receiver.accepted_events(second["id"]), bool)

        # Then only the healthy endpoint gets it, and the failed delivery cannot be redelivered yet
        assert [d["case_id"] for d in hooks.deliveries(quiet_shop, broken["id"])] == [first["id"]]
        refused = api.call("POST", f"/v1/webhooks/deliveries/{failed['id']}/redeliver", quiet_shop.token)
        assert refused.status_code == 409 and refused.json["error"]["code"] == "webhook_disabled"

        # When the storefront fixes it, checks it with a test event (allowed while disabled), and enables it
        receiver.fail_first = 0
        tested = api.call("POST", f"/v1/webhooks/{broken['id']}/test", quiet_shop.token).json
        eventually(lambda: receiver.for_event(tested["event_id"]), lambda hits: any(h.accepted for h in hits))
        assert (
            eventually(lambda: endpoint(api, quiet_shop, broken["id"]), lambda e: e["failing_since"] is None)["status"]
            == "disabled"
        )
        enabled = api.call("POST", f"/v1/webhooks/{broken['id']}/enable", quiet_shop.token)
        assert enabled.status_code == 200, enabled.json
        assert (enabled.json["status"], enabled.json["disabled_at"], enabled.json["disabled_reason"]) == (
            "enabled",
            None,
            None,
        )
        assert "secret" not in enabled.json

        # Then new events reach it again, and the delivery it missed can be sent again
        third = quiet_shop.escalate()
        eventually(lambda: receiver.accepted_events(third["id"]), bool)
        again = api.call("POST", f"/v1/webhooks/deliveries/{failed['id']}/redeliver", quiet_shop.token)
        assert again.status_code == 202, again.json
        eventually(lambda: receiver.accepted_events(first["id"]), bool)
        assert api.call("POST", f"/v1/webhooks/{broken['id']}/enable", quiet_shop.token).json["status"] == "enabled"
    finally:
        healthy_receiver.stop()


def test_an_endpoint_that_fails_and_recovers_keeps_its_record_clean(
    api: Api, hooks: Hooks, receiver: Receiver, quiet_shop: Storefront
) -> None:
    # Given an endpoint that fails its first two attempts of every event
    subscription = hooks.subscribe(quiet_shop, receiver, ["dispute.created"])
    receiver.fail_first = 2

    # When an event is delivered at its third attempt
    case = quiet_shop.escalate()
    eventually(lambda: receiver.accepted_events(case["id"]), bool)

    # Then the failures started a run, the success ended it, and the endpoint never stopped being enabled
    record = eventually(lambda: endpoint(api, quiet_shop, subscription["id"]), lambda e: e["failing_since"] is None)
    assert record["status"] == "enabled" and record["disabled_at"] is None


def test_only_one_worker_disables_an_endpoint_and_never_after_it_recovered(quiet_shop: Storefront) -> None:
    store = webhook_store()
    now = datetime.now(UTC)
    subscription = webhook_delivery_subscription(quiet_shop)
    store.note_failure(subscription, now - timedelta(days=4))
    store.note_failure(subscription, now - timedelta(days=1))  # a later failure keeps the run's start

    # A success since the run began means no disabling, whatever a worker read before it
    store.note_success(subscription)
    assert not store.disable(subscription, now, "failing", failing_before=now - timedelta(days=3))

    # Two workers that both saw a long run: the first disables it, the second finds it done
    store.note_failure(subscription, now - timedelta(days=4))
    assert store.disable(subscription, now, "failing", failing_before=now - timedelta(days=3))
    assert not store.disable(subscription, now, "failing", failing_before=now - timedelta(days=3))
    stored = store.get_subscription(quiet_shop.id, subscription.id)
    assert stored is not None and not stored.enabled
    assert stored.failing_since is not None and stored.failing_since < now - timedelta(days=3, hours=23)

    # A rotation rewrites the secrets and leaves the record alone
    store.put_subscription(stored.rotated("whsec_new", now, timedelta(hours=1)))
    rotated = store.get_subscription(quiet_shop.id, subscription.id)
    assert rotated is not None and rotated.disabled_at == stored.disabled_at and rotated.secrets[0].value == "whsec_new"


def webhook_delivery_subscription(shop: Storefront) -> Subscription:
    """A subscription written straight to the store (no endpoint behind it: nothing is sent to it here)."""
    subscription = Subscription(
        id=unique("wh"),
        storefront_id=shop.id,
        url="https://hooks.example.com/disputes",
        events=(EventType.CREATED,),
        secrets=(SigningSecret(value="whsec_" + "A" * 44),),
        created_at=datetime.now(UTC),
    )
    webhook_store().put_subscription(subscription)
    return subscription
