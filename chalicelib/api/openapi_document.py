"""The OpenAPI 3.1 document, generated from the route table and the pydantic models it names.

Nothing here is written by hand per route: paths, methods, path ids, query
parameters, bodies, success codes and the error codes a route can give all follow
from its RouteSpec, so the document cannot drift from what the handlers parse.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from pydantic import TypeAdapter
from pydantic.json_schema import models_json_schema

from chalicelib.api.headers import MAX_IDEMPOTENCY_KEY_LENGTH
from chalicelib.api.routes import ROUTES, Owner, RouteSpec
from chalicelib.api.schemas import ErrorBody
from chalicelib.domain.models import Identifier

REF = "#/components/schemas/{model}"
PARAMETER = re.compile(r"{(\w+)}")
ERRORS = {
    400: "Malformed: not JSON, a bad header or cursor",
    401: "No valid bearer token",
    403: "This role may never do this",
    404: "Absent, or not the caller's",
    409: "Wrong state, stale version, duplicate, or the same Idempotency-Key still in progress",
    410: "A deadline passed",
    413: "Too large",
    415: "Not application/json, or a file of another type",
    422: "Valid JSON with invalid values, or an Idempotency-Key reused for another request",
}
# Actions whose handlers honour `If-Match: <case version>`.
CONDITIONAL = frozenset(
    {
        "submit",
        "state_defence",
        "concede",
        "make_offer",
        "answer_offer",
        "withdraw",
        "claim",
        "request_information",
        "rule",
        "appeal",
    }
)


@cache
def document() -> dict[str, Any]:
    documented = [spec for spec in ROUTES if spec.documented]
    models = {model for spec in documented for model in (spec.body, spec.query) if model is not None}
    _, definitions = models_json_schema(
        [(model, "validation") for model in sorted(models, key=lambda m: m.__name__)], ref_template=REF
    )
    schemas = {**definitions.get("$defs", {}), "Error": ErrorBody.model_json_schema(ref_template=REF)}
    schemas.update(schemas["Error"].pop("$defs", {}))
    paths: dict[str, dict[str, Any]] = {}
    for spec in documented:
        paths.setdefault(spec.path, {})[spec.method.lower()] = _operation(spec, schemas)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Dispute arbitration",
            "version": "1",
            "description": "Escalated after-sales disputes: evidence, rulings, appeals, webhooks. "
            "Errors are `{error: {code, message, details}}`; every POST honours `Idempotency-Key`.",
        },
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }


def _operation(spec: RouteSpec, schemas: dict[str, Any]) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": _operation_id(spec),
        "summary": spec.summary,
        "tags": [spec.path.split("/")[2] if spec.path.startswith("/v1/") else "service"],
        "security": [] if spec.public else [{"bearer": []}],
        "parameters": [*_path_parameters(spec), *_query_parameters(spec, schemas), *_headers(spec)],
        "responses": {**_successes(spec), **_errors(spec)},
    }
    if spec.action:
        operation["x-action"] = spec.action
    if spec.body is not None:
        operation["requestBody"] = {
            "required": False,
            "content": {"application/json": {"schema": {"$ref": REF.format(model=spec.body.__name__)}}},
        }
    return operation


def _operation_id(spec: RouteSpec) -> str:
    words = [part.strip("{}") for part in spec.path.split("/") if part and part != "v1"]
    return "_".join([spec.method.lower(), *words]).replace("-", "_").replace(".", "_")


def _path_parameters(spec: RouteSpec) -> list[dict[str, Any]]:
    identifier = TypeAdapter(Identifier).json_schema()
    return [
        {"name": name, "in": "path", "required": True, "schema": identifier} for name in PARAMETER.findall(spec.path)
    ]


def _query_parameters(spec: RouteSpec, schemas: dict[str, Any]) -> list[dict[str, Any]]:
    if spec.query is None:
        return []
    model = schemas[spec.query.__name__]
    required = set(model.get("required", []))
    return [
        {"name": name, "in": "query", "required": name in required, "schema": _not_null(schema)}
        for name, schema in model["properties"].items()
    ]


def _not_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A query parameter is absent or a value, never JSON null."""
    options = [option for option in schema.get("anyOf", []) if option != {"type": "null"}]
    if len(options) != 1:
        return schema
    rest = {key: value for key, value in schema.items() if key not in ("anyOf", "default")}
    return {**rest, **options[0]}


def _headers(spec: RouteSpec) -> list[dict[str, Any]]:
    headers = []
    if spec.method == "POST" and not spec.public:
        headers.append(
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "description": "A retry with the same key gets the first response; kept 24 h, per caller.",
                "schema": {"type": "string", "minLength": 1, "maxLength": MAX_IDEMPOTENCY_KEY_LENGTH},
            }
        )
    if spec.action in CONDITIONAL:
        headers.append(
            {
                "name": "If-Match",
                "in": "header",
                "required": False,
                "description": "The case version this write expects; another version is a 409.",
                "schema": {"type": "string", "pattern": '^"?[0-9]+"?$'},
            }
        )
    return headers


def _successes(spec: RouteSpec) -> dict[str, Any]:
    json_object = {"application/json": {"schema": {"type": "object"}}}
    return {
        str(status): {"description": "Done"} if status == 204 else {"description": "Done", "content": json_object}
        for status in spec.success
    }


def _errors(spec: RouteSpec) -> dict[str, Any]:
    codes: set[int] = set()
    has_ids = bool(PARAMETER.search(spec.path))
    if not spec.public:
        codes |= {401, 403}
    if spec.body is not None or spec.query is not None or has_ids:
        codes |= {400, 422}
    if spec.body is not None:
        codes |= {413, 415}
    if has_ids or spec.owner != Owner.NONE:
        codes.add(404)
    if spec.method != "GET" and not spec.public:
        codes |= {400, 409}
    if spec.owner in (Owner.CASE, Owner.REQUEST) and spec.method == "POST":
        codes.add(410)
    error = {"application/json": {"schema": {"$ref": REF.format(model="Error")}}}
    return {str(code): {"description": ERRORS[code], "content": error} for code in sorted(codes)}
