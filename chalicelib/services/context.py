"""The ports a use case needs, built once per process and replaceable in tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from chalicelib.adapters.aws import reset_clients
from chalicelib.adapters.dynamodb import DynamoRepository
from chalicelib.adapters.evidence_repository import EvidenceRepository
from chalicelib.adapters.evidence_store import EvidenceStore
from chalicelib.adapters.policy_store import PolicyStore
from chalicelib.adapters.stepfunctions import StepFunctionsWorkflow
from chalicelib.adapters.webhook_relay import relay_for
from chalicelib.config import Settings, settings
from chalicelib.domain.policy import Deadlines, Policy


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Context:
    settings: Settings
    repo: DynamoRepository
    workflow: StepFunctionsWorkflow
    policies: PolicyStore
    evidence: EvidenceRepository
    evidence_store: EvidenceStore
    clock: Callable[[], datetime] = utc_now

    def policy(self, storefront_id: str) -> Policy:
        return self.policies.for_storefront(storefront_id)

    def deadlines(self, storefront_id: str) -> Deadlines:
        """The storefront's deadlines, shrunk by DEADLINE_SCALE when running locally."""
        return self.policy(storefront_id).deadlines.scaled(self.settings.deadline_scale)


@cache
def context() -> Context:
    config = settings()
    return Context(
        settings=config,
        repo=DynamoRepository(config.table_name, after_commit=relay_for(config).publish),
        workflow=StepFunctionsWorkflow(config.state_machine_arn),
        policies=PolicyStore(Path(config.policy_dir) if config.policy_dir else None),
        evidence=EvidenceRepository(config.table_name),
        evidence_store=EvidenceStore(config.evidence_bucket),
    )


def reset_context() -> None:
    """Forget settings and clients; used when the environment changes (tests, local runtime)."""
    settings.cache_clear()
    context.cache_clear()
    reset_clients()
