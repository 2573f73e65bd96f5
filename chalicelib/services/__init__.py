"""Use cases: each loads what it needs, asks the domain, and saves the outcome."""
