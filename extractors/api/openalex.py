"""OpenAlex API: a work (/works/W..., /works/doi:...) and works lists ({"meta", "results"})."""

from __future__ import annotations

import re
from typing import Any

from extractors.api._common import (
    as_list,
    build_record,
    dig,
    doi_or_none,
    iso_date,
    keep,
    language,
    make_author,
    page_range,
    plain,
    to_bool,
    to_int,
    unique,
    work_type,
)
from extractors.jats import abstract_from_text
from extractors.record import Record

NAME = "openalex"
HOSTS = ("api.openalex.org",)
WORK_ID = re.compile(r"^https://openalex\.org/(W\d+)$")
ENTITY_ID = re.compile(r"^https://openalex\.org/[A-Z]\d+$")
MAX_ABSTRACT_WORDS = 20_000  # positions beyond this are ignored (bounded work)


def sniff(data: Any) -> bool:
    if isinstance(data, dict) and isinstance(data.get("results"), list) and "meta" in data:
        first = data["results"][0] if data["results"] else {}
        return not first or (isinstance(first, dict) and _is_entity(first))
    return isinstance(data, dict) and _is_entity(data)


def parse_openalex(url: str, data: dict[str, Any] | list[Any]) -> list[Record]:
    """Works of an OpenAlex response; [] for errors, empty lists and non-work entities."""
    if not isinstance(data, dict):
        return []
    items = as_list(data["results"]) if isinstance(data.get("results"), list) else [data]
    return keep(_work(url, w) for w in items
                if isinstance(w, dict) and WORK_ID.match(str(w.get("id"))))


def _is_entity(data: dict[str, Any]) -> bool:
    return bool(ENTITY_ID.match(str(data.get("id"))))


def rebuild_abstract(index: Any) -> str | None:
    """The abstract text from OpenAlex's abstract_inverted_index ({word: [positions]})."""
    if not isinstance(index, dict) or not index:
        return None
    slots: dict[int, str] = {}
    for word, positions in index.items():
        for position in as_list(positions):
            if isinstance(position, int) and 0 <= position < MAX_ABSTRACT_WORDS:
                slots[position] = word
    return " ".join(slots[i] for i in sorted(slots)) or None


def _work(url: str, w: dict[str, Any]) -> Record:
    abstract, sections = abstract_from_text(rebuild_abstract(w.get("abstract_inverted_index")))
    location = w.get("primary_location") if isinstance(w.get("primary_location"), dict) else {}
    source = location.get("source") if isinstance(location.get("source"), dict) else {}
    venue = w.get("host_venue") if isinstance(w.get("host_venue"), dict) else {}  # old schema
    biblio = w.get("biblio") if isinstance(w.get("biblio"), dict) else {}
    best = w.get("best_oa_location") if isinstance(w.get("best_oa_location"), dict) else {}
    values = {
        "type": work_type(w.get("type_crossref"), w.get("type")),
        "title": plain(w.get("title")) or plain(w.get("display_name")),
        "authors": [a for a in map(_author, as_list(w.get("authorships"))) if a],
        "abstract": abstract,
        "abstract_sections": sections,
        "doi": doi_or_none(w.get("doi")) or doi_or_none(dig(w, "ids", "doi")),
        "identifiers": _identifiers(w, source or venue),
        "container": (plain(source.get("display_name")) or plain(venue.get("display_name"))
                      or plain(location.get("raw_source_name"))),
        "publisher": plain(source.get("host_organization_name")) or plain(venue.get("publisher")),
        "volume": plain(biblio.get("volume")),
        "issue": plain(biblio.get("issue")),
        "pages": page_range(biblio.get("first_page"), biblio.get("last_page")),
        "published": iso_date(w.get("publication_date")) or iso_date(w.get("publication_year")),
        "keywords": unique(plain(k.get("display_name") or k.get("keyword"))
                           for k in as_list(w.get("keywords")) if isinstance(k, dict)),
        "language": language(w.get("language")),
        "license": plain(location.get("license")) or plain(best.get("license")),
        "open_access": to_bool(dig(w, "open_access", "is_oa")),
        "citation_count": to_int(w.get("cited_by_count")),
        "funding": _funding(w),
    }
    return build_record(url, NAME, values)


def _author(authorship: Any) -> Any:
    if not isinstance(authorship, dict):
        return None
    person = authorship.get("author") if isinstance(authorship.get("author"), dict) else {}
    affiliations = as_list(authorship.get("raw_affiliation_strings")) or [
        i.get("display_name") for i in as_list(authorship.get("institutions"))
        if isinstance(i, dict)]
    return make_author(name=person.get("display_name") or authorship.get("raw_author_name"),
                       affiliations=affiliations, orcid=person.get("orcid"))


def _identifiers(w: dict[str, Any], source: dict[str, Any]) -> dict[str, str]:
    ids = w.get("ids") if isinstance(w.get("ids"), dict) else {}
    out = {}
    pmid = re.search(r"(\d+)\s*$", str(ids.get("pmid") or ""))
    pmcid = re.search(r"(?:PMC)?(\d+)/?\s*$", str(ids.get("pmcid") or ""), re.I)
    if pmid:
        out["pmid"] = pmid.group(1)
    if pmcid:
        out["pmcid"] = f"PMC{pmcid.group(1)}"
    work = WORK_ID.match(str(w.get("id")))
    if work:
        out["openalex"] = work.group(1)
    issn = plain(source.get("issn_l")) or plain(source.get("issn"))
    if issn:
        out["issn"] = issn
    return out


def _funding(w: dict[str, Any]) -> list[str]:
    """Funder names (current schema), else "funder (award)" from the older `grants` list.

    The current `awards` list is left out: it repeats one funder per award-id variant.
    """
    funders = [plain(f.get("display_name")) for f in as_list(w.get("funders"))
               if isinstance(f, dict)]
    if any(funders):
        return unique(funders)
    out = []
    for grant in as_list(w.get("grants")):
        if isinstance(grant, dict):
            name, award = plain(grant.get("funder_display_name")), plain(grant.get("award_id"))
            out.append(f"{name} ({award})" if name and award else name)
    return unique(out)
