"""Every route of the API in one table: the action it performs, whose object it touches, what it parses.

The `route` decorator authorizes from this table, the OpenAPI document is generated
from it, and the authorization matrix in docs/SECURITY.md is printed from it. A
route registered without an entry here fails the matrix test.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pydantic import BaseModel

from chalicelib.api.policy_responses import (
    PolicyOverview,
    PolicyVersionCreated,
    RecommendationReplay,
    SimulationResult,
)
from chalicelib.api.responses import (
    AddedEvidence,
    AfterSalesRequestView,
    DeliveryPage,
    DeliveryView,
    DevToken,
    DisputePage,
    DisputeView,
    EventList,
    EvidenceList,
    EvidenceView,
    Health,
    MessagePage,
    MessageView,
    OfferView,
    SellerLedger,
    SellerPenalties,
    Subscription,
    SubscriptionList,
    SubscriptionWithSecret,
)
from chalicelib.api.schemas import (
    AppealBody,
    DefenceBody,
    DeliveriesQuery,
    DevTokenBody,
    EmptyBody,
    EscalateBody,
    EvidenceBody,
    InfoRequestBody,
    MessageBody,
    MessageQuery,
    OfferBody,
    PolicyBody,
    PolicyHistoryQuery,
    ReceiptBody,
    ReceiptDecisionBody,
    RefundBody,
    RulingBody,
    SellerRecordQuery,
    ShipmentBody,
    SimulationBody,
    StatementBody,
    SubscribeBody,
    WithdrawBody,
)
from chalicelib.domain.access import Relation, Verdict, verdict
from chalicelib.domain.finding import CaseSearch, ClosedQuery
from chalicelib.domain.models import AfterSalesFacts, DisputeQuery, Role
from chalicelib.domain.reports import Overview, ReportQuery


class Owner(StrEnum):
    """Whose object a route reads or changes; a caller with no relation to it gets 404."""

    NONE = "none"  # nothing to own: the caller's own collection, or a public document
    CASE = "case"  # the dispute in the path
    REQUEST = "request"  # the after-sales request named in the body
    SUBSCRIPTION = "subscription"  # a storefront's webhook subscription
    DELIVERY = "delivery"  # a delivery of one of the storefront's subscriptions
    SELLER_LEDGER = "seller_ledger"  # a seller's recovery ledger on the storefront named in the query


@dataclass(frozen=True)
class RouteSpec:
    method: str
    path: str
    action: str | None  # None: public, no token
    owner: Owner
    summary: str
    success: tuple[int, ...]
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    operation_id: str = ""  # the OpenAPI operationId, in business words (a generated client's method name)
    response: type[BaseModel] | None = None  # the success body; None: no body (204), or a free-form object
    documented: bool = True  # False: not part of the JSON API (the console's HTML and scripts)
    more_errors: tuple[int, ...] = ()  # error statuses beyond those its method, body and owner imply

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.path)

    @property
    def public(self) -> bool:
        return self.action is None

    def verdict(self, role: Role, relation: Relation) -> Verdict:
        """What a caller of this role, with this relation to the object, must get."""
        if self.action is None:
            return Verdict.ALLOWED
        return verdict(self.action, role, relation, owned=self.owner != Owner.NONE)


CASE = "/v1/disputes/{dispute_id}"
HOOK = "/v1/webhooks/{webhook_id}"
POLICY = "/v1/policies/{storefront_id}"

ROUTES: tuple[RouteSpec, ...] = (
    RouteSpec("GET", "/health", None, Owner.NONE, "Liveness", (200,), operation_id="getHealth", response=Health),
    RouteSpec(
        "GET",
        "/v1/openapi.json",
        None,
        Owner.NONE,
        "This API's OpenAPI document",
        (200,),
        operation_id="getOpenApiDocument",
    ),
    RouteSpec(
        "PUT",
        "/v1/after-sales/{request_id}",
        "record_request",
        Owner.NONE,
        "Record an after-sales request the seller rejected or ignored",
        (200, 201),
        body=AfterSalesFacts,
        operation_id="recordAfterSalesRequest",
        response=AfterSalesRequestView,
    ),
    RouteSpec(
        "POST",
        "/v1/disputes",
        "escalate",
        Owner.REQUEST,
        "Escalate a request",
        (201,),
        body=EscalateBody,
        operation_id="escalateDispute",
        response=DisputeView,
    ),
    RouteSpec(
        "GET",
        "/v1/disputes",
        "list_cases",
        Owner.NONE,
        "Own cases, or a review queue",
        (200,),
        query=DisputeQuery,
        operation_id="listDisputes",
        response=DisputePage,
    ),
    RouteSpec(
        "GET",
        "/v1/disputes/search",
        "find_cases",
        Owner.NONE,
        "Find cases by order, buyer or seller id, across storefronts (reviewers)",
        (200,),
        query=CaseSearch,
        operation_id="searchDisputes",
        response=DisputePage,
    ),
    RouteSpec(
        "GET",
        "/v1/disputes/closed",
        "find_cases",
        Owner.NONE,
        "Closed cases, most recently closed first, by reason, outcome, decider and date (reviewers)",
        (200,),
        query=ClosedQuery,
        operation_id="browseClosedDisputes",
        response=DisputePage,
    ),
    RouteSpec(
        "GET", CASE, "view_case", Owner.CASE, "A dispute", (200,), operation_id="getDispute", response=DisputeView
    ),
    RouteSpec(
        "GET",
        f"{CASE}/events",
        "view_events",
        Owner.CASE,
        "The audit timeline",
        (200,),
        operation_id="listDisputeEvents",
        response=EventList,
    ),
    RouteSpec(
        "POST",
        f"{CASE}/submit",
        "submit",
        Owner.CASE,
        "End the caller's window now",
        (202,),
        body=EmptyBody,
        operation_id="submitWindow",
        response=DisputeView,
    ),
    RouteSpec(
        "POST",
        f"{CASE}/evidence",
        "add_evidence",
        Owner.CASE,
        "Declare evidence",
        (201,),
        body=EvidenceBody,
        operation_id="declareEvidence",
        response=AddedEvidence,
    ),
    RouteSpec(
        "POST",
        f"{CASE}/evidence/{{evidence_id}}/complete",
        "add_evidence",
        Owner.CASE,
        "Verify an uploaded file",
        (200,),
        body=EmptyBody,
        operation_id="completeEvidence",
        response=EvidenceView,
    ),
    RouteSpec(
        "POST",
        f"{CASE}/statements",
        "add_statement",
        Owner.CASE,
        "Add a statement",
        (201,),
        body=StatementBody,
        operation_id="addStatement",
        response=EvidenceView,
    ),
    RouteSpec(
        "GET",
        f"{CASE}/evidence",
        "view_evidence",
        Owner.CASE,
        "Evidence the caller may see",
        (200,),
        operation_id="listEvidence",
        response=EvidenceList,
    ),
    RouteSpec(
        "POST",
        f"{CASE}/concede",
        "concede",
        Owner.CASE,
        "Seller concedes",
        (200,),
        body=EmptyBody,
        operation_id="concede",
        response=DisputeView,
    ),
    RouteSpec(
        "POST",
        f"{CASE}/defence",
        "state_defence",
        Owner.CASE,
        "Seller states its grounds for refusing",
        (201,),
        body=DefenceBody,
        operation_id="stateDefence",
        response=DisputeView,
    ),
    RouteSpec(
        "POST",
        f"{CASE}/offers",
        "make_offer",
        Owner.CASE,
        "Seller offers a refund",
        (201,),
        body=OfferBody,
        operation_id="makeOffer",
        response=OfferView,
    ),
    RouteSpec(
        "POST",
        f"{CASE}/offers/{{offer_id}}/accept",
        "answer_offer",
        Owner.CASE,
        "Buyer accepts an offer",
        (200,),
        body=EmptyBody,
        operation_id="acceptOffer",
        response=DisputeView,
    ),
    RouteSpec(
        "POST",
        f"{CASE}/offers/{{offer_id}}/reject",
        "answer_offer",
        Owner.CASE,
        "Buyer rejects an offer",
        (200,),
        body=EmptyBody,
        operation_id="rejectOffer",
        response=DisputeView,
    ),
    RouteSpec(
        "POST",
        f"{CASE}/withdraw",
        "withdraw",
        Owner.CASE,
        "Buyer withdraws",
        (200,),
        body=WithdrawBody,
        operation_id="withdraw",
        response=DisputeView,
    ),
    RouteSpec(
        "POST",
        f"{CASE}/claim",
        "claim",
        Owner.CASE,
        "Reviewer claims the case",
        (200,),
        body=EmptyBody,
        operation_id="claimDispute",
        response=DisputeView,
    ),
    RouteSpec(
        "POST",
        f"{CASE}/info-requests",
        "request_information",
        Owner.CASE,
        "Reviewer asks a party for more",
        (201,),
        body=InfoRequestBody,
        operation_id="requestInformation",
        response=DisputeView,
    ),
    RouteSpec(
        "POST",
        f"{CASE}/ruling",
        "rule",
        Owner.CASE,
        "Issue a ruling",
        (201,),
        body=RulingBody,
        operation_id="issueRuling",
        response=DisputeView,
    ),
    RouteSpec(
        "POST",
        f"{CASE}/appeal",
        "appeal",
        Owner.CASE,
        "Appeal a ruling",
        (201,),
        body=AppealBody,
        operation_id="appeal",
        response=DisputeView,
    ),
    RouteSpec(
        "POST",
        f"{CASE}/return-shipment",
        "report_return_shipment",
        Owner.CASE,
        "Buyer reports the return shipped",
        (200,),
        body=ShipmentBody,
        operation_id="reportReturnShipment",
        response=DisputeView,
    ),
    RouteSpec(
        "POST",
        f"{CASE}/return-receipt",
        "report_return_receipt",
        Owner.CASE,
        "Seller reports the return received, and its condition",
        (200,),
        body=ReceiptBody,
        operation_id="reportReturnReceipt",
        response=DisputeView,
    ),
    RouteSpec(
        "POST",
        f"{CASE}/refund",
        "report_refund",
        Owner.CASE,
        "Storefront reports the refund it made",
        (200,),
        body=RefundBody,
        operation_id="reportRefund",
        response=DisputeView,
    ),
    RouteSpec(
        "POST",
        f"{CASE}/reshipment",
        "report_reshipment",
        Owner.CASE,
        "Seller reports the replacement or repaired item shipped",
        (200,),
        body=ShipmentBody,
        operation_id="reportReshipment",
        response=DisputeView,
    ),
    RouteSpec(
        "POST",
        f"{CASE}/reshipment-receipt",
        "report_reshipment_receipt",
        Owner.CASE,
        "Buyer reports the reshipment received, and its condition",
        (200,),
        body=ReceiptBody,
        operation_id="reportReshipmentReceipt",
        response=DisputeView,
    ),
    RouteSpec(
        "POST",
        f"{CASE}/receipt-decision",
        "decide_receipt",
        Owner.CASE,
        "Reviewer decides what a disputed receipt still owes",
        (200,),
        body=ReceiptDecisionBody,
        operation_id="decideReceipt",
        response=DisputeView,
    ),
    RouteSpec(
        "POST",
        f"{CASE}/messages",
        "post_message",
        Owner.CASE,
        "Post a message to everyone, to the platform, or (reviewers) to one party",
        (201,),
        body=MessageBody,
        operation_id="postMessage",
        response=MessageView,
    ),
    RouteSpec(
        "GET",
        f"{CASE}/messages",
        "view_messages",
        Owner.CASE,
        "The messages the caller may read, oldest first",
        (200,),
        query=MessageQuery,
        operation_id="listMessages",
        response=MessagePage,
    ),
    RouteSpec(
        "POST",
        "/v1/webhooks",
        "manage_webhooks",
        Owner.NONE,
        "Subscribe to events",
        (201,),
        body=SubscribeBody,
        operation_id="subscribeWebhook",
        response=SubscriptionWithSecret,
    ),
    RouteSpec(
        "GET",
        "/v1/webhooks",
        "manage_webhooks",
        Owner.NONE,
        "The storefront's subscriptions",
        (200,),
        operation_id="listWebhooks",
        response=SubscriptionList,
    ),
    RouteSpec(
        "DELETE", HOOK, "manage_webhooks", Owner.SUBSCRIPTION, "Unsubscribe", (204,), operation_id="unsubscribeWebhook"
    ),
    RouteSpec(
        "POST",
        f"{HOOK}/rotate-secret",
        "manage_webhooks",
        Owner.SUBSCRIPTION,
        "Rotate the signing secret",
        (200,),
        body=EmptyBody,
        operation_id="rotateWebhookSecret",
        response=SubscriptionWithSecret,
    ),
    RouteSpec(
        "POST",
        f"{HOOK}/enable",
        "manage_webhooks",
        Owner.SUBSCRIPTION,
        "Enable an endpoint that was disabled for failing",
        (200,),
        body=EmptyBody,
        operation_id="enableWebhook",
        response=Subscription,
    ),
    RouteSpec(
        "POST",
        f"{HOOK}/test",
        "manage_webhooks",
        Owner.SUBSCRIPTION,
        "Send a signed webhook.test event to the endpoint",
        (202,),
        body=EmptyBody,
        operation_id="sendTestWebhook",
        response=DeliveryView,
    ),
    RouteSpec(
        "GET",
        f"{HOOK}/deliveries",
        "manage_webhooks",
        Owner.SUBSCRIPTION,
        "Deliveries and their attempts",
        (200,),
        query=DeliveriesQuery,
        operation_id="listWebhookDeliveries",
        response=DeliveryPage,
    ),
    RouteSpec(
        "POST",
        "/v1/webhooks/deliveries/{delivery_id}/redeliver",
        "manage_webhooks",
        Owner.DELIVERY,
        "Send a delivery again",
        (202,),
        body=EmptyBody,
        operation_id="redeliverWebhook",
        response=DeliveryView,
    ),
    RouteSpec(
        "GET",
        "/v1/sellers/{seller_id}/penalties",
        "view_seller_record",
        Owner.NONE,
        "A seller's penalty record",
        (200,),
        query=SellerRecordQuery,
        operation_id="getSellerPenalties",
        response=SellerPenalties,
    ),
    RouteSpec(
        "GET",
        "/v1/sellers/{seller_id}/ledger",
        "view_seller_ledger",
        Owner.SELLER_LEDGER,
        "Refunds the platform made on a seller's behalf (its recovery ledger)",
        (200,),
        query=SellerRecordQuery,
        operation_id="getSellerLedger",
        response=SellerLedger,
    ),
    RouteSpec(
        "GET",
        POLICY,
        "view_policies",
        Owner.NONE,
        "A storefront's policy in force and its version history",
        (200,),
        query=PolicyHistoryQuery,
        operation_id="getPolicy",
        response=PolicyOverview,
    ),
    RouteSpec(
        "PUT",
        POLICY,
        "publish_policy",
        Owner.NONE,
        "Publish a new immutable policy version (overrides of the shipped default)",
        (201,),
        body=PolicyBody,
        operation_id="publishPolicyVersion",
        response=PolicyVersionCreated,
    ),
    RouteSpec(
        "POST",
        f"{POLICY}/simulate",
        "simulate_policy",
        Owner.NONE,
        "What-if: replay recorded recommendations under a draft policy (writes nothing)",
        (200,),
        body=SimulationBody,
        operation_id="simulatePolicy",
        response=SimulationResult,
    ),
    RouteSpec(
        "GET",
        f"{CASE}/recommendation/replay",
        "replay_recommendation",
        Owner.CASE,
        "Recompute the case's recommendation from its recorded inputs: does it still match?",
        (200,),
        operation_id="replayRecommendation",
        response=RecommendationReplay,
        more_errors=(409,),  # the case has no recorded recommendation (yet)
    ),
    RouteSpec(
        "GET",
        "/v1/reports/overview",
        "view_reports",
        Owner.NONE,
        "The reviewers' dashboard: queues now, and the period's rulings, appeals and fulfilment (reviewers)",
        (200,),
        query=ReportQuery,
        operation_id="getReportOverview",
        response=Overview,
    ),
    RouteSpec(
        "POST",
        "/v1/dev/tokens",
        None,
        Owner.NONE,
        "A reviewer token (local runtime only; 404 in AWS)",
        (201,),
        body=DevTokenBody,
        operation_id="mintDevToken",
        response=DevToken,
    ),
    RouteSpec(
        "POST",
        "/v1/dev/disputes/{dispute_id}/advance",
        "advance_clock",
        Owner.CASE,
        "Test clock: end the window the case waits on now (local runtime only; 404 in AWS)",
        (202,),
        body=EmptyBody,
        operation_id="advanceTestClock",
        response=DisputeView,
    ),
    RouteSpec("GET", "/console", None, Owner.NONE, "The reviewer console", (200,), documented=False),
    RouteSpec("GET", "/console/{asset}", None, Owner.NONE, "The console's files", (200,), documented=False),
)

_BY_KEY = {spec.key: spec for spec in ROUTES}


def spec_for(method: str, path: str) -> RouteSpec | None:
    return _BY_KEY.get((method.upper(), path))
