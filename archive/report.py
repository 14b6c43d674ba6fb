"""What the corpus holds, counted from the catalog: records per year, source and language, and
a PRISMA-style flow (identified per source, duplicates removed, screened by relevance).

A record's sources are read from its evidence: the crawl stores each source's own record
under "evidence" when it merges a work (crawler.crawlpipelines); a record without one
counts its own field sources. Each API is a source by name (api:crossref -> crossref,
api:oai_dc -> oai-pmh); a work no API gave (every field from embedded metadata, citation
exports, platform adapters or page text) was found on the web -> "web pages".
Identifications are (record, source) pairs, so "duplicates removed" counts each work found
by more than one source once for every extra source.
Pure: reads the catalog, writes nothing (archive/report_html.py renders it).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from archive.catalog import Catalog
from extractors.relevance import RELEVANCE_THRESHOLD, is_relevant

EVIDENCE_KEY = "evidence"  # as crawler.crawlpipelines stores it (archive never imports crawler)
WEB_PAGES = "web pages"
UNKNOWN = "unknown"
# API layer details that name one source under another name.
SOURCE_NAMES = {"oai_dc": "oai-pmh", "oai_marc": "oai-pmh", "semanticscholar": "semantic scholar"}


@dataclass
class Flow:
    """PRISMA-style counts."""

    identified: dict[str, int]  # per source: works it identified
    duplicates: int  # identifications beyond the first of each work
    screened: int  # works (one per catalog record)
    excluded: int  # below the relevance threshold
    not_scored: int  # never scored (one-off DOI fetches): kept
    included: int  # relevant, or not scored

    @property
    def total_identified(self) -> int:
        return sum(self.identified.values())


@dataclass
class CorpusReport:
    threshold: float
    records: int
    by_year: dict[str, int]  # "2021", ..., "no year"
    by_source: dict[str, int]
    by_language: dict[str, int]
    by_type: dict[str, int]
    flow: Flow
    archive: dict[str, int]  # captures, responses, revisits, WARC files, ...
    harvests: list[tuple[str, str, str]] = field(default_factory=list)  # source, started, finished
    failures: dict[str, int] = field(default_factory=dict)  # failed fetches by kind


def source_of_field(layer_source: str) -> str:
    """The source a field's "<layer>:<detail>" names: the API, or "web pages"."""
    layer, _, detail = layer_source.partition(":")
    if layer == "api" and detail:
        return SOURCE_NAMES.get(detail, detail)
    if layer in ("input", ""):
        return UNKNOWN
    return WEB_PAGES


def record_sources(data: Mapping[str, Any]) -> list[str]:
    """The sources that identified this work, sorted: the APIs any of its evidence came from,
    else "web pages" (a site crawl or Pure portal found it). A landing page fetched for an
    API hit is retrieval, not another identification, so it does not count beside the API."""
    found = set()
    for piece in data.get(EVIDENCE_KEY) or [data]:
        fields = (piece.get("provenance") or {}).get("fields") or {}
        found.update(source_of_field(str(s)) for s in fields.values())
    apis = sorted(found - {WEB_PAGES, UNKNOWN})
    return apis or ([WEB_PAGES] if WEB_PAGES in found else [UNKNOWN])


def language_of(data: Mapping[str, Any]) -> str:
    language = str(data.get("language") or "").strip().lower()
    return language.split("-")[0] or "unknown"


def year_of(data: Mapping[str, Any]) -> str:
    published = str(data.get("published") or "")
    return published[:4] if published[:4].isdigit() else "no year"


def verdict(data: Mapping[str, Any], threshold: float) -> bool | None:
    """True relevant, False below the threshold, None never scored."""
    result = data.get("relevance")
    if not result:
        return None
    return is_relevant(result, threshold)


def build_report(records: Iterable[Mapping[str, Any]], threshold: float = RELEVANCE_THRESHOLD,
                 archive: Mapping[str, int] | None = None) -> CorpusReport:
    """Counts over stored records (their JSON as the catalog holds it)."""
    years, sources, languages, types, identified = Counter(), Counter(), Counter(), Counter(), Counter()
    verdicts: Counter[bool | None] = Counter()
    total = 0
    for data in records:
        total += 1
        years[year_of(data)] += 1
        languages[language_of(data)] += 1
        types[str(data.get("type") or "unknown")] += 1
        found = record_sources(data)
        sources.update(found)
        identified.update(found)
        verdicts[verdict(data, threshold)] += 1
    flow = Flow(
        identified=dict(sorted(identified.items(), key=lambda kv: (-kv[1], kv[0]))),
        duplicates=sum(identified.values()) - total, screened=total, excluded=verdicts[False],
        not_scored=verdicts[None], included=verdicts[True] + verdicts[None],
    )
    return CorpusReport(
        threshold=threshold, records=total,
        by_year=dict(sorted(years.items(), key=lambda kv: (kv[0] == "no year", kv[0]))),
        by_source=_by_count(sources), by_language=_by_count(languages), by_type=_by_count(types),
        flow=flow, archive=dict(archive or {}),
    )


def catalog_report(catalog: Catalog, threshold: float = RELEVANCE_THRESHOLD) -> CorpusReport:
    """The report over everything a catalog holds, with its archive counts, harvests and
    failures."""
    report = build_report(catalog.record_data(), threshold, catalog.counts())
    report.harvests = [(h.source, h.started_at, h.finished_at) for h in catalog.harvests()]
    report.failures = _by_count(Counter(failure.kind for failure in catalog.failures()))
    return report


def _by_count(counter: Counter[str]) -> dict[str, int]:
    return dict(sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))
