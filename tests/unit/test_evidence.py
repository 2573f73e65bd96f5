"""Evidence rules: kinds, types, sizes, windows, verification verdicts and who sees what. No AWS."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, get_args

import pytest
from pydantic import ValidationError

from chalicelib.domain import evidence, evidence_models, lifecycle, review, timers
from chalicelib.domain.errors import (
    DeadlinePassed,
    DomainError,
    InvalidState,
    InvalidValue,
    PayloadTooLarge,
    UnsupportedMediaType,
)
from chalicelib.domain.evidence_models import (
    EvidenceKind,
    EvidenceStatus,
    FileDeclaration,
    MiB,
    RejectionReason,
    StoredUpload,
    Tracking,
    TrackingDeclaration,
)
from chalicelib.domain.models import Dispute, Party, Role, WindowKind
from chalicelib.domain.policy import Deadlines
from chalicelib.services.evidence import sniff_content_type
from tests import evidence_samples as samples
from tests.factories import BUYER, NOW, REVIEWER, SELLER, actor, opened_case, saved

DEADLINES = Deadlines()
LATER = NOW + timedelta(minutes=5)


def photo(size: int = 1000, content_type: str = "image/png") -> FileDeclaration:
    return FileDeclaration(kind=EvidenceKind.PHOTO, content_type=content_type, size=size)


def seller_submitted(case: Dispute) -> Dispute:
    return saved(lifecycle.submit(case, SELLER, Party.SELLER, DEADLINES, LATER))


def pending_photo(case: Dispute, size: int = 1000) -> evidence_models.Evidence:
    return evidence.plan_upload(case, SELLER, Party.SELLER, photo(size), "evd_1", NOW)


def stored(data: bytes) -> StoredUpload:
    return StoredUpload(size=len(data), sniffed_type=sniff_content_type(data), sha256=samples.sha256(data))


# -- declared files ---------------------------------------------------------------


def test_every_file_kind_accepted_by_the_api_has_rules() -> None:
    assert set(get_args(evidence_models.FileKind)) == evidence_models.FILE_KINDS
    assert EvidenceKind.TRACKING not in evidence_models.FILE_KINDS
    assert EvidenceKind.STATEMENT not in evidence_models.FILE_KINDS


@pytest.mark.parametrize(
    ("kind", "content_type", "limit"),
    [
        (EvidenceKind.PHOTO, "image/jpeg", 10 * MiB),
        (EvidenceKind.PHOTO, "image/heic", 10 * MiB),
        (EvidenceKind.VIDEO, "video/mp4", 100 * MiB),
        (EvidenceKind.VIDEO, "video/quicktime", 100 * MiB),
        (EvidenceKind.DOCUMENT, "application/pdf", 20 * MiB),
        (EvidenceKind.INVOICE, "image/png", 20 * MiB),
        (EvidenceKind.THIRD_PARTY_CERTIFICATE, "application/pdf", 20 * MiB),
        (EvidenceKind.CHAT_LOG, "text/plain", 20 * MiB),
    ],
)
def test_each_kind_takes_its_types_up_to_its_size_limit(kind: EvidenceKind, content_type: str, limit: int) -> None:
    assert evidence.check_declared_file(kind, content_type, limit).max_bytes == limit

    with pytest.raises(PayloadTooLarge):
        evidence.check_declared_file(kind, content_type, limit + 1)


@pytest.mark.parametrize(
    ("kind", "content_type"),
    [
        (EvidenceKind.PHOTO, "application/pdf"),
        (EvidenceKind.PHOTO, "video/mp4"),
        (EvidenceKind.VIDEO, "image/png"),
        (EvidenceKind.DOCUMENT, "application/zip"),
        (EvidenceKind.CHAT_LOG, "text/html"),
        (EvidenceKind.INVOICE, "application/x-msdownload"),
    ],
)
def test_a_type_the_kind_does_not_take_is_415(kind: EvidenceKind, content_type: str) -> None:
    with pytest.raises(UnsupportedMediaType):
        evidence.check_declared_file(kind, content_type, 100)


def test_tracking_and_statements_are_not_files() -> None:
    with pytest.raises(InvalidValue):
        evidence.check_declared_file(EvidenceKind.TRACKING, "application/pdf", 100)


def test_content_types_are_compared_without_case_or_parameters() -> None:
    assert evidence.normalize_content_type(" Text/Plain; charset=utf-8") == "text/plain"


def test_a_planned_upload_is_pending_under_a_key_naming_case_party_and_id() -> None:
    case = opened_case()

    pending = evidence.plan_upload(case, SELLER, Party.SELLER, photo(content_type="IMAGE/PNG"), "evd_1", NOW)

    assert pending.status == EvidenceStatus.PENDING
    assert pending.object_key == f"cases/{case.id}/seller/evd_1"
    assert pending.content_type == "image/png"
    assert case.window is not None
    assert pending.window_id == case.window.id


# -- windows ------------------------------------------------------------------------


def buyer_window(case: Dispute) -> Dispute:
    """The seller ended its window: the buyer's rebuttal window is open."""
    return seller_submitted(case)


