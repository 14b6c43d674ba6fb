"""The automatic check: does this served HTML need a browser to show its content?

Yes when the page has scripts and next to no text of its own, and says so: an empty
mount point of a known single-page-app framework (an app shell), a `<noscript>` notice
asking for JavaScript, or simply no main text. Never for anti-bot challenge pages (a
crawler does not solve those) nor for pages whose embedded metadata already names the
work (they were written for machines; rendering adds little).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from crawler.bytescan import ascii_compatible
from crawler.render.prescan import has_script_tag, visible_letters
from extractors.dispatch import CHALLENGE_HEAD, challenge
from extractors.encoding import binary_kind, decode_body
from extractors.html import parse_html

MAX_CHECKED = 2 * 1024 * 1024  # bytes of a page looked at
MIN_TEXT = 200  # characters of body text below which a page with scripts shows nothing
SHELL_TEXT = 1500  # below this, an empty app mount point or a noscript notice decides
# Letters (A-Z, a-z) of visible text that settle a page unparsed: twice SHELL_TEXT, about
# 3,700 characters of English. visible_letters never counted more letters than the tree
# holds on any page the tests try (real, spliced, generated); the margin is for markup they
# do not reach that libxml2 reads otherwise: up to 1,500 letters of it on one page.
SETTLED_LETTERS = 2 * SHELL_TEXT

# (framework, XPath of its mount point left empty by the server)
_EMPTY = "[not(*)][not(normalize-space())]"
APP_SHELLS: tuple[tuple[str, str], ...] = (
    ("react", f"//div[@id='root']{_EMPTY}"),
    ("vue", f"//div[@id='app']{_EMPTY}"),
    ("angular", f"//app-root{_EMPTY}"),
    ("next.js", f"//div[@id='__next']{_EMPTY}"),
    ("nuxt", f"//div[@id='__nuxt']{_EMPTY}"),
    ("ember", "//body[contains(concat(' ', normalize-space(@class), ' '), ' ember-application ')]"),
    ("svelte", f"//div[@id='svelte']{_EMPTY}"),
    ("flutter", "//flt-glass-pane | //flutter-view"),
    ("semantic scholar", f"//div[@id='main']{_EMPTY}[//script[contains(@src, 'semanticscholar')]]"),
)
NOSCRIPT_NOTICE = re.compile(
    r"(enable|turn on|activate|allow|requires?|needs?|must have)\W+(?:\w+\W+){0,4}javascript"
    r"|javascript\W+(?:\w+\W+){0,3}(required|disabled|is off|must be enabled|needs to be enabled|"
    r"aktivieren|activer|activar|abilitare)"
    r"|(?:请|需要).{0,6}(?:启用|开启|打开).{0,4}javascript",
    re.I,
)
_VISIBLE_TEXT = ("//body//text()[not(ancestor::script or ancestor::style or ancestor::noscript"
                 " or ancestor::template or ancestor::svg)]")
_WORK_METADATA = ("//meta[@name='citation_title' or @name='dc.title' or @name='DC.title'"
                  " or @name='eprints.title' or @name='bepress_citation_title'][@content != '']")
# The same test on the raw bytes, tried before parsing: most publisher pages carry such a
# tag, and parsing 100 KB to find it cost the crawl's reactor 2-3 ms a page (benchmarks/).
_WORK_NAMES = (b"citation_title", b"dc.title", b"DC.title", b"eprints.title")  # bepress_ too
_META_TAG = re.compile(rb"<meta\s[^>]*>", re.I)
_NAME = re.compile(rb"""(?<![\w-])name\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""", re.I)
_CONTENT = re.compile(rb"""(?<![\w-])content\s*=\s*(?:"[^"]|'[^']|[^\s>"'])""", re.I)
_WORK_NAME_VALUES = {b"citation_title", b"dc.title", b"DC.title", b"eprints.title",
                     b"bepress_citation_title"}


def needs_render(url: str, headers: Mapping[str, str], body: bytes) -> str | None:
    """Why this HTML response should be rendered in a browser, or None."""
    body = body[:MAX_CHECKED]
    if not body or binary_kind(body[:8192]) or names_work(body):
        return None
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    if settled_by_bytes(body, content_type):
        return None
    text, _ = decode_body(body, content_type)
    tree = parse_html(text)
    if tree is None or not tree.xpath("//script"):
        return None
    if challenge(tree, text[:CHALLENGE_HEAD], headers) or tree.xpath(_WORK_METADATA):
        return None
    visible = len(" ".join(" ".join(tree.xpath(_VISIBLE_TEXT)).split()))
    if visible < SHELL_TEXT:
        for name, xpath in APP_SHELLS:
            if tree.xpath(xpath):
                return f"app shell ({name})"
        for notice in tree.xpath("//noscript"):
            if NOSCRIPT_NOTICE.search(" ".join(notice.text_content().split())):
                return "noscript notice"
    if visible < MIN_TEXT:
        return f"no main text ({visible} characters)"
    return None


def settled_by_bytes(body: bytes, content_type: str) -> bool:
    """Whether the bytes alone prove the parsed check answers None, for a fraction of its
    cost (crawler.render.prescan): no <script> tag at all (in any codec a browser reads an
    unlabelled legacy page in), or far more visible text than SHELL_TEXT."""
    if not has_script_tag(body):
        return ascii_compatible(body, content_type, legacy=True)
    return ascii_compatible(body, content_type) and \
        visible_letters(body, SETTLED_LETTERS) >= SETTLED_LETTERS


def names_work(body: bytes) -> bool:
    """Whether a meta tag with a non-empty content names the work (_WORK_METADATA's test,
    on the bytes of any ASCII-compatible encoding; a tag inside a comment counts too)."""
    if not any(name in body for name in _WORK_NAMES):
        return False
    for tag in _META_TAG.finditer(body):
        found = _NAME.search(tag.group(0))
        if found and next(g for g in found.groups() if g is not None) in _WORK_NAME_VALUES \
                and _CONTENT.search(tag.group(0)):
            return True
    return False
