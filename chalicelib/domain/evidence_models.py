"""What evidence is: its kinds, the types and sizes each kind takes, the per-party allowances, and the records.

Plain data; the decisions about it live in `chalicelib.domain.evidence`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, model_validator

from chalicelib.domain.models import AuditEvent, Dispute, Frozen, Party, RecordedDateTime, UtcDateTime

MiB = 1024 * 1024
MAX_FILES_PER_PARTY = 20
# Statements and tracking entries are not files, but they are bounded too, so a case stays readable.
MAX_RECORDS_PER_PARTY = 20
MAX_STATEMENT_CHARS = 5000
UPLOAD_URL_TTL = timedelta(minutes=15)
DOWNLOAD_URL_TTL = timedelta(minutes=5)

Description = Annotated[str, Field(min_length=1, max_length=500)]


class EvidenceKind(StrEnum):
    PHOTO = "photo"
    VIDEO = "video"
    DOCUMENT = "document"
    CHAT_LOG = "chat_log"
    TRACKING = "tracking"
    THIRD_PARTY_CERTIFICATE = "third_party_certificate"
    INVOICE = "invoice"
    STATEMENT = "statement"


class EvidenceStatus(StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"


class RejectionReason(StrEnum):
    TOO_LARGE = "too_large"
    EMPTY = "empty"
    TYPE_MISMATCH = "type_mismatch"
    WINDOW_CLOSED = "window_closed"
    DEADLINE_PASSED = "deadline_passed"


PDF = "application/pdf"
TEXT = "text/plain"
IMAGES = frozenset({"image/jpeg", "image/png", "image/webp", "image/heic"})
VIDEOS = frozenset({"video/mp4", "video/quicktime", "video/webm"})
PAPERS = IMAGES | {PDF}

# Every content type we accept, with the extension a download is named with.
EXTENSIONS: dict[str, str] = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "image/heic": "heic",
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "video/webm": "webm",
    PDF: "pdf",
    TEXT: "txt",
}


@dataclass(frozen=True)
class FileRule:
    content_types: frozenset[str]
    max_bytes: int


FILE_RULES: dict[EvidenceKind, FileRule] = {
    EvidenceKind.PHOTO: FileRule(IMAGES, 10 * MiB),
    EvidenceKind.VIDEO: FileRule(VIDEOS, 100 * MiB),
    EvidenceKind.DOCUMENT: FileRule(PAPERS, 20 * MiB),
    EvidenceKind.INVOICE: FileRule(PAPERS, 20 * MiB),
    EvidenceKind.THIRD_PARTY_CERTIFICATE: FileRule(PAPERS, 20 * MiB),
    EvidenceKind.CHAT_LOG: FileRule(frozenset({TEXT, PDF}), 20 * MiB),
}
FILE_KINDS = frozenset(FILE_RULES)


@dataclass(frozen=True)
class Allowance:
    """A per-party, per-case budget: the repository keeps one counter per allowance."""

    counter: str
    limit: int


FILES = Allowance("files", MAX_FILES_PER_PARTY)
RECORDS = Allowance("records", MAX_RECORDS_PER_PARTY)


class TrackingStatus(StrEnum):
    DELIVERED = "delivered"
    IN_TRANSIT = "in_transit"
    LOST = "lost"
    RETURNED = "returned"


class Tracking(Frozen):
    """A carrier's tracking record, as structured fields the rules can read (no file)."""

    # Evidence is shown without its empty fields (`delivered_at` of a parcel still on its way).
    model_config = ConfigDict(json_schema_serialization_defaults_required=False)

    carrier: Annotated[str, Field(min_length=1, max_length=64)]
    tracking_number: Annotated[str, Field(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9-]+$")]
    status: TrackingStatus
    delivered_at: RecordedDateTime | None = None

    @model_validator(mode="after")
    def _delivery_time_fits_status(self) -> Tracking:
        if self.delivered_at is not None and self.status not in (TrackingStatus.DELIVERED, TrackingStatus.RETURNED):
            raise ValueError(f"delivered_at does not fit a shipment that is {self.status.value}")
        return self


FileKind = Literal[
    EvidenceKind.PHOTO,
    EvidenceKind.VIDEO,
    EvidenceKind.DOCUMENT,
    EvidenceKind.CHAT_LOG,
    EvidenceKind.THIRD_PARTY_CERTIFICATE,
    EvidenceKind.INVOICE,
]


class FileDeclaration(Frozen):
    """What a party says it will upload; checked against the kind's rules before any URL is signed."""

    kind: FileKind
    content_type: Annotated[str, Field(min_length=1, max_length=128)]
    size: Annotated[int, Field(strict=True, ge=1, le=10**12)]
    description: Description | None = None


class TrackingDeclaration(Tracking):
    kind: Literal[EvidenceKind.TRACKING]
    description: Description | None = None

    @property
    def tracking(self) -> Tracking:
        return Tracking.model_validate(self.model_dump(include=set(Tracking.model_fields)))


Declaration = FileDeclaration | TrackingDeclaration


@dataclass(frozen=True)
class PresignedUpload:
    """Where and how a client posts a file straight to the bucket."""

    url: str
    fields: dict[str, str]


@dataclass(frozen=True)
class ObjectDigest:
    sha256: str
    head: bytes
    size: int


@dataclass(frozen=True)
class ObjectRead:
    """One read of an uploaded object: its whole size and version, and (when it is no larger than the
    read allowed) the SHA-256 of all its bytes with its first bytes for sniffing."""

    size: int
    version_id: str | None
    digest: ObjectDigest | None


class StoredUpload(Frozen):
    """What storage observed about an uploaded object: the facts `complete` judges."""

    size: int
    sniffed_type: str | None
    sha256: str | None  # None when the object was too large to be worth reading
    version_id: str | None = None


class Evidence(Frozen):
    id: str
    case_id: str
    party: Party
    added_by: str
    kind: EvidenceKind
    status: EvidenceStatus
    window_id: str
    description: str | None = None
    content_type: str | None = None
    declared_size: int | None = None
    object_key: str | None = None
    size: int | None = None
    sha256: str | None = None
    version_id: str | None = None
    tracking: Tracking | None = None
    text: str | None = None
    rejected_because: RejectionReason | None = None
    rejection_message: str | None = None
    created_at: UtcDateTime
    decided_at: UtcDateTime | None = None

    @property
    def is_file(self) -> bool:
        return self.kind in FILE_KINDS

    @property
    def download_name(self) -> str:
        return f"{self.id}.{EXTENSIONS.get(self.content_type or '', 'bin')}"


def allowance(kind: EvidenceKind) -> Allowance:
    return FILES if kind in FILE_KINDS else RECORDS


class EvidenceWrite(StrEnum):
    """What accepting or judging evidence writes; it never writes the case itself."""

    ADD = "add"  # new evidence, spending a unit of the party's allowance, while the case is at the version read
    VERIFY = "verify"  # pending -> verified, while the case is at the version read
    REJECT = "reject"  # pending -> rejected, giving the unit back, whatever the case did since


class EvidenceChange(Frozen):
    """Evidence to store beside `case`, with its timeline lines: the evidence twin of a Transition.

    `write` is None when there is nothing to store (the evidence was already decided).
    """

    case: Dispute
    evidence: Evidence
    write: EvidenceWrite | None
    events: tuple[AuditEvent, ...] = ()
