"""The one Logger, Tracer and Metrics instance the whole service shares."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer

SERVICE = "disputes"

logger = Logger(service=SERVICE)
tracer = Tracer(service=SERVICE)
metrics = Metrics(namespace="Disputes", service=SERVICE)
