"""`GET /v1/openapi.json`, built on first request (the generator pulls in every model) and then cached."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice.app import Blueprint, Response

from chalicelib.api.http import json_response, route
from chalicelib.lazy import lazy

if TYPE_CHECKING:
    from chalicelib.api import openapi_document
else:
    openapi_document = lazy("chalicelib.api.openapi_document")

bp = Blueprint(__name__)


@route(bp, "/v1/openapi.json", "GET")
def openapi() -> Response:
    return json_response(openapi_document.document())
