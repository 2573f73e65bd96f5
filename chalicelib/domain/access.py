"""Who may do what: one table of actions by role, and one rule for who may see a case.

A role that may never perform an action gets 403. A caller whose role may act,
but who has no relation to the case, gets 404, so case ids cannot be probed.
"""

from __future__ import annotations

from enum import StrEnum

from chalicelib.domain.errors import NotFound, RoleNotAllowed
from chalicelib.domain.models import Actor, Dispute, Party, Role

B, S, R, SR, SF = Role.BUYER, Role.SELLER, Role.REVIEWER, Role.SENIOR_REVIEWER, Role.STOREFRONT
PA = Role.PLATFORM_ADMIN
# Everyone a case concerns; a platform admin manages policies and sees no case content (DESIGN section 2).
EVERYONE = frozenset(Role) - {PA}
REVIEWERS = frozenset({R, SR})
# Platform staff act on every storefront's objects: no relation to a case or a storefront is needed.
PLATFORM_WIDE = REVIEWERS | {PA}

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
    "state_defence": frozenset({S}),
    "answer_offer": frozenset({B}),
    "withdraw": frozenset({B}),
    "claim": REVIEWERS,
    "request_information": REVIEWERS,
    "rule": REVIEWERS,
    "appeal": frozenset({B, S}),
    "manage_webhooks": frozenset({SF}),
    "view_seller_record": REVIEWERS,
    "report_return_shipment": frozenset({B}),
    "report_return_receipt": frozenset({S}),
    "report_refund": frozenset({SF}),
    "report_reshipment": frozenset({S}),
    "report_reshipment_receipt": frozenset({B}),
    "decide_receipt": REVIEWERS,
    "view_seller_ledger": frozenset({R, SR, SF}),
    "post_message": frozenset({B, S, R, SR}),  # the storefront reads what is said to everyone, and says nothing
    "view_messages": EVERYONE,
    "find_cases": REVIEWERS,
    "view_reports": REVIEWERS,
    "advance_clock": EVERYONE,  # the local runtime's test clock (404 in AWS)
    "view_policies": frozenset({PA}),
    "publish_policy": frozenset({PA}),
    "simulate_policy": frozenset({PA}),
    # Recomputing a recommendation from its recorded inputs shows rule ids and outcomes, no case content.
    "replay_recommendation": PLATFORM_WIDE,
}


class Relation(StrEnum):
    """How a caller stands to the object a request touches (a case, a request, a subscription)."""

    OWN = "own"  # a party of the case, or an object of the caller's own storefront
    OTHER_PARTY = "other_party"  # same storefront, another buyer's or seller's object
    OTHER_STOREFRONT = "other_storefront"


class Verdict(StrEnum):
    ALLOWED = "allowed"
    FORBIDDEN = "403"
    NOT_FOUND = "404"


def verdict(action: str, role: Role, relation: Relation, *, owned: bool) -> Verdict:
    """The authorization matrix in one rule: 403 for a role that may never act, 404 for no relation.

    Reviewers see every case; a storefront sees everything of its storefront; a buyer
    or seller only their own. `owned` is False for routes on the caller's own collection.
    """
    if role not in ALLOWED_ROLES[action]:
        return Verdict.FORBIDDEN
    if not owned or role in PLATFORM_WIDE or relation == Relation.OWN:
        return Verdict.ALLOWED
    if role == Role.STOREFRONT and relation == Relation.OTHER_PARTY:
        return Verdict.ALLOWED
    return Verdict.NOT_FOUND


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


def require_own_storefront(actor: Actor, storefront_id: str, message: str) -> None:
    """Reviewers see every storefront's records; a storefront only its own (anything else is absent: 404)."""
    if actor.role not in REVIEWERS and actor.storefront_id != storefront_id:
        raise NotFound(message)


def require_party(actor: Actor, case: Dispute) -> Party:
    party = case.party_of(actor)
    if party is None:
        raise RoleNotAllowed("only a party of the case may do this")
    return party
