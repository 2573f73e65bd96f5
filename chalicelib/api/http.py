"""Request parsing and response shaping shared by every blueprint."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any, TypeVar

from chalice.app import Blueprint, Request, Response
from pydantic import BaseModel, TypeAdapter, ValidationError

from chalicelib.api.errors import error_response, validation_details
from chalicelib.auth import authenticate
from chalicelib.domain.access import require_role
from chalicelib.domain.errors import (
    DomainError,
    InvalidValue,
    MalformedRequest,
    PayloadTooLarge,
    UnsupportedMediaType,
)
from chalicelib.domain.models import Actor, Identifier

MAX_BODY_BYTES = 64 * 1024
Model = TypeVar("Model", bound=BaseModel)
_IDENTIFIER = TypeAdapter(Identifier)


View = Callable[..., Response]


def route(bp: Blueprint, path: str, method: str) -> Callable[[View], View]:
    """Register a view whose domain errors become JSON error responses.

    Chalice turns any exception from a view into a 500 before middleware sees it,
    so the mapping has to wrap the view itself.
    """

    def register(view: View) -> View:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Response:
            try:
                return view(*args, **kwargs)
            except DomainError as error:
                return error_response(error)

        bp.route(path, methods=[method])(guarded)
        return view

    return register


def current_actor(request: Request, action: str) -> Actor:
    """Who is calling, and whether their role may ever do this (403 before any body is read)."""
    actor = authenticate(request.headers.get("authorization"))
    require_role(actor, action)
    return actor


def parse_body(request: Request, model: type[Model]) -> Model:
    """Size, content type, JSON, then the model: each failure its own clear 4xx."""
    raw = request.raw_body or b""
    if len(raw) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"request body is over {MAX_BODY_BYTES} bytes")
    content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if raw and content_type != "application/json":
        raise UnsupportedMediaType("send the body as application/json")
    try:
        data = json.loads(raw) if raw else {}
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise MalformedRequest(f"body is not valid JSON: {error}") from error
    if not isinstance(data, dict):
        raise MalformedRequest("body must be a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise InvalidValue("the request has invalid or missing fields", validation_details(error)) from error


def parse_query(request: Request, model: type[Model]) -> Model:
    """Query parameters validated like a body: unknown or invalid ones are a 422, not ignored."""
    try:
        return model.model_validate(dict(request.query_params or {}))
    except ValidationError as error:
        raise InvalidValue("the query has invalid parameters", validation_details(error)) from error


def expected_version(request: Request) -> int | None:
    """`If-Match: <version>` turns a write into a compare-and-set the client controls."""
    value = (request.headers.get("if-match") or "").strip().strip('"')
    if not value:
        return None
    if not value.isdigit():
        raise MalformedRequest("If-Match must be a case version number")
    return int(value)


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        body=body,
        status_code=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def path_identifier(value: str, name: str) -> str:
    try:
        return _IDENTIFIER.validate_python(value)
    except ValidationError as error:
        raise InvalidValue(f"{name} may hold letters, digits and . _ : @ - (1-128 characters)") from error
