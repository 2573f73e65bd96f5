"""The service's one DynamoDB table: the attribute codec, the calls, and what their errors mean.

Every repository (cases with their parked task tokens, ledgers, evidence, webhooks) sits on this
module and nothing else of each other's: one set of transient error codes, one
way a transaction's failed condition becomes a business error, one cursor format.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.adapters.aws import client
from chalicelib.domain.errors import (
    DomainError,
    MalformedRequest,
    PayloadTooLarge,
    TransientStorageError,
    VersionConflict,
)

TRANSIENT_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
        "TransactionConflictException",
    }
)
# What DynamoDB says when an item or a transaction is too big; the domain bounds every list a client
# can grow, so this is a last line of defence that still answers 413, never 500.
BATCH_ATTEMPTS = 5  # BatchGetItem rounds for keys DynamoDB leaves unprocessed under throttling
TOO_LARGE_MESSAGES = ("item size has exceeded", "item size to update has exceeded", "transaction request size")


def s(value: str) -> dict[str, str]:
    return {"S": value}


def n(value: int) -> dict[str, str]:
    return {"N": str(value)}


# A document (a model's JSON) of at least this many bytes is stored zlib-compressed, as a binary attribute:
# DynamoDB charges a write unit per KB of the item and a read unit per 4 KB, and AWS advises compressing
# large attribute values. Below this there is no unit to save.
COMPRESS_FROM = 256
# zlib's preset dictionary: typical documents of every kind (their field names and enum values), which a
# document's compression refers back to. A case of 2 KB of JSON compresses to about 270 bytes with it and 770
# without, so a case item stays under a write unit. A stream names the dictionary it needs by its Adler-32
# (RFC 1950's FDICT), so a dictionary is never edited once shipped: a better one is added beside it, and the
# newest compresses. Documents stored before it, plain zlib, read as they are.
DICTIONARIES = {
    zlib.adler32(dictionary): dictionary
    for dictionary in (Path(__file__).with_name("document_dictionary.txt").read_bytes(),)
}
COMPRESSING_WITH = next(reversed(DICTIONARIES.values()))
FDICT = 0x20  # the header flag of a stream compressed with a preset dictionary


def json_attribute(text: str) -> dict[str, Any]:
    """A document's attribute: the JSON as it is, or compressed once it is large enough to cost more."""
    encoded = text.encode()
    if len(encoded) < COMPRESS_FROM:
        return {"S": text}
    compressor = zlib.compressobj(9, zdict=COMPRESSING_WITH)
    return {"B": compressor.compress(encoded) + compressor.flush()}


def json_text(attribute: dict[str, Any]) -> str:
    """The JSON of a document attribute, however it was stored."""
    if "B" not in attribute:
        text: str = attribute["S"]
        return text
    data: bytes = attribute["B"]
    if not data[1] & FDICT:
        return zlib.decompress(data).decode()
    named = int.from_bytes(data[2:6], "big")
    if named not in DICTIONARIES:  # written by a release with a newer dictionary: this one cannot read it
        raise LookupError(f"a document names zlib dictionary {named:#010x}, which this release does not ship")
    decompressor = zlib.decompressobj(zdict=DICTIONARIES[named])
    return (decompressor.decompress(data) + decompressor.flush()).decode()


