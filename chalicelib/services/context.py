"""The ports a use case works through; `chalicelib/bootstrap.py` builds the real ones once per process."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from chalicelib.config import Settings
from chalicelib.domain.policy import Deadlines, FulfilmentPolicy, Policy
from chalicelib.services.ports import (
    CaseRepository,
    EvidenceFiles,
    EvidenceRepository,
    LedgerRepository,
    MessageRepository,
    Policies,
    Workflow,
)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Context:
    settings: Settings
    cases: CaseRepository
    ledgers: LedgerRepository
    workflow: Workflow
    policies: Policies
    evidence: EvidenceRepository
    evidence_files: EvidenceFiles
    messages: MessageRepository
    clock: Callable[[], datetime] = utc_now

    def policy(self, storefront_id: str) -> Policy:
        return self.policies.for_storefront(storefront_id)

    def deadlines(self, storefront_id: str) -> Deadlines:
        """The storefront's deadlines, shrunk by DEADLINE_SCALE when running locally."""
        return self.policy(storefront_id).deadlines.scaled(self.settings.deadline_scale)

    def fulfilment(self, storefront_id: str) -> FulfilmentPolicy:
        """The storefront's fulfilment windows (scaled like its deadlines) and money rules."""
        return self.policy(storefront_id).fulfilment.scaled(self.settings.deadline_scale)
