"""Evidence use cases: grant an upload, verify it, record tracking and statements, show what a caller may see.

Evidence never changes the case document. Each write is instead conditional on
the case version whose open window allowed it (see the evidence repository),
so evidence cannot slip in after a deadline or a submission moved the case on;
it goes through the same runner as every case change (services/cases.py).
"""

from __future__ import annotations

import codecs
import uuid
from dataclasses import dataclass
from datetime import datetime

import filetype

from chalicelib.domain import evidence as domain
from chalicelib.domain.access import require_party
from chalicelib.domain.errors import DeadlinePassed, DomainError, InvalidState, NotFound
from chalicelib.domain.evidence_models import (
    DOWNLOAD_URL_TTL,
    TEXT,
    UPLOAD_URL_TTL,
    Declaration,
    Evidence,
    EvidenceChange,
    EvidenceStatus,
    EvidenceWrite,
    FileDeclaration,
    PresignedUpload,
    RejectionReason,
    StoredUpload,
)
from chalicelib.domain.models import Actor, Dispute
from chalicelib.domain.workflow import StoredCase
from chalicelib.observability import logger
from chalicelib.services.cases import change, load_visible
from chalicelib.services.context import Context


@dataclass(frozen=True)
class AddedEvidence:
    evidence: Evidence
    case_version: int
    upload: PresignedUpload | None = None
    upload_expires_at: datetime | None = None


@dataclass(frozen=True)
class ShownEvidence:
    evidence: Evidence
    download_url: str | None = None
    download_expires_at: datetime | None = None


def add_evidence(
    ctx: Context, actor: Actor, case_id: str, declared: Declaration, expected_version: int | None = None
) -> AddedEvidence:
    """A file gets a presigned POST and waits for `complete`; a tracking record is checked and kept at once."""
    evidence_id = new_evidence_id()

    def add(case: Dispute, now: datetime) -> EvidenceChange:
        party = require_party(actor, case)
        if isinstance(declared, FileDeclaration):
            pending = domain.plan_upload(case, actor, party, declared, evidence_id, now)
            return EvidenceChange(case=case, evidence=pending, write=EvidenceWrite.ADD)
        tracking = domain.record_tracking(case, actor, party, declared, evidence_id, now)
        return _added(case, tracking, actor, now)

    added = change(ctx, case_id, add, actor=actor, action="add_evidence", expected_version=expected_version)
    item = added.evidence
    if item.object_key is None or item.content_type is None or item.declared_size is None:
        return AddedEvidence(evidence=item, case_version=added.case.version)
    upload = ctx.evidence_files.presign_upload(
        item.object_key, item.content_type, item.declared_size, int(UPLOAD_URL_TTL.total_seconds())
    )
    return AddedEvidence(
        evidence=item,
        case_version=added.case.version,
        upload=upload,
        upload_expires_at=ctx.clock() + UPLOAD_URL_TTL,
    )


def add_statement(
    ctx: Context, actor: Actor, case_id: str, text: str, expected_version: int | None = None
) -> EvidenceChange:
    evidence_id = new_evidence_id()

    def add(case: Dispute, now: datetime) -> EvidenceChange:
        statement = domain.record_statement(case, actor, require_party(actor, case), text, evidence_id, now)
        return _added(case, statement, actor, now)

    return change(ctx, case_id, add, actor=actor, action="add_statement", expected_version=expected_version)


