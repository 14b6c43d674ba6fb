"""BibTeX: @article / @incollection / @book / @techreport / @misc entries, UTF-8.

Written by hand: once keys and LaTeX escaping are ours (they are the hard part),
bibtexparser's writer would only add `key = {value}` formatting, and writing here
keeps it a test-only dependency (the tests parse every export back with it).
Non-ASCII letters stay as UTF-8 (biber and bibtex8 read it); only the characters
LaTeX treats as syntax are escaped.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TextIO

from extractors.record import Author, Record

from .common import citation_keys, kind_of, name_parts, one_line, page_range

_LATEX = str.maketrans(
    {
        "\\": r"\textbackslash{}",
        "&": r"\&",
        "%": r"\%",
        "$": r"\$",
        "#": r"\#",
        "_": r"\_",
        "~": r"\textasciitilde{}",
        "^": r"\textasciicircum{}",
    }
)
# Which field holds Record.container, by entry type.
CONTAINER_FIELD = {
    "article": "journal",
    "incollection": "booktitle",
    "inproceedings": "booktitle",
    "misc": "howpublished",
    "book": "series",
    "techreport": "series",
    "phdthesis": "series",
}
# Which field names the issuing body (from organisation, else publisher), by entry type.
BODY_FIELD = {"techreport": "institution", "phdthesis": "school"}


def escape(text: str | None) -> str:
    """LaTeX-escape text for a brace-delimited field.

    BibTeX counts every brace, escaped or not, so a value must stay balanced: paired
    braces become \\{ \\}, and a brace without a partner becomes \\textbraceleft{} or
    \\textbraceright{} (same glyph, no brace of its own to count).
    """
    text = one_line(text)
    unmatched: set[int] = set()
    opened: list[int] = []
    for i, char in enumerate(text):
        if char == "{":
            opened.append(i)
        elif char == "}":
            if opened:
                opened.pop()
            else:
                unmatched.add(i)
    unmatched.update(opened)
    out = []
    for i, char in enumerate(text):
        if char in "{}":
            if i in unmatched:
                out.append(r"\textbraceleft{}" if char == "{" else r"\textbraceright{}")
            else:
                out.append("\\" + char)
        else:
            out.append(char.translate(_LATEX))
    return "".join(out)


def _verbatim(text: str | None) -> str:
    """For url and doi, which LaTeX reads verbatim: no escapes, only braces made safe."""
    return one_line(text).replace("{", "%7B").replace("}", "%7D")


def _author(author: Author) -> str:
    family, given = name_parts(author)
    if family:
        return f"{_name_part(family)}, {_name_part(given)}" if given else _name_part(family)
    return "{" + escape(author.name) + "}"  # an organisation, or a name we won't split


def _name_part(text: str) -> str:
    """A word "and" inside a name would split it into two authors: brace that part."""
    escaped = escape(text)
    return "{" + escaped + "}" if " and " in f" {text.lower()} " else escaped


def _fields(record: Record, entry_type: str) -> Iterator[tuple[str, str]]:
    start, end = page_range(record.pages)
    body = record.organisation or record.publisher
    yield "title", escape(record.title)
    yield "author", " and ".join(_author(a) for a in record.authors)
    if record.container:
        yield CONTAINER_FIELD.get(entry_type, "howpublished"), escape(record.container)
    if entry_type in BODY_FIELD and body:
        yield BODY_FIELD[entry_type], escape(body)
    if record.publisher and entry_type not in BODY_FIELD:
        yield "publisher", escape(record.publisher)
    yield "year", str(record.year or "")
    yield "volume", escape(record.volume)
    yield "number", escape(record.issue)
    yield "pages", escape(f"{start}--{end}" if end else start)
    yield "doi", _verbatim(record.doi)
    yield "url", _verbatim(record.source_url)
    yield "isbn", escape(record.identifiers.get("isbn"))
    yield "issn", escape(record.identifiers.get("issn"))
    yield "language", escape(record.language)
    yield "keywords", ", ".join(escape(k) for k in record.keywords if one_line(k))
    yield "abstract", escape(record.abstract)


def write_bibtex(records: Iterable[Record], stream: TextIO) -> None:
    for key, record in citation_keys(records):
        entry_type = kind_of(record).bibtex
        stream.write(f"@{entry_type}{{{key},\n")
        for name, value in _fields(record, entry_type):
            if value:
                stream.write(f"  {name} = {{{value}}},\n")
        stream.write("}\n\n")
