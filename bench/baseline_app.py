"""The baseline every ratio is measured against: a bare Chalice app that imports boto3 and answers one route."""

from __future__ import annotations

import boto3  # noqa: F401 - the baseline pays for boto3 like the real app does
from chalice.app import Chalice

app = Chalice(app_name="baseline")


@app.route("/ping")
def ping() -> dict[str, str]:
    return {"status": "ok"}
