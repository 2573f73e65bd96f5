"""DynamoDB capacity units from item sizes, by AWS's published formulas (moto's ConsumedCapacity is a constant).

Writes: a PutItem, UpdateItem or DeleteItem costs 1 write unit per KB (rounded up) of the larger of the item
before and after; in a TransactWriteItems each element costs twice that, a ConditionCheck included. Each global
secondary index the item is (or was) in costs 1 unit per KB of its index entry: one write when the entry is
put or changed, two when its key moved (delete and put), none when nothing it projects changed.
Reads: 1 unit per 4 KB (rounded up) of each item read strongly consistently, half for an eventually consistent
read; a Query rounds the sum of its items once; an index is read as its entries.

The meter sees the service's own client (botocore events), keeps the last image of every item it saw written,
and reads the new image after each write with a client of its own, so its reads are never counted.
Item sizes follow https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html
(names and values in UTF-8 bytes, numbers ~1 byte per two digits + 1, 3 bytes + 1 per element for a list or map).
"""

from __future__ import annotations

import json
import math
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

RESOURCES = Path(__file__).resolve().parent.parent / "infra" / "resources.json"
KB = 1024
READ_BLOCK = 4 * KB
Key = tuple[str, str]


def value_size(value: dict[str, Any]) -> int:  # noqa: PLR0911 - one answer per DynamoDB type
    ((kind, data),) = value.items()
    if kind == "S":
        return len(data.encode())
    if kind == "N":
        return len(data.lstrip("-").replace(".", "").strip("0") or "0") // 2 + 1
    if kind == "B":
        return len(data)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(item.encode()) for item in data)
    if kind == "NS":
        return sum(value_size({"N": item}) for item in data)
    if kind == "BS":
        return sum(len(item) for item in data)
    if kind == "L":
        return 3 + sum(value_size(item) + 1 for item in data)
    if kind == "M":
        return 3 + sum(len(name.encode()) + value_size(item) + 1 for name, item in data.items())
    raise ValueError(f"unknown attribute type {kind}")


def item_size(item: dict[str, Any] | None) -> int:
    return sum(len(name.encode()) + value_size(value) for name, value in (item or {}).items())


@dataclass(frozen=True)
class Index:
    name: str
    keys: tuple[str, ...]
    projection: str  # ALL, KEYS_ONLY or INCLUDE
    included: tuple[str, ...] = ()

    def entry(self, item: dict[str, Any] | None) -> dict[str, Any] | None:
        """The item's entry in this index, or None when it lacks the index's keys (a sparse index)."""
        if item is None or not all(key in item for key in self.keys):
            return None
        if self.projection == "ALL":
            return item
        kept = {"PK", "SK", *self.keys, *(self.included if self.projection == "INCLUDE" else ())}
        return {name: value for name, value in item.items() if name in kept}


def indexes_of_the_table() -> list[Index]:
    """The table's global secondary indexes as infra/resources.json declares them."""
    table = json.loads(RESOURCES.read_text())["Resources"]["DisputesTable"]["Properties"]
    return [
        Index(
            name=index["IndexName"],
            keys=tuple(key["AttributeName"] for key in index["KeySchema"]),
            projection=index["Projection"]["ProjectionType"],
            included=tuple(index["Projection"].get("NonKeyAttributes", ())),
        )
        for index in table["GlobalSecondaryIndexes"]
    ]


def write_units(size: int) -> int:
    return max(1, math.ceil(size / KB))


def read_units(size: int, consistent: bool) -> float:
    return max(1, math.ceil(size / READ_BLOCK)) * (1.0 if consistent else 0.5)


def _key(item: dict[str, Any]) -> Key:
    return item["PK"]["S"], item.get("SK", {}).get("S", "")


@dataclass
class Units:
    table_writes: int = 0
    index_writes: int = 0
    reads: float = 0.0
    by_kind: Counter[str] = field(default_factory=Counter)  # write units (table + indexes) by item kind

    def copy(self) -> Units:
        return Units(self.table_writes, self.index_writes, self.reads, Counter(self.by_kind))

    def __sub__(self, other: Units) -> Units:
        return Units(
            self.table_writes - other.table_writes,
            self.index_writes - other.index_writes,
            self.reads - other.reads,
            self.by_kind - other.by_kind,
        )


