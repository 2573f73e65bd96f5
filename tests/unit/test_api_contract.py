"""The route table is the one source: the OpenAPI document and the security doc follow from it."""

from __future__ import annotations

import json
import re
from typing import Any

from chalice.test import Client
from openapi_spec_validator import validate

from app import app
from chalicelib.api.openapi_document import document
from chalicelib.api.routes import ROUTES
from tools.security_matrix import DOC, updated


def assert_valid_openapi(candidate: dict[str, Any]) -> None:
    """openapi-spec-validator raises on the first violation of the OpenAPI 3.1 schema."""
    validate(candidate)


def test_the_openapi_document_is_valid_openapi() -> None:
    assert_valid_openapi(document())


def test_every_documented_route_is_in_the_document_with_its_parameters_and_body() -> None:
    paths = document()["paths"]

    for spec in (spec for spec in ROUTES if spec.documented):
        operation = paths[spec.path][spec.method.lower()]
        declared = {p["name"] for p in operation["parameters"] if p["in"] == "path"}
        assert declared == set(re.findall(r"{(\w+)}", spec.path)), spec.path
        assert ("requestBody" in operation) == (spec.body is not None), spec.path
        assert {str(status) for status in spec.success} <= set(operation["responses"]), spec.path
        assert operation["security"] == ([] if spec.public else [{"bearer": []}]), spec.path
        if not spec.public:
            assert {"401", "403"} <= set(operation["responses"]), spec.path


def test_query_parameters_come_from_the_query_model() -> None:
    listing = document()["paths"]["/v1/disputes"]["get"]

    names = {p["name"]: p for p in listing["parameters"] if p["in"] == "query"}

    assert set(names) == {"queue", "status", "limit", "cursor"}
    assert names["limit"]["schema"]["maximum"] == 100
    assert "anyOf" not in names["cursor"]["schema"]  # never JSON null in a query string


def test_the_document_is_served_without_a_token() -> None:
    with Client(app) as client:
        response = client.http.get("/v1/openapi.json")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert json.loads(response.body) == json.loads(json.dumps(document()))


def test_the_security_doc_shows_the_matrix_of_the_route_table() -> None:
    text = DOC.read_text(encoding="utf-8")

    assert updated(text) == text, "run `python -m tools.security_matrix` to regenerate docs/SECURITY.md"
