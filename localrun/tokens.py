"""Mint a dev token: `python -m localrun.tokens ROLE SUBJECT STOREFRONT [--hours N]`.

Any JWT library can do the same: HS256 over {sub, role, storefront_id, exp}
with DISPUTES_DEV_JWT_SECRET (default in chalicelib.config.DEV_JWT_SECRET).
"""

from __future__ import annotations

import argparse
import os
import time

import jwt

from chalicelib.config import DEV_JWT_SECRET
from chalicelib.domain.models import Role


def mint(role: str, sub: str, storefront_id: str, hours: float = 12, secret: str | None = None) -> str:
    claims = {"sub": sub, "role": role, "storefront_id": storefront_id, "exp": int(time.time() + hours * 3600)}
    key = secret or os.environ.get("DISPUTES_DEV_JWT_SECRET") or DEV_JWT_SECRET
    return jwt.encode(claims, key, algorithm="HS256")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("role", choices=[role.value for role in Role])
    parser.add_argument("sub")
    parser.add_argument("storefront_id")
    parser.add_argument("--hours", type=float, default=12)
    args = parser.parse_args()
    print(mint(args.role, args.sub, args.storefront_id, args.hours))


if __name__ == "__main__":
    main()