class CapacityMeter:
    """Install with `meter.install(client)` on the service's DynamoDB client; read `meter.snapshot()`."""

    def __init__(self, table_name: str, kind_of: Any) -> None:
        self.table_name = table_name
        self.kind_of = kind_of  # item key -> the label the cost tables use (bench/cost_per_case.py `category`)
        self.indexes = indexes_of_the_table()
        self.images: dict[Key, dict[str, Any]] = {}
        self.units = Units()
        self.lock = threading.Lock()
        self.reader = boto3.client("dynamodb", region_name="us-east-1")
        self.failures: list[str] = []

    def install(self, dynamodb: Any) -> None:
        dynamodb.meta.events.register("before-parameter-build.dynamodb", self._remember_params)
        dynamodb.meta.events.register("after-call.dynamodb", self._count)

    def snapshot(self) -> Units:
        with self.lock:
            return self.units.copy()

    @staticmethod
    def _remember_params(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["capacity_params"] = params

    def _count(self, parsed: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        """Never raises into the service it measures: a failure is kept, and the bench reports it."""
        try:
            self._count_call(model.name, context.get("capacity_params") or {}, parsed)
        except Exception as error:
            with self.lock:
                self.failures.append(f"{model.name}: {error!r}")

    def _count_call(self, name: str, params: dict[str, Any], parsed: dict[str, Any]) -> None:
        if "Error" in parsed:
            return  # refused writes and reads cost too, but the bench's cases are not made of them
        if name in ("PutItem", "UpdateItem", "DeleteItem"):
            self._written(params.get("Key") or params["Item"], factor=1)
        elif name == "TransactWriteItems":
            for element in params["TransactItems"]:
                ((operation, body),) = element.items()
                if operation == "ConditionCheck":
                    self._checked(body["Key"])
                else:
                    self._written(body.get("Key") or body["Item"], factor=2)
        elif name == "GetItem" and "Item" in parsed:
            self._read([params["Key"]], params.get("ConsistentRead", False), index=None, each=True)
        elif name == "BatchGetItem":  # a projection may leave the keys out of the answer: the request names them
            for request in params["RequestItems"].values():
                found = [key for key in request["Keys"] if _key(key) in self.images]
                self._read(found, request.get("ConsistentRead", False), index=None, each=True)
        elif name == "Query":
            index = next((i for i in self.indexes if i.name == params.get("IndexName")), None)
            self._read(parsed.get("Items", []), params.get("ConsistentRead", False), index=index, each=False)

    def _written(self, key_or_item: dict[str, Any], factor: int) -> None:
        key = _key(key_or_item)
        found = self.reader.get_item(
            TableName=self.table_name, Key={"PK": key_or_item["PK"], "SK": key_or_item["SK"]}, ConsistentRead=True
        )
        new = found.get("Item")
        with self.lock:
            old = self.images.get(key)
            table = factor * write_units(max(item_size(old), item_size(new)))
            index = sum(self._index_writes(each, old, new) for each in self.indexes)
            if new is None:
                self.images.pop(key, None)
            else:
                self.images[key] = new
            self.units.table_writes += table
            self.units.index_writes += index
            self.units.by_kind[self.kind_of({"PK": key_or_item["PK"], "SK": key_or_item["SK"]})] += table + index

    @staticmethod
    def _index_writes(index: Index, old: dict[str, Any] | None, new: dict[str, Any] | None) -> int:
        before, after = index.entry(old), index.entry(new)
        if before is None and after is None:
            return 0
        if before is None:
            return write_units(item_size(after))
        if after is None:
            return write_units(item_size(before))
        if any(before.get(key) != after.get(key) for key in index.keys):
            return write_units(item_size(before)) + write_units(item_size(after))
        return write_units(item_size(after)) if before != after else 0

    def _checked(self, key_item: dict[str, Any]) -> None:
        with self.lock:
            units = 2 * write_units(item_size(self.images.get(_key(key_item))))
            self.units.table_writes += units
            self.units.by_kind[f"{self.kind_of(key_item)} (condition check)"] += units

    def _read(self, items: list[dict[str, Any]], consistent: bool, index: Index | None, each: bool) -> None:
        """The full item's size counts (a projection expression saves bandwidth, not capacity), or the index
        entry's for an index."""
        with self.lock:
            sizes = [
                item_size(
                    index.entry(self.images.get(_key(item), item)) if index else self.images.get(_key(item), item)
                )
                for item in items
            ]
            if each:
                self.units.reads += sum(read_units(size, consistent) for size in sizes)
            elif sizes:
                self.units.reads += read_units(sum(sizes), consistent)
            else:
                self.units.reads += read_units(0, consistent)  # an empty query still costs its minimum
