"""Helpers every API adapter shares: building a Record with provenance, and value normalisers.

Adapters build a plain dict of field values and hand it to `build_record`, which keeps the
non-empty ones and records "api:<name>" as each field's source.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from lxml import etree

from extractors.doi import InvalidDOI, find_doi, normalise_doi
from extractors.jats import abstract_from_markup, markup_to_text, split_keywords_tail
from extractors.record import Author, Record, Section
from extractors.types import record_type

MAX_ITEMS = 10_000  # list responses: items beyond this are ignored (bounded work)

# ISO 639-2 (PubMed, Europe PMC, DataCite) to the two-letter codes Crossref and OpenAlex use.
LANGUAGES: dict[str, str] = {
    "eng": "en", "fre": "fr", "fra": "fr", "ger": "de", "deu": "de", "spa": "es", "ita": "it",
    "por": "pt", "dut": "nl", "nld": "nl", "dan": "da", "nor": "no", "nob": "nb", "nno": "nn",
    "swe": "sv", "fin": "fi", "chi": "zh", "zho": "zh", "jpn": "ja", "rus": "ru", "kor": "ko",
    "pol": "pl", "ice": "is", "isl": "is", "tur": "tr", "gre": "el", "ell": "el", "cze": "cs",
    "ces": "cs", "hun": "hu", "heb": "he", "ara": "ar", "est": "et",
}
MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}

_ORCID = re.compile(r"(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dXx])")
_ISO_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_TEXT_DATE = re.compile(r"^(\d{4})(?:[\s/-]+([A-Za-z]{3})[a-z]*\.?(?:[\s/-]+(\d{1,2}))?)?")
# Paragraphs depositors put around a description (repositories: Zenodo, DataCite deposits):
# the title again, "Holmes et al.", "Published online: 18-Aug-2021, Cell, https://doi...".
_FRONT_MATTER = re.compile(r"^(?:published (?:online|in|as)\b|cite (?:as|this)\b|please cite\b|"
                           r"doi:|https?://\S+$)|\bet al\.?$", re.I)
_URL_ONLY = re.compile(r"^\s*(?:https?://|www\.)\S+\s*$")
MAX_FRONT_MATTER = 200  # characters: longer paragraphs are the description itself
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                              huge_tree=False, remove_comments=True, remove_pis=True)


def build_record(url: str, name: str, values: dict[str, Any]) -> Record:
    """A Record from field values; empty ones are left out and each filled one is sourced.
    A keyword list run on at the end of the abstract becomes the keywords."""
    if isinstance(values.get("abstract"), str) and not values.get("abstract_sections"):
        values["abstract"], keywords = split_keywords_tail(values["abstract"])
        values["keywords"] = values.get("keywords") or keywords
    record = Record(source_url=url)
    source = f"api:{name}"
    for field, value in values.items():
        if value in (None, "", [], {}):
            continue
        setattr(record, field, value)
        record.provenance.fields[field] = source
    return record


def keep(records: Iterable[Record | None]) -> list[Record]:
    """Records that name a work (a title or a DOI); search hits with neither are dropped."""
    return [r for r in records if r is not None and (r.title or r.doi)]


def plain(value: Any) -> str | None:
    """Plain text of a string or the first non-empty string of a list, markup removed."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v.strip()), None)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    return markup_to_text(value) or None


def dig(data: Any, *path: str | int) -> Any:
    """data[p0][p1]... or None where any step is missing or of the wrong kind."""
    for step in path:
        if isinstance(step, int):
            if not isinstance(data, list) or not -len(data) <= step < len(data):
                return None
        elif not isinstance(data, dict):
            return None
        data = data[step] if isinstance(step, int) else data.get(step)
    return data


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value[:MAX_ITEMS] if isinstance(value, list) else [value]


