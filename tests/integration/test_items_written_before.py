"""Items stored before this version of the service still read and write right: a case item without
`window_id` whose wait parked its token as an item of its own, a request without `recorded_at`, timeline
lines stored an item each, and webhook events stored in outbox items of their own."""

from __future__ import annotations

from datetime import timedelta

from chalicelib.adapters.aws import client
from chalicelib.adapters.cases import case_key, request_key, token_key
from chalicelib.adapters.table import json_attribute, sortable
from chalicelib.adapters.webhook_outbox import outbox_key
from chalicelib.bootstrap import webhook_store
from chalicelib.domain import lifecycle
from chalicelib.domain.models import Dispute, Party, Transition
from chalicelib.domain.policy import Deadlines
from chalicelib.domain.webhook_messages import EventMessage, outbox_entries
from chalicelib.domain.workflow import ParkedWait
from chalicelib.services.context import Context
from tests.factories import BUYER, NOW, SELLER, request, unique


def legacy_case(ctx: Context) -> Dispute:
    """A case as the service stored it before: no `window_id` on its item."""
    facts = request()
    ctx.cases.put_request(facts)
    case = ctx.cases.create(lifecycle.open_case(facts, BUYER, "broken", unique("dsp"), "v1", Deadlines(), NOW))
    db = client("dynamodb")
    db.update_item(TableName=ctx.settings.table_name, Key=case_key(case.id), UpdateExpression="REMOVE window_id")
    return case


def test_a_token_parked_as_its_own_item_is_read_with_the_case_and_moves_onto_it(runtime_context: Context) -> None:
    # Given an old case whose wait parked its token as an item of its own
    ctx = runtime_context
    case = legacy_case(ctx)
    assert case.window is not None
    token = {**token_key(case.id, case.window.id), "token": {"S": "token-old"}, "expires_at": {"N": "2000000000"}}
    client("dynamodb").put_item(TableName=ctx.settings.table_name, Item=token)

    # When a command reads the case, and writes a change that keeps the window
    read = ctx.cases.read(case.id)
    assert read is not None and read.parked == ParkedWait(case.window.id, "token-old", on_case=False)
    ctx.cases.save(Transition(case=case, events=()), read.parked)

    # Then the token is on the case item from then on
    again = ctx.cases.read(case.id)
    assert again is not None and again.parked == ParkedWait(case.window.id, "token-old")


def test_a_wait_parks_on_an_old_case_item_only_if_its_document_waits_on_that_window(
    runtime_context: Context,
) -> None:
    ctx = runtime_context
    case = legacy_case(ctx)
    assert case.window is not None

    assert not ctx.cases.park(case.id, "w0-gone", "token-0")
    assert ctx.cases.park(case.id, case.window.id, "token-1")
    read = ctx.cases.read(case.id)
    assert read is not None and read.parked == ParkedWait(case.window.id, "token-1")

    # and the write that ends the window is conditional on it and drops it
    submitted = lifecycle.submit(case, SELLER, Party.SELLER, Deadlines(), NOW + timedelta(minutes=1))
    ctx.cases.save(submitted, read.parked)
    ended = ctx.cases.read(case.id)
    assert ended is not None and ended.parked is None


def test_a_correction_of_an_old_request_keeps_when_it_was_first_recorded(runtime_context: Context) -> None:
    # Given a request stored before `recorded_at` had its own attribute
    ctx = runtime_context
    first = request(NOW)
    ctx.cases.put_request(first)
    key = request_key(first.storefront_id, first.request_id)
    client("dynamodb").update_item(TableName=ctx.settings.table_name, Key=key, UpdateExpression="REMOVE recorded_at")

    # When the storefront corrects it
    corrected = first.model_copy(update={"amount_requested": 100, "recorded_at": NOW + timedelta(hours=1)})

    # Then the correction answers, and keeps, the first recording's time
    assert ctx.cases.put_request(corrected) == first.recorded_at
    stored = ctx.cases.get_request(first.storefront_id, first.request_id)
    assert stored is not None and stored.recorded_at == first.recorded_at and stored.amount_requested == 100


def test_timeline_lines_stored_an_item_each_read_in_order_beside_the_lines_stored_together(
    runtime_context: Context,
) -> None:
    # Given a case whose first transition stored each of its lines as an item of its own, as before
    ctx = runtime_context
    case = legacy_case(ctx)
    first = ctx.cases.events(case.id)
    assert len(first) >= 2
    db, table = client("dynamodb"), ctx.settings.table_name
    db.delete_item(TableName=table, Key={"PK": {"S": f"CASE#{case.id}"}, "SK": {"S": "EVENT#0000000001"}})
    for index, line in enumerate(first):
        item = {"PK": {"S": f"CASE#{case.id}"}, "SK": {"S": f"EVENT#0000000001#{index:02d}"}}
        db.put_item(TableName=table, Item={**item, "doc": json_attribute(line.model_dump_json())})

    # When a later transition stores its lines together
    submitted = lifecycle.submit(case, SELLER, Party.SELLER, Deadlines(), NOW + timedelta(minutes=1))
    ctx.cases.save(submitted)

    # Then the timeline reads the old lines, then the new, in order
    assert ctx.cases.events(case.id) == [*first, *submitted.events]
    with_case = ctx.cases.with_events(case.id)
    assert with_case is not None and with_case[1] == [*first, *submitted.events]


def test_webhook_events_stored_in_an_outbox_item_of_their_own_are_read_by_the_message_and_delivery_naming_them(
    runtime_context: Context,
) -> None:
    # Given a write whose webhook events were stored as before: an outbox item of their own, not on its timeline
    ctx = runtime_context
    case = legacy_case(ctx)
    db, table = client("dynamodb"), ctx.settings.table_name
    timeline = {"PK": {"S": f"CASE#{case.id}"}, "SK": {"S": "EVENT#0000000001"}}
    db.update_item(
        TableName=table,
        Key=timeline,
        UpdateExpression="REMOVE webhooks, #case",
        ExpressionAttributeNames={"#case": "case"},
    )
    entries = outbox_entries(case.model_copy(update={"version": 1}), tuple(ctx.cases.events(case.id)))
    old = {
        **outbox_key(case.id, entries[0].sequence),
        "storefront_id": {"S": case.storefront_id},
        "created_at": {"S": sortable(entries[0].created_at)},
        "case": json_attribute(entries[0].case_doc),
        "events": {
            "L": [
                {
                    "M": {
                        "sequence": {"N": str(entry.sequence)},
                        "event_id": {"S": entry.event_id},
                        "event_type": {"S": entry.event_type.value},
                        "created_at": {"S": sortable(entry.created_at)},
                        "event": json_attribute(entry.event_doc),
                    }
                }
                for entry in entries
            ]
        },
    }
    db.put_item(TableName=table, Item=old)
    store = webhook_store()

    # Then the event message queued then fans them all out, and a delivery made then finds its own
    assert store.outbox_entries(EventMessage(case_id=case.id, sequence=entries[0].sequence)) == entries
    assert store.outbox_entry(case.id, entries[-1].sequence) == entries[-1]
