"""The baseline every ratio is measured against: a bare Chalice app that imports boto3 and answers one route."""

from __future__ import annotations

import json
import os
from typing import Any

import boto3
from chalice.app import Chalice

app = Chalice(app_name="baseline")


@app.route("/ping")
def ping() -> dict[str, str]:
    return {"status": "ok"}


@app.route("/v1/disputes/{dispute_id}")
def get_dispute(dispute_id: str) -> dict[str, Any]:
    """The same one GetItem the service's GET of a case makes, answered as it is (bench/cold_start.py)."""
    item = boto3.client("dynamodb").get_item(
        TableName=os.environ["TABLE_NAME"], Key={"PK": {"S": f"CASE#{dispute_id}"}, "SK": {"S": "CASE"}}
    )["Item"]
    answer: dict[str, Any] = json.loads(item["doc"]["S"])
    return answer
