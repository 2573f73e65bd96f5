"""Cost per case: Step Functions state transitions, Lambda invocations, DynamoDB requests, per scenario.

Runs the real state machine on the in-process local runtime, one case at a time,
counting every DynamoDB call the service makes (API, workflow Lambdas, webhook
worker) until the execution has ended and every webhook was delivered.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3
from chalice.test import Client

from app import app
from bench.capacity import CapacityMeter
from bench.common import POLICIES, STOREFRONT, WebhookReceiver, headers, request_body
from chalicelib.adapters.aws import client
from chalicelib.domain.webhooks import SUBSCRIBABLE
from localrun.runtime import LocalRuntime

WRITES = {"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"}
READS = {"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"}
SHOP, BUYER, SELLER = headers("storefront", "bench-shop"), headers("buyer", "buyer-1"), headers("seller", "seller-1")
REVIEWER = headers("reviewer", "rev-1", "platform")
SENIOR = headers("senior_reviewer", "senior-1", "platform")
# A storefront whose windows stay open for hours (bench/policies/bench-appeal.json), so the buyer appeals in time.
APPEAL_SHOP = "bench-appeal"


def category(key: dict[str, Any]) -> str:
    """What an item is, from its key: the labels the write table in docs/BENCHMARKS.md uses."""
    pk: str = key["PK"]["S"]
    sk: str = key.get("SK", {}).get("S", "")
    if pk.startswith("CASE#"):
        return {"CASE": "case", "EVENT": "timeline", "TOKEN": "task token"}.get(
            sk.split("#", maxsplit=1)[0], sk.split("#", maxsplit=1)[0]
        )
    return pk.split("#", maxsplit=1)[0].lower()


@dataclass
class DynamoCounter:
    """Counts the service's DynamoDB requests and the items each write touches, by category."""

    requests: Counter[str] = field(default_factory=Counter)
    items: Counter[str] = field(default_factory=Counter)
    writes: list[str] = field(default_factory=list)
    webhook_writes: int = 0
    parks: Counter[str] = field(default_factory=Counter)  # task tokens parked, by case partition
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        name = model.name
        touched = self._keys(name, params)
        park = name == "UpdateItem" and "task_token" in params.get("UpdateExpression", "")
        with self.lock:
            self.requests[name] += 1
            if park:
                self.parks[params["Key"]["PK"]["S"]] += 1
            if name in WRITES:
                labels = ["task token"] if park else [category(key) for key in touched]
                if all(label.startswith("webhook") for label in labels):
                    self.webhook_writes += 1
                    return
                self.items.update(labels)
                self.writes.append(
                    f"{name}: {', '.join(f'{count} {label}' for label, count in Counter(labels).items())}"
                )

    @staticmethod
    def _keys(name: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        if name == "TransactWriteItems":
            return [
                next(iter(op.values())).get("Key") or next(iter(op.values()))["Item"] for op in params["TransactItems"]
            ]
        if name in ("PutItem",):
            return [params["Item"]]
        if name in ("UpdateItem", "DeleteItem"):
            return [params["Key"]]
        return []

    def snapshot(self) -> tuple[Counter[str], Counter[str], int, int]:
        with self.lock:
            return Counter(self.requests), Counter(self.items), len(self.writes), self.webhook_writes


def wait(probe: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not probe():
        if time.monotonic() > deadline:
            raise TimeoutError("the case did not finish in time")
        time.sleep(0.05)


class Bench:
    def __init__(
        self,
        api: Client,
        runtime: LocalRuntime,
        receiver: WebhookReceiver,
        counter: DynamoCounter,
        meter: CapacityMeter,
    ) -> None:
        self.api, self.runtime, self.receiver, self.counter, self.meter = api, runtime, receiver, counter, meter
        self.uncounted = boto3.client("dynamodb", region_name="us-east-1")  # the bench's own reads
        self.orders = 0
        self.api_requests = 0

    def call(self, method: str, path: str, token: dict[str, str], body: Any = None) -> Any:
        self.api_requests += 1
        response = getattr(self.api.http, method.lower())(path, headers=token, body=json.dumps(body or {}))
        assert response.status_code < 300, (path, response.status_code, response.body)
        return json.loads(response.body) if response.body else None

    def escalate(
        self,
        reason: str,
        kind: str = "return_and_refund",
        storefront: str = STOREFRONT,
        delivered_days_ago: int = 2,
        buyer_id: str = "buyer-1",
    ) -> str:
        self.orders += 1
        request_id = f"bench-{reason}-{self.orders}-{time.time_ns()}"
        shop, buyer = headers("storefront", f"{storefront}-shop", storefront), headers("buyer", buyer_id, storefront)
        body = request_body(f"o-{request_id}", reason, kind, delivered_days_ago, buyer_id)
        self.call("PUT", f"/v1/after-sales/{request_id}", shop, body)
        case: dict[str, Any] = self.call("POST", "/v1/disputes", buyer, {"request_id": request_id, "statement": "x"})
        return str(case["id"])

    def parked(self, case_id: str, windows: int) -> None:
        """Wait until the workflow has parked its token on the case's `windows`-th window.

        Parties act hours apart, long after the workflow reached its wait; acting at once would
        race it, and which one won changed the counts from run to run.
        """

        wait(lambda: self.counter.parks[f"CASE#{case_id}"] >= windows)

    def history(self, case_id: str) -> list[dict[str, Any]]:
        sfn = client("stepfunctions")
        arn = self.runtime.resources.state_machine_arn.replace(":stateMachine:", ":execution:") + f":{case_id}"  # type: ignore[union-attr]
        wait(lambda: sfn.describe_execution(executionArn=arn)["status"] != "RUNNING")
        events: list[dict[str, Any]] = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
        return events

    def settle_webhooks(self, case_id: str) -> int:
        """Wait until every webhook event the case's timeline items carry reached the receiver; returns how many."""

        def outbox() -> int:
            response = self.uncounted.query(
                TableName=self.runtime.resources.table_name,  # type: ignore[union-attr]
                KeyConditionExpression="PK = :pk AND begins_with(SK, :timeline)",
                ExpressionAttributeValues={":pk": {"S": f"CASE#{case_id}"}, ":timeline": {"S": "EVENT#"}},
                ProjectionExpression="webhooks",
            )
            return sum(len(item["webhooks"]["L"]) for item in response["Items"] if "webhooks" in item)

        expected = outbox()
        wait(lambda: len(self.receiver.for_case(case_id)) >= expected)
        time.sleep(0.3)  # let the worker finish recording the last delivery before counting stops
        return expected

    def measure(self, name: str, drive: Callable[[], str]) -> dict[str, Any]:
        before_requests, before_items, before_writes, before_webhook_writes = self.counter.snapshot()
        units_before = self.meter.snapshot()
        api_before = self.api_requests
        case_id = drive()
        api_requests = self.api_requests - api_before
        events = self.history(case_id)
        webhooks = self.settle_webhooks(case_id)
        after_requests, after_items, after_writes, after_webhook_writes = self.counter.snapshot()
        units = self.meter.snapshot() - units_before
        requests, items = after_requests - before_requests, after_items - before_items
        return {
            "scenario": name,
            "state_transitions": sum(1 for e in events if e["type"].endswith("StateEntered")),
            "lambda_invocations_workflow": sum(1 for e in events if e["type"] == "TaskScheduled"),
            "api_requests": api_requests,
            "lifecycle_write_requests": after_writes - before_writes,
            "lifecycle_items_written": sum(items.values()),
            "webhook_write_requests": after_webhook_writes - before_webhook_writes,
            "dynamodb_read_requests": sum(requests[op] for op in READS),
            "items_written_by_kind": dict(items),
            "write_log": self.counter.writes[before_writes:after_writes],
            "webhooks_delivered": webhooks,
            "write_units_table": units.table_writes,
            "write_units_indexes": units.index_writes,
            "write_units": units.table_writes + units.index_writes,
            "read_units": units.reads,
            "write_units_by_kind": dict(units.by_kind.most_common()),
        }

    # -- scenarios ------------------------------------------------------------------------

    def auto_denied(self) -> str:
        """A no-reason return asked for 10 days after delivery: both parties submit, the rules deny it, the appeal
        window ends and the case closes owing nothing (the auto-ruled case as issue 19 measured it, before
        rulings were carried out)."""
        late_buyer = "buyer-late"  # whose lost cases must not make the other scenarios' buyer look abusive
        case_id = self.escalate("no_reason_return", delivered_days_ago=10, buyer_id=late_buyer)
        self.parked(case_id, 1)
        self.call("POST", f"/v1/disputes/{case_id}/submit", SELLER)
        self.parked(case_id, 2)
        self.call("POST", f"/v1/disputes/{case_id}/submit", headers("buyer", late_buyer))
        return case_id

    def auto_ruled(self) -> str:
        """A no-reason return inside 7 days: both parties submit, the rules decide, the appeal window ends,
        and the return and refund are carried out (the buyer ships, the seller receives, the storefront refunds)."""
        case_id = self.escalate("no_reason_return")
        self.parked(case_id, 1)
        self.call("POST", f"/v1/disputes/{case_id}/submit", SELLER)
        self.parked(case_id, 2)
        self.call("POST", f"/v1/disputes/{case_id}/submit", BUYER)
        self.parked(case_id, 4)  # the appeal window, then the return shipment
        self.call("POST", f"/v1/disputes/{case_id}/return-shipment", BUYER, {"carrier": "SF", "tracking_number": "SF1"})
        self.parked(case_id, 5)
        self.call("POST", f"/v1/disputes/{case_id}/return-receipt", SELLER, {"condition": "received_ok"})
        self.parked(case_id, 6)
        self.refund(case_id)
        return case_id

    def auto_refund(self) -> str:
        """A parcel the carrier lost: the seller's tracking says so, the rules refund in full, the appeal
        window ends, and the storefront reports the refund."""
        case_id = self.escalate("not_received", kind="refund_only")
        self.parked(case_id, 1)
        lost = {"kind": "tracking", "carrier": "SF", "tracking_number": "SF1", "status": "lost"}
        self.call("POST", f"/v1/disputes/{case_id}/evidence", SELLER, lost)
        self.call("POST", f"/v1/disputes/{case_id}/submit", SELLER)
        self.parked(case_id, 2)
        self.call("POST", f"/v1/disputes/{case_id}/submit", BUYER)
        self.parked(case_id, 4)  # the appeal window, then the refund
        self.refund(case_id)
        return case_id

    def refund(self, case_id: str) -> None:
        """The storefront reports the refund the case waits on, as owed."""
        owed = self.call("GET", f"/v1/disputes/{case_id}", SHOP)["fulfilment"]
        body = {"amount": owed["owed"], "currency": owed["currency"], "reference": f"rf-{case_id}"}
        self.call("POST", f"/v1/disputes/{case_id}/refund", SHOP, body)

    def reviewer_ruled(self) -> str:
        """A quality claim without pictures: the rules queue it, a reviewer accepts the recommendation."""
        case_id = self.escalate("quality_defect")
        self.parked(case_id, 1)
        self.call("POST", f"/v1/disputes/{case_id}/submit", SELLER)
        self.parked(case_id, 2)
        self.call("POST", f"/v1/disputes/{case_id}/submit", BUYER)
        self.parked(case_id, 3)
        self.call("POST", f"/v1/disputes/{case_id}/ruling", REVIEWER, {"accept_recommendation": True})
        return case_id

    def reviewer_ruled_and_appealed(self) -> str:
        """The reviewer denies the quality claim, the buyer appeals in its window, a senior reviewer upholds it."""
        case_id = self.escalate("quality_defect", storefront=APPEAL_SHOP)
        seller, buyer = headers("seller", "seller-1", APPEAL_SHOP), headers("buyer", "buyer-1", APPEAL_SHOP)
        self.parked(case_id, 1)
        self.call("POST", f"/v1/disputes/{case_id}/submit", seller)
        self.parked(case_id, 2)
        self.call("POST", f"/v1/disputes/{case_id}/submit", buyer)
        self.parked(case_id, 3)
        self.call("POST", f"/v1/disputes/{case_id}/ruling", REVIEWER, {"accept_recommendation": True})
        self.parked(case_id, 4)  # the appeal window
        self.call("POST", f"/v1/disputes/{case_id}/appeal", buyer, {"statement": "the spout was cracked on arrival"})
        self.parked(case_id, 5)  # the senior review
        self.call("POST", f"/v1/disputes/{case_id}/ruling", SENIOR, {"accept_recommendation": True})
        return case_id

    def settled(self) -> str:
        """The seller offers a partial refund in its window, the buyer accepts, the storefront refunds."""
        case_id = self.escalate("quality_defect")
        self.parked(case_id, 1)
        offer = self.call("POST", f"/v1/disputes/{case_id}/offers", SELLER, {"amount": 6_000})
        self.call("POST", f"/v1/disputes/{case_id}/offers/{offer['id']}/accept", BUYER)
        self.parked(case_id, 2)  # the refund step
        self.refund(case_id)
        return case_id


def run(repeats: int = 3) -> list[dict[str, Any]]:
    receiver = WebhookReceiver()
    environment = {"POLICY_DIR": str(POLICIES), "WEBHOOK_RETRY_SCALE": "0.0001"}
    with LocalRuntime(serve_api=False, extra_environment=environment) as runtime, Client(app) as api:
        counter = DynamoCounter()
        client("dynamodb").meta.events.register("before-parameter-build.dynamodb", counter)
        meter = CapacityMeter(runtime.resources.table_name, category)  # type: ignore[union-attr]
        meter.install(client("dynamodb"))
        bench = Bench(api, runtime, receiver, counter, meter)
        every_event = sorted(SUBSCRIBABLE)
        subscription = bench.call("POST", "/v1/webhooks", SHOP, {"url": receiver.url, "events": every_event})
        receiver.secret = subscription["secret"]
        appeal_shop = headers("storefront", f"{APPEAL_SHOP}-shop", APPEAL_SHOP)
        appeal_hook = bench.call("POST", "/v1/webhooks", appeal_shop, {"url": receiver.url, "events": every_event})
        receiver.other_secrets = [appeal_hook["secret"]]
        results = []
        for name, drive in (
            ("auto-ruled denial", bench.auto_denied),
            ("auto-ruled refund", bench.auto_refund),
            ("auto-ruled return and refund", bench.auto_ruled),
            ("reviewer-ruled", bench.reviewer_ruled),
            ("reviewer-ruled and appealed", bench.reviewer_ruled_and_appealed),
            ("settled", bench.settled),
        ):
            runs = [bench.measure(name, drive) for _ in range(repeats)]
            results.append(sorted(runs, key=lambda r: r["lifecycle_write_requests"])[len(runs) // 2])
        if meter.failures:
            raise RuntimeError(f"the capacity meter failed on {meter.failures[:3]}")
    receiver.stop()
    return results


if __name__ == "__main__":
    for result in run():
        print(json.dumps({k: v for k, v in result.items() if k != "write_log"}, indent=1))
        print("\n".join(result["write_log"]))
