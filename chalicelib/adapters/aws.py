"""boto3 clients, built lazily and once, so import time stays small and tests can swap endpoints.

Endpoints come from the standard `AWS_ENDPOINT_URL_<SERVICE>` variables, which is
how the local runtime points S3 and Lambda at its own servers.
"""

from __future__ import annotations

import threading
from typing import Any

import boto3
from botocore.config import Config

_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 3},
    connect_timeout=2,
    read_timeout=10,
    signature_version="s3v4",
    s3={"addressing_style": "path"},
)


_clients: dict[str, Any] = {}
_creating = threading.Lock()


def client(service: str) -> Any:
    """One client per service per process. Built under a lock: threads that all ask at once
    (the local runtime's first requests) would otherwise each build one, at ~50 ms apiece."""
    built = _clients.get(service)
    if built is None:
        with _creating:
            built = _clients.get(service)
            if built is None:
                built = _clients[service] = boto3.session.Session().client(service, config=_CONFIG)  # type: ignore[call-overload]
    return built


def reset_clients() -> None:
    """Forget cached clients; the local runtime and tests call this after changing endpoints."""
    with _creating:
        _clients.clear()
