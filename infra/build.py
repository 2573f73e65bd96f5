"""Render the deployable template into infra/out/ with `chalice package --merge-template`. No AWS account needed.

    python -m infra.build [--stage dev|prod] [--out infra/out] [--no-deps]

1. Stage the Lambda sources (app.py, chalicelib/ with its bytecode, .chalice/ config and policy files) with a
   requirements.txt made from pyproject.toml's dependencies, less what Lambda already provides.
2. Write the merge template: infra/resources.json plus the state machine filled from statemachines/
   (the definition text as `DefinitionString`, each placeholder mapped to the ARN of the function
   Chalice generates for it, and the state machine role allowed to invoke exactly those functions),
   each `@app.on_sqs_message(queue=NAME)` pointed at the queue this stack creates, API Gateway's own
   answers (a path no route matches, its other 4xx and 5xx) as Gateway Responses in the API's error shape,
   the API's name, endpoint type, tracing and throttling, the CloudWatch dashboard, and the stage: the `Stage`
   parameter pinned to --stage and each StageSettings row completed from .chalice/config.json.
3. Run `chalice package`, which writes `sam.json` and `deployment.zip` into OUT/package/.

`--no-deps` packages with an empty requirements file: the template is the same, the zip lacks
third-party wheels and nothing is downloaded. CI uses it to validate the template offline.
"""

from __future__ import annotations

import argparse
import compileall
import importlib
import json
import os
import py_compile
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
from chalice.config import Config
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
# The table's stream feeds this function through this event source mapping (infra/resources.json).
STREAM_RELAY = "relay_webhook_events"
STREAM_MAPPING = "WebhookEventsFromTableStream"
REST_API = "RestAPI"  # the logical id `chalice package` gives the API
API_HANDLER = "APIHandler"  # ... and the API's function (Chalice renames it from ApiHandler)
STAGE_SETTINGS = "StageSettings"  # the mapping in infra/resources.json: one row per stage of .chalice/config.json
METRICS_NAMESPACE = "Disputes"  # chalicelib.observability's EMF namespace
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


def chalice_settings() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((ROOT / ".chalice" / "config.json").read_text())
    return loaded


def stages() -> list[str]:
    """The stages of .chalice/config.json (`make package STAGE=...`)."""
    return list(chalice_settings().get("stages", {}))


def chalice_config(stage: str) -> Config:
    """The stage's view of .chalice/config.json, as `chalice package` reads it."""
    if stage not in stages():
        raise BuildError(f"no stage {stage!r} in .chalice/config.json (there: {sorted(stages())})")
    return Config(chalice_stage=stage, config_from_disk=chalice_settings())


def stage_settings(template: dict[str, Any], stage: str) -> None:
    """Pin the `Stage` parameter to the packaged stage and fill each stage's row with what Chalice configures.

    The log retention and the API's stage name are Chalice's (`log_retention_in_days`, `api_gateway_stage`);
    the state machine's log group and the alarms and dashboard read them from the mapping, so they cannot drift.
    """
    rows = template["Mappings"][STAGE_SETTINGS]
    if sorted(rows) != sorted(stages()):
        raise BuildError(
            f"{STAGE_SETTINGS} in infra/resources.json has the stages {sorted(rows)}, "
            f".chalice/config.json {sorted(stages())}"
        )
    for name, row in rows.items():
        config = chalice_config(name)
        if not config.log_retention_in_days:
            raise BuildError(f"stage {name!r} sets no log_retention_in_days in .chalice/config.json")
        row["LogRetentionInDays"] = config.log_retention_in_days
        row["ApiStage"] = config.api_gateway_stage
    parameter = template["Parameters"]["Stage"]
    parameter["Default"] = stage
    parameter["AllowedValues"] = [stage]


def merge_template(stage: str = "dev") -> dict[str, Any]:
    """infra/resources.json with the state machine's definition, substitutions and invoke permission filled."""
    template: dict[str, Any] = json.loads(RESOURCES.read_text())
    stage_settings(template, stage)
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
    stream_mapping = resources[STREAM_MAPPING]["Properties"]
    stream_mapping["FunctionName"] = {"Ref": function_logical_id(STREAM_RELAY)}
    resources[REST_API] = {"Properties": rest_api_settings()}
    # Chalice names the API handler's log group after `ApiHandler`, a function it then renames `APIHandler`.
    resources["ApiHandlerLogGroup"] = {"Properties": {"LogGroupName": {"Fn::Sub": f"/aws/lambda/${{{API_HANDLER}}}"}}}
    resources["ServiceDashboard"] = {
        "Type": "AWS::CloudWatch::Dashboard",
        "Properties": {
            "DashboardName": {"Fn::Sub": "${AWS::StackName}-${AWS::Region}"},
            "DashboardBody": {
                "Fn::Sub": [
                    json.dumps(dashboard_body(workflow_functions()), separators=(",", ":")),
                    {"ApiStage": setting("ApiStage")},
                ]
            },
        },
    }
    return template


def setting(key: str) -> dict[str, Any]:
    return {"Fn::FindInMap": [STAGE_SETTINGS, {"Ref": "Stage"}, key]}


def rest_api_settings() -> dict[str, Any]:
    """What the merge sets on Chalice's API: its answers, name, endpoint type, tracing and throttling."""
    return {
        "DefinitionBody": {"x-amazon-apigateway-gateway-responses": gateway_responses()},
        # Named for the stack, so its CloudWatch metrics (dimension ApiName) are this stack's alone.
        "Name": {"Ref": "AWS::StackName"},
        "EndpointConfiguration": {"Type": {"Ref": "EndpointType"}},
        "TracingEnabled": True,
        # Every method of the stage: a burst over this is API Gateway's 429, before any Lambda runs.
        "MethodSettings": [
            {
                "ResourcePath": "/*",
                "HttpMethod": "*",
                "ThrottlingBurstLimit": setting("ApiThrottlingBurstLimit"),
                "ThrottlingRateLimit": setting("ApiThrottlingRateLimit"),
            }
        ],
    }


