"""Start and stop the whole service in one process, with no AWS account and no Docker.

1. moto in-process with Step Functions execution on: DynamoDB, S3, SQS and the
   real state machine from statemachines/.
2. moto's HTTP server on the same backends, so presigned S3 URLs work for any client.
3. A Lambda Invoke endpoint that runs the Chalice app's Lambda functions.
4. The Chalice API on 127.0.0.1:PORT (localrun/api_server.py).
5. The table stream's poller, which relays committed webhook events to the queue as Lambda's
   event source mapping does in AWS, and the webhook worker: a thread polling that queue.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from typing import Any

from chalice.local import ChaliceRequestHandler, ThreadedHTTPServer
from moto import mock_aws
from moto.server import ThreadedMotoServer

import app as chalice_app
from chalicelib.bootstrap import reset_context
from localrun.api_server import create_api_server
from localrun.lambda_endpoint import LambdaInvokeServer, chalice_handlers
from localrun.moto_patches import patch_moto
from localrun.provision import REGION, Resources, provision
from localrun.stream_poller import StreamPoller
from localrun.webhook_worker import WebhookWorker

LISTEN_BACKLOG = 256


def tune_local_server() -> None:
    """Chalice's local server as a real client needs it: a listen backlog bigger than socketserver's 5
    (dozens of concurrent clients would see connection resets), and no Nagle delay (each small
    header write otherwise waits ~40 ms for the client's delayed ACK)."""
    ThreadedHTTPServer.request_queue_size = LISTEN_BACKLOG
    ChaliceRequestHandler.disable_nagle_algorithm = True


LOCAL_ENVIRONMENT = {
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "DISPUTES_RUNTIME": "local",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_NAMESPACE": "Disputes",
}


@dataclass
class LocalRuntime:
    host: str = "127.0.0.1"
    port: int = 8000
    moto_port: int = 0
    deadline_scale: float = 1.0
    serve_api: bool = True
    extra_environment: dict[str, str] = field(default_factory=dict)
    resources: Resources | None = None
    stream_poller: StreamPoller | None = None
    _stack: list[Any] = field(default_factory=list)

    @property
    def api_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def moto_url(self) -> str:
        host, port = self._moto.get_host_and_port()
        return f"http://{host}:{port}"

    def start(self) -> LocalRuntime:
        os.environ.update(LOCAL_ENVIRONMENT)
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto server's per-request lines
        patch_moto()
        mock = mock_aws(config={"stepfunctions": {"execute_state_machine": True}})
        mock.start()
        self._stack.append(mock.stop)

        self._moto = ThreadedMotoServer(ip_address=self.host, port=self.moto_port, verbose=False)
        self._moto.start()
        self._stack.append(self._moto.stop)

        invoke = LambdaInvokeServer(chalice_handlers(chalice_app.app), host=self.host).start()
        self._stack.append(invoke.stop)

        os.environ["AWS_ENDPOINT_URL_LAMBDA"] = invoke.url
        os.environ["AWS_ENDPOINT_URL_S3"] = self.moto_url
        self.resources = provision()
        os.environ.update(
            {
                "TABLE_NAME": self.resources.table_name,
                "EVIDENCE_BUCKET": self.resources.bucket,
                "STATE_MACHINE_ARN": self.resources.state_machine_arn,
                "WEBHOOK_QUEUE_URL": self.resources.webhook_queue_url,
                "WEBHOOK_DLQ_URL": self.resources.webhook_dlq_url,
                "DEADLINE_SCALE": repr(self.deadline_scale),
                **self.extra_environment,
            }
        )
        reset_context()
        self._stack.append(WebhookWorker().start().stop)
        self.stream_poller = StreamPoller(self.resources.table_name).start()
        self._stack.append(self.stream_poller.stop)
        if self.serve_api:
            self._serve_api(chalice_app.app)
        return self

    def _serve_api(self, chalice_app: Any) -> None:
        tune_local_server()
        server = create_api_server(chalice_app, self.host, self.port)
        thread = threading.Thread(target=server.serve_forever, name="chalice-api", daemon=True)
        thread.start()
        self._stack.append(server.shutdown)

    def stop(self) -> None:
        while self._stack:
            self._stack.pop()()

    def __enter__(self) -> LocalRuntime:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
