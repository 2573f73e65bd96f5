"""The local runtime's test clock ends a case's window now, through the state machine path a timeout takes."""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.aws import client
from chalicelib.services import dev_clock
from chalicelib.services.context import Context
from tests.factories import actor, bearer
from tests.integration.conftest import Api, Storefront, wait_for_execution_end
from tests.integration.evidence_helpers import timeline

REVIEWER = bearer("reviewer", "rev-clock", "platform")


def states_entered(ctx: Context, case_id: str) -> list[str]:
    arn = ctx.settings.state_machine_arn.replace(":stateMachine:", ":execution:") + f":{case_id}"
    history = client("stepfunctions").get_execution_history(executionArn=arn, maxResults=1000)["events"]
    return [e["stateEnteredEventDetails"]["name"] for e in history if e["type"].endswith("StateEntered")]


def advance(shop: Storefront, case_id: str, token: dict[str, str] | None = None) -> Any:
    return shop.api.call("POST", f"/v1/dev/disputes/{case_id}/advance", token or shop.buyer)


def test_advancing_a_seller_window_of_hours_is_the_sellers_default_through_its_deadline_state(
    api: Api, patient_shop: Storefront, ctx: Context
) -> None:
    # Given a case waiting hours for the seller (the workflow parked on it)
    case = patient_shop.escalate()
    assert case["open_window"]["kind"] == "seller_response"

    # When the test clock is advanced, twice: the seller's window, then the buyer's
    advanced = advance(patient_shop, case["id"])
    assert advanced.status_code == 202, advanced.json
    patient_shop.wait_for_window(case["id"], "buyer_rebuttal")
    assert advance(patient_shop, case["id"]).status_code == 202

    # Then both deadlines were missed exactly as if they had passed, through each window's own deadline state,
    # and the rules ruled the seller's default
    ruled = patient_shop.wait_for_window(case["id"], "appeal")
    assert ruled["missed_deadlines"] == ["seller_response:seller", "buyer_rebuttal:buyer"]
    assert ruled["ruling"]["rationale"][0]["rule"] == "seller_default"
    history = timeline(api, patient_shop, case["id"])
    assert history.count("clock_advanced") == 2 and history.count("deadline_missed") == 2
    entered = states_entered(ctx, case["id"])
    assert "SellerResponseDue" in entered and "BuyerRebuttalDue" in entered


def test_the_test_clock_carries_a_ruling_through_its_appeal_window_and_the_refund_step(
    api: Api, patient_shop: Storefront, ctx: Context
) -> None:
    # Given a reviewer's refund ruling, with an appeal window of hours
    case = patient_shop.to_review()
    ruling = {
        "outcome": "refund_full",
        "liability": "seller",
        "compensation": [{"payer": "seller", "payee": "buyer", "kind": "refund", "amount": 12_900, "currency": "CNY"}],
        "override_reason": "the photos are plain",
    }
    assert patient_shop.act(REVIEWER, case["id"], "ruling", ruling).status_code == 201

    # When the clock passes the appeal window, then the refund's window (nobody reports it)
    patient_shop.wait_for_window(case["id"], "appeal")
    assert advance(patient_shop, case["id"], REVIEWER).status_code == 202
    patient_shop.wait_for_window(case["id"], "refund")
    assert advance(patient_shop, case["id"], patient_shop.token).status_code == 202

    # Then the platform refunded, exactly as when the refund's days pass
    closed = patient_shop.wait_for_status(case["id"], "closed")
    assert closed["fulfilment"]["outcome"] == "platform_refunded"
    assert wait_for_execution_end(case["id"]) == "SUCCEEDED"
    assert {"AppealWindowEnds", "RefundDue"} <= set(states_entered(ctx, case["id"]))


def test_the_test_clock_is_the_cases_own_and_a_closed_case_has_no_window(api: Api, patient_shop: Storefront) -> None:
    case = patient_shop.escalate()
    stranger = bearer("buyer", "someone-else", patient_shop.id)

    assert advance(patient_shop, case["id"], stranger).status_code == 404
    assert patient_shop.act(patient_shop.buyer, case["id"], "withdraw").status_code == 200
    closed = advance(patient_shop, case["id"])
    assert closed.status_code == 409 and closed.json["error"]["code"] == "invalid_state"


def test_the_test_clock_does_not_exist_in_aws(ctx: Context) -> None:
    in_aws = ctx.settings.model_copy(update={"runtime": "aws"})
    cloud = ctx.__class__(**{**ctx.__dict__, "settings": in_aws})

    try:
        dev_clock.advance(cloud, actor("buyer", "buyer-1", "patient"), "dsp_any")
    except Exception as error:
        assert type(error).__name__ == "NotFound"
    else:
        raise AssertionError("the test clock answered in AWS")
