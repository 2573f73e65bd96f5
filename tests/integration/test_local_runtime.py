"""The local runtime's moto patches keep DynamoDB's and SQS's semantics."""

from __future__ import annotations

import json
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils

from chalicelib.adapters.aws import client
from chalicelib.services.context import Context
from localrun.runtime import LocalRuntime
from tests.factories import unique


def put(ctx: Context, pk: str, **extra: Any) -> dict[str, Any]:
    return {"Put": {"TableName": ctx.settings.table_name, "Item": {"PK": {"S": pk}, "SK": {"S": "X"}, **extra}}}


def exists(ctx: Context, pk: str) -> bool:
    item = client("dynamodb").get_item(TableName=ctx.settings.table_name, Key={"PK": {"S": pk}, "SK": {"S": "X"}})
    return "Item" in item


def test_a_failed_condition_writes_nothing_and_names_the_failing_item(ctx: Context) -> None:
    first, second = unique("tx"), unique("tx")
    failing = put(ctx, second)
    failing["Put"]["ConditionExpression"] = "attribute_exists(PK)"

    with pytest.raises(ClientError) as raised:
        client("dynamodb").transact_write_items(TransactItems=[put(ctx, first), failing])

    reasons = [reason["Code"] for reason in raised.value.response["CancellationReasons"]]
    assert reasons == ["None", "ConditionalCheckFailed"]
    assert not exists(ctx, first) and not exists(ctx, second)


def test_a_write_failing_after_others_applied_is_undone(ctx: Context) -> None:
    first, second = unique("tx"), unique("tx")
    client("dynamodb").put_item(TableName=ctx.settings.table_name, Item={"PK": {"S": second}, "SK": {"S": "X"}})
    breaks = {
        "Update": {
            "TableName": ctx.settings.table_name,
            "Key": {"PK": {"S": second}, "SK": {"S": "X"}},
            "UpdateExpression": "SET n = n + :one",
            "ExpressionAttributeValues": {":one": {"N": "1"}},
        }
    }

    with pytest.raises(ClientError):
        client("dynamodb").transact_write_items(TransactItems=[put(ctx, first), breaks])

    assert not exists(ctx, first)


def test_transactions_and_plain_writes_from_many_threads_do_not_collide(ctx: Context) -> None:
    keys = [unique("tx") for _ in range(60)]

    def write(index: int) -> None:
        if index % 2:
            client("dynamodb").transact_write_items(TransactItems=[put(ctx, keys[index])])
        else:
            client("dynamodb").put_item(TableName=ctx.settings.table_name, Item=put(ctx, keys[index])["Put"]["Item"])

    with ThreadPoolExecutor(max_workers=12) as pool:
        list(pool.map(write, range(len(keys))))

    assert all(exists(ctx, key) for key in keys)


def test_a_partition_query_reads_its_partition_in_order_and_pages(ctx: Context) -> None:
    pk = unique("part")
    db = client("dynamodb")
    for sk in ("c", "a", "b", "d"):
        db.put_item(TableName=ctx.settings.table_name, Item={"PK": {"S": pk}, "SK": {"S": sk}})
    db.put_item(TableName=ctx.settings.table_name, Item={"PK": {"S": unique("other")}, "SK": {"S": "a"}})
    query = {
        "TableName": ctx.settings.table_name,
        "KeyConditionExpression": "PK = :pk",
        "ExpressionAttributeValues": {":pk": {"S": pk}},
    }

    first = db.query(**query, Limit=3)
    rest = db.query(**query, Limit=3, ExclusiveStartKey=first["LastEvaluatedKey"])
    newest = db.query(**query, ScanIndexForward=False, Limit=1)
    prefixed = db.query(
        **{
            **query,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :b)",
            "ExpressionAttributeValues": {":pk": {"S": pk}, ":b": {"S": "b"}},
        }
    )

    assert [item["SK"]["S"] for item in first["Items"] + rest["Items"]] == ["a", "b", "c", "d"]
    assert "LastEvaluatedKey" not in rest
    assert [item["SK"]["S"] for item in newest["Items"]] == ["d"]
    assert [item["SK"]["S"] for item in prefixed["Items"]] == ["b"]


def test_a_queue_still_counts_hands_out_and_deletes_its_messages_as_sqs_does(ctx: Context) -> None:
    sqs = client("sqs")
    url = sqs.create_queue(QueueName=unique("q"))["QueueUrl"]
    for index in range(4):
        sqs.send_message(QueueUrl=url, MessageBody=str(index))
    sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=60)

    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=3)["Messages"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=received[0]["ReceiptHandle"])
    counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    rest = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]

    assert [m["Body"] for m in received] == ["0", "1", "2"]
    assert (
        counts["ApproximateNumberOfMessages"],
        counts["ApproximateNumberOfMessagesNotVisible"],
        counts["ApproximateNumberOfMessagesDelayed"],
    ) == ("1", "2", "1")
    assert [m["Body"] for m in rest] == ["3"]  # neither the ones in flight nor the delayed one


