"""What the parties settle themselves: concede, offers, withdraw."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice.app import Blueprint, Response

from chalicelib.api.http import current_actor, expected_version, json_response, parse_body, route
from chalicelib.lazy import lazy

if TYPE_CHECKING:
    import chalicelib.bootstrap as contexts
    from chalicelib.api import schemas
    from chalicelib.domain import views
    from chalicelib.services import negotiation
else:  # loaded with the first request that needs them (chalicelib/lazy.py)
    schemas = lazy("chalicelib.api.schemas")
    views = lazy("chalicelib.domain.views")
    negotiation = lazy("chalicelib.services.negotiation")
    contexts = lazy("chalicelib.bootstrap")


bp = Blueprint(__name__)


@route(bp, "/v1/disputes/{dispute_id}/concede", "POST")
def concede(dispute_id: str) -> Response:
    actor = current_actor(bp.current_request)
    parse_body(bp.current_request, schemas.EmptyBody)
    case = negotiation.concede(contexts.context(), actor, dispute_id, expected_version(bp.current_request))
    return json_response(views.dispute_view(case), version=case.version)


@route(bp, "/v1/disputes/{dispute_id}/offers", "POST")
def make_offer(dispute_id: str) -> Response:
    actor = current_actor(bp.current_request)
    body = parse_body(bp.current_request, schemas.OfferBody)
    made = negotiation.make_offer(
        contexts.context(), actor, dispute_id, body.amount, body.note, expected_version(bp.current_request)
    )
    offer = {**made.offer.model_dump(mode="json"), "dispute_id": made.case.id, "version": made.case.version}
    return json_response(offer, 201, version=made.case.version)


@route(bp, "/v1/disputes/{dispute_id}/offers/{offer_id}/accept", "POST")
def accept_offer(dispute_id: str, offer_id: str) -> Response:
    return _answer(dispute_id, offer_id, accept=True)


@route(bp, "/v1/disputes/{dispute_id}/offers/{offer_id}/reject", "POST")
def reject_offer(dispute_id: str, offer_id: str) -> Response:
    return _answer(dispute_id, offer_id, accept=False)


def _answer(dispute_id: str, offer_id: str, *, accept: bool) -> Response:
    actor = current_actor(bp.current_request)
    parse_body(bp.current_request, schemas.EmptyBody)
    case = negotiation.answer_offer(
        contexts.context(),
        actor,
        dispute_id,
        offer_id,
        accept,
        expected_version(bp.current_request),
    )
    return json_response(views.dispute_view(case), version=case.version)


@route(bp, "/v1/disputes/{dispute_id}/withdraw", "POST")
def withdraw(dispute_id: str) -> Response:
    actor = current_actor(bp.current_request)
    body = parse_body(bp.current_request, schemas.WithdrawBody)
    case = negotiation.withdraw(
        contexts.context(), actor, dispute_id, body.reason, expected_version(bp.current_request)
    )
    return json_response(views.dispute_view(case), version=case.version)
