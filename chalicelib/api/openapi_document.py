"""The OpenAPI 3.1 document, generated from the route table and the pydantic models it names.

Nothing here is written by hand per route: paths, methods, operationIds, path ids, query
parameters, bodies and their examples, success bodies and the error codes a route can give
all follow from its RouteSpec, so the document cannot drift from what the handlers parse
and answer. The `webhooks` section shows each event type's delivery.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from chalicelib.api.examples import EXAMPLES
from chalicelib.api.headers import IDEMPOTENT_METHODS, MAX_IDEMPOTENCY_KEY_LENGTH
from chalicelib.api.responses import MessagePostedEvent, WebhookDisabledEvent, WebhookEvent, WebhookTestEvent
from chalicelib.api.routes import CASE, ROUTES, Owner, RouteSpec
from chalicelib.api.schemas import Error
from chalicelib.domain.models import Identifier
from chalicelib.domain.webhooks import EventType

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
    503: "The store stayed busy: retry shortly",
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
        "post_message",
    }
)


SERVERS = [
    {"url": "http://127.0.0.1:8000", "description": "The local runtime (`python -m localrun`; PORT moves it)"},
    {
        "url": "https://{api_id}.execute-api.{region}.amazonaws.com/{stage}",
        "description": "A deployed stage (API Gateway's own endpoint)",
        "variables": {
            "api_id": {"default": "example", "description": "The REST API's id (the stack's `EndpointURL`)"},
            "region": {"default": "us-east-1"},
            "stage": {"default": "api"},
        },
    },
]
ETAG = {
    "description": "The case's version after this request, quoted: send it back as `If-Match`",
    "required": True,
    "schema": {"type": "string", "pattern": '^"[0-9]+"$'},
}
# The headers of every webhook delivery (Standard Webhooks, https://www.standardwebhooks.com/).
# Notices about an endpoint have their own body; every other event type is a WebhookEvent.
WEBHOOK_HEADERS = {
    "webhook-id": "The event's id, the same on every attempt: deduplicate on it",
    "webhook-timestamp": "Seconds since the epoch when this attempt was signed",
    "webhook-signature": "Space-separated `v1,<base64 HMAC-SHA256>`, one per active secret",
}


# Event types whose body has a model of its own; every other type is a WebhookEvent.
OWN_BODIES: dict[EventType, type[BaseModel]] = {
    EventType.WEBHOOK_TEST: WebhookTestEvent,
    EventType.WEBHOOK_DISABLED: WebhookDisabledEvent,
    EventType.MESSAGE_POSTED: MessagePostedEvent,
}
SUMMARIES = {
    EventType.WEBHOOK_TEST: "sent on request to one endpoint",
    EventType.WEBHOOK_DISABLED: "another endpoint of the storefront was disabled for failing",
    EventType.MESSAGE_POSTED: "a message to everyone on the case, as its timeline line (never a note to the "
    "platform or to one party)",
}


@cache
def document() -> dict[str, Any]:
    documented = [spec for spec in ROUTES if spec.documented]
    refs, schemas = _schemas(documented)
    paths: dict[str, dict[str, Any]] = {}
    for spec in documented:
        paths.setdefault(spec.path, {})[spec.method.lower()] = _operation(spec, refs, schemas)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Dispute arbitration",
            "version": "1",
            "description": "Escalated after-sales disputes: evidence, rulings, appeals, webhooks. "
            "Errors are `{error: {code, message, details}}`; every POST and PUT honours `Idempotency-Key`.",
        },
        "servers": SERVERS,
        "paths": paths,
        "webhooks": _webhooks(
            refs[(WebhookEvent, "serialization")],
            {kind: refs[(model, "serialization")] for kind, model in OWN_BODIES.items()},
        ),
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }


Key = tuple[type[BaseModel], JsonSchemaMode]


def _schemas(documented: list[RouteSpec]) -> tuple[dict[Key, dict[str, Any]], dict[str, Any]]:
    """Every model's schema in one namespace: request models as validated, responses as serialized
    (a model that differs between the two gets both, `...Input` and `...Output`)."""
    inputs = {ref.model for spec in documented for ref in (spec.body, spec.query) if ref is not None}
    outputs: set[type[BaseModel]] = {spec.response.model for spec in documented if spec.response is not None}
    outputs |= {WebhookEvent, *OWN_BODIES.values()}
    keys: list[Key] = [
        *((model, "validation") for model in sorted(inputs | {Error}, key=lambda m: m.__name__)),
        *((model, "serialization") for model in sorted(outputs, key=lambda m: m.__name__)),
    ]
    refs, definitions = models_json_schema(keys, ref_template=REF)
    # openapi-python-client cannot follow a `$ref` to a name with a hyphen, and names a class by its schema's
    # title: `Penalty-Output` is `PenaltyOutput`, titled so, beside `PenaltyInput`.
    defs = {
        name.replace("-", ""): _unhyphenated({**schema, "title": name.replace("-", "")} if "-" in name else schema)
        for name, schema in definitions.get("$defs", {}).items()
    }
    resolved = {key: _unhyphenated(refs[key]) for key in keys}
    # Answers may gain fields (the contract allows more), so a schema only answers use is published open:
    # a client validating strictly against today's document does not break when one is added. Request
    # schemas stay closed (unknown fields are a 422), and the models stay strict for the tests.
    requested = _referenced([resolved[key] for key in keys if key[1] == "validation"], defs)
    for name in _referenced([resolved[key] for key in keys if key[1] == "serialization"], defs) - requested:
        defs[name].pop("additionalProperties", None)
    return resolved, defs


def _referenced(roots: list[Any], defs: dict[str, Any]) -> set[str]:
    """The names of every schema reachable from `roots` through `$ref`s."""
    found: set[str] = set()
    pending = list(roots)
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            target = node.get("$ref")
            if isinstance(target, str) and (name := target.rsplit("/", 1)[-1]) not in found:
                found.add(name)
                pending.append(defs.get(name))
            pending.extend(value for key, value in node.items() if key != "$ref")
        elif isinstance(node, list):
            pending.extend(node)
    return found


def _unhyphenated(schema: Any) -> Any:
    """The schema with every `$ref` pointing at the unhyphenated name."""
    if isinstance(schema, dict):
        return {key: value.replace("-", "") if key == "$ref" else _unhyphenated(value) for key, value in schema.items()}
    if isinstance(schema, list):
        return [_unhyphenated(item) for item in schema]
    return schema


def _operation(spec: RouteSpec, refs: dict[Key, dict[str, Any]], schemas: dict[str, Any]) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": spec.operation_id,
        "summary": spec.summary,
        "tags": [spec.path.split("/")[2] if spec.path.startswith("/v1/") else "service"],
        "security": [] if spec.public else [{"bearer": []}],
        "parameters": [*_path_parameters(spec), *_query_parameters(spec, refs, schemas), *_headers(spec)],
        "responses": {**_successes(spec, refs), **_errors(spec, refs[(Error, "validation")])},
    }
    if spec.action:
        operation["x-action"] = spec.action
    if spec.body is not None:
        model = spec.body.model
        body: dict[str, Any] = {"schema": refs[(model, "validation")]}
        if model in EXAMPLES:
            body["example"] = EXAMPLES[model]
        # Required when the model has a required field: a client may leave out an empty or all-optional body.
        required = any(field.is_required() for field in model.model_fields.values())
        operation["requestBody"] = {"required": required, "content": {"application/json": body}}
    return operation


def _path_parameters(spec: RouteSpec) -> list[dict[str, Any]]:
    identifier = TypeAdapter(Identifier).json_schema()
    return [
        {"name": name, "in": "path", "required": True, "schema": identifier} for name in PARAMETER.findall(spec.path)
    ]


def _query_parameters(
    spec: RouteSpec, refs: dict[Key, dict[str, Any]], schemas: dict[str, Any]
) -> list[dict[str, Any]]:
    if spec.query is None:
        return []
    model = schemas[refs[(spec.query.model, "validation")]["$ref"].rsplit("/", 1)[-1]]
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
    if spec.method in IDEMPOTENT_METHODS and not spec.public:
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


def _successes(spec: RouteSpec, refs: dict[Key, dict[str, Any]]) -> dict[str, Any]:
    schema = refs[(spec.response.model, "serialization")] if spec.response is not None else {"type": "object"}
    answer: dict[str, Any] = {"description": "Done", "content": {"application/json": {"schema": schema}}}
    if _sends_version(spec):
        answer["headers"] = {"ETag": ETAG}
    return {str(status): {"description": "Done"} if status == 204 else answer for status in spec.success}


def _sends_version(spec: RouteSpec) -> bool:
    """Every write to a case, and the case itself, answer with the case's version after it as the ETag."""
    return spec.owner in (Owner.CASE, Owner.REQUEST) and (spec.method == "POST" or spec.path == CASE)


