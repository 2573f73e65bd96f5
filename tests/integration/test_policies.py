"""Policies as managed data (DESIGN section 12): versions, the case's own version, the what-if, and replay."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bench.aws_calls import CallCounter
from chalicelib.adapters.table import Table
from chalicelib.domain.models import Role
from chalicelib.domain.policy import PolicyVersion
from chalicelib.services import policies
from chalicelib.services.context import Context
from tests.factories import actor, bearer, unique
from tests.integration.conftest import Api, Storefront

ADMIN = bearer("platform_admin", "admin-1", "platform")
REVIEWER = bearer("reviewer", "rev-1", "platform")
STRICTER = {"rules": {"high_amount": {"CNY": 200_000}}}


@pytest.fixture
def shop(api: Api) -> Storefront:
    """A storefront of its own (no policy file: the shipped default), so its recommendations are this test's."""
    return Storefront(api, unique("pol"))


def publish(api: Api, storefront_id: str, document: dict[str, Any]) -> Any:
    return api.call("PUT", f"/v1/policies/{storefront_id}", ADMIN, {"document": document})


def simulate(api: Api, storefront_id: str, document: dict[str, Any], since: datetime, **more: Any) -> Any:
    until = datetime.now(UTC) + timedelta(hours=1)
    body = {"document": document, "since": since.isoformat(), "until": until.isoformat(), **more}
    return api.call("POST", f"/v1/policies/{storefront_id}/simulate", ADMIN, body)


def advance(shop: Storefront, case_id: str) -> None:
    response = shop.api.call("POST", f"/v1/dev/disputes/{case_id}/advance", shop.buyer)
    assert response.status_code == 202, response.json


def seller_default(shop: Storefront, amount: int) -> dict[str, Any]:
    """A case the rules rule alone: the seller lets its window pass, then the buyer's passes too."""
    case = shop.escalate(amount_paid=amount, amount_requested=amount)
    advance(shop, case["id"])
    shop.wait_for_window(case["id"], "buyer_rebuttal")
    advance(shop, case["id"])
    return shop.wait_for_window(case["id"], "appeal")


# -- versions -------------------------------------------------------------------------------------


def test_published_versions_are_numbered_and_listed_newest_first_with_who_and_when(api: Api, shop: Storefront) -> None:
    # Given nothing published: the shipped default is in force
    before = api.call("GET", f"/v1/policies/{shop.id}", ADMIN)
    assert before.status_code == 200, before.json
    assert before.json["in_force"]["version"] == 0 and before.json["history"] == []
    assert before.json["in_force"]["policy_version"] == before.json["in_force"]["policy"]["version"]

    # When two versions are published
    first = publish(api, shop.id, {"deadlines": {"seller_response": "PT48H"}})
    second = publish(api, shop.id, {"deadlines": {"seller_response": "PT24H"}})

    # Then each got the next number, and the second is in force over the default
    assert first.status_code == 201, first.json
    assert (first.json["version"], second.json["version"]) == (1, 2)
    assert second.json["storefront_id"] == shop.id and second.json["created_by"] == "admin-1"
    shown = api.call("GET", f"/v1/policies/{shop.id}", ADMIN).json
    assert shown["in_force"]["version"] == 2 and shown["in_force"]["policy_version"] == "v2"
    assert shown["in_force"]["document"] == {"deadlines": {"seller_response": "PT24H"}}
    assert shown["in_force"]["policy"]["deadlines"]["seller_response"] == "P1D"  # ISO 8601, normalised
    assert shown["in_force"]["policy"]["deadlines"]["buyer_rebuttal"] == "P2D"  # the default's, underneath
    assert [entry["version"] for entry in shown["history"]] == [2, 1]
    assert shown["history"][1]["created_at"] == first.json["created_at"]

    # And the history pages with a cursor
    page = api.call("GET", f"/v1/policies/{shop.id}?limit=1", ADMIN).json
    assert [entry["version"] for entry in page["history"]] == [2] and page["cursor"]
    rest = api.call("GET", f"/v1/policies/{shop.id}?limit=1&cursor={page['cursor']}", ADMIN).json
    assert [entry["version"] for entry in rest["history"]] == [1]
    assert rest["in_force"]["version"] == 2


def test_a_stored_version_is_never_overwritten(api: Api, shop: Storefront, ctx: Context) -> None:
    # Given version 1
    assert publish(api, shop.id, {"limits": {"max_offers": 2}}).status_code == 201
    original = ctx.policies.in_force(shop.id)
    assert original is not None

    # When a writer tries to store another document under the same number
    forged = PolicyVersion(
        storefront_id=shop.id,
        number=1,
        created_at=datetime.now(UTC),
        created_by="intruder",
        document={},
        policy=ctx.policies.default,
    )

    # Then the write is refused and version 1 is as it was
    assert ctx.policies.add(forged) is False
    assert ctx.policies.in_force(shop.id) == original


