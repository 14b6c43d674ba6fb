"""URL rewriting for the viewer: every http(s) URL in an archived page or style sheet points
at the viewer, nothing at the live web. The page below is hand-written and mimics the
head of a publisher's article page (preconnects, <base>, srcset, meta refresh, inline CSS)."""

from __future__ import annotations

import re

import lxml.html

from archive.viewer.rewrite import rewrite_css, rewrite_html

PAGE_URL = "https://journal.example.org/article/1?tab=abstract"
ARCHIVED = {"https://journal.example.org/article/2", "https://journal.example.org/static/a.css",
            "https://journal.example.org/img/fig-1.png"}
PAGE = """<!doctype html><html><head>
<base href="https://journal.example.org/">
<link rel=preconnect href="https://cdn.example.com">
<link rel=stylesheet href="static/a.css">
<meta http-equiv=refresh content="30; url=https://journal.example.org/article/2">
<style>body { background: url(img/bg.png) } @import "https://fonts.example.net/x.css";</style>
<script src="https://tracker.example.net/t.js"></script></head>
<body><a id=near href="#refs">refs</a> <a id=next href="article/2">next</a>
<a id=mail href="mailto:editor@example.org">mail</a> <a id=js href="javascript:alert(1)">js</a>
<img id=fig src="img/fig-1.png" srcset="img/fig-1.png 1x, https://cdn.example.com/fig-1@2x.png 2x">
<img id=inline src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<div id=styled style="background-image: url('https://img.example.com/bg.jpg')"></div>
<form id=search action="https://journal.example.org/search"></form><h2 id=refs>References</h2>
</body></html>"""


def link(url: str) -> str:
    return ("/raw/20240501000000/" if url in ARCHIVED else "/missing/20240501000000/") + url


def test_html_links_point_at_the_viewer_only() -> None:
    out = rewrite_html(PAGE, PAGE_URL, link)
    doc = lxml.html.document_fromstring(out)
    assert doc.xpath("//base") == []  # removed: links are absolute viewer paths now
    by_id = {e.get("id"): e for e in doc.xpath("//*[@id]")}
    # <base> makes "#refs" a link to the base URL (as a browser reads it), not within the page
    assert by_id["near"].get("href") == "/missing/20240501000000/https://journal.example.org/#refs"
    assert by_id["next"].get("href") == "/raw/20240501000000/https://journal.example.org/article/2"
    assert by_id["mail"].get("href") == "#" and by_id["js"].get("href") == "#"
    assert by_id["fig"].get("src") == "/raw/20240501000000/https://journal.example.org/img/fig-1.png"
    assert by_id["fig"].get("srcset") == (
        "/raw/20240501000000/https://journal.example.org/img/fig-1.png 1x, "
        "/missing/20240501000000/https://cdn.example.com/fig-1@2x.png 2x")
    assert by_id["inline"].get("src").startswith("data:image/gif")
    assert "url('/missing/20240501000000/https://img.example.com/bg.jpg')" in by_id["styled"].get("style")
    assert by_id["search"].get("action") == "/missing/20240501000000/https://journal.example.org/search"
    assert "/raw/20240501000000/https://journal.example.org/static/a.css" in out
    assert "content=\"30; url=/raw/20240501000000/https://journal.example.org/article/2\"" in out
    assert "@import \"/missing/20240501000000/https://fonts.example.net/x.css\"" in out
    # no URL to any host survives outside the viewer's own paths
    loose = re.findall(r"(?<!/raw/20240501000000/)(?<!/missing/20240501000000/)https?://\S+", out)
    assert loose == []


def test_fragment_links_stay_in_the_page_without_base() -> None:
    out = rewrite_html('<p><a href="#refs">refs</a> <a href="?tab=abstract#x">same page</a></p>',
                       PAGE_URL, link)
    assert 'href="#refs"' in out and 'href="#x"' in out


def test_css_urls_and_imports() -> None:
    css = ('@import url("print.css"); @import "https://fonts.example.net/f.css";\n'
           ".a { background: url(../img/fig-1.png) } .b { src: url('data:font/woff2;base64,AA') }")
    out = rewrite_css(css, "https://journal.example.org/static/a.css", link)
    assert 'url("/missing/20240501000000/https://journal.example.org/static/print.css")' in out
    assert '@import "/missing/20240501000000/https://fonts.example.net/f.css"' in out
    assert 'url("/raw/20240501000000/https://journal.example.org/img/fig-1.png")' in out
    assert "url(\"data:font/woff2;base64,AA\")" in out


def test_garbage_does_not_raise() -> None:
    assert rewrite_html("", PAGE_URL, link) == ""
    assert "nothing" in rewrite_html("nothing <b>here", PAGE_URL, link)