def buyer_submitted(case: Dispute) -> Dispute:
    return saved(lifecycle.submit(buyer_window(case), BUYER, Party.BUYER, DEADLINES, LATER))


def asked(case: Dispute, *parties: Party) -> Dispute:
    """A reviewer's information request addressed to `parties`, on a case both parties are done with."""
    in_review = saved(lifecycle.open_review(buyer_submitted(case), DEADLINES, LATER, reason="rules want a person"))
    return saved(review.request_information(in_review, REVIEWER, parties, "The box?", DEADLINES, LATER))


def test_the_buyers_proof_comes_with_the_complaint_in_the_sellers_window() -> None:
    # Given a case just escalated: only the seller's window is open
    case = opened_case()
    assert case.window is not None and case.window.kind == WindowKind.SELLER_RESPONSE

    # When the buyer adds a photo, a statement and a tracking record at once
    added = [
        evidence.plan_upload(case, BUYER, Party.BUYER, photo(), "evd_1", NOW),
        evidence.record_statement(case, BUYER, Party.BUYER, "It cracked on arrival.", "evd_2", NOW),
        evidence.record_tracking(
            case,
            BUYER,
            Party.BUYER,
            TrackingDeclaration(kind=EvidenceKind.TRACKING, carrier="UPS", tracking_number="1Z9", status="delivered"),
            "evd_3",
            NOW,
        ),
    ]

    # Then each is accepted as the buyer's, in the seller's window
    assert {(item.party, item.window_id) for item in added} == {(Party.BUYER, case.window.id)}


def test_the_buyer_may_still_add_when_the_sellers_deadline_passed_before_the_workflow_noticed() -> None:
    case = opened_case()
    assert case.window is not None

    item = evidence.plan_upload(case, BUYER, Party.BUYER, photo(), "evd_1", case.window.due_at)

    assert item.window_id == case.window.id


def test_the_buyer_may_not_end_the_sellers_window() -> None:
    with pytest.raises(InvalidState):
        lifecycle.submit(opened_case(), BUYER, Party.BUYER, DEADLINES, LATER)


def test_the_seller_may_not_add_in_the_buyers_rebuttal_window() -> None:
    with pytest.raises(InvalidState):
        evidence.plan_upload(buyer_window(opened_case()), SELLER, Party.SELLER, photo(), "evd_1", LATER)


def test_the_buyer_adds_in_its_rebuttal_window_until_it_submits() -> None:
    case = opened_case()

    assert evidence.plan_upload(buyer_window(case), BUYER, Party.BUYER, photo(), "evd_1", LATER)
    with pytest.raises(InvalidState) as refused:
        evidence.plan_upload(buyer_submitted(case), BUYER, Party.BUYER, photo(), "evd_2", LATER)
    assert not isinstance(refused.value, DeadlinePassed)


