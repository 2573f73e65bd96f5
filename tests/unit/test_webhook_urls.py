"""Where a webhook may point: https to public addresses in AWS; locally also http to loopback (SSRF)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from chalicelib.domain.errors import InvalidValue
from chalicelib.domain.webhook_urls import Resolver, check_url

PUBLIC = "93.184.215.14"


def resolving(*addresses: str) -> Resolver:
    def resolve(host: str, port: int) -> Sequence[str]:
        return addresses

    return resolve


def no_dns(host: str, port: int) -> Sequence[str]:
    raise OSError("Name or service not known")


def test_https_to_a_public_address_is_accepted_in_aws() -> None:
    target = check_url("https://shop.example/hooks?x=1", local=False, resolve=resolving(PUBLIC))

    assert (target.host, target.port, target.target, target.addresses) == ("shop.example", 443, "/hooks?x=1", (PUBLIC,))
    assert target.host_header == "shop.example"


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("10.1.2.3", "private"),
        ("192.168.0.10", "private"),
        ("172.16.5.4", "private"),
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("169.254.169.254", "metadata"),
        ("fd00:ec2::254", "metadata"),
        ("169.254.10.1", "link-local"),
        ("fe80::1", "link-local"),
        ("::ffff:10.0.0.1", "private"),
        ("2002:7f00:1::1", "loopback"),  # 6to4 wrapping 127.0.0.1
        ("100.64.0.1", "public"),  # carrier-grade NAT
        ("0.0.0.0", "private"),
        ("224.0.0.1", "public"),  # multicast
    ],
)
def test_urls_resolving_to_internal_addresses_are_refused_in_aws(address: str, reason: str) -> None:
    with pytest.raises(InvalidValue, match=reason):
        check_url("https://innocent.example/hook", local=False, resolve=resolving(address))


def test_one_internal_address_among_public_ones_is_enough_to_refuse() -> None:
    with pytest.raises(InvalidValue, match="private"):
        check_url("https://shop.example/", local=False, resolve=resolving(PUBLIC, "10.0.0.7"))


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://shop.example/hook", "https"),
        ("ftp://shop.example/hook", "https"),
        ("https:///no-host", "https"),
        ("https://user:pw@shop.example/hook", "credentials"),
        ("https://shop.example:99999/hook", "port"),
        ("https://shop.example/" + "a" * 2100, "longer"),
    ],
)
def test_malformed_or_plain_http_urls_are_refused_in_aws(url: str, message: str) -> None:
    with pytest.raises(InvalidValue, match=message):
        check_url(url, local=False, resolve=resolving(PUBLIC))


def test_a_host_that_does_not_resolve_is_refused() -> None:
    with pytest.raises(InvalidValue, match="does not resolve"):
        check_url("https://nowhere.invalid/", local=False, resolve=no_dns)


def test_locally_http_is_allowed_to_loopback_only() -> None:
    target = check_url("http://localhost:8123/hook", local=True, resolve=resolving("127.0.0.1", "::1"))

    assert target.host_header == "localhost:8123"
    with pytest.raises(InvalidValue, match="loopback"):
        check_url("http://printer.lan/hook", local=True, resolve=resolving("192.168.1.20"))


def test_locally_https_may_point_anywhere() -> None:
    target = check_url("https://10.0.0.5:8443/hook", local=True, resolve=resolving("10.0.0.5"))

    assert target.host_header == "10.0.0.5:8443"
