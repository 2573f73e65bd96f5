"""Errors raised as meaning. The API maps each class to a status code in one place."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base for every error a client can cause; never a 500."""

    code = "error"

    def __init__(self, message: str, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []


class TransientStorageError(Exception):
    """The store was busy (throttled, or a transaction collided with another); trying again may succeed.

    The one runner retries it; past its attempts the API answers 503 and the state machine's Retry
    (which names this class) tries the workflow step again. Not a DomainError: the client did nothing wrong.
    """


class WorkflowSignalFailed(Exception):
    """Step Functions refused to resume or end a parked wait for another reason than its being over."""


class ServiceBusy(DomainError):
    """What the API answers when the store stayed busy through every attempt: retry later (503)."""

    code = "service_busy"


class MalformedRequest(DomainError):
    code = "malformed_request"


class Unauthenticated(DomainError):
    code = "unauthenticated"


class RoleNotAllowed(DomainError):
    code = "forbidden"


class NotFound(DomainError):
    """Absent, or present but not the caller's: the two are indistinguishable on purpose."""

    code = "not_found"


class InvalidState(DomainError):
    """The action does not apply to the case in its current state."""

    code = "invalid_state"


class LimitReached(InvalidState):
    """The case already holds as many of something as it may (offers, information requests): a 409.

    `details` names the policy key and its value, so a client can tell it will not succeed later either.
    """


class EndpointDisabled(InvalidState):
    """The webhook endpoint was disabled after failing for days; it must be enabled before it is sent to."""

    code = "webhook_disabled"


class MessageLimitReached(LimitReached):
    """The case holds as many messages as it may (`details` name the limit); nothing is stored."""

    code = "message_limit_reached"


class CaseClosed(InvalidState):
    """A closed case takes no more messages: its story is over, and its timeline stays as it ended."""

    code = "case_closed"


class StaleVersion(DomainError):
    code = "stale_version"


class VersionConflict(StaleVersion):
    """Somebody else wrote the case since it was read; the one runner reads again and decides again."""


class SeniorReviewerRequired(InvalidState):
    """The case is in the senior queue (an appeal, or its review SLA passed): a reviewer may rule in
    general, but this case now needs a senior reviewer. A state of the case, so 409, not 403."""

    code = "senior_reviewer_required"


class AnotherReviewerRequired(InvalidState):
    """An appeal is decided by a senior reviewer other than the one who made the first ruling."""

    code = "another_reviewer_required"


class EvidenceChanged(VersionConflict):
    """Another request decided this evidence first (verified or rejected it); read it again."""


class EvidenceLimitReached(InvalidState):
    """The party already used its allowance of this kind of evidence on the case."""


class Duplicate(DomainError):
    code = "duplicate"


class DeadlinePassed(DomainError):
    code = "deadline_passed"


class PayloadTooLarge(DomainError):
    code = "payload_too_large"


class UnsupportedMediaType(DomainError):
    code = "unsupported_media_type"


class InvalidValue(DomainError):
    """Valid JSON whose values break a business rule."""

    code = "invalid_value"


class RequestInProgress(DomainError):
    """A request with the same Idempotency-Key is still running; its answer will be replayed."""

    code = "request_in_progress"


class IdempotencyKeyReused(DomainError):
    """The Idempotency-Key was first used with another request (route, ids or body)."""

    code = "idempotency_key_reused"
