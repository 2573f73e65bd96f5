"""Render the deployable template into infra/out/ with `chalice package --merge-template`. No AWS account needed.

    python -m infra.build [--stage dev] [--out infra/out] [--no-deps]

1. Stage the Lambda sources (app.py, chalicelib/, .chalice/ config and policy files) with a
   requirements.txt made from pyproject.toml's dependencies, less what Lambda already provides.
2. Write the merge template: infra/resources.json plus the state machine filled from statemachines/
   (the definition text as `DefinitionString`, each placeholder mapped to the ARN of the function
   Chalice generates for it, and the state machine role allowed to invoke exactly those functions),
   each `@app.on_sqs_message(queue=NAME)` pointed at the queue this stack creates, and API Gateway's own
   answers (a path no route matches, its other 4xx and 5xx) as Gateway Responses in the API's error shape.
3. Run `chalice package`, which writes `sam.json` and `deployment.zip` into OUT/package/.

`--no-deps` packages with an empty requirements file: the template is the same, the zip lacks
third-party wheels and nothing is downloaded. CI uses it to validate the template offline.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chalice.app import SQSEventConfig
from chalice.utils import to_cfn_resource_name

import statemachines
from chalicelib.api.errors import GATEWAY_FAILED, GATEWAY_REFUSED, NO_SUCH_ROUTE

ROOT = Path(__file__).resolve().parent.parent
RESOURCES = ROOT / "infra" / "resources.json"
DEFAULT_OUT = ROOT / "infra" / "out"
STATE_MACHINE = "DisputeStateMachine"
STATE_MACHINE_ROLE = "StateMachineRole"
LAMBDA_SOURCES = ("app.py", "chalicelib", "vendor")  # what Chalice puts in the deployment package
# Chalice adds its own runtime to the zip, and Lambda's Python runtime ships boto3/botocore.
PROVIDED_BY_LAMBDA = frozenset({"chalice", "boto3"})
REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
# Queue names in `@app.on_sqs_message(queue=...)` (and in the local runtime) -> the queue in infra/resources.json.
# The stack's queues get generated names, so two stacks can share an account and region.
QUEUES = {"disputes-webhooks": "WebhookQueue"}
REST_API = "RestAPI"  # the logical id `chalice package` gives the API
# API Gateway answers these itself, before the API Lambda runs. Its defaults are {"message": ...}, and an unknown
# path requested with an Authorization header is a 403 whose message quotes that header (the bearer token).
GATEWAY_RESPONSES: dict[str, tuple[str | None, dict[str, Any]]] = {
    "MISSING_AUTHENTICATION_TOKEN": ("404", NO_SUCH_ROUTE),  # what API Gateway calls a path no route matches
    "DEFAULT_4XX": (None, GATEWAY_REFUSED),
    "DEFAULT_5XX": (None, GATEWAY_FAILED),
}


class BuildError(RuntimeError):
    pass


@dataclass(frozen=True)
class Package:
    template_path: Path
    deployment_zip: Path
    seconds: float

    def template(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.template_path.read_text())
        return loaded


def function_logical_id(function_name: str) -> str:
    """The logical id `chalice package` gives an `@app.lambda_function(name=...)`."""
    logical_id: str = to_cfn_resource_name(function_name)
    return logical_id


def merge_template() -> dict[str, Any]:
    """infra/resources.json with the state machine's definition, substitutions and invoke permission filled."""
    template: dict[str, Any] = json.loads(RESOURCES.read_text())
    definition = statemachines.DEFINITION_PATH.read_text()
    unmapped = statemachines.placeholders(definition) - statemachines.FUNCTIONS.keys()
    if unmapped:
        raise BuildError(f"the definition uses {sorted(unmapped)}, absent from statemachines.FUNCTIONS")
    function_arns = {
        placeholder: {"Fn::GetAtt": [function_logical_id(name), "Arn"]}
        for placeholder, name in sorted(statemachines.FUNCTIONS.items())
    }
    resources = template["Resources"]
    machine = resources[STATE_MACHINE]["Properties"]
    machine["DefinitionString"] = definition
    machine["DefinitionSubstitutions"] = function_arns
    (invoke,) = resources[STATE_MACHINE_ROLE]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    invoke["Resource"] = [function_arns[placeholder] for placeholder in sorted(statemachines.placeholders(definition))]
    resources.update(queue_event_sources())
    resources[REST_API] = {
        "Properties": {"DefinitionBody": {"x-amazon-apigateway-gateway-responses": gateway_responses()}}
    }
    return template


def gateway_responses() -> dict[str, Any]:
    """GATEWAY_RESPONSES in the API's OpenAPI definition, so each deployment of the API carries them.

    Static bodies: nothing of the request (headers, path, `$context.error.message`) is echoed. Without a
    `statusCode` a default response keeps the status API Gateway chose (413, 429, 502, ...).
    """
    responses: dict[str, Any] = {}
    for response_type, (status, body) in GATEWAY_RESPONSES.items():
        response: dict[str, Any] = {"responseTemplates": {"application/json": json.dumps(body)}}
        if status is not None:
            response["statusCode"] = status
        responses[response_type] = response
    return responses


