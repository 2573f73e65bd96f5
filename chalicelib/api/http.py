"""Request parsing and response shaping shared by every blueprint."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from chalice.app import Blueprint, Request, Response

from chalicelib.api.errors import error_response, validation_details
from chalicelib.api.headers import IDEMPOTENT_METHODS, idempotency_key
from chalicelib.domain.errors import (
    DomainError,
    InvalidValue,
    MalformedRequest,
    PayloadTooLarge,
    ServiceBusy,
    TransientStorageError,
    UnsupportedMediaType,
)
from chalicelib.lazy import lazy

if TYPE_CHECKING:
    import pydantic
    from pydantic import BaseModel

    import chalicelib.bootstrap as contexts
    from chalicelib import auth
    from chalicelib.api import routes
    from chalicelib.domain import access, models
    from chalicelib.domain.models import Actor
else:  # pydantic, the models and the route table load with the first request, not with the package
    pydantic = lazy("pydantic")
    auth = lazy("chalicelib.auth")
    routes = lazy("chalicelib.api.routes")
    access = lazy("chalicelib.domain.access")
    models = lazy("chalicelib.domain.models")
    contexts = lazy("chalicelib.bootstrap")

MAX_BODY_BYTES = 64 * 1024
_ACTOR = "disputes.actor"  # where the request's authorized Actor is kept, in its own requestContext
Model = TypeVar("Model", bound="BaseModel")
VERSION = re.compile(r"[0-9]{1,18}")


View = Callable[..., Response]


def route(bp: Blueprint, path: str, method: str) -> Callable[[View], View]:
    """Register a view behind the route table's checks, in order: token (401), role (403), path ids (422),
    then `Idempotency-Key` on POST; domain errors become JSON error responses.

    Chalice turns any exception from a view into a 500 before middleware sees it,
    so the mapping has to wrap the view itself.
    """

    def register(view: View) -> View:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Response:
            request = bp.current_request
            try:
                spec = routes.spec_for(method, path)  # a route missing from the table fails the matrix test
                actor = current_actor(request) if spec is not None and not spec.public else None
                for name, value in kwargs.items():
                    path_identifier(value, name)
                key = idempotency_key(request) if method in IDEMPOTENT_METHODS and actor is not None else None
                if actor is None or key is None:
                    return view(*args, **kwargs)
                # Powertools idempotency costs ~40 ms to import: only requests that send the header pay it.
                from chalicelib.api import idempotency  # noqa: PLC0415

                return idempotency.once(request, actor, key, raw_body(request), lambda: view(*args, **kwargs))
            except DomainError as error:
                return error_response(error)
            except TransientStorageError:
                return error_response(ServiceBusy("the service is busy; retry the request shortly"))

        bp.route(path, methods=[method])(guarded)
        return view

    return register


def current_actor(request: Request, action: str | None = None) -> Actor:
    """Who is calling, and whether their role may ever do what the route table says this route does.

    Checked once per request (403 before any body is read); `action` is only for a route
    not yet in the table, and must agree with the table when both are given.
    """
    known: Actor | None = request.context.get(_ACTOR)
    if known is not None:
        return known
    spec = routes.spec_for(request.method, request.path)
    if spec is not None and action is not None and action != spec.action:
        raise RuntimeError(f"{request.method} {request.path} is '{spec.action}' in the route table, not '{action}'")
    chosen = spec.action if spec is not None else action
    if chosen is None:
        raise RuntimeError(f"{request.method} {request.path} has no action in chalicelib/api/routes.py")
    actor = auth.authenticate(request.headers.get("authorization"))
    access.require_role(actor, chosen)
    request.context[_ACTOR] = actor
    return actor


def parse_body(request: Request, model: type[Model]) -> Model:
    """Size, content type, JSON, then the model: each failure its own clear 4xx.

    The model is validated knowing when the request arrived, so a time the client records
    (`models.RecordedDateTime`) cannot lie in the future.
    """
    _agrees_with_table(request, "body", model)
    raw = raw_body(request)
    if len(raw) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"request body is over {MAX_BODY_BYTES} bytes")
    content_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if raw and content_type != "application/json":
        raise UnsupportedMediaType("send the body as application/json")
    try:
        data = json.loads(raw) if raw else {}
    except (ValueError, UnicodeDecodeError) as error:  # ValueError: also numbers over 4300 digits
        raise MalformedRequest(f"body is not valid JSON: {error}") from error
    except RecursionError as error:
        raise MalformedRequest("body is nested too deeply") from error
    if not isinstance(data, dict):
        raise MalformedRequest("body must be a JSON object")
    try:
        return model.model_validate(data, context=models.arrived_at(contexts.context().clock()))
    except pydantic.ValidationError as error:
        raise InvalidValue("the request has invalid or missing fields", validation_details(error)) from error


def raw_body(request: Request) -> bytes:
    """The body's bytes; an event whose body text holds lone surrogates has none, and is a 400."""
    try:
        raw = request.raw_body or b""
    except UnicodeEncodeError as error:
        raise MalformedRequest("body is not valid UTF-8") from error
    return raw.encode() if isinstance(raw, str) else raw


def parse_query(request: Request, model: type[Model]) -> Model:
    """Query parameters validated like a body: unknown or invalid ones are a 422, not ignored."""
    _agrees_with_table(request, "query", model)
    try:
        return model.model_validate(dict(request.query_params or {}))
    except pydantic.ValidationError as error:
        raise InvalidValue("the query has invalid parameters", validation_details(error)) from error


def _agrees_with_table(request: Request, part: Literal["body", "query"], model: type[BaseModel]) -> None:
    """The OpenAPI document shows the table's models, so a view must parse exactly those."""
    spec = routes.spec_for(request.method, request.path)
    named = getattr(spec, part) if spec is not None else None  # resolving it costs nothing: the view imported it
    if spec is not None and (named is None or named.model is not model):
        raise RuntimeError(f"{request.method} {request.path} parses {model.__name__}; the route table says otherwise")


def expected_version(request: Request) -> int | None:
    """`If-Match: <version>` turns a write into a compare-and-set the client controls."""
    value = (request.headers.get("if-match") or "").strip().strip('"')
    if not value:
        return None
    if not VERSION.fullmatch(value):  # ASCII digits only: int() refuses "²" and over 4300 digits
        raise MalformedRequest("If-Match must be a case version number")
    return int(value)


def json_text(body: Any) -> str:
    """Compact JSON as Chalice writes it, but with every character as itself (UTF-8 on the wire)."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)


def json_response(
    body: Any, status: int = 200, headers: dict[str, str] | None = None, *, version: int | None = None
) -> Response:
    """`version`: the case's version after this request, sent as its ETag so the next write can send If-Match.

    The body is UTF-8 JSON, not ASCII-escaped as Chalice would write it: an emoji costs its 4 bytes, not 12, so
    a timeline or a thread full of them stays small (tests/unit/test_timeline_size.py)."""
    etag = {"ETag": f'"{version}"'} if version is not None else {}
    return Response(
        body=body if isinstance(body, str) else json_text(body),
        status_code=status,
        headers={"Content-Type": "application/json", **etag, **(headers or {})},
    )


@functools.cache
def _identifier() -> pydantic.TypeAdapter[str]:
    return pydantic.TypeAdapter(models.Identifier)


def path_identifier(value: str, name: str) -> str:
    try:
        return _identifier().validate_python(value)
    except pydantic.ValidationError as error:
        raise InvalidValue(f"{name} may hold letters, digits and . _ : @ - (1-128 characters)") from error