def test_concurrent_publishers_get_distinct_versions_or_a_409_never_an_overwrite(
    ctx: Context, shop: Storefront
) -> None:
    admin = actor(Role.PLATFORM_ADMIN, "admin-1", "platform")
    outcomes: list[Any] = []
    start = threading.Barrier(4)

    def publisher(days: int) -> None:
        document = {"fulfilment": {"return_shipment": f"P{days}D"}}
        start.wait()
        try:
            outcomes.append((days, policies.publish(ctx, admin, shop.id, document).number))
        except Exception as error:
            outcomes.append((days, error))

    threads = [threading.Thread(target=publisher, args=(days,)) for days in (3, 4, 5, 6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    stored = {version.number: version for version in ctx.policies.history(shop.id, 10, None)[0]}
    numbers = [number for _, number in outcomes if isinstance(number, int)]
    assert len(numbers) == len(set(numbers)) == len(stored) >= 1
    for days, number in outcomes:
        if isinstance(number, int):  # what each winner sent is what its number holds
            assert stored[number].document == {"fulfilment": {"return_shipment": f"P{days}D"}}
        else:
            assert type(number).__name__ == "VersionConflict", number


def test_an_invalid_draft_is_a_422_naming_every_failing_field_and_stores_nothing(api: Api, shop: Storefront) -> None:
    document = {
        "deadlines": {"seller_response": "-PT1H"},
        "rules": {"high_amount": {"CNY": -5}, "surprise": 1},
        "limits": {"max_offers": 99},
        "version": "mine",
    }

    published = publish(api, shop.id, document)
    simulated = simulate(api, shop.id, document, datetime.now(UTC) - timedelta(days=1))

    for response in (published, simulated):
        assert response.status_code == 422, response.json
        fields = {detail["field"] for detail in response.json["error"]["details"]}
        assert fields == {
            "document.version",
            "document.deadlines.seller_response",
            "document.rules.high_amount.CNY",
            "document.rules.surprise",
            "document.limits.max_offers",
        }
    assert api.call("GET", f"/v1/policies/{shop.id}", ADMIN).json["history"] == []


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({"deadlines": {"seller_response": 48}}, "document.deadlines.seller_response"),
        ({"deadlines": {"seller_response": "48:00:00"}}, "document.deadlines.seller_response"),
        ({"deadlines": {"seller_response": "PT0.5S"}}, "document.deadlines.seller_response"),
        ({"rules": {"high_amount": {"CNY": True}}}, "document.rules.high_amount.CNY"),
        ({"limits": {"max_offers": "7"}}, "document.limits.max_offers"),
        ({"rules": {"abusive_buyer_loss_rate": "0.5"}}, "document.rules.abusive_buyer_loss_rate"),
        ({"rules": {"penalty_points": {"new_kind": 3}}}, "document.rules.penalty_points.new_kind"),
        ({"rules": {"high_amount": {"ZZZ": 5}}}, "document.rules.high_amount.ZZZ"),
    ],
)
def test_what_was_once_coerced_or_merged_is_a_422_naming_its_path_and_stores_nothing(
    api: Api, shop: Storefront, document: dict[str, Any], field: str
) -> None:
    response = publish(api, shop.id, document)

    assert response.status_code == 422, response.json
    assert [detail["field"] for detail in response.json["error"]["details"]] == [field]
    assert api.call("GET", f"/v1/policies/{shop.id}", ADMIN).json["history"] == []


@pytest.mark.parametrize(
    "body",
    [
        {"document": []},
        {"document": {"rules": "strict"}},
        {"document": {"deadlines": {"seller_response": "P99999D"}}},
        {"document": {"rules": {"penalty_points": {f"finding_{i}": 1 for i in range(100)}}}},
        {},
    ],
)
def test_drafts_of_the_wrong_shape_are_422(api: Api, shop: Storefront, body: dict[str, Any]) -> None:
    response = api.call("PUT", f"/v1/policies/{shop.id}", ADMIN, body)

    assert response.status_code == 422, response.json


