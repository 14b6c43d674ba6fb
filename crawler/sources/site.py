"""A site crawl: `url=URL` starts at a page and follows links on the same site, up to the
depth. Each page that is a work (an article, a project page, a repository item) becomes a
record through extractors.dispatch; the crawl spider follows links only from pages that are
no work (listings, navigation) or from works that are relevant.
"""

from __future__ import annotations

from collections.abc import Mapping

from crawler.focus import judge
from crawler.sources.base import Fetch, Page, Source
from crawler.sources.links import page_links, same_site
from extractors.dispatch import extract
from extractors.errors import UnusableInput


class SiteSource(Source):
    kind = "url"

    def start(self) -> list[Fetch]:
        return [Fetch(self.spec.url or "", "page")]

    def parse(self, step: str, url: str, headers: Mapping[str, str], body: bytes) -> Page:
        return parse_page(url, headers, body, self.spec.url or url)


def parse_page(url: str, headers: Mapping[str, str], body: bytes, site: str,
               with_links: bool = True, threshold: float | None = None) -> Page:
    """The work on a page (if any), judged against `threshold` when one is given (here, in
    the extraction worker, rather than on the crawl's reactor), and its same-site links (not
    looked for when the crawl would not follow them: a page at the depth limit)."""
    try:
        extraction = extract(url, headers, body)
    except UnusableInput:
        return Page()  # a PDF or image: nothing to read, nothing to follow
    records = [extraction.record] if extraction.record is not None else []
    if threshold is not None:
        for record in records:
            record.relevance = judge(record, threshold)
    links = [Fetch(link, "page") for link in page_links(url, headers, body)
             if same_site(link, site) and link != url] if with_links else []
    return Page(records=records, links=links)
