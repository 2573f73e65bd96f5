"""Every way a case changes goes through the one commit: each path counts its business metric,
answers the case as saved, and writes nothing when nothing changed. Runs on the in-memory fakes."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain import lifecycle
from chalicelib.domain.errors import Duplicate, StaleVersion, TransientStorageError, WorkflowSignalFailed
from chalicelib.domain.models import (
    AfterSalesFacts,
    Dispute,
    Outcome,
    Party,
    ReviewerDecision,
    Status,
    Transition,
    WindowKind,
)
from chalicelib.domain.policy import Deadlines
from chalicelib.domain.workflow import ParkedWait
from chalicelib.observability import logger
from chalicelib.services import cases, disputes, evidence, fulfilment, negotiation, review, workflow_steps
from tests.factories import actor, after_sales_body
from tests.unit.fakes import Fakes

STOREFRONT = actor("storefront", "shop-backend", "shop-1")
BUYER = actor("buyer", "buyer-1", "shop-1")
SELLER = actor("seller", "seller-1", "shop-1")
REVIEWER = actor("reviewer", "rev-1", "shop-1")


def metrics(captured: str) -> list[dict[str, Any]]:
    """The CloudWatch EMF lines printed since the last read: each metric with its dimensions."""
    lines = [json.loads(line) for line in captured.splitlines() if line.startswith('{"_aws"')]
    return [
        {"name": definition["Name"], **{k: v for k, v in line.items() if k not in ("_aws", definition["Name"])}}
        for line in lines
        for directive in line["_aws"]["CloudWatchMetrics"]
        for definition in directive["Metrics"]
    ]


def named(captured: str, name: str) -> list[dict[str, Any]]:
    return [metric for metric in metrics(captured) if metric["name"] == name]


@pytest.fixture
def fakes() -> Fakes:
    return Fakes()


def escalated(fakes: Fakes, **overrides: Any) -> Dispute:
    facts = AfterSalesFacts.model_validate(after_sales_body(fakes.clock(), **overrides))
    request = disputes.record_request(fakes.ctx, STOREFRONT, f"req-{len(fakes.cases.requests)}", facts)
    return disputes.escalate(fakes.ctx, BUYER, request.request.request_id, "it arrived broken")


def in_review(fakes: Fakes) -> Dispute:
    case = escalated(fakes)
    disputes.submit(fakes.ctx, SELLER, case.id)
    disputes.submit(fakes.ctx, BUYER, case.id)
    workflow_steps.apply_rules(fakes.ctx, case.id)
    stored = fakes.cases.get(case.id)
    assert stored is not None and stored.window is not None and stored.window.kind == WindowKind.REVIEW
    return stored


def test_an_escalation_is_counted_and_starts_the_workflow(fakes: Fakes, capsys: pytest.CaptureFixture[str]) -> None:
    case = escalated(fakes)

    assert named(capsys.readouterr().out, "DisputesEscalated") == [{"name": "DisputesEscalated", "service": "disputes"}]
    assert case.version == 1 and fakes.cases.get(case.id) == case
    assert [step.case_id for step in fakes.workflow.started] == [case.id]


def test_a_reviewer_ruling_is_counted_by_outcome_decider_and_time_to_ruling(
    fakes: Fakes, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a case waiting for a reviewer
    case = in_review(fakes)
    capsys.readouterr()
    fakes.clock.advance(timedelta(hours=3))

    # When the reviewer accepts the recommendation
    ruled = review.rule(fakes.ctx, REVIEWER, case.id, ReviewerDecision(accept_recommendation=True))

    # Then the ruling is counted, and the answer is the case as saved
    out = capsys.readouterr().out
    assert ruled.ruling is not None
    assert named(out, "Rulings") == [
        {"name": "Rulings", "service": "disputes", "outcome": ruled.ruling.outcome.value, "decider": "reviewer"}
    ]
    (time_to_ruling,) = [line for line in out.splitlines() if '"TimeToRuling"' in line]
    assert json.loads(time_to_ruling)["TimeToRuling"] == [(fakes.clock() - case.created_at).total_seconds()]
    assert ruled == fakes.cases.get(case.id) and ruled.version == case.version + 1


@pytest.mark.parametrize(
    ("close", "resolution"),
    [
        (lambda fakes, case: negotiation.concede(fakes.ctx, SELLER, case.id), "conceded"),
        (lambda fakes, case: negotiation.withdraw(fakes.ctx, BUYER, case.id, "sorted it out"), "withdrawn"),
        (
            lambda fakes, case: negotiation.answer_offer(
                fakes.ctx,
                BUYER,
                case.id,
                negotiation.make_offer(fakes.ctx, SELLER, case.id, 5_000, "half back").offer.id,
                accept=True,
            ),
            "settled",
        ),
    ],
    ids=["concession", "withdrawal", "settlement"],
)
def test_parties_ending_a_case_themselves_are_counted_as_closes(
    fakes: Fakes, capsys: pytest.CaptureFixture[str], close: Any, resolution: str
) -> None:
    # Given a case the parties end themselves
    case = escalated(fakes)
    capsys.readouterr()
    ended = close(fakes, case)
    assert ended == fakes.cases.get(case.id)

    # When what the decision owes is carried out (a concession or a settlement owes a refund)
    if ended.status == Status.FULFILLING:
        assert ended.fulfilment is not None
        owed = (ended.fulfilment.owed, ended.fulfilment.currency)
        ended = fulfilment.report_refund(fakes.ctx, STOREFRONT, case.id, *owed, "refund-1")

    # Then the close is counted with how the case was resolved
    assert ended.status == Status.CLOSED
    assert named(capsys.readouterr().out, "DisputesClosed") == [
        {"name": "DisputesClosed", "service": "disputes", "resolution": resolution}
    ]


def test_a_missed_seller_deadline_is_counted_and_the_rules_ruling_too(
    fakes: Fakes, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a case whose seller never answered
    case = escalated(fakes)
    assert case.window is not None
    capsys.readouterr()

    # When the workflow's timers fire past the seller's and then the buyer's deadline, and the rules run
    fakes.clock.now = case.window.due_at
    workflow_steps.handle_deadline(fakes.ctx, case.id, case.window.id)
    rebuttal = fakes.cases.get(case.id)
    assert rebuttal is not None and rebuttal.window is not None
    fakes.clock.now = rebuttal.window.due_at
    workflow_steps.handle_deadline(fakes.ctx, case.id, rebuttal.window.id)
    workflow_steps.apply_rules(fakes.ctx, case.id)

    # Then both misses and the rules' ruling are counted
    out = capsys.readouterr().out
    assert [metric["window"] for metric in named(out, "DeadlinesMissed")] == ["seller_response", "buyer_rebuttal"]
    assert named(out, "Rulings") == [
        {"name": "Rulings", "service": "disputes", "outcome": Outcome.REFUND_FULL.value, "decider": "rules"}
    ]


def test_a_deadline_state_names_the_window_kind_it_expects_and_a_stale_timer_changes_nothing(fakes: Fakes) -> None:
    # Given a case in the seller's window, at its deadline
    case = escalated(fakes)
    assert case.window is not None
    fakes.clock.now = case.window.due_at

    # When a timer fires for a window that already ended, then SellerResponseDue fires for the open one
    stale = workflow_steps.handle_deadline(fakes.ctx, case.id, "win_ended", "seller_response")
    unchanged = fakes.cases.get(case.id)
    step = workflow_steps.handle_deadline(fakes.ctx, case.id, case.window.id, "seller_response")

    # Then the stale timer changed nothing and the case waits where it is; the deadline opened the buyer's window
    assert unchanged == case
    assert (stale["next"], stale["window_id"]) == ("seller_response", case.window.id)
    assert step["next"] == "buyer_rebuttal"


def test_a_deadline_state_expecting_another_kind_is_logged_and_the_stored_window_decides(fakes: Fakes) -> None:
    case = escalated(fakes)
    assert case.window is not None
    fakes.clock.now = case.window.due_at
    stream = io.StringIO()
    previous = logger.registered_handler.setStream(stream)  # type: ignore[attr-defined]

    try:
        step = workflow_steps.handle_deadline(fakes.ctx, case.id, case.window.id, "refund")
    finally:
        logger.registered_handler.setStream(previous)  # type: ignore[attr-defined]

    warnings = [json.loads(line) for line in stream.getvalue().splitlines() if '"WARNING"' in line]
    assert [(w["expected_kind"], w["window_kind"]) for w in warnings] == [("refund", "seller_response")]
    assert step["next"] == "buyer_rebuttal"


def test_a_stalled_workflow_is_counted_once(fakes: Fakes, capsys: pytest.CaptureFixture[str]) -> None:
    case = escalated(fakes)
    capsys.readouterr()

    for _ in range(2):
        workflow_steps.mark_case_stalled(fakes.ctx, case.id, {"Error": "Boom", "Cause": "test"}, "execution-1")

    assert len(named(capsys.readouterr().out, "WorkflowFailures")) == 1
    stalled = fakes.cases.get(case.id)
    assert stalled is not None and stalled.workflow_error == "Boom: test" and stalled.version == case.version + 1


def test_a_submission_answers_the_version_it_saved_and_resumes_the_parked_wait(fakes: Fakes) -> None:
    # Given a case whose workflow parked on the seller's window
    case = escalated(fakes)
    assert case.window is not None
    assert fakes.cases.park(case.id, case.window.id, "token-1")

    # When the seller submits
    submitted = disputes.submit(fakes.ctx, SELLER, case.id, expected_version=case.version)

    # Then the answer is the stored case, one version on, and the workflow was told what comes next
    assert submitted == fakes.cases.get(case.id) and submitted.version == case.version + 1
    assert [(token, step.case_id) for token, step in fakes.workflow.resumed] == [("token-1", case.id)]


def test_a_wait_that_parks_after_a_command_read_the_case_is_still_resumed_by_that_command(fakes: Fakes) -> None:
    # Given a case whose wait has not parked yet when the seller's submission reads it
    case = escalated(fakes)
    assert case.window is not None
    window_id = case.window.id
    decisions = []

    def submit_while_the_wait_parks(read: Dispute, now: datetime) -> Transition:
        decisions.append(read.version)
        if len(decisions) == 1:
            assert fakes.cases.park(case.id, window_id, "token-1")  # the wait parks between read and write
        return lifecycle.submit(read, SELLER, Party.SELLER, Deadlines(), now)

    # When the submission is written
    cases.change(fakes.ctx, case.id, submit_while_the_wait_parks, actor=SELLER, action="submit")

    # Then its first write was refused, and the second, decided on the case read with the token, resumed the wait
    assert decisions == [case.version, case.version]
    assert [token for token, _ in fakes.workflow.resumed] == ["token-1"]
    workflow_steps.park_task_token(fakes.ctx, case.id, window_id, "token-2")
    assert [token for token, _ in fakes.workflow.resumed] == ["token-1", "token-2"]  # a late park resumes at once


def test_a_write_with_a_stale_if_match_changes_nothing(fakes: Fakes) -> None:
    case = escalated(fakes)

    with pytest.raises(StaleVersion):
        disputes.submit(fakes.ctx, SELLER, case.id, expected_version=case.version + 1)

    assert fakes.cases.get(case.id) == case


def test_a_decision_that_changes_nothing_writes_nothing(fakes: Fakes, capsys: pytest.CaptureFixture[str]) -> None:
    case = escalated(fakes)
    events = fakes.cases.events(case.id)
    capsys.readouterr()

    unchanged = cases.change(fakes.ctx, case.id, lambda read, now: Transition.unchanged(read))

    assert unchanged.case == case and fakes.cases.get(case.id) == case
    assert fakes.cases.events(case.id) == events and metrics(capsys.readouterr().out) == []


def test_evidence_goes_through_the_same_runner_without_changing_the_case(fakes: Fakes) -> None:
    # Given a case in the seller's window
    case = escalated(fakes)

    # When the seller adds a statement, sending the case's version as If-Match
    added = evidence.add_statement(fakes.ctx, SELLER, case.id, "the parcel left intact", expected_version=1)

    # Then the statement is stored beside the case, on its timeline, and the case itself is untouched
    assert fakes.evidence.verified_for_case(case.id) == [added.evidence]
    assert fakes.cases.events(case.id)[-1].action == "evidence_added"
    assert fakes.cases.get(case.id) == case and added.case.version == case.version
    with pytest.raises(StaleVersion):
        evidence.add_statement(fakes.ctx, SELLER, case.id, "again", expected_version=case.version + 1)


def test_a_busy_store_is_tried_again_and_past_every_attempt_the_caller_hears_busy(fakes: Fakes) -> None:
    case = escalated(fakes)
    real_save = fakes.cases.save
    failures = iter([TransientStorageError("throttled")])

    def busy_once(transition: Transition, parked: ParkedWait | None = None) -> Dispute:
        for failure in failures:
            raise failure
        return real_save(transition, parked)

    fakes.cases.save = busy_once  # type: ignore[method-assign]
    assert disputes.submit(fakes.ctx, SELLER, case.id).version == case.version + 1

    def always_busy(transition: Transition, parked: ParkedWait | None = None) -> Dispute:
        raise TransientStorageError("throttled")

    fakes.cases.save = always_busy  # type: ignore[method-assign]
    with pytest.raises(TransientStorageError):
        disputes.submit(fakes.ctx, BUYER, case.id)


def test_a_saved_change_is_answered_even_when_the_workflow_cannot_be_resumed(
    fakes: Fakes, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a parked wait, and Step Functions refusing to resume it
    case = escalated(fakes)
    assert case.window is not None
    assert fakes.cases.park(case.id, case.window.id, "token-1")

    def refused(token: str, step: Any) -> bool:
        raise WorkflowSignalFailed("throttled")

    fakes.workflow.resume = refused  # type: ignore[method-assign]
    capsys.readouterr()

    # When the seller concedes, then the concession is saved and answered (the wait's timer moves the workflow on)
    conceded = negotiation.concede(fakes.ctx, SELLER, case.id)
    assert conceded == fakes.cases.get(case.id) and conceded.status == Status.FULFILLING


def test_a_repeated_escalation_makes_sure_the_cases_workflow_runs(fakes: Fakes) -> None:
    # Given a case whose first escalation stored it (its workflow start may have failed after that)
    case = escalated(fakes)
    assert [step.case_id for step in fakes.workflow.started] == [case.id]

    # When the buyer escalates the same request again
    with pytest.raises(Duplicate):
        disputes.escalate(fakes.ctx, BUYER, case.request_id, "again")

    # Then it is refused, and the workflow is started again (idempotent: the execution is named after the case)
    assert [step.case_id for step in fakes.workflow.started] == [case.id, case.id]