def test_a_case_keeps_the_version_in_force_when_it_was_escalated(api: Api, shop: Storefront) -> None:
    # Given version 1 (seller window 48 h) and a case escalated under it
    publish(api, shop.id, {"deadlines": {"seller_response": "PT48H"}})
    first = shop.escalate()
    assert first["policy_version"] == "v1"

    # When version 2 shortens the seller's window
    publish(api, shop.id, {"deadlines": {"seller_response": "PT24H"}})
    second = shop.escalate()

    # Then the open case keeps version 1 and its deadline; the new case has version 2's
    def window_hours(case: dict[str, Any]) -> float:
        opened = datetime.fromisoformat(case["created_at"])
        return (datetime.fromisoformat(case["deadlines"]["seller_response"]) - opened) / timedelta(hours=1)

    kept = shop.get(first["id"])
    assert kept["policy_version"] == "v1" and window_hours(kept) == pytest.approx(48, abs=0.01)
    assert second["policy_version"] == "v2" and window_hours(second) == pytest.approx(24, abs=0.01)


# -- what-if --------------------------------------------------------------------------------------


def test_a_stricter_threshold_sends_exactly_the_large_automatic_case_to_review(api: Api, shop: Storefront) -> None:
    # Given three recommendations on the shipped default: two seller defaults ruled automatically (one of
    # 3,000 CNY, under the default's 5,000 CNY review threshold) and an unproven quality claim for review
    since = datetime.now(UTC) - timedelta(minutes=1)
    large = seller_default(shop, 300_000)
    small = seller_default(shop, 12_900)
    unproven = shop.to_review()
    assert [c["recommendation"]["decision"] for c in (large, small, unproven)] == ["auto", "auto", "review"]

    # When the draft lowers the threshold to 2,000 CNY
    answer = simulate(api, shop.id, STRICTER, since)

    # Then only the large case changes: still a full refund, now decided by a person
    assert answer.status_code == 200, answer.json
    result = answer.json
    assert (result["cases"], result["changed"]) == (3, 1)
    (change,) = result["changes"]
    assert change["dispute_id"] == large["id"]
    assert (change["before"]["outcome"], change["before"]["decision"]) == ("refund_full", "auto")
    assert (change["after"]["outcome"], change["after"]["decision"]) == ("refund_full", "review")
    assert "high_amount" in change["after"]["rules"] and "high_amount" not in change["before"]["rules"]
    assert result["auto_rate"] == {"before": 0.6667, "after": 0.3333}
    assert result["auto_cases"] == {"before": 2, "after": 1}
    assert result["compensation_total"] == {"before": 312_900, "after": 312_900, "currency": "CNY"}
    assert result["cursor"] is None

    # And the same inputs give the same answer
    again = api.call(
        "POST",
        f"/v1/policies/{shop.id}/simulate",
        ADMIN,
        {"document": STRICTER, "since": result["since"], "until": result["until"]},
    )
    assert again.json == result


def test_a_simulation_pages_through_its_cases_with_a_cursor(api: Api, shop: Storefront) -> None:
    since = datetime.now(UTC) - timedelta(minutes=1)
    made = {seller_default(shop, 12_900)["id"] for _ in range(3)}

    first = simulate(api, shop.id, {}, since, limit=2).json
    rest = api.call(
        "POST",
        f"/v1/policies/{shop.id}/simulate",
        ADMIN,
        {"document": {}, "since": first["since"], "until": first["until"], "limit": 2, "cursor": first["cursor"]},
    ).json

    assert (first["cases"], rest["cases"], rest["cursor"]) == (2, 1, None)
    assert first["changed"] == rest["changed"] == 0  # the default replayed on itself changes nothing
    assert len(made) == 3


def test_a_simulation_cursor_serves_only_the_request_that_issued_it(api: Api, shop: Storefront) -> None:
    # Given a first page of a simulation
    since = datetime.now(UTC) - timedelta(minutes=1)
    for _ in range(2):
        seller_default(shop, 12_900)
    first = simulate(api, shop.id, {}, since, limit=1).json
    asked = {"document": {}, "since": first["since"], "until": first["until"], "limit": 1}
    path = f"/v1/policies/{shop.id}/simulate"

    # When its cursor is sent with another draft, another limit or another range, it is refused (400)
    for other in (
        {"document": STRICTER},
        {"limit": 2},
        {"until": (datetime.fromisoformat(first["until"]) + timedelta(seconds=1)).isoformat()},
    ):
        refused = api.call("POST", path, ADMIN, {**asked, **other, "cursor": first["cursor"]})
        assert refused.status_code == 400, refused.json

    # Then the same request with it reads the next page
    rest = api.call("POST", path, ADMIN, {**asked, "cursor": first["cursor"]})
    assert rest.status_code == 200 and rest.json["cases"] == 1


