"""The composition root: the real adapters, each built on its first use, once per process, and wired into the use
cases' ports.

Only entry points (the API's blueprints, the workflow's and the webhook worker's
Lambdas, the local runtime) call this; services receive what it built.
"""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from chalicelib.adapters.aws import reset_clients
from chalicelib.adapters.table import Cursors, Table
from chalicelib.config import Settings, settings
from chalicelib.lazy import lazy, on_first_use
from chalicelib.services.context import Context

if TYPE_CHECKING:
    from chalicelib.adapters import (
        cases,
        evidence_repository,
        evidence_store,
        ledgers,
        messages,
        policy_store,
        policy_versions,
        stepfunctions,
    )
    from chalicelib.adapters import webhook_queue as webhook_queues
    from chalicelib.adapters import webhook_repository as webhook_stores
    from chalicelib.adapters.webhook_relay import StreamRelay
    from chalicelib.services.webhook_delivery import WebhookPorts
else:  # an adapter's module loads, and the adapter is built, on its first use: a GET builds the case repository only
    cases = lazy("chalicelib.adapters.cases")
    evidence_repository = lazy("chalicelib.adapters.evidence_repository")
    evidence_store = lazy("chalicelib.adapters.evidence_store")
    ledgers = lazy("chalicelib.adapters.ledgers")
    messages = lazy("chalicelib.adapters.messages")
    policy_store = lazy("chalicelib.adapters.policy_store")
    policy_versions = lazy("chalicelib.adapters.policy_versions")
    stepfunctions = lazy("chalicelib.adapters.stepfunctions")
    webhook_queues = lazy("chalicelib.adapters.webhook_queue")
    webhook_stores = lazy("chalicelib.adapters.webhook_repository")


def _webhook_store(config: Settings) -> webhook_stores.DynamoWebhookStore:
    return webhook_stores.DynamoWebhookStore(Table(config.table_name), Cursors(config.cursor_signing_key))


def _webhook_queue(config: Settings) -> webhook_queues.SqsWebhookQueue:
    return webhook_queues.SqsWebhookQueue(config.webhook_queue_url, config.webhook_dlq_url)


@cache
def context() -> Context:
    config = settings()
    table = Table(config.table_name)
    cursors = Cursors(config.cursor_signing_key)
    policy_files = Path(config.policy_dir) if config.policy_dir else None
    return Context(
        settings=config,
        cases=on_first_use(lambda: cases.DynamoCaseRepository(table, cursors)),
        ledgers=on_first_use(lambda: ledgers.DynamoLedgerRepository(table)),
        workflow=on_first_use(lambda: stepfunctions.StepFunctionsWorkflow(config.state_machine_arn)),
        policies=on_first_use(
            lambda: policy_store.PolicyStore(policy_files, policy_versions.DynamoPolicyVersions(table, cursors))
        ),
        evidence=on_first_use(lambda: evidence_repository.DynamoEvidenceRepository(table)),
        evidence_files=on_first_use(lambda: evidence_store.S3EvidenceFiles(config.evidence_bucket)),
        messages=on_first_use(lambda: messages.DynamoMessageRepository(table, cursors)),
    )


def webhook_ports() -> WebhookPorts:
    """Built from the settings each time (cheap), so a reset context is always honoured. Its modules (the
    sender, signatures, retries) load here, not with the API: a case route never sends a webhook."""
    from chalicelib.adapters.webhook_sender import HttpSender, resolve  # noqa: PLC0415
    from chalicelib.domain.webhooks import RetrySchedule  # noqa: PLC0415
    from chalicelib.services.webhook_delivery import WebhookPorts  # noqa: PLC0415

    config = context().settings
    store, queue = _webhook_store(config), _webhook_queue(config)
    return WebhookPorts(
        store=store,
        queue=queue,
        sender=HttpSender(config.webhook_timeout_seconds, local=config.is_local),
        schedule=RetrySchedule().scaled(config.webhook_retry_scale or config.deadline_scale),
        local=config.is_local,
        resolver=resolve,
        secret_grace=timedelta(seconds=config.webhook_secret_grace_seconds),
        disable_after=timedelta(seconds=config.webhook_disable_after_seconds),
    )


def webhook_queue() -> webhook_queues.SqsWebhookQueue:
    """The queue itself, for its consumer (the local runtime's poller receives and deletes); the ports only send."""
    return _webhook_queue(context().settings)


def webhook_relay() -> StreamRelay:
    """What the table's stream feeds: the `relay_webhook_events` Lambda in AWS, the stream poller locally."""
    from chalicelib.adapters.webhook_relay import StreamRelay  # noqa: PLC0415

    return StreamRelay(_webhook_queue(context().settings))


def webhook_store() -> webhook_stores.DynamoWebhookStore:
    """The store itself (its outbox reads included), for tests and the local runtime."""
    return _webhook_store(context().settings)


def reset_context() -> None:
    """Forget settings and clients; used when the environment changes (tests, local runtime)."""
    settings.cache_clear()
    context.cache_clear()
    reset_clients()
