"""Cold start: time to import the app in a fresh interpreter, against a bare Chalice app importing boto3."""

from __future__ import annotations

import os
import subprocess
import sys

from bench.common import ROOT, median

PROBE = "import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"


def import_seconds(module: str, tracing: bool = False) -> float:
    env = {**os.environ, "POWERTOOLS_TRACE_DISABLED": "false" if tracing else "true"}
    output = subprocess.run(
        [sys.executable, "-c", PROBE.format(module=module)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(output.stdout.strip().splitlines()[-1])


def first_workflow_call_seconds(tracing: bool) -> float:
    """Import plus what the first workflow invocation loads and builds (its modules, clients, tracer if on)."""
    probe = (
        "import time; t = time.perf_counter(); import app; app.handlers.park_task_token; "
        "from chalicelib.observability import tracer, tracing_enabled; "
        "from chalicelib.adapters.aws import client; client('dynamodb'); client('stepfunctions'); "
        "tracer() if tracing_enabled() else None; print(time.perf_counter() - t)"
    )
    env = {**os.environ, "POWERTOOLS_TRACE_DISABLED": "false" if tracing else "true", "AWS_DEFAULT_REGION": "us-east-1"}
    output = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return float(output.stdout.strip().splitlines()[-1])


def baseline_first_call_seconds() -> float:
    """The baseline's equivalent: import it and build the same two clients."""
    probe = (
        "import time; t = time.perf_counter(); import bench.baseline_app, boto3; "
        "boto3.session.Session().client('dynamodb'); boto3.session.Session().client('stepfunctions'); "
        "print(time.perf_counter() - t)"
    )
    env = {**os.environ, "AWS_DEFAULT_REGION": "us-east-1"}
    output = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return float(output.stdout.strip().splitlines()[-1])


def run(repeats: int = 9) -> dict[str, float]:
    app_runs, baseline_runs = [], []
    for _ in range(repeats):  # interleaved, so machine noise hits both alike
        baseline_runs.append(import_seconds("bench.baseline_app"))
        app_runs.append(import_seconds("app"))
    app_time, baseline = median(app_runs), median(baseline_runs)
    first_baseline, first_off, first_on = [], [], []
    for _ in range(max(3, repeats // 2)):
        first_baseline.append(baseline_first_call_seconds())
        first_off.append(first_workflow_call_seconds(False))
        first_on.append(first_workflow_call_seconds(True))
    return {
        "baseline_import_s": baseline,
        "app_import_s": app_time,
        "ratio": app_time / baseline,
        "baseline_first_call_s": median(first_baseline),
        "first_call_tracing_off_s": median(first_off),
        "first_call_tracing_on_s": median(first_on),
        "first_call_ratio": median(first_off) / median(first_baseline),
    }


if __name__ == "__main__":
    for name, value in run().items():
        print(f"{name:28} {value:.3f}")
