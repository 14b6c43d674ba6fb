"""CiteSeerX API (/api/paper?paper_id=...): {"query_id", "paper": {...}} with title, authors,
abstract, venue/journal, year and the source PDF. "0" and "" mean unknown."""

from __future__ import annotations

from typing import Any

from extractors.api._common import (
    as_list,
    build_record,
    doi_or_none,
    iso_date,
    keep,
    make_author,
    plain,
    to_int,
)
from extractors.jats import abstract_from_markup
from extractors.record import Record

NAME = "citeseerx"
HOSTS = ("citeseerx.ist.psu.edu",)
PATH = "/api/"


def sniff(data: Any) -> bool:
    paper = data.get("paper") if isinstance(data, dict) else None
    return isinstance(paper, dict) and "title" in paper and (
        "cluster_id" in paper or "n_cited_by" in paper)


def parse_citeseerx(url: str, data: dict[str, Any] | list[Any]) -> list[Record]:
    """The paper of one API answer; [] when it holds none."""
    paper = data.get("paper") if isinstance(data, dict) else None
    return keep([_paper(url, paper)]) if isinstance(paper, dict) else []


def _paper(url: str, p: dict[str, Any]) -> Record:
    abstract, sections = abstract_from_markup(p.get("abstract") if isinstance(
        p.get("abstract"), str) else None)
    year = to_int(p.get("year"))
    values = {
        "title": plain(p.get("title")),
        "authors": [a for a in (make_author(name=n) for n in as_list(p.get("authors"))
                                if isinstance(n, str)) if a],
        "abstract": abstract,
        "abstract_sections": sections,
        "doi": doi_or_none(p.get("doi")) if p.get("doi") else None,
        "identifiers": {"citeseerx": plain(p.get("id"))} if plain(p.get("id")) else {},
        "container": plain(p.get("journal")) or plain(p.get("venue")),
        "publisher": plain(p.get("publisher")),
        "published": iso_date(year) if year else None,  # "0": unknown
        "citation_count": to_int(p.get("n_cited_by")) or None,
    }
    return build_record(url, NAME, values)
