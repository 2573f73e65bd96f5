"""The largest case a client can build stays well inside one DynamoDB item.

A case is stored as one item whose `doc` attribute is `Dispute.model_dump_json()`.
DynamoDB refuses items over 400 KB, and a case that cannot be written is stuck
(every later command is a 500). So every list a client can grow on a case has a
bound, and so has every text it can write there; these tests build the case with
all of them at their maximum, through the same transitions the API runs, and
measure it.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import pytest
from annotated_types import MaxLen
from pydantic import TypeAdapter, ValidationError

from chalicelib.domain import defence, fulfilment, lifecycle, negotiation, review, rules, rulings, timers
from chalicelib.domain.evidence_models import MAX_FILES_PER_PARTY, MAX_RECORDS_PER_PARTY
from chalicelib.domain.models import (
    FREE_TEXT_MAX_CHARS,
    Actor,
    ClaimReason,
    CompensationKind,
    CompensationLine,
    Disclosed,
    Dispute,
    FreeText,
    ItemCategory,
    ItemFacts,
    Liability,
    Outcome,
    Party,
    Payee,
    Penalty,
    PenaltyKind,
    ReceiptCondition,
    ReviewerDecision,
    Role,
    SellerGround,
    Status,
    WindowKind,
)
from chalicelib.domain.policy import (
    MAX_INFO_REQUESTS_CEILING,
    MAX_OFFERS_CEILING,
    CaseLimits,
    Deadlines,
    FulfilmentPolicy,
    Policy,
)
from tests.factories import NOW, request, saved

# DynamoDB's item limit is 400 KB. The largest case must stay under half of it: the rest is room
# for the item's other attributes (keys, GSI keys, version) and for fields the case gains later.
MAX_CASE_JSON_BYTES = 200_000
DYNAMODB_ITEM_LIMIT_BYTES = 400 * 1024

# A storefront's policy at the ceilings (CaseLimits accepts them; one more it refuses).
LIMITS = CaseLimits(max_offers=MAX_OFFERS_CEILING, max_info_requests=MAX_INFO_REQUESTS_CEILING)
D = Deadlines()
P = FulfilmentPolicy()
K = WindowKind
LONGEST_ID = 128  # Identifier: storefront, order, buyer, seller and request ids, token subjects
# The most a character FreeText accepts costs in the stored JSON (proved below): four-byte UTF-8.
COSTLIEST_CHARACTER = "\U0001f600"


def stored_bytes(text: str) -> int:
    """What a string costs inside the stored JSON document, without its quotes."""
    return len(TypeAdapter(str).dump_json(text)) - 2


def longest_text(fill: str) -> str:
    """The longest free text a request may carry, checked by the request type itself."""
    return TypeAdapter(FreeText).validate_python(fill * FREE_TEXT_MAX_CHARS)


def identifier(letter: str) -> str:
    return letter * LONGEST_ID


def largest_case(fill: str) -> Dispute:
    """Every list a client grows at its ceiling, every client-written text at its longest."""
    text = longest_text(fill)
    storefront = identifier("f")
    buyer = Actor(sub=identifier("b"), role=Role.BUYER, storefront_id=storefront)
    seller = Actor(sub=identifier("s"), role=Role.SELLER, storefront_id=storefront)
    reviewer = Actor(sub=identifier("r"), role=Role.REVIEWER, storefront_id=storefront)
    senior = Actor(sub=identifier("z"), role=Role.SENIOR_REVIEWER, storefront_id=storefront)
    after_sales = request(
        NOW,
        request_id=identifier("q"),
        storefront_id=storefront,
        order_id=identifier("o"),
        buyer_id=buyer.sub,
        seller_id=seller.sub,
        reason=ClaimReason.COUNTERFEIT,
        amount_paid=10**9,
        amount_requested=10**9,
        item=ItemFacts(
            category=ItemCategory.DIGITAL_UNSEALED,
            no_reason_return_eligible=False,
            disclosed=Disclosed(flawed=True, near_expiry=True, custom_made=True),
        ),
    )
    case = saved(lifecycle.open_case(after_sales, buyer, text, "dsp_" + "0" * 24, "v" * 64, D, NOW))

    # The seller's window: every offer the ceiling allows, each with the longest note, each rejected.
    for number in range(LIMITS.max_offers):
        offer_id = f"off_{number:016x}"
        now = later(case)
        case = saved(negotiation.make_offer(case, seller, offer_id, 1, text, now, max_offers=LIMITS.max_offers))
        case = saved(negotiation.reject_offer(case, buyer, offer_id, later(case)))
    # ...and its defence, every ground with the longest statement (none backed by evidence, so each is shown
    # in the recommendation as not counted).
    case = saved(defence.state_defence(case, seller, Party.SELLER, tuple(SellerGround), text, later(case)))

    # Both parties miss their windows, then the rules find every guard (counterfeit, high amount, repeat
    # offender, abusive buyer): the longest recommendation, and the case waits for a reviewer.
    case = missed(case)
    case = missed(case)
    facts = rules.Facts(
        case=case,
        evidence=(),
        policy=Policy(version="v" * 64),
        now=later(case),
        seller_points=10**6,
        buyer_disputes=10**6,
        buyer_lost=10**6,
    )
    recommendation = rules.evaluate(facts)
    assert recommendation.decision == "review"
    case = saved(rulings.apply_recommendation(case, recommendation, D, later(case)))

    # Every information request the ceiling allows, to both parties, the longest question, both missing it.
    parties = (Party.BUYER, Party.SELLER)
    limit = LIMITS.max_info_requests
    for _ in range(limit):
        now = later(case)
        case = saved(review.request_information(case, reviewer, parties, text, D, now, max_info_requests=limit))
        case = missed(case)

    # A first ruling that overrides, with every line, penalty and text at its maximum; an appeal; a final ruling.
    case = saved(rulings.issue_ruling(case, reviewer, longest_decision(case, text), D, later(case)))
    case = saved(review.appeal(case, buyer, Party.BUYER, text, D, later(case)))
    final = longest_decision(case, text).model_copy(
        update={"outcome": Outcome.EXCHANGE, "return_shipping_payer": Payee.SELLER}
    )
    case = saved(rulings.issue_ruling(case, senior, final, D, later(case)))
    # The exchange carried out with every step: both parcels with the longest carrier fields, both receipts
    # with the longest note, the second disputed with every piece of evidence the buyer may hold, the
    # reviewer's decision, and the platform refunding when the storefront never reports.
    carrier, tracking = COSTLIEST_CHARACTER * 64, "T" * 64
    case = saved(fulfilment.report_shipment(case, buyer, K.RETURN_SHIPMENT, carrier, tracking, P, D, later(case)))
    ok, damaged = ReceiptCondition.RECEIVED_OK, ReceiptCondition.DAMAGED
    case = saved(fulfilment.report_receipt(case, seller, K.RETURN_RECEIPT, ok, text, (), P, D, later(case)))
    case = saved(fulfilment.report_shipment(case, seller, K.RESHIPMENT, carrier, tracking, P, D, later(case)))
    evidence = tuple(f"evd_{number:032x}" for number in range(MAX_FILES_PER_PARTY + MAX_RECORDS_PER_PARTY))
    case = saved(
        fulfilment.report_receipt(case, buyer, K.RESHIPMENT_RECEIPT, damaged, text, evidence, P, D, later(case))
    )
    owed = fulfilment.refund_base(case)
    case = saved(fulfilment.decide_receipt(case, senior, owed, text, P, D, later(case)))
    case = missed(case)
    # A workflow failure is summarised by the service: the error name and at most 500 characters of its cause.
    return case.model_copy(update={"workflow_error": "E" * 256 + ": " + COSTLIEST_CHARACTER * 500})


def later(case: Dispute) -> datetime:
    """A minute after the case last changed."""
    return case.updated_at + timedelta(minutes=1)


def missed(case: Dispute) -> Dispute:
    """The open window's deadline passes with nobody acting."""
    window = case.window
    assert window is not None
    after = timers.window_timed_out(case, window.id, D, window.due_at)
    assert after is not None
    return saved(after)


