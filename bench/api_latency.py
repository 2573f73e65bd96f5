"""API latency under 32 concurrent clients, against a trivial route of a bare Chalice local server.

Both servers run as subprocesses on Chalice's local server, measured in the same run, three rounds
each; the p50 and p99 reported are the medians of the rounds'.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests

from bench.common import STOREFRONT, headers, median, percentile, request_body
from bench.service import baseline_service, dispute_service

CLIENTS = 32
SHOP, BUYER = headers("storefront", "bench-shop"), headers("buyer", "buyer-1")


def hammer(calls: list[Callable[[requests.Session], int]]) -> list[float]:
    """Run every call from 32 client threads (one session each); returns each call's latency in ms."""
    sessions = threading.local()
    latencies: list[float] = []
    lock = threading.Lock()

    def run(call: Callable[[requests.Session], int]) -> None:
        session = getattr(sessions, "s", None) or requests.Session()
        sessions.s = session
        started = time.perf_counter()
        status = call(session)
        elapsed = (time.perf_counter() - started) * 1000
        if status >= 500:
            raise RuntimeError(f"server error {status}")
        with lock:
            latencies.append(elapsed)

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        list(pool.map(run, calls))
    return latencies


def summary(latencies: list[float]) -> dict[str, float]:
    return {"p50_ms": median(latencies), "p99_ms": percentile(latencies, 0.99), "requests": len(latencies)}


def rounds(measure: Callable[[], list[float]], count: int) -> dict[str, Any]:
    """`count` rounds of the same load; p50 and p99 are the medians of the rounds' (a p99 is noisy)."""
    each = [summary(measure()) for _ in range(count)]
    return {
        "p50_ms": median([r["p50_ms"] for r in each]),
        "p99_ms": median([r["p99_ms"] for r in each]),
        "requests": sum(int(r["requests"]) for r in each),
        "rounds": each,
    }


def run(gets: int = 1600, posts: int = 320, repeats: int = 3) -> dict[str, Any]:
    with baseline_service() as baseline:
        ping = f"{baseline.url}/ping"
        hammer([lambda s: s.get(ping, timeout=30).status_code] * 200)  # warm up
        baseline_stats = rounds(lambda: hammer([lambda s: s.get(ping, timeout=30).status_code] * gets), repeats)
    with dispute_service() as service:
        url = service.url
        request_ids = [f"lat-{index}-{time.time_ns()}" for index in range(posts * repeats + 20)]
        for request_id in request_ids:
            body = request_body(f"o-{request_id}")
            requests.put(f"{url}/v1/after-sales/{request_id}", headers=SHOP, json=body, timeout=30).raise_for_status()
        warm = [
            requests.post(f"{url}/v1/disputes", headers=BUYER, json={"request_id": r, "statement": "x"}, timeout=30)
            for r in request_ids[:20]
        ]
        case_ids = [response.json()["id"] for response in warm]

        def get_case(index: int) -> Callable[[requests.Session], int]:
            path = f"{url}/v1/disputes/{case_ids[index % len(case_ids)]}"
            return lambda s: s.get(path, headers=BUYER, timeout=30).status_code

        def escalate(request_id: str) -> Callable[[requests.Session], int]:
            body = {"request_id": request_id, "statement": "x"}
            return lambda s: s.post(f"{url}/v1/disputes", headers=BUYER, json=body, timeout=30).status_code

        unescalated = iter(request_ids[20:])
        hammer([get_case(i) for i in range(200)])  # warm up
        get_stats = rounds(lambda: hammer([get_case(i) for i in range(gets)]), repeats)
        post_stats = rounds(lambda: hammer([escalate(next(unescalated)) for _ in range(posts)]), repeats)
    return {
        "clients": CLIENTS,
        "storefront": STOREFRONT,
        "baseline_ping": baseline_stats,
        "get_dispute": get_stats,
        "post_dispute": post_stats,
        "get_p99_ratio": get_stats["p99_ms"] / baseline_stats["p99_ms"],
        "post_p99_ratio": post_stats["p99_ms"] / baseline_stats["p99_ms"],
    }


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=1))
