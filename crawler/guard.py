"""Nobody harmed: no request to loopback, private, link-local or reserved addresses, nor to
names that stand for local hosts, unless the user mapped that host with `--resolve`.

The resolver (crawler.resolve) already drops non-public DNS answers for unmapped names;
this downloader middleware refuses what can be judged from the URL alone (an IP literal,
`localhost`, a single-label intranet name, a scheme other than http/https) before any
connection, robots.txt fetch or DNS query, and says why. Redirects and followed links come
back through the downloader middlewares, so every hop is checked.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from typing import Any
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request

from crawler.resolve import ResolveRule, find_rule, is_public_address, parse_rules

SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}
# Names that stand for this machine or its local network (RFC 6761, RFC 6762, RFC 8375,
# and what /etc/hosts files commonly hold).
LOCAL_NAMES = frozenset({
    "localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback", "broadcasthost",
})
LOCAL_SUFFIXES = (".localhost", ".local", ".localdomain", ".internal", ".home.arpa", ".lan")
_LEGACY_IPV4 = re.compile(r"^(?:0x[0-9a-f]+|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]+)){0,3}$")


class BlockedAddress(IgnoreRequest):
    """A request refused before any connection: its target is local, private or reserved."""


def literal_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address an IP-literal host names, or None for a hostname.

    Includes the legacy IPv4 forms resolvers accept (`127.1`, `0x7f.0.0.1`, `2130706433`,
    `0177.0.0.1`): getaddrinfo turns them into addresses without asking DNS.
    """
    text = host.strip("[]").split("%")[0].rstrip(".").lower()
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        pass
    if _LEGACY_IPV4.match(text):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(text))
        except OSError:
            return None
    return None


def is_local_name(host: str) -> bool:
    """True for names that stand for this machine or the local network, never a public host:
    localhost and its kin, the local-only suffixes, and single-label (intranet) names."""
    name = host.rstrip(".").lower()
    return name in LOCAL_NAMES or name.endswith(LOCAL_SUFFIXES) or "." not in name


def blocked_reason(url: str, rules: tuple[ResolveRule, ...] = ()) -> str | None:
    """Why `url` must not be fetched, or None when it may be."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        return f"scheme {scheme or '(none)'!r} is not fetched (only http and https)"
    host = (parts.hostname or "").rstrip(".")
    if not host:
        return "no host in the URL"
    try:
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError:
        return "bad port in the URL"
    if find_rule(rules, host, port) is not None:
        return None  # mapped by --resolve: the user chose where it goes
    address = literal_address(host)
    if address is not None:
        if is_public_address(str(address)):
            return None
        return f"{address} is a loopback, private, link-local or reserved address"
    if is_local_name(host):
        return f"{host!r} names a local host"
    return None


class PrivateAddressGuardMiddleware:
    """Downloader middleware (order 40, before robots.txt): refuse requests `blocked_reason`
    names, recording each as a failure (crawler.failures)."""

    def __init__(self, rules: tuple[ResolveRule, ...], crawler: Any = None) -> None:
        self.rules = rules
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> PrivateAddressGuardMiddleware:
        return cls(parse_rules(crawler.settings.getlist("COPROD_RESOLVE")), crawler)

    def process_request(self, request: Request) -> None:
        reason = blocked_reason(request.url, self.rules)
        if reason is None:
            return None
        message = f"refused: {reason}; not mapped by --resolve"
        if self.crawler is not None:
            from crawler.failures import FailureLog

            FailureLog.for_crawler(self.crawler).add(request.url, "blocked", message)
        raise BlockedAddress(message)
