"""Liveness, without authentication."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from chalicelib.api.http import json_response, route

bp = Blueprint(__name__)


@route(bp, "/health", "GET")
def health() -> Response:
    return json_response({"status": "ok"})
