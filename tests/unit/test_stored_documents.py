"""Documents are stored as they are while small, compressed with the shipped dictionary once a write unit can be
saved, and every document ever stored reads back."""

from __future__ import annotations

import json
import zlib

from chalicelib.adapters.table import COMPRESS_FROM, DICTIONARIES, json_attribute, json_text
from tests.factories import NOW, opened_case, request

# The Adler-32 of every dictionary ever shipped: stored documents name theirs by it, so none may change.
SHIPPED_DICTIONARIES = {0x016588C3}


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


def test_the_dictionary_keeps_a_case_under_a_write_unit() -> None:
    text = opened_case().model_dump_json()

    with_dictionary, without = len(json_attribute(text)["B"]), len(zlib.compress(text.encode(), 9))

    assert with_dictionary < 1024 / 2 and with_dictionary < without * 0.6


def test_a_document_compressed_before_the_dictionary_still_reads() -> None:
    text = opened_case().model_dump_json()

    assert json_text({"B": zlib.compress(text.encode(), 6)}) == text


def test_no_shipped_dictionary_was_changed_or_dropped() -> None:
    assert set(DICTIONARIES) >= SHIPPED_DICTIONARIES
