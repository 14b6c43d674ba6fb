"""A work's landing page through doi.org, and the publisher's own citation export beside it:
the part of a DOI fetch that the DOI spider and the crawl spider share.

`LandingPages` is a spider mixin. `landing_request(job)` starts the chain; the page's record
and, where the page links one, the RIS/BibTeX export's record are added to `job.records`;
what went wrong goes to `job.notes`; then the spider's `landing_done(job)` says what to yield.
Requests carry the job in meta (a plain dataclass, so a JOBDIR queue can pickle it).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

from scrapy.http import Request, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.archiving import CAPTURES_META_KEY, WARC_META_KEY
from crawler.render import NOTES_META_KEY
from extractors import EXTRACTOR_VERSION
from extractors.dispatch import extract, extract_records
from extractors.errors import UnusableInput
from extractors.record import Extraction, Record

DOI_RESOLVER = "https://doi.org/"
_DOI_PATH_SAFE = "/:;()[]@!$&'*+,="  # kept literal in the path, as doi.org and the APIs expect


def doi_path(doi: str) -> str:
    """The DOI as a URL path; `.`/`..` segments escaped so no client or server resolves them away."""
    segments = quote(doi, safe=_DOI_PATH_SAFE).split("/")
    return "/".join(s.replace(".", "%2E") if s in (".", "..") else s for s in segments)


@dataclass
class LandingJob:
    """Evidence about one work gathered along its landing page chain."""

    doi: str | None  # None: `url` is the landing page itself (a repository item page)
    url: str | None = None
    title: str | None = None  # the work's title as the source gave it, to check the page by
    records: list[Record] = field(default_factory=list)
    landing: Any = None  # WrittenRecord of the landing page response
    captures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unknown: bool = False  # doi.org answered 404


class LandingPages:
    """Spider mixin: doi.org redirect chain -> landing page -> its citation export."""

    carry_meta: tuple[str, ...] = ()  # the spider's own meta keys, passed along the chain

    def landing_request(self, job: LandingJob, meta: dict[str, Any] | None = None) -> Request:
        """The chain's first request. Never filtered as a duplicate: a dropped request would
        leave its job unfinished, so callers de-duplicate DOIs themselves."""
        url = DOI_RESOLVER + doi_path(job.doi) if job.doi else job.url
        return Request(url, callback=self.parse_landing, errback=self.landing_failed,
                       meta={**(meta or {}), "job": job}, dont_filter=True)

    def landing_done(self, job: LandingJob, meta: dict[str, Any]) -> Iterator[Any]:
        raise NotImplementedError  # the spider says what a finished landing chain yields

    def parse_landing(self, response: Response) -> Iterator[Any]:
        job: LandingJob = response.meta["job"]
        note_captures(job.captures, response.meta)
        # "rendered DOM (Chromium ...)" when the page was rendered (crawler.render)
        job.notes += [n for n in response.meta.get(NOTES_META_KEY, []) if n not in job.notes]
        job.landing = response.meta.get(WARC_META_KEY)
        extraction = extract_response(response, job.notes, "landing page")
        if extraction is not None and extraction.record is not None:
            job.records.append(extraction.record)
            for link in extraction.export_links[:1]:
                carried = {k: response.meta[k] for k in self.carry_meta if k in response.meta}
                yield Request(link, callback=self.parse_export, errback=self.export_failed,
                              meta={**carried, "job": job}, dont_filter=True)
                return
        elif extraction is not None:
            job.notes.append(f"landing page: {extraction.reason}")
        yield from self.landing_done(job, response.meta)

    def landing_failed(self, failure: Failure) -> Iterator[Any]:
        job: LandingJob = failure.request.meta["job"]
        response = failure.value.response if failure.check(HttpError) else None
        if response is not None:
            note_captures(job.captures, response.meta)
            if urlsplit(response.url).hostname == urlsplit(DOI_RESOLVER).hostname:
                job.unknown = response.status == 404
            job.notes.append(f"landing page: HTTP {response.status} at {response.url}")
        else:
            job.notes.append(f"landing page: {failure_text(failure)}")
        yield from self.landing_done(job, failure.request.meta)

    def parse_export(self, response: Response) -> Iterator[Any]:
        job: LandingJob = response.meta["job"]
        note_captures(job.captures, response.meta)
        extraction = extract_response(response, job.notes, "citation export")
        if extraction is not None and extraction.record is not None:
            job.records.append(extraction.record)
        yield from self.landing_done(job, response.meta)

    def export_failed(self, failure: Failure) -> Iterator[Any]:
        job: LandingJob = failure.request.meta["job"]
        job.notes.append(f"citation export: {failure_text(failure)}")
        yield from self.landing_done(job, failure.request.meta)


# -- helpers both spiders use -------------------------------------------------------------------


def response_headers(response: Response) -> dict[str, str]:
    return {k.decode("latin-1"): v[0].decode("latin-1") for k, v in response.headers.items() if v}


def extract_response(response: Response, notes: list[str], what: str) -> Extraction | None:
    """dispatch.extract on a response; None (and a note) when the body is unusable."""
    try:
        return extract(response.url, response_headers(response), response.body)
    except UnusableInput as exc:
        notes.append(f"{what}: unusable ({exc})")
        return None


def response_records(response: Response) -> list[Record]:
    """Every work in a response (API result lists give many); UnusableInput propagates."""
    return extract_records(response.url, response_headers(response), response.body)


def note_captures(captures: list[str], meta: dict[str, Any]) -> None:
    """Add the response record ids a request's chain was archived as (redirect hops too)."""
    for record_id in meta.get(CAPTURES_META_KEY, []):
        if record_id not in captures:
            captures.append(record_id)


def stamp_capture(record: Record, written: Any, captures: list[str] = ()) -> Record:
    """Point a record's provenance at the response it was read from (a WrittenRecord)."""
    prov = record.provenance
    if written is not None:
        prov.warc_file, prov.warc_record_id = written.warc_file, written.record_id
        prov.offset, prov.fetched_at = written.offset, written.date
    prov.extractor_version = prov.extractor_version or EXTRACTOR_VERSION
    prov.captures = sorted(set(prov.captures) | set(captures))
    return record


def from_page(record: Record) -> bool:
    """True when some field came from a page (not only from an API)."""
    return not all(src.startswith("api:") for src in record.provenance.fields.values())


def failure_text(failure: Failure) -> str:
    if failure.check(HttpError):
        return f"HTTP {failure.value.response.status}"
    return f"{failure.type.__name__}: {failure.getErrorMessage()}"[:200]
