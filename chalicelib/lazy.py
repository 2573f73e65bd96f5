"""Modules imported on first use, so a Lambda loads only what its own work touches.

Every function of the Chalice app (the API, four workflow steps, the webhook worker)
imports app.py, and so every blueprint. Importing each blueprint's services, models
and schemas eagerly made a workflow step's cold start pay for the whole API. A
blueprint instead names them with `lazy("module")`; the first attribute access
imports the real module (once, under a lock), and mypy checks the same names
through an `if TYPE_CHECKING:` import.
"""

from __future__ import annotations

import importlib
import threading
from types import ModuleType
from typing import Any

_LOCK = threading.RLock()


class LazyModule(ModuleType):
    def __getattr__(self, attribute: str) -> Any:
        real = self.__dict__.get("_real")
        if real is None:
            with _LOCK:
                real = self.__dict__.get("_real") or importlib.import_module(self.__name__)
                self.__dict__["_real"] = real
        return getattr(real, attribute)


def lazy(name: str) -> Any:
    """A stand-in for module `name` that imports it on first attribute access."""
    return LazyModule(name)