class DroppingInvokeEndpoint:
    """A Lambda Invoke endpoint that closes the first `drops` connections without answering."""

    def __init__(self, drops: int) -> None:
        self.drops = drops
        self.connections = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}"

    def _serve(self) -> None:
        while True:
            connection, _ = self.listener.accept()
            with connection:
                self.connections += 1
                connection.recv(65536)
                if self.connections > self.drops:
                    connection.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n{"ok": true}')


def test_a_lambda_task_survives_a_dropped_connection_to_the_invoke_endpoint(
    ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an Invoke endpoint that drops the first connection, as an overloaded one did
    endpoint = DroppingInvokeEndpoint(drops=1)
    monkeypatch.setenv("AWS_ENDPOINT_URL_LAMBDA", endpoint.url)

    # When the state machine's Lambda integration invokes a function through it
    lambda_client: Any = lambda_eval_utils.boto_client_for(region="us-east-1", service="lambda")  # type: ignore[attr-defined]
    response = lambda_client.invoke(FunctionName="park_task_token", Payload=b"{}")

    # Then the SDK retried, as it does in AWS, and the task got its answer
    assert json.loads(response["Payload"].read()) == {"ok": True}
    assert endpoint.connections == 2


def test_no_message_is_lost_while_others_are_deleted(ctx: Context) -> None:
    # Given a queue that producers fill while consumers receive and delete
    sqs = client("sqs")
    url = sqs.create_queue(QueueName=unique("q"))["QueueUrl"]
    sent = [str(n) for n in range(800)]
    received: set[str] = set()
    lock = threading.Lock()
    producing = threading.Event()

    def produce(bodies: list[str]) -> None:
        for body in bodies:
            sqs.send_message(QueueUrl=url, MessageBody=body)

    def consume() -> None:
        while True:
            messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
            if not messages and not producing.is_set():
                return
            for message in messages:
                with lock:
                    received.add(message["Body"])
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    # When they run at the same time
    producing.set()
    with ThreadPoolExecutor(max_workers=8) as pool:
        consumers = [pool.submit(consume) for _ in range(4)]
        list(pool.map(produce, [sent[i::4] for i in range(4)]))
        producing.clear()
        for consumer in consumers:
            consumer.result()

    # Then every message sent was handed out
    assert received == set(sent)


def sent_authorization(db: Any) -> list[bytes | str | None]:
    """The Authorization header of every request `db` sends from now on."""
    seen: list[bytes | str | None] = []
    db.meta.events.register_first("before-send", lambda request, **_: seen.append(request.headers.get("Authorization")))
    return seen


def test_only_requests_the_in_process_mock_serves_go_unsigned(ctx: Context, runtime: LocalRuntime) -> None:
    # Given the case table, reached in-process and over moto's own server
    pk = unique("signed")
    client("dynamodb").put_item(TableName=ctx.settings.table_name, Item={"PK": {"S": pk}, "SK": {"S": "X"}})
    in_process = boto3.client("dynamodb", region_name="us-east-1")
    over_http = boto3.client("dynamodb", region_name="us-east-1", endpoint_url=runtime.moto_url)
    unsigned, signed = sent_authorization(in_process), sent_authorization(over_http)

    # When both query it
    key: dict[str, Any] = {
        "TableName": ctx.settings.table_name,
        "KeyConditionExpression": "PK = :pk",
        "ExpressionAttributeValues": {":pk": {"S": pk}},
    }
    answers = [in_process.query(**key), over_http.query(**key)]

    # Then the mock's request was not signed, the server's was, and both found the item
    assert unsigned == [None]
    assert str(signed[0]).find("AWS4-HMAC-SHA256 Credential=") >= 0
    assert [answer["Items"][0]["PK"]["S"] for answer in answers] == [pk, pk]


def test_a_fifo_queue_still_deduplicates_by_content(ctx: Context) -> None:
    """The queue-attributes patch answers ContentBasedDeduplication without building the rest."""
    sqs = client("sqs")
    attributes = {"FifoQueue": "true", "ContentBasedDeduplication": "true"}
    url = sqs.create_queue(QueueName=f"{unique('q')}.fifo", Attributes=attributes)["QueueUrl"]

    for _ in range(3):
        sqs.send_message(QueueUrl=url, MessageBody="same", MessageGroupId="g")

    answer = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert (answer["ApproximateNumberOfMessages"], answer["ContentBasedDeduplication"]) == ("1", "true")