def test_the_buyer_may_not_add_after_its_rebuttal_deadline() -> None:
    rebuttal = buyer_window(opened_case())
    assert rebuttal.window is not None
    due = rebuttal.window.due_at

    with pytest.raises(DeadlinePassed):
        evidence.plan_upload(rebuttal, BUYER, Party.BUYER, photo(), "evd_1", due)
    moved_on = timers.window_timed_out(rebuttal, rebuttal.window.id, DEADLINES, due)
    assert moved_on is not None
    with pytest.raises(DeadlinePassed):
        evidence.record_statement(saved(moved_on), BUYER, Party.BUYER, "late", "evd_2", due + timedelta(seconds=1))


def test_once_its_window_ended_the_buyer_adds_only_through_an_information_request_addressed_to_it() -> None:
    case = opened_case()

    with pytest.raises(InvalidState):
        evidence.plan_upload(asked(case, Party.SELLER), BUYER, Party.BUYER, photo(), "evd_1", LATER)
    for parties in ((Party.BUYER,), (Party.BUYER, Party.SELLER)):
        request = asked(case, *parties)
        assert request.window is not None
        assert evidence.plan_upload(request, BUYER, Party.BUYER, photo(), "evd_1", LATER).window_id == request.window.id


def test_adding_after_the_deadline_but_before_the_workflow_noticed_is_410() -> None:
    case = opened_case()
    assert case.window is not None

    with pytest.raises(DeadlinePassed):
        evidence.plan_upload(case, SELLER, Party.SELLER, photo(), "evd_1", case.window.due_at)


def test_adding_after_the_deadline_moved_the_case_on_is_410() -> None:
    case = opened_case()
    assert case.window is not None
    due = case.window.due_at
    moved_on = timers.window_timed_out(case, case.window.id, DEADLINES, due)
    assert moved_on is not None

    with pytest.raises(DeadlinePassed):
        evidence.plan_upload(saved(moved_on), SELLER, Party.SELLER, photo(), "evd_1", due + timedelta(seconds=1))


def test_adding_after_ending_the_window_early_is_409_not_410() -> None:
    case = seller_submitted(opened_case())

    with pytest.raises(InvalidState) as refused:
        evidence.plan_upload(case, SELLER, Party.SELLER, photo(), "evd_1", LATER)
    assert not isinstance(refused.value, DeadlinePassed)


# -- verification -------------------------------------------------------------------


def test_bytes_that_are_what_was_declared_are_verified_with_their_hash() -> None:
    data = samples.png()

    verified = evidence.judge_upload(pending_photo(opened_case()), stored(data), LATER)

    assert verified.status == EvidenceStatus.VERIFIED
    assert verified.sha256 == samples.sha256(data)
    assert verified.size == len(data)


@pytest.mark.parametrize(
    ("data", "reason", "error"),
    [
        (samples.pdf(), RejectionReason.TYPE_MISMATCH, UnsupportedMediaType),
        (samples.jpeg(), RejectionReason.TYPE_MISMATCH, UnsupportedMediaType),  # allowed for photos, but not declared
        (b"MZ\x90\x00 not an image at all", RejectionReason.TYPE_MISMATCH, UnsupportedMediaType),
        (samples.png() + b"\x00" * 2000, RejectionReason.TOO_LARGE, PayloadTooLarge),
        (b"", RejectionReason.EMPTY, InvalidValue),
    ],
)
def test_an_upload_that_is_not_what_was_declared_is_rejected(
    data: bytes, reason: RejectionReason, error: type[DomainError]
) -> None:
    rejected = evidence.judge_upload(pending_photo(opened_case()), stored(data), LATER)

    assert rejected.status == EvidenceStatus.REJECTED
    assert rejected.rejected_because == reason
    assert rejected.sha256 is None
    assert isinstance(evidence.rejection_error(rejected), error)


def test_only_pending_evidence_can_be_judged() -> None:
    verified = evidence.judge_upload(pending_photo(opened_case()), stored(samples.png()), LATER)

    with pytest.raises(InvalidState):
        evidence.judge_upload(verified, stored(samples.png()), LATER)


