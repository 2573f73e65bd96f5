"""How cases and events look on the wire: the API's responses and the webhook bodies both show them so.

Pure functions of the domain models, so the API (`chalicelib/api`) and the webhook worker
(`chalicelib/services/webhook_delivery.py`) share one definition without a service importing the API.
"""

from __future__ import annotations

from typing import Any

from chalicelib.domain.models import AfterSalesRequest, AuditEvent, Dispute, Fulfilment, Page, iso


def dispute_view(case: Dispute) -> dict[str, Any]:
    data = case.model_dump(mode="json")
    window = data.pop("window")
    data["fulfilment"] = fulfilment_view(case.fulfilment) if case.fulfilment else None
    return {
        "id": data.pop("id"),
        "status": data.pop("status"),
        "resolution": data.pop("resolution"),
        **data,
        "open_window": window,
    }


def fulfilment_view(fulfilment: Fulfilment) -> dict[str, Any]:
    """DESIGN section 10's shape: the step being waited on (null between steps and once done), then every step."""
    current = fulfilment.current
    data = fulfilment.model_dump(mode="json", exclude={"plan"})
    return {
        "remedy": data.pop("remedy"),
        "step": current.step.value if current else None,
        "party": current.party.value if current else None,
        "due_at": iso(current.due_at) if current else None,
        "steps": data.pop("steps"),
        "outcome": data.pop("outcome"),
        "next_steps": [step.value for step in fulfilment.plan],
        **data,
    }


def event_view(event: AuditEvent) -> dict[str, Any]:
    return event.model_dump(mode="json", exclude={"case_id"})


def request_view(request: AfterSalesRequest) -> dict[str, Any]:
    return request.model_dump(mode="json")


def page_view(page: Page) -> dict[str, Any]:
    return {"items": [dispute_view(case) for case in page.items], "next_cursor": page.cursor}
