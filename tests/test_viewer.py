"""`coprod replay serve` in a real browser: Playwright driving Debian's Chromium loads the
viewer, searches, opens a record, sees the archived page in its sandbox, follows a link to
another capture, and no request ever leaves 127.0.0.1.

The archive: two hand-written article pages (Highwire citation_* tags, like a journal's
landing page) fetched through doi.org stand-ins, each linking to the other and to things
never archived (a tracker image, a CDN script, an embed, another site). Page A is fetched
twice, so it has two captures. Its stylesheet and figure are archived afterwards as a
browser capture would add them, to see archived subresources served from the archive.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import urlopen

import pytest

from archive import warcrecords
from archive.catalog import rebuild
from archive.warcwriter import RollingWarcWriter
from crawler.sandbox import SandboxWeb, Site
from tests.cli_runner import coprod_command, json_lines, run_coprod
from tests.warc_checks import all_warcs

playwright_api = pytest.importorskip("playwright.sync_api")
CHROMIUM = Path("/usr/bin/chromium")
HOST = "https://journal.example.org"
A_DOI, B_DOI = "10.5555/viewer.a", "10.5555/viewer.b"
A_URL, B_URL = f"{HOST}/article/coproduction-a", f"{HOST}/article/coproduction-b"
A_TITLE = "Co-producing day care with service users"
B_TITLE = "Volunteers and staff sharing tasks in welfare services"
CSS = b"h1 { color: rgb(0, 128, 0); }\n"
PNG = bytes.fromhex(  # a 1x1 PNG
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def article(title: str, doi: str, other: str) -> str:
    return f"""<!doctype html><html><head><meta charset=utf-8><title>{title}</title>
