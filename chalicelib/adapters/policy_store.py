"""Policy documents: the bundled `default.json`, plus `{storefront_id}.json` overrides.

Overrides are read from POLICY_DIR when set (a mounted or packaged folder), else
from the bundled folder. A malformed document fails loudly on first use.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

from chalicelib.domain.policy import Policy, PolicyError, load_policy, merge_policy

BUNDLED = Path(__file__).resolve().parent.parent / "policies"
SAFE_NAME = re.compile(r"^[A-Za-z0-9._:@-]{1,128}$")


class PolicyStore:
    def __init__(self, overrides: Path | None = None) -> None:
        self.overrides = overrides or BUNDLED
        self.default = load_policy((BUNDLED / "default.json").read_text(encoding="utf-8"))

    def for_storefront(self, storefront_id: str) -> Policy:
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
