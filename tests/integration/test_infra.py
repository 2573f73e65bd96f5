"""The deployable template, checked with no AWS account: cfn-lint, IAM, storage, queues, alarms, and the state
machine deployed being the very file the local runtime runs."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from chalice.app import SQSEventConfig
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

import statemachines
from app import app as chalice_app
from chalicelib.api.errors import NO_SUCH_ROUTE
from chalicelib.api.schemas import Error
from chalicelib.config import ENVIRONMENT
from infra import build
from infra.check import example_definition, template_problems
from localrun import provision
from localrun.runtime import LocalRuntime

Template = dict[str, Any]
CHALICE_CONFIG = json.loads((build.ROOT / ".chalice" / "config.json").read_text())
PSEUDO_PARAMETERS = {f"AWS::{p}" for p in ("AccountId", "NoValue", "Partition", "Region", "StackName", "URLSuffix")}
SUB_NAME = re.compile(r"\$\{([A-Za-z0-9:]+)(?:\.[A-Za-z0-9.]+)?\}")


@pytest.fixture(scope="module")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> build.Package:
    return build.package(tmp_path_factory.mktemp("infra"), with_dependencies=False)


@pytest.fixture(scope="module")
def template(packaged: build.Package) -> Template:
    return packaged.template()


def resources_of_type(template: Template, kind: str) -> dict[str, Any]:
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


def function_names(template: Template) -> dict[str, str]:
    """Logical id -> the Chalice function name (`api_handler` for the API)."""
    names = {}
    for logical_id, function in resources_of_type(template, "AWS::Serverless::Function").items():
        handler = function["Properties"]["Handler"].removeprefix("app.")
        names[logical_id] = "api_handler" if handler == "app" else handler
    return names


def role_statements(template: Template, function_logical_id: str) -> list[dict[str, Any]]:
    role_id = template["Resources"][function_logical_id]["Properties"]["Role"]["Fn::GetAtt"][0]
    policies = template["Resources"][role_id]["Properties"]["Policies"]
    return [statement for policy in policies for statement in policy["PolicyDocument"]["Statement"]]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def references(node: Any) -> Iterator[str]:
    """Every logical id or parameter named by Ref, Fn::GetAtt or Fn::Sub anywhere below node."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                yield value
            elif key == "Fn::GetAtt":
                yield value[0] if isinstance(value, list) else value.split(".")[0]
            elif key == "Fn::Sub":
                text, variables = (value[0], value[1]) if isinstance(value, list) else (value, {})
                yield from (name for name in SUB_NAME.findall(text) if name not in variables)
            if key != "DefinitionString":  # its ${...} are DefinitionSubstitutions, not CloudFormation's
                yield from references(value)
    elif isinstance(node, list):
        for item in node:
            yield from references(item)


def test_packaged_template_has_no_cfn_lint_errors_or_warnings(packaged: build.Package) -> None:
    assert template_problems(packaged.template_path) == []


def test_every_reference_in_the_template_resolves(template: Template) -> None:
    # cfn-lint misses some references (e.g. in SAM Globals), so check them all directly.
    known = template["Resources"].keys() | template.get("Parameters", {}).keys() | PSEUDO_PARAMETERS
    assert sorted(set(references(template)) - known) == []


def test_deployed_state_machine_is_the_asl_file_with_each_placeholder_bound_to_its_chalice_function(
    template: Template,
) -> None:
    machine = template["Resources"][build.STATE_MACHINE]["Properties"]
    names = function_names(template)

    bound = {name: names[arn["Fn::GetAtt"][0]] for name, arn in machine["DefinitionSubstitutions"].items()}

    assert machine["DefinitionString"] == statemachines.DEFINITION_PATH.read_text()
    assert bound == statemachines.FUNCTIONS


def test_local_runtime_runs_the_same_definition_as_is_deployed(template: Template, runtime: LocalRuntime) -> None:
    # Given the definition the local runtime created on moto
    assert runtime.resources is not None
    sfn = boto3.client("stepfunctions", region_name=provision.REGION)
    local = sfn.describe_state_machine(stateMachineArn=runtime.resources.state_machine_arn)["definition"]

    # When the deployed DefinitionString is filled with the local ARNs of the functions it is bound to
    machine = template["Resources"][build.STATE_MACHINE]["Properties"]
    names = function_names(template)
    deployed = statemachines.PLACEHOLDER.sub(
        lambda m: provision.lambda_arn(names[machine["DefinitionSubstitutions"][m.group(1)]["Fn::GetAtt"][0]]),
        machine["DefinitionString"],
    )

    # Then both are the same text
    assert deployed == local


