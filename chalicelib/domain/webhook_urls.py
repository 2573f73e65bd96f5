"""Where a webhook may point: https to public addresses in AWS; in the local runtime also http to loopback.

Checked when a storefront subscribes and again before every attempt (DNS can
change in between). DNS comes in as a function, so this stays plain Python.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

from chalicelib.domain.errors import InvalidValue
from chalicelib.domain.models import Frozen

Resolver = Callable[[str, int], Sequence[str]]
MAX_URL_LENGTH = 2048
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200")
)


class WebhookTarget(Frozen):
    """A checked URL and the addresses it resolved to; the sender connects to these, not to a new lookup."""

    url: str
    scheme: str
    host: str
    port: int
    target: str
    addresses: tuple[str, ...]

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == default else f"{host}:{self.port}"


def _embedded_ipv4(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return ip.ipv4_mapped
        if ip.sixtofour:
            return ip.sixtofour
        if ip.teredo:
            return ip.teredo[1]
    return None


UNSAFE: tuple[tuple[Callable[[ipaddress.IPv4Address | ipaddress.IPv6Address], bool], str], ...] = (
    (lambda ip: ip in METADATA_ADDRESSES, "a cloud metadata address"),
    (lambda ip: ip.is_loopback, "a loopback address"),
    (lambda ip: ip.is_link_local, "a link-local address"),
    (lambda ip: ip.is_private, "a private address"),
    (lambda ip: ip.is_multicast or ip.is_reserved or ip.is_unspecified or not ip.is_global, "not a public address"),
)


def unsafe_reason(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why an address must not receive webhooks from AWS (SSRF), or None if it is public.

    IPv6 forms that embed an IPv4 address (mapped, 6to4, Teredo) are judged by that address.
    """
    inner = _embedded_ipv4(ip)
    if inner is not None:
        return unsafe_reason(inner)
    return next((reason for unsafe, reason in UNSAFE if unsafe(ip)), None)


def check_url(url: str, *, local: bool, resolve: Resolver) -> WebhookTarget:
    """https anywhere public in AWS; in the local runtime also http to loopback. Raises InvalidValue."""

    def refuse(message: str) -> InvalidValue:
        return InvalidValue(f"webhook url {message}", [{"field": "url", "message": message}])

    if len(url) > MAX_URL_LENGTH:
        raise refuse(f"is longer than {MAX_URL_LENGTH} characters")
    try:
        parts = urlsplit(url)
    except ValueError as error:  # e.g. an unclosed IPv6 bracket
        raise refuse("is not a valid URL") from error
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise refuse("must be an absolute https URL")
    if parts.scheme == "http" and not local:
        raise refuse("must use https")
    if parts.username or parts.password:
        raise refuse("must not carry credentials")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise refuse("has an invalid port") from error
    try:
        addresses = tuple(dict.fromkeys(resolve(parts.hostname, port)))
        ips = [ipaddress.ip_address(address.split("%")[0]) for address in addresses]
    except (OSError, ValueError) as error:
        raise refuse(f"host {parts.hostname} does not resolve") from error
    if not ips:
        raise refuse(f"host {parts.hostname} does not resolve")
    for ip in ips:
        if parts.scheme == "http" and not ip.is_loopback:
            raise refuse("may use http only to a loopback address, in the local runtime")
        reason = None if local else unsafe_reason(ip)
        if reason:
            raise refuse(f"resolves to {reason}")
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return WebhookTarget(
        url=url, scheme=parts.scheme, host=parts.hostname, port=port, target=target, addresses=addresses
    )