@pytest.mark.parametrize(
    "moment",
    [1_700_000_000, "1700000000", 1_700_000_000.5, "2026-11-01T00:00:00", "2026-11-01", True],
    ids=["epoch", "epoch-text", "epoch-float", "no-offset", "date-only", "bool"],
)
def test_a_simulation_range_is_iso_8601_text_with_an_offset(api: Api, shop: Storefront, moment: Any) -> None:
    until = datetime.now(UTC).isoformat()
    body = {"document": {}, "since": moment, "until": until}

    response = api.call("POST", f"/v1/policies/{shop.id}/simulate", ADMIN, body)

    assert response.status_code == 422, response.json
    assert [detail["field"] for detail in response.json["error"]["details"]] == ["since"]


def test_simulating_writes_nothing(api: Api, shop: Storefront, ctx: Context) -> None:
    # Given a recorded recommendation and a published version
    since = datetime.now(UTC) - timedelta(minutes=1)
    case = seller_default(shop, 300_000)
    publish(api, shop.id, {"limits": {"max_offers": 3}})
    before = _items_of(ctx, shop.id, case["id"])

    # When a draft is simulated, its calls counted
    with CallCounter().installed() as counter, counter.counting() as calls:
        answer = simulate(api, shop.id, STRICTER, since)

    # Then it answered, with reads only, and every item of the storefront is as it was
    assert answer.status_code == 200 and answer.json["changed"] == 1
    assert calls.operations and set(calls.operations) <= {"dynamodb.Query", "dynamodb.GetItem"}, calls.operations
    assert _items_of(ctx, shop.id, case["id"]) == before


def _items_of(ctx: Context, storefront_id: str, case_id: str) -> list[dict[str, Any]]:
    """Every item of the storefront's case, its policy versions, its request, its records (a full scan: the
    test's own check, never the service's way to read)."""
    table = Table(ctx.settings.table_name)
    items: list[dict[str, Any]] = []
    start: dict[str, Any] | None = None
    while True:
        page = table.call("scan", ConsistentRead=True, **({"ExclusiveStartKey": start} if start else {}))
        items.extend(page["Items"])
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    mine = (f"CASE#{case_id}", f"POLICY#{storefront_id}", f"REQUEST#{storefront_id}#")
    return sorted(
        (item for item in items if item["PK"]["S"].startswith(mine)), key=lambda i: (i["PK"]["S"], i["SK"]["S"])
    )


# -- replay ---------------------------------------------------------------------------------------


def test_a_recommendation_replays_from_its_recorded_inputs_and_still_matches(api: Api, shop: Storefront) -> None:
    case = seller_default(shop, 12_900)

    for token in (REVIEWER, ADMIN):
        replayed = api.call("GET", f"/v1/disputes/{case['id']}/recommendation/replay", token)
        assert replayed.status_code == 200, replayed.json
        assert replayed.json["matches"] is True
        assert replayed.json["recorded"] == replayed.json["replayed"]
        assert replayed.json["recorded"]["rules"][0] == "seller_default"
        assert replayed.json["policy_version"] == case["policy_version"] == case["recommendation"]["policy_version"]


def test_replay_of_a_case_without_a_recommendation_is_a_409_and_of_no_case_a_404(api: Api, shop: Storefront) -> None:
    waiting = shop.escalate()

    assert api.call("GET", f"/v1/disputes/{waiting['id']}/recommendation/replay", ADMIN).status_code == 409
    assert api.call("GET", "/v1/disputes/dsp_nothing/recommendation/replay", ADMIN).status_code == 404


# -- who may --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [role for role in Role if role != Role.PLATFORM_ADMIN])
def test_only_a_platform_admin_may_read_publish_or_simulate_policies(api: Api, shop: Storefront, role: Role) -> None:
    token = bearer(role.value, f"{role.value}-1", shop.id)
    since = datetime.now(UTC) - timedelta(days=1)
    body = {"document": {}, "since": since.isoformat(), "until": datetime.now(UTC).isoformat()}

    assert api.call("GET", f"/v1/policies/{shop.id}", token).status_code == 403
    assert api.call("PUT", f"/v1/policies/{shop.id}", token, {"document": {}}).status_code == 403
    assert api.call("POST", f"/v1/policies/{shop.id}/simulate", token, body).status_code == 403
    assert api.call("GET", f"/v1/policies/{shop.id}", ADMIN).json["history"] == []


def test_a_publish_retried_with_its_idempotency_key_makes_one_version(api: Api, shop: Storefront) -> None:
    document = {"deadlines": {"seller_response": "PT36H"}}
    path = f"/v1/policies/{shop.id}"

    first = api.call("PUT", path, ADMIN, {"document": document}, **{"Idempotency-Key": "publish-36h"})
    again = api.call("PUT", path, ADMIN, {"document": document}, **{"Idempotency-Key": "publish-36h"})

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json == first.json and again.headers.get("Idempotent-Replayed") == "true"
    assert [v["version"] for v in api.call("GET", path, ADMIN).json["history"]] == [first.json["version"]]
