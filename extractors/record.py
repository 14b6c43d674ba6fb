"""The Record (v1): one work, as DESIGN.md defines it, plus the result of one extraction.

Plain dataclasses so a Record round-trips through JSON (WARC metadata records,
the catalog, exports) without any library in between.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any

# Evidence layers, richest first. A field's source is "<layer>:<detail>",
# e.g. "api:crossref", "embedded:highwire", "export:ris", "platform:cambridge", "text:trafilatura".
LAYERS: tuple[str, ...] = ("api", "embedded", "export", "platform", "text")


@dataclass
class Author:
    name: str
    given: str | None = None
    family: str | None = None
    affiliations: list[str] = field(default_factory=list)
    orcid: str | None = None


@dataclass
class Person:
    """Someone named on a project page: the PI, a postdoc, a contact."""

    name: str
    role: str | None = None
    email: str | None = None
    phone: str | None = None
    affiliation: str | None = None


@dataclass
class Section:
    """One labelled part of a structured abstract (Purpose, Methods, Findings...)."""

    label: str
    text: str


@dataclass
class Reference:
    """A cited or related work: a citation string, with a DOI or URL where the page gives one."""

    text: str | None = None
    doi: str | None = None
    title: str | None = None
    url: str | None = None


@dataclass
class Provenance:
    warc_file: str | None = None
    warc_record_id: str | None = None  # the response record the record came from
    offset: int | None = None
    fetched_at: str | None = None
    extractor_version: str | None = None
    fields: dict[str, str] = field(default_factory=dict)  # field name -> source layer
    captures: list[str] = field(default_factory=list)  # every response record id it rests on
    notes: list[str] = field(default_factory=list)  # e.g. "landing page: challenge (cloudflare)"


@dataclass
class Record:
    type: str = "article"
    title: str = ""
    source_url: str = ""
    authors: list[Author] = field(default_factory=list)
    abstract: str | None = None
    abstract_sections: list[Section] = field(default_factory=list)
    doi: str | None = None
    identifiers: dict[str, str] = field(default_factory=dict)  # pmid, pmcid, arxiv, handle, oai, isbn, issn
    container: str | None = None
    publisher: str | None = None
    organisation: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    published: str | None = None  # ISO date, as precise as known: 2020, 2020-09, 2020-09-15
    keywords: list[str] = field(default_factory=list)
    language: str | None = None
    license: str | None = None
    open_access: bool | None = None
    citation_count: int | None = None
    references: list[Reference] = field(default_factory=list)
    related: list[Reference] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    funding: list[str] = field(default_factory=list)
    relevance: dict[str, Any] | None = None
    provenance: Provenance = field(default_factory=Provenance)

    @property
    def year(self) -> int | None:
        if self.published and self.published[:4].isdigit():
            return int(self.published[:4])
        return None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict; empty values are left out so records stay readable."""
        return _pruned(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Record:
        known = {f.name for f in fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in known}
        kwargs["authors"] = [Author(**a) for a in data.get("authors", [])]
        kwargs["abstract_sections"] = [Section(**s) for s in data.get("abstract_sections", [])]
        kwargs["references"] = [Reference(**r) for r in data.get("references", [])]
        kwargs["related"] = [Reference(**r) for r in data.get("related", [])]
        kwargs["people"] = [Person(**p) for p in data.get("people", [])]
        kwargs["provenance"] = Provenance(**data.get("provenance", {}))
        return cls(**kwargs)


@dataclass
class Extraction:
    """What one page or API response yielded.

    `record` is None when the input holds no work (an anti-bot challenge, an
    empty search result); `reason` then says why. `export_links` are the
    publisher's own RIS/BibTeX citation exports the crawler should fetch.
    """

    record: Record | None
    reason: str | None = None
    export_links: list[str] = field(default_factory=list)


# Provenance that says which capture a record was read from, not what it says.
PROVENANCE_POINTERS = ("warc_file", "warc_record_id", "offset", "fetched_at", "captures")


def same_content(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Two Record dicts equal but for provenance pointers and private (`_`) keys."""
    def content(record: dict[str, Any]) -> dict[str, Any]:
        provenance = {k: v for k, v in record.get("provenance", {}).items()
                      if k not in PROVENANCE_POINTERS}
        return {**{k: v for k, v in record.items() if not k.startswith("_")}, "provenance": provenance}
    return content(a) == content(b)


_EMPTY = (None, "", [], {})


def _pruned(value: Any) -> Any:
    """dataclasses.asdict with empty values left out, in one pass (asdict deep-copies every
    value first: converting a record cost ~4x more that way, on the crawl's reactor)."""
    if value is None or isinstance(value, (str, int, float)):
        return value
    if isinstance(value, dict):
        pairs = [(k, _pruned(v)) for k, v in value.items()]
    elif (names := _field_names(type(value))) is not None:
        pairs = [(name, _pruned(getattr(value, name))) for name in names]
    elif isinstance(value, list):
        return [_pruned(v) for v in value]
    else:
        return copy.deepcopy(value) if isinstance(value, tuple) else value
    return {k: v for k, v in pairs if v not in _EMPTY}


@functools.cache
def _field_names(cls: type) -> tuple[str, ...] | None:
    return tuple(f.name for f in fields(cls)) if is_dataclass(cls) else None
