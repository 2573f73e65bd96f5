"""`make demo` and `python -m localrun.trigger`, against `python -m localrun --demo` on real deadlines."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from localrun import trigger
from localrun.driver import token
from localrun.scenarios import SCENARIOS, mismatches
from tests.conftest import eventually
from tests.e2e.conftest import ROOT, Service, running_service

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("trigger")]  # one runtime for the module

SENIOR = token("senior_reviewer", "senior-trigger", "platform")

# What each scenario the issue names leaves its case in, as the README documents it.
DOCUMENTED: dict[str, dict[str, Any]] = {
    "seller_default": {"status": "ruled", "ruling.decided_by": "rules", "open_window.kind": "appeal"},
    "quality_proven": {"status": "ruled", "ruling.decided_by": "rules", "open_window.kind": "appeal"},
    "not_received": {"status": "ruled", "ruling.decided_by": "rules", "ruling.outcome": "refund_full"},
    "review_needed": {"status": "under_review", "open_window.kind": "review", "recommendation.decision": "review"},
    "settled": {"status": "closed", "resolution": "settled", "fulfilment.outcome": "completed"},
    "conceded": {"status": "closed", "resolution": "conceded", "fulfilment.outcome": "completed"},
    "appealed": {"status": "appealed", "open_window.kind": "review"},
    "return_and_refund": {
        "status": "closed",
        "resolution": "ruled",
        "ruling.outcome": "return_and_refund",
        "fulfilment.outcome": "completed",
    },
    "platform_refund": {"status": "closed", "fulfilment.outcome": "platform_refunded"},
    "disputed_receipt": {"status": "under_review", "fulfilment.receipt_review": True},
}


@pytest.fixture(scope="module")
def demo() -> Iterator[Service]:
    """The local runtime as `make demo` starts it, on the real deadlines, once its seeding reported."""
    with running_service(1, extra={"DEMO": "1"}) as running:
        eventually(
            lambda: "".join(running.output), lambda out: bool(re.search(r"Demo data.*Ctrl-C stops", out, re.S)), 50
        )
        yield running


def case(service: Service, case_id: str) -> dict[str, Any]:
    found: dict[str, Any] = service.call("GET", f"/v1/disputes/{case_id}", SENIOR).json()
    return found


def test_make_demo_seeds_a_case_in_every_state_and_says_where_to_look(demo: Service) -> None:
    out = "".join(demo.output)
    assert f"Demo data: {len(SCENARIOS)} cases seeded" in out and "NOT SEEDED" not in out
    assert f"{demo.url}/console" in out and "localrun.tokens reviewer" in out and "localrun.trigger --list" in out
    seeded = dict(re.findall(r"^  (\w+) +(dsp_\w+)$", out, re.M))
    assert set(seeded) == set(SCENARIOS)
    statuses = {case(demo, case_id)["status"] for case_id in seeded.values()}
    assert statuses == {
        "awaiting_seller",
        "awaiting_buyer",
        "under_review",
        "ruled",
        "appealed",
        "fulfilling",
        "closed",
    }
    queues = {
        queue: [item["id"] for item in demo.call("GET", f"/v1/disputes?queue={queue}", SENIOR).json()["items"]]
        for queue in ("review", "senior", "fulfilment")
    }
    assert {seeded["review_needed"], seeded["counterfeit"], seeded["disputed_receipt"]} <= set(queues["review"])
    assert {seeded["appealed"], seeded["senior_queue"]} <= set(queues["senior"])
    steps = {case(demo, case_id)["fulfilment"]["step"] for case_id in queues["fulfilment"]}
    assert steps == {"return_shipment", "return_receipt", "refund", "reshipment"}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_a_trigger_scenario_leaves_its_case_as_documented(
    demo: Service, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert trigger.main(["--api", demo.url, name]) == 0
    case_id = capsys.readouterr().out.strip()
    assert re.fullmatch(r"dsp_\w+", case_id)
    found = case(demo, case_id)
    assert mismatches(found, SCENARIOS[name].expect) == {}
    assert mismatches(found, DOCUMENTED.get(name, {})) == {}


def test_review_needed_shows_both_parties_photos(demo: Service, capsys: pytest.CaptureFixture[str]) -> None:
    assert trigger.main(["--api", demo.url, "review_needed"]) == 0
    case_id = capsys.readouterr().out.strip()
    evidence = demo.call("GET", f"/v1/disputes/{case_id}/evidence", SENIOR).json()["items"]
    photos = [item for item in evidence if item["kind"] == "photo"]
    assert {photo["party"] for photo in photos} == {"buyer", "seller"}
    image = requests.get(photos[0]["download"]["url"], timeout=10)
    assert image.status_code == 200 and image.content.startswith(b"\x89PNG")


def test_the_cli_lists_its_scenarios_and_names_a_missing_service() -> None:
    listed = subprocess.run(
        [sys.executable, "-m", "localrun.trigger", "--list"],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert listed.returncode == 0
    names = [line.split()[0] for line in listed.stdout.splitlines()]
    assert names == list(SCENARIOS) and set(DOCUMENTED) <= set(names)
    assert all(len(line.split(maxsplit=1)) == 2 for line in listed.stdout.splitlines())
    missing = subprocess.run(
        [sys.executable, "-m", "localrun.trigger", "--api", "http://127.0.0.1:9", "conceded"],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert missing.returncode == 2 and "no service at" in missing.stderr
