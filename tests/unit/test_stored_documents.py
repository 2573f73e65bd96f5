"""Documents are stored as they are while small, compressed with the shipped dictionary once a write unit can be
saved, and every document ever stored reads back."""

from __future__ import annotations

import json
import zlib

import pytest

from bench.capacity import item_size
from chalicelib.adapters.cases import case_item
from chalicelib.adapters.table import COMPRESS_FROM, DICTIONARIES, json_attribute, json_text
from chalicelib.domain import fulfilment
from chalicelib.domain.models import ReceiptCondition, WindowKind
from tests.factories import BUYER, NOW, SELLER, opened_case, request, saved
from tests.unit.test_fulfilment import D, P, at, return_and_refund

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


def test_a_case_item_stays_under_a_write_unit_through_a_ruling_carried_out() -> None:
    # A reviewer's final return-and-refund ruling, its return shipped and received: a usual case at its largest
    # (every transition writes it, twice in its transaction, and every wait once more)
    case = return_and_refund()
    shipped = saved(fulfilment.report_shipment(case, BUYER, WindowKind.RETURN_SHIPMENT, "SF", "SF123", P, D, at(case)))
    received = saved(
        fulfilment.report_receipt(
            shipped, SELLER, WindowKind.RETURN_RECEIPT, ReceiptCondition.RECEIVED_OK, None, (), P, D, at(shipped)
        )
    )

    for stored in (case, shipped, received):
        assert item_size(case_item(stored)) < 1024, stored.status


def test_a_document_naming_a_dictionary_this_release_does_not_ship_says_so() -> None:
    compressor = zlib.compressobj(9, zdict=b'{"status":"closed","storefront_id":"a newer dictionary"}')
    stored = {"B": compressor.compress(opened_case().model_dump_json().encode()) + compressor.flush()}

    with pytest.raises(LookupError, match="does not ship"):
        json_text(stored)
