"""Independent reads issued together: in a Lambda each AWS call is a sequential round trip, so reads that do
not depend on each other should wait for the slowest of them, not for their sum.

Threads, because boto3 clients are thread-safe and its calls release the GIL while they wait; each call runs in
a copy of the caller's context, so what the context carries (the logger's keys, a test clock) goes with it.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar, overload

A = TypeVar("A")
B = TypeVar("B")
C = TypeVar("C")

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    """One pool per process, built on first use (a warm Lambda keeps it)."""
    global _pool  # noqa: PLW0603 - the process's one pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="together")
        return _pool


@overload
def together(first: Callable[[], A], second: Callable[[], B], /) -> tuple[A, B]: ...
@overload
def together(first: Callable[[], A], second: Callable[[], B], third: Callable[[], C], /) -> tuple[A, B, C]: ...
def together(*calls: Callable[[], Any]) -> tuple[Any, ...]:
    """Run `calls` at once and answer their results in order; the first failure (in that order) is raised."""
    pool = _executor()
    futures: list[Future[Any]] = [pool.submit(contextvars.copy_context().run, call) for call in calls]
    return tuple(future.result() for future in futures)
