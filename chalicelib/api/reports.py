"""Reports for reviewers: the dashboard's figures, computed from cases."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice.app import Blueprint, Response

from chalicelib.api.http import current_actor, json_response, parse_query, route
from chalicelib.lazy import lazy

if TYPE_CHECKING:
    import chalicelib.bootstrap as contexts
    from chalicelib.domain import reports as report_models
    from chalicelib.services import reports
else:  # loaded with the first request that needs them (chalicelib/lazy.py)
    report_models = lazy("chalicelib.domain.reports")
    reports = lazy("chalicelib.services.reports")
    contexts = lazy("chalicelib.bootstrap")


bp = Blueprint(__name__)


@route(bp, "/v1/reports/overview", "GET")
def report_overview() -> Response:
    actor = current_actor(bp.current_request)
    query = parse_query(bp.current_request, report_models.ReportQuery)
    figures = reports.report_overview(contexts.context(), actor, query)
    return json_response(figures.model_dump(mode="json"))