@pytest.mark.parametrize(
    ("make", "mime"),
    [
        (samples.png, "image/png"),
        (samples.jpeg, "image/jpeg"),
        (samples.webp, "image/webp"),
        (samples.heic, "image/heic"),
        (samples.pdf, "application/pdf"),
        (samples.mp4, "video/mp4"),
        (samples.mov, "video/quicktime"),
        (samples.webm, "video/webm"),
        (samples.text, "text/plain"),
    ],
)
def test_sniffing_recognises_every_accepted_format(make: Callable[[], bytes], mime: str) -> None:
    assert mime in evidence_models.EXTENSIONS
    assert sniff_content_type(make()) == mime


def test_binary_that_is_no_known_format_is_not_text() -> None:
    assert sniff_content_type(b"\x00\x01\x02binary") is None
    assert sniff_content_type(b"\xff\xfe\xfa not utf-8") is None
    assert sniff_content_type(b"") is None


# -- tracking and statements --------------------------------------------------------


def test_tracking_is_structured_and_verified_at_once() -> None:
    case = opened_case()
    declared = TrackingDeclaration(
        kind=EvidenceKind.TRACKING,
        carrier="SF Express",
        tracking_number="SF1234567890",
        status="delivered",
        delivered_at="2026-11-20T10:00:00Z",
    )

    item = evidence.record_tracking(case, SELLER, Party.SELLER, declared, "evd_t", NOW)

    assert item.status == EvidenceStatus.VERIFIED
    assert item.tracking == Tracking(
        carrier="SF Express", tracking_number="SF1234567890", status="delivered", delivered_at="2026-11-20T10:00:00Z"
    )
    assert item.object_key is None


