"""What DynamoDB refuses reaches the client as a 4xx, never a 500, even where the domain's bounds were bypassed."""

from __future__ import annotations

import secrets

import pytest

from chalicelib.domain import lifecycle
from chalicelib.domain.errors import PayloadTooLarge
from chalicelib.domain.models import Transition
from chalicelib.domain.policy import Deadlines
from chalicelib.services.context import Context
from tests.factories import BUYER, NOW, request, unique

OVER_ITEM_LIMIT = 450_000  # characters: DynamoDB's item limit is 400 KB


def incompressible(size: int) -> str:
    """Text that stays over `size` bytes when stored compressed (large documents are: adapters/table.py)."""
    return secrets.token_urlsafe(size * 2)


def test_a_case_write_over_dynamodbs_item_size_is_a_413_and_changes_nothing(ctx: Context) -> None:
    # Given a stored case, and a next version too large for one item (the domain's bounds never build one)
    req = request()
    ctx.cases.put_request(req)
    case = ctx.cases.create(lifecycle.open_case(req, BUYER, "broken", unique("dsp"), "v1", Deadlines(), NOW))
    oversized = case.model_copy(update={"statement": incompressible(OVER_ITEM_LIMIT)})

    # When it is saved, then the refusal is a payload error the API answers 413, and the case is as it was
    with pytest.raises(PayloadTooLarge):
        ctx.cases.save(Transition(case=oversized, events=()))
    assert ctx.cases.get(case.id) == case


def test_a_single_item_write_over_the_size_limit_is_a_413(ctx: Context) -> None:
    oversized = request().model_copy(update={"seller_reason": incompressible(OVER_ITEM_LIMIT)})

    with pytest.raises(PayloadTooLarge):
        ctx.cases.put_request(oversized)
