"""Where a webhook may point: https to public addresses; locally also http(s) to loopback, nothing else (SSRF)."""

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
        ("fec0::1", "site-local"),  # deprecated site-local fec0::/10, which ipaddress calls global
        ("feff:ffff::1", "site-local"),
        ("64:ff9b::a00:1", "private"),  # NAT64 of 10.0.0.1
        ("64:ff9b::7f00:1", "loopback"),  # NAT64 of 127.0.0.1
        ("64:ff9b::a9fe:a9fe", "metadata"),  # NAT64 of 169.254.169.254
        ("64:ff9b::6440:1", "public"),  # NAT64 of 100.64.0.1, carrier-grade NAT
        ("64:ff9b:1::a00:1", "public"),  # local-use NAT64 prefix (RFC 8215): the site's own
        ("3fff::1", "documentation"),  # RFC 9637, which ipaddress calls global
        ("192.0.0.8", "IETF protocol"),  # 192.0.0.0/24, of which ipaddress calls most global
        ("192.88.99.1", "6to4 relay"),  # deprecated anycast (RFC 7526)
    ],
)
def test_urls_resolving_to_internal_addresses_are_refused_in_aws(address: str, reason: str) -> None:
    with pytest.raises(InvalidValue, match=reason):
        check_url("https://innocent.example/hook", local=False, resolve=resolving(address))


@pytest.mark.parametrize(
    "address",
    ["64:ff9b::5db8:d70e", "2002:5db8:d70e::1", "::ffff:93.184.215.14", "2001:4860:4860::8888"],
    ids=["NAT64", "6to4", "IPv4-mapped", "native IPv6"],
)
def test_ipv6_forms_of_a_public_address_are_accepted_in_aws(address: str) -> None:
    target = check_url("https://shop.example/hooks", local=False, resolve=resolving(address))

    assert target.addresses == (address,)


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


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("https://localhost:8443/hook", "127.0.0.1"),
        ("https://localhost:8443/hook", "::1"),
        ("http://127.0.0.5:9000/hook", "127.0.0.5"),
        ("http://localhost/hook", "::ffff:127.0.0.1"),
    ],
)
def test_locally_http_or_https_to_loopback_is_allowed(url: str, address: str) -> None:
    target = check_url(url, local=True, resolve=resolving(address))

    assert target.addresses == (address,)


def test_locally_https_to_a_public_address_is_allowed_as_in_aws() -> None:
    target = check_url("https://shop.example/hooks", local=True, resolve=resolving(PUBLIC))

    assert target.addresses == (PUBLIC,)


@pytest.mark.parametrize(
    ("url", "address", "reason"),
    [
        ("https://169.254.169.254/latest/meta-data/", "169.254.169.254", "metadata"),
        ("https://10.0.0.1/hook", "10.0.0.1", "private"),
        ("https://printer.lan/hook", "192.168.1.20", "private"),
        ("https://[fd00:ec2::254]/", "fd00:ec2::254", "metadata"),
        ("https://[fe80::1]/hook", "fe80::1", "link-local"),
        ("https://[fec0::1]/hook", "fec0::1", "site-local"),
        ("https://240.0.0.1/hook", "240.0.0.1", "private"),
        ("https://0.0.0.0/hook", "0.0.0.0", "private"),
        ("https://[64:ff9b::a00:1]/hook", "64:ff9b::a00:1", "private"),
        ("https://[2002:7f00:1::1]/hook", "2002:7f00:1::1", "loopback"),  # 6to4 of 127.0.0.1 goes to a relay
    ],
)
def test_locally_every_other_internal_address_is_still_refused(url: str, address: str, reason: str) -> None:
    with pytest.raises(InvalidValue, match=reason):
        check_url(url, local=True, resolve=resolving(address))


def test_loopback_is_refused_in_aws_even_over_https() -> None:
    with pytest.raises(InvalidValue, match="loopback"):
        check_url("https://localhost:8443/hook", local=False, resolve=resolving("127.0.0.1"))
