"""Normalisers for metadata values: dates, person names, keywords, identifiers, pages, types.

Shared by every layer (meta tags, JSON-LD, COinS, RIS/BibTeX exports) so one value reads the
same whatever carried it. Dates are parsed by hand because dateutil fills in missing parts
(a bare "2020" would become a full day) and the Record keeps only the precision the page gives.
"""

from __future__ import annotations

import re
from typing import Any

from extractors.doi import InvalidDOI, find_doi, normalise_doi
from extractors.encoding import repair_c1
from extractors.record import Author
from extractors.types import record_type

_WS = re.compile(r"\s+")
_INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\ufeff]")


def clean(text: Any) -> str:
    """Collapse whitespace (NBSP included), drop control and zero-width characters."""
    if text is None:
        return ""
    return _WS.sub(" ", _INVISIBLE.sub("", repair_c1(str(text)))).strip()


# --- dates --------------------------------------------------------------------------------

MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "january jan janvier janv januar januari janeiro enero gennaio",
        "february feb fevrier février févr februar februari fevereiro febrero febbraio",
        "march mar mars märz marts maart março marzo",
        "april apr avril avr abril aprile",
        "may mai maj mei maio mayo maggio",
        "june jun juin juni junho junio giugno",
        "july jul juillet juil juli julho julio luglio",
        "august aug aout août augusti agosto",
        "september sep sept septembre setembro septiembre settembre",
        "october oct octobre oktober okt outubro octubre ottobre",
        "november nov novembre novembro noviembre",
        "december dec décembre decembre dezember desember dezembro diciembre dicembre",
    ),
    start=1,
):
    for _name in _names.split():
        MONTHS[_name] = _number

_ISO = re.compile(r"^(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?(?:[T\s]\d.*)?$")
_DMY_NAME = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\.?\s+([^\W\d_]+)\.?,?\s+(\d{4})\b", re.U)
_MDY_NAME = re.compile(r"^([^\W\d_]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b", re.U)
_MY_NAME = re.compile(r"^([^\W\d_]+)\.?,?\s+(\d{4})\b", re.U)
_Y_NAME = re.compile(r"^(\d{4}),?\s+([^\W\d_]+)\.?(?:\s+(\d{1,2}))?\b", re.U)
_NUMERIC = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b")
_CJK = re.compile(r"(\d{4})\s*年(?:\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?)?")
_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d|21\d\d)(?!\d)")


def _iso(year: str | int, month: str | int | None = None, day: str | int | None = None) -> str:
    y, m, d = int(year), int(month or 0), int(day or 0)
    if not 1 <= m <= 12:
        return f"{y:04d}"
    if not 1 <= d <= 31:
        return f"{y:04d}-{m:02d}"
    return f"{y:04d}-{m:02d}-{d:02d}"


def parse_date(text: Any) -> str | None:
    """An ISO date (2020, 2020-09 or 2020-09-15) from the forms pages use; None if no year."""
    raw = clean(text)
    if not raw:
        return None
    if m := _ISO.match(raw):
        return _iso(*m.groups())
    if m := _CJK.search(raw):
        return _iso(*m.groups())
    low = raw.lower()
    if (m := _DMY_NAME.match(low)) and m.group(2) in MONTHS:
        return _iso(m.group(3), MONTHS[m.group(2)], m.group(1))
    if (m := _MDY_NAME.match(low)) and m.group(1) in MONTHS:
        return _iso(m.group(3), MONTHS[m.group(1)], m.group(2))
    if (m := _MY_NAME.match(low)) and m.group(1) in MONTHS:
        return _iso(m.group(2), MONTHS[m.group(1)])
    if (m := _Y_NAME.match(low)) and m.group(2) in MONTHS:
        return _iso(m.group(1), MONTHS[m.group(2)], m.group(3))
    if m := _NUMERIC.match(raw):
        a, b, year = int(m.group(1)), int(m.group(2)), m.group(3)
        if a > 12 >= b:
            return _iso(year, b, a)
        if b > 12 >= a:
            return _iso(year, a, b)
        return _iso(year)  # 03/04/2020: day and month cannot be told apart
    if m := _YEAR.search(raw):
        return m.group(1)
    return None


# --- teasers -------------------------------------------------------------------------------

READ_MORE = re.compile(r"\s*\(?(?:weiterlesen|read more|lire la suite|continue reading|"
                       r"læs mere|les mer|leer más)\)?\s*(?:→|»|…|\.\.\.)?\s*$", re.I)
_CUT_SHORT = re.compile(r"(?:…|\.\.\.|\[…\]|\[\.\.\.\]|\(…\)|\(\.\.\.\))\s*$")


def is_teaser(text: str) -> bool:
    """Text cut short ("...", "…", "(...)") or ending in "read more": a teaser, not an abstract."""
    return bool(_CUT_SHORT.search(text) or READ_MORE.search(text))


# --- people -------------------------------------------------------------------------------

_PARTICLES = {"van", "von", "de", "der", "den", "del", "della", "di", "da", "dos", "das", "du",
              "le", "la", "ten", "ter", "af", "zu", "st.", "bin", "ibn"}
_NAME_NOISE = re.compile(r"(?:[\s,*†‡§¶#]|\d)+$")
_ORCID = re.compile(r"(\d{4}-\d{4}-\d{4}-\d{3}[\dXx])")