def test_api_gateways_own_answers_are_the_apis_json_errors_and_echo_nothing(template: Template) -> None:
    responses = template["Resources"]["RestAPI"]["Properties"]["DefinitionBody"][
        "x-amazon-apigateway-gateway-responses"
    ]

    bodies = {
        kind: json.loads(response["responseTemplates"]["application/json"]) for kind, response in responses.items()
    }

    # A path no route matches is the same 404 the local runtime's server gives
    assert responses["MISSING_AUTHENTICATION_TOKEN"]["statusCode"] == "404"
    assert bodies["MISSING_AUTHENTICATION_TOKEN"] == NO_SUCH_ROUTE
    # Every other 4xx and 5xx of API Gateway keeps its status, in the API's error shape
    assert {kind for kind in responses} == {"MISSING_AUTHENTICATION_TOKEN", "DEFAULT_4XX", "DEFAULT_5XX"}
    assert "statusCode" not in responses["DEFAULT_4XX"] and "statusCode" not in responses["DEFAULT_5XX"]
    assert all(Error.model_validate(body).error.details == [] for body in bodies.values())
    # and no answer maps anything of the request (a header, $context.error.message) into itself
    assert all("responseParameters" not in response for response in responses.values())
    assert all("$" not in response["responseTemplates"]["application/json"] for response in responses.values())


def test_the_local_interpreter_parses_the_definition() -> None:
    program, _ = AmazonStateLanguageParser.parse(example_definition())
    assert program is not None


def test_state_machine_role_may_invoke_exactly_the_functions_it_calls(template: Template) -> None:
    role = template["Resources"]["StateMachineRole"]["Properties"]
    (statement,) = [s for p in role["Policies"] for s in p["PolicyDocument"]["Statement"]]
    called = {statemachines.FUNCTIONS[p] for p in statemachines.placeholders()}

    invoked = {function_names(template)[arn["Fn::GetAtt"][0]] for arn in statement["Resource"]}

    assert statement["Action"] == "lambda:InvokeFunction"
    assert invoked == called
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "states.amazonaws.com"}


def test_every_lambda_has_its_own_role_from_a_policy_named_in_chalice_config(template: Template) -> None:
    configured = CHALICE_CONFIG["lambda_functions"]
    names = function_names(template)

    unconfigured = sorted(name for name in names.values() if "iam_policy_file" not in configured.get(name, {}))
    roles = [template["Resources"][f]["Properties"]["Role"]["Fn::GetAtt"][0] for f in names]

    assert unconfigured == [], "add these to lambda_functions in .chalice/config.json with a policy file"
    assert len(set(roles)) == len(roles)


def test_no_lambda_policy_grants_a_wildcard_action_or_resource(template: Template) -> None:
    for function in function_names(template):
        for statement in role_statements(template, function):
            assert statement["Effect"] == "Allow"
            assert not any("*" in action for action in as_list(statement["Action"])), statement
            if statement["Sid"] != "Tracing":  # X-Ray has no resource-level permissions
                assert "*" not in as_list(statement["Resource"]), statement


def test_only_the_api_starts_and_resumes_case_workflows(template: Template) -> None:
    for logical_id, name in function_names(template).items():
        actions = {a for s in role_statements(template, logical_id) for a in as_list(s["Action"])}
        resumes = {"states:StartExecution", "states:SendTaskSuccess"} <= actions
        assert resumes == (name == "api_handler"), (name, sorted(actions))


def test_lambdas_reach_the_table_its_indexes_and_the_queue(template: Template) -> None:
    for logical_id in function_names(template):
        statements = {s["Sid"]: s for s in role_statements(template, logical_id)}
        assert statements["DisputesTable"]["Resource"] == [
            {"Fn::GetAtt": ["DisputesTable", "Arn"]},
            {"Fn::Sub": "${DisputesTable.Arn}/index/*"},
        ]
        queue = statements.get("WebhookOutbox") or statements["WebhookDeliveries"]
        assert queue["Resource"] == {"Fn::GetAtt": ["WebhookQueue", "Arn"]}


