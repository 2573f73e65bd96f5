"""`python -m localrun`: the whole service on this machine until Ctrl-C."""

from __future__ import annotations

import argparse
import os
import signal
import threading

from chalicelib.config import DEV_JWT_SECRET
from localrun.demo import seed_and_report
from localrun.runtime import LocalRuntime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--moto-port", type=int, default=int(os.environ.get("MOTO_PORT", "0")))
    parser.add_argument("--deadline-scale", type=float, default=float(os.environ.get("DEADLINE_SCALE", "1")))
    parser.add_argument(
        "--demo",
        action="store_true",
        default=os.environ.get("DEMO", "") not in ("", "0"),
        help="seed a case in every state once started (make demo, or DEMO=1)",
    )
    args = parser.parse_args()

    runtime = LocalRuntime(port=args.port, moto_port=args.moto_port, deadline_scale=args.deadline_scale).start()
    resources = runtime.resources
    assert resources is not None
    # The documented default is public; a secret of the user's own is never printed.
    shown_secret = "from DISPUTES_DEV_JWT_SECRET" if os.environ.get("DISPUTES_DEV_JWT_SECRET") else DEV_JWT_SECRET
    print(
        "\nDispute service running locally\n"
        f"  API              {runtime.api_url}   (try {runtime.api_url}/health)\n"
        f"  reviewer console {runtime.api_url}/console   (sign in with its dev-token button)\n"
        f"  AWS (moto)       {runtime.moto_url}   (aws --endpoint-url {runtime.moto_url} ...)\n"
        f"  table            {resources.table_name}\n"
        f"  evidence bucket  {resources.bucket}\n"
        f"  state machine    {resources.state_machine_arn}\n"
        f"  deadline scale   {args.deadline_scale}\n"
        f"  dev JWT secret   {shown_secret}\n"
        "  mint a token     .venv/bin/python -m localrun.tokens buyer buyer-1 shop-1\n"
        "  test clock       POST /v1/dev/disputes/{id}/advance ends the window a case waits on, now\n"
        "  sample cases     .venv/bin/python -m localrun.trigger --list   (make demo seeds them all)\n"
        "Everything is kept in memory: stopping the service forgets every case.\n"
        "Ctrl-C stops.",
        flush=True,
    )
    if args.demo:
        print(seed_and_report(runtime.api_url), flush=True)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    try:
        stopped.wait()
    except KeyboardInterrupt:
        pass
    finally:
        print("stopping...", flush=True)
        runtime.stop()


if __name__ == "__main__":
    main()
