"""Policies as managed data (DESIGN section 12): publish a version, read the one in force with its history,
replay recorded recommendations under a draft (what-if), and replay one case's recommendation (audit).

Simulations and replays only read: the recorded rule inputs of past recommendations, never live case data,
and they write nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.domain.access import require_role
from chalicelib.domain.errors import InvalidState, NotFound, VersionConflict
from chalicelib.domain.models import Actor
from chalicelib.domain.policy import Policy, PolicyVersion, draft_policy, version_label
from chalicelib.domain.replay import Replay, Simulation, replay, simulate, simulation_scope
from chalicelib.observability import logger
from chalicelib.services.context import Context

# Concurrent publishers each number from the latest they read; a writer that lost numbers again, this often.
MAX_PUBLISH_ATTEMPTS = 3
DRAFT = "draft"  # the label a simulated draft's recommendations carry


@dataclass(frozen=True)
class Overview:
    """The policy in force (a stored version, or the default/file when `in_force` is None) and the history."""

    storefront_id: str
    in_force: PolicyVersion | None
    policy: Policy
    history: list[PolicyVersion]
    cursor: str | None


def overview(ctx: Context, actor: Actor, storefront_id: str, limit: int, cursor: str | None) -> Overview:
    require_role(actor, "view_policies")
    history, next_cursor = ctx.policies.history(storefront_id, limit, cursor)
    in_force = history[0] if history and cursor is None else ctx.policies.in_force(storefront_id)
    policy = in_force.policy if in_force is not None else ctx.policies.unversioned(storefront_id)
    return Overview(storefront_id, in_force, policy, history, next_cursor)


def publish(ctx: Context, actor: Actor, storefront_id: str, document: dict[str, Any]) -> PolicyVersion:
    """A new immutable version, in force from now for cases escalated from now; cases open keep theirs.

    Validated as a whole on the shipped default first (422 naming each failing path). Two publishers at
    once get distinct versions: each writes only a number nobody holds, and the loser numbers again.
    """
    require_role(actor, "publish_policy")
    draft = draft_policy(ctx.policies.default, document, DRAFT)  # checked and merged once, labelled per try
    for _ in range(MAX_PUBLISH_ATTEMPTS):
        latest = ctx.policies.in_force(storefront_id)
        number = (latest.number if latest is not None else 0) + 1
        version = PolicyVersion(
            storefront_id=storefront_id,
            number=number,
            created_at=ctx.clock(),
            created_by=actor.sub,
            document=document,
            policy=draft.model_copy(update={"version": version_label(number)}),
        )
        if ctx.policies.add(version):
            logger.info("policy version published", extra={"storefront_id": storefront_id, "version": number})
            return version
    raise VersionConflict("other versions are being published for this storefront; retry the request")


@dataclass(frozen=True)
class SimulationPage:
    storefront_id: str
    since: datetime
    until: datetime
    simulation: Simulation
    cursor: str | None


def simulate_draft(
    ctx: Context,
    actor: Actor,
    storefront_id: str,
    document: dict[str, Any],
    window: tuple[datetime, datetime],
    limit: int,
    cursor: str | None,
) -> SimulationPage:
    """One page of the storefront's recommendations made in [since, until), each replayed under the draft."""
    require_role(actor, "simulate_policy")
    draft = draft_policy(ctx.policies.default, document, DRAFT)
    scope = simulation_scope(document, window, limit)  # a cursor serves only the request that issued it
    records, next_cursor = ctx.cases.recommendation_records(storefront_id, window, limit, cursor, scope=scope)
    return SimulationPage(storefront_id, window[0], window[1], simulate(records, draft), next_cursor)


def replay_recommendation(ctx: Context, actor: Actor, case_id: str) -> Replay:
    """The case's recommendation recomputed from its recorded inputs under the version it names."""
    require_role(actor, "replay_recommendation")
    recorded = ctx.cases.recommendation_record(case_id)
    if recorded is None and ctx.cases.get(case_id) is None:  # the case itself is read only to tell 404 from 409
        raise NotFound(f"no dispute {case_id}")
    if recorded is None:
        raise InvalidState("the case has no recorded recommendation (not yet, or made before inputs were recorded)")
    policy = ctx.policies.version(recorded.storefront_id, recorded.recommendation.policy_version)
    return replay(recorded, policy)