<meta name=citation_title content="{title}"><meta name=citation_author content="Ada Example">
<meta name=citation_doi content="{doi}"><meta name=citation_journal_title content="Journal of Viewers">
<meta name=citation_publication_date content="2022/03/01">
<link rel=stylesheet href="/static/site.css">
<script src="https://cdn.example.com/app.js"></script>
<script>fetch("https://tracker.example.net/beacon")</script></head>
<body style="background-image:url('https://img.example.com/bg.png')">
<h1 id=title>{title}</h1><img id=figure src="/static/figure.png" width=20 height=20>
<img src="https://tracker.example.net/pixel.gif" alt="">
<div class=abstract><p>Service users and staff co-produce the service together.</p></div>
<p><a id=other href="{other}">The related article</a> ·
<a id=away href="https://elsewhere.example.com/">elsewhere</a></p>
<iframe src="https://video.example.com/embed/1"></iframe>
<form action="https://search.example.com/"><input name=q></form></body></html>"""


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = Site()
    for doi, url, title, other in ((A_DOI, A_URL, A_TITLE, "/article/coproduction-b"),
                                   (B_DOI, B_URL, B_TITLE, A_URL)):
        site.redirect(f"https://doi.org/{doi}", url, status=302)
        site.add(url, body=article(title, doi, other), content_type="text/html; charset=utf-8")
    data = tmp_path_factory.mktemp("viewer-data")
    with SandboxWeb(site) as web:
        first = run_coprod("doi", A_DOI, B_DOI, data_dir=data, resolve=web.resolve_rules)
        assert first.returncode == 0, first.stderr
        assert len(json_lines(first.stdout)) == 2
        time.sleep(1.1)  # a second capture of A, in another second (replay URLs use seconds)
        again = run_coprod("doi", A_DOI, data_dir=data, resolve=web.resolve_rules)
        assert again.returncode == 0, again.stderr
    writer = RollingWarcWriter(data / "warcs", {"software": "test: subresources"}, prefix="zz-assets")
    for path, body, kind in (("site.css", CSS, "text/css"), ("figure.png", PNG, "image/png")):
        head = f"HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {len(body)}\r\n\r\n"
        writer.write(warcrecords.response_record(f"{HOST}/static/{path}", head.encode(), body,
                                                 date=warcrecords.iso_date(time.time())))
    writer.close()
    rebuild(data / "catalog.sqlite", all_warcs(data)).close()
    return data


@pytest.fixture(scope="module")
def viewer(archive: Path):
    command = coprod_command("replay", "serve", "--port", "0", data_dir=archive, delay=None)
    server = subprocess.Popen(command, stderr=subprocess.PIPE, text=True,
                              cwd=Path(__file__).resolve().parent.parent)
    try:
        line = server.stderr.readline()
        found = re.search(r"http://127\.0\.0\.1:\d+/", line)
        assert found, line
        yield found.group(0)
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists() and os.environ.get("CI") != "true":  # CI installs it: there, fail
        pytest.skip(f"{CHROMIUM} is not installed (Debian's chromium package)")
    with playwright_api.sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"])
        yield browser
        browser.close()


def test_browse_search_record_archived_page_and_links(viewer: str, browser) -> None:
    context = browser.new_context()
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    page.goto(viewer)
    assert page.locator("a.record").count() == 2

    page.fill("input[name=q]", "day care")  # search
    page.press("input[name=q]", "Enter")
    page.wait_for_url(re.compile(r"\?q=day"))
    assert page.locator("a.record").all_inner_texts() == [A_TITLE]

    page.click("a.record")  # the record: fields, each with its source
    title_row = page.locator("table.fields tr", has=page.locator("th", has_text=re.compile("^title$")))
    assert title_row.locator("td").first.inner_text() == A_TITLE
    assert title_row.locator("td.source").inner_text() == "embedded:highwire"
    assert page.locator("table.provenance").inner_text().count(".warc.gz") >= 1
    assert page.locator("ol.captures li").count() >= 2  # doi.org hop and the landing page

    page.click("#archived-page")  # the page as captured, in its sandbox
    frame_element = page.locator("iframe#archived")
    assert frame_element.get_attribute("sandbox") == ""  # no allow-same-origin, no scripts
    frame = page.frame_locator("iframe#archived")
    assert frame.locator("h1#title").inner_text() == A_TITLE
    banner = page.locator("#time-banner").inner_text()
    assert "Archived" in banner and A_URL in banner and "UTC" in banner
    page.locator("details", has_text="Headers").locator("summary").click()
    assert "WARC-Type: response" in page.locator("pre.headers").inner_text()
    # archived subresources come from the archive; the rest never loads
    assert frame.locator("h1#title").evaluate("e => getComputedStyle(e).color") == "rgb(0, 128, 0)"
    assert frame.locator("img#figure").evaluate("e => e.naturalWidth") == 1
    assert frame.locator("a#away").get_attribute("href").startswith("/missing/")

    others = page.locator("a.other-capture")  # the other capture of this URL
    assert others.count() == 2
    shown = page.url
    page.locator("details", has_text="Captures of this URL").locator("summary").click()
    other = next(i for i in range(2) if "(shown)" not in page.locator("ol.others li").nth(i).inner_text())
    others.nth(other).click()
    page.wait_for_url(lambda url: url != shown)
    assert page.frame_locator("iframe#archived").locator("h1#title").inner_text() == A_TITLE

    frame = page.frame_locator("iframe#archived")  # follow a link inside the archived page
    frame.locator("a#other").click()
    inner = next(f for f in page.frames if f.parent_frame is not None)
    inner.wait_for_url(re.compile("/raw/.*coproduction-b"))
    assert inner.locator("h1#title").inner_text() == B_TITLE

    raw = urlopen(viewer.rstrip("/") + urlsplit(inner.url).path)  # noqa: S310 - loopback
    csp = raw.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'none'" in csp and "sandbox" in csp
    context.close()

    origin = viewer.rstrip("/")
    left = [url for url in requests if not url.startswith((origin + "/", "data:", "about:"))]
    assert left == [], f"requests left 127.0.0.1: {left}"
    assert any("/raw/" in url for url in requests) and any("/missing/" in url for url in requests)
