"""Crawl sources, one small class each: the first request(s), and a parser from a response to
works and next pages (crawler.sources.base). `make_source` picks the class for a SourceSpec."""

from __future__ import annotations

from crawler.crawlconfig import SourceSpec
from crawler.sources.base import Context, Fetch, Page, Source
from crawler.sources.crossref import CrossrefSource
from crawler.sources.doaj import DoajSource
from crawler.sources.europepmc import EuropePmcSource
from crawler.sources.oai import OaiSource
from crawler.sources.openalex import OpenAlexSource
from crawler.sources.pure import PureSource
from crawler.sources.s2 import SemanticScholarSource
from crawler.sources.site import SiteSource
from crawler.sources.snowball import SnowballSource

SOURCES: dict[str, type[Source]] = {cls.kind: cls for cls in (
    CrossrefSource, OpenAlexSource, SemanticScholarSource, EuropePmcSource, DoajSource,
    OaiSource, PureSource, SiteSource,
)}


def make_source(spec: SourceSpec, context: Context) -> Source:
    return SOURCES[spec.kind](spec, context)


__all__ = ["SOURCES", "Context", "Fetch", "Page", "Source", "SnowballSource", "make_source"]
