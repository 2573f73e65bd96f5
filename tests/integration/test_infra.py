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
    statements = [s for p in role["Policies"] for s in p["PolicyDocument"]["Statement"]]
    (statement,) = [s for s in statements if any(a.startswith("lambda:") for a in as_list(s["Action"]))]
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
    webhook_queue = {"Fn::GetAtt": ["WebhookQueue", "Arn"]}
    for logical_id, name in function_names(template).items():
        statements = {s["Sid"]: s for s in role_statements(template, logical_id)}
        actions = {a for s in statements.values() for a in as_list(s["Action"])}
        if name == build.STREAM_RELAY:  # the stream's records carry the keys it relays: no table access
            assert "DisputesTable" not in statements
            assert statements["TableStream"]["Resource"] == {"Fn::GetAtt": ["DisputesTable", "StreamArn"]}
            relayed_to = statements["WebhookQueueAndRelayFailures"]["Resource"]
            assert relayed_to == [webhook_queue, {"Fn::GetAtt": ["OutboxRelayFailureQueue", "Arn"]}]
            continue
        assert statements["DisputesTable"]["Resource"] == [
            {"Fn::GetAtt": ["DisputesTable", "Arn"]},
            {"Fn::Sub": "${DisputesTable.Arn}/index/*"},
        ]
        if name in statemachines.FUNCTIONS.values():  # a step commits the case; the stream relays its events
            assert not any(action.startswith("sqs:") for action in actions), (name, sorted(actions))
        else:  # the API queues test events and redeliveries; the consumer, every attempt
            queue = statements.get("WebhookAttempts") or statements["WebhookDeliveries"]
            assert queue["Resource"] == webhook_queue


