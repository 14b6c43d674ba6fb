"""Genders (genders.org, 1998-2013): hand-made article pages with no metadata; the <title> and
the meta description are the site's (or another article's), not this one's.

The page opens with "Issue 58, Fall 2013", the title in <font size="5"> with the subtitle on
the next line, and "By <strong>NAME</strong>" (read by the text layer's byline rule). The
journal's name is "Genders"; the site calls itself "Genders OnLine Journal", so the name is
kept here as data rather than read from the page.
"""

from __future__ import annotations

import re
from typing import Any

from extractors.html import block_text
from extractors.platforms import engine

NAME = "genders"
PRIORITY = 20  # lower is tried first: hosts before generic software
HOSTS = ("genders.org",)
MARKERS = ("/html/head/title[starts-with(normalize-space(.), 'Genders OnLine Journal')]",)
JOURNAL = "Genders"
_TITLE = "//p[font[@size='5']]"
_ISSUE = re.compile(r"\bIssue\s+(?P<issue>\d+),\s*(?:(?:spring|summer|fall|autumn|winter)\s+)?"
                    r"(?P<year>(?:19|20)\d\d)\b", re.I)


def matches(url: str, tree: Any) -> bool:
    return engine.host_matches(url, HOSTS) or engine.has_marker(tree, MARKERS)


def extract(tree: Any, url: str) -> dict[str, Any]:
    out: dict[str, Any] = {"container": JOURNAL, "type": "article"}
    for heading in engine.select(tree, _TITLE)[:1]:
        title, *subtitle = block_text(heading)
        out["title"] = f"{title}: {subtitle[0]}" if subtitle else title
    for line in engine.texts(tree, "//p[contains(., 'Issue ')]")[:5]:
        if m := _ISSUE.search(line):
            out.update(issue=m["issue"], published=m["year"])
            break
    return out
