"""D-Lib Magazine articles (dlib.org, 1995-2017): no citation metadata, a fixed layout.

The masthead is <h3 class="blue-space">D-Lib Magazine</h3> over "May/June 2017<br>Volume 23,
Number 5/6"; the title is the next h3.blue-space, and the <p class="blue"> under it lists
each author as "Name, Affiliation" with an e-mail line ("victoria [at] zooniverse.org").
"""

from __future__ import annotations

import re
from typing import Any

from extractors.embedded.values import make_author
from extractors.html import block_text
from extractors.platforms import engine

NAME = "dlib"
PRIORITY = 20  # lower is tried first: hosts before generic software
HOSTS = ("dlib.org",)
MARKERS = ("meta#DOI[content^='10.1045/']",)  # D-Lib's DOI prefix, in a meta of its own

TABLE: dict[str, Any] = {
    "container": ["(//h3[contains(@class, 'blue-space')])[1]"],
    "title": ["(//h3[contains(@class, 'blue-space')])[2]"],
    "doi": ["meta#DOI::attr(content)", "a[href*='doi.org/10.1045/']::attr(href)"],
}
_ISSUE = re.compile(r"Volume\s+(?P<volume>\d+),\s*Number\s+(?P<issue>[\w/-]+)", re.I)
_EMAIL_LINE = re.compile(r"\[at\]|@")
_MASTHEAD = "(//h3[contains(@class, 'blue-space')])[1]/following-sibling::p[1]"
_BYLINE = "(//h3[contains(@class, 'blue-space')])[2]/following-sibling::p[1]"


def matches(url: str, tree: Any) -> bool:
    return engine.host_matches(url, HOSTS) or engine.has_marker(tree, MARKERS)


def extract(tree: Any, url: str) -> dict[str, Any]:
    out = engine.extract(tree, url, TABLE)
    for masthead in engine.select(tree, _MASTHEAD):
        if m := _ISSUE.search(" ".join(block_text(masthead))):
            out.update(volume=m["volume"], issue=m["issue"])
    for byline in engine.select(tree, _BYLINE):
        authors = [make_author(name, affiliations=[rest] if rest else [])
                   for line in block_text(byline) if not _EMAIL_LINE.search(line)
                   for name, _, rest in [line.partition(", ")]]
        if authors := [a for a in authors if a]:
            out["authors"] = authors
    return out
