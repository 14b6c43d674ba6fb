"""Byline and citation printed on pages with no metadata for them: in the header (the lines
above the first long paragraph) or in a "how to cite" block that opens with the title.

Legacy journal pages (Acta Palaeontologica Polonica, LingBuzz, Genders) print "A and B" under
the title and "Journal 68 (4), 2023: 709-718 doi:..." beside it; HTML galleys (First Monday)
close with "Title<br>by A, B, and C.<br><em>Journal</em>, Volume 25, Number 10 - 5 October
2020<br>...<br>doi: ...". Only what such lines say outright is read (text/citation.py).
"""

from __future__ import annotations

import re
from typing import Any

from lxml.html import HtmlElement

from extractors.embedded.values import doi_or_none
from extractors.html import block_text, iter_lines
from extractors.jats import markup_to_text
from extractors.text.chrome import is_chrome
from extractors.text.citation import parse_byline, parse_citation

LONG_PARAGRAPH = 200  # characters: the header ends at the first line this long
MAX_HEADER_LINES = 120
MAX_BLOCK = 1200  # characters: a "how to cite" block is a few lines
TITLE_PREFIX = 24  # characters of the title a citation block must open with
_DOI_LINE = re.compile(r"^doi\s*:?\s*(\S+)$", re.I)


def header_fields(tree: HtmlElement, title: str) -> dict[str, Any]:
    """Authors and citation fields from the lines above the page's first long paragraph:
    an explicit byline ("By ...") anywhere there, a bare list of names right under the
    title, and the first citation line."""
    body = tree.find("body")
    if body is None:
        return {}
    out: dict[str, Any] = {}
    after_title = False
    key = _key(title)
    for number, line in enumerate(iter_lines(body, drop=is_chrome)):
        if len(line) > LONG_PARAGRAPH or number > MAX_HEADER_LINES:
            break
        if "authors" not in out and (authors := parse_byline(line, explicit=not after_title)):
            out["authors"] = authors
        if "container" not in out and (cited := parse_citation(line)):
            out.update({k: v for k, v in cited.items() if k not in out})
        after_title = bool(key) and _key(line) == key
    return out


def citation_block(tree: HtmlElement, title: str) -> dict[str, Any]:
    """Fields of the page's own citation block: a short block whose first line is the title,
    followed by "by <names>", a citation line and "doi: ..."."""
    title = markup_to_text(title)
    prefix = title if len(title) <= TITLE_PREFIX else title[:TITLE_PREFIX].rsplit(" ", 1)[0]
    if len(prefix) < 8:
        return {}
    blocks = tree.xpath("//body//*[self::p or self::div or self::li or self::td or self::dd]"
                        "[starts-with(normalize-space(.), $prefix)]"
                        f"[string-length(normalize-space(.)) < {MAX_BLOCK}]", prefix=prefix)
    for block in reversed(blocks):  # the last: blocks at the end of a page cite it
        out: dict[str, Any] = {}
        for line in block_text(block)[1:]:
            if "authors" not in out and (authors := parse_byline(line, explicit=True)):
                out["authors"] = authors
            elif "container" not in out and (cited := parse_citation(line)):
                out.update({k: v for k, v in cited.items() if k not in out})
            elif (m := _DOI_LINE.match(line)) and (doi := doi_or_none(m.group(1))):
                out.setdefault("doi", doi)
        if "authors" in out or "container" in out:
            return out
    return {}


def _key(text: str) -> str:
    """Letters and digits only: a title from <title> may still hold markup ("<em>")."""
    return re.sub(r"\W+", "", markup_to_text(text).casefold())
