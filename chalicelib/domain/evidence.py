"""Evidence rules: when a party may add evidence, whether an upload is what was declared, who may see it.

Pure: the service hands in what storage observed (size, sniffed type, hash) and
the time; this module decides. A file starts `pending` (an upload was granted),
and becomes `verified` only after its bytes were checked, or `rejected` with a
reason. Tracking entries and statements carry no file: they are checked on
arrival and are verified at once. Only verified evidence is ever shown.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain import lifecycle
from chalicelib.domain.access import REVIEWERS
from chalicelib.domain.errors import (
    DeadlinePassed,
    DomainError,
    InvalidState,
    InvalidValue,
    PayloadTooLarge,
    UnsupportedMediaType,
)
from chalicelib.domain.evidence_models import (
    FILE_RULES,
    MAX_STATEMENT_CHARS,
    TEXT,
    Evidence,
    EvidenceKind,
    EvidenceStatus,
    FileDeclaration,
    FileRule,
    RejectionReason,
    StoredUpload,
    Tracking,
    TrackingDeclaration,
)
from chalicelib.domain.models import Actor, AuditEvent, Dispute, Party, Role, Window, WindowKind, iso


def object_key(case_id: str, party: Party, evidence_id: str) -> str:
    return f"cases/{case_id}/{party.value}/{evidence_id}"


def normalize_content_type(value: str) -> str:
    """`Image/PNG; charset=x` and `image/png` are the same declaration."""
    return value.split(";", 1)[0].strip().lower()


def require_evidence_window(case: Dispute, party: Party, now: datetime) -> Window:
    """The window the party's evidence is added in; 410 rather than 409 when the party's own deadline ended it.

    A party adds in its own open window, or in an information request addressed to it. The buyer
    also adds from the moment of escalation: proof comes with the complaint, so while the seller's
    window is open (or just ended, until the workflow opens the buyer's) the buyer's evidence goes
    in with the seller's window, which is never open for the buyer, so the seller sees it at once
    (`visible_to`). That is not the buyer's window: only `submit` of the party it is open for ends it.

    A fulfilment step is open for evidence from the party who acts in it: a receipt reported
    damaged needs the reporter's photos (chalicelib/domain/fulfilment.py).
    """
    window = case.window
    if window is not None and window.kind in lifecycle.FULFILMENT_WINDOWS and party in window.parties:
        if now >= window.due_at:
            raise DeadlinePassed(
                f"the {window.kind.value.replace('_', ' ')} was due at {iso(window.due_at)}",
                [{"deadline": iso(window.due_at)}],
            )
        return window
    if party == Party.BUYER and window is not None and window.kind == WindowKind.SELLER_RESPONSE:
        return window
    try:
        return lifecycle.require_party_window(case, party, now)
    except InvalidState:
        own_window = WindowKind.SELLER_RESPONSE if party == Party.SELLER else WindowKind.BUYER_REBUTTAL
        deadline = case.deadlines.get(own_window.value)
        if deadline is not None and now >= deadline:
            raise DeadlinePassed(
                f"the {party.value}'s deadline passed at {iso(deadline)}; evidence is no longer accepted",
                [{"deadline": iso(deadline)}],
            ) from None
        raise


def check_declared_file(kind: EvidenceKind, content_type: str, size: int) -> FileRule:
    """Refuse before any upload URL exists: a kind that takes no file, a type or a size the kind forbids."""
    rule = FILE_RULES.get(kind)
    if rule is None:
        raise InvalidValue(f"evidence of kind {kind.value} is not a file", [{"field": "kind"}])
    if content_type not in rule.content_types:
        raise UnsupportedMediaType(
            f"{kind.value} evidence must be one of {', '.join(sorted(rule.content_types))}",
            [{"field": "content_type", "allowed": sorted(rule.content_types)}],
        )
    if size > rule.max_bytes:
        raise PayloadTooLarge(
            f"{kind.value} evidence may be at most {rule.max_bytes} bytes",
            [{"field": "size", "max_bytes": rule.max_bytes}],
        )
    if size < 1:
        raise InvalidValue("size must be at least 1 byte", [{"field": "size"}])
    return rule


def plan_upload(
    case: Dispute, actor: Actor, party: Party, declared: FileDeclaration, evidence_id: str, now: datetime
) -> Evidence:
    """A pending file the party may now upload, to a key that names case, party and evidence."""
    window = require_evidence_window(case, party, now)
    content_type = normalize_content_type(declared.content_type)
    check_declared_file(declared.kind, content_type, declared.size)
    return Evidence(
        id=evidence_id,
        case_id=case.id,
        party=party,
        added_by=actor.sub,
        kind=declared.kind,
        status=EvidenceStatus.PENDING,
        window_id=window.id,
        description=declared.description,
        content_type=content_type,
        declared_size=declared.size,
        object_key=object_key(case.id, party, evidence_id),
        created_at=now,
    )


def record_tracking(
    case: Dispute, actor: Actor, party: Party, declared: TrackingDeclaration, evidence_id: str, now: datetime
) -> Evidence:
    """Structured carrier facts: validated on arrival, so verified at once."""
    window = require_evidence_window(case, party, now)
    return Evidence(
        id=evidence_id,
        case_id=case.id,
        party=party,
        added_by=actor.sub,
        kind=EvidenceKind.TRACKING,
        status=EvidenceStatus.VERIFIED,
        window_id=window.id,
        description=declared.description,
        tracking=declared.tracking,
        created_at=now,
        decided_at=now,
    )


def record_statement(case: Dispute, actor: Actor, party: Party, text: str, evidence_id: str, now: datetime) -> Evidence:
    """A party's written account; its hash pins the exact words like a file's would."""
    window = require_evidence_window(case, party, now)
    words = text.strip()
    if not words:
        raise InvalidValue("a statement needs some text", [{"field": "text"}])
    if len(words) > MAX_STATEMENT_CHARS:
        raise PayloadTooLarge(
            f"a statement may be at most {MAX_STATEMENT_CHARS} characters",
            [{"field": "text", "max_chars": MAX_STATEMENT_CHARS}],
        )
    return Evidence(
        id=evidence_id,
        case_id=case.id,
        party=party,
        added_by=actor.sub,
        kind=EvidenceKind.STATEMENT,
        status=EvidenceStatus.VERIFIED,
        window_id=window.id,
        content_type=TEXT,
        size=len(words.encode()),
        sha256=hashlib.sha256(words.encode()).hexdigest(),
        text=words,
        created_at=now,
        decided_at=now,
    )


def judge_upload(evidence: Evidence, stored: StoredUpload, now: datetime) -> Evidence:
    """Verified if the bytes are what was declared; otherwise rejected with the reason.

    The sniffed type must equal the declared one (not merely be allowed for the
    kind), because downloads are served with the declared type.
    """
    if evidence.status != EvidenceStatus.PENDING or evidence.declared_size is None:
        raise InvalidState(f"evidence {evidence.id} is {evidence.status.value}, not awaiting an upload")
    if stored.size > evidence.declared_size:
        return reject(
            evidence,
            RejectionReason.TOO_LARGE,
            f"the upload has {stored.size} bytes; {evidence.declared_size} were declared",
            now,
        )
    if stored.size == 0:
        return reject(evidence, RejectionReason.EMPTY, "the upload is empty", now)
    if stored.sniffed_type != evidence.content_type:
        found = stored.sniffed_type or "an unrecognised format"
        return reject(
            evidence,
            RejectionReason.TYPE_MISMATCH,
            f"declared {evidence.content_type} but the content is {found}",
            now,
        )
    if stored.sha256 is None:
        raise ValueError("an upload can only be verified once its bytes were hashed")
    return evidence.model_copy(
        update={
            "status": EvidenceStatus.VERIFIED,
            "size": stored.size,
            "sha256": stored.sha256,
            "version_id": stored.version_id,
            "decided_at": now,
        }
    )


def reject(evidence: Evidence, reason: RejectionReason, message: str, now: datetime) -> Evidence:
    return evidence.model_copy(
        update={
            "status": EvidenceStatus.REJECTED,
            "rejected_because": reason,
            "rejection_message": message,
            "decided_at": now,
        }
    )


REJECTION_ERRORS: dict[RejectionReason, type[DomainError]] = {
    RejectionReason.TOO_LARGE: PayloadTooLarge,
    RejectionReason.EMPTY: InvalidValue,
    RejectionReason.TYPE_MISMATCH: UnsupportedMediaType,
    RejectionReason.WINDOW_CLOSED: InvalidState,
    RejectionReason.DEADLINE_PASSED: DeadlinePassed,
}


def rejection_error(evidence: Evidence) -> DomainError:
    """The error a client sees for a rejected upload, the same every time it asks."""
    if evidence.rejected_because is None:
        return InvalidState(f"evidence {evidence.id} is {evidence.status.value}")
    error = REJECTION_ERRORS[evidence.rejected_because]
    return error(
        f"evidence rejected: {evidence.rejection_message}",
        [{"evidence_id": evidence.id, "reason": evidence.rejected_because.value}],
    )


def visible_to(actor: Actor, case: Dispute, evidence: Evidence) -> bool:
    """Verified only. Reviewers and the storefront see both sides; a party sees its own, and the
    other side's once the window it was added in has closed for that side (no reading ahead).

    The buyer's complaint evidence, added in the seller's window (never open for the buyer), is
    the seller's to answer: it sees it at once. The seller's stays hidden from the buyer until
    the seller's window ends.
    """
    if evidence.status != EvidenceStatus.VERIFIED:
        return False
    if actor.role in REVIEWERS or actor.role == Role.STOREFRONT:
        return True
    party = case.party_of(actor)
    if party is None:
        return False
    if party == evidence.party:
        return True
    window = case.window
    if window is None or window.id != evidence.window_id:
        return True  # the window it was added in has ended
    return not window.is_open_for(evidence.party)


def audit_event(case: Dispute, evidence: Evidence, actor: Actor, now: datetime) -> AuditEvent:
    """The timeline line for evidence accepted or turned away; it never changes the case's status."""
    if evidence.status == EvidenceStatus.REJECTED:
        return lifecycle.event(
            case,
            now,
            "evidence_rejected",
            actor=actor,
            reason=evidence.rejection_message or "",
            evidence_id=evidence.id,
            kind=evidence.kind.value,
            party=evidence.party.value,
        )
    return lifecycle.event(
        case,
        now,
        "evidence_added",
        actor=actor,
        reason=f"{evidence.party.value} added {evidence.kind.value.replace('_', ' ')}",
        evidence_id=evidence.id,
        kind=evidence.kind.value,
        party=evidence.party.value,
    )


@dataclass(frozen=True)
class EvidenceFacts:
    """What the rules engine reads from a case's verified evidence."""

    kinds: dict[Party, frozenset[EvidenceKind]]
    tracking: tuple[Tracking, ...]

    def has(self, party: Party, *kinds: EvidenceKind) -> bool:
        return bool(self.kinds.get(party, frozenset()) & set(kinds))

    @property
    def latest_tracking(self) -> Tracking | None:
        return self.tracking[-1] if self.tracking else None


def facts(items: list[Evidence]) -> EvidenceFacts:
    verified = sorted((e for e in items if e.status == EvidenceStatus.VERIFIED), key=lambda e: e.created_at)
    return EvidenceFacts(
        kinds={party: frozenset(e.kind for e in verified if e.party == party) for party in Party},
        tracking=tuple(e.tracking for e in verified if e.tracking is not None),
    )