def test_queue_triggered_functions_consume_this_stacks_queue_and_may_receive_from_it(template: Template) -> None:
    consumers = 0
    for logical_id, function in resources_of_type(template, "AWS::Serverless::Function").items():
        for event in function["Properties"].get("Events", {}).values():
            if event["Type"] != "SQS":
                continue
            consumers += 1
            granted = {
                action
                for statement in role_statements(template, logical_id)
                if statement["Resource"] == {"Fn::GetAtt": ["WebhookQueue", "Arn"]}
                for action in as_list(statement["Action"])
            }
            assert event["Properties"]["Queue"] == {"Fn::Sub": "${WebhookQueue.Arn}"}
            assert {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"} <= granted
    assert consumers == len([s for s in chalice_app.event_sources if isinstance(s, SQSEventConfig)])


def test_every_function_is_configured_for_aws_through_its_environment(template: Template) -> None:
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    machine_name = template["Resources"][build.STATE_MACHINE]["Properties"]["StateMachineName"]["Fn::Sub"]
    required = {"DISPUTES_RUNTIME", "TABLE_NAME", "EVIDENCE_BUCKET", "STATE_MACHINE_ARN"}
    required |= {"WEBHOOK_QUEUE_URL", "WEBHOOK_DLQ_URL"}
    auth = {"JWKS_URL", "JWT_ISSUER", "JWT_AUDIENCE", "CURSOR_SECRET"}

    assert variables.keys() == required | auth
    assert variables.keys() <= set(ENVIRONMENT.values())
    assert variables["DISPUTES_RUNTIME"] == "aws"
    assert variables["STATE_MACHINE_ARN"]["Fn::Sub"].endswith(f":stateMachine:{machine_name}")
    # Cursors are signed with a secret CloudFormation generates, resolved at deploy time
    assert variables["CURSOR_SECRET"] == {"Fn::Sub": "{{resolve:secretsmanager:${CursorSigningSecret}:SecretString}}"}
    assert template["Resources"]["CursorSigningSecret"]["Type"] == "AWS::SecretsManager::Secret"
    api_policy = json.loads((build.ROOT / ".chalice" / "policy-api.json").read_text())
    workflow = next(s for s in api_policy["Statement"] if s["Sid"] == "CaseWorkflow")
    assert workflow["Resource"] == variables["STATE_MACHINE_ARN"]


def test_table_is_on_demand_recoverable_encrypted_and_expires_records(template: Template) -> None:
    table = template["Resources"]["DisputesTable"]
    properties = table["Properties"]

    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert properties["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert properties["SSESpecification"] == {"SSEEnabled": True}
    assert [index["IndexName"] for index in properties["GlobalSecondaryIndexes"]] == ["GSI1", "GSI2", "GSI3", "GSI4"]
    assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Retain"


def test_evidence_bucket_is_private_encrypted_versioned_and_ages_out_closed_cases(template: Template) -> None:
    bucket = template["Resources"]["EvidenceBucket"]
    properties = bucket["Properties"]
    rules = {rule["Id"]: rule for rule in properties["LifecycleConfiguration"]["Rules"]}

    assert all(properties["PublicAccessBlockConfiguration"].values())
    assert properties["VersioningConfiguration"] == {"Status": "Enabled"}
    assert properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rules["closed-case-evidence"]["TagFilters"] == [{"Key": "dispute-status", "Value": "closed"}]
    assert rules["old-versions-and-abandoned-uploads"]["NoncurrentVersionExpiration"]["NoncurrentDays"] > 0
    assert bucket["DeletionPolicy"] == "Retain"


def test_webhook_queue_dead_letters_after_its_retries_and_the_dead_letters_raise_an_alarm(template: Template) -> None:
    queue = template["Resources"]["WebhookQueue"]["Properties"]
    alarm = template["Resources"]["WebhookDeadLetterAlarm"]["Properties"]

    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {"Fn::GetAtt": ["WebhookDeadLetterQueue", "Arn"]}
    assert queue["RedrivePolicy"]["maxReceiveCount"] >= 1
    assert queue["VisibilityTimeout"] >= 6 * 60  # AWS advice for a Lambda-polled queue: 6x the function timeout
    assert alarm["Namespace"] == "AWS/SQS"
    assert alarm["Dimensions"] == [
        {"Name": "QueueName", "Value": {"Fn::GetAtt": ["WebhookDeadLetterQueue", "QueueName"]}}
    ]


def test_a_failed_case_workflow_raises_an_alarm(template: Template) -> None:
    alarm = template["Resources"]["FailedExecutionsAlarm"]["Properties"]

    assert (alarm["Namespace"], alarm["MetricName"]) == ("AWS/States", "ExecutionsFailed")
    assert alarm["Dimensions"] == [{"Name": "StateMachineArn", "Value": {"Ref": build.STATE_MACHINE}}]
    assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}]


def test_local_table_and_bucket_are_created_from_the_same_resources_file() -> None:
    # localrun/provision.py reads these two resources by logical id; keep them where it looks.
    resources = json.loads(Path(provision.INFRA_RESOURCES).read_text())["Resources"]
    assert resources["DisputesTable"]["Type"] == "AWS::DynamoDB::Table"
    assert resources["EvidenceBucket"]["Type"] == "AWS::S3::Bucket"
    assert provision.INFRA_RESOURCES == build.RESOURCES


def test_the_documented_deploy_passes_a_template_too_large_for_an_inline_deploy_through_s3(
    packaged: build.Package,
) -> None:
    # CloudFormation takes a template inline only up to 51,200 bytes; a larger one must go through S3
    inline_limit = 51_200
    size = packaged.template_path.stat().st_size
    readme = (build.ROOT / "README.md").read_text()
    deploy = readme[readme.index("aws cloudformation deploy") :].split("```", 1)[0]

    assert size > inline_limit, "the template fits inline now: the README's --s3-bucket is optional"
    assert "--s3-bucket" in deploy, f"the template is {size} bytes: `aws cloudformation deploy` needs --s3-bucket"
