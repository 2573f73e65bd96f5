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
from chalicelib.domain.webhooks import EventType

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


def outbox_event_ids(service: Subprocess) -> set[str]:
    """Every webhook event the service committed (the outbox), read from the runtime's moto endpoint."""
    db = boto3.client(
        "dynamodb",
        endpoint_url=service.moto_url(),
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    ids: set[str] = set()
    for page in db.get_paginator("scan").paginate(
        TableName="disputes",
        FilterExpression="begins_with(PK, :p)",
        ExpressionAttributeValues={":p": {"S": "WEBHOOK_OUTBOX#"}},
        ProjectionExpression="event_id",
    ):
        ids.update(item["event_id"]["S"] for item in page["Items"] if "event_id" in item)
    return ids


def run(cases: int) -> dict[str, Any]:
    receiver = WebhookReceiver()
    with dispute_service() as service:
        url = service.url
        subscription = requests.post(
            f"{url}/v1/webhooks",
            headers=SHOP,
            timeout=30,
            json={"url": receiver.url, "events": [e.value for e in EventType]},
        )
        subscription.raise_for_status()
        receiver.secret = subscription.json()["secret"]
        run_id = str(time.time_ns())
        warm = [drive_case(requests.Session(), url, i, f"warm-{run_id}").case_id for i in range(10)]
        latency_before = read_latency_ms(url, warm)

        started = time.perf_counter()
        sessions: dict[int, requests.Session] = {}

        def one(index: int) -> Driven:
            session = sessions.setdefault(index % CLIENTS, requests.Session())
            return drive_case(session, url, index, run_id)

        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            driven = list(pool.map(one, range(cases)))
        submitted = time.perf_counter() - started
        case_ids = [d.case_id for d in driven]
        tenth = max(1, cases // 10)
        latency_loaded = read_latency_ms(url, case_ids)

        wanted = set(case_ids)
        deadline = time.monotonic() + 60 + cases * 0.5
        while time.monotonic() < deadline:
            closed = {
                e["data"]["dispute"]["id"] for e in list(receiver.events.values()) if e["type"] == "dispute.closed"
            }
            if wanted <= closed:
                break
            time.sleep(0.5)
        finished = time.perf_counter() - started
        committed = outbox_event_ids(service)
        settle = time.monotonic() + 120  # a delivery in retry backoff is late, not lost: give it time
        while not committed <= set(receiver.events) and time.monotonic() < settle:
            time.sleep(0.5)
        received = set(receiver.events)
        latency_settled = read_latency_ms(url, case_ids)  # all cases closed, backlog delivered: a quiet service
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
        "get_p50_ms_with_10_cases": round(latency_before, 2),
        "get_p50_ms_after_run": round(latency_loaded, 2),
        "get_p50_ms_settled": round(latency_settled, 2),
        # Escalation latency under the run's load, early (the second tenth of the cases: the first is the
        # ramp-up) and late (the last tenth): equal when the cases already in the service slow nothing down.
        "escalation_p50_ms_early": round(median([d.escalation_ms for d in driven[tenth : 2 * tenth]]), 1),
        "escalation_p50_ms_late": round(median([d.escalation_ms for d in driven[-tenth:]]), 1),
    }


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else 100), indent=1))
