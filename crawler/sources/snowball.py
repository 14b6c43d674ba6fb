"""Snowballing from relevant records: the works a record cites (backward) and the works that
cite it (forward), through OpenAlex or Semantic Scholar.

OpenAlex: `/works?filter=cited_by:W..` (its references) and `/works?filter=cites:W..` (its
citations), cursor-paged; a record known only by DOI is looked up first (`/works/doi:..`).
Semantic Scholar: `/paper/<id>/references` and `/paper/<id>/citations`, offset-paged, where
<id> is the S2 paper id or DOI:<doi>. The crawl spider decides which records are seeds (the
relevant ones) and how many steps out to go.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from crawler.crawlconfig import SourceSpec
from crawler.sources.base import Context, Fetch, Page, Source, with_params
from crawler.sources.openalex import API as OPENALEX_WORKS
from crawler.sources.openalex import OpenAlexSource
from crawler.sources.s2 import FIELDS as S2_FIELDS
from crawler.sources.s2 import SemanticScholarSource
from extractors.dispatch import extract_records
from extractors.errors import UnusableInput
from extractors.record import Record

S2_PAPER = "https://api.semanticscholar.org/graph/v1/paper/"
S2_LIMIT = 100
# step -> (OpenAlex filter, Semantic Scholar path): backward and forward.
DIRECTIONS = {"cited": ("cited_by", "references"), "citing": ("cites", "citations")}


class SnowballSource(Source):
    kind = "snowball"

    def __init__(self, via: str, context: Context) -> None:
        super().__init__(SourceSpec(kind="snowball", name="snowball", query=via), context)
        self.via = via
        # Reused for their paging, headers and polite parameters.
        self.openalex = OpenAlexSource(self.spec, context)
        self.s2 = SemanticScholarSource(self.spec, context)

    def start(self) -> list[Fetch]:
        return []  # seeds come from the spider, record by record

    def seed(self, record: Record) -> list[Fetch]:
        """The first requests for one seed record; [] when the service cannot name it."""
        if self.via == "s2":
            paper = record.identifiers.get("s2") or (f"DOI:{record.doi}" if record.doi else None)
            return [self._s2(paper, step) for step in DIRECTIONS] if paper else []
        work = record.identifiers.get("openalex")
        if work:
            return [self._openalex(work, step) for step in DIRECTIONS]
        if record.doi:
            url = with_params(f"{OPENALEX_WORKS}/doi:{quote(record.doi, safe='/')}", select="id",
                              mailto=self.context.mailto,
                              api_key=self.context.api_keys.get("openalex"))
            return [Fetch(url, "resolve")]
        return []

    def parse(self, step: str, url: str, headers: Mapping[str, str], body: bytes) -> Page:
        try:
            data = json.loads(body)
        except ValueError as exc:
            return Page(error=f"snowball: unreadable response from {url}: {exc}"[:300])
        if step == "resolve":
            work = str(data.get("id") or "").rsplit("/", 1)[-1] if isinstance(data, dict) else ""
            if not work.startswith("W"):
                return Page(error=f"snowball: OpenAlex knows no work at {url}")
            return Page(more=[self._openalex(work, s) for s in DIRECTIONS])
        try:
            records = extract_records(url, headers, body)
        except UnusableInput as exc:
            return Page(error=f"snowball: {exc}"[:300])
        if not isinstance(data, dict):
            return Page(records)
        following = self._next_s2(data, url) if self.via == "s2" else self.openalex.next_url(data, url)
        return Page(records, more=[Fetch(following, step, self._headers())] if following else [])

    # -- per service ---------------------------------------------------------------------------

    def _openalex(self, work: str, step: str) -> Fetch:
        params = {**self.openalex.common(), "filter": f"{DIRECTIONS[step][0]}:{work}"}
        return Fetch(with_params(OPENALEX_WORKS, **params), step)

    def _s2(self, paper: str, step: str) -> Fetch:
        url = with_params(f"{S2_PAPER}{quote(paper, safe=':')}/{DIRECTIONS[step][1]}",
                          fields=S2_FIELDS, limit=S2_LIMIT, offset=0)
        return Fetch(url, step, self._headers())

    def _next_s2(self, data: dict[str, Any], url: str) -> str | None:
        following = data.get("next")
        return with_params(url, offset=following) if isinstance(following, int) and data.get(
            "data") else None

    def _headers(self) -> tuple[tuple[str, str], ...]:
        return self.s2.headers() if self.via == "s2" else ()
