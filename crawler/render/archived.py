"""A page rendered once, answered from the archive (`--from-archive`, `--resume`).

A request marked for rendering (`meta["playwright"]`) whose page has a DOM in the archive
gets that DOM, exactly as archived, with the page's status and headers as the browser
gave them, and is tagged as the live render tagged it (BrowserTapMiddleware): the page's
response record from the browser, the DOM and screenshot among the captures, the
"rendered DOM" note. So a re-run makes the rendered record again without a browser.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from scrapy.http import Headers, HtmlResponse, Request

from archive.catalog import Catalog
from archive.replay_rendered import Opener, RenderedPage, latest_dom, read_rendered
from crawler.archiving import location, tag_request
from crawler.render import NOTES_META_KEY
from crawler.render.records import render_notes


def wants_render(request: Request) -> bool:
    return bool(request.meta.get("playwright"))


def archived_render(catalog: Catalog, opener: Opener, request: Request, *, flag: str,
                    since: datetime | None = None) -> HtmlResponse | None:
    """The archived render of the page `request` asks for (captured at `since` or later),
    or None when there is none. OSError or ValueError when it cannot be read."""
    dom = latest_dom(catalog, request.url, since)
    if dom is None:
        return None
    return rendered_response(request, read_rendered(catalog, opener, dom), flag=flag)


def rendered_response(request: Request, page: RenderedPage, *, flag: str) -> HtmlResponse:
    """`page` as the spider got it when it was rendered, with `request` tagged likewise."""
    meta: dict[str, Any] = request.meta
    tag_request(request, location(page.document) if page.document is not None else None,
                *page.capture_ids)
    log = page.log
    meta.setdefault(NOTES_META_KEY, []).extend(render_notes(
        log.get("browser") or "Chromium", log.get("reason") or "", page.url, page.dom.record_id,
        log.get("notes") or []))
    headers = Headers()
    for name, value in page.headers:
        headers.appendlist(name, value)
    return HtmlResponse(url=page.url, status=page.status, headers=headers, body=page.body,
                        encoding="utf-8", request=request, flags=["rendered", flag])
