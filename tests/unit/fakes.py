"""A service context wired to the in-memory fakes, with a clock the test moves."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from chalicelib.adapters.memory import (
    InMemoryCaseRepository,
    InMemoryEvidenceFiles,
    InMemoryEvidenceRepository,
    InMemoryLedgerRepository,
    InMemoryMessageRepository,
    InMemoryPolicyVersions,
    RecordingWorkflow,
)
from chalicelib.adapters.policy_store import PolicyStore
from chalicelib.config import Settings
from chalicelib.services.context import Context
from tests.factories import NOW

SETTINGS = Settings(runtime="local", table_name="memory", evidence_bucket="memory", state_machine_arn="memory")


@dataclass
class TestClock:
    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now

    def advance(self, by: timedelta) -> None:
        self.now += by


@dataclass
class Fakes:
    """The fakes behind a Context, kept by their concrete types so tests can look inside."""

    clock: TestClock = field(default_factory=TestClock)
    ledgers: InMemoryLedgerRepository = field(default_factory=InMemoryLedgerRepository)
    workflow: RecordingWorkflow = field(default_factory=RecordingWorkflow)
    files: InMemoryEvidenceFiles = field(default_factory=InMemoryEvidenceFiles)

    def __post_init__(self) -> None:
        self.policy_versions = InMemoryPolicyVersions()
        self.cases = InMemoryCaseRepository(self.ledgers, self.policy_versions)
        self.evidence = InMemoryEvidenceRepository(self.cases)
        self.messages = InMemoryMessageRepository(self.cases)
        self.ctx = Context(
            settings=SETTINGS,
            cases=self.cases,
            ledgers=self.ledgers,
            workflow=self.workflow,
            policies=PolicyStore(versions=self.policy_versions),
            evidence=self.evidence,
            evidence_files=self.files,
            messages=self.messages,
            clock=self.clock,
        )
