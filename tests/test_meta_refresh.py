"""Meta refreshes (crawler.redirects.ByteScanMetaRefreshMiddleware): followed as Scrapy follows
them, but a page whose bytes rule one out is handed on without being decoded."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.http import HtmlResponse, Request, TextResponse
from scrapy.utils.test import get_crawler

from crawler.redirects import ByteScanMetaRefreshMiddleware
from crawler.sandbox import SandboxWeb, Site
from tests.cli_runner import run_coprod

URL = "https://journal.example.org/article/1"
REFRESH = '<meta http-equiv="Refresh" content="0; url=/article/2">'


def page(before: str = "", head: str = "", charset: str = "utf-8") -> bytes:
    """A publisher page (a moved article's stub, say) with `before` ahead of its head."""
    return (f"<!doctype html><html>{before}<head><title>Article</title>{head}</head>"
            "<body><p>Co-production of public services.</p></body></html>").encode(charset)


def respond(body: bytes, content_type: str = "text/html") -> HtmlResponse:
    return HtmlResponse(URL, body=body, headers={"Content-Type": content_type})


@pytest.fixture
def middlewares():
    crawler = get_crawler()
    return (ByteScanMetaRefreshMiddleware.from_crawler(crawler),
            MetaRefreshMiddleware.from_crawler(crawler))


def test_a_meta_refresh_is_followed_like_scrapy_does(middlewares):
    ours, scrapys = middlewares
    for body in (page(head=REFRESH),
                 page(before="<!--" + "é" * 3900 + "-->", head=REFRESH),  # 2 bytes a character
                 page(before="<!--" + "日" * 3900 + "-->", head=REFRESH),  # 3 bytes a character
                 page(before="<!--" + "𝔄" * 3900 + "-->", head=REFRESH),  # 4 bytes a character
                 page(head=REFRESH, charset="utf-16")):  # the NUL bytes: decoded as Scrapy does
        followed = ours.process_response(Request(URL), respond(body))
        assert isinstance(followed, Request)
        assert followed.url == "https://journal.example.org/article/2"
        assert followed.url == scrapys.process_response(Request(URL), respond(body)).url


def test_a_refresh_past_the_characters_scrapy_reads_is_not_followed(middlewares):
    ours, scrapys = middlewares
    for padding in ("a" * 5000, "a" * 20_000):  # "refresh" within 4 x 4096 bytes, and past them
        body = page(before=f"<!-- {padding} -->", head=REFRESH)
        response = respond(body)
        assert ours.process_response(Request(URL), response) is response
        assert not isinstance(scrapys.process_response(Request(URL), respond(body)), Request)


def test_a_page_without_refresh_is_handed_on_undecoded(middlewares):
    ours, scrapys = middlewares
    for body, content_type in [
        (page(), "text/html"),
        (page(head='<meta name="citation_title" content="Samskabelse i ældreplejen">'), "text/html"),
        (page(charset="cp1252").replace(b"Co-", "Æ".encode("cp1252")), "text/html"),  # no label
        (page(head='<meta charset="shift_jis">', charset="shift_jis"), "text/html"),
    ]:
        response = respond(body, content_type)
        assert ours.process_response(Request(URL), response) is response
        assert response._cached_ubody is None  # response.text never computed
        decoded = respond(body, content_type)
        assert scrapys.process_response(Request(URL), decoded) is decoded
        assert decoded._cached_ubody is not None  # where Scrapy's own decodes it


def test_a_page_labelled_utf16_goes_to_scrapy(middlewares):
    ours, _ = middlewares
    response = respond(page(), "text/html; charset=utf-16")  # the label, not the bytes, decides
    assert ours.process_response(Request(URL), response) is response
    assert response._cached_ubody is not None


def test_only_html_is_looked_at(middlewares):
    ours, _ = middlewares
    response = TextResponse(URL, body=REFRESH.encode(), headers={"Content-Type": "text/plain"})
    assert ours.process_response(Request(URL), response) is response


def test_settings_put_it_in_place_of_scrapys():
    from crawler.settings import DOWNLOADER_MIDDLEWARES

    assert DOWNLOADER_MIDDLEWARES["scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware"] is None
    assert DOWNLOADER_MIDDLEWARES["crawler.redirects.ByteScanMetaRefreshMiddleware"] == 580


def test_a_crawl_follows_a_meta_refresh_and_not_one_scrapy_would_not_read(tmp_path: Path):
    site_url = "https://www.coproduction-institute.example/research/"
    html = "text/html; charset=utf-8"
    site = Site()
    site.add(site_url, content_type=html, body=(
        "<html><head><title>Browse research</title></head><body><h1>Browse research</h1>"
        '<a href="/research/moved">Moved</a><a href="/research/late">Late</a></body></html>'))
    site.add(site_url + "moved", content_type=html, body=(
        '<html><head><meta http-equiv="refresh" content="0; url=/research/co-production">'
        "</head><body>This page has moved.</body></html>"))
    site.add(site_url + "co-production", content_type=html, body=(
        "<html><head><title>Co-production in elder care</title></head><body><h1>Co-production "
        "in elder care</h1><p>Care staff and citizens co-produce support.</p></body></html>"))
    site.add(site_url + "late", content_type=html, body=(
        f"<html><head><title>Late</title></head><body><p>{'Text. ' * 1000}</p>"
        '<meta http-equiv="refresh" content="0; url=/research/never"></body></html>'))
    with SandboxWeb(site) as web:
        done = run_coprod("crawl", "--source", f"url={site_url}", "--depth", "1",
                          "-s", "RETRY_BACKOFF_BASE=0.05", data_dir=tmp_path,
                          resolve=web.resolve_rules)
        fetched = sorted(h.path for h in web.hits if h.path != "/robots.txt")
    assert done.returncode == 0, done.stderr
    assert fetched == ["/research/", "/research/co-production", "/research/late",
                       "/research/moved"]
