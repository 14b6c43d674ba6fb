"""Europe PMC REST API /search (JSON, resultType lite or core) and single results."""

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
    plain,
    to_bool,
    to_int,
    unique,
    work_type,
)
from extractors.jats import abstract_from_markup
from extractors.record import Record

NAME = "europepmc"
HOSTS = ("www.ebi.ac.uk", "ebi.ac.uk")
PATH = "/europepmc/"
INITIALS = re.compile(r"^[A-Z]{1,4}$")


def sniff(data: Any) -> bool:
    if not isinstance(data, dict):
        return False
    if isinstance(data.get("resultList"), dict) and "hitCount" in data:
        return True
    return "pmid" in data and ("pubYear" in data or "authorString" in data)


def parse_europepmc(url: str, data: dict[str, Any] | list[Any]) -> list[Record]:
    """Records of a Europe PMC response; [] for errors and zero hits."""
    if not isinstance(data, dict):
        return []
    if "resultList" in data:
        items = as_list(dig(data, "resultList", "result"))
    else:
        items = [dig(data, "result") or data]
    return keep(_result(url, r) for r in items if isinstance(r, dict))


def _result(url: str, r: dict[str, Any]) -> Record:
    info = r.get("journalInfo") if isinstance(r.get("journalInfo"), dict) else {}
    journal = info.get("journal") if isinstance(info.get("journal"), dict) else {}
    abstract, sections = abstract_from_markup(r.get("abstractText"))
    authors = [a for a in map(_author, as_list(dig(r, "authorList", "author"))) if a]
    values = {
        "type": work_type(dig(r, "pubTypeList", "pubType"), r.get("pubType")),
        "title": _title(r.get("title")),
        "authors": authors or _author_string(r.get("authorString")),
        "abstract": abstract,
        "abstract_sections": sections,
        "doi": doi_or_none(r.get("doi")),
        "identifiers": _identifiers(r, journal),
        "container": plain(journal.get("title")) or plain(r.get("journalTitle")),
        "volume": plain(info.get("volume")) or plain(r.get("journalVolume")),
        "issue": plain(info.get("issue")) or plain(r.get("issue")),
        "pages": plain(r.get("pageInfo")),
        "published": (iso_date(r.get("electronicPublicationDate"))
                      or iso_date(info.get("dateOfPublication"))
                      or iso_date(r.get("firstPublicationDate")) or iso_date(r.get("pubYear"))),
        "keywords": unique(plain(k) for k in as_list(dig(r, "keywordList", "keyword"))),
        "language": language(r.get("language")),
        "license": plain(r.get("license")),
        "open_access": to_bool(r.get("isOpenAccess")),
        "citation_count": to_int(r.get("citedByCount")),
        "funding": unique(map(_grant, as_list(dig(r, "grantsList", "grant")))),
    }
    return build_record(url, NAME, values)


def _title(value: Any) -> str | None:
    """PubMed-style titles end with a full stop that is not part of the title."""
    title = plain(value)
    if title and title.endswith(".") and not title.endswith(".."):
        title = title[:-1]
    return title


def _author(a: Any) -> Any:
    if not isinstance(a, dict):
        return None
    affiliations = [x.get("affiliation") for x in
                    as_list(dig(a, "authorAffiliationDetailsList", "authorAffiliation"))
                    if isinstance(x, dict)]
    orcid = dig(a, "authorId", "value") if dig(a, "authorId", "type") == "ORCID" else None
    given, family = a.get("firstName"), a.get("lastName")
    name = a.get("collectiveName") or (None if given and family else a.get("fullName"))
    return make_author(name=name, given=given, family=family, affiliations=affiliations,
                       orcid=orcid)


def _author_string(value: Any) -> list[Any]:
    """Lite results: "Schoenfeld JD, Haas-Kogan DA, O'Neill AF." (family name, initials)."""
    if not isinstance(value, str):
        return []
    authors = []
    for part in value.strip().rstrip(".").split(", "):
        words = part.split()
        family = " ".join(words[:-1]) if len(words) > 1 and INITIALS.match(words[-1]) else None
        author = make_author(name=part, family=family)
        if author:
            authors.append(author)
    return authors


def _identifiers(r: dict[str, Any], journal: dict[str, Any]) -> dict[str, str]:
    issns = [plain(journal.get("issn")), plain(journal.get("essn"))]
    issns += [s.strip() for s in str(r.get("journalIssn") or "").split(";")]
    issns = unique(s.upper() for s in issns if s)
    ids = {"pmid": plain(r.get("pmid")), "pmcid": plain(r.get("pmcid")),
           "issn": issns[0] if issns else None, "eissn": issns[1] if len(issns) > 1 else None}
    return {k: v for k, v in ids.items() if v}


def _grant(g: Any) -> str | None:
    agency, grant = plain(dig(g, "agency")), plain(dig(g, "grantId"))
    return f"{agency} ({grant})" if agency and grant else agency
