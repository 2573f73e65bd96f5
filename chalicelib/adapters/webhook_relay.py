"""The outbox relay: hands committed outbox entries to the webhook queue.

Two ways in, one way out. Right after a case transaction commits, the repository
calls `publish` (best effort: if SQS or the process fails here, nothing is lost).
The sweeper calls `sweep` every minute (a scheduled Lambda in AWS, a thread
locally) and publishes whatever is still unpublished after a grace period. An
entry may be published twice; the fan-out is idempotent, so that costs nothing.

A DynamoDB stream would do the sweeper's job with less latency, but moto cannot
run a stream into the local runtime's functions, and the post-commit publish
already makes the normal path immediate, so both runtimes share this one path.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib.adapters.webhook_queue import SqsWebhookQueue
from chalicelib.adapters.webhook_repository import DynamoWebhookStore
from chalicelib.domain.errors import TransientStorageError
from chalicelib.domain.webhook_messages import EventMessage, OutboxEntry
from chalicelib.observability import logger

PUBLISH_ERRORS = (ClientError, BotoCoreError, TransientStorageError)
SWEEP_PAGE = 100
SWEEP_MAX_PAGES = 10


class SqsOutboxRelay:
    def __init__(self, store: DynamoWebhookStore, queue: SqsWebhookQueue) -> None:
        self.store = store
        self.queue = queue

    def publish(self, entries: list[OutboxEntry]) -> None:
        """Right after the commit. Never raises: the case change already succeeded."""
        if not self.queue.configured:
            return
        for entry in entries:
            try:
                self._publish(entry)
            except PUBLISH_ERRORS as error:
                logger.warning(
                    "webhook event left for the outbox sweeper",
                    extra={"case_id": entry.case_id, "sequence": entry.sequence, "error": str(error)},
                )

    def sweep(self, older_than: timedelta, now: datetime | None = None) -> int:
        """Publish entries still unpublished `older_than` after they were written; returns how many."""
        if not self.queue.configured:
            return 0
        cutoff = (now or datetime.now(UTC)) - older_than
        published = 0
        for _ in range(SWEEP_MAX_PAGES):
            entries = self.store.unpublished(cutoff, SWEEP_PAGE)
            for entry in entries:
                self._publish(entry)
                published += 1
            if len(entries) < SWEEP_PAGE:
                break
        if published:
            logger.info("outbox sweeper published webhook events", extra={"count": published})
        return published

    def _publish(self, entry: OutboxEntry) -> None:
        self.queue.send(EventMessage(case_id=entry.case_id, sequence=entry.sequence))
        self.store.mark_published(entry, datetime.now(UTC))