def longest_decision(case: Dispute, text: str) -> ReviewerDecision:
    line = CompensationLine(
        payer=Payee.SELLER, payee=Payee.BUYER, kind=CompensationKind.GOODWILL, amount=1, currency=case.currency
    )
    penalty = Penalty(party=Party.SELLER, kind=PenaltyKind.LISTING_RESTRICTION, value=10**9)
    return ReviewerDecision(
        outcome=Outcome.REFUND_PARTIAL,
        liability=Liability.SELLER,
        compensation=(line.model_copy(update={"kind": CompensationKind.REFUND}),)
        + (line,) * (most_items("compensation") - 1),
        penalties=(penalty,) * most_items("penalties"),
        notes=text,
        override_reason=text,
    )


def most_items(field: str) -> int:
    """The longest list a ruling body may carry in this field (its `max_length`)."""
    return next(rule.max_length for rule in ReviewerDecision.model_fields[field].metadata if isinstance(rule, MaxLen))


def test_the_largest_case_a_client_can_build_is_well_under_the_dynamodb_item_limit() -> None:
    # Given: a case with every list at its ceiling and every text at its longest, in the costliest characters
    case = largest_case(COSTLIEST_CHARACTER)

    # When: it is stored
    size = len(case.model_dump_json().encode())

    # Then: it fits in well under half an item, and it really is the full case
    assert size < MAX_CASE_JSON_BYTES < DYNAMODB_ITEM_LIMIT_BYTES, f"the largest case is {size} bytes"
    assert case.status == Status.CLOSED and case.appeal is not None and case.superseded_ruling is not None
    assert case.fulfilment is not None and len(case.fulfilment.steps) == 5
    assert len(case.offers) == MAX_OFFERS_CEILING
    assert case.defence is not None and len(case.defence.grounds) == len(SellerGround)
    assert case.info_requests_made == MAX_INFO_REQUESTS_CEILING
    assert len(case.missed_deadlines) == 2 + 2 * MAX_INFO_REQUESTS_CEILING
    assert size > MAX_CASE_JSON_BYTES / 2  # the builder really filled every text


