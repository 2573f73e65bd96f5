"""Policies: the bundled `default.json`, stored versions per storefront, and `{storefront_id}.json` files.

The policy in force for a storefront is its latest stored version (`PUT /v1/policies/{storefront_id}`, kept
by `versions`); a storefront with none has its file override from POLICY_DIR (a mounted or packaged folder,
else the bundled one) on top of the default, or the default. A case names the version in force when it was
escalated (`policy_version`), and keeps it: `version` answers that one. Stored versions never change, so
each is read from the table once per process. A malformed file fails loudly on first use.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Protocol

from chalicelib.domain.policy import Policy, PolicyError, PolicyVersion, load_policy, merge_policy, version_number

BUNDLED = Path(__file__).resolve().parent.parent / "policies"
SAFE_NAME = re.compile(r"^[A-Za-z0-9._:@-]{1,128}$")
MAX_CACHED_VERSIONS = 1024


class PolicyVersions(Protocol):
    """Where stored versions live (adapters/policy_versions.py; an in-memory one in adapters/memory.py)."""

    def add(self, version: PolicyVersion) -> bool: ...
    def get(self, storefront_id: str, number: int) -> PolicyVersion | None: ...
    def latest(self, storefront_id: str) -> PolicyVersion | None: ...
    def history(self, storefront_id: str, limit: int, cursor: str | None) -> tuple[list[PolicyVersion], str | None]: ...


class PolicyStore:
    def __init__(self, overrides: Path | None = None, versions: PolicyVersions | None = None) -> None:
        self.overrides = overrides or BUNDLED
        self.default = load_policy((BUNDLED / "default.json").read_text(encoding="utf-8"))
        self.versions = versions
        self._stored: dict[tuple[str, int], PolicyVersion] = {}

    def for_storefront(self, storefront_id: str) -> Policy:
        """The policy in force now."""
        latest = self.in_force(storefront_id)
        return latest.policy if latest is not None else self.unversioned(storefront_id)

    def version(self, storefront_id: str, label: str) -> Policy:
        """The policy a case escalated under (`policy_version`): a stored version, else the file or default."""
        number = version_number(label)
        stored = self.stored(storefront_id, number) if number is not None else None
        return stored.policy if stored is not None else self.unversioned(storefront_id)

    def stored(self, storefront_id: str, number: int) -> PolicyVersion | None:
        key = (storefront_id, number)
        if key not in self._stored and self.versions is not None:
            found = self.versions.get(storefront_id, number)
            if found is None:
                return None
            self._remember(found)
        return self._stored.get(key)

    def in_force_as_read(self, storefront_id: str, in_force: PolicyVersion | None) -> Policy:
        """The policy in force, from a version read beside something else (an escalation reads it with the
        request); kept like any stored version, so the case's later reads of it cost nothing."""
        if in_force is None:
            return self.unversioned(storefront_id)
        self._remember(in_force)
        return in_force.policy

    def _remember(self, version: PolicyVersion) -> None:
        """Kept for the process (versions never change), at most MAX_CACHED_VERSIONS of them."""
        if len(self._stored) >= MAX_CACHED_VERSIONS:
            self._stored.clear()
        self._stored[(version.storefront_id, version.number)] = version

    def in_force(self, storefront_id: str) -> PolicyVersion | None:
        return self.versions.latest(storefront_id) if self.versions is not None else None

    def history(self, storefront_id: str, limit: int, cursor: str | None) -> tuple[list[PolicyVersion], str | None]:
        return self.versions.history(storefront_id, limit, cursor) if self.versions is not None else ([], None)

    def add(self, version: PolicyVersion) -> bool:
        if self.versions is None:
            raise PolicyError("this policy store keeps no versions")
        return self.versions.add(version)

    def unversioned(self, storefront_id: str) -> Policy:
        """A storefront's policy before any stored version: its file override, or the default."""
        return _policy_for(self, storefront_id)


@cache
def _policy_for(store: PolicyStore, storefront_id: str) -> Policy:
    path = store.overrides / f"{storefront_id}.json"
    if not SAFE_NAME.match(storefront_id) or storefront_id.startswith(".") or not path.is_file():
        return store.default
    try:
        override = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise PolicyError(f"policy {path.name} is not JSON: {error}") from error
    return merge_policy(store.default, override)