def test_the_table_stream_feeds_the_relay_filtered_to_outbox_inserts_and_retried_in_halves(template: Template) -> None:
    (mapping,) = resources_of_type(template, "AWS::Lambda::EventSourceMapping").values()
    properties = mapping["Properties"]
    table = template["Resources"]["DisputesTable"]["Properties"]

    assert table["StreamSpecification"] == {"StreamViewType": "KEYS_ONLY"}
    assert properties["EventSourceArn"] == {"Fn::GetAtt": ["DisputesTable", "StreamArn"]}
    assert properties["FunctionName"] == {"Ref": build.function_logical_id(build.STREAM_RELAY)}
    assert build.function_logical_id(build.STREAM_RELAY) in function_names(template)
    # inserted timeline items, which carry a write's webhook events, and the outbox items events had before
    patterns = [json.loads(each["Pattern"]) for each in properties["FilterCriteria"]["Filters"]]
    assert patterns == [
        {"eventName": ["INSERT"], "dynamodb": {"Keys": {"PK": {"S": [{"prefix": "WEBHOOK_OUTBOX#"}]}}}},
        {
            "eventName": ["INSERT"],
            "dynamodb": {"Keys": {"PK": {"S": [{"prefix": "CASE#"}]}, "SK": {"S": [{"prefix": "EVENT#"}]}}},
        },
    ]
    assert properties["BisectBatchOnFunctionError"] is True
    assert properties["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    failures = properties["DestinationConfig"]["OnFailure"]["Destination"]
    assert failures == {"Fn::GetAtt": ["OutboxRelayFailureQueue", "Arn"]}
    assert "OutboxRelayFailureAlarm" in template["Resources"]


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
    indexes = [index["IndexName"] for index in properties["GlobalSecondaryIndexes"]]
    assert indexes == ["GSI1", "GSI2", "GSI3", "GSI4", "GSI5"]
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


# Stages, logs, tracing, throttling, concurrency, dashboard and alarms (issue 20)

STAGES = list(CHALICE_CONFIG["stages"])
LOG_ACTIONS = {"logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery"}
LOG_ACTIONS |= {"logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies"}
LOG_ACTIONS |= {"logs:DescribeLogGroups"}
EMITTED = re.compile(r"""count\(\s*"([A-Za-z]+)\"""")


@pytest.fixture(scope="module")
def staged(tmp_path_factory: pytest.TempPathFactory, packaged: build.Package) -> dict[str, build.Package]:
    """Every stage of .chalice/config.json packaged (dev is the module's own `packaged`)."""
    others = {
        stage: build.package(tmp_path_factory.mktemp(f"infra-{stage}"), stage=stage, with_dependencies=False)
        for stage in STAGES
        if stage != "dev"
    }
    return {"dev": packaged, **others}


def setting(template: Template, stage: str, node: Any) -> Any:
    """A value, or the stage's row of StageSettings when it is `Fn::FindInMap [StageSettings, Ref Stage, key]`."""
    if isinstance(node, dict) and "Fn::FindInMap" in node:
        mapping, key, name = node["Fn::FindInMap"]
        assert key == {"Ref": "Stage"}
        return template["Mappings"][mapping][stage][name]
    return node


def stage_config(stage: str, key: str, function: str | None = None) -> Any:
    """What .chalice/config.json sets for a stage (and a function in it), as Chalice looks it up."""
    scoped = CHALICE_CONFIG["stages"][stage]
    if function is not None and key in scoped.get("lambda_functions", {}).get(function, {}):
        return scoped["lambda_functions"][function][key]
    return scoped.get(key, CHALICE_CONFIG.get(key))


def emitted_metrics() -> set[str]:
    """The metric names the service's code emits through chalicelib.observability.count."""
    return {name for path in (build.ROOT / "chalicelib").rglob("*.py") for name in EMITTED.findall(path.read_text())}


def test_dev_and_prod_stages_package_lint_clean_and_pin_their_own_settings(staged: dict[str, build.Package]) -> None:
    assert {"dev", "prod"} <= set(staged)
    rows = staged["dev"].template()["Mappings"]["StageSettings"]
    assert set(rows) == set(STAGES)
    # the stages differ where the docs say they do: prod keeps logs longer, logs less, alarms sooner
    assert rows["prod"]["LogRetentionInDays"] > rows["dev"]["LogRetentionInDays"]
    assert (rows["dev"]["StateMachineLogLevel"], rows["prod"]["StateMachineLogLevel"]) == ("ALL", "ERROR")
    assert rows["prod"]["Api5xxPercentThreshold"] < rows["dev"]["Api5xxPercentThreshold"]
    for stage, built in staged.items():
        template = built.template()
        assert template_problems(built.template_path) == [], stage
        # A package deploys as the stage it was built for, and nothing else
        assert template["Parameters"]["Stage"]["AllowedValues"] == [stage]
        assert template["Parameters"]["Stage"]["Default"] == stage
        assert template["Mappings"]["StageSettings"][stage]["LogRetentionInDays"] == stage_config(
            stage, "log_retention_in_days"
        )
        assert template["Mappings"]["StageSettings"][stage]["ApiStage"] == stage_config(stage, "api_gateway_stage")


def test_every_log_group_is_the_functions_or_state_machines_own_and_has_the_stages_retention(
    staged: dict[str, build.Package],
) -> None:
    for stage, built in staged.items():
        template = built.template()
        groups = resources_of_type(template, "AWS::Logs::LogGroup")
        named = {g["Properties"]["LogGroupName"]["Fn::Sub"]: g for g in groups.values()}
        expected = {f"/aws/lambda/${{{logical_id}}}" for logical_id in function_names(template)}
        expected.add("/aws/vendedlogs/states/${AWS::StackName}-case-lifecycle")

        # one group per function, named as Lambda would name it (so Lambda never creates an unretained one)
        assert set(named) == expected, stage
        assert len(named) == len(groups)
        for group in groups.values():
            retention = setting(template, stage, group["Properties"]["RetentionInDays"])
            assert retention == stage_config(stage, "log_retention_in_days"), stage


def test_state_machine_logs_to_its_group_at_the_stages_level_without_execution_data_and_traces(
    staged: dict[str, build.Package],
) -> None:
    for stage, built in staged.items():
        template = built.template()
        machine = template["Resources"][build.STATE_MACHINE]["Properties"]
        logging = machine["LoggingConfiguration"]
        role = template["Resources"]["StateMachineRole"]["Properties"]
        granted = {a for p in role["Policies"] for s in p["PolicyDocument"]["Statement"] for a in as_list(s["Action"])}

        assert logging["Destinations"] == [
            {"CloudWatchLogsLogGroup": {"LogGroupArn": {"Fn::GetAtt": ["StateMachineLogGroup", "Arn"]}}}
        ]
        assert setting(template, stage, logging["Level"]) == ("ALL" if stage == "dev" else "ERROR")
        assert logging["IncludeExecutionData"] is False  # case data (names, notes) stays out of the logs
        assert machine["TracingConfiguration"] == {"Enabled": True}
        # Step Functions delivers logs through CloudWatch Logs' delivery API, and writes trace segments
        assert granted >= LOG_ACTIONS | {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}


def test_every_function_and_the_api_trace_actively_and_may_write_their_segments(template: Template) -> None:
    for logical_id in function_names(template):
        statements = {s["Sid"]: s for s in role_statements(template, logical_id)}
        assert template["Resources"][logical_id]["Properties"]["Tracing"] == "Active", logical_id
        assert {"xray:PutTraceSegments", "xray:PutTelemetryRecords"} <= set(statements["Tracing"]["Action"])
    assert template["Resources"]["RestAPI"]["Properties"]["TracingEnabled"] is True


def test_the_api_stage_throttles_every_method_and_the_endpoint_type_is_a_parameter(
    staged: dict[str, build.Package],
) -> None:
    for stage, built in staged.items():
        template = built.template()
        api = template["Resources"]["RestAPI"]["Properties"]
        (method,) = api["MethodSettings"]

        assert (method["ResourcePath"], method["HttpMethod"]) == ("/*", "*")
        burst = setting(template, stage, method["ThrottlingBurstLimit"])
        rate = setting(template, stage, method["ThrottlingRateLimit"])
        assert 0 < rate <= burst, stage
        # EDGE by default; REGIONAL where there is no edge (AWS China regions) or behind a CDN of one's own
        assert api["EndpointConfiguration"] == {"Type": {"Ref": "EndpointType"}}
        assert template["Parameters"]["EndpointType"]["AllowedValues"] == ["EDGE", "REGIONAL"]
        assert template["Parameters"]["EndpointType"]["Default"] == "EDGE"
        # named for the stack, so the dashboard's and alarms' ApiName is this stack's API alone
        assert api["Name"] == {"Ref": "AWS::StackName"}
    rows = staged["dev"].template()["Mappings"]["StageSettings"]
    assert rows["prod"]["ApiThrottlingRateLimit"] > rows["dev"]["ApiThrottlingRateLimit"]


def test_prod_reserves_concurrency_for_the_api_and_caps_the_webhook_consumer(
    staged: dict[str, build.Package],
) -> None:
    # docs/SCALING.md: reserve concurrency for the API so a webhook backlog can never starve it
    template = staged["prod"].template()
    reserved = {
        name: template["Resources"][logical_id]["Properties"].get("ReservedConcurrentExecutions")
        for logical_id, name in function_names(template).items()
    }

    assert reserved == {name: stage_config("prod", "reserved_concurrency", name) for name in reserved}
    assert reserved["api_handler"] is not None and reserved["deliver_webhooks"] is not None
    assert reserved["api_handler"] > reserved["deliver_webhooks"] > 0
    # Lambda keeps 100 of the default 1,000 unreserved
    assert sum(r for r in reserved.values() if r) <= 900
    # dev reserves nothing: a new account's concurrency may be too small to reserve from
    dev = staged["dev"].template()
    assert all("ReservedConcurrentExecutions" not in dev["Resources"][f]["Properties"] for f in function_names(dev))


def test_the_dashboard_shows_the_api_workflows_functions_queues_and_the_services_own_metrics(
    template: Template,
) -> None:
    body = template["Resources"]["ServiceDashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    text, variables = body
    metrics = [row for widget in json.loads(text)["widgets"] for row in widget["properties"]["metrics"]]
    shown = {(row[0], row[1]) for row in metrics if isinstance(row[0], str)}
    expressions = " ".join(row[0]["expression"] for row in metrics if isinstance(row[0], dict))
    searched = set(re.findall(r'MetricName="(\w+)"', expressions))
    named = set(SUB_NAME.findall(text)) - set(variables)

    assert {("AWS/ApiGateway", m) for m in ("Count", "5XXError", "Latency")} <= shown
    assert {("AWS/States", m) for m in ("ExecutionsFailed", "ExecutionsTimedOut")} <= shown
    assert {
        ("AWS/Lambda", "Errors"),
        ("AWS/Lambda", "Throttles"),
        ("AWS/SQS", "ApproximateNumberOfMessagesVisible"),
    } <= shown
    business = {"DisputesEscalated", "Rulings", "DisputesClosed", "FulfilmentStepsOverdue", "PlatformRefunds"}
    business |= {"WorkflowFailures", "WebhookDeliveriesFailed", "ReviewSlaBreached"}
    on_dashboard = {m for ns, m in shown if ns == build.METRICS_NAMESPACE} | searched
    assert business <= on_dashboard
    assert on_dashboard <= emitted_metrics(), "the dashboard shows a metric the code never emits"
    # every function's errors and throttles, both queues, and nothing that is not this stack's
    functions = {row[3] for row in metrics if isinstance(row[0], str) and row[0] == "AWS/Lambda"}
    assert functions == {f"${{{logical_id}}}" for logical_id in function_names(template)}
    assert {"WebhookQueue", "WebhookDeadLetterQueue", build.STATE_MACHINE, "AWS::StackName"} <= named
    assert named <= template["Resources"].keys() | PSEUDO_PARAMETERS


def test_alarms_watch_api_5xx_webhook_failures_stalled_workflows_and_review_slas_and_page_the_topic(
    staged: dict[str, build.Package],
) -> None:
    for stage, built in staged.items():
        template = built.template()
        alarms = resources_of_type(template, "AWS::CloudWatch::Alarm")
        watched = {}
        for name, alarm in alarms.items():
            properties = alarm["Properties"]
            assert properties["AlarmActions"] == [{"Ref": "AlarmTopic"}], name
            assert properties["TreatMissingData"] == "notBreaching", name
            stats = [m["MetricStat"]["Metric"] for m in properties.get("Metrics", []) if "MetricStat" in m]
            for metric in [properties, *stats]:
                if "MetricName" in metric:
                    watched[(metric["Namespace"], metric["MetricName"])] = (name, metric)

        assert {
            ("AWS/ApiGateway", "5XXError"),
            ("AWS/ApiGateway", "Count"),
            (build.METRICS_NAMESPACE, "WebhookAttemptsFailed"),
            (build.METRICS_NAMESPACE, "WorkflowFailures"),
            (build.METRICS_NAMESPACE, "ReviewSlaBreached"),
            ("AWS/SQS", "ApproximateNumberOfMessagesVisible"),
            ("AWS/States", "ExecutionsFailed"),
        } <= watched.keys(), stage
        for (namespace, metric_name), (_, metric) in watched.items():
            if namespace == build.METRICS_NAMESPACE:
                # EMF metrics carry the `service` dimension only (chalicelib.observability.count)
                assert metric_name in emitted_metrics()
                assert metric["Dimensions"] == [{"Name": "service", "Value": "disputes"}]
        api_5xx = alarms["Api5xxAlarm"]["Properties"]
        (expression,) = [m for m in api_5xx["Metrics"] if m.get("ReturnData")]
        assert expression["Expression"] == "IF(requests > 0, 100 * errors / requests, 0)"
        dimensions = watched[("AWS/ApiGateway", "5XXError")][1]["Dimensions"]
        assert [setting(template, stage, d["Value"]) for d in dimensions] == [
            {"Ref": "AWS::StackName"},
            stage_config(stage, "api_gateway_stage"),
        ]
        assert 0 < setting(template, stage, api_5xx["Threshold"]) < 100


def test_the_readme_deploys_a_stage_and_offers_the_regional_endpoint() -> None:
    readme = (build.ROOT / "README.md").read_text()
    deploy = readme[readme.index("## Deploy to AWS") :].split("\n## ", 1)[0]

    assert "make package STAGE=prod" in deploy
    assert all(f"`{stage}`" in deploy for stage in STAGES), "say what each stage sets"
    assert "EndpointType=REGIONAL" in deploy


def test_every_index_projects_only_what_its_queries_read_never_the_task_token(template: Template) -> None:
    table = template["Resources"]["DisputesTable"]["Properties"]
    for index in table["GlobalSecondaryIndexes"]:
        projection = index["Projection"]
        assert projection["ProjectionType"] == "INCLUDE", index["IndexName"]
        # a park rewrites the token on the case item: no index entry may change with it
        assert not {"task_token", "parked_window", "version", "window_id"} & set(projection["NonKeyAttributes"])
