"""The one Logger, Tracer and Metrics the whole service shares, and what a case's events measure.

Logs are JSON with `case_id` (and `execution_id` in workflow steps) as keys, never
tokens or secrets. Metrics are CloudWatch EMF lines on stdout, so the local
runtime prints the same figures a Lambda would publish. The X-Ray SDK costs a
third of a second to import, so the Tracer is built only where tracing is on.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics import MetricUnit, single_metric

SERVICE = "disputes"
NAMESPACE = os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "Disputes")

logger = Logger(service=SERVICE)

Handler = TypeVar("Handler", bound=Callable[..., Any])


def tracing_enabled() -> bool:
    return os.environ.get("POWERTOOLS_TRACE_DISABLED", "false").lower() not in ("1", "true")


@functools.cache
def tracer() -> Any:
    """Built on first use; with tracing disabled (the local runtime) it is never built."""
    from aws_lambda_powertools import Tracer  # noqa: PLC0415 - keeps aws_xray_sdk out of cold start

    return Tracer(service=SERVICE)


def lambda_entry(handler: Handler) -> Handler:
    """Correlate a workflow Lambda's logs by case and execution, and trace it where tracing is on."""

    @functools.wraps(handler)
    def entry(event: Any, context: Any) -> Any:
        keys = {key: event[key] for key in ("case_id", "execution_id") if isinstance(event, dict) and key in event}
        logger.thread_safe_append_keys(**keys)
        try:
            if tracing_enabled():
                return tracer().capture_lambda_handler(handler)(event, context)
            return handler(event, context)
        finally:
            logger.thread_safe_remove_keys(list(keys))

    return entry  # type: ignore[return-value]


def count(name: str, value: float = 1, unit: MetricUnit = MetricUnit.Count, **dimensions: str) -> None:
    """One metric, emitted at once with its own dimensions (no shared buffer to flush or race on)."""
    with single_metric(name=name, unit=unit, value=value, namespace=NAMESPACE) as metric:
        metric.add_dimension(name="service", value=SERVICE)
        for key, dimension in dimensions.items():
            metric.add_dimension(name=key, value=dimension)


def record_case_events(events: Iterable[Any], created_at: Any) -> None:
    """What the business watches, derived from the audit events a transition saved."""
    for event in events:
        if event.action == "created":
            count("DisputesEscalated")
        elif event.action == "ruled":
            decider = "rules" if event.data.get("decided_by") == "rules" else "reviewer"
            count("Rulings", outcome=str(event.data.get("outcome")), decider=decider)
            count("TimeToRuling", (event.at - created_at).total_seconds(), MetricUnit.Seconds, decider=decider)
        elif event.action == "review_sla_breached":
            count("ReviewSlaBreached")
        elif event.action == "deadline_missed":
            count("DeadlinesMissed", window=str(event.data.get("window")))
        elif event.action == "closed":
            count("DisputesClosed", resolution=str(event.data.get("resolution")))
        elif event.action == "workflow_failed":
            count("WorkflowFailures")
        elif event.action == "fulfilment_overdue":
            count("FulfilmentStepsOverdue", step=str(event.data.get("step")))
        elif event.action == "platform_refunded":
            count("PlatformRefunds")
        elif event.action == "fulfilled":
            count("DisputesFulfilled", outcome=str(event.data.get("outcome")))
