"""Evidence: presigned uploads, their verification, statements, and listing with short-lived downloads."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint, Response

from chalicelib.api.http import current_actor, expected_version, json_response, parse_body, route
from chalicelib.lazy import lazy

if TYPE_CHECKING:
    import chalicelib.bootstrap as contexts
    import chalicelib.services.evidence as evidence_service
    from chalicelib.api import schemas
    from chalicelib.domain import evidence_models, models
    from chalicelib.services import evidence
else:  # loaded with the first request that needs them (chalicelib/lazy.py)
    schemas = lazy("chalicelib.api.schemas")
    evidence_models = lazy("chalicelib.domain.evidence_models")
    models = lazy("chalicelib.domain.models")
    evidence = lazy("chalicelib.services.evidence")
    contexts = lazy("chalicelib.bootstrap")
    evidence_service = lazy("chalicelib.services.evidence")


bp = Blueprint(__name__)


@route(bp, "/v1/disputes/{dispute_id}/evidence", "POST")
def add_evidence(dispute_id: str) -> Response:
    actor = current_actor(bp.current_request)
    body = parse_body(bp.current_request, schemas.EvidenceBody)
    added = evidence.add_evidence(
        contexts.context(), actor, dispute_id, body.root, expected_version(bp.current_request)
    )
    return json_response(added_view(added), 201, version=added.case_version)


@route(bp, "/v1/disputes/{dispute_id}/evidence/{evidence_id}/complete", "POST")
def complete(dispute_id: str, evidence_id: str) -> Response:
    actor = current_actor(bp.current_request)
    parse_body(bp.current_request, schemas.EmptyBody)
    verified = evidence.complete_upload(
        contexts.context(), actor, dispute_id, evidence_id, expected_version(bp.current_request)
    )
    return json_response(evidence_view(verified.evidence), version=verified.case.version)


@route(bp, "/v1/disputes/{dispute_id}/statements", "POST")
def add_statement(dispute_id: str) -> Response:
    actor = current_actor(bp.current_request)
    body = parse_body(bp.current_request, schemas.StatementBody)
    statement = evidence.add_statement(
        contexts.context(), actor, dispute_id, body.text, expected_version(bp.current_request)
    )
    return json_response(evidence_view(statement.evidence), 201, version=statement.case.version)


@route(bp, "/v1/disputes/{dispute_id}/evidence", "GET")
def list_evidence(dispute_id: str) -> Response:
    actor = current_actor(bp.current_request)
    shown = evidence.list_evidence(contexts.context(), actor, dispute_id)
    return json_response({"items": [shown_view(item) for item in shown]})


# Views live beside the routes: only evidence uses them.


def evidence_view(item: evidence_models.Evidence) -> dict[str, Any]:
    """Metadata a client may rely on; storage keys and versions stay inside."""
    data = item.model_dump(
        mode="json",
        exclude={"case_id", "object_key", "version_id", "declared_size", "rejected_because", "rejection_message"},
        exclude_none=True,
    )
    return {"evidence_id": data.pop("id"), **data}


def added_view(added: evidence_service.AddedEvidence) -> dict[str, Any]:
    upload = None
    if added.upload is not None and added.upload_expires_at is not None:
        upload = {
            "url": added.upload.url,
            "fields": added.upload.fields,
            "expires_at": models.iso(added.upload_expires_at),
        }
    return {**evidence_view(added.evidence), "upload": upload}


def shown_view(shown: evidence_service.ShownEvidence) -> dict[str, Any]:
    view = evidence_view(shown.evidence)
    if shown.download_url is not None and shown.download_expires_at is not None:
        view["download"] = {"url": shown.download_url, "expires_at": models.iso(shown.download_expires_at)}
    return view
