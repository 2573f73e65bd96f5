"""Dispute arbitration service: everything that ships in the Lambda package."""
