"""Request bodies as pydantic models: validation and the OpenAPI schema come from here."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.domain.models import CompensationLine, Identifier, Liability, Outcome, Penalty

Statement = Annotated[str, Field(min_length=1, max_length=5000)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EscalateBody(Body):
    request_id: Identifier
    statement: Statement


class RulingBody(Body):
    outcome: Outcome
    liability: Liability
    compensation: Annotated[list[CompensationLine], Field(max_length=20)] = []
    penalties: Annotated[list[Penalty], Field(max_length=10)] = []
    notes: Annotated[str, Field(max_length=5000)] | None = None


class EmptyBody(Body):
    pass
