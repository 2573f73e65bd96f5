"""`Idempotency-Key` on POST and PUT: a retry gets the first answer instead of doing the work twice.

Powertools idempotency with its DynamoDB persistence layer, on the service's own table
(PK `IDEMPOTENCY`, SK the SHA-256 of caller and key, TTL on `expires_at`). A key belongs
to one caller (storefront, role, subject), so two callers can never collide; the
request it was first used with (method, route, path ids, body) is checked on every
reuse, so the same key with anything else is a 422. Only successes are kept: a domain
error clears the record, and the client may retry with the same key once the cause is gone.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import lru_cache
from typing import Any, cast

from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer, IdempotencyConfig
from aws_lambda_powertools.utilities.idempotency.base import IdempotencyHandler
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from chalice.app import Request, Response

from chalicelib.adapters.aws import client
from chalicelib.api.headers import REPLAYED_HEADER
from chalicelib.config import settings
from chalicelib.domain.errors import IdempotencyKeyReused, RequestInProgress
from chalicelib.domain.models import Actor

RETENTION_SECONDS = 24 * 3600
# API Gateway ends every request after 29 s: an in-progress record older than this belongs to a dead request.
IN_PROGRESS_MILLIS = 30_000
PARTITION = "IDEMPOTENCY"


def once(request: Request, actor: Actor, key: str, body: bytes, run: Callable[[], Response]) -> Response:
    """Run the view at most once per (caller, key); replay its stored response to every retry."""
    payload = {
        "key": {"caller": [actor.storefront_id, actor.role.value, actor.sub], "key": key},
        "request": {
            "method": request.method,
            "route": request.path,
            "ids": request.uri_params or {},
            "body": _fingerprint(body),
        },
    }
    handler = IdempotencyHandler(
        function=lambda: _stored(run()),
        function_payload=payload,
        config=_config(),
        persistence_store=_store(settings().table_name, client("dynamodb")),
        key_prefix="api",
        function_args=(),
        function_kwargs={},
    )
    try:
        stored: dict[str, Any] = handler.handle()
    except IdempotencyAlreadyInProgressError as error:
        raise RequestInProgress("a request with this Idempotency-Key is still in progress; retry shortly") from error
    except IdempotencyValidationError as error:
        raise IdempotencyKeyReused("this Idempotency-Key was used with a different request") from error
    headers = dict(stored["headers"])
    if stored.get("replayed"):
        headers[REPLAYED_HEADER] = "true"
    return Response(body=stored["body"], status_code=stored["status"], headers=headers)


def _stored(response: Response) -> dict[str, Any]:
    return {"status": response.status_code, "headers": response.headers, "body": response.body}


def _fingerprint(raw: bytes) -> str:
    """The same JSON with other whitespace or key order is the same request."""
    try:
        canonical = json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":")).encode()
    except (ValueError, UnicodeError, RecursionError):
        canonical = raw
    return hashlib.sha256(canonical).hexdigest()


def _replayed(response: Any, idempotent_data: DataRecord) -> Any:
    return {**response, "replayed": True} if isinstance(response, dict) else response


class _RequestBudget:
    """Stands in for the Lambda context: how long the request that wrote an in-progress record may still run."""

    def get_remaining_time_in_millis(self) -> int:
        return IN_PROGRESS_MILLIS


def _config() -> IdempotencyConfig:
    """One per request: Powertools keeps the context it times in-progress records by on the config."""
    return IdempotencyConfig(
        event_key_jmespath="key",
        payload_validation_jmespath="request",
        raise_on_no_idempotency_key=True,
        expires_after_seconds=RETENTION_SECONDS,
        hash_function="sha256",
        response_hook=_replayed,
        lambda_context=cast(LambdaContext, _RequestBudget()),
    )


@lru_cache(maxsize=4)
def _store(table_name: str, dynamodb: Any) -> DynamoDBPersistenceLayer:
    """Built once per table and client (a reset client in tests gets a new one)."""
    return DynamoDBPersistenceLayer(
        table_name=table_name,
        key_attr="PK",
        sort_key_attr="SK",
        static_pk_value=PARTITION,
        expiry_attr="expires_at",
        boto3_client=dynamodb,
    )