@pytest.mark.parametrize(
    "fill", ["x", "\u00e9", "\u4e2d", '"', "\n"], ids=["ascii", "latin", "cjk", "quote", "newline"]
)
def test_no_other_character_builds_a_larger_case(fill: str) -> None:
    largest = len(largest_case(COSTLIEST_CHARACTER).model_dump_json().encode())

    assert len(largest_case(fill).model_dump_json().encode()) <= largest


def accepts(char: str) -> bool:
    try:
        TypeAdapter(FreeText).validate_python(char)
    except ValidationError:
        return False
    return True


def every_character(codes: range) -> str:
    """Every code point in the range, surrogates left out (a request that is not UTF-8 is a 400)."""
    return "".join(map(chr, itertools.filterfalse(lambda code: 0xD800 <= code <= 0xDFFF, codes)))


def test_free_text_accepts_no_character_stored_in_more_than_four_bytes() -> None:
    # Beyond ASCII the stored JSON holds every character as its UTF-8 bytes: at most four.
    beyond_ascii = every_character(range(0x80, 0x110000))
    assert stored_bytes(beyond_ascii) == len(beyond_ascii.encode())

    # In ASCII, FreeText refuses every character JSON escapes as \u00XX (six bytes); the rest cost one or two.
    accepted = [char for char in every_character(range(0x80)) if accepts(char)]
    assert max(stored_bytes(char) for char in accepted) == 2
    assert "\x00" not in accepted and "\t" in accepted and "\n" in accepted
    assert stored_bytes(COSTLIEST_CHARACTER) == 4
