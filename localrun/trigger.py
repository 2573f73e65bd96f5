"""`python -m localrun.trigger SCENARIO`: play a named scenario against a running local service.

In the spirit of `stripe trigger`: each scenario drives one case over HTTP (escalation, evidence with
photos, submits, rulings, appeals, fulfilment steps, and the test clock where a deadline passes) to a
documented state, then prints the case id. `--list` shows them all.
"""

from __future__ import annotations

import argparse
import os
import sys

import requests

from localrun.driver import ScenarioError
from localrun.scenarios import SCENARIOS, run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m localrun.trigger", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("scenario", nargs="?", choices=sorted(SCENARIOS), metavar="SCENARIO")
    parser.add_argument("--list", action="store_true", help="list the scenarios, one line each")
    parser.add_argument(
        "--api",
        default=f"http://127.0.0.1:{os.environ.get('PORT', '8000')}",
        help="the running service (default http://127.0.0.1:$PORT, PORT defaulting to 8000)",
    )
    args = parser.parse_args(argv)
    if args.list:
        width = max(map(len, SCENARIOS))
        for scenario in SCENARIOS.values():
            print(f"{scenario.name:<{width}}  {scenario.description}")
        return 0
    if args.scenario is None:
        parser.error("name a scenario (--list shows them)")
    try:
        print(run(args.api.rstrip("/"), args.scenario))
    except requests.ConnectionError:
        print(f"no service at {args.api}: start one with `make run` (or pass --api)", file=sys.stderr)
        return 2
    except ScenarioError as error:
        print(f"{args.scenario} failed: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
