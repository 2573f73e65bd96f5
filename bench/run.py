"""`make bench`: every benchmark, printed and written to docs/BENCHMARKS.md (with raw JSON beside it).

Figures are medians over several runs; where a baseline applies it is measured in
the same run and the figure is a ratio against it, because these machines are noisy.
Pass `--quick` for a smoke run (fewer repeats, smaller scaling steps).
"""

from __future__ import annotations

import argparse
import json
import platform
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bench import api_latency, cold_start, cost_per_case, throughput
from bench.common import ROOT, dump, table

SECTIONS = ("cold_start", "cost_per_case", "api_latency", "scaling")
TARGETS = {"cold_start_ratio": 1.3, "auto_ruled_transitions": 15, "auto_ruled_writes": 12, "get_p99_ratio": 3.0}


def verdict(value: float, limit: float) -> str:
    return "meets" if value <= limit else "misses"


def report(results: dict[str, Any]) -> str:
    cold, costs, latency, scaling = (
        results["cold_start"],
        results["cost_per_case"],
        results["api_latency"],
        results["scaling"],
    )
    auto = next(c for c in costs if c["scenario"] == "auto-ruled")
    lines = [
        "# Benchmarks",
        "",
        f"Measured {results['measured_at']} on {results['machine']} with `make bench` (`python -m bench.run`).",
        "Every figure is a median over several runs; ratios are against a baseline measured in the same run.",
        "",
        "## 1. Cold start",
        "",
        table(
            [
                ["bare Chalice app importing boto3 (baseline)", f"{cold['baseline_import_s'] * 1000:.0f} ms", "1.00"],
                ["`import app`", f"{cold['app_import_s'] * 1000:.0f} ms", f"{cold['ratio']:.2f}"],
                [
                    "baseline + building its DynamoDB and Step Functions clients",
                    f"{cold['baseline_first_call_s'] * 1000:.0f} ms",
                    "1.00",
                ],
                [
                    "import + a workflow step's first-call modules and the same clients, tracing off",
                    f"{cold['first_call_tracing_off_s'] * 1000:.0f} ms",
                    f"{cold['first_call_ratio']:.2f}",
                ],
                [
                    "the same with X-Ray tracing on",
                    f"{cold['first_call_tracing_on_s'] * 1000:.0f} ms",
                    "",
                ],
            ],
            ["what", "median time", "ratio"],
        ),
        "",
        f"Target ratio ≤ {TARGETS['cold_start_ratio']}: **{verdict(cold['ratio'], TARGETS['cold_start_ratio'])}** "
        f"({cold['ratio']:.2f}). The app imports boto3, pydantic, the models and the services on first use "
        "(chalicelib/lazy.py), so `import app` is below the baseline; the honest cold start is the first call, "
        f"where a workflow step pays {cold['first_call_ratio']:.2f}× the baseline's import-and-build-clients.",
        "",
        "## 2. Cost per case",
        "",
        table(
            [
                [
                    c["scenario"],
                    c["state_transitions"],
                    c["lambda_invocations_workflow"],
                    c["api_requests"],
                    c["lifecycle_write_requests"],
                    c["lifecycle_items_written"],
                    c["webhook_write_requests"],
                    c["dynamodb_read_requests"],
                    c["webhooks_delivered"],
                ]
                for c in costs
            ],
            [
                "case",
                "state transitions",
                "workflow Lambda invocations",
                "API requests",
                "DynamoDB writes (case)",
                "items in them",
                "DynamoDB writes (webhooks, 1 subscription)",
                "DynamoDB reads",
                "webhooks",
            ],
        ),
        "",
        f"Targets for an auto-ruled case: ≤ {TARGETS['auto_ruled_transitions']} state transitions "
        f"(**{verdict(auto['state_transitions'], TARGETS['auto_ruled_transitions'])}**, {auto['state_transitions']}) and "
        f"≤ {TARGETS['auto_ruled_writes']} DynamoDB writes for the case itself "
        f"(**{verdict(auto['lifecycle_write_requests'], TARGETS['auto_ruled_writes'])}**, "
        f"{auto['lifecycle_write_requests']}). Webhook writes come on top and scale with subscriptions.",
        "",
        "Every write of the auto-ruled case, in order:",
        "",
        *[f"{index}. {line}" for index, line in enumerate(auto["write_log"], 1)],
        "",
        "What they are: (1) the storefront records the rejected request; (2) escalation: the case, its "
        "`created` and `evidence_requested` events, their outbox entries, and the request's link to the case, "
        "conditional on the request not being escalated yet; (3) the seller submits, which opens the buyer's "
        "window; (4) the buyer submits, the case waits for the rules; (5, 7) each wait state parks its task "
        "token so the API can resume it; (6) the rules rule automatically and open the appeal window; (8) the "
        "appeal window ends, the case closes and the buyer's record is updated. Every transaction is "
        "conditional on the case version it was computed from.",
        "",
        "## 3. API latency, 32 concurrent clients",
        "",
        table(
            [
                [
                    "`GET /ping`, bare Chalice local server (baseline)",
                    f"{latency['baseline_ping']['p50_ms']:.1f}",
                    f"{latency['baseline_ping']['p99_ms']:.1f}",
                    "1.00",
                ],
                [
                    "`GET /v1/disputes/{id}`",
                    f"{latency['get_dispute']['p50_ms']:.1f}",
                    f"{latency['get_dispute']['p99_ms']:.1f}",
                    f"{latency['get_p99_ratio']:.2f}",
                ],
                [
                    "`POST /v1/disputes`",
                    f"{latency['post_dispute']['p50_ms']:.1f}",
                    f"{latency['post_dispute']['p99_ms']:.1f}",
                    f"{latency['post_p99_ratio']:.2f}",
                ],
            ],
            ["route", "p50 ms", "p99 ms", "p99 ratio"],
        ),
        "",
        f"Target p99 ratio ≤ {TARGETS['get_p99_ratio']}: GET **{verdict(latency['get_p99_ratio'], 3)}**, "
        f"POST **{verdict(latency['post_p99_ratio'], 3)}**.",
        "",
        "## 4 and 5. Throughput and scaling",
        "",
        "Each case: record, escalate, seller submits, the buyer's 2 s window passes, the rules rule "
        "automatically, the 1 s appeal window ends; every webhook is verified by a loopback receiver. "
        "The service runs as a subprocess on this 2-core machine, so `cases/s` is the local runtime's "
        "(moto's emulation takes most of one core), not AWS's. `GET p50 after run` is measured right after "
        "the last escalation, while the webhook backlog is still being delivered.",
        "",
        table(
            [
                [
                    s["cases"],
                    s["closed"],
                    s["wall_time_s"],
                    s["cases_per_s"],
                    s["peak_memory_mib"],
                    s["webhooks_verified"],
                    s["webhooks_lost"],
                    s["get_p50_ms_with_10_cases"],
                    s["get_p50_ms_after_run"],
                ]
                for s in scaling
            ],
            [
                "cases",
                "closed",
                "wall time s",
                "cases/s",
                "peak memory MiB",
                "webhooks verified",
                "webhooks lost",
                "GET p50 ms, 10 cases",
                "GET p50 ms, after run",
            ],
        ),
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--report", action="store_true", help="only rewrite docs/BENCHMARKS.md from docs/benchmarks.json"
    )
    parser.add_argument(
        "--only",
        choices=list(SECTIONS),
        action="append",
        help="re-measure only these sections, keeping the others from docs/benchmarks.json",
    )
    args = parser.parse_args()
    steps = (20, 50) if args.quick else (100, 500, 2000)
    measure: dict[str, Callable[[], Any]] = {
        "cold_start": lambda: cold_start.run(repeats=5 if args.quick else 11),
        "cost_per_case": lambda: cost_per_case.run(repeats=1 if args.quick else 3),
        "api_latency": lambda: api_latency.run(gets=400 if args.quick else 1600, posts=96 if args.quick else 320),
        "scaling": lambda: [throughput.run(cases) for cases in steps],
    }
    stored = ROOT / "docs" / "benchmarks.json"
    if args.report:
        (ROOT / "docs" / "BENCHMARKS.md").write_text(report(json.loads(stored.read_text())))
        return
    results: dict[str, Any] = json.loads(stored.read_text()) if args.only and stored.is_file() else {}
    results["machine"] = f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}"
    for section in args.only or SECTIONS:
        if section == "scaling":  # each step saved as it ends: the 2,000-case step alone takes a while
            results["scaling"] = []
            save(results, stored, quick=args.quick)
            for cases in steps:
                results["scaling"].append(throughput.run(cases))
                save(results, stored, quick=args.quick)
        else:
            results[section] = measure[section]()
            save(results, stored, quick=args.quick)
    print(report(results))


def save(results: dict[str, Any], stored: Any, *, quick: bool) -> None:
    results["measured_at"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    if quick:
        return
    dump(stored, results)
    if all(section in results for section in SECTIONS):  # scaling may still be partial: its rows so far
        (ROOT / "docs" / "BENCHMARKS.md").write_text(report(results))


if __name__ == "__main__":
    main()
