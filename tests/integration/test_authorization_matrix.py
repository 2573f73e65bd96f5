"""Every route of the app x every role x every relation to the object, against the route table's verdict.

A route registered without an entry in chalicelib/api/routes.py fails here. Each
cell expected to be allowed gets a fresh world (its own storefront, case, offer,
evidence, subscription and delivery), so one cell's success cannot turn the next
one's into a 404; cells expected to be refused share one world, since a refusal
changes nothing.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import timedelta
from functools import cached_property
from typing import Any

import pytest

from app import app
from chalicelib.api.routes import ROUTES, spec_for
from chalicelib.bootstrap import webhook_ports as ports
from chalicelib.domain import lifecycle
from chalicelib.domain.access import Relation, Verdict
from chalicelib.domain.evidence_models import Evidence, EvidenceChange, EvidenceKind, EvidenceStatus, EvidenceWrite
from chalicelib.domain.message_models import Audience
from chalicelib.domain.models import Party, Role
from chalicelib.domain.webhooks import Delivery, DeliveryStatus, EventType
from chalicelib.services import negotiation, webhooks
from chalicelib.services.context import Context
from chalicelib.services.evidence import new_evidence_id
from tests.factories import actor, after_sales_body, bearer, request
from tests.integration.conftest import Api

REGISTERED = sorted((method, path) for path, entries in app.routes.items() for method in entries)
PLATFORM = "platform"
UNREACHABLE_HOOK = "http://127.0.0.1:9/hooks"  # discard port: nothing answers, nothing is delivered


class World:
    """The objects a route may name, in a storefront of its own, built only as a route needs them."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.shop = f"mx-{uuid.uuid4().hex[:10]}"
        self.buyer = actor("buyer", "buyer-1", self.shop)
        self.seller = actor("seller", "seller-1", self.shop)
        self.storefront = actor("storefront", f"{self.shop}-backend", self.shop)

    def token(self, role: Role, relation: Relation) -> dict[str, str]:
        subject = {Role.BUYER: "buyer-1", Role.SELLER: "seller-1"}.get(role, f"{role.value}-1")
        if relation == Relation.OWN:
            return bearer(role.value, subject if role != Role.STOREFRONT else f"{self.shop}-backend", self._home(role))
        if relation == Relation.OTHER_PARTY:
            return bearer(role.value, subject.replace("-1", "-2"), self._home(role))
        return bearer(role.value, subject, f"{self.shop}-elsewhere")

    def _home(self, role: Role) -> str:
        return PLATFORM if role in (Role.REVIEWER, Role.SENIOR_REVIEWER, Role.PLATFORM_ADMIN) else self.shop

    @cached_property
    def request_id(self) -> str:
        """A request the seller rejected, recorded and not yet escalated."""
        recorded = request(self.ctx.clock(), storefront_id=self.shop)
        self.ctx.cases.put_request(recorded)
        return recorded.request_id

    @cached_property
    def case_id(self) -> str:
        """A case waiting for the seller, written directly (no workflow runs for it), with an open offer."""
        now = self.ctx.clock()
        recorded = request(now, storefront_id=self.shop)
        self.ctx.cases.put_request(recorded)
        transition = lifecycle.open_case(
            recorded, self.buyer, "it broke", f"dsp_{uuid.uuid4().hex}", "test", self.ctx.deadlines(self.shop), now
        )
        case = self.ctx.cases.create(transition)
        negotiation.make_offer(self.ctx, self.seller, case.id, 1_000, None)
        return case.id

    @cached_property
    def offer_id(self) -> str:
        case = self.ctx.cases.get(self.case_id)
        assert case is not None and case.open_offer is not None
        return case.open_offer.id

    def evidence_id(self, role: Role) -> str:
        return self._evidence[Party.BUYER if role == Role.BUYER else Party.SELLER]

    @cached_property
    def _evidence(self) -> dict[Party, str]:
        """A pending photo of each party (stored directly: only the seller's window is open)."""
        made = {}
        for party in Party:
            case = self.ctx.cases.get(self.case_id)
            assert case is not None and case.window is not None
            evidence_id = new_evidence_id()
            pending = Evidence(
                id=evidence_id,
                case_id=case.id,
                party=party,
                added_by=f"{party.value}-1",
                kind=EvidenceKind.PHOTO,
                status=EvidenceStatus.PENDING,
                window_id=case.window.id,
                content_type="image/jpeg",
                declared_size=1_000,
                object_key=f"cases/{case.id}/{party.value}/{evidence_id}",
                created_at=self.ctx.clock(),
            )
            self.ctx.evidence.save(EvidenceChange(case=case, evidence=pending, write=EvidenceWrite.ADD))
            made[party] = evidence_id
        return made

    @cached_property
    def webhook_id(self) -> str:
        subscription = webhooks.subscribe(ports(), self.storefront, UNREACHABLE_HOOK, [EventType.APPEALED])
        return subscription.id

    @cached_property
    def delivery_id(self) -> str:
        """A delivery that failed, ready to be sent again."""
        now = self.ctx.clock()
        delivery = Delivery(
            id=f"dlv_{uuid.uuid4().hex}",
            subscription_id=self.webhook_id,
            storefront_id=self.shop,
            event_id=f"evt_{uuid.uuid4().hex}",
            event_type=EventType.APPEALED,
            case_id="dsp_none",
            sequence=1,
            body="{}",
            status=DeliveryStatus.FAILED,
            created_at=now - timedelta(hours=1),
            updated_at=now - timedelta(hours=1),
        )
        assert ports().store.create_delivery(delivery)
        return delivery.id

    def path(self, template: str, role: Role) -> str:
        values: dict[str, Callable[[], str]] = {
            "dispute_id": lambda: self.case_id,
            "offer_id": lambda: self.offer_id,
            "evidence_id": lambda: self.evidence_id(role),
            "webhook_id": lambda: self.webhook_id,
            "delivery_id": lambda: self.delivery_id,
            "request_id": lambda: f"req-{uuid.uuid4().hex[:12]}",
            "seller_id": lambda: "seller-1",
            "storefront_id": lambda: self.shop,
            "asset": lambda: "app.js",
        }
        path = template
        for name in [part[1:-1] for part in template.split("/") if part.startswith("{")]:
            assert name in values, f"the matrix test has no value for path parameter {{{name}}}: add one"
            path = path.replace(f"{{{name}}}", values[name]())
        return path

    def body(self, method: str, template: str) -> Any:
        """A valid body, so that a refusal is about who calls, never about what was sent."""
        bodies: dict[str, Any] = {
            "/v1/after-sales/{request_id}": after_sales_body,
            "/v1/disputes": lambda: {"request_id": self.request_id, "statement": "it broke"},
            "/v1/disputes/{dispute_id}/evidence": lambda: {"kind": "photo", "content_type": "image/jpeg", "size": 100},
            "/v1/disputes/{dispute_id}/statements": lambda: {"text": "my side"},
            "/v1/disputes/{dispute_id}/offers": lambda: {"amount": 500},
            "/v1/disputes/{dispute_id}/defence": lambda: {"grounds": ["item_used"], "statement": "worn, see photos"},
            "/v1/disputes/{dispute_id}/withdraw": lambda: {"reason": "sorted"},
            "/v1/disputes/{dispute_id}/info-requests": lambda: {"parties": ["buyer"], "message": "the box?"},
            "/v1/disputes/{dispute_id}/ruling": lambda: {"outcome": "refund_full", "liability": "seller"},
            "/v1/disputes/{dispute_id}/appeal": lambda: {"statement": "unfair"},
            "/v1/webhooks": lambda: {"url": UNREACHABLE_HOOK, "events": ["dispute.appealed"]},
            "/v1/disputes/{dispute_id}/return-shipment": lambda: {"carrier": "SF", "tracking_number": "SF123"},
            "/v1/disputes/{dispute_id}/reshipment": lambda: {"carrier": "SF", "tracking_number": "SF123"},
            "/v1/disputes/{dispute_id}/return-receipt": lambda: {"condition": "received_ok"},
            "/v1/disputes/{dispute_id}/reshipment-receipt": lambda: {"condition": "received_ok"},
            "/v1/disputes/{dispute_id}/refund": lambda: {"amount": 12_900, "currency": "CNY", "reference": "rf-1"},
            "/v1/disputes/{dispute_id}/receipt-decision": lambda: {"owed": 0},
            "/v1/disputes/{dispute_id}/messages": lambda: {"text": "hello", "audience": "everyone"},
            "/v1/policies/{storefront_id}": lambda: {"document": {"deadlines": {"seller_response": "PT48H"}}},
            "/v1/policies/{storefront_id}/simulate": lambda: {
                "document": {"rules": {"no_reason_return_days": 10}},
                "since": "2026-01-01T00:00:00Z",
                "until": "2027-01-01T00:00:00Z",
            },
        }
        if method in ("GET", "DELETE") or template not in bodies:
            return None
        return bodies[template]()

    def query(self, template: str) -> str:
        sellers = ("/v1/sellers/{seller_id}/penalties", "/v1/sellers/{seller_id}/ledger")
        return f"?storefront_id={self.shop}" if template in sellers else ""


