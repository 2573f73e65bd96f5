"""boto3 clients, built lazily and once, so import time stays small and tests can swap endpoints.

Endpoints come from the standard `AWS_ENDPOINT_URL_<SERVICE>` variables, which is
how the local runtime points S3 and Lambda at its own servers.
"""

from __future__ import annotations

from functools import cache
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


@cache
def client(service: str) -> Any:
    return boto3.session.Session().client(service, config=_CONFIG)  # type: ignore[call-overload]


def reset_clients() -> None:
    """Forget cached clients; the local runtime and tests call this after changing endpoints."""
    client.cache_clear()
