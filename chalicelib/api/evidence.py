"""Evidence: presigned uploads, their verification, statements, and listing with short-lived downloads."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, Response

from chalicelib.api.http import current_actor, json_response, parse_body, route
from chalicelib.api.schemas import EmptyBody, EvidenceBody, StatementBody
from chalicelib.domain.evidence_models import Evidence
from chalicelib.domain.models import iso
from chalicelib.services import evidence
from chalicelib.services.context import context
from chalicelib.services.evidence import AddedEvidence, ShownEvidence

bp = Blueprint(__name__)


@route(bp, "/v1/disputes/{dispute_id}/evidence", "POST")
def add_evidence(dispute_id: str) -> Response:
    actor = current_actor(bp.current_request)
    body = parse_body(bp.current_request, EvidenceBody)
    added = evidence.add_evidence(context(), actor, dispute_id, body.root)
    return json_response(added_view(added), 201)


@route(bp, "/v1/disputes/{dispute_id}/evidence/{evidence_id}/complete", "POST")
def complete(dispute_id: str, evidence_id: str) -> Response:
    actor = current_actor(bp.current_request)
    parse_body(bp.current_request, EmptyBody)
    verified = evidence.complete_upload(context(), actor, dispute_id, evidence_id)
    return json_response(evidence_view(verified))


@route(bp, "/v1/disputes/{dispute_id}/statements", "POST")
def add_statement(dispute_id: str) -> Response:
    actor = current_actor(bp.current_request)
    body = parse_body(bp.current_request, StatementBody)
    statement = evidence.add_statement(context(), actor, dispute_id, body.text)
    return json_response(evidence_view(statement), 201)


@route(bp, "/v1/disputes/{dispute_id}/evidence", "GET")
def list_evidence(dispute_id: str) -> Response:
    actor = current_actor(bp.current_request)
    shown = evidence.list_evidence(context(), actor, dispute_id)
    return json_response({"items": [shown_view(item) for item in shown]})


# Views live beside the routes: only evidence uses them.


def evidence_view(item: Evidence) -> dict[str, Any]:
    """Metadata a client may rely on; storage keys and versions stay inside."""
    data = item.model_dump(
        mode="json",
        exclude={"case_id", "object_key", "version_id", "declared_size", "rejected_because", "rejection_message"},
        exclude_none=True,
    )
    return {"evidence_id": data.pop("id"), **data}


def added_view(added: AddedEvidence) -> dict[str, Any]:
    upload = None
    if added.upload is not None and added.upload_expires_at is not None:
        upload = {"url": added.upload.url, "fields": added.upload.fields, "expires_at": iso(added.upload_expires_at)}
    return {**evidence_view(added.evidence), "upload": upload}


def shown_view(shown: ShownEvidence) -> dict[str, Any]:
    view = evidence_view(shown.evidence)
    if shown.download_url is not None and shown.download_expires_at is not None:
        view["download"] = {"url": shown.download_url, "expires_at": iso(shown.download_expires_at)}
    return view
