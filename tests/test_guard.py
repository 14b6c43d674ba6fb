"""Nobody harmed, at unit level: the guard refuses loopback, private, link-local and reserved
targets (IP literals in every form a resolver accepts, and local names) before any connection,
unless --resolve maps the host. No test here opens a socket."""

from __future__ import annotations

import pytest
from scrapy.http import Request

from crawler.guard import (
    BlockedAddress,
    PrivateAddressGuardMiddleware,
    blocked_reason,
    is_local_name,
    literal_address,
)
from crawler.resolve import parse_rules

BLOCKED_URLS = [
    "http://10.0.0.1/", "http://10.255.255.254:8080/x",  # 10/8
    "http://172.16.0.1/", "http://172.31.255.254/",  # 172.16/12
    "http://192.168.0.1/", "https://192.168.255.254/admin",  # 192.168/16
    "http://169.254.169.254/latest/meta-data/",  # 169.254/16 (cloud metadata)
    "http://[fc00::1]/", "http://[fd12:3456:789a::1]/",  # fc00::/7
    "http://[fe80::1]/", "http://[fe80::1%25eth0]/",  # fe80::/10, with a zone
    "http://0.0.0.0/", "http://[::]/",  # unspecified
    "http://[::ffff:10.0.0.1]/", "http://[::ffff:127.0.0.1]/",  # IPv4-mapped IPv6
    "http://127.0.0.2:8089/", "http://[::1]:8089/",  # loopback
    "http://100.64.0.1/",  # shared address space (carrier NAT)
    "http://192.0.2.1/", "http://198.18.0.1/", "http://240.0.0.1/",  # documentation, benchmark, reserved
    "http://255.255.255.255/", "http://224.0.0.1/",  # broadcast, multicast
    # legacy IPv4 spellings getaddrinfo accepts without DNS
    "http://2130706433/", "http://0x7f000001/", "http://127.1/", "http://0177.0.0.1/",
    "http://10.1/", "http://0xa.0.0.1/",
    "http://127.0.0.2./",  # a trailing dot
]
BLOCKED_NAMES = [
    "http://localhost:8089/", "http://LOCALHOST./", "http://app.localhost/",
    "http://localhost.localdomain/", "http://ip6-localhost/", "http://printer.local/",
    "http://metadata.google.internal/", "http://router.home.arpa/", "http://nas.lan/",
    "http://intranet/", "http://wpad/",  # single-label names resolve through search domains
]
ALLOWED_URLS = [
    "https://doi.org/10.1/x", "https://www.example.org/a", "http://8.8.8.8/",
    "http://172.32.0.1/", "http://192.169.0.1/", "http://[2001:4860:4860::8888]/",
    "https://xn--bcher-kva.example/",  # a punycode name is just a name
]


@pytest.mark.parametrize("url", BLOCKED_URLS)
def test_private_and_reserved_literals_are_refused(url: str) -> None:
    reason = blocked_reason(url)
    assert reason is not None and "address" in reason


@pytest.mark.parametrize("url", BLOCKED_NAMES)
def test_local_names_are_refused(url: str) -> None:
    reason = blocked_reason(url)
    assert reason is not None and "local host" in reason


@pytest.mark.parametrize("url", ALLOWED_URLS)
def test_public_targets_pass(url: str) -> None:
    assert blocked_reason(url) is None


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "data:text/html,hi",
                                 "s3://bucket/key", "gopher://example.org/"])
def test_only_http_and_https(url: str) -> None:
    assert "only http and https" in blocked_reason(url)


def test_legacy_forms_name_the_address_they_mean() -> None:
    assert str(literal_address("2130706433")) == "127.0.0.1"
    assert str(literal_address("0x7f.1")) == "127.0.0.1"
    assert str(literal_address("0177.0.0.01")) == "127.0.0.1"
    assert str(literal_address("[::ffff:10.0.0.1]")) == "::ffff:a00:1"
    assert literal_address("cafe") is None and literal_address("1.example.org") is None
    assert literal_address("999.1.1.1") is None


def test_local_name_table() -> None:
    assert is_local_name("localhost") and is_local_name("a.b.localhost")
    assert not is_local_name("localhost.example.org") and not is_local_name("doi.org")


def test_mapped_hosts_pass_unmapped_stand_ins_do_not() -> None:
    """`--resolve '*.example.org=127.0.0.1'` maps only example.org names; the loopback
    stand-ins a mapped page might link to stay refused."""
    rules = parse_rules(["*.example.org=127.0.0.1", "doi.org:443=127.0.0.1:8443"])
    assert blocked_reason("https://www.example.org/", rules) is None
    assert blocked_reason("https://doi.org/10.1/x", rules) is None
    for url in ("http://127.0.0.2:8089/", "http://localhost:8089/", "http://[::1]:8089/"):
        assert blocked_reason(url, rules) is not None
    # the user may map a literal or local name on purpose, port by port
    rules = parse_rules(["127.0.0.2:8089=127.0.0.1:9000", "localhost=127.0.0.1"])
    assert blocked_reason("http://127.0.0.2:8089/", rules) is None
    assert blocked_reason("http://127.0.0.2:8090/", rules) is not None
    assert blocked_reason("http://localhost:8089/", rules) is None


def test_middleware_raises_before_any_connection() -> None:
    guard = PrivateAddressGuardMiddleware(parse_rules(["*.example.org=127.0.0.1"]))
    assert guard.process_request(Request("https://www.example.org/page")) is None
    with pytest.raises(BlockedAddress, match="127.0.0.2 is a loopback, private"):
        guard.process_request(Request("http://127.0.0.2:8089/"))
    with pytest.raises(BlockedAddress, match="not mapped by --resolve"):
        guard.process_request(Request("http://[::ffff:10.0.0.1]/"))
