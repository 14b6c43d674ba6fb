"""DataCite REST API (JSON:API): /dois/<doi> and /dois lists, and bare {"attributes": ...}."""

from __future__ import annotations

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
    to_int,
    unique,
    work_type,
)
from extractors.jats import abstract_from_markup
from extractors.record import Record, Reference

NAME = "datacite"
HOSTS = ("api.datacite.org", "api.test.datacite.org")
ABSTRACT_TYPES = ("Abstract", None)  # descriptionType, in order of preference
REFERENCE_RELATIONS = frozenset({"Cites", "References"})
RELATED_RELATIONS = frozenset({
    "IsVariantFormOf", "IsOriginalFormOf", "IsIdenticalTo", "IsVersionOf", "HasVersion",
    "IsNewVersionOf", "IsPreviousVersionOf", "IsSupplementTo", "IsSupplementedBy", "IsPartOf",
    "HasPart", "IsPublishedIn",
})
DATE_TYPES = ("Issued", "Available", "Created")
# Kinds of work a repository holds and publishes itself (Dryad, figshare, arXiv, Zenodo):
# with no container of their own, the repository (the DOI's publisher) is where they are.
REPOSITORY_TYPES = frozenset({
    "Dataset", "Software", "Preprint", "Collection", "Image", "Audiovisual", "Sound", "Model",
    "Workflow", "PhysicalObject", "InteractiveResource", "ComputationalNotebook", "Poster",
    "Presentation", "OutputManagementPlan", "StudyRegistration", "Instrument",
})
# resourceTypeGeneral "Text" says little; the citeproc/bibtex/ris types then decide.
TYPE_KEYS = ("resourceTypeGeneral", "citeproc", "bibtex", "ris")


def sniff(data: Any) -> bool:
    if not isinstance(data, dict):
        return False
    items = data.get("data", data)
    first = items[0] if isinstance(items, list) and items else items
    return isinstance(first, dict) and first.get("type") == "dois" and "attributes" in first


def parse_datacite(url: str, data: dict[str, Any] | list[Any]) -> list[Record]:
    """DOI records of a DataCite response; [] for errors and empty lists."""
    if not isinstance(data, dict) or "errors" in data:
        return []
    items = as_list(data.get("data", data))
    return keep(_doi(url, item.get("attributes")) for item in items
                if isinstance(item, dict) and isinstance(item.get("attributes"), dict))


def _doi(url: str, a: dict[str, Any]) -> Record:
    abstract, sections = abstract_from_markup(_description(a))
    container = a.get("container") if isinstance(a.get("container"), dict) else {}
    values = {
        "type": _type(a),
        "title": _title(a),
        "authors": [x for x in map(_creator, as_list(a.get("creators"))) if x],
        "abstract": abstract,
        "abstract_sections": sections,
        "doi": doi_or_none(a.get("doi")),
        "identifiers": _identifiers(a, container),
        "container": plain(container.get("title")) or _repository(a),
        "publisher": plain(dig(a, "publisher", "name") or a.get("publisher")),
        "volume": plain(container.get("volume")),
        "issue": plain(container.get("issue")),
        "pages": page_range(container.get("firstPage"), container.get("lastPage")),
        "published": _published(a),
        "keywords": unique(_subject(s) for s in as_list(a.get("subjects"))),
        "language": language(a.get("language")),
        "license": next((plain(r.get("rightsUri")) for r in as_list(a.get("rightsList"))
                         if isinstance(r, dict) and r.get("rightsUri")), None),
        "citation_count": to_int(a.get("citationCount")),
        "references": _related(a, REFERENCE_RELATIONS),
        "related": _related(a, RELATED_RELATIONS),
        "funding": unique(map(_funder, as_list(a.get("fundingReferences")))),
    }
    return build_record(url, NAME, values)


def _repository(a: dict[str, Any]) -> str | None:
    """The publisher of a dataset, software or preprint: the repository that holds it."""
    kind = dig(a, "types", "resourceTypeGeneral")
    return plain(dig(a, "publisher", "name") or a.get("publisher")) \
        if kind in REPOSITORY_TYPES else None


