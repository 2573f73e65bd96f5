"""The largest timeline a client can build answers well inside one Lambda response.

`GET /v1/disputes/{id}/events` answers every line of a case at once, and AWS Lambda refuses a response over
6 MB (the client gets a 502). Every line a client can add is bounded: the transitions of the largest case
(tests/unit/test_case_size.py), one reminder per window at most, every piece of evidence each party may
declare, and the messages up to the cap. A message's line carries a reference and a short excerpt, never the
whole text, so the worst case, computed here from the caps, stays under 1 MB.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

import tests.unit.test_case_size as sizes
from chalicelib.api.http import json_response
from chalicelib.domain import lifecycle
from chalicelib.domain import messages as domain
from chalicelib.domain.evidence import audit_event
from chalicelib.domain.evidence_models import MAX_FILES_PER_PARTY, MAX_RECORDS_PER_PARTY, Evidence, EvidenceKind
from chalicelib.domain.message_models import MAX_ATTACHMENTS, MAX_MESSAGES_PER_CASE, Audience
from chalicelib.domain.models import FREE_TEXT_MAX_CHARS, Actor, AuditEvent, Dispute, Party, Role, Status, Transition
from chalicelib.domain.policy import MAX_INFO_REQUESTS_CEILING
from chalicelib.domain.views import event_view
from tests import factories
from tests.factories import NOW

# Lambda's response limit is 6 MB; the timeline must stay far below it, with room for lines added later.
MAX_TIMELINE_BYTES = 1_000_000
LAMBDA_RESPONSE_LIMIT_BYTES = 6 * 1024 * 1024


def largest_case_with_its_lines(monkeypatch: pytest.MonkeyPatch) -> tuple[Dispute, list[AuditEvent]]:
    """The largest case of test_case_size, with every timeline line its transitions wrote."""
    lines: list[AuditEvent] = []
    stored = factories.saved

    def saved(transition: Transition) -> Dispute:
        lines.extend(transition.events)
        return stored(transition)

    monkeypatch.setattr(sizes, "saved", saved)
    return sizes.largest_case(sizes.COSTLIEST_CHARACTER), lines


def reminders(case: Dispute, count: int) -> list[AuditEvent]:
    """At most one reminder per window, and every window was opened by a transition: `count` bounds them."""
    line = lifecycle.event(
        case,
        NOW,
        "deadline_approaching",
        reason="reminder before the deadline",
        window="reshipment_receipt",
        parties=["buyer", "seller"],
        due_at="2026-11-30T12:00:00.000000Z",
    )
    return [line] * count


def evidence_lines(case: Dispute) -> list[AuditEvent]:
    """Every file and record each party may declare (each leaves one line), with the longest ids."""
    lines = []
    for party in (Party.BUYER, Party.SELLER):
        author = Actor(sub=sizes.identifier("a"), role=Role(party.value), storefront_id=case.storefront_id)
        item = Evidence(
            id=f"evd_{'0' * 32}",
            case_id=case.id,
            party=party,
            added_by=author.sub,
            kind=EvidenceKind.THIRD_PARTY_CERTIFICATE,
            status="verified",
            window_id="w" * 64,
            created_at=NOW,
        )
        lines += [audit_event(case, item, author, NOW)] * (MAX_FILES_PER_PARTY + MAX_RECORDS_PER_PARTY)
    return lines


def message_lines(case: Dispute) -> list[AuditEvent]:
    """The cap's worth of the longest messages, in the costliest characters, each with every attachment."""
    author = Actor(sub=sizes.identifier("r"), role=Role.SENIOR_REVIEWER, storefront_id=case.storefront_id)
    change = domain.post(
        case.model_copy(update={"status": Status.UNDER_REVIEW}),  # posted before it closed
        author,
        sizes.COSTLIEST_CHARACTER * FREE_TEXT_MAX_CHARS,
        Audience.EVERYONE,
        (),
        (),
        message_id=f"msg_{'0' * 32}",
        posted=0,
        limit=MAX_MESSAGES_PER_CASE,
        now=NOW + timedelta(days=1),
    )
    line = change.event.model_copy(update={"data": {**change.event.data, "attachments": MAX_ATTACHMENTS}})
    return [line] * MAX_MESSAGES_PER_CASE


def timeline(lines: list[AuditEvent]) -> dict[str, Any]:
    return {"items": [event_view(line) for line in lines]}


def answered_bytes(lines: list[AuditEvent]) -> int:
    """The body as the route answers it (api/http.py json_response: UTF-8 JSON)."""
    return len(json_response(timeline(lines)).to_dict()["body"].encode())


def escaped_bytes(lines: list[AuditEvent]) -> int:
    """The body ASCII-escaped (an emoji as 12 bytes), as a Python 3.11 Lambda runtime carries its payload."""
    return len(json.dumps(timeline(lines), separators=(",", ":")))


def test_the_largest_timeline_a_client_can_build_answers_well_under_a_megabyte(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given the largest case, its evidence at every allowance and the cap's worth of the longest messages
    case, transitions = largest_case_with_its_lines(monkeypatch)
    lines = transitions + reminders(case, len(transitions)) + evidence_lines(case) + message_lines(case)

    # When the whole timeline is answered
    size = answered_bytes(lines)

    # Then it fits well under a megabyte, a sixth of what Lambda may answer; escaped, still a quarter of it
    assert size < MAX_TIMELINE_BYTES < LAMBDA_RESPONSE_LIMIT_BYTES, f"the largest timeline is {size} bytes"
    assert escaped_bytes(lines) < LAMBDA_RESPONSE_LIMIT_BYTES / 4
    assert sum(line.action == "message_posted" for line in lines) == MAX_MESSAGES_PER_CASE
    assert len(transitions) > 2 * MAX_INFO_REQUESTS_CEILING  # the builder really ran the whole case


def test_a_message_line_costs_a_small_fraction_of_the_message() -> None:
    # The message itself, escaped as the response escapes it, against its line on the timeline
    case = sizes.largest_case("x")
    (line,) = message_lines(case)[:1]
    text = sizes.COSTLIEST_CHARACTER * FREE_TEXT_MAX_CHARS

    assert answered_bytes([line]) * 5 < len(json_response({"text": text}).to_dict()["body"].encode())