def complete_upload(
    ctx: Context, actor: Actor, case_id: str, evidence_id: str, expected_version: int | None = None
) -> EvidenceChange:
    """Check the uploaded object and verify it, or reject it, delete it and say why.

    Idempotent: completing verified evidence again returns it; completing rejected
    evidence again gives the same error.
    """
    refused: list[DomainError] = []  # why the window refused the upload, when it did
    found: list[Evidence | None] = [None]  # the evidence, read with the case

    def read() -> StoredCase | None:
        stored, found[0] = ctx.evidence.with_case(case_id, evidence_id)
        return stored

    def judge(case: Dispute, now: datetime) -> EvidenceChange:
        refused.clear()
        party = require_party(actor, case)
        pending = found[0]
        if pending is None or pending.party != party or not pending.is_file:
            raise NotFound(f"no evidence {evidence_id} of yours on dispute {case_id}")
        if pending.status != EvidenceStatus.PENDING:
            return EvidenceChange(case=case, evidence=pending, write=None)
        try:
            domain.require_evidence_window(case, party, now)
        except (InvalidState, DeadlinePassed) as closed:
            refused.append(closed)
            reason = (
                RejectionReason.DEADLINE_PASSED if isinstance(closed, DeadlinePassed) else RejectionReason.WINDOW_CLOSED
            )
            return _rejected(case, domain.reject(pending, reason, closed.message, now), actor, now)
        judged = domain.judge_upload(pending, _inspect(ctx, pending), now)
        if judged.status == EvidenceStatus.REJECTED:
            return _rejected(case, judged, actor, now)
        return EvidenceChange(
            case=case,
            evidence=judged,
            write=EvidenceWrite.VERIFY,
            events=(domain.audit_event(case, judged, actor, now),),
        )

    judged = change(
        ctx, case_id, judge, actor=actor, action="add_evidence", expected_version=expected_version, read=read
    )
    item = judged.evidence
    if item.status == EvidenceStatus.REJECTED:
        if judged.write is not None:
            _delete_rejected(ctx, item)
        raise refused[0] if refused else domain.rejection_error(item)
    if judged.write is not None:
        logger.info("evidence verified", extra={"case_id": case_id, "evidence_id": item.id})
    return judged


def list_evidence(ctx: Context, actor: Actor, case_id: str) -> list[ShownEvidence]:
    """Verified evidence the caller may see, each file with a download URL that expires within minutes."""
    case = load_visible(ctx, actor, case_id, "view_evidence")
    expires_at = ctx.clock() + DOWNLOAD_URL_TTL
    return [
        ShownEvidence(evidence=item, download_url=_download_url(ctx, item), download_expires_at=expires_at)
        if item.is_file
        else ShownEvidence(evidence=item)
        for item in ctx.evidence.verified_for_case(case_id)
        if domain.visible_to(actor, case, item)
    ]


def sniff_content_type(head: bytes) -> str | None:
    """The type the bytes really are, from their magic numbers; UTF-8 text without NULs is text/plain."""
    recognised = filetype.guess_mime(head) if head else None
    if recognised is not None:
        return str(recognised)
    if not head or b"\x00" in head:
        return None
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)  # the sample may cut a character
    except UnicodeDecodeError:
        return None
    return TEXT


def new_evidence_id() -> str:
    return f"evd_{uuid.uuid4().hex}"


def _added(case: Dispute, item: Evidence, actor: Actor, now: datetime) -> EvidenceChange:
    return EvidenceChange(
        case=case, evidence=item, write=EvidenceWrite.ADD, events=(domain.audit_event(case, item, actor, now),)
    )


def _rejected(case: Dispute, item: Evidence, actor: Actor, now: datetime) -> EvidenceChange:
    return EvidenceChange(
        case=case, evidence=item, write=EvidenceWrite.REJECT, events=(domain.audit_event(case, item, actor, now),)
    )


def _inspect(ctx: Context, pending: Evidence) -> StoredUpload:
    """Every fact of the uploaded object from one read: its size and version, and, only if it is no larger
    than declared, the hash of all its bytes and the type they sniff as."""
    stored = ctx.evidence_files.read(pending.object_key or "", pending.declared_size or 0)
    if stored is None:
        raise InvalidState("nothing was uploaded for this evidence yet: upload the file, then complete it")
    digest = stored.digest
    return StoredUpload(
        size=stored.size,
        sniffed_type=sniff_content_type(digest.head) if digest else None,
        sha256=digest.sha256 if digest else None,
        version_id=stored.version_id,
    )


def _delete_rejected(ctx: Context, rejected: Evidence) -> None:
    """The rejection is recorded; now the bytes go."""
    if rejected.object_key:
        ctx.evidence_files.delete(rejected.object_key)
    logger.info(
        "evidence rejected",
        extra={"case_id": rejected.case_id, "evidence_id": rejected.id, "reason": rejected.rejected_because},
    )


def _download_url(ctx: Context, item: Evidence) -> str | None:
    if item.object_key is None or item.content_type is None:
        return None
    return ctx.evidence_files.download_url(
        item.object_key,
        item.version_id,
        item.content_type,
        item.download_name,
        int(DOWNLOAD_URL_TTL.total_seconds()),
    )
