"""Request bodies as pydantic models: validation and the OpenAPI schema come from here."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, RootModel

from chalicelib.domain.evidence_models import Declaration
from chalicelib.domain.models import Identifier, Party, ReviewerDecision

RulingBody = ReviewerDecision

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


class EvidenceBody(RootModel[Annotated[Declaration, Field(discriminator="kind")]]):
    """A file to upload (`kind`, `content_type`, `size`) or a tracking record (`kind: tracking`, carrier fields)."""

    model_config = ConfigDict(frozen=True)


class StatementBody(Body):
    text: Annotated[str, Field(min_length=1)]  # its size limit is the domain's, answered with a 413