def doi_or_none(value: Any) -> str | None:
    """A normalised DOI from a bare DOI or doi.org URL; None for anything else."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return normalise_doi(value)
    except InvalidDOI:
        return find_doi(value)


def normalise_orcid(value: Any) -> str | None:
    """0000-0002-1825-0097 from a bare iD or an orcid.org URL; None when the checksum fails."""
    if not isinstance(value, str):
        return None
    match = _ORCID.search(value)
    if not match:
        return None
    digits = "".join(match.groups()).upper()
    total = 0
    for ch in digits[:-1]:
        total = (total + int(ch)) * 2
    check = (12 - total % 11) % 11
    if digits[-1] != ("X" if check == 10 else str(check)):
        return None
    return "-".join(digits[i: i + 4] for i in range(0, 16, 4))


def make_author(name: str | None = None, given: str | None = None, family: str | None = None,
                affiliations: Iterable[Any] = (), orcid: Any = None) -> Author | None:
    given, family = plain(given), plain(family)
    name = plain(name) or " ".join(x for x in (given, family) if x)
    if not name:
        return None
    affs = unique(plain(a) for a in affiliations)
    return Author(name=name, given=given, family=family, affiliations=affs,
                  orcid=normalise_orcid(orcid))


def unique(values: Iterable[str | None]) -> list[str]:
    """Non-empty strings, first occurrence kept, compared case-insensitively."""
    seen: set[str] = set()
    out = []
    for value in values:
        if value and value.casefold() not in seen:
            seen.add(value.casefold())
            out.append(value)
    return out


def work_type(*raw: Any) -> str | None:
    """The Record type for the first API type name the table knows ("other" if none is known)."""
    names = [name.strip() for value in raw for v in as_list(value) if isinstance(v, str)
             for name in v.split(";") if name.strip()]  # Europe PMC lite: "a; b"
    if not names:
        return None
    return next((kind for kind in map(record_type, names) if kind), "other")


def language(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    code = value.strip().lower()
    return LANGUAGES.get(code, code)


def to_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def to_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().upper() in {"Y", "YES", "TRUE"}:
        return True
    if isinstance(value, str) and value.strip().upper() in {"N", "NO", "FALSE"}:
        return False
    return None


def page_range(first: Any, last: Any = None) -> str | None:
    first, last = plain(first), plain(last)
    if first and last and last != first:
        return f"{first}-{last}"
    return first


def date_from_parts(value: Any) -> str | None:
    """ISO date from Crossref/CSL {"date-parts": [[2014, 2, 27]]}, as precise as given."""
    parts = dig(value, "date-parts", 0)
    if not isinstance(parts, list) or not parts:
        return None
    numbers = []
    for part in parts[:3]:
        number = to_int(part)
        if number is None:
            break
        numbers.append(number)
    return _iso(*numbers) if numbers else None


def iso_date(value: Any) -> str | None:
    """ISO date from "2019", "2019-02-07T09:22:51Z", "2025 Dec", "2025 Dec 5", or a year int."""
    if isinstance(value, int) and not isinstance(value, bool):
        return _iso(value)
    if not isinstance(value, str):
        return None
    value = value.strip()
    match = _ISO_DATE.match(value)
    if match and (len(value) == 4 or value[4:5] == "-"):
        return _iso(*(int(g) for g in match.groups() if g))
    match = _TEXT_DATE.match(value)
    if match:
        month = MONTHS.get((match.group(2) or "").lower())
        day = int(match.group(3)) if match.group(3) and month else None
        return _iso(int(match.group(1)), month, day)
    return None


def earliest(dates: Iterable[str | None]) -> str | None:
    """The earliest date; a coarse date ("2019") gives way to a precise one inside it."""
    known = [d for d in dates if d]
    return min(known, key=lambda d: (d + "-99-99")[:10], default=None)


def _iso(year: int, month: int | None = None, day: int | None = None) -> str | None:
    if not 1000 <= year <= 2999:
        return None
    if month is None or not 1 <= month <= 12:
        return f"{year:04d}"
    if day is None or not 1 <= day <= 31:
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}"


def deposit_abstract(markup: Any, title: str | None = None, names: Iterable[str | None] = (),
                     ) -> tuple[str, list[Section]]:
    """(abstract, sections) of a deposited description without the paragraphs around it that
    are no part of it: leading title, author and citation lines; trailing bare links and the
    "... are available from:" line that introduces them."""
    text, sections = abstract_from_markup(markup if isinstance(markup, str) else None)
    if sections or not text:
        return text, sections
    paragraphs = text.split("\n\n")
    families = {n.casefold() for n in names if n}
    while len(paragraphs) > 1 and _front_matter(paragraphs[0], title or "", families):
        paragraphs.pop(0)
    while len(paragraphs) > 1 and _URL_ONLY.match(paragraphs[-1]):
        paragraphs.pop()
        if len(paragraphs) > 1 and paragraphs[-1].rstrip().endswith(":"):
            paragraphs.pop()
    return "\n\n".join(paragraphs), []


def _front_matter(paragraph: str, title: str, families: set[str]) -> bool:
    if len(paragraph) > MAX_FRONT_MATTER:
        return False
    if title and paragraph.strip(" .").casefold() == title.strip(" .").casefold():
        return True
    words = re.findall(r"[^\W\d_]+", paragraph.casefold())
    if families and words and sum(w in families for w in words) >= max(1, len(words) // 2):
        return True  # an author line: "Holmes, Goldstein and Rasmussen"
    return bool(_FRONT_MATTER.search(paragraph.strip()))


def parse_xml(body: bytes) -> etree._Element | None:
    """Root of an XML document parsed without entities, DTDs or network; None if not XML."""
    try:
        return etree.fromstring(body, _XML_PARSER)
    except (etree.XMLSyntaxError, ValueError):
        return None
