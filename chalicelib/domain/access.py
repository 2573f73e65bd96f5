"""Who may do what: one table of actions by role, and one rule for who may see a case.

A role that may never perform an action gets 403. A caller whose role may act,
but who has no relation to the case, gets 404, so case ids cannot be probed.
"""

from __future__ import annotations

from chalicelib.domain.errors import NotFound, RoleNotAllowed
from chalicelib.domain.models import Actor, Dispute, Party, Role

B, S, R, SR, SF = Role.BUYER, Role.SELLER, Role.REVIEWER, Role.SENIOR_REVIEWER, Role.STOREFRONT
EVERYONE = frozenset(Role)
REVIEWERS = frozenset({R, SR})

ALLOWED_ROLES: dict[str, frozenset[Role]] = {
    "record_request": frozenset({SF}),
    "escalate": frozenset({B, SF}),
    "view_case": EVERYONE,
    "list_cases": EVERYONE,
    "view_events": EVERYONE,
    "submit": frozenset({B, S}),
    "add_evidence": frozenset({B, S}),
    "add_statement": frozenset({B, S}),
    "view_evidence": EVERYONE,
    "concede": frozenset({S}),
    "make_offer": frozenset({S}),
    "answer_offer": frozenset({B}),
    "withdraw": frozenset({B}),
    "claim": REVIEWERS,
    "request_information": REVIEWERS,
    "rule": REVIEWERS,
    "appeal": frozenset({B, S}),
    "manage_webhooks": frozenset({SF}),
}


def require_role(actor: Actor, action: str) -> None:
    if actor.role not in ALLOWED_ROLES[action]:
        raise RoleNotAllowed(f"a {actor.role.value} may not {action.replace('_', ' ')}")


def can_see(actor: Actor, case: Dispute) -> bool:
    if actor.role in REVIEWERS:
        return True
    if actor.role == Role.STOREFRONT:
        return actor.storefront_id == case.storefront_id
    return case.party_of(actor) is not None


def require_visible(actor: Actor, case: Dispute | None, case_id: str) -> Dispute:
    if case is None or not can_see(actor, case):
        raise NotFound(f"no dispute {case_id}")
    return case


def require_party(actor: Actor, case: Dispute) -> Party:
    party = case.party_of(actor)
    if party is None:
        raise RoleNotAllowed("only a party of the case may do this")
    return party
