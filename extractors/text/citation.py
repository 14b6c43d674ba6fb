"""Citation lines and bylines as pages print them, read into Record fields.

A page without metadata still says where its work appeared ("Acta Palaeontologica Polonica
68 (4), 2023: 709-718 doi:10...", "Published in: 2023. Acta Linguistica Academica 70:
195-218", "First Monday, Volume 25, Number 10 - 5 October 2020") and who wrote it ("By
CHARLOTTE FAIRLIE", "Michael P. Taylor and Mathew J. Wedel"). The citation forms are a table
of patterns, tried in order; every pattern must find a container and a volume, so a sentence
that merely holds numbers is no citation. Hand-written: no library reads free citation lines
without a trained model.
"""

from __future__ import annotations

import re
from typing import Any

from extractors.embedded.values import clean, doi_or_none, make_author, parse_date
from extractors.record import Author

_YEAR = r"(?P<year>1[5-9]\d\d|20\d\d)"
_PAGES = r"(?P<pages>[A-Za-z]?\d+(?:\s*[-–]\s*[A-Za-z]?\d+)?)"
_CONTAINER = r"(?P<container>[^\W\d][^\d:;()]{2,150}?)"
# Citation forms, most specific first. Named groups: container, volume, issue, year, pages,
# date (a full date to parse). Matched at the start of a line (after "Published in").
CITATION_FORMS: tuple[re.Pattern[str], ...] = tuple(re.compile(p, re.I) for p in (
    # Journal 68 (4), 2023: 709-718        Journal 12(3), 2019, 45-67
    rf"^{_CONTAINER},?\s+(?P<volume>\d{{1,4}})\s*(?:\((?P<issue>[\w/–-]{{1,12}})\))?\s*[,:]\s*"
    rf"{_YEAR}\s*[:,]\s*(?:pp?\.\s*)?{_PAGES}",
    # 2023. Journal 70: 195-218            2019. Journal 12(3): 45-67
    rf"^{_YEAR}[a-z]?\.\s+{_CONTAINER}\s+(?P<volume>\d{{1,4}})\s*(?:\((?P<issue>[^)]{{1,12}})\))?"
    rf"\s*:\s*{_PAGES}",
    # Journal, 2022, Vol. 43 No. 1/2, pp. 197-213
    rf"^{_CONTAINER},\s*{_YEAR},\s*vol\.?\s*(?P<volume>[\w./-]+)(?:,?\s*(?:no|issue)\.?\s*"
    rf"(?P<issue>[\w./-]+))?,\s*pp?\.\s*{_PAGES}",
    # First Monday, Volume 25, Number 10 - 5 October 2020
    rf"^{_CONTAINER},\s*vol(?:ume|\.)?\s*(?P<volume>\d{{1,4}})(?:,\s*(?:number|no\.?|issue)\s*"
    r"(?P<issue>[\w/]{1,12}))?(?:\s*[-–,]\s*(?P<date>[^,;]{4,40}?))?\s*(?:$|[.;,]\s)",
))
_ONLINE = re.compile(r"\((?:published )?online:?\s+(?P<date>[^)]{6,40})\)", re.I)
_PUBLISHED_IN = re.compile(r"^\s*(?:published in|appeared in|in)\s*:?\s+", re.I)
_BY = re.compile(r"^by\s+(?P<names>.+)$", re.I)
_NAME_SPLIT = re.compile(r"\s*(?:,\s*and\s+|,\s*&\s*|\s+and\s+|\s*&\s*|,|;)\s*")
_NAME_WORD = re.compile(r"^(?:[A-ZÀ-ÖØ-Þ][\w'’-]*\.?|[A-Z]\.(?:-?[A-Z]\.)*|"
                        r"van|von|de|der|den|del|della|di|da|dos|du|le|la|ten|ter|af|bin|ibn)$")
# Words that make a line something other than a list of names.
NOT_NAMES = frozenset("""
abstract access article articles back contents department download editorial faculty full home
institute issue journal letter menu news online open original pdf press published research
review search share table text university view volume vol issues current archives about
""".split())
MAX_AUTHORS = 30


def parse_citation(line: str) -> dict[str, Any]:
    """Record fields from one citation line, or {} when the line is no citation."""
    text = _PUBLISHED_IN.sub("", clean(line), count=1)
    for form in CITATION_FORMS:
        if m := form.search(text):
            return _fields(m, text)
    return {}


def _fields(m: re.Match[str], text: str) -> dict[str, Any]:
    groups = m.groupdict()
    published = parse_date(groups["date"]) if groups.get("date") else None
    year = groups.get("year")
    if year and not (published and published.startswith(year)):
        published = year
    online = _ONLINE.search(text[m.end():])
    if online and (date := parse_date(online["date"])) and published and \
            date.startswith(published):
        published = date  # "2023. Journal 70: 195-218 (online June 6, 2023)"
    out = {
        "container": clean(groups["container"]).strip(" ,.") or None,
        "volume": groups.get("volume"),
        "issue": groups.get("issue"),
        "pages": re.sub(r"\s*[-–]\s*", "-", groups["pages"]) if groups.get("pages") else None,
        "published": published,
        "doi": doi_or_none(text[m.end():]) if "10." in text[m.end():] else None,
    }
    return {k: v for k, v in out.items() if v}


def parse_byline(line: str, explicit: bool = False) -> list[Author]:
    """Authors from a byline: "By A and B", "A, B, and C." ("By" required when `explicit`).
    [] when any part is not a person's name (a line of other words)."""
    text = clean(line).rstrip(".")
    m = _BY.match(text)
    if m:
        text = m.group("names")
    elif explicit:
        return []
    names = [n for n in _NAME_SPLIT.split(text) if n]
    if not names or len(names) > MAX_AUTHORS or not all(map(_is_name, names)):
        return []
    return [a for a in (make_author(n.title() if n.isupper() else n) for n in names) if a]


def _is_name(name: str) -> bool:
    words = name.split()
    if not 2 <= len(words) <= 5 or any(w.casefold().strip(".") in NOT_NAMES for w in words):
        return False
    return all(_NAME_WORD.match(w) or w.isupper() and w.isalpha() for w in words)
