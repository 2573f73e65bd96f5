"""`Idempotency-Key` on POST: one execution per (caller, key), the first answer replayed, misuse refused."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace
from typing import Any, cast

import pytest
from chalice.app import Request, Response

from chalicelib.adapters.aws import client
from chalicelib.api import idempotency
from chalicelib.api.idempotency import PARTITION, RETENTION_SECONDS
from chalicelib.domain.errors import RequestInProgress
from chalicelib.services.context import Context
from tests.factories import actor, after_sales_body, bearer
from tests.integration.conftest import Api, Storefront


def key() -> str:
    return f"key-{uuid.uuid4()}"


def escalate(api: Api, shop: Storefront, request_id: str, idempotency_key: str, **token: str) -> Any:
    caller = token or shop.buyer
    body = {"request_id": request_id, "statement": "it broke"}
    return api.call("POST", "/v1/disputes", caller, body, **{"Idempotency-Key": idempotency_key})


def idempotency_items(ctx: Context) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = client("dynamodb").query(
        TableName=ctx.settings.table_name,
        KeyConditionExpression="PK = :pk",
        ExpressionAttributeValues={":pk": {"S": PARTITION}},
        ConsistentRead=True,
    )["Items"]
    return items


def test_a_retry_gets_the_first_answer_and_escalates_once(api: Api, patient_shop: Storefront) -> None:
    request_id, same = patient_shop.record(), key()

    first = escalate(api, patient_shop, request_id, same)
    retry = escalate(api, patient_shop, request_id, same)

    assert first.status_code == retry.status_code == 201
    assert retry.json == first.json
    assert retry.headers.get("Location") == first.headers["Location"]
    assert retry.headers.get("Idempotent-Replayed") == "true"
    assert "Idempotent-Replayed" not in first.headers
    # Without the key, the same request is the documented duplicate
    assert (
        api.call("POST", "/v1/disputes", patient_shop.buyer, {"request_id": request_id, "statement": "x"}).status_code
        == 409
    )


def test_the_same_key_with_another_body_is_422(api: Api, patient_shop: Storefront) -> None:
    same = key()
    assert escalate(api, patient_shop, patient_shop.record(), same).status_code == 201

    reused = escalate(api, patient_shop, patient_shop.record(), same)

    assert reused.status_code == 422
    assert reused.json["error"]["code"] == "idempotency_key_reused"


def test_the_same_key_on_another_route_is_422(api: Api, patient_shop: Storefront) -> None:
    same = key()
    case = escalate(api, patient_shop, patient_shop.record(), same).json

    other = api.call("POST", f"/v1/disputes/{case['id']}/withdraw", patient_shop.buyer, {}, **{"Idempotency-Key": same})

    assert other.status_code == 422
    assert patient_shop.get(case["id"])["status"] != "closed"


def test_whitespace_and_key_order_do_not_make_another_body(api: Api, patient_shop: Storefront) -> None:
    request_id, same = patient_shop.record(), key()
    headers = {"Idempotency-Key": same}
    first = api.call(
        "POST", "/v1/disputes", patient_shop.buyer, f'{{"request_id": "{request_id}", "statement": "a"}}', **headers
    )

    retry = api.call(
        "POST", "/v1/disputes", patient_shop.buyer, f'{{ "statement":"a","request_id":"{request_id}" }}', **headers
    )

    assert first.status_code == retry.status_code == 201
    assert retry.json["id"] == first.json["id"]


def test_keys_belong_to_their_caller(api: Api, patient_shop: Storefront) -> None:
    # Given two buyers who happen to pick the same key
    same = key()
    other = bearer("buyer", "buyer-2", patient_shop.id)
    mine, theirs = patient_shop.record(), patient_shop.record(buyer_id="buyer-2")

    first = escalate(api, patient_shop, mine, same)
    second = escalate(api, patient_shop, theirs, same, **other)

    # Then each escalation ran, as its own caller's
    assert first.status_code == second.status_code == 201
    assert first.json["id"] != second.json["id"]
    assert (first.json["buyer_id"], second.json["buyer_id"]) == ("buyer-1", "buyer-2")


def test_an_error_is_not_kept_so_the_same_key_works_once_the_cause_is_gone(api: Api, patient_shop: Storefront) -> None:
    request_id, same = f"req-{uuid.uuid4().hex[:12]}", key()
    assert escalate(api, patient_shop, request_id, same).status_code == 404

    api.call("PUT", f"/v1/after-sales/{request_id}", patient_shop.token, after_sales_body())
    retry = escalate(api, patient_shop, request_id, same)

    assert retry.status_code == 201
    assert "Idempotent-Replayed" not in retry.headers


def test_records_expire_after_a_day_and_hold_no_raw_key(api: Api, ctx: Context, patient_shop: Storefront) -> None:
    same = f"secret-looking-key-{uuid.uuid4()}"
    before = int(time.time())
    assert escalate(api, patient_shop, patient_shop.record(), same).status_code == 201

    items = [item for item in idempotency_items(ctx) if int(item["expires_at"]["N"]) >= before + RETENTION_SECONDS]
    assert items, "no idempotency record written"
    newest = max(items, key=lambda item: int(item["expires_at"]["N"]))
    assert int(newest["expires_at"]["N"]) <= time.time() + RETENTION_SECONDS + 1
    assert newest["status"]["S"] == "COMPLETED"
    assert same not in str(items)


def test_requests_without_a_key_write_no_record(api: Api, ctx: Context, patient_shop: Storefront) -> None:
    request_id = patient_shop.record()
    before = len(idempotency_items(ctx))

    response = api.call("POST", "/v1/disputes", patient_shop.buyer, {"request_id": request_id, "statement": "x"})

    assert response.status_code == 201
    assert len(idempotency_items(ctx)) == before


@pytest.mark.parametrize("bad", ["", "x" * 256, "caf\u00e9", "tab\tkey"])
def test_a_malformed_key_is_400(api: Api, patient_shop: Storefront, bad: str) -> None:
    response = api.call(
        "POST",
        "/v1/disputes",
        patient_shop.buyer,
        {"request_id": patient_shop.record(), "statement": "x"},
        **{"Idempotency-Key": bad},
    )

    assert response.status_code == 400, response.json
    assert response.json["error"]["code"] == "malformed_request"


def test_a_key_is_checked_only_after_the_token(api: Api) -> None:
    response = api.call("POST", "/v1/disputes", None, {}, **{"Idempotency-Key": "x" * 300})

    assert response.status_code == 401


def test_concurrent_retries_run_the_work_once(ctx: Context) -> None:
    # Given twenty retries of one request, arriving while the first is still being worked on
    caller, same, runs = actor("buyer", f"buyer-{uuid.uuid4().hex[:6]}"), key(), []
    request = cast(
        Request,
        SimpleNamespace(method="POST", path="/v1/disputes", uri_params=None, raw_body=b'{"a": 1}', headers={}),
    )

    def work() -> Response:
        runs.append(1)
        time.sleep(0.5)
        return Response(body={"id": "dsp_1"}, status_code=201, headers={"Content-Type": "application/json"})

    def retry(_: int) -> Any:
        try:
            return idempotency.once(request, caller, same, b'{"a": 1}', work)
        except RequestInProgress as error:
            return error

    # When they all run at once
    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(retry, range(20)))

    # Then the work ran once; the others were told it is in progress, or got its answer
    assert len(runs) == 1
    answers = [r for r in results if isinstance(r, Response)]
    assert all(a.status_code == 201 and a.body == {"id": "dsp_1"} for a in answers)
    assert len(answers) + sum(isinstance(r, RequestInProgress) for r in results) == 20
    assert sum("Idempotent-Replayed" not in a.headers for a in answers) == 1
    # And once it finished, every retry gets the stored answer
    late = idempotency.once(request, caller, same, b'{"a": 1}', work)
    assert late.headers.get("Idempotent-Replayed") == "true" and len(runs) == 1
