"""The Chalice app: routes from blueprints, error mapping, and the state machine's Lambdas."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Chalice, Request, Response

from chalicelib.api import (
    after_sales,
    console,
    dev_clock,
    dev_tokens,
    disputes,
    evidence,
    fulfilment,
    health,
    messages,
    negotiation,
    openapi,
    policies,
    reports,
    review,
    sellers,
    webhooks,
)
from chalicelib.api.errors import uniform_error
from chalicelib.lazy import lazy
from chalicelib.observability import lambda_entry, logger

if TYPE_CHECKING:
    from chalicelib import bootstrap
    from chalicelib.services import webhook_delivery
    from chalicelib.workflow import handlers
else:  # each function loads only what its own work needs (chalicelib/lazy.py)
    webhook_delivery = lazy("chalicelib.services.webhook_delivery")
    bootstrap = lazy("chalicelib.bootstrap")
    handlers = lazy("chalicelib.workflow.handlers")

app = Chalice(app_name="disputes")
app.register_blueprint(health.bp)
app.register_blueprint(after_sales.bp)
app.register_blueprint(disputes.bp)
app.register_blueprint(evidence.bp)
app.register_blueprint(negotiation.bp)
app.register_blueprint(messages.bp)
app.register_blueprint(review.bp)
app.register_blueprint(fulfilment.bp)
app.register_blueprint(webhooks.bp)
app.register_blueprint(sellers.bp)
app.register_blueprint(policies.bp)
app.register_blueprint(reports.bp)
app.register_blueprint(console.bp)
app.register_blueprint(dev_tokens.bp)
app.register_blueprint(dev_clock.bp)
app.register_blueprint(openapi.bp)


@app.middleware("http")
def uniform_errors(event: Request, get_response: Any) -> Response:
    """Logs carry the case id; domain errors are mapped where views are registered, Chalice's own here."""
    case_id = (event.uri_params or {}).get("dispute_id")
    if case_id:
        logger.thread_safe_append_keys(case_id=case_id)
    try:
        return uniform_error(get_response(event))
    finally:
        logger.thread_safe_remove_keys(["case_id"])


@app.lambda_function(name="park_task_token")
@lambda_entry
def park_task_token(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return handlers.park_task_token(event)


@app.lambda_function(name="handle_deadline")
@lambda_entry
def handle_deadline(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return handlers.handle_deadline(event)


@app.lambda_function(name="apply_rules")
@lambda_entry
def apply_rules(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return handlers.apply_rules(event)


@app.lambda_function(name="mark_case_stalled")
@lambda_entry
def mark_case_stalled(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return handlers.mark_case_stalled(event)


@app.on_sqs_message(queue="disputes-webhooks", batch_size=1, name="deliver_webhooks")
def deliver_webhooks(event: Any) -> None:
    """Fan-out and delivery attempts; an exception leaves the message for SQS to hand out again."""
    for record in event:
        webhook_delivery.handle_message(bootstrap.webhook_ports(), record.body)


@app.lambda_function(name="relay_webhook_events")
@lambda_entry
def relay_webhook_events(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Fed by the table's DynamoDB stream (filtered to inserted timeline items): queue each write's events for their
    fan-out.

    A failure answers the first record SQS did not take, and the event source mapping retries from there.
    """
    failed = bootstrap.webhook_relay().relay(event.get("Records", []))
    return {"batchItemFailures": [{"itemIdentifier": sequence} for sequence in failed]}
