"""Where a webhook may point: https to public addresses; in the local runtime also http(s) to loopback.

Checked when a storefront subscribes and again before every attempt (DNS can
change in between). DNS comes in as a function, so this stays plain Python.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

from chalicelib.domain.errors import InvalidValue
from chalicelib.domain.models import Frozen

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Sequence[str]]
MAX_URL_LENGTH = 2048
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a) for a in ("169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200")
)
# NAT64's well-known prefix (RFC 6052): a DNS64 resolver (as in an IPv6-only VPC subnet) maps an IPv4-only
# host to 64:ff9b::<IPv4>, so the address stands for its last 32 bits.
NAT64 = ipaddress.ip_network("64:ff9b::/96")
# Special ranges that Python's `ipaddress` (3.11) calls global; site-local fec0::/10 is `is_site_local` below.
NOT_PUBLIC: tuple[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, str], ...] = (
    (ipaddress.ip_network("192.0.0.0/24"), "an IETF protocol address"),  # RFC 6890; is_private covers only parts
    (ipaddress.ip_network("192.88.99.0/24"), "a deprecated 6to4 relay address"),  # RFC 7526
    (ipaddress.ip_network("3fff::/20"), "a documentation address"),  # RFC 9637
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


def _embedded_ipv4(ip: Address) -> ipaddress.IPv4Address | None:
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return ip.ipv4_mapped
        if ip.sixtofour:
            return ip.sixtofour
        if ip.teredo:
            return ip.teredo[1]
        if ip in NAT64:
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _special_range(ip: Address) -> str | None:
    return next((reason for network, reason in NOT_PUBLIC if ip.version == network.version and ip in network), None)


UNSAFE: tuple[tuple[Callable[[Address], bool], str], ...] = (
    (lambda ip: ip in METADATA_ADDRESSES, "a cloud metadata address"),
    (lambda ip: ip.is_loopback, "a loopback address"),
    (lambda ip: ip.is_link_local, "a link-local address"),
    (lambda ip: ip.is_private, "a private address"),
    (lambda ip: isinstance(ip, ipaddress.IPv6Address) and ip.is_site_local, "a site-local address"),
    (lambda ip: ip.is_multicast or ip.is_reserved or ip.is_unspecified or not ip.is_global, "not a public address"),
)


def is_this_machine(ip: Address) -> bool:
    """Loopback as a connection reaches it: 127.0.0.0/8, ::1, or 127.x written as ::ffff:127.x.

    Not 6to4, Teredo or NAT64 forms of 127.x: those go out to a relay, never to this machine.
    """
    mapped = ip.ipv4_mapped if isinstance(ip, ipaddress.IPv6Address) else None
    return ip.is_loopback or (mapped is not None and mapped.is_loopback)


def unsafe_reason(ip: Address, *, allow_loopback: bool = False) -> str | None:
    """Why an address must not receive webhooks (SSRF), or None if it is public.

    IPv6 forms that embed an IPv4 address (mapped, 6to4, Teredo, NAT64) are judged by that address.
    `allow_loopback` (the local runtime) lets this machine's loopback through, and nothing else.
    """
    if allow_loopback and is_this_machine(ip):
        return None
    inner = _embedded_ipv4(ip)
    if inner is not None:
        return unsafe_reason(inner)
    return _special_range(ip) or next((reason for unsafe, reason in UNSAFE if unsafe(ip)), None)


def check_url(url: str, *, local: bool, resolve: Resolver) -> WebhookTarget:
    """https to public addresses; in the local runtime also http or https to loopback. Raises InvalidValue.

    Locally every other check still holds: metadata, link-local, private and reserved addresses are refused.
    """

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
        if parts.scheme == "http" and not is_this_machine(ip):
            raise refuse("may use http only to a loopback address, in the local runtime")
        reason = unsafe_reason(ip, allow_loopback=local)
        if reason:
            raise refuse(f"resolves to {reason}")
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return WebhookTarget(
        url=url, scheme=parts.scheme, host=parts.hostname, port=port, target=target, addresses=addresses
    )
