"""Messages on a case against the moto-backed API (DESIGN section 11): what a post answers and stores, the cap
under concurrent posters, attachments, closed cases, webhooks for `everyone` only, Idempotency-Key replay."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterator
from functools import partial
from typing import Any

import pytest

from chalicelib.adapters.aws import client
from chalicelib.api.responses import MessagePostedEvent
from chalicelib.domain.errors import MessageLimitReached
from chalicelib.domain.message_models import Audience
from chalicelib.domain.webhooks import message_sequence_of
from chalicelib.services import messages
from chalicelib.services.context import Context
from tests.conftest import eventually
from tests.evidence_samples import png
from tests.factories import actor, bearer, unique
from tests.integration.conftest import Api, Storefront
from tests.integration.evidence_helpers import add_photo
from tests.integration.test_concurrency import outcomes, race
from tests.integration.test_webhooks import Hooks
from tests.integration.webhook_receiver import Receiver

REVIEWER = bearer("reviewer", "rev-1", "platform")


def post(api: Api, token: dict[str, str], case_id: str, text: str, audience: str = "everyone", **extra: Any) -> Any:
    return api.call("POST", f"/v1/disputes/{case_id}/messages", token, {"text": text, "audience": audience, **extra})


def thread(api: Api, token: dict[str, str], case_id: str, query: str = "") -> Any:
    return api.call("GET", f"/v1/disputes/{case_id}/messages{query}", token)


def stored_messages(ctx: Context, case_id: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = client("dynamodb").query(
        TableName=ctx.settings.table_name,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :m)",
        ExpressionAttributeValues={":pk": {"S": f"CASE#{case_id}"}, ":m": {"S": "MSG"}},
        ConsistentRead=True,
    )["Items"]
    return items


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver().start()
    yield running
    running.stop()


def test_a_post_answers_the_message_and_leaves_the_case_and_its_version_as_they_were(
    api: Api, ctx: Context, patient_shop: Storefront
) -> None:
    case = patient_shop.escalate()

    posted = post(api, patient_shop.buyer, case["id"], "Any news on my refund?")

    assert posted.status_code == 201, posted.json
    assert set(posted.json) == {"id", "author", "role", "audience", "text", "evidence_ids", "created_at"}
    assert (posted.json["author"], posted.json["role"], posted.json["audience"]) == ("buyer-1", "buyer", "everyone")
    assert posted.json["created_at"].endswith("Z") and posted.json["evidence_ids"] == []
    assert posted.headers["ETag"] == f'"{case["version"]}"'
    after = patient_shop.get(case["id"])
    assert (after["version"], after["status"], after["updated_at"]) == (
        case["version"],
        case["status"],
        case["updated_at"],
    )
    assert thread(api, patient_shop.seller, case["id"]).json["items"] == [posted.json]
    # the case item never holds messages: they are items of their own, with their counter
    assert {item["SK"]["S"].split("#")[0] for item in stored_messages(ctx, case["id"])} == {"MSG", "MSG_COUNT"}


def test_bad_messages_are_refused_with_a_clear_4xx_and_store_nothing(
    api: Api, ctx: Context, patient_shop: Storefront
) -> None:
    case = patient_shop.escalate()
    answers = [
        post(api, patient_shop.buyer, case["id"], "").status_code,
        post(api, patient_shop.buyer, case["id"], "   ").status_code,
        post(api, patient_shop.buyer, case["id"], "x" * 2001).status_code,
        post(api, patient_shop.buyer, case["id"], "hi", "friends").status_code,
        post(api, patient_shop.buyer, case["id"], "hi", evidence_ids=[f"evd_{n}" for n in range(11)]).status_code,
        post(api, patient_shop.buyer, case["id"], "hi", evidence_ids=["evd_1", "evd_1"]).status_code,
        post(api, patient_shop.buyer, case["id"], "hi\x00").status_code,
        api.call("POST", f"/v1/disputes/{case['id']}/messages", patient_shop.buyer, {"text": "hi"}).status_code,
        post(api, patient_shop.token, case["id"], "the storefront says nothing").status_code,
        thread(api, patient_shop.buyer, case["id"], "?limit=0").status_code,
        thread(api, patient_shop.buyer, case["id"], "?cursor=forged").status_code,
    ]

    assert answers == [422, 422, 422, 422, 422, 422, 422, 422, 403, 422, 400]
    assert post(api, patient_shop.buyer, case["id"], "x" * 2000).status_code == 201  # the longest that fits
    assert len(stored_messages(ctx, case["id"])) == 2  # that one and its counter


def test_the_thread_pages_oldest_first_with_cursors(api: Api, patient_shop: Storefront) -> None:
    case = patient_shop.escalate()
    for number in range(5):
        assert post(api, patient_shop.buyer, case["id"], f"message {number}").status_code == 201

    first = thread(api, patient_shop.seller, case["id"], "?limit=2").json
    second = thread(api, patient_shop.seller, case["id"], f"?limit=2&cursor={first['next_cursor']}").json
    third = thread(api, patient_shop.seller, case["id"], f"?limit=2&cursor={second['next_cursor']}").json

    assert [m["text"] for m in first["items"] + second["items"] + third["items"]] == [f"message {n}" for n in range(5)]
    assert (
        third["next_cursor"] is None
        or thread(api, patient_shop.seller, case["id"], f"?cursor={third['next_cursor']}").json["items"] == []
    )
    # a cursor of this case's thread is not another case's
    other = patient_shop.escalate()
    assert thread(api, patient_shop.seller, other["id"], f"?cursor={first['next_cursor']}").status_code == 400


def test_twenty_concurrent_posters_never_pass_the_cap(ctx: Context, patient_shop: Storefront) -> None:
    # Given a case that may hold 5 messages (the cap injected through the settings; 500 by default)
    case_id = patient_shop.escalate()["id"]
    capped = dataclasses.replace(ctx, settings=ctx.settings.model_copy(update={"max_messages_per_case": 5}))
    posters = [actor("buyer", "buyer-1", patient_shop.id), actor("seller", "seller-1", patient_shop.id)] * 10
    audiences = [Audience.EVERYONE, Audience.PLATFORM] * 10

    # When twenty parties post at once
    results = race(
        [
            partial(messages.post_message, capped, poster, case_id, f"message {n}", audience)
            for n, (poster, audience) in enumerate(zip(posters, audiences, strict=True))
        ]
    )

    # Then exactly five are stored, the other fifteen hear the cap's own 409, and the counter agrees
    assert outcomes(results) == Counter({"MessageChange": 5, "MessageLimitReached": 15})
    assert all(r.code == "message_limit_reached" for r in results if isinstance(r, MessageLimitReached))
    items = stored_messages(ctx, case_id)
    assert sum(item["SK"]["S"].startswith("MSG#") for item in items) == 5
    assert [int(item["posted"]["N"]) for item in items if item["SK"]["S"] == "MSG_COUNT"] == [5]


def test_twenty_concurrent_posts_under_the_cap_all_land_in_creation_order_with_their_own_webhook(
    ctx: Context, patient_shop: Storefront
) -> None:
    # Given a case, and twenty reviewers posting to everyone at once (each message to everyone takes a webhook)
    case_id = patient_shop.escalate()["id"]
    reviewers = [actor("reviewer", f"rev-{n}", "platform") for n in range(20)]

    results = race(
        [
            partial(messages.post_message, ctx, reviewer, case_id, f"from {reviewer.sub}", Audience.EVERYONE)
            for reviewer in reviewers
        ]
    )

    # Then all twenty are stored, listed by creation time, each with its own webhook number
    assert outcomes(results) == Counter({"MessageChange": 20})
    listed = messages.list_messages(ctx, reviewers[0], case_id, 100, None).items
    assert len(listed) == 20
    assert [m.created_at for m in listed] == sorted(m.created_at for m in listed)
    sequences = {r.outbox.sequence for r in results}
    assert sequences == {message_sequence_of(1, slot) for slot in range(20)}
    # and a storefront sorting their webhooks by sequence reads them in the order they were written
    by_sequence = [r.message.id for r in sorted(results, key=lambda r: r.outbox.sequence)]
    assert by_sequence == [m.id for m in listed]
    case = ctx.cases.get(case_id)
    assert case is not None and case.version == 1  # twenty messages, and the case never changed


def test_an_attachment_must_be_evidence_the_author_and_every_reader_may_open(
    api: Api, patient_shop: Storefront
) -> None:
    # Given a verified photo from the seller, still hidden from the buyer (the seller's window is open)
    case = patient_shop.escalate()
    photo = add_photo(api, patient_shop.seller, case["id"], png())["evidence_id"]

    # Then the buyer may not attach it, nor anything that does not exist (404)
    assert post(api, patient_shop.buyer, case["id"], "see", evidence_ids=[photo]).status_code == 404
    assert post(api, patient_shop.seller, case["id"], "see", evidence_ids=["evd_none"]).status_code == 404
    # and nobody may show it to the buyer yet (422 naming it): not the seller to everyone, not a reviewer
    # to everyone or to the buyer alone
    for token, audience in ((patient_shop.seller, "everyone"), (REVIEWER, "everyone"), (REVIEWER, "buyer")):
        refused = post(api, token, case["id"], "see", audience, evidence_ids=[photo])
        assert refused.status_code == 422, refused.json
        assert refused.json["error"]["details"] == [
            {"field": "evidence_ids", "evidence_id": photo, "hidden_from": ["buyer"]}
        ]
    # while readers who may open it may be shown it
    assert (
        post(api, patient_shop.seller, case["id"], "as it left us", "platform", evidence_ids=[photo]).status_code == 201
    )
    assert post(api, REVIEWER, case["id"], "noted", "seller", evidence_ids=[photo]).status_code == 201
    assert thread(api, patient_shop.buyer, case["id"]).json["items"] == []
    assert photo not in {
        e["evidence_id"]
        for e in api.call("GET", f"/v1/disputes/{case['id']}/evidence", patient_shop.buyer).json["items"]
    }


def test_a_closed_case_takes_no_message(api: Api, patient_shop: Storefront) -> None:
    case = patient_shop.escalate()
    assert post(api, patient_shop.buyer, case["id"], "before").status_code == 201
    assert patient_shop.act(patient_shop.buyer, case["id"], "withdraw", {"reason": "sorted"}).status_code == 200

    refused = post(api, REVIEWER, case["id"], "after", "buyer")

    assert refused.status_code == 409 and refused.json["error"]["code"] == "case_closed"
    assert [m["text"] for m in thread(api, REVIEWER, case["id"]).json["items"]] == ["before"]


def test_only_messages_to_everyone_reach_the_storefront_as_webhooks(
    api: Api, patient_shop: Storefront, receiver: Receiver
) -> None:
    # Given a storefront subscribed to messages
    hooks = Hooks(api)
    shop = Storefront(api, unique("shop"))
    hooks.subscribe(shop, receiver, ["dispute.message_posted"])
    try:
        case = shop.escalate()

        # When a reviewer posts to each audience, and the buyer to everyone
        for audience in Audience:
            assert post(api, REVIEWER, case["id"], f"to {audience.value}", audience.value).status_code == 201
        assert post(api, shop.buyer, case["id"], "thank you").status_code == 201

        # Then the storefront hears of the two messages to everyone, in order, as the documented payload
        events = eventually(lambda: receiver.accepted_events(case["id"]), lambda got: len(got) >= 2)
        in_order = sorted(events.values(), key=lambda event: event["sequence"])
        assert [e["data"]["event"]["data"]["message"]["text"] for e in in_order] == ["to everyone", "thank you"]
        assert {e["type"] for e in in_order} == {"dispute.message_posted"}
        assert all(MessagePostedEvent.model_validate_json(hit.body) for hit in receiver.for_case(case["id"]))
        assert in_order[0]["data"]["dispute"]["version"] == case["version"]
    finally:
        hooks.remove_all()
    assert len(receiver.accepted_events(case["id"])) == 2


def test_a_messages_webhook_is_redelivered_as_it_was_first_sent(api: Api, receiver: Receiver) -> None:
    # Given a message to everyone whose webhook reached the storefront
    hooks = Hooks(api)
    shop = Storefront(api, unique("shop"))
    subscription = hooks.subscribe(shop, receiver, ["dispute.message_posted"])
    try:
        case = shop.escalate()
        assert post(api, shop.buyer, case["id"], "where is my refund?").status_code == 201
        (first,) = eventually(lambda: receiver.for_case(case["id"]), bool)
        (delivery,) = eventually(lambda: hooks.deliveries(shop, subscription["id"]), bool)

        # When the storefront asks for it again
        path = f"/v1/webhooks/deliveries/{delivery['id']}/redeliver"
        assert api.call("POST", path, shop.token).status_code == 202

        # Then the same event comes again, the very same bytes under the same webhook id
        again = eventually(lambda: receiver.for_case(case["id"]), lambda hits: len(hits) >= 2)[1]
        assert (again.body, again.headers["webhook-id"]) == (first.body, first.headers["webhook-id"])
    finally:
        hooks.remove_all()


def test_an_idempotency_key_replays_the_first_post_and_stores_one_message(
    api: Api, ctx: Context, patient_shop: Storefront
) -> None:
    case = patient_shop.escalate()
    key = {"Idempotency-Key": unique("key")}
    body = {"text": "only once", "audience": "platform"}
    path = f"/v1/disputes/{case['id']}/messages"

    first = api.call("POST", path, patient_shop.buyer, body, **key)
    retry = api.call("POST", path, patient_shop.buyer, body, **key)

    assert first.status_code == retry.status_code == 201
    assert retry.json == first.json and retry.headers.get("Idempotent-Replayed") == "true"
    assert [m["text"] for m in thread(api, patient_shop.buyer, case["id"]).json["items"]] == ["only once"]
    assert api.call("POST", path, patient_shop.buyer, {**body, "text": "other"}, **key).status_code == 422


def test_a_post_with_a_stale_if_match_is_refused_and_a_current_one_accepted(api: Api, patient_shop: Storefront) -> None:
    case = patient_shop.escalate()
    path = f"/v1/disputes/{case['id']}/messages"
    body = {"text": "checked against the version I read", "audience": "everyone"}

    stale = api.call("POST", path, patient_shop.buyer, body, **{"If-Match": f'"{case["version"] + 1}"'})
    current = api.call("POST", path, patient_shop.buyer, body, **{"If-Match": f'"{case["version"]}"'})

    assert (stale.status_code, stale.json["error"]["code"]) == (409, "stale_version")
    assert current.status_code == 201
    assert [m["text"] for m in thread(api, patient_shop.buyer, case["id"]).json["items"]] == [body["text"]]
