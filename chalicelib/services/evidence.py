"""Evidence use cases: grant an upload, verify it, record tracking and statements, show what a caller may see.

Evidence never changes the case document. Each write is instead conditional on
the case version whose open window allowed it (see the evidence repository),
so evidence cannot slip in after a deadline or a submission moved the case on.
"""

from __future__ import annotations

import codecs
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

import filetype

from chalicelib.adapters.dynamodb import VersionConflict
from chalicelib.adapters.evidence_repository import EvidenceChanged
from chalicelib.adapters.evidence_store import PresignedUpload
from chalicelib.domain import evidence as domain
from chalicelib.domain.access import require_party
from chalicelib.domain.errors import DeadlinePassed, InvalidState, NotFound, StaleVersion
from chalicelib.domain.evidence_models import (
    DOWNLOAD_URL_TTL,
    TEXT,
    UPLOAD_URL_TTL,
    Declaration,
    Evidence,
    EvidenceStatus,
    FileDeclaration,
    RejectionReason,
    StoredUpload,
)
from chalicelib.domain.models import Actor, Dispute, Party
from chalicelib.observability import logger
from chalicelib.services.cases import load_visible
from chalicelib.services.context import Context

MAX_ATTEMPTS = 5
T = TypeVar("T")


@dataclass(frozen=True)
class AddedEvidence:
    evidence: Evidence
    upload: PresignedUpload | None = None
    upload_expires_at: datetime | None = None


@dataclass(frozen=True)
class ShownEvidence:
    evidence: Evidence
    download_url: str | None = None
    download_expires_at: datetime | None = None


def add_evidence(ctx: Context, actor: Actor, case_id: str, declared: Declaration) -> AddedEvidence:
    """A file gets a presigned POST and waits for `complete`; a tracking record is checked and kept at once."""
    evidence_id = new_evidence_id()

    def add(case: Dispute, party: Party, now: datetime) -> Evidence:
        if isinstance(declared, FileDeclaration):
            pending = domain.plan_upload(case, actor, party, declared, evidence_id, now)
            ctx.evidence.add(pending, case.version)
            return pending
        tracking = domain.record_tracking(case, actor, party, declared, evidence_id, now)
        ctx.evidence.add(tracking, case.version, domain.audit_event(case, tracking, actor, now))
        return tracking

    added = _in_open_window(ctx, actor, case_id, "add_evidence", add)
    if added.object_key is None or added.content_type is None or added.declared_size is None:
        return AddedEvidence(evidence=added)
    upload = ctx.evidence_store.presign_upload(
        added.object_key, added.content_type, added.declared_size, int(UPLOAD_URL_TTL.total_seconds())
    )
    return AddedEvidence(evidence=added, upload=upload, upload_expires_at=ctx.clock() + UPLOAD_URL_TTL)


def add_statement(ctx: Context, actor: Actor, case_id: str, text: str) -> Evidence:
    evidence_id = new_evidence_id()

    def add(case: Dispute, party: Party, now: datetime) -> Evidence:
        statement = domain.record_statement(case, actor, party, text, evidence_id, now)
        ctx.evidence.add(statement, case.version, domain.audit_event(case, statement, actor, now))
        return statement

    return _in_open_window(ctx, actor, case_id, "add_statement", add)


def complete_upload(ctx: Context, actor: Actor, case_id: str, evidence_id: str) -> Evidence:
    """Check the uploaded object and verify it, or reject it, delete it and say why.

    Idempotent: completing verified evidence again returns it; completing rejected
    evidence again gives the same error.
    """
    for _ in range(MAX_ATTEMPTS):
        case = load_visible(ctx, actor, case_id, "add_evidence")
        party = require_party(actor, case)
        pending = ctx.evidence.get(case_id, evidence_id)
        if pending is None or pending.party != party or not pending.is_file:
            raise NotFound(f"no evidence {evidence_id} of yours on dispute {case_id}")
        if pending.status == EvidenceStatus.VERIFIED:
            return pending
        if pending.status == EvidenceStatus.REJECTED:
            raise domain.rejection_error(pending)
        try:
            return _verify(ctx, actor, case, party, pending)
        except (VersionConflict, EvidenceChanged):
            logger.info("case or evidence changed during complete; retrying", extra={"case_id": case_id})
    raise StaleVersion("the case is changing too fast; retry the request")


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


def _in_open_window(
    ctx: Context, actor: Actor, case_id: str, action: str, add: Callable[[Dispute, Party, datetime], T]
) -> T:
    """Run `add` against the latest case; if a transition got in first, read again and let the domain re-check."""
    for _ in range(MAX_ATTEMPTS):
        case = load_visible(ctx, actor, case_id, action)
        party = require_party(actor, case)
        try:
            return add(case, party, ctx.clock())
        except VersionConflict:
            logger.info("case changed while adding evidence; retrying", extra={"case_id": case_id})
    raise StaleVersion("the case is changing too fast; retry the request")


def _verify(ctx: Context, actor: Actor, case: Dispute, party: Party, pending: Evidence) -> Evidence:
    now = ctx.clock()
    key = pending.object_key or ""
    try:
        domain.require_evidence_window(case, party, now)
    except (InvalidState, DeadlinePassed) as closed:
        late = isinstance(closed, DeadlinePassed)
        reason = RejectionReason.DEADLINE_PASSED if late else RejectionReason.WINDOW_CLOSED
        _reject(ctx, actor, case, domain.reject(pending, reason, closed.message, now))
        raise
    stored = ctx.evidence_store.stat(key)
    if stored is None:
        raise InvalidState("nothing was uploaded for this evidence yet: upload the file, then complete it")
    facts = StoredUpload(size=stored.size, sniffed_type=None, sha256=None, version_id=stored.version_id)
    if stored.size <= (pending.declared_size or 0):  # never stream more than was declared
        digest = ctx.evidence_store.digest(key, stored.version_id)
        facts = StoredUpload(
            size=digest.size,
            sniffed_type=sniff_content_type(digest.head),
            sha256=digest.sha256,
            version_id=stored.version_id,
        )
    judged = domain.judge_upload(pending, facts, now)
    if judged.status == EvidenceStatus.REJECTED:
        _reject(ctx, actor, case, judged)
        raise domain.rejection_error(judged)
    ctx.evidence.verify(judged, case.version, domain.audit_event(case, judged, actor, now))
    logger.info("evidence verified", extra={"case_id": case.id, "evidence_id": judged.id})
    return judged


def _reject(ctx: Context, actor: Actor, case: Dispute, rejected: Evidence) -> None:
    """Record the rejection, then delete the bytes; if another request decided first, its decision stands."""
    try:
        ctx.evidence.reject(
            rejected, case.version, domain.audit_event(case, rejected, actor, rejected.decided_at or ctx.clock())
        )
    except EvidenceChanged:
        return
    if rejected.object_key:
        ctx.evidence_store.delete(rejected.object_key)
    logger.info(
        "evidence rejected",
        extra={"case_id": case.id, "evidence_id": rejected.id, "reason": rejected.rejected_because},
    )


def _download_url(ctx: Context, item: Evidence) -> str | None:
    if item.object_key is None or item.content_type is None:
        return None
    return ctx.evidence_store.download_url(
        item.object_key,
        item.version_id,
        item.content_type,
        item.download_name,
        int(DOWNLOAD_URL_TTL.total_seconds()),
    )
