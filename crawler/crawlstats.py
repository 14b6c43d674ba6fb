"""What a crawl did, per source: the counters the spider and pipelines keep in Scrapy's stats,
gathered into a `CrawlRunResult` that the command prints and returns.

Counters (stats keys `coprod/source/<name>/<counter>`):
  new / changed / unchanged   exchanges archived for the source (API pages, landing pages and
             their redirect hops): never captured before / a new payload / the same payload,
             as the WARC tap counts them (`.../pages/<kind>`, crawler.archiving)
  fetched    the three together
  failed     requests that failed for good (after retries)
  added      works new to the catalog
  merged     works the catalog held, now with more evidence
  same       works the catalog held, with nothing new
  below_threshold   works (as now merged) below the relevance threshold
A source *failed* when its own chain broke (an API or OAI-PMH page that could not be read, a
bad resumption token): its `errors` say why, and the run exits 1.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

COUNTERS = ("fetched", "new", "changed", "unchanged", "failed", "added", "merged", "same",
            "below_threshold")
PREFIX = "coprod/source/"
PAGE_KINDS = ("new", "changed", "unchanged")  # counted by the WARC tap as pages/<kind>


def stat_key(source: str, counter: str) -> str:
    if counter in PAGE_KINDS:
        return f"{PREFIX}{source}/pages/{counter}"
    return f"{PREFIX}{source}/{counter}"


def count(stats: Any, source: str, counter: str, n: int = 1) -> None:
    stats.inc_value(stat_key(source, counter), n)


@dataclass
class SourceResult:
    name: str
    kind: str
    target: str  # the query, or the URL (and OAI set)
    fetched: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: int = 0
    added: int = 0
    merged: int = 0
    same: int = 0
    below_threshold: int = 0
    errors: list[str] = field(default_factory=list)
    capped: bool = False  # stopped by max_pages (its own or the run's) before the end
    complete: bool = False  # every page fetched, no error: the harvest date may advance

    @property
    def source_failed(self) -> bool:
        return bool(self.errors)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class CrawlRunResult:
    sources: list[SourceResult] = field(default_factory=list)
    pages: int = 0  # requests the spider made (robots.txt and redirect hops aside)
    max_pages: int = 0
    interrupted: bool = False
    stats: dict[str, Any] = field(default_factory=dict)
    fetch_failures: list[Any] = field(default_factory=list)  # crawler.failures: given up on

    @property
    def failed_sources(self) -> list[SourceResult]:
        return [s for s in self.sources if s.source_failed]

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return 130
        return 1 if self.failed_sources or self.fetch_failures else 0

    def totals(self) -> dict[str, int]:
        return {name: sum(getattr(s, name) for s in self.sources) for name in COUNTERS}

    def to_dict(self) -> dict[str, Any]:
        return {"sources": [s.to_dict() for s in self.sources], "totals": self.totals(),
                "pages": self.pages, "max_pages": self.max_pages, "interrupted": self.interrupted,
                "exit_code": self.exit_code}


def collect(stats: Mapping[str, Any], sources: Iterable[tuple[str, str, str]],
            errors: Mapping[str, list[str]], capped: Iterable[str] = (),
            complete: Iterable[str] = ()) -> list[SourceResult]:
    """SourceResults from the stats of a finished crawl; `sources` are (name, kind, target)."""
    capped, complete = set(capped), set(complete)
    counter_names = ({f.name for f in fields(SourceResult)} & set(COUNTERS)) - {"fetched"}
    out = []
    for name, kind, target in sources:
        values = {c: int(stats.get(stat_key(name, c), 0)) for c in counter_names}
        values["fetched"] = sum(values[k] for k in PAGE_KINDS)
        out.append(SourceResult(name, kind, target, **values, errors=list(errors.get(name, [])),
                                capped=name in capped, complete=name in complete))
    return out
