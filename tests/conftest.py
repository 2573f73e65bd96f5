"""Shared test helpers: bounded polling instead of sleeps."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def eventually(probe: Callable[[], T], until: Callable[[T], bool], timeout: float = 30.0, interval: float = 0.2) -> T:
    """Poll `probe` until `until(value)` holds, at most `timeout` seconds; fail with the last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if until(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s; last value: {value!r}")
        time.sleep(interval)
