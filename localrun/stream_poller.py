"""The local runtime's event source mapping: poll the table's DynamoDB stream in moto, as Lambda polls it in AWS.

Lambda reads each shard in order and calls `relay_webhook_events` with a batch of
records; a batch whose answer names a failed record is retried from that record.
This thread does the same against moto's stream, calling the same function with
the same event shape (its filter is the function's own check: moto has no filter
criteria), so the local runtime relays webhook events the way AWS does.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

import app as chalice_app
from chalicelib.adapters.aws import client
from chalicelib.observability import logger

AWS_ERRORS = (ClientError, BotoCoreError)
BATCH_SIZE = 100  # the event source mapping's BatchSize in infra/resources.json
# botocore addresses a stream call by the account in its ARN (`{account}.streams-ddb...`), which moto does not
# serve; the regional endpoint works for both.
REGIONAL_ENDPOINT = Config(account_id_endpoint_mode="disabled")


class StreamPoller:
    def __init__(self, table_name: str, interval: float = 0.05, retry_interval: float = 1.0) -> None:
        self.table_name = table_name
        self.interval = interval
        self.retry_interval = retry_interval
        self._stopped = threading.Event()
        self._turn = threading.Lock()  # held for each poll; `paused()` holds it to keep the poller out
        self._thread = threading.Thread(target=self._poll, name="stream-poller", daemon=True)
        self._streams: Any = None
        self._relayed: str | None = None  # the sequence number of the last record relayed

    def start(self) -> StreamPoller:
        import boto3  # noqa: PLC0415 - a client of its own: the shared ones have no streams config

        self._streams = boto3.client("dynamodbstreams", config=REGIONAL_ENDPOINT)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join(timeout=30)

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Nothing is relayed inside (as with the event source mapping disabled); afterwards the poller goes
        on from where it stopped. For tests that hand the fan-out an event themselves."""
        with self._turn:
            yield

    def _poll(self) -> None:
        """One shard (moto keeps one per table): from its start, batch after batch, retrying a failed batch."""
        iterator: str | None = None
        while not self._stopped.is_set():
            with self._turn:
                try:
                    iterator, wait = self._next(iterator or self._resumed())
                except AWS_ERRORS as error:  # an iterator is spent once used: go on after the last record relayed
                    logger.warning("table stream unavailable", extra={"error": str(error)})
                    iterator, wait = None, self.retry_interval
            self._stopped.wait(wait)

    def _next(self, iterator: str) -> tuple[str, float]:
        """Relay one batch; the iterator to read next, and how long to wait before reading it."""
        response = self._streams.get_records(ShardIterator=iterator, Limit=BATCH_SIZE)
        records = response.get("Records", [])
        if not records:
            return response["NextShardIterator"], self.interval
        failed = self._relay(records)
        if failed is None:
            self._relayed = str(records[-1]["dynamodb"]["SequenceNumber"])
            return response["NextShardIterator"], 0.0
        # as Lambda does: the batch again, from the first record the function reported
        return self._iterator("AT_SEQUENCE_NUMBER", failed), self.retry_interval

    def _resumed(self) -> str:
        if self._relayed is None:
            return self._iterator("TRIM_HORIZON")
        return self._iterator("AFTER_SEQUENCE_NUMBER", self._relayed)

    def _relay(self, records: list[dict[str, Any]]) -> str | None:
        try:
            answer = chalice_app.relay_webhook_events({"Records": records}, None)
        except Exception:  # as Lambda does: logged, and the whole batch is retried
            logger.exception("webhook relay failed; the batch will be retried")
            return str(records[0]["dynamodb"]["SequenceNumber"])
        failures = answer.get("batchItemFailures") or []
        return str(failures[0]["itemIdentifier"]) if failures else None

    def _iterator(self, kind: str, sequence_number: str | None = None) -> str:
        arn = client("dynamodb").describe_table(TableName=self.table_name)["Table"]["LatestStreamArn"]
        (shard,) = self._streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
        position = {"SequenceNumber": sequence_number} if sequence_number else {}
        answer = self._streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType=kind, **position
        )
        return str(answer["ShardIterator"])
