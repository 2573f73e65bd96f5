"""Lambda's Invoke API on loopback, calling the Chalice app's @app.lambda_function handlers.

moto's state machine interpreter calls this for every `lambda:invoke` task (it
honours AWS_ENDPOINT_URL_LAMBDA). Handler exceptions are reported the way Lambda
does, so the ASL's Retry/Catch match on the Python exception class name.
"""

from __future__ import annotations

import json
import re
import threading
import traceback
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

Handler = Callable[[dict[str, Any], Any], Any]
INVOKE_PATH = re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/invocations$")


class LambdaContext:
    """The few attributes handlers (and Powertools) read from a Lambda context."""

    def __init__(self, name: str) -> None:
        self.function_name = name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{name}"
        self.memory_limit_in_mb = 512
        self.aws_request_id = "local"
        self.log_group_name = f"/aws/lambda/{name}"
        self.log_stream_name = "local"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 900_000


def _function_name(raw: str) -> str:
    """`park_task_token`, or the last part of its ARN (optionally with a qualifier)."""
    name = unquote(raw)
    if name.startswith("arn:"):
        name = name.split(":")[6]
    return name


class _InvokeHTTPServer(ThreadingHTTPServer):
    """socketserver listens with a backlog of 5: when more executions invoke at once than that,
    connections are reset before an answer, which the state machine sees as `States.Runtime`
    (in AWS a failed invoke is a retried `Lambda.SdkClientException`). A backlog like a real
    server's keeps every invocation."""

    request_queue_size = 256
    daemon_threads = True


class LambdaInvokeServer:
    def __init__(self, handlers: dict[str, Handler], host: str = "127.0.0.1", port: int = 0) -> None:
        self.handlers = handlers
        server = self

        class RequestHandler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                server._invoke(self)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: each invocation is logged by the handler itself."""

        self.httpd = _InvokeHTTPServer((host, port), RequestHandler)
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="lambda-invoke", daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> LambdaInvokeServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _invoke(self, request: BaseHTTPRequestHandler) -> None:
        match = INVOKE_PATH.match(request.path.split("?")[0])
        length = int(request.headers.get("Content-Length") or 0)
        payload = request.rfile.read(length) if length else b"{}"
        if not match:
            return self._reply(request, 404, {"Type": "User", "message": f"no route {request.path}"})
        name = _function_name(match["name"])
        handler = self.handlers.get(name)
        if handler is None:
            return self._reply(request, 404, {"Type": "User", "message": f"Function not found: {name}"})
        try:
            result = handler(json.loads(payload or b"{}"), LambdaContext(name))
        except Exception as error:  # reported like Lambda does, so Retry/Catch apply
            body = {
                "errorType": type(error).__name__,
                "errorMessage": str(error),
                "stackTrace": traceback.format_exception(error)[-5:],
            }
            return self._reply(request, 200, body, {"X-Amz-Function-Error": "Unhandled"})
        return self._reply(request, 200, result)

    @staticmethod
    def _reply(request: BaseHTTPRequestHandler, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(data)))
        request.send_header("X-Amz-Executed-Version", "$LATEST")
        for key, value in (headers or {}).items():
            request.send_header(key, value)
        request.end_headers()
        request.wfile.write(data)


def chalice_handlers(app: Any) -> dict[str, Handler]:
    """Every @app.lambda_function of a Chalice app, by its name."""
    return {function.name: function for function in app.pure_lambda_functions}
