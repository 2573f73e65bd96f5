"""Make moto's in-process DynamoDB fit a multi-threaded local service with thousands of cases.

1. moto's backend is not thread-safe: `transact_write_items` deep-copies a table
   while another thread may insert into it ("dictionary changed size during
   iteration"). One lock around the backend's operations gives the all-or-nothing
   view DynamoDB gives.
2. moto backs up every touched table, whole, per transaction item, so each write
   costs O(table size) and a run of N cases O(N²). Under the lock, checking every
   condition first and then applying the writes (undoing those already applied if
   one fails) is equivalent and touches only the transaction's own items.

3. moto's state machine interpreter parses every JSONPath (`$.case_id`, ...) again at
   every state with jsonpath_ng's PLY parser, a tenth of the runtime's CPU under load.
   Parsed paths are immutable, so they are cached.

4. Every moto call looks its backend up through `BackendDict.__getitem__`, which takes
   moto's global `backend_lock` even when the backend exists; with dozens of threads that
   lock (and the GIL hand-offs around it) became the runtime's bottleneck. Existing
   backends are returned without it.

5. moto answers every Query on a table's primary key by sorting the whole table and
   filtering it, so each query cost O(table) and a run slowed down as cases piled up.
   A Query names one partition; it now reads only that partition.

6. moto's SQS reads the clock three times per message for every property it checks,
   computes every queue attribute (three passes over all messages) on each send just to
   read one flag, and does that again for each message it hands out (a retention check):
   O(queue²) per receive, 60% of the runtime's CPU once a few hundred messages were in
   flight. The counts now read the clock once per pass, and the retention check reads
   the one attribute it needs. And deleting a message rebuilt the queue's list without
   the lock that sending takes, so a message sent meanwhile could vanish (3 of 14,000
   webhook events in a 2,000-case run); deleting now takes that lock. So does receiving: two
   consumers receiving at once could both be handed the same message, and the second one's
   delete then failed with ReceiptHandleIsInvalid. Finally, every send still built all of the
   queue's attributes (the counts among them) to read one FIFO flag, so sends slowed as a backlog
   grew; the attributes are now worked out only when something reads more than that flag.

7. moto's Step Functions parses the definition with ANTLR at every execution start, ~25 ms
   of CPU, a quarter of an escalation's. The parse tree depends only on the definition, so it
   is parsed once; each execution still builds its own program from it (the preprocessor
   makes fresh components, so no state is shared between executions).

8. For every Lambda task moto builds a new boto3 client (milliseconds of CPU) with retries
   off, so one connection dropped under load failed the task as `States.Runtime`, which the
   ASL rightly does not retry (in AWS a failed invoke is a retried `Lambda.SdkClientException`).
   A rare run of hundreds of cases lost a case to it. The Lambda client is built once per
   endpoint, and retries transport errors the way the SDK does by default.

9. moto finds the method for every request's action by listing its response class's members
   with `inspect.getmembers`, ~5% of the runtime's CPU serving reads. A class's methods do not
   change, so the list is made once per class.

10. botocore signs every request with SigV4 (~9% of a read's CPU) for a moto that checks no
   signature in-process. Requests the in-process mock intercepts (DynamoDB, SQS, Step Functions at
   AWS's endpoints) are sent unsigned; S3's are still signed (browsers upload evidence to moto's S3
   server with presigned URLs), and so is anything sent to an endpoint of its own.

11. moto's DynamoDB Streams keeps every shard iterator it ever handed out (each GetRecords makes a
   new one), so the local stream poller, at several calls a second, grew the process by megabytes an
   hour. An iterator is good for one GetRecords, as the poller uses it: it is forgotten once read.

12. moto's Step Functions lists an execution as soon as it is created, before its worker and the worker's
   environment exist (the worker thread builds it), and every task-token call (`SendTaskFailure` above all,
   which walks all executions) reads each listed execution's environment: an escalation starting while a
   test-clock call ended another case's wait failed that call with AttributeError, and the case stalled
   (seen under load). An execution with no environment yet has no task tokens, so the lookup skips it.

Local runtime only; pinned to moto 5.2.5 (pyproject.toml), re-check on upgrade.
"""

from __future__ import annotations

