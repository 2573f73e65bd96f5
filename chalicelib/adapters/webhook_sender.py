"""POST one signed webhook with a short time-out, to an address checked right before connecting.

urllib3 ships with botocore, so this adds no dependency. The URL is resolved and
checked at every attempt (DNS may have changed since subscription time), and the
connection goes to the address that passed the check, not to a second lookup, so
DNS rebinding cannot slip a private address in between. TLS still verifies the
certificate against the URL's host name.
"""

from __future__ import annotations

import socket
import time

import urllib3

from chalicelib.domain.errors import InvalidValue
from chalicelib.domain.webhook_messages import SendResult
from chalicelib.domain.webhook_urls import Resolver, WebhookTarget, check_url

USER_AGENT = "disputes-webhooks/1"
RESPONSE_EXCERPT_BYTES = 200


def resolve(host: str, port: int) -> list[str]:
    return [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


class HttpSender:
    def __init__(self, timeout_seconds: float, *, local: bool, resolver: Resolver = resolve) -> None:
        self.timeout = timeout_seconds
        self.local = local
        self.resolver = resolver

    def post(self, url: str, body: str, headers: dict[str, str]) -> SendResult:
        started = time.monotonic()

        def elapsed() -> int:
            return round((time.monotonic() - started) * 1000)

        try:
            target = check_url(url, local=self.local, resolve=self.resolver)
        except InvalidValue as error:
            return SendResult(None, elapsed(), f"refused: {error.message}")
        try:
            status, excerpt = self._post(target, body.encode(), headers)
        except (urllib3.exceptions.HTTPError, OSError) as error:  # time-out, refused, reset, TLS
            return SendResult(None, elapsed(), _describe(error))
        if 200 <= status < 300:
            return SendResult(status, elapsed(), None)
        return SendResult(status, elapsed(), f"HTTP {status}" + (f": {excerpt}" if excerpt else ""))

    def _post(self, target: WebhookTarget, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        timeout = urllib3.Timeout(total=self.timeout)
        address = target.addresses[0].split("%")[0]
        pool: urllib3.HTTPConnectionPool
        if target.scheme == "https":
            pool = urllib3.HTTPSConnectionPool(
                address,
                target.port,
                timeout=timeout,
                retries=False,
                maxsize=1,
                cert_reqs="CERT_REQUIRED",
                server_hostname=target.host,
                assert_hostname=target.host,
            )
        else:
            pool = urllib3.HTTPConnectionPool(address, target.port, timeout=timeout, retries=False, maxsize=1)
        with pool:
            response = pool.urlopen(
                "POST",
                target.target,
                body=body,
                headers={
                    **headers,
                    "Host": target.host_header,
                    "Content-Type": "application/json",
                    "User-Agent": USER_AGENT,
                },
                redirect=False,
                assert_same_host=False,
                preload_content=False,
            )
            try:
                excerpt = response.read(RESPONSE_EXCERPT_BYTES)
            finally:
                response.release_conn()
        text = excerpt.decode("utf-8", errors="replace")
        return response.status, "".join(c if c.isprintable() else " " for c in text).strip()


def _describe(error: Exception) -> str:
    if isinstance(error, urllib3.exceptions.TimeoutError):
        return "timed out"
    if isinstance(error, urllib3.exceptions.NewConnectionError):
        return "connection refused or unreachable"
    if isinstance(error, urllib3.exceptions.SSLError):
        return "TLS error"
    return f"{type(error).__name__}: {str(error)[:200]}"
