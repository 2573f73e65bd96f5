"""Pure domain: models, lifecycle transitions, rules. No boto3, no Chalice, no clock."""
