"""The floor the fixed stack sets under a first GET: the bare baseline app, plus what any app on this stack does
to answer it (verify the bearer token with PyJWT, log with Powertools, read the stored case into a pydantic
model and answer it as JSON), with none of the service's own code.

It shows how much of the service's cold start the libraries take on their own (bench/cold_start.py): no app
on this stack can answer a first GET faster than this one.
"""

from __future__ import annotations

import os
from typing import Any

import boto3
import jwt
from aws_lambda_powertools import Logger
from chalice.app import Chalice
from pydantic import BaseModel, ConfigDict

from chalicelib.config import DEV_JWT_SECRET

app = Chalice(app_name="library-floor")
logger = Logger(service="library-floor")


class StoredCase(BaseModel):
    """A few fields of the case document: the model's size matters little, pydantic's own start does."""

    model_config = ConfigDict(extra="allow")

    id: str
    storefront_id: str
    buyer_id: str
    status: str


@app.route("/v1/disputes/{dispute_id}")
def get_dispute(dispute_id: str) -> dict[str, Any]:
    request = app.current_request
    assert request is not None
    token = request.headers["authorization"].removeprefix("Bearer ")
    claims = jwt.decode(token, DEV_JWT_SECRET, algorithms=["HS256"], options={"require": ["exp", "sub"]})
    item = boto3.client("dynamodb").get_item(
        TableName=os.environ["TABLE_NAME"], Key={"PK": {"S": f"CASE#{dispute_id}"}, "SK": {"S": "CASE"}}
    )["Item"]
    case = StoredCase.model_validate_json(item["doc"]["S"])
    logger.info("case read", extra={"case_id": case.id, "sub": claims["sub"]})
    return case.model_dump(mode="json")