def test_every_registered_route_has_an_entry_in_the_route_table() -> None:
    listed = sorted(spec.key for spec in ROUTES)

    assert listed == REGISTERED


def test_every_action_in_the_table_has_roles_and_every_route_one_entry() -> None:
    from chalicelib.domain.access import ALLOWED_ROLES

    assert len({spec.key for spec in ROUTES}) == len(ROUTES)
    assert all(spec.action is None or spec.action in ALLOWED_ROLES for spec in ROUTES)


@pytest.mark.parametrize(("method", "template"), REGISTERED, ids=[f"{m} {p}" for m, p in REGISTERED])
def test_route_answers_every_role_and_relation_as_the_table_says(
    api: Api, ctx: Context, method: str, template: str
) -> None:
    spec = spec_for(method, template)
    assert spec is not None, f"{method} {template} has no entry in chalicelib/api/routes.py"
    shared = World(ctx)
    wrong: list[str] = []
    for role in Role:
        for relation in Relation:
            expected = spec.verdict(role, relation)
            world = World(ctx) if expected == Verdict.ALLOWED else shared
            path = world.path(template, role) + world.query(template)
            status = call(api, method, path, world.token(role, relation), world.body(method, template))
            if not answers(status, expected):
                wrong.append(f"{role.value}/{relation.value}: expected {expected.value}, got {status}")

    assert not wrong, f"{method} {template}:\n" + "\n".join(wrong)


