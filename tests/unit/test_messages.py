"""Messages on a case (DESIGN section 11), on the in-memory fakes: who may address whom, who reads what,
the cap, closed cases, attachments, and that a message never touches the case."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

import pytest

from chalicelib.api.openapi_document import document
from chalicelib.config import Settings
from chalicelib.domain import messages as domain
from chalicelib.domain.errors import CaseClosed, InvalidValue, MessageLimitReached, NotFound
from chalicelib.domain.message_models import EXCERPT_CHARS, MAX_MESSAGES_PER_CASE, Audience
from chalicelib.domain.models import FREE_TEXT_MAX_CHARS, AfterSalesFacts, Dispute
from chalicelib.domain.webhooks import EventType, message_sequence_of, sequence_of
from chalicelib.services import disputes, evidence, messages, negotiation
from tests.factories import actor, after_sales_body
from tests.unit.fakes import Fakes

STOREFRONT = actor("storefront", "shop-backend", "shop-1")
BUYER = actor("buyer", "buyer-1", "shop-1")
SELLER = actor("seller", "seller-1", "shop-1")
REVIEWER = actor("reviewer", "rev-1", "platform")
SENIOR = actor("senior_reviewer", "senior-1", "platform")
READERS = {"buyer": BUYER, "seller": SELLER, "storefront": STOREFRONT, "reviewer": REVIEWER, "senior": SENIOR}


@pytest.fixture
def fakes() -> Fakes:
    return Fakes()


def escalated(fakes: Fakes, **overrides: Any) -> Dispute:
    facts = AfterSalesFacts.model_validate(after_sales_body(fakes.clock(), **overrides))
    request = disputes.record_request(fakes.ctx, STOREFRONT, f"req-{len(fakes.cases.requests)}", facts)
    return disputes.escalate(fakes.ctx, BUYER, request.request.request_id, "it arrived broken")


def texts(fakes: Fakes, reader: Any, case_id: str) -> list[str]:
    return [m.text for m in messages.list_messages(fakes.ctx, reader, case_id, 100, None).items]


def buyer_may_open(fakes: Fakes, case_id: str) -> set[str]:
    """What GET .../evidence lists for the buyer."""
    return {shown.evidence.id for shown in evidence.list_evidence(fakes.ctx, BUYER, case_id)}


def test_a_message_is_stored_beside_the_case_and_never_changes_its_status_or_version(fakes: Fakes) -> None:
    case = escalated(fakes)

    posted = messages.post_message(fakes.ctx, BUYER, case.id, "Is anyone there?", Audience.EVERYONE)

    assert fakes.cases.get(case.id) == case  # same version, status, everything
    assert posted.case.version == case.version
    assert posted.message.author == "buyer-1" and posted.message.role.value == "buyer"
    assert texts(fakes, SELLER, case.id) == ["Is anyone there?"]


@pytest.mark.parametrize(
    ("audience", "readers"),
    [
        (Audience.EVERYONE, {"buyer", "seller", "storefront", "reviewer", "senior"}),
        (Audience.PLATFORM, {"reviewer", "senior"}),
        (Audience.BUYER, {"buyer", "reviewer", "senior"}),
        (Audience.SELLER, {"seller", "reviewer", "senior"}),
    ],
)
def test_a_reviewers_message_is_read_by_its_audience_alone_in_the_thread_and_on_the_timeline(
    fakes: Fakes, audience: Audience, readers: set[str]
) -> None:
    case = escalated(fakes)

    messages.post_message(fakes.ctx, REVIEWER, case.id, f"to {audience.value}", audience)

    in_thread = {name for name, reader in READERS.items() if texts(fakes, reader, case.id)}
    on_timeline = {
        name
        for name, reader in READERS.items()
        if any(e.action == "message_posted" for e in disputes.list_events(fakes.ctx, reader, case.id))
    }
    assert in_thread == on_timeline == readers


def test_a_partys_note_to_the_platform_is_read_by_reviewers_and_its_author_only(fakes: Fakes) -> None:
    case = escalated(fakes)

    messages.post_message(fakes.ctx, SELLER, case.id, "The buyer threatened me by phone", Audience.PLATFORM)

    assert texts(fakes, SELLER, case.id) == texts(fakes, REVIEWER, case.id) == ["The buyer threatened me by phone"]
    assert texts(fakes, BUYER, case.id) == texts(fakes, STOREFRONT, case.id) == []
    other_seller = actor("seller", "seller-2", "shop-1")
    with pytest.raises(NotFound):
        messages.list_messages(fakes.ctx, other_seller, case.id, 10, None)


@pytest.mark.parametrize("audience", [Audience.BUYER, Audience.SELLER])
@pytest.mark.parametrize("party", [BUYER, SELLER], ids=["buyer", "seller"])
def test_a_party_may_not_address_one_party_alone(fakes: Fakes, party: Any, audience: Audience) -> None:
    case = escalated(fakes)

    with pytest.raises(InvalidValue) as refused:
        messages.post_message(fakes.ctx, party, case.id, "psst", audience)

    assert refused.value.details == [{"field": "audience", "allowed": ["everyone", "platform"]}]
    assert texts(fakes, REVIEWER, case.id) == []


def test_the_cap_is_a_409_of_its_own_and_stores_nothing(fakes: Fakes) -> None:
    ctx = dataclasses.replace(fakes.ctx, settings=fakes.ctx.settings.model_copy(update={"max_messages_per_case": 3}))
    case = escalated(fakes)
    for number in range(3):
        messages.post_message(ctx, BUYER, case.id, f"message {number}", Audience.EVERYONE)

    with pytest.raises(MessageLimitReached) as refused:
        messages.post_message(ctx, REVIEWER, case.id, "one too many", Audience.PLATFORM)

    assert refused.value.code == "message_limit_reached"
    assert refused.value.details == [{"limit": "messages_per_case", "max": 3, "posted": 3}]
    assert texts(fakes, REVIEWER, case.id) == ["message 0", "message 1", "message 2"]


def test_a_case_holds_500_messages_by_default() -> None:
    assert MAX_MESSAGES_PER_CASE == 500
    assert Settings(table_name="t", evidence_bucket="b", state_machine_arn="a").max_messages_per_case == 500


def test_a_closed_case_takes_no_message(fakes: Fakes) -> None:
    case = escalated(fakes)
    negotiation.withdraw(fakes.ctx, BUYER, case.id, "sorted it out")

    with pytest.raises(CaseClosed):
        messages.post_message(fakes.ctx, REVIEWER, case.id, "too late", Audience.EVERYONE)

    assert texts(fakes, REVIEWER, case.id) == []


def test_an_attachment_must_be_evidence_the_author_may_see(fakes: Fakes) -> None:
    # Given the seller's statement, added in its own open window (hidden from the buyer until it ends)
    case = escalated(fakes)
    statement = evidence.add_statement(fakes.ctx, SELLER, case.id, "It was fine when it left us").evidence

    # Then the buyer cannot attach it (404, as if it did not exist); the seller and a reviewer can
    with pytest.raises(NotFound):
        messages.post_message(fakes.ctx, BUYER, case.id, "see this", Audience.EVERYONE, [statement.id])
    with pytest.raises(NotFound):
        messages.post_message(fakes.ctx, SELLER, case.id, "see this", Audience.EVERYONE, ["evd_nothing"])
    posted = messages.post_message(fakes.ctx, SELLER, case.id, "see this", Audience.PLATFORM, [statement.id])
    assert posted.message.evidence_ids == (statement.id,)
    messages.post_message(fakes.ctx, REVIEWER, case.id, "noted", Audience.PLATFORM, [statement.id])


@pytest.mark.parametrize(
    ("author", "audience"),
    [(SELLER, Audience.EVERYONE), (REVIEWER, Audience.EVERYONE), (REVIEWER, Audience.BUYER)],
    ids=["seller-to-everyone", "reviewer-to-everyone", "reviewer-to-buyer"],
)
def test_an_attachment_a_reader_of_the_audience_may_not_open_yet_is_a_422_and_stores_nothing(
    fakes: Fakes, author: Any, audience: Audience
) -> None:
    # Given the seller's statement, added in its own open window: hidden from the buyer until it ends
    case = escalated(fakes)
    statement = evidence.add_statement(fakes.ctx, SELLER, case.id, "It was fine when it left us").evidence

    # When it is attached to a message the buyer reads
    with pytest.raises(InvalidValue) as refused:
        messages.post_message(fakes.ctx, author, case.id, "see this", audience, [statement.id])

    # Then the post is refused, naming the attachment and who may not open it, and nothing is stored
    assert refused.value.details == [{"field": "evidence_ids", "evidence_id": statement.id, "hidden_from": ["buyer"]}]
    assert texts(fakes, REVIEWER, case.id) == []
    assert statement.id not in buyer_may_open(fakes, case.id)


def test_an_attachment_is_accepted_for_every_audience_once_its_readers_may_open_it(fakes: Fakes) -> None:
    # Given the seller's statement, and the seller's window then ended
    case = escalated(fakes)
    statement = evidence.add_statement(fakes.ctx, SELLER, case.id, "It was fine when it left us").evidence
    messages.post_message(fakes.ctx, REVIEWER, case.id, "for you", Audience.SELLER, [statement.id])
    disputes.submit(fakes.ctx, SELLER, case.id)

    # When the seller and a reviewer attach it to messages the buyer reads
    messages.post_message(fakes.ctx, SELLER, case.id, "see this", Audience.EVERYONE, [statement.id])
    messages.post_message(fakes.ctx, REVIEWER, case.id, "see that", Audience.BUYER, [statement.id])

    # Then the buyer reads them, and may open what they name
    shown = messages.list_messages(fakes.ctx, BUYER, case.id, 10, None).items
    assert [m.evidence_ids for m in shown] == [(statement.id,), (statement.id,)]
    assert statement.id in buyer_may_open(fakes, case.id)


def test_only_messages_to_everyone_leave_a_webhook_numbered_after_the_cases_version(fakes: Fakes) -> None:
    case = escalated(fakes)
    for audience in Audience:
        messages.post_message(fakes.ctx, REVIEWER, case.id, f"to {audience.value}", audience)
    messages.post_message(fakes.ctx, BUYER, case.id, "thanks", Audience.EVERYONE)

    sent = [e for e in fakes.cases.outbox if e.event_type == EventType.MESSAGE_POSTED]

    # everyone (slot 0) and the buyer's thanks (slot 4): after version 1's events, before version 2's
    assert [e.sequence for e in sent] == [message_sequence_of(1, 0), message_sequence_of(1, 4)]
    assert sequence_of(1, 499) < sent[0].sequence < sent[1].sequence < sequence_of(2, 0)
    assert [e.event.data["message"]["text"] for e in sent] == ["to everyone", "thanks"]


def test_a_timeline_line_names_the_message_and_quotes_only_its_beginning(fakes: Fakes) -> None:
    # Given a message at the longest text a message may have
    case = escalated(fakes)
    text = "\U0001f600" * FREE_TEXT_MAX_CHARS

    # When a reviewer posts it to everyone
    posted = messages.post_message(fakes.ctx, REVIEWER, case.id, text, Audience.EVERYONE)

    # Then its timeline line is a reference with an excerpt: the text is read through the thread
    (line,) = [e for e in disputes.list_events(fakes.ctx, BUYER, case.id) if e.action == "message_posted"]
    assert line.data == {
        "message_id": posted.message.id,
        "audience": "everyone",
        "role": "reviewer",
        "excerpt": text[:EXCERPT_CHARS],
        "truncated": True,
        "attachments": 0,
    }
    assert texts(fakes, BUYER, case.id) == [text]
    # and the webhook still carries the whole message, beside the same reference
    (sent,) = [e for e in fakes.cases.outbox if e.event_type == EventType.MESSAGE_POSTED]
    assert sent.event.data == {**line.data, "message": domain.view(posted.message)}


def test_messages_are_listed_oldest_first_in_pages(fakes: Fakes) -> None:
    case = escalated(fakes)
    for number in range(5):
        messages.post_message(fakes.ctx, BUYER, case.id, f"message {number}", Audience.EVERYONE)
        fakes.clock.advance(timedelta(seconds=1))

    first = messages.list_messages(fakes.ctx, SELLER, case.id, 3, None)
    rest = messages.list_messages(fakes.ctx, SELLER, case.id, 3, first.cursor)

    assert [m.text for m in first.items + rest.items] == [f"message {n}" for n in range(5)]
    assert rest.cursor is None


def test_the_openapi_document_names_the_message_operations_and_their_webhook_payload() -> None:
    paths = document()["paths"]["/v1/disputes/{dispute_id}/messages"]
    posted = paths["post"]["responses"]["201"]["content"]["application/json"]["schema"]
    listed = paths["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    webhook = document()["webhooks"]["dispute.message_posted"]["post"]["requestBody"]["content"]["application/json"]

    assert (paths["post"]["operationId"], paths["get"]["operationId"]) == ("postMessage", "listMessages")
    assert posted == {"$ref": "#/components/schemas/MessageView"}
    assert listed == {"$ref": "#/components/schemas/MessagePage"}
    assert paths["post"]["requestBody"]["content"]["application/json"]["example"]["audience"] == "everyone"
    assert webhook["schema"] == {"$ref": "#/components/schemas/MessagePostedEvent"}
    codes = document()["components"]["schemas"]["ErrorInfo"]["properties"]["code"]["enum"]
    assert {"message_limit_reached", "case_closed"} <= set(codes)
