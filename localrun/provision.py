"""Create the service's AWS resources on moto, from the same files infra/ deploys."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

import statemachines

ROOT = Path(__file__).resolve().parent.parent
INFRA_RESOURCES = ROOT / "infra" / "resources.json"
REGION = "us-east-1"
ACCOUNT = "123456789012"
TABLE_NAME = "disputes"
BUCKET = "disputes-evidence"
STATE_MACHINE = "disputes-case-lifecycle"


@dataclass(frozen=True)
class Resources:
    table_name: str
    bucket: str
    state_machine_arn: str
    webhook_queue_url: str
    webhook_dlq_url: str


def lambda_arn(function_name: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{function_name}"


def _resource_properties(logical_id: str) -> dict[str, Any]:
    template = json.loads(INFRA_RESOURCES.read_text())
    properties: dict[str, Any] = template["Resources"][logical_id]["Properties"]
    return properties


def create_table() -> str:
    """The table exactly as infra/resources.json declares it (keys, GSIs, stream, TTL)."""
    spec = _resource_properties("DisputesTable")
    db = boto3.client("dynamodb", region_name=REGION)
    db.create_table(
        TableName=TABLE_NAME,
        BillingMode=spec["BillingMode"],
        AttributeDefinitions=spec["AttributeDefinitions"],
        KeySchema=spec["KeySchema"],
        GlobalSecondaryIndexes=spec["GlobalSecondaryIndexes"],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": spec["StreamSpecification"]["StreamViewType"]},
    )
    ttl = spec["TimeToLiveSpecification"]
    db.update_time_to_live(
        TableName=TABLE_NAME,
        TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": ttl["Enabled"]},
    )
    return TABLE_NAME


def create_bucket() -> str:
    """Private, encrypted, versioned, public access blocked: as in infra/resources.json."""
    spec = _resource_properties("EvidenceBucket")
    s3 = boto3.client("s3", region_name=REGION)
    s3.create_bucket(Bucket=BUCKET)
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration=spec["VersioningConfiguration"])
    rules: Any = [  # CloudFormation and the S3 API spell this key differently
        {"ApplyServerSideEncryptionByDefault": rule["ServerSideEncryptionByDefault"]}
        for rule in spec["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    ]
    s3.put_bucket_encryption(Bucket=BUCKET, ServerSideEncryptionConfiguration={"Rules": rules})
    s3.put_public_access_block(Bucket=BUCKET, PublicAccessBlockConfiguration=spec["PublicAccessBlockConfiguration"])
    return BUCKET


def create_queues() -> tuple[str, str]:
    sqs = boto3.client("sqs", region_name=REGION)
    dlq = sqs.create_queue(QueueName="disputes-webhooks-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    queue = sqs.create_queue(
        QueueName="disputes-webhooks",
        Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "20"})},
    )["QueueUrl"]
    return queue, dlq


def create_state_machine() -> str:
    """The one ASL file, with each function placeholder pointing at the local Invoke endpoint."""
    definition = statemachines.render(
        {placeholder: lambda_arn(name) for placeholder, name in statemachines.FUNCTIONS.items()}
    )
    sfn = boto3.client("stepfunctions", region_name=REGION)
    response = sfn.create_state_machine(
        name=STATE_MACHINE,
        definition=definition,
        roleArn=f"arn:aws:iam::{ACCOUNT}:role/disputes-state-machine",
        type="STANDARD",
    )
    arn: str = response["stateMachineArn"]
    return arn


def provision() -> Resources:
    queue, dlq = create_queues()
    return Resources(
        table_name=create_table(),
        bucket=create_bucket(),
        state_machine_arn=create_state_machine(),
        webhook_queue_url=queue,
        webhook_dlq_url=dlq,
    )
