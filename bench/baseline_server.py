"""`python -m bench.baseline_server`: the bare Chalice app on Chalice's local server, PORT from the environment."""

from __future__ import annotations

import os

from chalice.config import Config
from chalice.local import create_local_server

from bench.baseline_app import app
from localrun.runtime import tune_local_server

if __name__ == "__main__":
    tune_local_server()  # the same server settings the local runtime uses
    server = create_local_server(app, Config.create(app_name="baseline"), "127.0.0.1", int(os.environ["PORT"]))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        server.shutdown()
