"""Run a server in a subprocess for a benchmark, and read its peak memory from /proc."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests

from bench.common import POLICIES, ROOT


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Subprocess:
    """`python -m <module>` on a free port, up once `health_path` answers, stopped with SIGINT."""

    def __init__(self, module: str, health_path: str, env: dict[str, str] | None = None, args: list[str] | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        environment = {**os.environ, "PORT": str(self.port), "PYTHONUNBUFFERED": "1", **(env or {})}
        self.log = Path(f"/tmp/bench-{module.replace('.', '-')}-{self.port}.log")
        self.process = subprocess.Popen(
            [sys.executable, "-m", module, *(args or [])],
            cwd=ROOT,
            env=environment,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 90
        while not self._up(health_path):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{module} did not start; see {self.log}")
            time.sleep(0.2)

    def _up(self, path: str) -> bool:
        try:
            return requests.get(self.url + path, timeout=1).status_code == 200
        except requests.ConnectionError:
            return False

    def peak_memory_mib(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def moto_url(self) -> str:
        for line in self.log.read_text().splitlines():
            if "AWS (moto)" in line:
                return line.split()[2]
        raise RuntimeError("no moto URL printed")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def __enter__(self) -> Subprocess:
        return self

    def __exit__(self, *_: Any) -> None:
        self.stop()


def dispute_service(**env: str) -> Subprocess:
    """The whole local service, with the bench storefront's short windows and a quiet log."""
    settings = {"POLICY_DIR": str(POLICIES), "WEBHOOK_RETRY_SCALE": "0.0001", "POWERTOOLS_LOG_LEVEL": "WARNING", **env}
    return Subprocess("localrun", "/health", settings)


def baseline_service() -> Subprocess:
    return Subprocess("bench.baseline_server", "/ping")
