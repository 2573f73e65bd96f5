"""The one state machine definition, shared by the local runtime and the AWS deployment.

`dispute.asl.json` is plain Amazon States Language: `infra/` deploys its text and the local runtime
runs it, with `${...}` placeholders for the functions' ARNs (`render`). It is generated: edit
`dispute.source.json` (Retry/Catch policies written once, one entry per window the case waits on),
then run `python -m statemachines.build`; a unit test fails while the two differ.
"""

from __future__ import annotations

import re
from pathlib import Path

DEFINITION_PATH = Path(__file__).with_name("dispute.asl.json")
SOURCE_PATH = Path(__file__).with_name("dispute.source.json")
PLACEHOLDER = re.compile(r"\$\{(\w+)\}")

# Lambda functions the definition calls, by placeholder; names match app.py's @app.lambda_function.
FUNCTIONS = {
    "ParkTaskTokenFunctionArn": "park_task_token",
    "HandleDeadlineFunctionArn": "handle_deadline",
    "ApplyRulesFunctionArn": "apply_rules",
    "MarkCaseStalledFunctionArn": "mark_case_stalled",
}


def placeholders(text: str | None = None) -> set[str]:
    return set(PLACEHOLDER.findall(text if text is not None else DEFINITION_PATH.read_text()))


def render(substitutions: dict[str, str]) -> str:
    """The definition with every `${Name}` filled; a missing one is an error, not a silent hole."""
    text = DEFINITION_PATH.read_text()
    missing = placeholders(text) - substitutions.keys()
    if missing:
        raise KeyError(f"no substitution for {sorted(missing)}")
    return PLACEHOLDER.sub(lambda match: substitutions[match.group(1)], text)
