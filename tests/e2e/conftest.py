"""E2E: `python -m localrun` in a subprocess, driven over HTTP exactly as a client would."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.conftest import eventually
from tests.documented import assert_documented_answer

ROOT = Path(__file__).resolve().parents[2]
POLICIES = ROOT / "tests" / "policies"  # per-storefront policy overrides (POLICY_DIR), e.g. short windows
# 72 h of seller window become 12 s; a whole case runs in well under a minute.
DEADLINE_SCALE = 1 / 21_600


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Service:
    url: str
    process: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)  # every line the service printed so far (logs included)

    def call(self, method: str, path: str, token: dict[str, str] | None = None, body: Any = None) -> requests.Response:
        """Over HTTP; a success answer must be as the OpenAPI document describes it (tests/documented.py)."""
        response = requests.request(method, f"{self.url}{path}", headers=token or {}, json=body, timeout=10)
        assert_documented_answer(method, path, response.status_code, response.content, response.headers)
        return response

    def upload(self, case_path: str, token: dict[str, str], content: bytes, content_type: str) -> requests.Response:
        """A photo as a client adds one: declared, POSTed straight to the presigned storage URL, then completed."""
        declaration = {"kind": "photo", "content_type": content_type, "size": len(content)}
        declared = self.call("POST", f"{case_path}/evidence", token, declaration)
        assert declared.status_code == 201, declared.text
        upload = declared.json()["upload"]
        stored = requests.post(upload["url"], data=upload["fields"], files={"file": ("photo", content)}, timeout=10)
        assert stored.status_code in (200, 201, 204), stored.text
        return self.call("POST", f"{case_path}/evidence/{declared.json()['evidence_id']}/complete", token)


def _drain(process: subprocess.Popen[str], lines: list[str]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line)


def _healthy(url: str) -> bool:
    try:
        return requests.get(f"{url}/health", timeout=1).status_code == 200
    except requests.ConnectionError:
        return False


@contextmanager
def running_service(
    deadline_scale: float, *, without: tuple[str, ...] = (), extra: Mapping[str, str] | None = None
) -> Iterator[Service]:
    """`python -m localrun` on a free port until the block ends; `without` drops inherited variables,
    `extra` sets more (POLICY_DIR, say)."""
    port = free_port()
    env = {**os.environ, "PORT": str(port), "DEADLINE_SCALE": repr(deadline_scale), "PYTHONUNBUFFERED": "1"}
    env.update(extra or {})
    for name in without:
        env.pop(name, None)
    process = subprocess.Popen(
        [sys.executable, "-m", "localrun"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    running = Service(url=url, process=process)
    # Drain the pipe as the service writes, so a chatty run never blocks on a full pipe.
    threading.Thread(target=_drain, args=(process, running.output), daemon=True).start()
    try:
        eventually(lambda: process.poll() is None and _healthy(url), bool, timeout=60)
        yield running
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)  # localrun stops cleanly on it, even where SIGINT is ignored
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="session")
def service() -> Iterator[Service]:
    with running_service(DEADLINE_SCALE) as running:
        yield running