def _title(a: dict[str, Any]) -> str | None:
    titles = [t for t in as_list(a.get("titles")) if isinstance(t, dict)]
    main = next((plain(t.get("title")) for t in titles if not t.get("titleType")), None)
    main = main or next((plain(t.get("title")) for t in titles), None)
    sub = next((plain(t.get("title")) for t in titles if t.get("titleType") == "Subtitle"), None)
    return f"{main}: {sub}" if main and sub else main


def _creator(c: Any) -> Any:
    if not isinstance(c, dict):
        return None
    affiliations = [x.get("name") if isinstance(x, dict) else x
                    for x in as_list(c.get("affiliation"))]
    orcid = next((i.get("nameIdentifier") for i in as_list(c.get("nameIdentifiers"))
                  if isinstance(i, dict) and str(i.get("nameIdentifierScheme")).upper() == "ORCID"),
                 None)
    given, family = c.get("givenName"), c.get("familyName")
    name = c.get("name")
    if given and family:
        name = None  # "Family, Given" becomes "Given Family"
    return make_author(name=name, given=given, family=family, affiliations=affiliations,
                       orcid=orcid)


def _description(a: dict[str, Any]) -> str | None:
    descriptions = [d for d in as_list(a.get("descriptions")) if isinstance(d, dict)]
    for kind in ABSTRACT_TYPES:
        for d in descriptions:
            if d.get("descriptionType") == kind and isinstance(d.get("description"), str):
                return d["description"]
    return None


def _identifiers(a: dict[str, Any], container: dict[str, Any]) -> dict[str, str]:
    ids: dict[str, str] = {}
    pairs = [(i.get("identifierType"), i.get("identifier")) for i in as_list(a.get("identifiers"))
             if isinstance(i, dict)]
    pairs += [(i.get("alternateIdentifierType"), i.get("alternateIdentifier"))
              for i in as_list(a.get("alternateIdentifiers")) if isinstance(i, dict)]
    pairs.append((container.get("identifierType"), container.get("identifier")))
    for kind, value in pairs:
        key = {"arxiv": "arxiv", "issn": "issn", "isbn": "isbn", "pmid": "pmid",
               "handle": "handle"}.get(str(kind).lower())
        if key and plain(value) and key not in ids:
            ids[key] = plain(value)
    return ids


def _published(a: dict[str, Any]) -> str | None:
    dates = [d for d in as_list(a.get("dates")) if isinstance(d, dict)]
    for kind in DATE_TYPES:
        for d in dates:
            if d.get("dateType") == kind and iso_date(d.get("date")):
                return iso_date(d.get("date"))
    return iso_date(a.get("publicationYear")) or iso_date(a.get("published"))


def _type(a: dict[str, Any]) -> str | None:
    types = a.get("types") if isinstance(a.get("types"), dict) else {}
    raw = [types.get(k) for k in TYPE_KEYS if types.get(k)]
    mapped = [work_type(r) for r in raw]
    return next((m for m, r in zip(mapped, raw, strict=True)
                 if m != "other" and r.lower() != "text"), mapped[0] if mapped else None)


def _subject(s: Any) -> str | None:
    value = plain(dig(s, "subject"))
    if not value or value.isdigit():  # Dewey numbers ("520") are not keywords
        return None
    return value.removeprefix("FOS: ")


def _related(a: dict[str, Any], relations: frozenset[str]) -> list[Reference]:
    out = []
    for r in as_list(a.get("relatedIdentifiers")):
        if not isinstance(r, dict) or r.get("relationType") not in relations:
            continue
        kind, value = str(r.get("relatedIdentifierType")).upper(), r.get("relatedIdentifier")
        if kind == "DOI" and doi_or_none(value):
            out.append(Reference(doi=doi_or_none(value)))
        elif kind == "URL" and plain(value):
            out.append(Reference(url=plain(value)))
    return out


def _funder(f: Any) -> str | None:
    name, award = plain(dig(f, "funderName")), plain(dig(f, "awardNumber"))
    return f"{name} ({award})" if name and award else name
