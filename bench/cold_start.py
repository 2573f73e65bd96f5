"""Cold start: time to import the app in a fresh interpreter, against a bare Chalice app importing boto3.

The first request after a cold start is measured too: a fresh interpreter imports the app and answers
`GET /v1/disputes/{id}` (an API Gateway proxy event handed to the Chalice app, as Lambda does), against
the bare app doing the same one GetItem; both read the case from a local endpoint that answers every
DynamoDB call with the same stored case, so neither pays the network.
"""

from __future__ import annotations

import compileall
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from bench.common import ROOT, STOREFRONT, headers, median, request_body

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


CASE_ID = "dsp_coldstart"
FIRST_GET = """
import json, time
t = time.perf_counter()
import {module} as entry
event = json.loads({event!r})
answer = entry.app(event, type("Context", (), {{"aws_request_id": "cold-1", "function_name": "api_handler",
    "memory_limit_in_mb": 512, "invoked_function_arn": "arn:aws:lambda:us-east-1:123456789012:function:api",
    "get_remaining_time_in_millis": lambda self: 30000}})())
elapsed = time.perf_counter() - t
assert answer["statusCode"] == 200, answer
print(elapsed)
"""


def stored_case() -> dict[str, Any]:
    """The case item a GetItem answers: a freshly escalated case of the buyer the probe's token names."""
    from chalicelib.domain import lifecycle
    from chalicelib.domain.models import Actor, AfterSalesRequest, Role
    from chalicelib.domain.policy import Deadlines

    now = datetime.now(UTC)
    fields = {**request_body("cold-1"), "request_id": "req-cold", "storefront_id": STOREFRONT, "recorded_at": now}
    buyer = Actor(sub="buyer-1", role=Role.BUYER, storefront_id=STOREFRONT)
    opened = lifecycle.open_case(AfterSalesRequest.model_validate(fields), buyer, "x", CASE_ID, "v1", Deadlines(), now)
    return {"PK": {"S": f"CASE#{CASE_ID}"}, "SK": {"S": "CASE"}, "doc": {"S": opened.case.model_dump_json()}}


@contextmanager
def canned_dynamodb() -> Iterator[str]:
    """A local endpoint answering every DynamoDB call with the stored case, for both probes alike."""
    body = json.dumps({"Item": stored_case()}).encode()

    class Answer(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(200)
            self.send_header("Content-Type", "application/x-amz-json-1.0")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def get_event() -> dict[str, Any]:
    path = f"/v1/disputes/{CASE_ID}"
    resource = "/v1/disputes/{dispute_id}"
    return {
        "resource": resource,
        "path": path,
        "httpMethod": "GET",
        "headers": headers("buyer", "buyer-1"),
        "multiValueHeaders": None,
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": {"dispute_id": CASE_ID},
        "stageVariables": None,
        "requestContext": {
            "resourcePath": resource,
            "httpMethod": "GET",
            "path": f"/api{path}",
            "requestId": "cold-1",
            "stage": "api",
            "identity": {"sourceIp": "127.0.0.1"},
        },
        "body": None,
        "isBase64Encoded": False,
    }


def first_get_seconds(module: str, endpoint: str) -> float:
    env = {
        **os.environ,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "cold",
        "AWS_SECRET_ACCESS_KEY": "cold",
        "AWS_ENDPOINT_URL_DYNAMODB": endpoint,
        "DISPUTES_RUNTIME": "local",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "TABLE_NAME": "disputes",
        "EVIDENCE_BUCKET": "disputes-evidence",
        "STATE_MACHINE_ARN": "arn:aws:states:us-east-1:123456789012:stateMachine:disputes",
    }
    probe = FIRST_GET.format(module=module, event=json.dumps(get_event()))
    output = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return float(output.stdout.strip().splitlines()[-1])


def compile_sources() -> None:
    """Bytecode for the service and the baseline, as the Lambda package ships it (infra/build.py): the installed
    libraries have theirs already, and without it every fresh interpreter here would compile the service's
    modules again, which no deployed cold start does."""
    for path in (ROOT / "chalicelib", ROOT / "bench"):
        compileall.compile_dir(path, quiet=1)
    compileall.compile_file(ROOT / "app.py", quiet=1)


def run(repeats: int = 9) -> dict[str, float]:
    compile_sources()
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
    first_get_baseline, first_get_floor, first_get_app = [], [], []
    with canned_dynamodb() as endpoint:
        for _ in range(max(3, repeats // 2)):
            first_get_baseline.append(first_get_seconds("bench.baseline_app", endpoint))
            first_get_floor.append(first_get_seconds("bench.library_floor_app", endpoint))
            first_get_app.append(first_get_seconds("app", endpoint))
    return {
        "baseline_first_get_s": median(first_get_baseline),
        "first_get_s": median(first_get_app),
        "first_get_ratio": median(first_get_app) / median(first_get_baseline),
        "library_floor_first_get_s": median(first_get_floor),
        "library_floor_first_get_ratio": median(first_get_floor) / median(first_get_baseline),
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
