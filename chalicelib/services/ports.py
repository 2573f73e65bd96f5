"""What the use cases need from the outside world, as Protocols.

The DynamoDB, S3, SQS, Step Functions and HTTP adapters satisfy them in AWS and the
local runtime; the in-memory fakes in `chalicelib/adapters/memory.py` satisfy them in
unit tests, so a service test runs in milliseconds. One contract test
(tests/integration/test_repository_contract.py) holds both to the same behaviour.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from chalicelib.domain.evidence_models import Evidence, EvidenceChange, ObjectRead, PresignedUpload
from chalicelib.domain.finding import CaseSearch, ClosedQuery
from chalicelib.domain.models import (
    AfterSalesRequest,
    AuditEvent,
    ClaimReason,
    Dispute,
    LedgerEntry,
    Page,
    Status,
    Transition,
)
from chalicelib.domain.policy import Policy
from chalicelib.domain.webhook_messages import AttemptMessage, OutboxEntry, SendResult
from chalicelib.domain.webhooks import Delivery, DeliveryStatus, Subscription
from chalicelib.domain.workflow import ParkedWait, StoredCase, WorkflowStep


class CaseRepository(Protocol):
    """Cases, their timelines and the requests they come from; every write conditional on the version read.

    A command reads the case with the task token the workflow parked on its window (`read`) and saves
    conditional on both (`save`); the wait state parks the token only while the case waits on that window.
    """

    def put_request(self, request: AfterSalesRequest) -> datetime | None: ...
    def get_request(self, storefront_id: str, request_id: str) -> AfterSalesRequest | None: ...
    def create(self, transition: Transition) -> Dispute: ...
    def save(self, transition: Transition, parked: ParkedWait | None = None) -> Dispute: ...
    def get(self, case_id: str) -> Dispute | None: ...
    def read(self, case_id: str) -> StoredCase | None: ...
    def park(self, case_id: str, window_id: str, token: str) -> bool: ...
    def events(self, case_id: str) -> list[AuditEvent]: ...
    def with_events(self, case_id: str) -> tuple[Dispute, list[AuditEvent]] | None: ...
    def queue(
        self, name: str, status: Status | None, limit: int, cursor: str | None, reason: ClaimReason | None = None
    ) -> Page: ...
    def of_buyer(
        self,
        storefront_id: str,
        buyer_id: str,
        status: Status | None,
        limit: int,
        cursor: str | None,
        reason: ClaimReason | None = None,
    ) -> Page: ...
    def of_seller(
        self,
        storefront_id: str,
        seller_id: str,
        status: Status | None,
        limit: int,
        cursor: str | None,
        reason: ClaimReason | None = None,
    ) -> Page: ...
    def of_storefront(
        self,
        storefront_id: str,
        status: Status | None,
        limit: int,
        cursor: str | None,
        reason: ClaimReason | None = None,
    ) -> Page: ...
    def search(self, query: CaseSearch) -> Page: ...
    def closed(self, query: ClosedQuery) -> Page: ...


class LedgerRepository(Protocol):
    """The parties' records closed cases leave (written with the closing transition), read by the rules."""

    def seller_points(self, storefront_id: str, seller_id: str, since: datetime) -> int: ...
    def buyer_record(self, storefront_id: str, buyer_id: str) -> tuple[int, int]: ...
    def seller_penalties(self, storefront_id: str, seller_id: str) -> list[LedgerEntry]: ...
    def seller_recoveries(self, storefront_id: str, seller_id: str) -> list[LedgerEntry]: ...


class EvidenceRepository(Protocol):
    def save(self, change: EvidenceChange) -> None: ...
    def get(self, case_id: str, evidence_id: str) -> Evidence | None: ...
    def with_case(self, case_id: str, evidence_id: str) -> tuple[StoredCase | None, Evidence | None]: ...
    def for_case(self, case_id: str) -> list[Evidence]: ...
    def verified_for_case(self, case_id: str) -> list[Evidence]: ...


class EvidenceFiles(Protocol):
    """The evidence bucket: uploads go straight to it, the service only presigns, reads once to check, and deletes."""

    def presign_upload(self, key: str, content_type: str, max_bytes: int, expires_in: int) -> PresignedUpload: ...
    def read(self, key: str, max_bytes: int) -> ObjectRead | None: ...
    def delete(self, key: str) -> None: ...
    def download_url(
        self, key: str, version_id: str | None, content_type: str, filename: str, expires_in: int
    ) -> str: ...


class Workflow(Protocol):
    def start(self, step: WorkflowStep) -> str: ...
    def resume(self, token: str, step: WorkflowStep) -> bool: ...
    def end_wait_now(self, token: str) -> bool: ...


class Policies(Protocol):
    def for_storefront(self, storefront_id: str) -> Policy: ...


# -- webhooks: only what services/webhooks.py and services/webhook_delivery.py call ---------------------------


class WebhookStore(Protocol):
    """Subscriptions, deliveries (saved conditional on the revision read) and the outbox entries cases leave."""

    def put_subscription(self, subscription: Subscription) -> None: ...
    def get_subscription(self, storefront_id: str, subscription_id: str) -> Subscription | None: ...
    def subscriptions(self, storefront_id: str) -> list[Subscription]: ...
    def delete_subscription(self, storefront_id: str, subscription_id: str) -> bool: ...
    def create_delivery(self, delivery: Delivery) -> bool: ...
    def save_delivery(self, delivery: Delivery) -> Delivery | None: ...
    def get_delivery(self, delivery_id: str) -> Delivery | None: ...
    def deliveries(
        self, subscription_id: str, limit: int, cursor: str | None, status: DeliveryStatus | None = None
    ) -> tuple[list[Delivery], str | None]: ...
    def outbox_entry(self, case_id: str, sequence: int) -> OutboxEntry | None: ...


class WebhookQueue(Protocol):
    """Where the next attempt of a delivery waits its turn, and where one that gave up is parked."""

    def send(self, message: AttemptMessage, delay: int) -> None: ...
    def dead_letter(self, message: AttemptMessage, reason: str) -> bool: ...


class OutboxRelay(Protocol):
    """Hands committed outbox entries to the queue; the sweep catches what the post-commit publish missed."""

    def sweep(self, older_than: timedelta, now: datetime) -> int: ...


class WebhookSender(Protocol):
    """One signed POST to a subscription's URL, bounded by `timeout` seconds; never raises for the receiver's faults."""

    @property
    def timeout(self) -> float: ...
    def post(self, url: str, body: str, headers: dict[str, str]) -> SendResult: ...
