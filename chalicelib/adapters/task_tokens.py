"""The task token a wait state parks on a window, so the API can end that window.

Items (PK / SK):
  CASE#{id} / TOKEN#{window_id}   the token, expiring with the retention the workflow step gives it
"""

from __future__ import annotations

from chalicelib.adapters.table import Table, n, s


class DynamoTaskTokenRepository:
    def __init__(self, table: Table) -> None:
        self.table = table

    def put(self, case_id: str, window_id: str, token: str, expires_at: int) -> None:
        self.table.call(
            "put_item",
            Item={
                "PK": s(f"CASE#{case_id}"),
                "SK": s(f"TOKEN#{window_id}"),
                "token": s(token),
                "expires_at": n(expires_at),
            },
        )

    def get(self, case_id: str, window_id: str) -> str | None:
        item = self.table.get({"PK": s(f"CASE#{case_id}"), "SK": s(f"TOKEN#{window_id}")})
        return item["token"]["S"] if item else None
