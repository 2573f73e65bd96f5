"""The Lambda functions the state machine invokes: thin wrappers over services.workflow_steps."""
