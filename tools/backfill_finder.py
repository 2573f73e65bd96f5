"""Bring cases stored by earlier releases to the current index layout, once: `python -m tools.backfill_finder
[--table NAME]`.

Reads the table named by `--table` (default: the `TABLE_NAME` the service runs with) page by page and
gives each case its lookup items (with the listing keys they carry since issue 19), and, when closed, its
place in the closed listing, and takes the listing keys off the case item (`chalicelib/adapters/case_index.py`).
Safe to run again, and while the service runs.
"""

from __future__ import annotations

import argparse
import os

from chalicelib.adapters.case_index import index_stored_cases
from chalicelib.adapters.table import Table


def backfill(table: Table, pages: int = 1_000_000) -> int:
    """Every case of the table, in Scan pages (at most `pages`); answers how many were indexed."""
    total, start = 0, None
    for _ in range(pages):
        indexed, start = index_stored_cases(table, start)
        total += indexed
        if start is None:
            break
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--table", default=os.environ.get("TABLE_NAME"), help="the service's DynamoDB table")
    table = parser.parse_args().table
    if not table:
        parser.error("name the table: --table NAME (or set TABLE_NAME)")
    print(f"indexed {backfill(Table(table))} cases of {table}")


if __name__ == "__main__":
    main()
