"""One-off DOI fetch: doi.org redirect chain -> landing page (+ its citation export) -> Crossref,
else DataCite -> one merged Record per DOI, every exchange archived.

    scrapy crawl doi -a doi=10.1108/IJSSP-01-2022-0027
    scrapy crawl doi -a dois=10.1/a,10.2/b -a mailto=you@example.org
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import scrapy
from scrapy.http import Request, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.archiving import CAPTURES_META_KEY, WARC_META_KEY
from extractors import EXTRACTOR_VERSION
from extractors.dispatch import extract
from extractors.doi import normalise_doi
from extractors.errors import UnusableInput
from extractors.merge import merge_records
from extractors.record import Record

logger = logging.getLogger(__name__)

DOI_RESOLVER = "https://doi.org/"
CROSSREF_WORKS = "https://api.crossref.org/works/"
DATACITE_DOIS = "https://api.datacite.org/dois/"
_DOI_PATH_SAFE = "/:;()[]@!$&'*+,="  # kept literal in the path, as doi.org and the APIs expect


def doi_path(doi: str) -> str:
    """The DOI as a URL path; `.`/`..` segments escaped so no client or server resolves them away."""
    segments = quote(doi, safe=_DOI_PATH_SAFE).split("/")
    return "/".join(s.replace(".", "%2E") if s in (".", "..") else s for s in segments)


@dataclass
class DoiJob:
    """Evidence gathered for one DOI as its requests come back."""

    index: int
    doi: str
    records: list[Record] = field(default_factory=list)
    landing: Any = None  # WrittenRecord of the landing page response
    api: Any = None  # WrittenRecord of the API response
    captures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    open_branches: int = 2  # the landing page chain and the registration agency chain run side by side
    unknown: bool = False  # doi.org answered 404


class DoiSpider(scrapy.Spider):
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
            job = DoiJob(index, doi)
            yield Request(
                DOI_RESOLVER + doi_path(doi), callback=self.parse_landing,
                errback=self.landing_failed, meta={"job": job}, dont_filter=True,
            )
            yield self._crossref_request(job)

    # -- landing page -------------------------------------------------------------------------
    def parse_landing(self, response: Response) -> Iterator[Any]:
        job: DoiJob = response.meta["job"]
        self._note_captures(job, response.meta)
        job.landing = response.meta.get(WARC_META_KEY)
        extraction = self._extract(job, response, "landing page")
        if extraction is not None and extraction.record is not None:
            job.records.append(extraction.record)
            for link in extraction.export_links[:1]:
                yield Request(link, callback=self.parse_export, errback=self.export_failed,
                              meta={"job": job}, dont_filter=True)
                return
        elif extraction is not None:
            job.notes.append(f"landing page: {extraction.reason}")
        yield from self._branch_done(job)

    def landing_failed(self, failure: Failure) -> Iterator[Any]:
        job: DoiJob = failure.request.meta["job"]
        response = failure.value.response if failure.check(HttpError) else None
        if response is not None:
            self._note_captures(job, response.meta)
            if urlsplit(response.url).hostname == urlsplit(DOI_RESOLVER).hostname:
                job.unknown = response.status == 404
            job.notes.append(f"landing page: HTTP {response.status} at {response.url}")
        else:
            job.notes.append(f"landing page: {_failure_text(failure)}")
        yield from self._branch_done(job)

    # -- the publisher's own citation export -------------------------------------------------
    def parse_export(self, response: Response) -> Iterator[Any]:
        job: DoiJob = response.meta["job"]
        self._note_captures(job, response.meta)
        extraction = self._extract(job, response, "citation export")
        if extraction is not None and extraction.record is not None:
            job.records.append(extraction.record)
        yield from self._branch_done(job)

    def export_failed(self, failure: Failure) -> Iterator[Any]:
        job: DoiJob = failure.request.meta["job"]
        job.notes.append(f"citation export: {_failure_text(failure)}")
        yield from self._branch_done(job)

    # -- registration agency APIs -------------------------------------------------------------
    def _crossref_request(self, job: DoiJob) -> Request:
        query = f"?{urlencode({'mailto': self.mailto})}" if self.mailto else ""
        return Request(CROSSREF_WORKS + doi_path(job.doi) + query, callback=self.parse_api,
                       errback=self.crossref_failed, meta={"job": job}, dont_filter=True)

    def crossref_failed(self, failure: Failure) -> Iterator[Any]:
        job: DoiJob = failure.request.meta["job"]
        job.notes.append(f"crossref: {_failure_text(failure)}")
        yield self._datacite_request(job)

    def _datacite_request(self, job: DoiJob) -> Request:
        return Request(DATACITE_DOIS + doi_path(job.doi), callback=self.parse_api,
                       errback=self.datacite_failed, meta={"job": job}, dont_filter=True)

    def datacite_failed(self, failure: Failure) -> Iterator[Any]:
        job: DoiJob = failure.request.meta["job"]
        job.notes.append(f"datacite: {_failure_text(failure)}")
        yield from self._branch_done(job)

    def parse_api(self, response: Response) -> Iterator[Any]:
        job: DoiJob = response.meta["job"]
        self._note_captures(job, response.meta)
        extraction = self._extract(job, response, "api")
        if extraction is not None and extraction.record is not None:
            job.api = response.meta.get(WARC_META_KEY)
            job.records.append(extraction.record)
        elif response.url.startswith(CROSSREF_WORKS):
            job.notes.append("crossref: no work in response")
            yield self._datacite_request(job)
            return
        yield from self._branch_done(job)

    # -- helpers -----------------------------------------------------------------------------
    def _extract(self, job: DoiJob, response: Response, what: str) -> Any:
        headers = {k.decode("latin-1"): v[0].decode("latin-1")
                   for k, v in response.headers.items() if v}
        try:
            return extract(response.url, headers, response.body)
        except UnusableInput as exc:
            job.notes.append(f"{what}: unusable ({exc})")
            return None

    def _note_captures(self, job: DoiJob, meta: dict[str, Any]) -> None:
        for record_id in meta.get(CAPTURES_META_KEY, []):
            if record_id not in job.captures:
                job.captures.append(record_id)

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
        source = job.landing if any(_from_page(r) for r in job.records) else job.api
        source = source or job.landing or job.api
        prov = record.provenance
        if source is not None:
            prov.warc_file, prov.warc_record_id = source.warc_file, source.record_id
            prov.offset, prov.fetched_at = source.offset, source.date
        if not any(_from_page(r) for r in job.records):
            job.notes.append("record from registration agency API only")
        prov.extractor_version = EXTRACTOR_VERSION
        prov.captures = sorted(set(prov.captures) | set(job.captures))
        prov.notes = sorted(set(prov.notes) | set(job.notes))
        record.source_url = record.source_url or DOI_RESOLVER + job.doi
        item = record.to_dict()
        item["_index"] = job.index
        yield item

    def _fail(self, job: DoiJob, reason: str) -> None:
        self.failures.append((job.doi, reason))
        self.crawler.stats.inc_value("coprod/failed")
        logger.warning("%s: %s", job.doi, reason)


def _from_page(record: Record) -> bool:
    return not all(src.startswith("api:") for src in record.provenance.fields.values())


def _failure_text(failure: Failure) -> str:
    if failure.check(HttpError):
        return f"HTTP {failure.value.response.status}"
    return f"{failure.type.__name__}: {failure.getErrorMessage()}"[:200]
