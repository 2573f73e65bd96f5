"""What the parties settle themselves: concede, offers, withdraw."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from chalicelib.api.http import current_actor, expected_version, json_response, parse_body, route
from chalicelib.api.schemas import EmptyBody, OfferBody, WithdrawBody
from chalicelib.api.views import dispute_view
from chalicelib.services import negotiation
from chalicelib.services.context import context

bp = Blueprint(__name__)


@route(bp, "/v1/disputes/{dispute_id}/concede", "POST")
def concede(dispute_id: str) -> Response:
    actor = current_actor(bp.current_request)
    parse_body(bp.current_request, EmptyBody)
    case = negotiation.concede(context(), actor, dispute_id, expected_version(bp.current_request))
    return json_response(dispute_view(case))


@route(bp, "/v1/disputes/{dispute_id}/offers", "POST")
def make_offer(dispute_id: str) -> Response:
    actor = current_actor(bp.current_request)
    body = parse_body(bp.current_request, OfferBody)
    case = negotiation.make_offer(
        context(), actor, dispute_id, body.amount, body.note, expected_version(bp.current_request)
    )
    return json_response(dispute_view(case), 201)


@route(bp, "/v1/disputes/{dispute_id}/offers/{offer_id}/accept", "POST")
def accept_offer(dispute_id: str, offer_id: str) -> Response:
    return _answer(dispute_id, offer_id, accept=True)


@route(bp, "/v1/disputes/{dispute_id}/offers/{offer_id}/reject", "POST")
def reject_offer(dispute_id: str, offer_id: str) -> Response:
    return _answer(dispute_id, offer_id, accept=False)


def _answer(dispute_id: str, offer_id: str, *, accept: bool) -> Response:
    actor = current_actor(bp.current_request)
    parse_body(bp.current_request, EmptyBody)
    case = negotiation.answer_offer(
        context(),
        actor,
        dispute_id,
        offer_id,
        accept,
        expected_version(bp.current_request),
    )
    return json_response(dispute_view(case))


@route(bp, "/v1/disputes/{dispute_id}/withdraw", "POST")
def withdraw(dispute_id: str) -> Response:
    actor = current_actor(bp.current_request)
    body = parse_body(bp.current_request, WithdrawBody)
    case = negotiation.withdraw(context(), actor, dispute_id, body.reason, expected_version(bp.current_request))
    return json_response(dispute_view(case))