def _errors(spec: RouteSpec, error_schema: dict[str, Any]) -> dict[str, Any]:
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
    if not spec.public:
        codes.add(503)
    codes |= set(spec.more_errors)
    error = {"application/json": {"schema": error_schema}}
    return {str(code): {"description": ERRORS[code], "content": error} for code in sorted(codes)}


def _webhooks(event: dict[str, Any], own: dict[EventType, dict[str, Any]]) -> dict[str, Any]:
    """One entry per event type: what a storefront's endpoint receives, and what it should answer. A type with
    a payload model of its own (`own`: the notices about an endpoint, a message) shows that model instead of
    the envelope."""
    headers = [
        {"name": name, "in": "header", "required": True, "description": text, "schema": {"type": "string"}}
        for name, text in WEBHOOK_HEADERS.items()
    ]
    return {
        kind.value: {
            "post": {
                "operationId": "on_" + kind.value.replace(".", "_"),
                "summary": f"`{kind.value}`: " + SUMMARIES.get(kind, "the case and the timeline line behind it"),
                "parameters": headers,
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": own.get(kind, {"allOf": [event, {"properties": {"type": {"const": kind.value}}}]})
                        }
                    },
                },
                "responses": {
                    "2XX": {"description": "Received; any other answer (or none in time) is retried with backoff"}
                },
            }
        }
        for kind in EventType
    }
