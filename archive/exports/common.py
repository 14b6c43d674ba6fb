"""What every citation format needs from a Record: its kind, names, dates, pages and a key.

The tables are data so a new Record type is one line here, not a branch in each writer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from extractors.record import Author, Record
from extractors.types import record_type

# Record.type (extractors.types, which also reads Crossref/DataCite spellings) -> our kind.
KIND_OF_TYPE: dict[str, str] = {
    "article": "article", "chapter": "chapter", "book": "book", "report": "report",
    "thesis": "thesis", "conference-paper": "conference", "preprint": "preprint",
    "dataset": "dataset", "project": "project", "webpage": "webpage",
}


@dataclass(frozen=True)
class Kind:
    bibtex: str
    ris: str
    csl: str


# kind -> entry type in each format. CSL types are CSL 1.0.1 (what citeproc-py knows).
KINDS: dict[str, Kind] = {
    "article": Kind("article", "JOUR", "article-journal"),
    "chapter": Kind("incollection", "CHAP", "chapter"),
    "book": Kind("book", "BOOK", "book"),
    "report": Kind("techreport", "RPRT", "report"),
    "thesis": Kind("phdthesis", "THES", "thesis"),
    "conference": Kind("inproceedings", "CPAPER", "paper-conference"),
    "preprint": Kind("misc", "UNPB", "article"),
    "dataset": Kind("misc", "DATA", "dataset"),
    "project": Kind("misc", "GEN", "webpage"),
    "webpage": Kind("misc", "ELEC", "webpage"),
}
OTHER = Kind("misc", "GEN", "article")

# Words skipped when a citation key takes the title's first word (as Google Scholar does).
KEY_STOPWORDS = frozenset(
    "a an the on of in and for to towards toward from with what how why is are do does".split()
)
# Letters NFKD does not split into an ASCII base + accent.
_ASCII_EXTRA = str.maketrans(
    {"ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "œ": "oe", "Œ": "OE", "ł": "l",
     "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "Th", "ı": "i"}
)
_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_PAGES = re.compile(r"^\s*([^\s\-–—]+)\s*(?:-+|–|—)\s*([^\s\-–—]+)\s*$")
_SPACE = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_WORDS = re.compile(r"[^\w'’-]+")  # hyphens stay inside a word: "co-production" -> coproduction


def kind_of(record: Record) -> Kind:
    return KINDS.get(KIND_OF_TYPE.get(record_type(record.type) or "", ""), OTHER)


def one_line(text: object) -> str:
    """Whitespace (newlines included) collapsed and control characters dropped: every
    format here wants a value on one line of plain text."""
    if text is None:
        return ""
    return _SPACE.sub(" ", _CONTROL.sub("", str(text))).strip()


def name_parts(author: Author) -> tuple[str | None, str | None]:
    """(family, given) where known. A bare name with no comma stays whole (family None):
    it may be an organisation, and guessing where a person's surname starts goes wrong
    for too many naming orders to be worth it."""
    if author.family:
        return author.family.strip(), (author.given or "").strip() or None
    name = one_line(author.name)
    if "," in name:
        family, given = name.split(",", 1)
        return family.strip() or None, given.strip() or None
    return None, None


def date_parts(published: str | None) -> list[int]:
    """[year] / [year, month] / [year, month, day] from an ISO date, as precise as it is."""
    match = _DATE.match(published or "")
    if not match:
        return []
    parts = [int(p) for p in match.groups() if p]
    if len(parts) > 1 and not 1 <= parts[1] <= 12:
        return parts[:1]
    if len(parts) > 2 and not 1 <= parts[2] <= 31:
        return parts[:2]
    return parts


def page_range(pages: str | None) -> tuple[str | None, str | None]:
    """("123", "145") from "123-145" / "123–145"; ("e0123", None) for an article number."""
    text = one_line(pages)
    if not text:
        return None, None
    match = _PAGES.match(text)
    if match:
        return match.group(1), match.group(2)
    return text, None


def ascii_fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_ASCII_EXTRA))
    return decomposed.encode("ascii", "ignore").decode("ascii")


def _key_stem(record: Record) -> str:
    family = ""
    if record.authors:
        first = record.authors[0]
        family = name_parts(first)[0] or one_line(first.name).split(" ")[-1]
    family = re.sub(r"[^a-z0-9]", "", ascii_fold(family).lower()) or "anon"
    year = str(record.year) if record.year else "nd"
    word = ""
    for token in _WORDS.split(record.title or ""):
        token = re.sub(r"[^a-z0-9]", "", ascii_fold(token).lower())
        if token and token not in KEY_STOPWORDS:
            word = token[:20]
            break
    return f"{family}{year}{word}"


def citation_keys(records: Iterable[Record]) -> Iterator[tuple[str, Record]]:
    """(key, record) pairs: family name + year + first title word, ASCII letters and
    digits only, made unique in this export with a, b, ... z, aa ... suffixes."""
    seen: set[str] = set()
    for record in records:
        stem = key = _key_stem(record)
        n = 0
        while key in seen:
            n += 1
            key = stem + _suffix(n)
        seen.add(key)
        yield key, record


def _suffix(n: int) -> str:
    letters = ""
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(ord("a") + rem) + letters
    return letters
