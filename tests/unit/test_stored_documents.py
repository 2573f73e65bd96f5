"""Documents are stored as they are while small, compressed once a write unit can be saved."""

from __future__ import annotations

import json

from chalicelib.adapters.table import COMPRESS_FROM, json_attribute, json_text
from tests.factories import NOW, request


def test_a_small_document_is_stored_as_its_json() -> None:
    text = json.dumps({"a": 1})

    assert json_attribute(text) == {"S": text}
    assert json_text(json_attribute(text)) == text


def test_a_large_document_is_stored_compressed_and_read_back_unchanged() -> None:
    text = request(NOW).model_copy(update={"seller_reason": "不符合退货条件 " * 200}).model_dump_json()
    assert len(text) >= COMPRESS_FROM

    stored = json_attribute(text)

    assert set(stored) == {"B"} and len(stored["B"]) < len(text.encode()) / 3
    assert json_text(stored) == text
