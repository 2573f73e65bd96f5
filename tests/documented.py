"""Every success answer a test receives is checked against what the OpenAPI document says of it.

The integration `Api` and the e2e `Service` call this on each answer, so the whole suite is a set of
examples for the response models in `chalicelib/api/responses.py` and the headers the document promises.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from pydantic import ValidationError

from chalicelib.api.openapi_document import document
from chalicelib.api.routes import ROUTES, RouteSpec


def _template(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\{\w+\\}", "[^/]+", re.escape(path)) + "$")


DOCUMENTED = [(spec, _template(spec.path)) for spec in ROUTES if spec.documented]


def documented_route(method: str, path: str) -> RouteSpec | None:
    bare = path.split("?", 1)[0]
    return next((spec for spec, pattern in DOCUMENTED if spec.method == method.upper() and pattern.match(bare)), None)


def assert_documented_answer(
    method: str, path: str, status: int, body: bytes | str, headers: Mapping[str, str] | None = None
) -> None:
    """A success answer validates against its route's response model, and against the schema the document
    shows for it (which also says which fields are always there), and carries the headers it promises."""
    spec = documented_route(method, path)
    if spec is None or status not in spec.success:
        return
    if spec.response is not None:
        try:
            spec.response.model.model_validate_json(body)
        except ValidationError as error:
            raise AssertionError(f"{method} {path} answered {status} outside {spec.response.name}: {error}") from None
        problems = [error.message for error in _validator(spec.method, spec.path, status).iter_errors(json.loads(body))]
        assert not problems, f"{method} {path} answered {status} outside its documented schema: {problems[:5]}"
    promised = _answer(spec.method, spec.path, status).get("headers", {})
    sent = {name.lower() for name in (headers or {})}
    missing = [name for name, header in promised.items() if header.get("required") and name.lower() not in sent]
    assert not missing, f"{method} {path} answered {status} without {missing}"


def _answer(method: str, path: str, status: int) -> dict[str, Any]:
    answer: dict[str, Any] = document()["paths"][path][method.lower()]["responses"][str(status)]
    return answer


@cache
def _validator(method: str, path: str, status: int) -> Draft202012Validator:
    schema = _answer(method, path, status)["content"]["application/json"]["schema"]
    return Draft202012Validator({**schema, "components": document()["components"]}, format_checker=FormatChecker())
