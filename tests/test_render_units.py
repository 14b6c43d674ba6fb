"""Rendering without a browser: --resolve as Chromium rules, the request guard, the automatic
check on hand-written and real pages, the render decision, the rebuilt HTTP heads, the add-on."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.settings import Settings

from crawler.render.addon import HANDLER, RenderAddon
from crawler.render.browser import BROWSER_SERVICE_HOSTS, host_resolver_rules, request_guard
from crawler.render.config import BadRenderSetting, RenderConfig
from crawler.render.detect import needs_render
from crawler.render.middleware import BrowserTapMiddleware, RenderMiddleware, render_reason
from crawler.render.page import BrowserExchange
from crawler.render.records import request_bytes, response_head, truncation
from crawler.resolve import parse_rule, parse_rules

PAGES = Path(__file__).parent / "pages"
HTML = {"Content-Type": "text/html; charset=utf-8"}


# -- --resolve for Chromium -----------------------------------------------------------------


def test_chromium_rule_keeps_the_port_in_the_pattern():
    assert parse_rule("*:443=127.0.0.1:8443").chromium_rule == "MAP *:443 127.0.0.1:8443"
    assert parse_rule("*:80=127.0.0.1:8080").chromium_rule == "MAP *:80 127.0.0.1:8080"
    assert parse_rule("doi.org=10.0.0.5").chromium_rule == "MAP doi.org 10.0.0.5"
    assert parse_rule("*.example:443=[::1]:9443").chromium_rule == "MAP *.example:443 [::1]:9443"


def test_host_resolver_rules_order_and_catch_all():
    rules = parse_rules(["*:80=127.0.0.1:1080", "*:443=127.0.0.1:1443"])
    parts = host_resolver_rules(rules).split(", ")
    services = [f"MAP {host} ~NOTFOUND" for host in BROWSER_SERVICE_HOSTS]
    assert parts == [*services, "MAP *:80 127.0.0.1:1080", "MAP *:443 127.0.0.1:1443",
                     "MAP * ~NOTFOUND"]
    # without --resolve: only the browser's own services are stopped
    assert host_resolver_rules(()).split(", ") == services


def test_request_guard_without_resolve_keeps_the_browser_off_private_addresses():
    blocked = request_guard([])
    for url in ("http://127.0.0.1:8080/", "http://10.1.2.3/x", "http://[::1]/", "http://localhost/",
                "http://api.localhost/", "http://169.254.169.254/latest/meta-data/",
                "ftp://files.example/x", "file:///etc/passwd"):
        assert blocked(url), url
    for url in ("https://doi.org/10.1/x", "http://93.184.216.34/", "data:text/plain,hi",
                "blob:https://a.example/1"):
        assert not blocked(url), url


def test_request_guard_lets_mapped_hosts_through():
    blocked = request_guard(["*:443=127.0.0.1:1443", "10.9.8.7=127.0.0.1"])
    assert not blocked("https://anything.example/")
    assert not blocked("http://10.9.8.7/")
    assert blocked("http://10.9.8.6/")  # not mapped: a private address, never fetched
    assert blocked("http://127.0.0.1:9/")


# -- the automatic check ----------------------------------------------------------------------


def test_needs_render_on_app_shell_noscript_and_empty_pages():
    shell = (PAGES / "render_app_shell.html").read_bytes()
    assert needs_render("https://papers.example/paper/1", HTML, shell) == "app shell (react)"
    noscript = (b"<html><head><title>Portal</title><script src=/a.js></script></head><body>"
                b"<header>Research portal</header><div id=main></div>"
                b"<noscript>Please enable JavaScript in your browser to view this page."
                b"</noscript></body></html>")
    assert needs_render("https://pure.example/x", HTML, noscript) == "noscript notice"
    empty = b"<html><body><nav>Home Projects</nav><script>load()</script></body></html>"
    assert needs_render("https://a.example/", HTML, empty).startswith("no main text")


def test_needs_render_leaves_pages_with_their_own_content():
    text = "Co-production of welfare services with citizens. " * 20
    article = f"<html><body><div id=root><h1>T</h1><p>{text}</p></div><script>x()</script></body></html>"
    assert needs_render("https://a.example/", HTML, article.encode()) is None
    # no script: nothing a browser could add
    assert needs_render("https://a.example/", HTML, b"<html><body><div id=root></div></body></html>") is None
    # metadata that names the work: written for machines already
    meta = (b"<html><head><meta name=citation_title content='A study'></head>"
            b"<body><div id=root></div><script>x()</script></body></html>")
    assert needs_render("https://a.example/", HTML, meta) is None
    assert needs_render("https://a.example/", HTML, b"\x89PNG\r\n\x1a\n" + b"\0" * 100) is None


def test_needs_render_never_for_challenge_pages(fixtures_dir: Path):
    for name in ("cloudflare_challenge_tandfonline.html", "cloudflare_challenge_pubs_acs_org.html"):
        body = (fixtures_dir / "other" / name).read_bytes()
        assert b"<script" in body.lower()  # a page a browser would run ...
        assert needs_render("https://www.tandfonline.com/doi/x", HTML, body) is None  # ... but not here


def test_needs_render_is_quiet_on_every_real_page(fixtures_dir: Path):
    """Real publisher and repository pages carry their content: the check must not fire."""
    pages = sorted(p for folder in ("publisher_html", "repository_html", "other")
                   for p in (fixtures_dir / folder).glob("*.htm*"))
    assert len(pages) > 30
    fired = {p.name: r for p in pages if (r := needs_render("https://x.example/", HTML, p.read_bytes()))}
    assert fired == {}


# -- the decision -----------------------------------------------------------------------------


def config(**values) -> RenderConfig:
    return RenderConfig.from_settings(Settings(values))


def test_render_reason_by_mode_and_host_rule():
    shell = (PAGES / "render_app_shell.html").read_bytes()
    article = b"<html><body><p>" + b"Plain served text. " * 40 + b"</p><script>x()</script></body></html>"
    hosts = {"COPROD_RENDER_HOSTS": ["*.semanticscholar.org"]}
    assert render_reason(config(**hosts), "https://www.semanticscholar.org/paper/x", HTML, article) \
        == "host rule *.semanticscholar.org"
    assert render_reason(config(), "https://a.example/", HTML, article) is None
    assert render_reason(config(), "https://a.example/", HTML, shell) == "app shell (react)"
    assert render_reason(config(COPROD_RENDER="always"), "https://a.example/", HTML, article) == "--render"
    assert render_reason(config(COPROD_RENDER="hosts"), "https://a.example/", HTML, shell) is None
    never = config(COPROD_RENDER="never", **hosts)
    assert render_reason(never, "https://www.semanticscholar.org/paper/x", HTML, shell) is None
    with pytest.raises(BadRenderSetting):
        config(COPROD_RENDER="sometimes")


def test_render_middleware_re_requests_only_served_html_pages():
    from scrapy.http import HtmlResponse, Request, TextResponse

    class Stats:
        def __init__(self):
            self.values = {}

        def inc_value(self, key, count=1):
            self.values[key] = self.values.get(key, 0) + count

    middleware = RenderMiddleware(config(), Stats())
    shell = (PAGES / "render_app_shell.html").read_bytes()
    request = Request("https://papers.example/paper/1", meta={"job": 1})
    response = HtmlResponse(request.url, body=shell, headers=HTML, request=request)
    again = middleware.process_response(request, response)
    assert isinstance(again, Request) and again.url == request.url and again.dont_filter
    assert again.meta["playwright"] is True and again.meta["job"] == 1
    assert again.meta["coprod_render_reason"] == "app shell (react)"
    assert middleware.stats.values == {"coprod/render/requested": 1}
    # a rendered response, a non-200, JSON, robots.txt and POST stay as they are
    rendered = Request(request.url, meta={"playwright": True})
    assert middleware.process_response(rendered, response.replace(request=rendered)) is not None
    assert middleware.process_response(rendered, response) is response
    assert middleware.process_response(request, response.replace(status=404)).status == 404
    as_json = TextResponse(request.url, body=b"{}", headers={"Content-Type": "application/json"})
    assert middleware.process_response(request, as_json) is as_json
    robots = HtmlResponse("https://papers.example/robots.txt", body=shell, headers=HTML)
    assert middleware.process_response(request, robots) is robots
    post = Request(request.url, method="POST")
    assert middleware.process_response(post, response) is response


# -- HTTP heads rebuilt from Chromium's report ------------------------------------------------


def exchange(**values) -> BrowserExchange:
    base = dict(url="https://a.example/api/x.json?q=1", method="GET", started=0.0,
                request_headers=[("Accept", "*/*"), ("User-Agent", "coprod/0")], post_data=None,
                status=200, status_text="OK",
                response_headers=[("Content-Encoding", "gzip"), ("Content-Length", "43"),
                                  ("Content-Type", "application/json"), ("X-Odd", "a\r\nInjected: 1")],
                body=b'{"title": "decoded body of 25"}')
    return BrowserExchange(**{**base, **values})


def test_response_head_normalised_for_a_decoded_body():
    head = response_head(exchange())
    assert head == (b"HTTP/1.1 200 OK\r\nContent-Length: 31\r\nContent-Type: application/json\r\n"
                    b"X-Odd: a  Injected: 1\r\n\r\n")
    assert truncation(exchange()) is None


def test_redirect_without_body_keeps_its_headers_and_says_truncated():
    redirect = exchange(status=302, status_text="Found", body=None,
                        body_note="redirect: Chromium does not expose the body",
                        response_headers=[("Location", "https://b.example/"), ("Content-Length", "99"),
                                          ("Transfer-Encoding", "chunked")])
    assert response_head(redirect) == (b"HTTP/1.1 302 Found\r\nLocation: https://b.example/\r\n"
                                       b"Content-Length: 99\r\n\r\n")
    assert truncation(redirect) == "unspecified"
    empty = exchange(status=204, body=None, response_headers=[("Content-Length", "0")])
    assert truncation(empty) is None
    big = exchange(body=None, body_note="body of 60000000 bytes not kept (limit 52428800)")
    assert truncation(big) == "length"


def test_request_bytes_add_host_and_post_data():
    raw = request_bytes(exchange(method="POST", post_data=b"a=1"))
    assert raw == (b"POST /api/x.json?q=1 HTTP/1.1\r\nHost: a.example\r\nAccept: */*\r\n"
                   b"User-Agent: coprod/0\r\n\r\na=1")
    with_host = exchange(request_headers=[("Host", "a.example"), ("Accept", "*/*")])
    assert request_bytes(with_host).count(b"Host:") == 1


# -- the add-on -------------------------------------------------------------------------------


def addon_settings(**values) -> Settings:
    from crawler import settings as project

    settings = Settings()
    settings.setmodule(project, priority="project")
    settings.setdict(values, priority="cmdline")
    RenderAddon().update_settings(settings)
    return settings


def test_addon_installs_handler_middlewares_and_chromium_rules():
    settings = addon_settings(COPROD_RESOLVE=["*:80=127.0.0.1:1080", "*:443=127.0.0.1:1443"])
    handlers = settings.getdict("DOWNLOAD_HANDLERS")
    assert handlers["http"] == handlers["https"] == HANDLER
    middlewares = settings.getdict("DOWNLOADER_MIDDLEWARES")
    assert middlewares[RenderMiddleware] == 575 and middlewares[BrowserTapMiddleware] == 949
    assert middlewares["crawler.archiving.WarcTapMiddleware"] == 950
    args = settings.getdict("PLAYWRIGHT_LAUNCH_OPTIONS")["args"]
    rules = next(a for a in args if a.startswith("--host-resolver-rules="))
    assert "MAP *:443 127.0.0.1:1443" in rules and rules.endswith("MAP * ~NOTFOUND")
    assert "--ignore-certificate-errors" in args
    # as scrapy-playwright reads it: present and None = the browser's own headers
    assert "PLAYWRIGHT_PROCESS_REQUEST_HEADERS" in settings
    assert settings["PLAYWRIGHT_PROCESS_REQUEST_HEADERS"] is None


def test_addon_without_resolve_verifies_certificates_and_never_means_no_browser():
    args = addon_settings().getdict("PLAYWRIGHT_LAUNCH_OPTIONS")["args"]
    assert "--ignore-certificate-errors" not in args
    assert not any(a.endswith("MAP * ~NOTFOUND") for a in args)
    never = addon_settings(COPROD_RENDER="never")
    assert never.getdict("DOWNLOAD_HANDLERS")["https"] == "crawler.capture.CapturingHTTP11DownloadHandler"
    assert RenderMiddleware not in never.getdict("DOWNLOADER_MIDDLEWARES")
    missing = addon_settings(COPROD_BROWSER="/nonexistent/chromium")
    assert missing.getdict("DOWNLOAD_HANDLERS")["https"] == "crawler.capture.CapturingHTTP11DownloadHandler"


# -- coprod.toml ------------------------------------------------------------------------------


def test_coprod_toml_render_host_list():
    from crawler.crawlconfig import ConfigError, default_text, parse_config

    text = default_text().replace("render = []", 'render = ["www.SemanticScholar.org", "*.elsevierpure.com"]')
    assert text != default_text()
    config = parse_config(text, "coprod.toml")
    assert config.render == ("www.semanticscholar.org", "*.elsevierpure.com")
    assert parse_config(default_text(), "built-in default").render == ()
    for bad in ('render = "www.semanticscholar.org"', 'render = [1]', 'render = ["https://a.example/x"]'):
        with pytest.raises(ConfigError, match="render"):
            parse_config(default_text().replace("render = []", bad), "coprod.toml")
