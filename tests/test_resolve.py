"""--resolve rules: parsing, matching, port rewriting, and the public-address guard."""

import pytest
from twisted.internet.address import IPv4Address

from crawler.resolve import (
    BadResolveRule,
    MappedHostnameResolver,
    find_rule,
    is_public_address,
    parse_rule,
    parse_rules,
)


def test_parse_forms() -> None:
    assert parse_rule("*:443=127.0.0.1:8443") == parse_rule("*:443=127.0.0.1:8443")
    rule = parse_rule("*:443=127.0.0.1:8443")
    assert (rule.host, rule.port, rule.ip, rule.to_port) == ("*", 443, "127.0.0.1", 8443)
    rule = parse_rule("Doi.org=127.0.0.1")
    assert (rule.host, rule.port, rule.ip, rule.to_port) == ("doi.org", None, "127.0.0.1", None)
    rule = parse_rule("*.example.org:80=[::1]:8080")
    assert (rule.host, rule.port, rule.ip, rule.to_port) == ("*.example.org", 80, "::1", 8080)


@pytest.mark.parametrize("text", ["doi.org", "=127.0.0.1", "doi.org=", "doi.org=notanip",
                                  "doi.org:http=127.0.0.1", "*:443=127.0.0.1:99999"])
def test_bad_rules_say_what_is_wrong(text: str) -> None:
    with pytest.raises(BadResolveRule, match="--resolve"):
        parse_rule(text)


def test_first_matching_rule_wins_and_ports_matter() -> None:
    rules = parse_rules(["*:80=127.0.0.1:8080", "*:443=127.0.0.1:8443", "api.*=127.0.0.9"])
    assert find_rule(rules, "doi.org", 443).to_port == 8443
    assert find_rule(rules, "DOI.ORG", 80).to_port == 8080
    assert find_rule(rules, "api.crossref.org", 8000).ip == "127.0.0.9"
    assert find_rule(rules, "doi.org", 8000) is None


@pytest.mark.parametrize("ip,public", [
    ("127.0.0.2", False), ("10.1.2.3", False), ("172.16.0.1", False), ("192.168.1.1", False),
    ("169.254.169.254", False), ("::1", False), ("fe80::1", False), ("0.0.0.0", False),
    ("::ffff:127.0.0.1", False), ("224.0.0.1", False), ("100.64.0.1", False),
    ("8.8.8.8", True), ("2001:4860:4860::8888", True),
])
def test_public_address_guard(ip: str, public: bool) -> None:
    assert is_public_address(ip) is public


class _Receiver:
    def __init__(self) -> None:
        self.addresses: list = []
        self.done = False

    def resolutionBegan(self, resolution) -> None:  # noqa: N802
        pass

    def addressResolved(self, address) -> None:  # noqa: N802
        self.addresses.append(address)

    def resolutionComplete(self) -> None:  # noqa: N802
        self.done = True


class _FakeReactor:
    """Stands in for the system resolver: answers every name with a private address."""

    def __init__(self) -> None:
        self.nameResolver = self
        self.asked: list[str] = []

    def resolveHostName(self, receiver, name, port=0, *args):  # noqa: N802
        self.asked.append(name)
        receiver.resolutionBegan(None)
        receiver.addressResolved(IPv4Address("TCP", "10.0.0.5", port))
        receiver.resolutionComplete()
        return receiver


def test_mapped_hosts_get_rule_address_and_port_unmapped_private_answers_dropped() -> None:
    reactor = _FakeReactor()
    resolver = MappedHostnameResolver(reactor, parse_rules(["*.example.org:443=127.0.0.1:8443"]))
    mapped = _Receiver()
    resolver.resolveHostName(mapped, "www.example.org", 443)
    assert mapped.done and [(a.host, a.port) for a in mapped.addresses] == [("127.0.0.1", 8443)]
    assert reactor.asked == []  # never reached the real resolver
    unmapped = _Receiver()
    resolver.resolveHostName(unmapped, "intranet.corp", 443)
    assert reactor.asked == ["intranet.corp"]
    assert unmapped.done and unmapped.addresses == []  # 10.0.0.5 is private: dropped
