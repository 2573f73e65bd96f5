"""The route table is the one source: the OpenAPI document and the security doc follow from it."""

from __future__ import annotations

import json
import re
from typing import Any

from chalice.test import Client
from openapi_spec_validator import validate

from app import app
from chalicelib.api.examples import EXAMPLES
from chalicelib.api.openapi_document import document
from chalicelib.api.routes import ROUTES
from chalicelib.api.schemas import EmptyBody
from chalicelib.domain.errors import DomainError
from chalicelib.domain.webhooks import EventType
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

    assert set(names) == {"queue", "status", "reason", "limit", "cursor"}
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


def test_every_operation_has_a_unique_operation_id_in_business_words() -> None:
    operations = [op for item in document()["paths"].values() for op in item.values()]

    ids = [operation["operationId"] for operation in operations]

    assert len(ids) == len(set(ids)) == len([spec for spec in ROUTES if spec.documented])
    assert all(re.fullmatch(r"[a-z]+(?:[A-Z][a-z]*)*", operation_id) for operation_id in ids), ids
    assert {"escalateDispute", "completeEvidence", "issueRuling", "subscribeWebhook"} <= set(ids)


def test_every_success_body_is_a_schema_in_the_components() -> None:
    doc = document()

    for spec in (spec for spec in ROUTES if spec.documented and spec.response is not None):
        for status in spec.success:
            schema = doc["paths"][spec.path][spec.method.lower()]["responses"][str(status)]["content"][
                "application/json"
            ]["schema"]
            assert schema["$ref"].rsplit("/", 1)[-1] in doc["components"]["schemas"], spec.path


def test_only_the_document_itself_and_an_unsubscribe_have_no_success_schema() -> None:
    undescribed = {spec.operation_id for spec in ROUTES if spec.documented and spec.response is None}

    assert undescribed == {"getOpenApiDocument", "unsubscribeWebhook"}


def test_the_error_code_is_an_enum_of_every_domain_error_class() -> None:
    codes = document()["components"]["schemas"]["ErrorInfo"]["properties"]["code"]["enum"]

    def every(kind: type[DomainError]) -> set[str]:
        return {kind.code}.union(*(every(sub) for sub in kind.__subclasses__()))

    assert every(DomainError) <= set(codes)
    assert {"senior_reviewer_required", "stale_version", "not_found"} <= set(codes)


def test_every_request_body_example_is_valid_for_its_model() -> None:
    for model, example in EXAMPLES.items():
        model.model_validate(example)
    bodies = {spec.body.model for spec in ROUTES if spec.documented and spec.body is not None}
    assert bodies - set(EXAMPLES) == {EmptyBody}


def test_a_listing_sends_no_queue_unless_the_client_chooses_one() -> None:
    listing = document()["paths"]["/v1/disputes"]["get"]

    queue = next(p for p in listing["parameters"] if p["name"] == "queue")

    assert not queue["required"]
    assert "default" not in queue["schema"]


def test_the_document_names_its_servers_and_each_webhook_event() -> None:
    doc = document()

    assert doc["servers"][0]["url"] == "http://127.0.0.1:8000"
    assert "{region}" in doc["servers"][1]["url"]
    assert set(doc["webhooks"]) == {kind.value for kind in EventType}
    delivery = doc["webhooks"]["dispute.ruled"]["post"]
    assert {p["name"] for p in delivery["parameters"]} == {"webhook-id", "webhook-timestamp", "webhook-signature"}


def test_schema_names_and_titles_are_ones_a_client_generator_can_use() -> None:
    schemas = document()["components"]["schemas"]

    titles = [schema.get("title", name) for name, schema in schemas.items()]

    assert all(re.fullmatch(r"[A-Za-z0-9]+", name) for name in schemas), sorted(schemas)
    assert len(titles) == len(set(titles))


def test_answers_are_open_to_new_fields_and_requests_are_closed() -> None:
    doc = document()
    schemas = doc["components"]["schemas"]
    ruling = doc["paths"]["/v1/disputes/{dispute_id}/ruling"]["post"]
    request_ref = ruling["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    answer_ref = ruling["responses"]["201"]["content"]["application/json"]["schema"]["$ref"]

    # A request with a field the API does not know is refused, so its schema says so
    assert schemas[request_ref.rsplit("/", 1)[-1]]["additionalProperties"] is False
    # An answer may gain fields (the contract allows more): neither it nor what it nests forbids them
    assert "additionalProperties" not in schemas[answer_ref.rsplit("/", 1)[-1]]
    assert "additionalProperties" not in schemas["Ruling"] and "additionalProperties" not in schemas["Window"]
    # And the notices storefronts receive are in the webhooks section in their own shapes
    disabled = doc["webhooks"]["webhook.disabled"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert disabled["$ref"].endswith("/WebhookDisabledEvent")