def workflow_functions() -> list[str]:
    """Logical ids of every function `chalice package` generates for app.py, the API's first."""
    chalice_app = importlib.import_module("app").app
    names = [function.name for function in chalice_app.pure_lambda_functions]
    names += [source.name for source in chalice_app.event_sources]
    return [API_HANDLER, *(function_logical_id(name) for name in names)]


def dashboard_body(functions: list[str]) -> dict[str, Any]:
    """The service at a glance, as an `Fn::Sub` text: `${X}` are this stack's resources."""
    region = "${AWS::Region}"
    api = ["ApiName", "${AWS::StackName}", "Stage", "${ApiStage}"]
    machine = ["StateMachineArn", f"${{{STATE_MACHINE}}}"]

    def widget(title: str, metrics: list[list[Any]], *, stat: str = "Sum", x: int, y: int) -> dict[str, Any]:
        return {
            "type": "metric",
            "x": x,
            "y": y,
            "width": 8,
            "height": 6,
            "properties": {"title": title, "region": region, "stat": stat, "period": 300, "metrics": metrics},
        }

    def business(*names: str) -> list[list[Any]]:
        return [[METRICS_NAMESPACE, name, "service", "disputes"] for name in names]

    def search(name: str, *dimensions: str) -> list[Any]:
        """Every series of an EMF metric with more dimensions than `service` (one per outcome, step, ...)."""
        keys = ",".join([METRICS_NAMESPACE, *sorted(["service", *dimensions])])
        return [{"expression": f"SEARCH('{{{keys}}} MetricName=\"{name}\"', 'Sum', 300)", "label": name}]

    def per_function(metric: str) -> list[list[Any]]:
        return [["AWS/Lambda", metric, "FunctionName", f"${{{logical_id}}}"] for logical_id in functions]

    queue = ["QueueName", "${WebhookQueue.QueueName}"]
    dead_letters = ["QueueName", "${WebhookDeadLetterQueue.QueueName}"]
    widgets = [
        widget(
            "API requests and errors",
            [["AWS/ApiGateway", m, *api] for m in ("Count", "4XXError", "5XXError")],
            x=0,
            y=0,
        ),
        widget(
            "API latency (ms)",
            [["AWS/ApiGateway", "Latency", *api, {"stat": s}] for s in ("p50", "p90", "p99")],
            stat="p90",
            x=8,
            y=0,
        ),
        widget(
            "Case workflows",
            [["AWS/States", m, *machine] for m in ("ExecutionsStarted", "ExecutionsFailed", "ExecutionsTimedOut")],
            x=16,
            y=0,
        ),
        widget("Lambda errors", per_function("Errors"), x=0, y=6),
        widget("Lambda throttles", per_function("Throttles"), x=8, y=6),
        widget(
            "Webhook queue and dead letters",
            [
                ["AWS/SQS", "ApproximateNumberOfMessagesVisible", *queue, {"label": "queue depth"}],
                ["AWS/SQS", "ApproximateAgeOfOldestMessage", *queue, {"label": "oldest (s)", "yAxis": "right"}],
                ["AWS/SQS", "ApproximateNumberOfMessagesVisible", *dead_letters, {"label": "dead letters"}],
            ],
            stat="Maximum",
            x=16,
            y=6,
        ),
        widget(
            "Disputes",
            [*business("DisputesEscalated", "PlatformRefunds"), search("DisputesClosed", "resolution")],
            x=0,
            y=12,
        ),
        widget(
            "Rulings and review",
            [search("Rulings", "decider", "outcome"), *business("ReviewSlaBreached")],
            x=8,
            y=12,
        ),
        widget(
            "Things going wrong",
            [
                *business(
                    "WorkflowFailures", "WebhookDeliveriesFailed", "WebhookAttemptsFailed", "WebhookEndpointsDisabled"
                ),
                search("FulfilmentStepsOverdue", "step"),
            ],
            x=16,
            y=12,
        ),
    ]
    return {"widgets": widgets}


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
    ship_bytecode(project / "chalicelib")
    (project / ".chalice").mkdir()
    for source in (ROOT / ".chalice").glob("*.json"):
        shutil.copy2(source, project / ".chalice" / source.name)
    requirements = lambda_requirements() if with_dependencies else []
    (project / "requirements.txt").write_text("".join(f"{line}\n" for line in requirements))


def ship_bytecode(package: Path) -> None:
    """Compiled modules in the zip: Lambda cannot write __pycache__ into its read-only /var/task, so without
    them every cold start compiles chalicelib again (~60 ms of the API's first request). Chalice declares the
    runtime of the Python that packages, so the bytecode matches it; unchecked-hash, because a zip's timestamps
    say nothing and the deployed sources never change."""
    compiled = compileall.compile_dir(package, quiet=1, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
    if not compiled:
        raise BuildError(f"could not compile {package}")


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
    chalice_config(stage)  # fails for a stage .chalice/config.json does not have
    build, target = out / "build", out / "package"
    stage_project(build / "project", with_dependencies=with_dependencies)
    merge = build / "merge-template.json"
    merge.write_text(json.dumps(merge_template(stage), indent=2) + "\n")
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
