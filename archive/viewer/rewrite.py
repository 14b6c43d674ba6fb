"""Point every URL in an archived page at the viewer, never at the live web.

lxml's `rewrite_links` finds the links (href, src, action, <meta refresh>, style
attributes, <style> url() and @import) and resolves them against <base>; srcset lists
it does not know, so they are done here. Scripts are left as they were: the page is
shown in a sandboxed iframe without allow-scripts, under a CSP with script-src 'none',
so none of them runs. Why not pywb's rewriter: pywb pins old dependencies, and with
scripts off only static URLs need rewriting.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urldefrag, urljoin

import lxml.etree
import lxml.html

Link = Callable[[str], str]  # absolute URL -> the viewer URL to use instead

MAX_PAGE_CHARS = 20 * 1024 * 1024
_SRCSET_ATTRS = ("srcset", "imagesrcset", "data-srcset")
_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""", re.I)
_CSS_IMPORT = re.compile(r"""@import\s+(['"])([^'"]+)\1""", re.I)
_SAFE_SCHEMES = ("data:",)  # inline content, allowed by the CSP for images and fonts
_DEAD = "#"  # where links to mailto:, javascript: and other schemes go


def _parser() -> lxml.html.HTMLParser:
    return lxml.html.HTMLParser(no_network=True, huge_tree=False, remove_pis=True)


def rewrite_html(text: str, page_url: str, link: Link) -> str:
    """The page with every http(s) URL replaced by `link(absolute_url)`."""
    try:
        doc = lxml.html.document_fromstring(text[:MAX_PAGE_CHARS].replace("\x00", ""),
                                            parser=_parser())
    except (lxml.etree.ParserError, ValueError):
        return ""
    page = urldefrag(page_url).url

    def replace(url: str) -> str:
        return _replacement(url, page, link)

    hrefs = doc.xpath("//base/@href")
    base = urljoin(page_url, str(hrefs[0]).strip()) if hrefs else page_url  # srcset needs it too
    doc.rewrite_links(replace, resolve_base_href=True, base_href=page_url)
    for attr in _SRCSET_ATTRS:
        for element in doc.xpath(f"//*[@{attr}]"):
            element.set(attr, rewrite_srcset(element.get(attr, ""), base, replace))
    for element in doc.xpath("//base"):
        element.drop_tree()
    return lxml.html.tostring(doc.getroottree(), encoding="unicode", method="html")


def rewrite_srcset(value: str, base: str, replace: Link) -> str:
    """`a.png 1x, b.png 2x` with each URL replaced."""
    parts = []
    for candidate in value.split(","):
        pieces = candidate.strip().split(None, 1)
        if not pieces:
            continue
        url = replace(urljoin(base, pieces[0]))
        parts.append(" ".join([url, *pieces[1:]]))
    return ", ".join(parts)


def rewrite_css(text: str, sheet_url: str, link: Link) -> str:
    """A style sheet with url(...) and @import targets replaced."""
    page = urldefrag(sheet_url).url

    def url_sub(match: re.Match[str]) -> str:
        target = _replacement(urljoin(sheet_url, match.group(2).strip()), page, link)
        return f'url("{target}")'

    def import_sub(match: re.Match[str]) -> str:
        target = _replacement(urljoin(sheet_url, match.group(2).strip()), page, link)
        return f'@import "{target}"'

    return _CSS_IMPORT.sub(import_sub, _CSS_URL.sub(url_sub, text[:MAX_PAGE_CHARS]))


def _replacement(url: str, page: str, link: Link) -> str:
    url = url.strip()
    if url.startswith(_SAFE_SCHEMES):
        return url
    if not url.lower().startswith(("http://", "https://")):
        return _DEAD
    target, fragment = urldefrag(url)
    if fragment and target == page:
        return f"#{fragment}"  # a jump within the page stays one
    return link(target) + (f"#{fragment}" if fragment else "")
