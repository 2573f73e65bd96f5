"""Starting case executions and resuming their wait states."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from chalicelib.adapters.aws import client
from chalicelib.domain.errors import WorkflowSignalFailed
from chalicelib.domain.workflow import WorkflowStep
from chalicelib.observability import logger

# A token that timed out, or whose task already finished, is expected under races: the
# workflow has moved on and re-reads the case, so the signal is simply no longer needed.
STALE_TOKEN_CODES = frozenset({"TaskTimedOut", "TaskDoesNotExist", "InvalidToken"})
# The error a wait state catches like its own timeout (statemachines/dispute.source.json).
DEADLINE_REACHED = "DeadlineReached"


class StepFunctionsWorkflow:
    def __init__(self, state_machine_arn: str) -> None:
        self.state_machine_arn = state_machine_arn

    @property
    def _sfn(self) -> Any:
        return client("stepfunctions")

    def start(self, step: WorkflowStep) -> str:
        """One execution per case, named after it, so a repeated start is harmless."""
        try:
            response = self._sfn.start_execution(
                stateMachineArn=self.state_machine_arn,
                name=step.case_id,
                input=step.model_dump_json(exclude_none=True),
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ExecutionAlreadyExists":
                raise
            return f"{self.state_machine_arn.replace(':stateMachine:', ':execution:')}:{step.case_id}"
        arn: str = response["executionArn"]
        return arn

    def end_wait_now(self, token: str) -> bool:
        """Fail a parked wait with `DeadlineReached`, which the state machine catches like `States.Timeout`:
        the test clock's way to reach a deadline now. False when that wait is already over."""
        try:
            self._sfn.send_task_failure(taskToken=token, error=DEADLINE_REACHED, cause="the test clock advanced")
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code")
            if code not in STALE_TOKEN_CODES:
                raise WorkflowSignalFailed(str(error)) from error
            return False
        return True

    def resume(self, token: str, step: WorkflowStep) -> bool:
        """Hand the next step to a parked wait state; False when that wait is already over."""
        try:
            self._sfn.send_task_success(taskToken=token, output=step.model_dump_json(exclude_none=True))
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code")
            if code not in STALE_TOKEN_CODES:
                raise WorkflowSignalFailed(str(error)) from error
            logger.info("task token no longer waiting", extra={"case_id": step.case_id, "code": code})
            return False
        return True
