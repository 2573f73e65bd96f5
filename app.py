"""The Chalice app: routes from blueprints, error mapping, and the state machine's Lambdas."""

from __future__ import annotations

from typing import Any

from chalice.app import Chalice, Rate, Request, Response

from chalicelib.api import after_sales, disputes, evidence, health, negotiation, review, webhooks
from chalicelib.api.errors import uniform_error
from chalicelib.observability import logger
from chalicelib.services import webhook_delivery
from chalicelib.workflow import handlers

app = Chalice(app_name="disputes")
app.register_blueprint(health.bp)
app.register_blueprint(after_sales.bp)
app.register_blueprint(disputes.bp)
app.register_blueprint(evidence.bp)
app.register_blueprint(negotiation.bp)
app.register_blueprint(review.bp)
app.register_blueprint(webhooks.bp)


@app.middleware("http")
def uniform_errors(event: Request, get_response: Any) -> Response:
    """Domain errors are mapped where views are registered; this reshapes Chalice's own (405, 415, 500)."""
    try:
        return uniform_error(get_response(event))
    finally:
        logger.remove_keys(["case_id"])


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


@app.on_sqs_message(queue="disputes-webhooks", batch_size=1, name="deliver_webhooks")
def deliver_webhooks(event: Any) -> None:
    """Fan-out and delivery attempts; an exception leaves the message for SQS to hand out again."""
    for record in event:
        webhook_delivery.handle_message(webhook_delivery.ports(), record.body)


@app.schedule(Rate(1, unit=Rate.MINUTES), name="sweep_webhook_outbox")
def sweep_webhook_outbox(event: Any) -> None:
    webhook_delivery.sweep(webhook_delivery.ports())
