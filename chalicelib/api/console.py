"""The reviewer console: static HTML, CSS and JS modules shipped in the Lambda, served without authentication.

The page holds no data of its own: it calls the same /v1 API with the reviewer's
bearer token. Every file is text (none has one of API Gateway's binary types), served
from an allow-list of what is in chalicelib/console.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from chalice.app import Blueprint, Response

from chalicelib.api.http import path_identifier, route
from chalicelib.domain.errors import NotFound
from chalicelib.lazy import lazy

if TYPE_CHECKING:
    from chalicelib import config
    from chalicelib.services import dev_tokens
else:
    config = lazy("chalicelib.config")
    dev_tokens = lazy("chalicelib.services.dev_tokens")

bp = Blueprint(__name__)

CONSOLE_DIR = Path(__file__).resolve().parent.parent / "console"
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "application/javascript; charset=utf-8",
    ".svg": "image/svg+xml; charset=utf-8",  # text, not one of API Gateway's binary types
}
# Evidence images come from short-lived S3 URLs: AWS hosts in AWS, the local S3 emulator on loopback.
IMAGE_SOURCES = {"aws": "https://*.amazonaws.com", "local": "http://127.0.0.1:* http://localhost:*"}
DEV_TOKENS_MARKER = 'data-dev-tokens="off"'


@route(bp, "/console", "GET")
def console_page() -> Response:
    current = config.settings()
    page = _read("index.html")
    if dev_tokens.dev_tokens_enabled(current):
        page = page.replace(DEV_TOKENS_MARKER, 'data-dev-tokens="on"', 1)
    return _text(page, CONTENT_TYPES[".html"], _security_headers(IMAGE_SOURCES[current.runtime]))


@route(bp, "/console/{asset}", "GET")
def console_asset(asset: str) -> Response:
    name = path_identifier(asset, "asset")
    path = CONSOLE_DIR / name
    if path.suffix not in CONTENT_TYPES or name == "index.html" or name not in _asset_names():
        raise NotFound(f"no console file {name}")
    return _text(_read(name), CONTENT_TYPES[path.suffix], {"X-Content-Type-Options": "nosniff"})


@cache
def _asset_names() -> frozenset[str]:
    return frozenset(path.name for path in CONSOLE_DIR.iterdir() if path.is_file())


@cache
def _read(name: str) -> str:
    return (CONSOLE_DIR / name).read_text(encoding="utf-8")


def _security_headers(image_sources: str) -> dict[str, str]:
    """The page holds a bearer token: only its own scripts run, it only talks to its own API, no framing."""
    policy = "; ".join(
        [
            "default-src 'self'",
            f"img-src 'self' {image_sources}",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ]
    )
    return {
        "Content-Security-Policy": policy,
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
    }


def _text(body: str, content_type: str, headers: dict[str, str]) -> Response:
    return Response(
        body=body,
        status_code=200,
        headers={"Content-Type": content_type, "Cache-Control": "no-cache", **headers},
    )
