"""Adapters hide the AWS SDK behind business operations."""
