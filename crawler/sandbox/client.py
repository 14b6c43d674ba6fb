"""A minimal client for the sandbox web, for tests: connect to 127.0.0.1, speak as `url`'s host.

It sends the Host header and SNI of the URL's host (as the crawler does under `--resolve`) and,
for https, verifies the host's certificate against the sandbox CA. Plain `http.client`, so a test
sees exactly what went over the wire (no decompression, no retries, no redirects followed
unless `follow` is used).
"""

from __future__ import annotations

import http.client
import socket
import ssl
from dataclasses import dataclass
from email.message import Message
from urllib.parse import urljoin, urlsplit

from crawler.sandbox.server import LOOPBACK, SandboxWeb


@dataclass
class Fetched:
    url: str
    status: int
    headers: Message
    body: bytes


def connection(web: SandboxWeb, url: str, timeout: float = 10, verify: bool = True):
    """An http.client connection to the sandbox that looks, to the server, like one to `url`."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        context = (
            ssl.create_default_context(cafile=str(web.ca_path))
            if verify
            else ssl._create_unverified_context()  # noqa: S323 - the sandbox's own cert
        )
        conn = http.client.HTTPSConnection(parts.hostname, web.https_port, timeout=timeout, context=context)
    else:
        conn = http.client.HTTPConnection(parts.hostname, web.http_port, timeout=timeout)

    def to_loopback(address, timeout=timeout, source_address=None):
        return socket.create_connection((LOOPBACK, address[1]), timeout, source_address)

    conn._create_connection = to_loopback  # DNS of the sandbox: every host is 127.0.0.1
    return conn


def fetch(
    web: SandboxWeb,
    url: str,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    timeout: float = 10,
    verify: bool = True,
) -> Fetched:
    """One request, one response, read to the end (exceptions from a cut body propagate)."""
    parts = urlsplit(url)
    conn = connection(web, url, timeout=timeout, verify=verify)
    try:
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        conn.request(method, target, body=body, headers={"Host": parts.hostname, **(headers or {})})
        response = conn.getresponse()
        return Fetched(url, response.status, response.headers, response.read())
    finally:
        conn.close()


def follow(web: SandboxWeb, url: str, max_hops: int = 10, **kwargs) -> list[Fetched]:
    """Fetch `url` and every redirect after it; the chain, last answer last."""
    chain = [fetch(web, url, **kwargs)]
    while chain[-1].status in (301, 302, 303, 307, 308) and len(chain) <= max_hops:
        location = chain[-1].headers.get("Location")
        if not location:
            break
        chain.append(fetch(web, urljoin(chain[-1].url, location), **kwargs))
    return chain
