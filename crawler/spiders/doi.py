"""One-off DOI fetch: doi.org redirect chain -> landing page (+ its citation export) -> Crossref,
else DataCite -> one merged Record per DOI, every exchange archived.

    scrapy crawl doi -a doi=10.1108/IJSSP-01-2022-0027
    scrapy crawl doi -a dois=10.1/a,10.2/b -a mailto=you@example.org
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import scrapy
from scrapy.http import Request, Response
from twisted.python.failure import Failure

from crawler.archiving import WARC_META_KEY
from crawler.landing import (
    DOI_RESOLVER,
    LandingJob,
    LandingPages,
    doi_path,
    extract_response,
    failure_text,
    from_page,
    note_captures,
    stamp_capture,
)
from extractors.doi import normalise_doi
from extractors.merge import merge_records

logger = logging.getLogger(__name__)

CROSSREF_WORKS = "https://api.crossref.org/works/"
DATACITE_DOIS = "https://api.datacite.org/dois/"
__all__ = ["CROSSREF_WORKS", "DATACITE_DOIS", "DOI_RESOLVER", "DoiJob", "DoiSpider", "doi_path"]


@dataclass
class DoiJob(LandingJob):
    """Evidence gathered for one DOI as its requests come back."""

    index: int = 0
    api: Any = None  # WrittenRecord of the API response
    open_branches: int = 2  # the landing page chain and the registration agency chain run side by side


class DoiSpider(LandingPages, scrapy.Spider):
    name = "doi"

    def __init__(self, doi: str | None = None, dois: Any = None, mailto: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        raw = [doi] if doi else []
        raw += dois.split(",") if isinstance(dois, str) else list(dois or [])
        self.dois = [normalise_doi(d) for d in raw]
        self.mailto = mailto
        self.failures: list[tuple[str, str]] = []

    async def start(self) -> Any:
        for index, doi in enumerate(self.dois):
            job = DoiJob(doi, index=index)
            yield self.landing_request(job)
            yield self._crossref_request(job)

    def landing_done(self, job: DoiJob, meta: dict[str, Any]) -> Iterator[dict[str, Any]]:
        yield from self._branch_done(job)

    # -- registration agency APIs -------------------------------------------------------------
    def _crossref_request(self, job: DoiJob) -> Request:
        query = f"?{urlencode({'mailto': self.mailto})}" if self.mailto else ""
        return Request(CROSSREF_WORKS + doi_path(job.doi) + query, callback=self.parse_api,
                       errback=self.crossref_failed, meta={"job": job}, dont_filter=True)

    def crossref_failed(self, failure: Failure) -> Iterator[Any]:
        job: DoiJob = failure.request.meta["job"]
        job.notes.append(f"crossref: {failure_text(failure)}")
        yield self._datacite_request(job)

    def _datacite_request(self, job: DoiJob) -> Request:
        return Request(DATACITE_DOIS + doi_path(job.doi), callback=self.parse_api,
                       errback=self.datacite_failed, meta={"job": job}, dont_filter=True)

    def datacite_failed(self, failure: Failure) -> Iterator[Any]:
        job: DoiJob = failure.request.meta["job"]
        job.notes.append(f"datacite: {failure_text(failure)}")
        yield from self._branch_done(job)

    def parse_api(self, response: Response) -> Iterator[Any]:
        job: DoiJob = response.meta["job"]
        note_captures(job.captures, response.meta)
        extraction = extract_response(response, job.notes, "api")
        if extraction is not None and extraction.record is not None:
            job.api = response.meta.get(WARC_META_KEY)
            job.records.append(extraction.record)
        elif response.url.startswith(CROSSREF_WORKS):
            job.notes.append("crossref: no work in response")
            yield self._datacite_request(job)
            return
        yield from self._branch_done(job)

    # -- helpers -----------------------------------------------------------------------------
    def _branch_done(self, job: DoiJob) -> Iterator[dict[str, Any]]:
        job.open_branches -= 1
        if job.open_branches > 0:
            return
        if job.unknown:
            self._fail(job, "DOI not found at doi.org (404)")
            return
        yield from self._finish(job)

    def _finish(self, job: DoiJob) -> Iterator[dict[str, Any]]:
        if not job.records:
            self._fail(job, "no record: " + ("; ".join(job.notes) or "nothing extracted"))
            return
        record = merge_records(job.records)
        if not record.doi:
            record.doi = job.doi
            record.provenance.fields["doi"] = "input:doi"
        source = job.landing if any(from_page(r) for r in job.records) else job.api
        if not any(from_page(r) for r in job.records):
            job.notes.append("record from registration agency API only")
        prov = stamp_capture(record, source or job.landing or job.api, job.captures).provenance
        prov.notes = sorted(set(prov.notes) | set(job.notes))
        record.source_url = record.source_url or DOI_RESOLVER + job.doi
        item = record.to_dict()
        item["_index"] = job.index
        yield item

    def _fail(self, job: DoiJob, reason: str) -> None:
        self.failures.append((job.doi, reason))
        self.crawler.stats.inc_value("coprod/failed")
        logger.warning("%s: %s", job.doi, reason)
