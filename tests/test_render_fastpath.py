"""The render check's byte-level shortcut (crawler.render.detect.names_work) says what the
parsed-tree XPath says: on every real HTML page in the fixtures, and on the tag spellings
real pages use."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.render.detect import _WORK_METADATA, names_work, needs_render
from extractors.encoding import decode_body
from extractors.html import parse_html

HTML = {"Content-Type": "text/html; charset=utf-8"}


def _xpath_says(body: bytes) -> bool:
    tree = parse_html(decode_body(body, HTML["Content-Type"])[0])
    return bool(tree is not None and tree.xpath(_WORK_METADATA))


def test_shortcut_agrees_with_the_xpath_on_every_fixture_page(fixtures_dir: Path) -> None:
    pages = sorted(p for d in ("publisher_html", "repository_html", "other")
                   for p in (fixtures_dir / d).glob("*.htm*"))
    assert len(pages) > 30
    named = 0
    for page in pages:
        body = page.read_bytes()
        assert names_work(body) == _xpath_says(body), page.name
        named += names_work(body)
    assert 0 < named < len(pages)  # both answers occur among real pages


@pytest.mark.parametrize(("tag", "expected"), [
    (b'<meta name="citation_title" content="Co-production in care">', True),
    (b"<meta content='Co-production in care' name='dc.title'>", True),  # content first
    (b'<META NAME="DC.title" CONTENT="Samskabelse">', True),  # upper-case markup
    (b'<meta name=eprints.title content=Report>', True),  # unquoted (EPrints)
    (b'<meta name="bepress_citation_title" content="x">', True),
    (b'<meta name="citation_title" content="">', False),  # empty: names nothing
    (b'<meta name="citation_title">', False),
    (b'<meta data-name="citation_title" content="x">', False),  # another attribute
    (b'<meta name="dc.Title" content="x">', False),  # the XPath's names are exact
    (b'<meta property="og:title" content="x">', False),
])
def test_shortcut_on_tag_spellings(tag: bytes, expected: bool) -> None:
    body = b"<html><head>" + tag + b"<script src=app.js></script></head><body></body></html>"
    assert names_work(body) is expected
    assert _xpath_says(body) is expected


def test_a_page_naming_its_work_is_never_rendered_and_an_app_shell_still_is() -> None:
    shell = b'<html><head><script src="/app.js"></script></head><body><div id="root"></div></body></html>'
    assert needs_render("https://a.example/", HTML, shell) == "app shell (react)"
    named = shell.replace(b"<head>", b'<head><meta name="citation_title" content="A work">')
    assert needs_render("https://a.example/", HTML, named) is None