def queue_event_sources() -> dict[str, Any]:
    """Overrides that point each SQS-triggered function at this stack's queue, not at a queue by name."""
    overrides: dict[str, Any] = {}
    chalice_app = importlib.import_module("app").app  # the very app `chalice package` loads
    for source in chalice_app.event_sources:
        if not isinstance(source, SQSEventConfig) or source.queue_arn:
            continue
        if source.queue not in QUEUES:
            raise BuildError(f"@app.on_sqs_message(queue={source.queue!r}) names a queue infra/ does not create")
        event = to_cfn_resource_name(f"{source.name}-sqs-event-source")
        # Chalice writes {"Fn::Sub": "...:NAME"}; its merge joins dicts key by key, so replace the Sub itself.
        queue_arn = {"Fn::Sub": f"${{{QUEUES[source.queue]}.Arn}}"}
        overrides[function_logical_id(source.name)] = {
            "Properties": {"Events": {event: {"Properties": {"Queue": queue_arn}}}}
        }
    return overrides


def lambda_requirements() -> list[str]:
    """pyproject.toml's runtime dependencies, less those Lambda provides."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    kept = []
    for requirement in project["dependencies"]:
        match = REQUIREMENT_NAME.match(requirement)
        if match is None:
            raise BuildError(f"cannot read the requirement {requirement!r}")
        if match.group(1).lower().replace("_", "-") not in PROVIDED_BY_LAMBDA:
            kept.append(requirement)
    return kept


def stage_project(project: Path, *, with_dependencies: bool) -> None:
    """A clean Chalice project holding only what ships in the Lambda package."""
    if project.exists():
        shutil.rmtree(project)
    project.mkdir(parents=True)
    for name in LAMBDA_SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, project / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        elif source.is_file():
            shutil.copy2(source, project / name)
    (project / ".chalice").mkdir()
    for source in (ROOT / ".chalice").glob("*.json"):
        shutil.copy2(source, project / ".chalice" / source.name)
    requirements = lambda_requirements() if with_dependencies else []
    (project / "requirements.txt").write_text("".join(f"{line}\n" for line in requirements))


def check_substitutions(template: dict[str, Any]) -> None:
    """Each placeholder must point at the generated function whose handler is the one statemachines names."""
    resources = template["Resources"]
    substitutions = resources[STATE_MACHINE]["Properties"]["DefinitionSubstitutions"]
    for placeholder, function_name in statemachines.FUNCTIONS.items():
        logical_id = substitutions[placeholder]["Fn::GetAtt"][0]
        function = resources.get(logical_id, {})
        if function.get("Properties", {}).get("Handler") != f"app.{function_name}":
            raise BuildError(
                f"${{{placeholder}}} points at {logical_id}, which is not the function "
                f"@app.lambda_function(name={function_name!r}) in app.py"
            )


def package(out: Path = DEFAULT_OUT, *, stage: str = "dev", with_dependencies: bool = True) -> Package:
    started = time.monotonic()
    stages = json.loads((ROOT / ".chalice" / "config.json").read_text()).get("stages", {})
    if stage not in stages:
        raise BuildError(f"no stage {stage!r} in .chalice/config.json (there: {sorted(stages)})")
    build, target = out / "build", out / "package"
    stage_project(build / "project", with_dependencies=with_dependencies)
    merge = build / "merge-template.json"
    merge.write_text(json.dumps(merge_template(), indent=2) + "\n")
    if target.exists():
        shutil.rmtree(target)
    environment = {**os.environ}
    # Chalice wants a region even to package; the template itself is region-neutral (it uses AWS::Region).
    environment.setdefault("AWS_DEFAULT_REGION", environment.get("AWS_REGION", "us-east-1"))
    command = [
        sys.executable,
        "-c",
        "import sys; from chalice.cli import main; sys.exit(main())",
        "--project-dir",
        str(build / "project"),
        "package",
        "--stage",
        stage,
        "--template-format",
        "json",
        "--merge-template",
        str(merge),
        str(target),
    ]
    result = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BuildError(f"chalice package failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    built = Package(target / "sam.json", target / "deployment.zip", time.monotonic() - started)
    check_substitutions(built.template())
    return built


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stage", default="dev", help="Chalice stage in .chalice/config.json (default: dev)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: infra/out)")
    parser.add_argument("--no-deps", action="store_true", help="skip third-party wheels: template only, offline")
    args = parser.parse_args(argv)
    try:
        built = package(args.out, stage=args.stage, with_dependencies=not args.no_deps)
    except BuildError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"template: {built.template_path}\npackage:  {built.deployment_zip}\n({built.seconds:.1f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