import functools
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from botocore.signers import RequestSigner
from moto.core import models as moto_models
from moto.core import responses as moto_responses
from moto.core.base_backend import BackendDict
from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.exceptions import (
    ConditionalCheckFailed,
    MultipleTransactionsException,
    TooManyTransactionsException,
    TransactionCanceledException,
    TransactWriteSingleOpException,
)
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.table import Table
from moto.dynamodbstreams.models import DynamoDBStreamsBackend
from moto.sqs.models import Message, Queue, SQSBackend
from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
from moto.stepfunctions.parser.asl.parse.preprocessor import Preprocessor
from moto.stepfunctions.parser.asl.utils import json_path
from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker
from moto.stepfunctions.parser.models import StepFunctionsParserBackend

_LOCK = threading.RLock()
_MARK = "_disputes_patched"
_OPERATIONS = frozenset({"ConditionCheck", "Put", "Delete", "Update"})


def _locked(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def serialized(*args: Any, **kwargs: Any) -> Any:
        with _LOCK:
            return method(*args, **kwargs)

    return serialized


def _key_of(backend: DynamoDBBackend, op_type: str, op: dict[str, Any]) -> dict[str, Any]:
    if op_type != "Put":
        key: dict[str, Any] = op["Key"]
        return key
    table = backend.get_table(op["TableName"])
    attrs = op["Item"]
    key = {table.hash_key_attr: attrs[table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = attrs[table.range_key_attr]
    return key


def _condition_error(backend: DynamoDBBackend, op: dict[str, Any], key: dict[str, Any]) -> tuple[Any, Any, Any]:
    expression = op.get("ConditionExpression")
    if expression is None:
        return (None, None, None)
    current = backend.get_item(op["TableName"], key)
    condition = get_filter_expression(
        expression, op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
    )
    if condition.expr(current):
        return (None, None, None)
    old = (
        current.to_json()["Attributes"]
        if current and op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD"
        else None
    )
    return ("ConditionalCheckFailed", ConditionalCheckFailed().message, old)


def _apply(backend: DynamoDBBackend, op_type: str, op: dict[str, Any], key: dict[str, Any]) -> None:
    names, values = op.get("ExpressionAttributeNames") or {}, op.get("ExpressionAttributeValues") or {}
    if op_type == "Put":
        backend.put_item(
            op["TableName"], op["Item"], expression_attribute_names=names, expression_attribute_values=values
        )
    elif op_type == "Delete":
        backend.delete_item(op["TableName"], key, expression_attribute_names=names, expression_attribute_values=values)
    elif op_type == "Update":
        backend.update_item(
            op["TableName"],
            key,
            update_expression=op["UpdateExpression"],
            expression_attribute_names=names,
            expression_attribute_values=values,
        )


def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    """All conditions first, then the writes; undo applied writes if a later one fails."""
    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    planned: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    seen: set[tuple[str, str]] = set()
    for item in transact_items:
        if len(item) > 1:
            raise TransactWriteSingleOpException
        op_type, op = next(iter(item.items()))
        if op_type not in _OPERATIONS:
            raise ValueError("Unsupported transaction operation")
        key = _key_of(self, op_type, op)
        target = (str(op["TableName"]), str(dict(sorted(key.items()))))
        if target in seen:
            raise MultipleTransactionsException()
        seen.add(target)
        planned.append((op_type, op, key))
    errors = [_condition_error(self, op, key) for _, op, key in planned]
    if any(code is not None for code, _, _ in errors):
        raise TransactionCanceledException(errors)
    undo: list[tuple[str, dict[str, Any], Any]] = []
    try:
        for op_type, op, key in planned:
            if op_type != "ConditionCheck":
                before = self.get_item(op["TableName"], key)
                undo.append((op["TableName"], key, before.to_json()["Attributes"] if before else None))
                _apply(self, op_type, op, key)
    except Exception:
        for table_name, key, before in reversed(undo):
            if before is None:
                self.delete_item(table_name, key)
            else:
                self.put_item(table_name, before)
        raise


def _existing_backend_without_lock(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def lookup(self: BackendDict, account_id: str) -> Any:  # type: ignore[type-arg]
        if dict.__contains__(self, account_id):
            return dict.__getitem__(self, account_id)
        return original(self, account_id)

    return lookup


def _partition_scoped_query(original: Callable[..., Any]) -> Callable[..., Any]:
    """A primary-key Query lists only its partition (`_only_partition` narrows `all_items` meanwhile)."""

    @functools.wraps(original)
    def query(self: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = kwargs.get("index_name", args[6] if len(args) > 6 else None)
        if index_name or hash_key is None:
            return original(self, hash_key, *args, **kwargs)
        self.__dict__["_only_partition"] = hash_key
        try:
            return original(self, hash_key, *args, **kwargs)
        finally:
            self.__dict__.pop("_only_partition", None)

    return query


def _partition_items(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def all_items(self: Table) -> Any:
        only = self.__dict__.get("_only_partition")
        if only is None:
            return original(self)
        partition = self.items.get(only)
        if partition is None:
            return []
        return list(partition.values()) if self.range_key_attr else [partition]

    return all_items


def _now_ms() -> float:
    return time.time() * 1000.0


def _available(self: Queue) -> list[Message]:
    now = _now_ms()
    return [m for m in self._messages if now > m.visible_at and now >= m.delayed_until]


def _count_available(self: Queue) -> int:
    return len(_available(self))


def _count_delayed(self: Queue) -> int:
    now = _now_ms()
    return sum(1 for m in self._messages if now < m.delayed_until)


def _count_in_flight(self: Queue) -> int:
    now = _now_ms()
    return sum(1 for m in self._messages if now <= m.visible_at)


def _within_retention(self: SQSBackend, queue_name: str, message: Message) -> bool:
    retention_s = int(self.get_queue(queue_name).message_retention_period)  # type: ignore[attr-defined]  # set from the queue attributes
    return bool(retention_s * 1000 + (message.sent_timestamp or 0) > _now_ms())


_all_queue_attributes = Queue.attributes.fget  # type: ignore[attr-defined]


class _QueueAttributes(Mapping[str, Any]):
    """`Queue.attributes`, worked out on first full use.

    Every send (and every add) reads just ContentBasedDeduplication, but moto built all the
    attributes for it, including the three message counts: a pass over the queue per send, so
    sends slowed as a backlog grew (a third of the runtime's CPU late in a 2,000-case run).
    """

    def __init__(self, queue: Queue) -> None:
        self._queue = queue
        self._all: dict[str, Any] | None = None

    def __getitem__(self, key: str) -> Any:
        if key == "ContentBasedDeduplication" and self._all is None:
            if not self._queue.fifo_queue:
                raise KeyError(key)  # moto lists the FIFO attributes of FIFO queues only
            value = self._queue.content_based_deduplication  # type: ignore[attr-defined]
            return str(value).lower() if isinstance(value, bool) else value
        return self._full()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._full())

    def __len__(self) -> int:
        return len(self._full())

    def _full(self) -> dict[str, Any]:
        if self._all is None:
            self._all = _all_queue_attributes(self._queue)
        return self._all


def _attributes_as_dict(get_queue_attributes: Callable[..., Any]) -> Callable[..., Any]:
    """GetQueueAttributes with `All` hands `Queue.attributes` itself to the serializer: a dict, as before."""

    @functools.wraps(get_queue_attributes)
    def get(self: SQSBackend, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return dict(get_queue_attributes(self, *args, **kwargs))

    return get


def _under_queue_lock(delete_message: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(delete_message)
    def delete(self: Queue, receipt_handle: str) -> None:
        with self._messages_lock:  # the lock `add_message` appends under
            delete_message(self, receipt_handle)

    return delete


def _receive_under_queue_lock(receive_message: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(receive_message)
    def receive(self: SQSBackend, queue_name: str, *args: Any, **kwargs: Any) -> Any:
        with self.get_queue(queue_name)._messages_lock:  # released while a long poll waits
            return receive_message(self, queue_name, *args, **kwargs)

    return receive


def _patch_sqs() -> None:
    Queue.delete_message = _under_queue_lock(Queue.delete_message)  # type: ignore[method-assign]
    SQSBackend.receive_message = _receive_under_queue_lock(SQSBackend.receive_message)  # type: ignore[method-assign]
    Queue.attributes = property(_QueueAttributes)  # type: ignore[assignment,method-assign]
    SQSBackend.get_queue_attributes = _attributes_as_dict(SQSBackend.get_queue_attributes)  # type: ignore[method-assign]
    Queue.messages = property(_available)  # type: ignore[assignment,method-assign]
    Queue.approximate_number_of_messages = property(_count_available)  # type: ignore[assignment,method-assign]
    Queue.approximate_number_of_messages_delayed = property(_count_delayed)  # type: ignore[assignment,method-assign]
    Queue.approximate_number_of_messages_not_visible = property(_count_in_flight)  # type: ignore[assignment,method-assign]
    SQSBackend.is_message_valid_based_on_retention_period = _within_retention  # type: ignore[method-assign]


_UNSIGNED = frozenset({"dynamodb", "sqs", "states"})  # signing names of the in-process services


def _unsigned_in_process(handler: Callable[..., Any]) -> Callable[..., Any]:
    """`RequestSigner.handler` (on request-created), skipping what moto serves in this process.

    Only while the in-process mock is on, and only for AWS's own endpoints, which it intercepts:
    a client with an endpoint of its own (moto's server, for instance) goes over the network and
    is signed as always.
    """

    @functools.wraps(handler)
    def sign(self: RequestSigner, operation_name: str | None = None, request: Any = None, **kwargs: Any) -> Any:
        if self.signing_name in _UNSIGNED and _served_in_process(request.url):
            return None
        return handler(self, operation_name, request, **kwargs)

    return sign


def _served_in_process(url: str) -> bool:
    return bool(moto_models.botocore_stubber.enabled) and (urlsplit(url).hostname or "").endswith(".amazonaws.com")


@functools.lru_cache(maxsize=16)
def _parse_tree(definition: str) -> Any:
    return AmazonStateLanguageParser.parse(definition)[1]


def _program_from_cached_tree(self: ExecutionWorker) -> Any:
    return Preprocessor().visit(_parse_tree(self._evaluation_details.state_machine_details.definition))


def _lambda_client_for(region: str, service: str, state_credentials: Any = None) -> Any:
    """moto's `boto_client_for`, as the Lambda task integration calls it (service is always lambda)."""
    return _lambda_client(region, os.environ.get("AWS_ENDPOINT_URL_LAMBDA", ""))


@functools.lru_cache(maxsize=8)
def _lambda_client(region: str, endpoint: str) -> Any:
    """One client per endpoint (the runtime's Invoke endpoint comes from AWS_ENDPOINT_URL_LAMBDA)."""
    return boto3.client(
        "lambda",
        region_name=region,
        config=Config(
            parameter_validation=False,
            retries={"mode": "standard", "total_max_attempts": 3},
            read_timeout=900,  # a Lambda's longest run; the task's own TimeoutSeconds ends it sooner
        ),
    )


def _forgetting_read_iterators(get_records: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    @functools.wraps(get_records)
    def read_once(self: DynamoDBStreamsBackend, iterator_arn: str, limit: int) -> dict[str, Any]:
        try:
            return get_records(self, iterator_arn, limit)
        finally:
            self.shard_iterators.pop(iterator_arn, None)

    return read_once


def _started_executions(get_executions: Callable[..., list[Any]]) -> Callable[..., list[Any]]:
    @functools.wraps(get_executions)
    def started(self: StepFunctionsParserBackend, *args: Any, **kwargs: Any) -> list[Any]:
        listed = get_executions(self, *args, **kwargs)
        return [execution for execution in listed if execution.exec_worker and execution.exec_worker.env]

    return started


def patch_moto() -> None:
    """Serialise DynamoDB, replace its table-copying transaction, cache JSONPaths, look backends
    up without the global lock, make SQS linear, parse the state machine once, reuse a retrying
    Lambda client, list each response class's methods once, leave in-process requests unsigned
    (idempotent)."""
    if getattr(DynamoDBBackend, _MARK, False):
        return
    _patch_sqs()
    RequestSigner.handler = _unsigned_in_process(RequestSigner.handler)  # type: ignore[method-assign]
    moto_responses.method_names_from_class = functools.cache(moto_responses.method_names_from_class)  # type: ignore[attr-defined]
    ExecutionWorker._get_evaluation_entrypoint = _program_from_cached_tree  # type: ignore[method-assign]
    lambda_eval_utils.boto_client_for = _lambda_client_for  # type: ignore[attr-defined]
    BackendDict.__getitem__ = _existing_backend_without_lock(BackendDict.__getitem__)  # type: ignore[method-assign]
    Table.query = _partition_scoped_query(Table.query)  # type: ignore[method-assign]
    Table.all_items = _partition_items(Table.all_items)  # type: ignore[method-assign]
    json_path.parse = functools.lru_cache(maxsize=1024)(json_path.parse)  # type: ignore[attr-defined]
    DynamoDBStreamsBackend.get_records = _forgetting_read_iterators(DynamoDBStreamsBackend.get_records)  # type: ignore[method-assign]
    StepFunctionsParserBackend._get_executions = _started_executions(StepFunctionsParserBackend._get_executions)  # type: ignore[method-assign]
    DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    for name, member in list(vars(DynamoDBBackend).items()):
        if not name.startswith("_") and callable(member):
            setattr(DynamoDBBackend, name, _locked(member))
    setattr(DynamoDBBackend, _MARK, True)
