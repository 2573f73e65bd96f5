"""Throughput and scaling: N disputes end to end on the local runtime, every webhook verified.

Each case: the storefront records the request, the buyer escalates, the seller
submits; the buyer's window (2 s) passes, the rules rule automatically (a
no-reason return), the appeal window (1 s) ends and the case closes. A
subscribed receiver verifies every webhook's signature. The service runs in a
subprocess so its peak memory is its own.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import boto3
import requests

from bench.common import WebhookReceiver, headers, median, request_body
from bench.service import Subprocess, dispute_service
from chalicelib.domain.webhooks import SUBSCRIBABLE

CLIENTS = 16
SHOP, BUYER, SELLER = headers("storefront", "bench-shop"), headers("buyer", "buyer-1"), headers("seller", "seller-1")


@dataclass(frozen=True)
class Driven:
    case_id: str
    escalation_ms: float


def drive_case(session: requests.Session, url: str, index: int, run_id: str) -> Driven:
    request_id = f"tp-{run_id}-{index}"
    session.put(
        f"{url}/v1/after-sales/{request_id}", headers=SHOP, json=request_body(f"o-{request_id}"), timeout=60
    ).raise_for_status()
    started = time.perf_counter()
    escalated = session.post(
        f"{url}/v1/disputes", headers=BUYER, json={"request_id": request_id, "statement": "x"}, timeout=60
    )
    escalation_ms = (time.perf_counter() - started) * 1000
    escalated.raise_for_status()
    case_id: str = escalated.json()["id"]
    session.post(f"{url}/v1/disputes/{case_id}/submit", headers=SELLER, timeout=60).raise_for_status()
    return Driven(case_id, escalation_ms)


def read_latency_ms(url: str, case_ids: list[str], samples: int = 200) -> float:
    """Median latency of GET /v1/disputes/{id}, one request at a time, spread over the given cases."""
    session, latencies = requests.Session(), []
    for index in range(samples):
        started = time.perf_counter()
        session.get(f"{url}/v1/disputes/{case_ids[index % len(case_ids)]}", headers=BUYER, timeout=30)
        latencies.append((time.perf_counter() - started) * 1000)
    return median(latencies)


def wait_until_closed(receiver: WebhookReceiver, case_ids: set[str], bound_s: float) -> set[str]:
    """The cases whose `dispute.closed` webhook arrived, waiting up to `bound_s` for all of them."""
    deadline = time.monotonic() + bound_s
    while True:
        closed = {e["data"]["dispute"]["id"] for e in list(receiver.events.values()) if e["type"] == "dispute.closed"}
        if case_ids <= closed or time.monotonic() > deadline:
            return closed & case_ids
        time.sleep(0.5)


def quiet_probe(
    url: str, receiver: WebhookReceiver, run_id: str, read_from: list[str] | None = None
) -> dict[str, float]:
    """Latency at a light, repeatable load: 10 cases driven one at a time (escalation p50), then, once
    they closed, GET p50 one request at a time over `read_from` (default: those 10 cases)."""
    session = requests.Session()
    driven = [drive_case(session, url, index, run_id) for index in range(10)]
    wait_until_closed(receiver, {d.case_id for d in driven}, 60)
    return {
        "escalation_p50_ms": round(median([d.escalation_ms for d in driven]), 1),
        "get_p50_ms": round(read_latency_ms(url, read_from or [d.case_id for d in driven]), 2),
    }


def outbox_event_ids(service: Subprocess, case_ids: list[str]) -> set[str]:
    """Every webhook event the service committed for these cases (on their timeline items), read from the
    runtime's moto endpoint. One query per case: a filtered scan of the whole table takes minutes in moto."""
    db = boto3.client(
        "dynamodb",
        endpoint_url=service.moto_url(),
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    ids: set[str] = set()
    for case_id in case_ids:
        for page in db.get_paginator("query").paginate(
            TableName="disputes",
            KeyConditionExpression="PK = :pk AND begins_with(SK, :timeline)",
            ExpressionAttributeValues={":pk": {"S": f"CASE#{case_id}"}, ":timeline": {"S": "EVENT#"}},
            ProjectionExpression="webhooks",
        ):
            ids.update(
                webhook["M"]["event_id"]["S"]
                for item in page["Items"]
                for webhook in item.get("webhooks", {}).get("L", [])
            )
    return ids


def run(cases: int) -> dict[str, Any]:
    receiver = WebhookReceiver()
    with dispute_service() as service:
        url = service.url
        subscription = requests.post(
            f"{url}/v1/webhooks",
            headers=SHOP,
            timeout=30,
            json={"url": receiver.url, "events": sorted(SUBSCRIBABLE)},
        )
        subscription.raise_for_status()
        receiver.secret = subscription.json()["secret"]
        run_id = str(time.time_ns())
        quiet_before = quiet_probe(url, receiver, f"before-{run_id}")

        started = time.perf_counter()
        sessions: dict[int, requests.Session] = {}

        def one(index: int) -> Driven:
            session = sessions.setdefault(index % CLIENTS, requests.Session())
            return drive_case(session, url, index, run_id)

        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            driven = list(pool.map(one, range(cases)))
        submitted = time.perf_counter() - started
        case_ids = [d.case_id for d in driven]
        wanted = set(case_ids)
        closed = wait_until_closed(receiver, wanted, 60 + cases * 0.5)
        finished = time.perf_counter() - started
        committed = outbox_event_ids(service, case_ids)
        settle = time.monotonic() + 120  # a delivery in retry backoff is late, not lost: give it time
        while not committed <= set(receiver.events) and time.monotonic() < settle:
            time.sleep(0.5)
        received = set(receiver.events)
        quiet_after = quiet_probe(url, receiver, f"after-{run_id}", read_from=case_ids)
        peak = service.peak_memory_mib()
        closed_count = len(wanted & closed)
    receiver.stop()
    return {
        "cases": cases,
        "closed": closed_count,
        "escalations_submitted_s": round(submitted, 1),
        "wall_time_s": round(finished, 1),
        "cases_per_s": round(cases / finished, 2),
        "webhooks_committed": len(committed),
        "webhooks_verified": len(received & committed),
        "webhooks_lost": len(committed - received),
        "bad_signatures": receiver.invalid,
        "peak_memory_mib": round(peak, 1),
        # The same light load before the run (10 cases in the service) and after it (all of them, closed):
        # equal figures mean the cases already stored do not make a request slower.
        "quiet_before": quiet_before,
        "quiet_after": quiet_after,
    }


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else 100), indent=1))
