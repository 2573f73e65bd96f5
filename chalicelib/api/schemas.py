"""Request bodies as pydantic models: validation and the OpenAPI schema come from here."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.domain.models import Identifier, Party, RulingDecision

RulingBody = RulingDecision

Statement = Annotated[str, Field(min_length=1, max_length=5000)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EscalateBody(Body):
    request_id: Identifier
    statement: Statement


class OfferBody(Body):
    amount: Annotated[int, Field(gt=0, le=10**12, strict=True)]
    note: Annotated[str, Field(max_length=2000)] | None = None


class WithdrawBody(Body):
    reason: Annotated[str, Field(max_length=2000)] | None = None


class InfoRequestBody(Body):
    parties: Annotated[list[Party], Field(min_length=1, max_length=2)]
    message: Statement


class AppealBody(Body):
    statement: Statement


class EmptyBody(Body):
    pass

