"""Seed a running service with a case in every state (`make demo`): the trigger scenarios, all of them.

Bounded in time: each scenario's waits poll with a limit (localrun/driver.py) and the whole seeding
gives up after `timeout` seconds, reporting what it could not seed instead of hanging.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor, wait

from localrun.scenarios import SCENARIOS, run

WORKERS = 4


def seed(url: str, timeout: float = 50.0) -> tuple[dict[str, str], dict[str, str]]:
    """Play every scenario against `url`, a few at a time: ({name: case id}, {name: what went wrong})."""
    seeded: dict[str, str] = {}
    failed: dict[str, str] = {}
    pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="demo-seed")
    futures = {name: pool.submit(run, url, name) for name in SCENARIOS}
    done, _ = wait(futures.values(), timeout=timeout)
    for name, future in futures.items():
        if future not in done:
            future.cancel()
            failed[name] = f"not done within {timeout:.0f}s"
        elif (error := future.exception()) is not None:
            failed[name] = str(error)
        else:
            seeded[name] = future.result()
    pool.shutdown(wait=False, cancel_futures=True)
    return seeded, failed


def report(url: str, seeded: dict[str, str], failed: dict[str, str], seconds: float) -> str:
    width = max(map(len, SCENARIOS))
    lines = [f"\nDemo data: {len(seeded)} cases seeded in {seconds:.1f} s (storefront demo-shop)"]
    lines += [f"  {name:<{width}}  {case_id}" for name, case_id in seeded.items()]
    lines += [f"  {name:<{width}}  NOT SEEDED: {why[:200]}" for name, why in failed.items()]
    lines += [
        f"  console          {url}/console   (sign in with its dev-token button; the review, senior and"
        " fulfilment queues are populated)",
        "  a reviewer token .venv/bin/python -m localrun.tokens reviewer rev-1 platform",
        "  more cases       .venv/bin/python -m localrun.trigger --list",
        "Ctrl-C stops.",
    ]
    return "\n".join(lines)


def seed_and_report(url: str) -> str:
    started = time.monotonic()
    seeded, failed = seed(url)
    return report(url, seeded, failed, time.monotonic() - started)
