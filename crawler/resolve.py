"""`--resolve HOST[:PORT]=IP[:PORT]`: map hostnames (and ports) to addresses, like curl's
`--resolve` and `--connect-to` together, and keep unmapped hosts off private networks.

Scrapy gets the rules as its Twisted hostname resolver (TWISTED_DNS_RESOLVER), Chromium
as `--host-resolver-rules`. A Twisted resolver may answer with an address whose port
differs from the one asked for, which is how `*:443=127.0.0.1:8443` works.
`HOST=~NOTFOUND` makes a host fail to resolve, as Chromium's rule of that name does
(tests use it for DNS failures without asking any DNS server).
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from twisted.internet.address import IPv4Address, IPv6Address
from twisted.internet.interfaces import (
    IAddress,
    IHostnameResolver,
    IHostResolution,
    IResolutionReceiver,
)
from zope.interface import implementer, provider

logger = logging.getLogger(__name__)


NOT_FOUND = "~NOTFOUND"  # a rule target: the host does not resolve


class BadResolveRule(ValueError):
    """A --resolve value that is not HOST[:PORT]=IP[:PORT]; the message is one line."""


@dataclass(frozen=True)
class ResolveRule:
    host: str  # lower case, may hold * wildcards
    port: int | None  # None: any port
    ip: str
    to_port: int | None  # None: keep the port asked for

    def matches(self, host: str, port: int) -> bool:
        return fnmatchcase(host.lower(), self.host) and self.port in (None, port)

    @property
    def chromium_rule(self) -> str:
        """The same mapping as one of Chromium's --host-resolver-rules.

        Chromium matches a rule's pattern against the host, then against `host:port`, so
        `MAP *:443 127.0.0.1:8443` maps only port 443; without the port in the pattern,
        `*:80=...` and `*:443=...` would both take every port, and the first would win.
        """
        pattern = f"{self.host}:{self.port}" if self.port is not None else self.host
        target = f"[{self.ip}]" if ":" in self.ip else self.ip
        return f"MAP {pattern} {target}" + (f":{self.to_port}" if self.to_port else "")


def parse_rule(text: str) -> ResolveRule:
    left, sep, right = text.partition("=")
    if not sep or not left or not right:
        raise BadResolveRule(f"--resolve {text!r}: expected HOST[:PORT]=IP[:PORT]")
    host, port = _split_port(left, text)
    if right.strip() == NOT_FOUND:
        return ResolveRule(host.lower(), port, NOT_FOUND, None)
    ip, to_port = _split_port(right, text)
    try:
        ip = str(ipaddress.ip_address(ip))
    except ValueError:
        raise BadResolveRule(f"--resolve {text!r}: {ip!r} is not an IP address") from None
    return ResolveRule(host.lower(), port, ip, to_port)


def parse_rules(texts: Iterable[str]) -> tuple[ResolveRule, ...]:
    return tuple(parse_rule(t) for t in texts)


def _split_port(part: str, whole: str) -> tuple[str, int | None]:
    part = part.strip()
    if part.startswith("["):  # [::1]:8443
        host, _, rest = part[1:].partition("]")
        port_text = rest.removeprefix(":") if rest.startswith(":") else ""
    elif part.count(":") == 1:
        host, port_text = part.split(":")
    else:
        host, port_text = part, ""
    if not port_text:
        return host, None
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise BadResolveRule(f"--resolve {whole!r}: bad port {port_text!r}")
    return host, int(port_text)


def find_rule(rules: Sequence[ResolveRule], host: str, port: int) -> ResolveRule | None:
    """The first rule mapping host:port (curl's order: first match wins)."""
    return next((rule for rule in rules if rule.matches(host, port)), None)


def is_public_address(ip: str) -> bool:
    """False for loopback, private, link-local, reserved, multicast and unspecified addresses."""
    try:
        address = ipaddress.ip_address(ip.split("%")[0])
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


@implementer(IHostResolution)
class _Resolution:
    def __init__(self, name: str) -> None:
        self.name = name

    def cancel(self) -> None:  # nothing in flight for mapped names
        pass


@provider(IResolutionReceiver)
class _PublicOnlyReceiver:
    """Passes on only public addresses, so an unmapped host can't lead into private networks."""

    def __init__(self, receiver: Any) -> None:
        self.receiver = receiver

    def resolutionBegan(self, resolution: IHostResolution) -> None:  # noqa: N802 - Twisted API
        self.receiver.resolutionBegan(resolution)

    def addressResolved(self, address: IAddress) -> None:  # noqa: N802
        host = getattr(address, "host", "")
        if is_public_address(host):
            self.receiver.addressResolved(address)
        else:
            logger.warning("dropped DNS answer %s: not a public address (map the host with "
                           "--resolve to reach it)", host)

    def resolutionComplete(self) -> None:  # noqa: N802
        self.receiver.resolutionComplete()


@implementer(IHostnameResolver)
class MappedHostnameResolver:
    """Scrapy's TWISTED_DNS_RESOLVER: mapped hosts get the rule's address and port; others are
    looked up as usual, with non-public answers dropped."""

    def __init__(self, reactor: Any, rules: Sequence[ResolveRule]) -> None:
        self.reactor = reactor
        self.rules = tuple(rules)
        self.original_resolver = reactor.nameResolver

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> MappedHostnameResolver:
        return cls(reactor, parse_rules(crawler.settings.getlist("COPROD_RESOLVE")))

    def install_on_reactor(self) -> None:
        self.reactor.installNameResolver(self)

    def resolveHostName(  # noqa: N802 - Twisted API
        self,
        resolutionReceiver: Any,  # noqa: N803
        hostName: str,  # noqa: N803
        portNumber: int = 0,  # noqa: N803
        addressTypes: Any = None,  # noqa: N803
        transportSemantics: str = "TCP",  # noqa: N803
    ) -> IHostResolution:
        rule = find_rule(self.rules, hostName, portNumber)
        if rule is None:
            return self.original_resolver.resolveHostName(
                _PublicOnlyReceiver(resolutionReceiver), hostName, portNumber,
                addressTypes, transportSemantics,
            )
        resolution = _Resolution(hostName)
        resolutionReceiver.resolutionBegan(resolution)
        if rule.ip == NOT_FOUND:  # no address: Twisted's endpoint raises DNSLookupError
            resolutionReceiver.resolutionComplete()
            return resolution
        address_type = IPv6Address if ":" in rule.ip else IPv4Address
        resolutionReceiver.addressResolved(
            address_type("TCP", rule.ip, rule.to_port or portNumber)
        )
        resolutionReceiver.resolutionComplete()
        return resolution
