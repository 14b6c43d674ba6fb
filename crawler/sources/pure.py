"""Elsevier Pure research portals: the project and research-output listings, page by page,
and every item page they list (read by the Pure platform adapter in extractors).

    pure=https://research.example.dk/en/          (both listings)
    pure=https://research.example.dk/da/projects/ (that listing only, e.g. with ?search=...)

Pure portals use the same paths in every language (/en/projects/, /da/projects/); older
portals call research outputs "publications". Selectors are data, newest markup first.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urljoin, urlsplit

from crawler.sources.base import Fetch, Page, Source
from crawler.sources.links import page_links, same_site
from extractors.dispatch import extract
from extractors.errors import UnusableInput

LISTINGS = ("projects/", "publications/")
LISTING_PATH = re.compile(r"/(projects|publications|research-outputs|projekter|publikationer)/?$")
ITEM_PATH = re.compile(r"/(projects|publications|research-outputs|projekter|publikationer)/[^/?#]+")
ITEM_LINKS = (
    "//li[contains(@class, 'list-result-item')]//h3[contains(@class, 'title')]//a/@href",
    "//div[contains(@class, 'result-container')]//h3[contains(@class, 'title')]//a/@href",
    "//h3[contains(@class, 'title')]/a[@rel]/@href",
)
NEXT_LINKS = (
    "//a[contains(@class, 'nextLink')]/@href",
    "//nav[contains(@class, 'pages')]//li[contains(@class, 'next')]/a/@href",
    "//a[@rel='next']/@href",
)


class PureSource(Source):
    kind = "pure"

    def start(self) -> list[Fetch]:
        url = self.spec.url or ""
        if LISTING_PATH.search(urlsplit(url).path):
            return [Fetch(url, "listing")]
        root = url if url.endswith("/") else url + "/"
        return [Fetch(urljoin(root, listing), "listing") for listing in LISTINGS]

    def parse(self, step: str, url: str, headers: Mapping[str, str], body: bytes) -> Page:
        if step == "item":
            return _item(url, headers, body)
        items = [link for link in page_links(url, headers, body, ITEM_LINKS)
                 if same_site(link, url) and ITEM_PATH.search(urlsplit(link).path)]
        following = [link for link in page_links(url, headers, body, NEXT_LINKS)
                     if same_site(link, url)][:1]
        if not items and not following:
            return Page(error=f"Pure listing {url}: no items and no next page (not a Pure "
                              "listing, or markup this version does not know)")
        return Page(more=[Fetch(link, "item") for link in items]
                    + [Fetch(link, "listing") for link in following])


def _item(url: str, headers: Mapping[str, str], body: bytes) -> Page:
    try:
        extraction = extract(url, headers, body)
    except UnusableInput:  # a file, not a page: one item less, the listing goes on
        return Page()
    return Page(records=[extraction.record] if extraction.record is not None else [])