def normalise_orcid(text: Any) -> str | None:
    """The bare ORCID iD (0000-0002-1825-0097) from an iD or an orcid.org URL."""
    m = _ORCID.search(str(text or ""))
    return m.group(1).upper() if m else None


_ORGANISATION = re.compile(
    r"\b(consortium|group|collaboration|committee|network|institute|institut|university|"
    r"universit[eéy]|association|society|organi[sz]ation|team|initiative|council|centre|center|"
    r"foundation|agency|ministry|department|office|board|project|trust|alliance|working party)\b",
    re.I,
)


def looks_like_organisation(name: str) -> bool:
    """A corporate author ("IGAS Consortium", "WHO Working Group"): not split into given/family."""
    return bool(_ORGANISATION.search(name)) or name.endswith(")")


def split_name(name: str) -> tuple[str | None, str | None]:
    """(given, family) from "Family, Given" or "Given Family"; (None, None) for one word."""
    if "," in name:
        family, _, given = name.partition(",")
        return (clean(given) or None, clean(family) or None)
    parts = name.split()
    if len(parts) < 2:
        return None, None
    i = len(parts) - 1
    while i > 1 and parts[i - 1].lower() in _PARTICLES:
        i -= 1
    return " ".join(parts[:i]), " ".join(parts[i:])


def make_author(
    name: Any = None,
    given: Any = None,
    family: Any = None,
    affiliations: list[str] | None = None,
    orcid: Any = None,
) -> Author | None:
    """An Author from whatever parts a source gives; None when there is no name at all."""
    name, given, family = clean(name), clean(given), clean(family)
    name = _NAME_NOISE.sub("", re.sub(r"^(?:and|&)\s+", "", name)).strip()
    if name.lower().startswith(("http://", "https://")):
        name = ""
    if not name and (given or family):
        name = " ".join(p for p in (given, family) if p)
    if not name:
        return None
    if "," in name and not given and not family:  # "Family, Given" -> display order
        g, f = split_name(name)
        given, family = g or "", f or ""
        name = " ".join(p for p in (given, family) if p) or name
    if not given and not family and not looks_like_organisation(name):
        g, f = split_name(name)
        given, family = g or "", f or ""
    affs = [a for a in (clean(x) for x in affiliations or []) if a]
    return Author(name=name, given=given or None, family=family or None,
                  affiliations=list(dict.fromkeys(affs)), orcid=normalise_orcid(orcid))


def authors_from_list(text: str) -> list[Author]:
    """Authors from one string: "A. Smith; B. Jones" or "Smith, A. and Jones, B."."""
    text = clean(text)
    parts = re.split(r"\s*;\s*|\s+and\s+", text) if (";" in text or " and " in text) else [text]
    return [a for a in (make_author(p) for p in parts) if a]


# --- keywords, pages, identifiers, types ---------------------------------------------------


def split_keywords(values: Any) -> list[str]:
    """Keywords from one or many strings, split on ';' (or ',' when there is no ';')."""
    items = values if isinstance(values, list) else [values]
    out: list[str] = []
    for item in items:
        text = clean(item)
        if not text:
            continue
        sep = ";" if ";" in text else ("," if "," in text else None)
        out.extend(clean(p).rstrip(".") for p in (text.split(sep) if sep else [text]))
    return list(dict.fromkeys(k for k in out if k))


def join_pages(first: Any, last: Any = None) -> str | None:
    """'12-34' from first and last page (either may already be a range)."""
    first, last = clean(first), clean(last)
    if first and last and last != first and "-" not in first:
        return f"{first}-{last}"
    return first.replace("\u2013", "-") or None


def doi_or_none(text: Any) -> str | None:
    """A normalised DOI if `text` is one (bare, doi:, URL), else one found inside it."""
    value = clean(text)
    if not value:
        return None
    try:
        return normalise_doi(value)
    except InvalidDOI:
        return find_doi(value)


_IDENTIFIER_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("handle", re.compile(r"^(?:hdl:|https?://hdl\.handle\.net/)(\d[\d.]*/\S+)$", re.I)),
    ("pmid", re.compile(r"^(?:pmid:?\s*|info:pmid/)(\d{1,9})$", re.I)),
    ("pmcid", re.compile(r"^(?:pmcid:?\s*)?(PMC\d+)$", re.I)),
    ("arxiv", re.compile(r"^(?:arxiv:|https?://arxiv\.org/abs/)(\S+)$", re.I)),
    ("isbn", re.compile(r"^(?:isbn:?\s*)?((?:97[89][- ]?)?(?:\d[- ]?){9}[\dXx])$", re.I)),
    ("issn", re.compile(r"^(?:issn:?\s*)?(\d{4}-\d{3}[\dXx])$", re.I)),
    ("urn", re.compile(r"^(urn:nbn:\S+)$", re.I)),
)


def classify_identifier(text: Any) -> tuple[str, str] | None:
    """('doi', '10.x/y'), ('handle', ...), ('isbn', ...) ... for an identifier string."""
    value = clean(text)
    if not value:
        return None
    if value.lower().startswith(("10.", "doi:", "info:doi/")) or "doi.org/" in value.lower():
        doi = doi_or_none(value)
        if doi:
            return "doi", doi
    for key, pattern in _IDENTIFIER_PATTERNS:
        if m := pattern.match(value):
            return key, m.group(1)
    return None


def normalise_type(text: Any) -> str | None:
    """Record.type for a vocabulary term ('ScholarlyArticle', 'JOUR', 'inproceedings'...);
    the one table of terms is extractors.types."""
    return record_type(clean(text))
