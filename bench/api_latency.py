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


class Clients:
    """32 client threads, each with its own keep-alive session, kept from the warm-up to the last round.

    Every round then measures requests on open connections, as a storefront's connection pool
    makes them. With a fresh pool per round, the first request of each of the 32 clients (2% of a
    round, so exactly the p99) also measured a TCP connect and the server starting a thread for it.
    """

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=CLIENTS, thread_name_prefix="client")
        self._sessions = threading.local()

    def hammer(self, calls: list[Callable[[requests.Session], int]]) -> list[float]:
        """Run every call from the 32 clients; returns each call's latency in ms."""
        return list(self._pool.map(self._timed, calls))

    def _timed(self, call: Callable[[requests.Session], int]) -> float:
        session = getattr(self._sessions, "session", None) or requests.Session()
        self._sessions.session = session
        started = time.perf_counter()
        status = call(session)
        elapsed = (time.perf_counter() - started) * 1000
        if status >= 500:
            raise RuntimeError(f"server error {status}")
        return elapsed

    def __enter__(self) -> Clients:
        return self

    def __exit__(self, *_: Any) -> None:
        self._pool.shutdown()


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


def run(gets: int = 3200, posts: int = 320, repeats: int = 3) -> dict[str, Any]:
    with baseline_service() as baseline, Clients() as clients:
        ping = f"{baseline.url}/ping"
        clients.hammer([lambda s: s.get(ping, timeout=30).status_code] * 200)  # warm up
        baseline_stats = rounds(lambda: clients.hammer([lambda s: s.get(ping, timeout=30).status_code] * gets), repeats)
    with dispute_service() as service, Clients() as clients:
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
        clients.hammer([get_case(i) for i in range(200)])  # warm up
        get_stats = rounds(lambda: clients.hammer([get_case(i) for i in range(gets)]), repeats)
        post_stats = rounds(lambda: clients.hammer([escalate(next(unescalated)) for _ in range(posts)]), repeats)
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
