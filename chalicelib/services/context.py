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

    def policy(self, storefront_id: str, version: str | None = None) -> Policy:
        """The storefront's policy in force; with a case's `policy_version`, the one it was escalated under
        (a case keeps its version: DESIGN section 12)."""
        if version is None:
            return self.policies.for_storefront(storefront_id)
        return self.policies.version(storefront_id, version)

    def deadlines(self, storefront_id: str, version: str | None = None) -> Deadlines:
        """The storefront's (or a case's) deadlines, shrunk by DEADLINE_SCALE when running locally."""
        return self.policy(storefront_id, version).deadlines.scaled(self.settings.deadline_scale)

    def fulfilment(self, storefront_id: str, version: str | None = None) -> FulfilmentPolicy:
        """The storefront's (or a case's) fulfilment windows (scaled like its deadlines) and money rules."""
        return self.policy(storefront_id, version).fulfilment.scaled(self.settings.deadline_scale)