def sortable(moment: datetime) -> str:
    """Fixed-width UTC time, so string order is time order in sort keys."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_sortable(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def _conflict() -> DomainError:
    return VersionConflict("the case changed since it was read")


@dataclass(frozen=True)
class Write:
    """One element of a TransactWriteItems, and the error its failed condition means."""

    element: dict[str, Any]
    on_conflict: Callable[[], Exception] = field(default=_conflict)

    @property
    def item(self) -> dict[str, Any]:
        """The item a Put element writes."""
        item: dict[str, Any] = self.element["Put"]["Item"]
        return item


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def is_transient(error: ClientError) -> bool:
    return _code(error) in TRANSIENT_CODES


def _too_large(error: ClientError) -> bool:
    message = str(error.response.get("Error", {}).get("Message", "")).lower()
    return _code(error) == "ValidationException" and any(text in message for text in TOO_LARGE_MESSAGES)


def storage_error(error: ClientError) -> Exception:
    """What a failed call means for its caller: busy (retry), too large (413), or a bug to surface."""
    if is_transient(error):
        return TransientStorageError(str(error))
    if _too_large(error):
        return PayloadTooLarge("the case cannot hold more: a stored item would exceed DynamoDB's item size")
    return error


class Table:
    def __init__(self, name: str) -> None:
        self.name = name

    @property
    def db(self) -> Any:
        return client("dynamodb")

    def call(self, operation: str, **kwargs: Any) -> Any:
        try:
            return getattr(self.db, operation)(TableName=self.name, **kwargs)
        except ClientError as error:
            raise storage_error(error) from error

    def get(self, key: dict[str, Any], projection: str | None = None) -> dict[str, Any] | None:
        """A strongly consistent read; `projection` keeps index keys out of the answer when only the doc matters."""
        extra = {"ProjectionExpression": projection} if projection else {}
        item: dict[str, Any] | None = self.call("get_item", Key=key, ConsistentRead=True, **extra).get("Item")
        return item

    def batch_get(self, keys: list[dict[str, Any]], projection: str) -> list[dict[str, Any]]:
        """Strongly consistent reads of `keys` in one BatchGetItem; another round only for keys it left unprocessed."""
        request: dict[str, Any] = {
            self.name: {"Keys": keys, "ConsistentRead": True, "ProjectionExpression": projection}
        }
        items: list[dict[str, Any]] = []
        for _ in range(BATCH_ATTEMPTS):
            try:
                response = self.db.batch_get_item(RequestItems=request)
            except ClientError as error:
                raise storage_error(error) from error
            items.extend(response.get("Responses", {}).get(self.name, []))
            request = response.get("UnprocessedKeys") or {}
            if not request:
                return items
        raise TransientStorageError("DynamoDB left keys of a BatchGetItem unprocessed")

    def query(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        """Every item the query matches, page after page."""
        start: dict[str, Any] | None = None
        while True:
            page = self.call("query", **kwargs, **({"ExclusiveStartKey": start} if start else {}))
            yield from page.get("Items", [])
            start = page.get("LastEvaluatedKey")
            if not start:
                return

    def page(
        self, cursors: Cursors, listing: str, cursor: str | None, **query: Any
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One Query page and the cursor of the next: the LastEvaluatedKey signed for `listing`, so a cursor
        resumes only the listing (partition and filters) it was issued for (400 otherwise)."""
        start = {"ExclusiveStartKey": cursors.decode(cursor, listing)} if cursor else {}
        response = self.call("query", **query, **start)
        last = response.get("LastEvaluatedKey")
        return response.get("Items", []), cursors.encode(last, listing) if last else None

    def put(self, item: dict[str, Any], condition: str | None = None, **expression: Any) -> bool:
        """Write an item; False when `condition` did not hold."""
        extra = {"ConditionExpression": condition, **expression} if condition else {}
        try:
            self.db.put_item(TableName=self.name, Item=item, **extra)
        except ClientError as error:
            if _code(error) == "ConditionalCheckFailedException":
                return False
            raise storage_error(error) from error
        return True

    def update(self, key: dict[str, Any], expression: str, condition: str, **extra: Any) -> tuple[bool, dict[str, Any]]:
        """One UpdateItem, answering the item as it was before: (True, old item) when `condition` held and the
        update was made, (False, the item as it is) when it did not. An absent item answers `{}`."""
        try:
            response = self.db.update_item(
                TableName=self.name,
                Key=key,
                UpdateExpression=expression,
                ConditionExpression=condition,
                ReturnValues="ALL_OLD",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
                **extra,
            )
        except ClientError as error:
            if _code(error) == "ConditionalCheckFailedException":
                current: dict[str, Any] = error.response.get("Item") or {}  # type: ignore[assignment]
                return False, current
            raise storage_error(error) from error
        old: dict[str, Any] = response.get("Attributes") or {}
        return True, old

    def transact(self, writes: list[Write]) -> None:
        """All or nothing; a failed condition raises the error its element names."""
        elements = []
        for write in writes:
            ((operation, body),) = write.element.items()
            elements.append({operation: {"TableName": self.name, **body}})
        try:
            self.db.transact_write_items(TransactItems=elements)
        except ClientError as error:
            if _code(error) != "TransactionCanceledException":
                raise storage_error(error) from error
            reasons = [reason.get("Code") for reason in error.response.get("CancellationReasons", [])]
            if "ConditionalCheckFailed" in reasons:
                raise writes[reasons.index("ConditionalCheckFailed")].on_conflict() from error
            if "ValidationError" in reasons:
                raise PayloadTooLarge("the case cannot hold more: a stored item would be too large") from error
            raise TransientStorageError(str(error)) from error


class Cursors:
    """Pagination cursors: a listing's last key, signed and bound to that listing.

    Signed (itsdangerous), so a client can neither forge a start key nor carry one
    listing's cursor to another (a buyer's to a seller's partition, one webhook's to
    the next): the listing's name is the signature's salt.
    """

    def __init__(self, secret: str) -> None:
        self.secret = secret

    def encode(self, key: dict[str, Any], listing: str) -> str:
        from itsdangerous import URLSafeSerializer  # noqa: PLC0415

        return str(URLSafeSerializer(self.secret, salt=listing).dumps(key))

    def issued(self, cursor: str, listing: str) -> dict[str, Any] | None:
        """The key `cursor` names if `listing` issued it, else None (a listing of two parts tells which part a
        cursor resumes)."""
        from itsdangerous import BadData, URLSafeSerializer  # noqa: PLC0415 - only listings that page need it

        try:
            key = URLSafeSerializer(self.secret, salt=listing).loads(cursor)
        except (BadData, ValueError, RecursionError):
            return None
        return key if isinstance(key, dict) else None

    def decode(self, cursor: str, listing: str) -> dict[str, Any]:
        key = self.issued(cursor, listing)
        if key is None:
            raise MalformedRequest("the cursor is not one this listing issued")
        return key
