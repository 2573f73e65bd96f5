"""The one place that turns a meaningful error into an HTTP status and a JSON body."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Response

from chalicelib.domain import errors

if TYPE_CHECKING:
    from pydantic import ValidationError

STATUS: dict[type[errors.DomainError], int] = {
    errors.MalformedRequest: 400,
    errors.Unauthenticated: 401,
    errors.RoleNotAllowed: 403,
    errors.NotFound: 404,
    errors.InvalidState: 409,
    errors.StaleVersion: 409,
    errors.Duplicate: 409,
    errors.RequestInProgress: 409,
    errors.DeadlinePassed: 410,
    errors.PayloadTooLarge: 413,
    errors.UnsupportedMediaType: 415,
    errors.InvalidValue: 422,
    errors.IdempotencyKeyReused: 422,
    errors.ServiceBusy: 503,
}


def status_for(error: errors.DomainError) -> int:
    for kind in type(error).__mro__:
        if kind in STATUS:
            return STATUS[kind]
    return 400


def error_body(code: str, message: str, details: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Every error of this API has this shape (`schemas.Error` documents it in the OpenAPI document)."""
    return {"error": {"code": code, "message": message, "details": details or []}}


def error_response(error: errors.DomainError) -> Response:
    return Response(
        body=error_body(error.code, error.message, error.details),
        status_code=status_for(error),
        headers={"Content-Type": "application/json"},
    )


def validation_details(error: ValidationError) -> list[dict[str, Any]]:
    """Pydantic's errors, minus the echoed input (it may be large or sensitive)."""
    return [
        {
            "field": ".".join(str(part) for part in item["loc"]) or "body",
            "message": item["msg"],
            "type": item["type"],
        }
        for item in error.errors(include_url=False, include_input=False)
    ]


CHALICE_CODES = {404: "not_found", 405: "method_not_allowed", 415: "unsupported_media_type", 500: "internal_error"}


# A path no route matches never reaches the app: API Gateway answers it (a Gateway Response, infra/build.py),
# and so does the local runtime's server (localrun/api_server.py). Both send this body, which echoes nothing.
NO_SUCH_ROUTE = error_body("not_found", "no resource at this path and method")
# API Gateway's own refusals (a throttled or oversized request, ...) and failures keep their status with these.
GATEWAY_REFUSED = error_body("request_refused", "the API refused the request before the service saw it")
GATEWAY_FAILED = error_body("internal_error", "the API could not reach the service; try again later")


def error_codes() -> list[str]:
    """Every `error.code` a client can get: each domain error class's, Chalice's own reshaped, API Gateway's."""
    codes: set[str] = set(CHALICE_CODES.values()) | {
        body["error"]["code"] for body in (NO_SUCH_ROUTE, GATEWAY_REFUSED, GATEWAY_FAILED)
    }
    pending: list[type[errors.DomainError]] = [errors.DomainError]
    while pending:
        kind = pending.pop()
        codes.add(kind.code)
        pending.extend(kind.__subclasses__())
    return sorted(codes)


def uniform_error(response: Response) -> Response:
    """Chalice's own errors ({"Code", "Message"}) reshaped like every other error of this API."""
    body = response.body
    if response.status_code < 400 or not isinstance(body, dict) or "Code" not in body:
        return response
    code = CHALICE_CODES.get(response.status_code, "error")
    response.body = error_body(code, str(body.get("Message", code)))
    response.headers = {**response.headers, "Content-Type": "application/json"}
    return response