@pytest.mark.parametrize(("method", "template"), REGISTERED, ids=[f"{m} {p}" for m, p in REGISTERED])
def test_route_without_a_valid_token_is_401_unless_public(api: Api, ctx: Context, method: str, template: str) -> None:
    spec = spec_for(method, template)
    assert spec is not None
    world = World(ctx)
    path = world.path(template, Role.BUYER) + world.query(template)
    forged = {"Authorization": "Bearer " + bearer("buyer", "buyer-1", world.shop)["Authorization"].split()[1][:-2]}

    for token in (None, forged):
        status = call(api, method, path, token, world.body(method, template))
        assert (status == 401) != spec.public, (token, status)


# Who reads a reviewer's message to each audience (DESIGN section 11); everyone else with access to the case
# reads neither it nor its timeline line, and a caller with no relation to the case gets 404 as for any route.
READERS: dict[Audience, frozenset[Role]] = {
    Audience.EVERYONE: frozenset(Role),
    Audience.PLATFORM: frozenset({Role.REVIEWER, Role.SENIOR_REVIEWER}),
    Audience.BUYER: frozenset({Role.BUYER, Role.REVIEWER, Role.SENIOR_REVIEWER}),
    Audience.SELLER: frozenset({Role.SELLER, Role.REVIEWER, Role.SENIOR_REVIEWER}),
}


