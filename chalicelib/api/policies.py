"""Policies as managed data (DESIGN section 12): versions, the what-if simulation, and a recommendation's replay."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint, Response

from chalicelib.api.http import current_actor, json_response, parse_body, parse_query, route
from chalicelib.lazy import lazy

if TYPE_CHECKING:
    import chalicelib.bootstrap as contexts
    from chalicelib.api import schemas
    from chalicelib.domain import models, replay
    from chalicelib.domain import policy as policy_models
    from chalicelib.services import policies
else:  # loaded with the first request that needs them (chalicelib/lazy.py)
    schemas = lazy("chalicelib.api.schemas")
    models = lazy("chalicelib.domain.models")
    replay = lazy("chalicelib.domain.replay")
    policies = lazy("chalicelib.services.policies")
    contexts = lazy("chalicelib.bootstrap")


bp = Blueprint(__name__)
POLICY = "/v1/policies/{storefront_id}"


def version_view(version: policy_models.PolicyVersion) -> dict[str, Any]:
    """A stored version as every answer names it: its number, its label on cases, who made it and when."""
    return {
        "version": version.number,
        "policy_version": version.policy.version,
        "created_at": models.iso(version.created_at),
        "created_by": version.created_by,
    }


@route(bp, POLICY, "GET")
def policy_overview(storefront_id: str) -> Response:
    actor = current_actor(bp.current_request)
    query = parse_query(bp.current_request, schemas.PolicyHistoryQuery)
    found = policies.overview(contexts.context(), actor, storefront_id, query.limit, query.cursor)
    version = found.in_force
    unversioned = {"version": 0, "policy_version": found.policy.version, "created_at": None, "created_by": None}
    return json_response(
        {
            "storefront_id": found.storefront_id,
            "in_force": {
                **(version_view(version) if version else unversioned),
                "document": version.document if version else {},
                "policy": found.policy.model_dump(mode="json"),
            },
            "history": [version_view(entry) for entry in found.history],
            "cursor": found.cursor,
        }
    )


@route(bp, POLICY, "PUT")
def publish_policy(storefront_id: str) -> Response:
    actor = current_actor(bp.current_request)
    body = parse_body(bp.current_request, schemas.PolicyBody)
    version = policies.publish(contexts.context(), actor, storefront_id, body.document)
    view = {"storefront_id": version.storefront_id, **version_view(version)}
    return json_response(view, 201, {"Location": f"/v1/policies/{storefront_id}"})


@route(bp, f"{POLICY}/simulate", "POST")
def simulate_policy(storefront_id: str) -> Response:
    actor = current_actor(bp.current_request)
    body = parse_body(bp.current_request, schemas.SimulationBody)
    window = (body.since, body.until)
    page = policies.simulate_draft(
        contexts.context(), actor, storefront_id, body.document, window, body.limit, body.cursor
    )
    return json_response(simulation_view(page))


def simulation_view(page: policies.SimulationPage) -> dict[str, Any]:
    result = page.simulation
    main = result.main_currency
    before, after = result.compensation.get(main, (0, 0)) if main else (0, 0)
    return {
        "storefront_id": page.storefront_id,
        "since": models.iso(page.since),
        "until": models.iso(page.until),
        "cases": result.cases,
        "changed": len(result.changes),
        "changes": [
            {"dispute_id": change.dispute_id, "before": terms(change.before), "after": terms(change.after)}
            for change in result.changes
        ],
        "auto_rate": {
            "before": _rate(result.auto_before, result.cases),
            "after": _rate(result.auto_after, result.cases),
        },
        "auto_cases": {"before": result.auto_before, "after": result.auto_after},
        "compensation_total": {"before": before, "after": after, "currency": main},
        "compensation_totals": [
            {"currency": currency, "cases": result.currencies[currency], "before": was, "after": will}
            for currency, (was, will) in sorted(result.compensation.items())
        ],
        "cursor": page.cursor,
    }


def _rate(auto: int, cases: int) -> float | None:
    return round(auto / cases, 4) if cases else None


def terms(summary: replay.Summary) -> dict[str, Any]:
    return {**summary.model_dump(mode="json"), "rules": list(summary.rules)}


@route(bp, "/v1/disputes/{dispute_id}/recommendation/replay", "GET")
def replay_recommendation(dispute_id: str) -> Response:
    actor = current_actor(bp.current_request)
    replayed = policies.replay_recommendation(contexts.context(), actor, dispute_id)
    recorded = replayed.record
    currency = recorded.inputs.case.currency
    return json_response(
        {
            "dispute_id": recorded.case_id,
            "policy_version": recorded.recommendation.policy_version,
            "recorded_at": models.iso(recorded.recorded_at),
            "matches": replayed.matches,
            "recorded": terms(replay.summary(recorded.recommendation, currency)),
            "replayed": terms(replay.summary(replayed.replayed, currency)),
        }
    )
