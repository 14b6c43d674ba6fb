"""Semantic Scholar Graph API: /paper/<id>, /paper/search (and /search/match), POST /paper/batch
(a list with null for unknown ids), and citation/reference items ({"citingPaper": ...})."""

from __future__ import annotations

from typing import Any

from extractors.api._common import (
    as_list,
    build_record,
    dig,
    doi_or_none,
    iso_date,
    keep,
    make_author,
    plain,
    to_bool,
    to_int,
    unique,
    work_type,
)
from extractors.jats import abstract_from_text
from extractors.record import Record, Reference

NAME = "semanticscholar"
HOSTS = ("api.semanticscholar.org",)
WRAPPERS = ("citingPaper", "citedPaper")  # citation and reference items wrap the paper
# externalIds keys -> identifiers keys (the DOI goes to Record.doi)
EXTERNAL_IDS = {"PubMed": "pmid", "PubMedCentral": "pmcid", "ArXiv": "arxiv", "DBLP": "dblp"}


def sniff(data: Any) -> bool:
    items = data if isinstance(data, list) else as_list(dig(data, "data")) or [data]
    first = next((i for i in items if isinstance(i, dict)), None)
    if first is None:
        return False
    first = next((first[k] for k in WRAPPERS if isinstance(first.get(k), dict)), first)
    return "paperId" in first or "authorId" in first


def parse_semanticscholar(url: str, data: dict[str, Any] | list[Any]) -> list[Record]:
    """Papers of an S2 response; [] for {"error": ...}, author lists and empty results."""
    if isinstance(data, dict) and ("error" in data or "message" in data and "data" not in data):
        return []
    if isinstance(data, list):
        items = as_list(data)
    elif isinstance(data.get("data"), list):
        items = as_list(data["data"])
    else:
        items = [data]
    papers = []
    for item in items:
        if not isinstance(item, dict):
            continue
        item = next((item[k] for k in WRAPPERS if isinstance(item.get(k), dict)), item)
        if "paperId" in item:
            papers.append(item)
    return keep(_paper(url, p) for p in papers)


def _paper(url: str, p: dict[str, Any]) -> Record:
    abstract, sections = abstract_from_text(p.get("abstract") if isinstance(
        p.get("abstract"), str) else None)
    journal = p.get("journal") if isinstance(p.get("journal"), dict) else {}
    venue = p.get("publicationVenue") if isinstance(p.get("publicationVenue"), dict) else {}
    pdf = p.get("openAccessPdf") if isinstance(p.get("openAccessPdf"), dict) else {}
    values = {
        "type": work_type(p.get("publicationTypes")),
        "title": plain(p.get("title")),
        "authors": [a for a in map(_author, as_list(p.get("authors"))) if a],
        "abstract": abstract,
        "abstract_sections": sections,
        "doi": doi_or_none(dig(p, "externalIds", "DOI")),
        "identifiers": _identifiers(p),
        "container": plain(journal.get("name")) or plain(venue.get("name")) or plain(
            p.get("venue")),
        "volume": plain(journal.get("volume")),
        "pages": plain(journal.get("pages")),
        "published": iso_date(p.get("publicationDate")) or iso_date(p.get("year")),
        "keywords": unique(plain(f) for f in as_list(p.get("fieldsOfStudy"))),
        "license": plain(pdf.get("license")),
        "open_access": to_bool(p.get("isOpenAccess")),
        "citation_count": to_int(p.get("citationCount")),
        "references": [r for r in map(_reference, as_list(p.get("references"))) if r],
    }
    return build_record(url, NAME, values)


def _author(a: Any) -> Any:
    if not isinstance(a, dict):
        return None
    return make_author(name=a.get("name"), affiliations=as_list(a.get("affiliations")))


def _identifiers(p: dict[str, Any]) -> dict[str, str]:
    external = p.get("externalIds") if isinstance(p.get("externalIds"), dict) else {}
    ids = {key: plain(external.get(name)) for name, key in EXTERNAL_IDS.items()}
    if ids.get("pmcid") and not ids["pmcid"].upper().startswith("PMC"):
        ids["pmcid"] = f"PMC{ids['pmcid']}"
    ids["s2"] = plain(p.get("paperId"))
    return {k: v for k, v in ids.items() if v}


def _reference(paper: Any) -> Reference | None:
    if not isinstance(paper, dict):
        return None
    doi, title = doi_or_none(dig(paper, "externalIds", "DOI")), plain(paper.get("title"))
    return Reference(doi=doi, title=title) if doi or title else None
