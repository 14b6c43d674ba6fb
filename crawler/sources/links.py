"""Links on an HTML page, as absolute http(s) URLs a crawl may follow.

Scrapy's LinkExtractor needs a Scrapy Response; sources parse bytes, so this reads the page
with extractors.html (lxml) and keeps Scrapy's list of file extensions that are not pages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from os.path import splitext
from urllib.parse import urldefrag, urlsplit

from scrapy.linkextractors import IGNORED_EXTENSIONS

from extractors.encoding import decode_body
from extractors.errors import UnusableInput
from extractors.html import absolute, base_url, parse_html

MAX_LINKS = 2000  # per page: a link farm does not flood the queue
NOT_PAGES = frozenset(f".{ext}" for ext in IGNORED_EXTENSIONS)
# Paths no crawl of the literature needs: sessions, carts, feeds, print views.
SKIP_PATHS = ("/login", "/logout", "/signin", "/sign-in", "/register", "/cart", "/print/",
              "/share", "/cdn-cgi/")


def page_links(url: str, headers: Mapping[str, str], body: bytes,
               xpaths: Sequence[str] = ("//a/@href",)) -> list[str]:
    """Absolute, de-fragmented, de-duplicated links the XPaths select (in page order)."""
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    try:
        text, _ = decode_body(body, content_type)
    except UnusableInput:
        return []
    tree = parse_html(text)
    if tree is None:
        return []
    base = base_url(tree, url)
    out: dict[str, None] = {}
    for xpath in xpaths:
        for href in tree.xpath(xpath):
            link = absolute(str(href), base)
            if link and (link := urldefrag(link)[0]) and followable(link):
                out.setdefault(link)
            if len(out) >= MAX_LINKS:
                return list(out)
    return list(out)


def followable(url: str) -> bool:
    parts = urlsplit(url)
    path = parts.path.lower()
    return (parts.scheme in ("http", "https") and bool(parts.hostname)
            and splitext(path)[1] not in NOT_PAGES and not any(p in path for p in SKIP_PATHS))


def same_site(url: str, other: str) -> bool:
    """Same host, `www.` aside."""
    def host(u: str) -> str:
        return (urlsplit(u).hostname or "").removeprefix("www.")
    return host(url) == host(other)