@pytest.mark.parametrize(
    "fields",
    [
        {"status": "lost", "delivered_at": "2026-11-20T10:00:00Z"},
        {"status": "teleported"},
        {"status": "in_transit", "tracking_number": "has spaces"},
        {"status": "delivered", "delivered_at": "2026-11-20T10:00:00"},
    ],
)
def test_inconsistent_tracking_is_refused(fields: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        Tracking.model_validate({"carrier": "UPS", "tracking_number": "1Z999", **fields})


def test_a_statement_is_verified_text_with_its_hash() -> None:
    item = evidence.record_statement(opened_case(), SELLER, Party.SELLER, "  The item left intact.  ", "evd_s", NOW)

    assert item.kind == EvidenceKind.STATEMENT
    assert item.status == EvidenceStatus.VERIFIED
    assert item.text == "The item left intact."
    assert item.sha256 == samples.sha256(b"The item left intact.")


def test_a_statement_over_the_limit_is_413_and_a_blank_one_is_422() -> None:
    case = opened_case()

    with pytest.raises(PayloadTooLarge):
        evidence.record_statement(case, SELLER, Party.SELLER, "x" * (evidence_models.MAX_STATEMENT_CHARS + 1), "e", NOW)
    with pytest.raises(InvalidValue):
        evidence.record_statement(case, SELLER, Party.SELLER, "   \n ", "e", NOW)


def test_files_and_records_have_separate_allowances_of_twenty() -> None:
    assert evidence_models.allowance(EvidenceKind.VIDEO) == evidence_models.FILES
    assert (
        evidence_models.allowance(EvidenceKind.STATEMENT)
        == evidence_models.allowance(EvidenceKind.TRACKING)
        == evidence_models.RECORDS
    )
    assert evidence_models.FILES.limit == 20


# -- who sees what ------------------------------------------------------------------


def test_the_other_side_sees_evidence_only_once_its_window_closed_for_the_author() -> None:
    case = opened_case()
    item = evidence.judge_upload(pending_photo(case), stored(samples.png()), LATER)

    assert evidence.visible_to(SELLER, case, item)
    assert not evidence.visible_to(BUYER, case, item)
    assert evidence.visible_to(BUYER, seller_submitted(case), item)


def test_the_seller_sees_the_buyers_complaint_evidence_at_once_the_buyer_waits_for_the_sellers() -> None:
    # Given a photo from each side, both added while the seller's window is open
    case = opened_case()
    sellers = evidence.judge_upload(pending_photo(case), stored(samples.png()), LATER)
    buyers_pending = evidence.plan_upload(case, BUYER, Party.BUYER, photo(), "evd_b", NOW)
    buyers = evidence.judge_upload(buyers_pending, stored(samples.png()), LATER)

    # Then the seller sees the buyer's at once, so it can answer it; the buyer does not see the seller's
    assert evidence.visible_to(SELLER, case, buyers)
    assert evidence.visible_to(BUYER, case, buyers)
    assert not evidence.visible_to(BUYER, case, sellers)

    # And once the seller's window ended, everyone sees both
    rebuttal = seller_submitted(case)
    assert evidence.visible_to(BUYER, rebuttal, sellers)
    assert evidence.visible_to(SELLER, rebuttal, buyers)


def test_the_buyers_rebuttal_evidence_stays_hidden_from_the_seller_until_the_rebuttal_ends() -> None:
    case = opened_case()
    rebuttal = buyer_window(case)
    pending = evidence.plan_upload(rebuttal, BUYER, Party.BUYER, photo(), "evd_b", LATER)
    item = evidence.judge_upload(pending, stored(samples.png()), LATER)

    assert not evidence.visible_to(SELLER, rebuttal, item)
    assert evidence.visible_to(SELLER, buyer_submitted(case), item)


@pytest.mark.parametrize(
    ("viewer", "sees"),
    [
        (REVIEWER, True),
        (actor(Role.SENIOR_REVIEWER, "senior-9", "platform"), True),
        (actor(Role.STOREFRONT, "shop-backend"), True),
        (actor(Role.BUYER, "someone-else"), False),
        (actor(Role.SELLER, "seller-1", "other-shop"), False),
    ],
)
def test_reviewers_and_the_storefront_see_both_sides_strangers_nothing(viewer: Any, sees: bool) -> None:
    case = opened_case()
    item = evidence.judge_upload(pending_photo(case), stored(samples.png()), LATER)

    assert evidence.visible_to(viewer, case, item) is sees


def test_nothing_unverified_is_visible_to_anyone() -> None:
    case = seller_submitted(opened_case())
    pending = pending_photo(opened_case())
    rejected = evidence.judge_upload(pending, stored(samples.pdf()), LATER)

    for viewer in (SELLER, BUYER, REVIEWER):
        assert not evidence.visible_to(viewer, case, pending)
        assert not evidence.visible_to(viewer, case, rejected)


def test_facts_for_the_rules_come_from_verified_evidence_only() -> None:
    case = opened_case()
    photo_item = evidence.judge_upload(pending_photo(case), stored(samples.png()), LATER)
    lying = evidence.judge_upload(pending_photo(case), stored(samples.pdf()), LATER)
    declared = TrackingDeclaration(kind=EvidenceKind.TRACKING, carrier="UPS", tracking_number="1Z9", status="lost")
    tracking = evidence.record_tracking(case, SELLER, Party.SELLER, declared, "evd_t", LATER)

    facts = evidence.facts([photo_item, lying, tracking])

    assert facts.has(Party.SELLER, EvidenceKind.PHOTO, EvidenceKind.VIDEO)
    assert not facts.has(Party.BUYER, EvidenceKind.PHOTO)
    assert facts.latest_tracking is not None
    assert facts.latest_tracking.status == "lost"


@pytest.mark.parametrize(
    ("reason", "error"),
    [(RejectionReason.WINDOW_CLOSED, InvalidState), (RejectionReason.DEADLINE_PASSED, DeadlinePassed)],
)
def test_a_rejection_for_timing_answers_with_the_same_status_every_time(
    reason: RejectionReason, error: type[DomainError]
) -> None:
    rejected = evidence.reject(pending_photo(opened_case()), reason, "too late", LATER)

    assert type(evidence.rejection_error(rejected)) is error
