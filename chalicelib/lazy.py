"""Modules imported, and objects built, on first use, so a Lambda loads only what its own work touches.

Every function of the Chalice app (the API, four workflow steps, the webhook worker)
imports app.py, and so every blueprint. Importing each blueprint's services, models
and schemas eagerly made a workflow step's cold start pay for the whole API. A
blueprint instead names them with `lazy("module")`; the first attribute access
imports the real module (once, under a lock), and mypy checks the same names
through an `if TYPE_CHECKING:` import.

The composition root does the same for the adapters it wires: `on_first_use(build)`
stands in for what `build()` returns and builds it on the first attribute access, so a
GET builds the case repository and imports no other adapter.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from types import ModuleType
from typing import Any, TypeVar, cast

T = TypeVar("T")

_LOCK = threading.RLock()


def _once(held: dict[str, Any], make: Callable[[], Any]) -> Any:
    """What `make()` returns, made once (under the lock) and kept in `held` as `_real`."""
    real = held.get("_real")
    if real is None:
        with _LOCK:
            real = held.get("_real")
            if real is None:
                real = held["_real"] = make()
    return real


class LazyModule(ModuleType):
    def __getattr__(self, attribute: str) -> Any:
        return getattr(_once(self.__dict__, lambda: importlib.import_module(self.__name__)), attribute)


class LazyObject:
    def __init__(self, build: Callable[[], Any]) -> None:
        self.__dict__["_build"] = build

    def __getattr__(self, attribute: str) -> Any:
        return getattr(_once(self.__dict__, self.__dict__["_build"]), attribute)


def lazy(name: str) -> Any:
    """A stand-in for module `name` that imports it on first attribute access."""
    return LazyModule(name)


def on_first_use(build: Callable[[], T]) -> T:
    """A stand-in for what `build()` returns, built on first attribute access."""
    return cast(T, LazyObject(build))
