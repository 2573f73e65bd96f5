"""The Chalice app: routes from blueprints, error mapping, and the state machine's Lambdas."""

from __future__ import annotations

from typing import Any

from chalice.app import Chalice, Request, Response

from chalicelib.api import after_sales, disputes, health
from chalicelib.api.errors import error_response
from chalicelib.domain.errors import DomainError
from chalicelib.observability import logger
from chalicelib.workflow import handlers

app = Chalice(app_name="disputes")
app.register_blueprint(health.bp)
app.register_blueprint(after_sales.bp)
app.register_blueprint(disputes.bp)


@app.middleware("http")
def map_domain_errors(event: Request, get_response: Any) -> Response:
    try:
        response: Response = get_response(event)
    except DomainError as error:
        return error_response(error)
    finally:
        logger.remove_keys(["case_id"])
    return response


@app.lambda_function(name="park_task_token")
def park_task_token(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return handlers.park_task_token(event)


@app.lambda_function(name="handle_deadline")
def handle_deadline(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return handlers.handle_deadline(event)


@app.lambda_function(name="apply_rules")
def apply_rules(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return handlers.apply_rules(event)


@app.lambda_function(name="mark_case_stalled")
def mark_case_stalled(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return handlers.mark_case_stalled(event)
