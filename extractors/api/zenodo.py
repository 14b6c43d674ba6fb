"""Zenodo records API (/api/records/<id>) and search hits, in the legacy shape (metadata.creators
"Family, Given", resource_type) and the InvenioRDM one (person_or_org, pids, resource_type.id).

A deposit's description is the abstract, less the furniture depositors put around it: the
title again, an "et al." line, a "Published online: ..." line, a trailing data pointer.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from extractors.api._common import (
    as_list,
    build_record,
    deposit_abstract,
    dig,
    doi_or_none,
    iso_date,
    keep,
    language,
    make_author,
    page_range,
    plain,
    unique,
    work_type,
)
from extractors.embedded.values import split_name
from extractors.record import Record, Reference

NAME = "zenodo"
HOSTS = ("zenodo.org", "sandbox.zenodo.org")
PATH = "/api/"
# InvenioRDM sites by host -> the repository's name (the record's container).
REPOSITORIES = {"zenodo.org": "Zenodo", "sandbox.zenodo.org": "Zenodo Sandbox"}
RELATED = frozenset({"issupplementto", "issupplementedby", "isversionof", "isnewversionof",
                     "ispreviousversionof", "ispartof", "haspart", "isidenticalto",
                     "isderivedfrom", "issourceof", "isvariantformof", "isoriginalformof"})
REFERENCES = frozenset({"cites", "references"})


def sniff(data: Any) -> bool:
    hits = dig(data, "hits", "hits")
    first = hits[0] if isinstance(hits, list) and hits else data
    return (isinstance(first, dict) and isinstance(first.get("metadata"), dict)
            and ("conceptrecid" in first or "recid" in first or "pids" in first)
            and "title" in first["metadata"])


def parse_zenodo(url: str, data: dict[str, Any] | list[Any]) -> list[Record]:
    """One record per Zenodo record (a search page gives many); [] for errors."""
    if not isinstance(data, dict) or data.get("status") in (404, 410) and "metadata" not in data:
        return []
    hits = dig(data, "hits", "hits")
    items = as_list(hits) if isinstance(hits, list) else [data]
    return keep(_record(url, r) for r in items
                if isinstance(r, dict) and isinstance(r.get("metadata"), dict))


def _record(url: str, r: dict[str, Any]) -> Record:
    m = r["metadata"]
    title = plain(m.get("title"))
    creators = [a for a in map(_creator, as_list(m.get("creators"))) if a]
    abstract, sections = deposit_abstract(m.get("description"), title,
                                          [a.family or a.name for a in creators])
    journal = m.get("journal") if isinstance(m.get("journal"), dict) else {}
    values = {
        "type": _type(m.get("resource_type")),
        "title": title,
        "authors": creators,
        "abstract": abstract,
        "abstract_sections": sections,
        "doi": doi_or_none(r.get("doi")) or doi_or_none(m.get("doi"))
        or doi_or_none(dig(r, "pids", "doi", "identifier")),
        "identifiers": {"zenodo": str(r.get("recid") or r.get("id"))} if r.get("id") else {},
        "container": _repository(url, r),
        "publisher": plain(m.get("publisher")),
        "published": iso_date(m.get("publication_date")),
        "keywords": unique(plain(_subject(k)) for k in as_list(m.get("keywords"))
                           + as_list(m.get("subjects"))),
        "language": language(plain(m.get("language") or dig(m, "languages", 0, "id"))),
        "license": plain(dig(m, "license", "id") or dig(m, "rights", 0, "id")),
        "open_access": _open(m),
        "references": _related(m, REFERENCES),
        "related": _related(m, RELATED),
        "funding": unique(plain(dig(g, "funder", "name") or dig(g, "title"))
                          for g in as_list(m.get("grants") or m.get("funding"))),
    }
    if journal.get("title"):  # the journal a deposit was also published in: another version
        values["related"] = [*values["related"], Reference(
            text=", ".join(x for x in (plain(journal.get("title")), plain(journal.get("volume")),
                                       page_range(journal.get("pages"))) if x))]
    return build_record(url, NAME, values)


def _creator(c: Any) -> Any:
    if not isinstance(c, dict):
        return None
    person = c.get("person_or_org") if isinstance(c.get("person_or_org"), dict) else c
    name = plain(person.get("name"))
    given, family = plain(person.get("given_name")), plain(person.get("family_name"))
    if name and "," in name and not (given or family) and person.get("type") != "organizational":
        given, family = split_name(name)
    orcid = c.get("orcid") or next((i.get("identifier") for i in as_list(person.get("identifiers"))
                                    if isinstance(i, dict) and i.get("scheme") == "orcid"), None)
    affiliations = [a.get("name") if isinstance(a, dict) else a
                    for a in as_list(c.get("affiliations") or c.get("affiliation"))]
    if given and family:
        name = None  # "Family, Given" becomes "Given Family"
    return make_author(name=name, given=given, family=family, affiliations=affiliations,
                       orcid=orcid)


def _type(value: Any) -> str | None:
    if not isinstance(value, dict):
        return None
    names = [value.get("id"), value.get("subtype"), value.get("type"), value.get("title")]
    # InvenioRDM ids are "publication-article": the part after the dash is the kind
    return work_type([n.rsplit("-", 1)[-1] for n in names if isinstance(n, str) and n])


def _subject(value: Any) -> Any:
    return value.get("subject") or value.get("id") if isinstance(value, dict) else value


def _repository(url: str, r: dict[str, Any]) -> str | None:
    for candidate in (dig(r, "links", "self_html"), dig(r, "links", "self"), url):
        host = (urlsplit(candidate or "").hostname or "").lower().removeprefix("www.")
        if host in REPOSITORIES:
            return REPOSITORIES[host]
    return None


def _open(m: dict[str, Any]) -> bool | None:
    access = m.get("access_right") or dig(m, "access", "record")
    return {"open": True, "public": True, "closed": False, "restricted": False,
            "embargoed": False}.get(str(access).lower()) if access else None


def _related(m: dict[str, Any], relations: frozenset[str]) -> list[Reference]:
    out = []
    for r in as_list(m.get("related_identifiers")):
        if not isinstance(r, dict):
            continue
        relation = str(r.get("relation") or dig(r, "relation_type", "id") or "").lower()
        if relation not in relations:
            continue
        value = plain(r.get("identifier"))
        doi = doi_or_none(value) if value and str(r.get("scheme")).lower() == "doi" else None
        if doi:
            out.append(Reference(doi=doi))
        elif value:
            out.append(Reference(url=value))
    return out
