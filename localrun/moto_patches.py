"""Make moto's in-process DynamoDB safe for a multi-threaded local service.

The local runtime serves API requests, workflow Lambdas and the webhook worker
from threads of one process, all on moto's DynamoDB backend. moto's backend is
not thread-safe: `transact_write_items` deep-copies a table while another
thread may be inserting into it ("dictionary changed size during iteration").
DynamoDB itself serialises per item; here one lock around the backend's
operations gives the same all-or-nothing view. Local runtime only.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

from moto.dynamodb.models import DynamoDBBackend

_LOCK = threading.RLock()
_MARK = "_disputes_serialized"


def _locked(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def serialized(*args: Any, **kwargs: Any) -> Any:
        with _LOCK:
            return method(*args, **kwargs)

    return serialized


def serialize_dynamodb() -> None:
    """Wrap every public DynamoDBBackend operation in one process-wide lock (idempotent)."""
    if getattr(DynamoDBBackend, _MARK, False):
        return
    for name, member in list(vars(DynamoDBBackend).items()):
        if not name.startswith("_") and callable(member):
            setattr(DynamoDBBackend, name, _locked(member))
    setattr(DynamoDBBackend, _MARK, True)
