"""Write the state machine from its source: `python -m statemachines.build` (`--check` only compares).

`dispute.source.json` is the definition as one edits it: the Retry and Catch policies are written
once and named (`"Retry": "#transient"`, `"Catch": "#to_stalled"`), and each window the case can
wait on is one entry (`"AwaitSellerResponse": {"Window": "seller_response", "Deadline":
"SellerResponseDue", ...}`) that becomes its wait state, its deadline state and its branch in
`RouteCase`. Its `About` says the rules in full. This module expands it into `dispute.asl.json`,
plain Amazon States Language, the file `infra/` deploys and the local runtime runs, the same
bytes every time (key order as in the source, two-space indent). A unit test fails when the
committed file is not what this writes.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from typing import Any

from statemachines import DEFINITION_PATH, SOURCE_PATH

REFERENCE = re.compile(r"#(\w+)")  # "#name": Shared[name]
HOLE = re.compile(r"<(\w+)>")  # "<field>": a field of the window being expanded
SOURCE_ONLY = ("About", "Shared")  # top-level keys that are not ASL
WINDOW_ROUTES = "window_routes"


class SourceError(ValueError):
    """The source names a shared part, a field or a state that is not there (or a state twice)."""


def _expand(node: Any, shared: dict[str, Any], fields: dict[str, str]) -> Any:
    if isinstance(node, str):
        if reference := REFERENCE.fullmatch(node):
            if reference[1] not in shared:
                raise SourceError(f"{node!r} names nothing in Shared (there: {sorted(shared)})")
            return _expand(shared[reference[1]], shared, fields)
        if hole := HOLE.fullmatch(node):
            if hole[1] not in fields:
                raise SourceError(f"{node!r} has no value here (only inside a window: {sorted(fields) or 'none'})")
            return fields[hole[1]]
        return node
    if isinstance(node, list):
        expanded: list[Any] = []
        for item in node:
            value = _expand(item, shared, fields)
            if isinstance(item, str) and REFERENCE.fullmatch(item) and isinstance(value, list):
                expanded.extend(value)  # a shared list among other elements
            else:
                expanded.append(value)
        return expanded
    if isinstance(node, dict):
        return {key: _expand(value, shared, fields) for key, value in node.items()}
    return node


def _window_fields(name: str, state: dict[str, Any]) -> dict[str, str]:
    try:
        return {
            "window": state["Window"],
            "await": name,
            "deadline": state["Deadline"],
            "comment": state["Comment"],
            "deadline_comment": state["DeadlineComment"],
        }
    except KeyError as missing:
        raise SourceError(f"the window {name} needs {missing}") from None


def definition(source: dict[str, Any]) -> dict[str, Any]:
    """The ASL the source describes."""
    shared = dict(source.get("Shared", {}))
    windows = {name: _window_fields(name, state) for name, state in source["States"].items() if "Window" in state}
    shared[WINDOW_ROUTES] = [_expand(shared["window_route"], shared, fields) for fields in windows.values()]
    states: dict[str, Any] = {}

    def add(name: str, state: Any) -> None:
        if name in states:
            raise SourceError(f"two states are named {name}")
        states[name] = state

    for name, state in source["States"].items():
        if name in windows:
            fields = windows[name]
            add(name, _expand(shared["await_window"], shared, fields))
            add(fields["deadline"], _expand(shared["window_deadline"], shared, fields))
        else:
            add(name, _expand(state, shared, {}))
    machine = {key: _expand(value, shared, {}) for key, value in source.items() if key not in SOURCE_ONLY}
    machine["States"] = states
    return machine


def render() -> str:
    """dispute.asl.json as it should be, from dispute.source.json."""
    source = json.loads(SOURCE_PATH.read_text(encoding="utf-8"))
    return json.dumps(definition(source), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if the file is out of date")
    args = parser.parse_args(argv)
    text = render()
    current = DEFINITION_PATH.read_text(encoding="utf-8") if DEFINITION_PATH.exists() else None
    if args.check:
        if current != text:
            print(f"{DEFINITION_PATH} is not what {SOURCE_PATH.name} makes: run python -m statemachines.build")
            return 1
        print(f"{DEFINITION_PATH} is up to date")
        return 0
    if current != text:
        DEFINITION_PATH.write_text(text, encoding="utf-8")
    print(f"{'wrote' if current != text else 'unchanged:'} {DEFINITION_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