def test_a_message_is_read_by_its_audience_alone_for_every_role_and_relation(api: Api, ctx: Context) -> None:
    # Given one case with a reviewer's message to each audience
    world = World(ctx)
    reviewer = bearer("reviewer", "rev-author", PLATFORM)
    for audience in Audience:
        body = {"text": f"to {audience.value}", "audience": audience.value}
        posted = api.call("POST", f"/v1/disputes/{world.case_id}/messages", reviewer, body)
        assert posted.status_code == 201, posted.json

    # When every role, in every relation to the case, reads the thread and the timeline
    wrong: list[str] = []
    for role in Role:
        for relation in Relation:
            token = world.token(role, relation)
            expected = spec_for("GET", "/v1/disputes/{dispute_id}/messages")
            assert expected is not None
            verdict = expected.verdict(role, relation)
            thread = api.call("GET", f"/v1/disputes/{world.case_id}/messages", token)
            timeline = api.call("GET", f"/v1/disputes/{world.case_id}/events", token)
            if verdict != Verdict.ALLOWED:
                if (thread.status_code, timeline.status_code) != (int(verdict.value),) * 2:
                    wrong.append(f"{role.value}/{relation.value}: {thread.status_code}, {timeline.status_code}")
                continue
            readable = {f"to {a.value}" for a, readers in READERS.items() if role in readers}
            in_thread = {item["text"] for item in thread.json["items"]}
            on_timeline = {e["data"]["excerpt"] for e in timeline.json["items"] if e["action"] == "message_posted"}
            if not in_thread == on_timeline == readable:
                wrong.append(f"{role.value}/{relation.value}: thread {in_thread}, timeline {on_timeline}")

    # Then each reads exactly its audiences' messages: a party never another's note to the platform or a
    # message to the other party alone, a storefront only what is said to everyone
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("role", [Role.BUYER, Role.SELLER])
def test_a_party_addresses_everyone_or_the_platform_and_never_one_party_alone(
    api: Api, ctx: Context, role: Role
) -> None:
    world = World(ctx)
    token = world.token(role, Relation.OWN)
    path = f"/v1/disputes/{world.case_id}/messages"

    answers = {a: api.call("POST", path, token, {"text": "hi", "audience": a.value}).status_code for a in Audience}

    assert answers == {Audience.EVERYONE: 201, Audience.PLATFORM: 201, Audience.BUYER: 422, Audience.SELLER: 422}


def call(api: Api, method: str, path: str, token: dict[str, str] | None, body: Any) -> int:
    """The status only: some routes (the console) answer HTML, not JSON."""
    headers = {"Content-Type": "application/json", **(token or {})}
    raw = None if body is None else json.dumps(body)
    status: int = getattr(api.client.http, method.lower())(path, headers=headers, body=raw).status_code
    return status


def answers(status: int, expected: Verdict) -> bool:
    if expected == Verdict.FORBIDDEN:
        return status == 403
    if expected == Verdict.NOT_FOUND:
        return status == 404
    return status not in (401, 403, 404) and status < 500


def test_the_matrix_counts(capsys: pytest.CaptureFixture[str]) -> None:
    """Routes x roles x relations, for the record."""
    cells = len(REGISTERED) * len(Role) * len(Relation)
    with capsys.disabled():
        print(
            f"\nauthorization matrix: {len(REGISTERED)} routes x {len(Role)} roles x {len(Relation)} relations"
            f" = {cells} cells"
        )
    assert cells >= len(ROUTES) * 15
