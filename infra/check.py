"""Validate what would be deployed, with no AWS account: the packaged template and the state machine.

    python -m infra.check        (make infra-check)

- The template of every stage in .chalice/config.json: `chalice package --merge-template` into a
  temporary folder (no third-party wheels, nothing downloaded), then cfn-lint; any error or warning fails.
- The state machine: statelint (the Amazon States Language validator: required fields, every
  `Next` names a state, every state is reachable, paths and retriers well-formed), plus this
  service's own rules: every Task retries transient errors and catches everything into a
  recovery state; every wait for a task token has a deadline and catches `States.Timeout`.
- The definition is what `python -m statemachines.build` generates from its source.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cfnlint.api import ManualArgs, lint_file
from statelint.config import Config as StatelintConfig
from statelint.linter import Linter

import statemachines
import statemachines.build
from infra import build

LINT_REGIONS = ["us-east-1"]
CALLBACK_SUFFIX = ".waitForTaskToken"


def template_problems(template_path: Path) -> list[str]:
    """cfn-lint's errors and warnings (informational notes are not problems)."""
    matches = lint_file(template_path, config=ManualArgs(regions=LINT_REGIONS))
    return [str(match) for match in matches if match.rule.id[0] in "EW"]


def example_definition() -> str:
    """The definition as deployed, with each function placeholder filled by a well-formed Lambda ARN."""
    return statemachines.render(
        {
            placeholder: f"arn:aws:lambda:us-east-1:123456789012:function:disputes-{name}"
            for placeholder, name in statemachines.FUNCTIONS.items()
        }
    )


def _states(machine: dict[str, Any], path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every state, including those inside Parallel branches and Map processors."""
    for name, state in machine.get("States", {}).items():
        yield f"{path}{name}", state
        nested = [*state.get("Branches", []), state.get("ItemProcessor") or state.get("Iterator") or {}]
        for index, inner in enumerate(nested):
            yield from _states(inner, f"{path}{name}[{index}].")


def _service_rules(machine: dict[str, Any]) -> list[str]:
    problems = []
    for name, state in _states(machine):
        if state.get("Type") != "Task":
            continue
        caught = {error for catcher in state.get("Catch", []) for error in catcher.get("ErrorEquals", [])}
        if not state.get("Retry"):
            problems.append(f"{name}: a Task needs a Retry for transient errors")
        if "States.ALL" not in caught:
            problems.append(f"{name}: a Task needs a Catch on States.ALL into a recovery state")
        if str(state.get("Resource", "")).endswith(CALLBACK_SUFFIX):
            if "TimeoutSecondsPath" not in state and "TimeoutSeconds" not in state:
                problems.append(f"{name}: a wait for a task token needs TimeoutSecondsPath (its deadline)")
            if "States.Timeout" not in caught:
                problems.append(f"{name}: a wait for a task token needs a Catch on States.Timeout (a missed deadline)")
    return problems


def definition_problems(definition: str) -> list[str]:
    """statelint's findings plus the service's rules; empty when the definition is sound."""
    problems: list[str] = Linter.validate(definition, StatelintConfig())
    try:
        machine = json.loads(definition)
    except json.JSONDecodeError:
        return problems  # statelint has already said why
    return problems + _service_rules(machine)


def main() -> int:
    failed = False
    deployed = ""
    for stage in build.stages():
        with tempfile.TemporaryDirectory(prefix="disputes-infra-") as out:
            built = build.package(Path(out), stage=stage, with_dependencies=False)
            print(f"[{stage}] chalice package --merge-template: {built.seconds:.1f}s")
            started = time.monotonic()
            problems = template_problems(built.template_path)
            print(f"[{stage}] cfn-lint: {len(problems)} problem(s), {time.monotonic() - started:.1f}s")
            deployed = built.template()["Resources"][build.STATE_MACHINE]["Properties"]["DefinitionString"]
        for line in problems:
            print(f"  {line}")
        failed = failed or bool(problems)
    started = time.monotonic()
    problems = definition_problems(example_definition())
    print(f"statelint + service rules: {len(problems)} problem(s), {time.monotonic() - started:.2f}s")
    for line in problems:
        print(f"  {line}")
    failed = failed or bool(problems)
    if deployed != statemachines.DEFINITION_PATH.read_text():
        print(f"the packaged DefinitionString is not {statemachines.DEFINITION_PATH}")
        failed = True
    if statemachines.build.render() != statemachines.DEFINITION_PATH.read_text():
        print(f"{statemachines.DEFINITION_PATH} is not what its source generates: run python -m statemachines.build")
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
