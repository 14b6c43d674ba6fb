"""Each host's politeness applies to its own pages, redirects included.

Scrapy remembers a request's download slot in `request.meta["download_slot"]`, and its
redirect middleware copies meta to the next hop: a publisher's page reached through
doi.org would be fetched in doi.org's slot, with doi.org's concurrency and delay, and
beside that publisher's other pages. This puts a hop that changed host in its own slot.
"""

from __future__ import annotations

from typing import Any

from scrapy.http import Request
from scrapy.utils.httpobj import urlparse_cached

SLOT_KEY = "download_slot"


def inherited_slot(request: Request) -> bool:
    """True when the slot in meta was set for an earlier hop's host, not this request's."""
    slot = request.meta.get(SLOT_KEY)
    earlier = request.meta.get("redirect_urls") or []
    if slot is None or not earlier:
        return False
    host = urlparse_cached(request).hostname or ""
    return slot != host and any(_host(url) == slot for url in earlier)


def _host(url: str) -> str:
    return urlparse_cached(Request(url)).hostname or ""


class HostSlotMiddleware:
    """Downloader middleware: drop a download slot inherited through a redirect to another host."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> HostSlotMiddleware:
        return cls()

    def process_request(self, request: Request) -> None:
        if inherited_slot(request):
            del request.meta[SLOT_KEY]
