"""Every route of the API in one table: the action it performs, whose object it touches, what it parses.

The `route` decorator authorizes from this table, the OpenAPI document is generated
from it, and the authorization matrix in docs/SECURITY.md is printed from it. A
route registered without an entry here fails the matrix test.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from chalicelib.domain.access import Relation, Verdict, verdict
from chalicelib.domain.models import Role

if TYPE_CHECKING:
    from pydantic import BaseModel

# The models each route reads and answers, named rather than imported: the API's hot path reads this table
# for a route's action and owner, and a GET must not pay for importing every request and response schema
# (a cold start's first request). The OpenAPI document and the tests resolve them (`ModelRef.model`).
RESPONSES = "chalicelib.api.responses"
POLICY_RESPONSES = "chalicelib.api.policy_responses"
SCHEMAS = "chalicelib.api.schemas"
MODELS = "chalicelib.domain.models"
FINDING = "chalicelib.domain.finding"
REPORTS = "chalicelib.domain.reports"


@dataclass(frozen=True)
class ModelRef:
    """A pydantic model by module and name, imported on first use."""

    module: str
    name: str

    @property
    def model(self) -> type[BaseModel]:
        model: type[BaseModel] = getattr(importlib.import_module(self.module), self.name)
        return model


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
    body: ModelRef | None = None
    query: ModelRef | None = None
    operation_id: str = ""  # the OpenAPI operationId, in business words (a generated client's method name)
    response: ModelRef | None = None  # the success body; None: no body (204), or a free-form object
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
    RouteSpec(
        "GET",
        "/health",
        None,
        Owner.NONE,
        "Liveness",
        (200,),
        operation_id="getHealth",
        response=ModelRef(RESPONSES, "Health"),
    ),
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
        body=ModelRef(MODELS, "AfterSalesFacts"),
        operation_id="recordAfterSalesRequest",
        response=ModelRef(RESPONSES, "AfterSalesRequestView"),
    ),
    RouteSpec(
        "POST",
        "/v1/disputes",
        "escalate",
        Owner.REQUEST,
        "Escalate a request",
        (201,),
        body=ModelRef(SCHEMAS, "EscalateBody"),
        operation_id="escalateDispute",
        response=ModelRef(RESPONSES, "DisputeView"),
    ),
    RouteSpec(
        "GET",
        "/v1/disputes",
        "list_cases",
        Owner.NONE,
        "Own cases, or a review queue",
        (200,),
        query=ModelRef(MODELS, "DisputeQuery"),
        operation_id="listDisputes",
        response=ModelRef(RESPONSES, "DisputePage"),
    ),
    RouteSpec(
        "GET",
        "/v1/disputes/search",
        "find_cases",
        Owner.NONE,
        "Find cases by order, buyer or seller id, across storefronts (reviewers)",
        (200,),
        query=ModelRef(FINDING, "CaseSearch"),
        operation_id="searchDisputes",
        response=ModelRef(RESPONSES, "DisputePage"),
    ),
    RouteSpec(
        "GET",
        "/v1/disputes/closed",
        "find_cases",
        Owner.NONE,
        "Closed cases, most recently closed first, by reason, outcome, decider and date (reviewers)",
        (200,),
        query=ModelRef(FINDING, "ClosedQuery"),
        operation_id="browseClosedDisputes",
        response=ModelRef(RESPONSES, "DisputePage"),
    ),
    RouteSpec(
        "GET",
        CASE,
        "view_case",
        Owner.CASE,
        "A dispute",
        (200,),
        operation_id="getDispute",
        response=ModelRef(RESPONSES, "DisputeView"),
    ),
    RouteSpec(
        "GET",
        f"{CASE}/events",
        "view_events",
        Owner.CASE,
        "The audit timeline",
        (200,),
        operation_id="listDisputeEvents",
        response=ModelRef(RESPONSES, "EventList"),
    ),
    RouteSpec(
        "POST",
        f"{CASE}/submit",
        "submit",
        Owner.CASE,
        "End the caller's window now",
        (202,),
        body=ModelRef(SCHEMAS, "EmptyBody"),
        operation_id="submitWindow",
        response=ModelRef(RESPONSES, "DisputeView"),
    ),
    RouteSpec(
        "POST",
        f"{CASE}/evidence",
        "add_evidence",
        Owner.CASE,
        "Declare evidence",
        (201,),
        body=ModelRef(SCHEMAS, "EvidenceBody"),
        operation_id="declareEvidence",
        response=ModelRef(RESPONSES, "AddedEvidence"),
    ),
    RouteSpec(
        "POST",
        f"{CASE}/evidence/{{evidence_id}}/complete",
        "add_evidence",
        Owner.CASE,
        "Verify an uploaded file",
        (200,),
        body=ModelRef(SCHEMAS, "EmptyBody"),
        operation_id="completeEvidence",
        response=ModelRef(RESPONSES, "EvidenceView"),
    ),
    RouteSpec(
        "POST",
        f"{CASE}/statements",
        "add_statement",
        Owner.CASE,
        "Add a statement",
        (201,),
        body=ModelRef(SCHEMAS, "StatementBody"),
        operation_id="addStatement",
        response=ModelRef(RESPONSES, "EvidenceView"),
    ),
    RouteSpec(
        "GET",
        f"{CASE}/evidence",
        "view_evidence",
        Owner.CASE,
        "Evidence the caller may see",
        (200,),
        operation_id="listEvidence",
        response=ModelRef(RESPONSES, "EvidenceList"),
    ),
    RouteSpec(
        "POST",
        f"{CASE}/concede",
        "concede",
        Owner.CASE,
        "Seller concedes",
        (200,),
        body=ModelRef(SCHEMAS, "EmptyBody"),
        operation_id="concede",
        response=ModelRef(RESPONSES, "DisputeView"),
    ),
    RouteSpec(
        "POST",
        f"{CASE}/defence",
        "state_defence",
        Owner.CASE,
        "Seller states its grounds for refusing",
        (201,),
        body=ModelRef(SCHEMAS, "DefenceBody"),
        operation_id="stateDefence",
        response=ModelRef(RESPONSES, "DisputeView"),
    ),
    RouteSpec(
        "POST",
        f"{CASE}/offers",
        "make_offer",
        Owner.CASE,
        "Seller offers a refund",
        (201,),
        body=ModelRef(SCHEMAS, "OfferBody"),
        operation_id="makeOffer",
        response=ModelRef(RESPONSES, "OfferView"),
    ),
    RouteSpec(
        "POST",
        f"{CASE}/offers/{{offer_id}}/accept",
        "answer_offer",
        Owner.CASE,
        "Buyer accepts an offer",
        (200,),
        body=ModelRef(SCHEMAS, "EmptyBody"),
        operation_id="acceptOffer",
        response=ModelRef(RESPONSES, "DisputeView"),
    ),
    RouteSpec(
        "POST",
        f"{CASE}/offers/{{offer_id}}/reject",
        "answer_offer",
        Owner.CASE,
        "Buyer rejects an offer",
        (200,),
        body=ModelRef(SCHEMAS, "EmptyBody"),
        operation_id="rejectOffer",
        response=ModelRef(RESPONSES, "DisputeView"),
    ),
    RouteSpec(
        "POST",
        f"{CASE}/withdraw",
        "withdraw",
        Owner.CASE,
        "Buyer withdraws",
        (200,),
        body=ModelRef(SCHEMAS, "WithdrawBody"),
        operation_id="withdraw",
        response=ModelRef(RESPONSES, "DisputeView"),
    ),
    RouteSpec(
        "POST",
        f"{CASE}/claim",
        "claim",
        Owner.CASE,
        "Reviewer claims the case",
        (200,),
        body=ModelRef(SCHEMAS, "EmptyBody"),
        operation_id="claimDispute",
        response=ModelRef(RESPONSES, "DisputeView"),
    ),
    RouteSpec(
        "POST",
        f"{CASE}/info-requests",
        "request_information",
        Owner.CASE,
        "Reviewer asks a party for more",
        (201,),
        body=ModelRef(SCHEMAS, "InfoRequestBody"),
        operation_id="requestInformation",
        response=ModelRef(RESPONSES, "DisputeView"),
    ),
    RouteSpec(
        "POST",
        f"{CASE}/ruling",
        "rule",
        Owner.CASE,
        "Issue a ruling",
        (201,),
        body=ModelRef(SCHEMAS, "RulingBody"),
        operation_id="issueRuling",
        response=ModelRef(RESPONSES, "DisputeView"),
    ),
    RouteSpec(
        "POST",
        f"{CASE}/appeal",
        "appeal",
        Owner.CASE,
        "Appeal a ruling",
        (201,),
        body=ModelRef(SCHEMAS, "AppealBody"),
        operation_id="appeal",
        response=ModelRef(RESPONSES, "DisputeView"),
    ),
    RouteSpec(
        "POST",
        f"{CASE}/return-shipment",
        "report_return_shipment",
        Owner.CASE,
        "Buyer reports the return shipped",
        (200,),
        body=ModelRef(SCHEMAS, "ShipmentBody"),
        operation_id="reportReturnShipment",
        response=ModelRef(RESPONSES, "DisputeView"),
    ),
    RouteSpec(
        "POST",
        f"{CASE}/return-receipt",
        "report_return_receipt",
        Owner.CASE,
        "Seller reports the return received, and its condition",
        (200,),
        body=ModelRef(SCHEMAS, "ReceiptBody"),
        operation_id="reportReturnReceipt",
        response=ModelRef(RESPONSES, "DisputeView"),
    ),
    RouteSpec(
        "POST",
        f"{CASE}/refund",
        "report_refund",
        Owner.CASE,
        "Storefront reports the refund it made",
        (200,),
        body=ModelRef(SCHEMAS, "RefundBody"),
        operation_id="reportRefund",
        response=ModelRef(RESPONSES, "DisputeView"),
    ),
    RouteSpec(
        "POST",
        f"{CASE}/reshipment",
        "report_reshipment",
        Owner.CASE,
        "Seller reports the replacement or repaired item shipped",
        (200,),
        body=ModelRef(SCHEMAS, "ShipmentBody"),
        operation_id="reportReshipment",
        response=ModelRef(RESPONSES, "DisputeView"),
    ),
    RouteSpec(
        "POST",
        f"{CASE}/reshipment-receipt",
        "report_reshipment_receipt",
        Owner.CASE,
        "Buyer reports the reshipment received, and its condition",
        (200,),
        body=ModelRef(SCHEMAS, "ReceiptBody"),
        operation_id="reportReshipmentReceipt",
        response=ModelRef(RESPONSES, "DisputeView"),
    ),
    RouteSpec(
        "POST",
        f"{CASE}/receipt-decision",
        "decide_receipt",
        Owner.CASE,
        "Reviewer decides what a disputed receipt still owes",
        (200,),
        body=ModelRef(SCHEMAS, "ReceiptDecisionBody"),
        operation_id="decideReceipt",
        response=ModelRef(RESPONSES, "DisputeView"),
    ),
    RouteSpec(
        "POST",
        f"{CASE}/messages",
        "post_message",
        Owner.CASE,
        "Post a message to everyone, to the platform, or (reviewers) to one party",
        (201,),
        body=ModelRef(SCHEMAS, "MessageBody"),
        operation_id="postMessage",
        response=ModelRef(RESPONSES, "MessageView"),
    ),
    RouteSpec(
        "GET",
        f"{CASE}/messages",
        "view_messages",
        Owner.CASE,
        "The messages the caller may read, oldest first",
        (200,),
        query=ModelRef(SCHEMAS, "MessageQuery"),
        operation_id="listMessages",
        response=ModelRef(RESPONSES, "MessagePage"),
    ),
    RouteSpec(
        "POST",
        "/v1/webhooks",
        "manage_webhooks",
        Owner.NONE,
        "Subscribe to events",
        (201,),
        body=ModelRef(SCHEMAS, "SubscribeBody"),
        operation_id="subscribeWebhook",
        response=ModelRef(RESPONSES, "SubscriptionWithSecret"),
    ),
    RouteSpec(
        "GET",
        "/v1/webhooks",
        "manage_webhooks",
        Owner.NONE,
        "The storefront's subscriptions",
        (200,),
        operation_id="listWebhooks",
        response=ModelRef(RESPONSES, "SubscriptionList"),
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
        body=ModelRef(SCHEMAS, "EmptyBody"),
        operation_id="rotateWebhookSecret",
        response=ModelRef(RESPONSES, "SubscriptionWithSecret"),
    ),
    RouteSpec(
        "POST",
        f"{HOOK}/enable",
        "manage_webhooks",
        Owner.SUBSCRIPTION,
        "Enable an endpoint that was disabled for failing",
        (200,),
        body=ModelRef(SCHEMAS, "EmptyBody"),
        operation_id="enableWebhook",
        response=ModelRef(RESPONSES, "Subscription"),
    ),
    RouteSpec(
        "POST",
        f"{HOOK}/test",
        "manage_webhooks",
        Owner.SUBSCRIPTION,
        "Send a signed webhook.test event to the endpoint",
        (202,),
        body=ModelRef(SCHEMAS, "EmptyBody"),
        operation_id="sendTestWebhook",
        response=ModelRef(RESPONSES, "DeliveryView"),
    ),
    RouteSpec(
        "GET",
        f"{HOOK}/deliveries",
        "manage_webhooks",
        Owner.SUBSCRIPTION,
        "Deliveries and their attempts",
        (200,),
        query=ModelRef(SCHEMAS, "DeliveriesQuery"),
        operation_id="listWebhookDeliveries",
        response=ModelRef(RESPONSES, "DeliveryPage"),
    ),
    RouteSpec(
        "POST",
        "/v1/webhooks/deliveries/{delivery_id}/redeliver",
        "manage_webhooks",
        Owner.DELIVERY,
        "Send a delivery again",
        (202,),
        body=ModelRef(SCHEMAS, "EmptyBody"),
        operation_id="redeliverWebhook",
        response=ModelRef(RESPONSES, "DeliveryView"),
    ),
    RouteSpec(
        "GET",
        "/v1/sellers/{seller_id}/penalties",
        "view_seller_record",
        Owner.NONE,
        "A seller's penalty record",
        (200,),
        query=ModelRef(SCHEMAS, "SellerRecordQuery"),
        operation_id="getSellerPenalties",
        response=ModelRef(RESPONSES, "SellerPenalties"),
    ),
    RouteSpec(
        "GET",
        "/v1/sellers/{seller_id}/ledger",
        "view_seller_ledger",
        Owner.SELLER_LEDGER,
        "Refunds the platform made on a seller's behalf (its recovery ledger)",
        (200,),
        query=ModelRef(SCHEMAS, "SellerRecordQuery"),
        operation_id="getSellerLedger",
        response=ModelRef(RESPONSES, "SellerLedger"),
    ),
    RouteSpec(
        "GET",
        POLICY,
        "view_policies",
        Owner.NONE,
        "A storefront's policy in force and its version history",
        (200,),
        query=ModelRef(SCHEMAS, "PolicyHistoryQuery"),
        operation_id="getPolicy",
        response=ModelRef(POLICY_RESPONSES, "PolicyOverview"),
    ),
    RouteSpec(
        "PUT",
        POLICY,
        "publish_policy",
        Owner.NONE,
        "Publish a new immutable policy version (overrides of the shipped default)",
        (201,),
        body=ModelRef(SCHEMAS, "PolicyBody"),
        operation_id="publishPolicyVersion",
        response=ModelRef(POLICY_RESPONSES, "PolicyVersionCreated"),
    ),
    RouteSpec(
        "POST",
        f"{POLICY}/simulate",
        "simulate_policy",
        Owner.NONE,
        "What-if: replay recorded recommendations under a draft policy (writes nothing)",
        (200,),
        body=ModelRef(SCHEMAS, "SimulationBody"),
        operation_id="simulatePolicy",
        response=ModelRef(POLICY_RESPONSES, "SimulationResult"),
    ),
    RouteSpec(
        "GET",
        f"{CASE}/recommendation/replay",
        "replay_recommendation",
        Owner.CASE,
        "Recompute the case's recommendation from its recorded inputs: does it still match?",
        (200,),
        operation_id="replayRecommendation",
        response=ModelRef(POLICY_RESPONSES, "RecommendationReplay"),
        more_errors=(409,),  # the case has no recorded recommendation (yet)
    ),
    RouteSpec(
        "GET",
        "/v1/reports/overview",
        "view_reports",
        Owner.NONE,
        "The reviewers' dashboard: queues now, and the period's rulings, appeals and fulfilment (reviewers)",
        (200,),
        query=ModelRef(REPORTS, "ReportQuery"),
        operation_id="getReportOverview",
        response=ModelRef(REPORTS, "Overview"),
    ),
    RouteSpec(
        "POST",
        "/v1/dev/tokens",
        None,
        Owner.NONE,
        "A reviewer token (local runtime only; 404 in AWS)",
        (201,),
        body=ModelRef(SCHEMAS, "DevTokenBody"),
        operation_id="mintDevToken",
        response=ModelRef(RESPONSES, "DevToken"),
    ),
    RouteSpec(
        "POST",
        "/v1/dev/disputes/{dispute_id}/advance",
        "advance_clock",
        Owner.CASE,
        "Test clock: end the window the case waits on now (local runtime only; 404 in AWS)",
        (202,),
        body=ModelRef(SCHEMAS, "EmptyBody"),
        operation_id="advanceTestClock",
        response=ModelRef(RESPONSES, "DisputeView"),
    ),
    RouteSpec("GET", "/console", None, Owner.NONE, "The reviewer console", (200,), documented=False),
    RouteSpec("GET", "/console/{asset}", None, Owner.NONE, "The console's files", (200,), documented=False),
)

_BY_KEY = {spec.key: spec for spec in ROUTES}


def spec_for(method: str, path: str) -> RouteSpec | None:
    return _BY_KEY.get((method.upper(), path))
