"""What a crawl source is: its requests as data, and a parser from response bytes to works and
next pages. Sources never touch Scrapy or the network; the crawl spider turns each `Fetch`
into a Request and hands the response's (url, headers, body) back to `parse`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from crawler.crawlconfig import SourceSpec
from extractors.dispatch import extract_records
from extractors.errors import UnusableInput
from extractors.record import Record


@dataclass(frozen=True)
class Fetch:
    """One request a source wants: `step` names the parser its response goes to."""

    url: str
    step: str
    headers: tuple[tuple[str, str], ...] = ()


@dataclass
class Page:
    """What one response of a source gave.

    `more`: further pages of the source itself (next page, list items), fetched at the
    same depth; `links`: other pages (a site crawl's links), one hop deeper. `error`: why
    the source could not go on (the run then exits 1), None when all is well.
    """

    records: list[Record] = field(default_factory=list)
    more: list[Fetch] = field(default_factory=list)
    links: list[Fetch] = field(default_factory=list)
    error: str | None = None


@dataclass(frozen=True)
class Context:
    """What sources need from the run: the operator's contact, keys, vocabulary, and the
    start of the last complete harvest (a WARC date) for incremental queries."""

    mailto: str | None = None
    api_keys: Mapping[str, str] = field(default_factory=dict)
    vocabulary: Mapping[str, Sequence[str]] = field(default_factory=dict)
    since: str | None = None


class Source:
    """One configured source. Subclasses set `kind` and implement `start` and `parse`."""

    kind: ClassVar[str] = ""

    def __init__(self, spec: SourceSpec, context: Context) -> None:
        self.spec = spec
        self.context = context

    @property
    def name(self) -> str:
        return self.spec.name

    def start(self) -> list[Fetch]:
        raise NotImplementedError

    def parse(self, step: str, url: str, headers: Mapping[str, str], body: bytes) -> Page:
        raise NotImplementedError


# -- search APIs: a query, a first page, a next page ------------------------------------------


@dataclass(frozen=True)
class Syntax:
    """How an API spells boolean queries (None: free text only, one query per language)."""

    or_: str = " OR "
    and_: str = " AND "
    quote: str = '"{}"'


BOOLEAN = Syntax()


def vocabulary_queries(vocabulary: Mapping[str, Sequence[str]], syntax: Syntax | None) -> list[str]:
    """Queries from the field's terms: boolean APIs get one, ((English) AND (context)) OR
    (every other-language term); free-text APIs one per language, English with context."""
    context = list(vocabulary.get("context", ()))
    languages = {k: list(v) for k, v in vocabulary.items() if k != "context" and v}
    english = languages.pop("en", [])
    if syntax is None:
        queries = [" ".join(english + context)] if english else []
        return queries + [" ".join(terms) for terms in languages.values()]

    def any_of(terms: list[str]) -> str:
        quoted = [syntax.quote.format(t) if " " in t or "-" in t else t for t in terms]
        return "(" + syntax.or_.join(quoted) + ")"

    parts = []
    if english:
        parts.append(any_of(english) + (syntax.and_ + any_of(context) if context else ""))
    others = [t for terms in languages.values() for t in terms]
    if others:
        parts.append(any_of(list(dict.fromkeys(others))))
    return [syntax.or_.join(f"({p})" if len(parts) > 1 else p for p in parts)] if parts else []


class SearchSource(Source):
    """An aggregator search API paged by cursor or token. Subclasses give the URLs."""

    syntax: ClassVar[Syntax | None] = BOOLEAN

    def queries(self) -> list[str]:
        if self.spec.query:
            return [self.spec.query]
        return vocabulary_queries(self.context.vocabulary, self.syntax)

    def start(self) -> list[Fetch]:
        return [Fetch(self.first_url(q), "search", self.headers()) for q in self.queries()]

    def parse(self, step: str, url: str, headers: Mapping[str, str], body: bytes) -> Page:
        try:
            records = extract_records(url, headers, body)
            data = json.loads(body)
        except (UnusableInput, ValueError) as exc:
            return Page(error=f"unreadable response from {urlsplit(url).hostname}: {exc}"[:300])
        if not isinstance(data, dict):
            return Page(records, error=f"unexpected response shape from {urlsplit(url).hostname}")
        if (problem := self.api_error(data)) is not None:
            return Page(records, error=problem)
        following = self.next_url(data, url)
        return Page(records, more=[Fetch(following, "search", self.headers())] if following else [])

    # -- what subclasses give ---------------------------------------------------------------

    def first_url(self, query: str) -> str:
        raise NotImplementedError

    def next_url(self, data: dict[str, Any], url: str) -> str | None:
        """The next page's URL, None after the last (an empty page is the last)."""
        raise NotImplementedError

    def headers(self) -> tuple[tuple[str, str], ...]:
        return ()

    def api_error(self, data: dict[str, Any]) -> str | None:
        """The API's own error message in a 200 response, else None."""
        return None

    def since_date(self) -> str | None:
        """The last harvest's start as YYYY-MM-DD (a day early: indexes lag), or None."""
        since = self.context.since
        if not since or len(since) < 10:
            return None
        from datetime import date, timedelta

        try:
            return (date.fromisoformat(since[:10]) - timedelta(days=1)).isoformat()
        except ValueError:
            return None


def with_params(url: str, **params: Any) -> str:
    """`url` with query parameters set (replaced where present, None ones removed)."""
    scheme, netloc, path, query, _ = urlsplit(url)
    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k not in params]
    pairs += [(k, str(v)) for k, v in params.items() if v is not None]
    return urlunsplit((scheme, netloc, path, urlencode(pairs), ""))
