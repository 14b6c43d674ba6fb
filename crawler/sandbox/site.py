"""The sandbox web's routing table: which answer each host + path (+ query) gets.

Routes are data. A route given with a query string matches only that query (order of the
parameters does not matter); one given without matches the path under any query. Paths
match after percent-decoding (so `/works/10.1000%2Fabc` finds `/works/10.1000/abc`). A route
is tied to its URL's scheme, and answers the other scheme too when that has no route of its
own. Ports are ignored: the crawler's resolver sends every host to the sandbox's ports.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from crawler.sandbox.response import Response, redirect

ALLOW_ALL = "User-agent: *\nAllow: /\n"

Query = tuple[tuple[str, str], ...]
Key = tuple[str, str, Query | None]


def split_url(url: str) -> tuple[str, str, str, str]:
    """(scheme, host, path, query) of an absolute http(s) URL; host lower case, no port."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an absolute http(s) URL: {url!r}")
    return parts.scheme, parts.hostname.rstrip("."), parts.path or "/", parts.query


def query_key(query: str) -> Query:
    return tuple(sorted(parse_qsl(query, keep_blank_values=True)))


class Route:
    """A URL and its answers, given in turn; the last one repeats."""

    def __init__(self, url: str, responses: list[Response]) -> None:
        if not responses:
            raise ValueError("a route needs at least one response")
        self.url = url
        self.responses = responses
        self.served = 0
        self._lock = threading.Lock()

    def next_response(self) -> Response:
        with self._lock:
            response = self.responses[min(self.served, len(self.responses) - 1)]
            self.served += 1
            return response


class Site:
    """Routes by host, path and query. Add to it before or while a SandboxWeb serves it."""

    def __init__(self, default_robots: str | None = ALLOW_ALL) -> None:
        # default_robots is served at /robots.txt of any host without one; None -> 404.
        self.default_robots = default_robots
        self._routes: dict[Key, dict[str, Route]] = {}
        self._prefixes: dict[str, list[tuple[str, Route]]] = {}
        self._casefold: set[str] = set()

    # -- building ---------------------------------------------------------------------

    def add(
        self,
        url: str,
        body: bytes | str | None = None,
        file: Path | None = None,
        status: int = 200,
        headers: dict[str, str] | None = None,
        content_type: str | None = None,
        **behaviour,
    ) -> Route:
        """Serve `body` (or `file`, read at serve time) at `url`; `behaviour` as in Response."""
        response = Response(
            status=status,
            body=body,
            file=file,
            headers=dict(headers or {}),
            content_type=content_type,
            **behaviour,
        )
        return self.add_sequence(url, [response])

    def add_sequence(self, url: str, responses: Iterable[Response]) -> Route:
        """Answer successive requests with `responses` in turn; the last one repeats."""
        scheme, host, path, query = split_url(url)
        route = Route(url, list(responses))
        key = (host, unquote(path), query_key(query) if query else None)
        self._routes.setdefault(key, {})[scheme] = route
        return route

    def redirect(self, url: str, to: str, status: int = 301) -> Route:
        return self.add_sequence(url, [redirect(to, status)])

    def robots(self, host_or_url: str, text: str) -> None:
        """robots.txt for a host (both schemes), e.g. `site.robots("doi.org", "...")`."""
        host = split_url(host_or_url)[1] if "://" in host_or_url else host_or_url.lower()
        response = Response(body=text, content_type="text/plain; charset=utf-8")
        for scheme in ("http", "https"):
            self.add_sequence(f"{scheme}://{host}/robots.txt", [response])

    def add_prefix(self, url_prefix: str, response: Response) -> Route:
        """Answer every path under `url_prefix` that has no route of its own (e.g. API 404s).

        Either scheme; the longest matching prefix wins."""
        _, host, path, _ = split_url(url_prefix)
        route = Route(url_prefix, [response])
        entries = self._prefixes.setdefault(host, [])
        entries.append((unquote(path), route))
        entries.sort(key=lambda entry: -len(entry[0]))
        return route

    def ignore_case(self, *hosts: str) -> None:
        """Match paths on these hosts without regard to case (DOI resolvers, DOI APIs)."""
        self._casefold.update(h.lower() for h in hosts)

    def reset(self) -> None:
        """Start every sequence over."""
        for by_scheme in self._routes.values():
            for route in by_scheme.values():
                route.served = 0

    # -- reading ----------------------------------------------------------------------

    @property
    def hosts(self) -> set[str]:
        return {key[0] for key in self._routes} | set(self._prefixes)

    def urls(self) -> list[str]:
        return [route.url for by_scheme in self._routes.values() for route in by_scheme.values()]

    def find(self, scheme: str, host: str, target: str) -> Route | None:
        """The route for a request (`target` is path + query), or None."""
        host = host.lower().rstrip(".")
        parts = urlsplit(target)
        path, query = unquote(parts.path or "/"), parts.query
        keys: list[Key] = [(host, path, query_key(query))] if query else []
        keys.append((host, path, None))
        for key in keys:
            by_scheme = self._routes.get(key)
            if by_scheme is None and host in self._casefold:
                by_scheme = self._find_casefold(key)
            if by_scheme:
                return by_scheme.get(scheme) or next(iter(by_scheme.values()))
        folded = path.lower() if host in self._casefold else path
        for prefix, route in self._prefixes.get(host, ()):
            if folded.startswith(prefix.lower() if host in self._casefold else prefix):
                return route
        return None

    def _find_casefold(self, key: Key) -> dict[str, Route] | None:
        host, path, query = key
        lowered = path.lower()
        for (h, p, q), by_scheme in self._routes.items():
            if h == host and q == query and p.lower() == lowered:
                return by_scheme
        return None

    def respond(self, scheme: str, host: str, target: str) -> Response | None:
        """The next answer for a request: its route's, the default robots.txt, or None."""
        route = self.find(scheme, host, target)
        if route is not None:
            return route.next_response()
        if urlsplit(target).path == "/robots.txt" and self.default_robots is not None:
            return Response(body=self.default_robots, content_type="text/plain; charset=utf-8")
        return None
