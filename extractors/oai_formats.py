"""OAI-PMH metadata formats to Record fields: oai_dc and its kin (base_dc, pos-ext_dc) and
MARCXML (marc21, marcxml), as a table by namespace (FORMATS). Each reader takes the format's
root element inside <metadata> and returns a dict of Record field values (plus `source_url`
where the record names its landing page); extractors.oai builds the Record.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lxml import etree

from extractors.api._common import earliest, unique
from extractors.doi import find_doi
from extractors.embedded.meta import normalise_language
from extractors.embedded.values import (
    classify_identifier,
    clean,
    doi_or_none,
    make_author,
    normalise_type,
    parse_date,
)
from extractors.jats import abstract_from_markup, abstract_from_text
from extractors.record import Reference


def local_name(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def element_text(el: etree._Element | None) -> str:
    return clean(" ".join(el.itertext())) if el is not None else ""


# -- Dublin Core (oai_dc, base_dc, pos-ext_dc) -------------------------------------------------

DC_ELEMENTS = frozenset(("title", "creator", "subject", "description", "publisher", "contributor",
                         "date", "type", "format", "identifier", "source", "language",
                         "relation", "coverage", "rights"))
BOILERPLATE = frozenset(("international audience", "seriesinformation", "abstract", "other",
                         "n/a", "none"))
# dc:type words the shared type table does not know (DSpace, HAL, eu-repo, EPrints).
# Identifiers inside URLs (PMC answers with paths), then labelled ones ("ARXIV : 1303.0980").
URL_IDS = (("pmcid", re.compile(r"/pmc/articles/(PMC\d+)", re.I)),
           ("pmid", re.compile(r"/pubmed/(\d+)")),
           ("arxiv", re.compile(r"arxiv\.org/abs/([^\s?#]+?)(?:v\d+)?$", re.I)),
           ("hal", re.compile(r"^(hal-\d{8})(?:v\d+)?$")))
_LABELLED = re.compile(r"^(doi|arxiv|pmid|pmcid|isbn|issn|hdl|urn)\s*:\s*(\S+)$", re.I)
_ALT_ID = re.compile(r"^info:eu-repo/semantics/altIdentifier/(\w+)/(.+)$", re.I)
_FILE = re.compile(r"(?:\.(?:pdf|docx?|tiff?|jpe?g|png|zip|xml|txt)$|/bitstream/|viewcontent\.cgi"
                   r"|/download/)", re.I)
_TIME = re.compile(r"T\d\d:")


def _read_dc(node: etree._Element) -> dict[str, Any]:
    dc: dict[str, list[str]] = {}
    creators = []
    for child in node.iterchildren("*"):
        name = local_name(child.tag)
        if name not in DC_ELEMENTS:
            continue
        if name == "creator" and child.find("{*}name") is not None:  # pos-ext_dc
            creators.append(make_author(element_text(child.find("{*}name")), affiliations=[
                element_text(a) for a in child.iterchildren("{*}affiliation")]))
        elif name == "creator":
            creators.append(make_author(element_text(child)))
        else:
            dc.setdefault(name, []).append(" ".join(child.itertext()))
    get = lambda name: [v for v in map(clean, dc.get(name, [])) if v]  # noqa: E731
    ids, urls, related, doi = _identifiers(get("identifier"), get("relation"))
    abstract, sections = _description(dc.get("description", []))
    license_, open_access = _rights(get("rights"))
    return {
        "type": _dc_type(get("type")),
        "title": next(iter(get("title")), None),
        "authors": [a for a in creators if a],
        "abstract": abstract, "abstract_sections": sections,
        "doi": doi, "identifiers": ids, "related": related,
        "source_url": urls[0] if urls else None,
        "publisher": next(iter(get("publisher")), None),
        "published": _dc_date(get("date")),
        "keywords": unique(clean(p) for s in get("subject") for p in s.split(";")),
        "language": next((lang for lang in map(normalise_language, get("language")) if lang), None),
        "license": license_, "open_access": open_access,
    }


def _identifiers(identifiers: list[str], relations: list[str]
                 ) -> tuple[dict[str, str], list[str], list[Reference], str | None]:
    """(identifiers, landing-page URLs best first, related works, DOI) of a DC record.

    dc:relation names other works (Dryad's article, a published version): its DOIs become
    `related` and its ids are not this record's, unless it is an eu-repo altIdentifier.
    """
    ids: dict[str, str] = {}
    doi = None
    ranked: list[tuple[tuple[bool, bool, bool], str]] = []
    related = []
    own = list(identifiers)
    for value in relations:
        if alt := _ALT_ID.match(value):
            own.append(f"{alt.group(1)}:{alt.group(2)}")
        elif "10." in value and (other := doi_or_none(value)):
            related.append(Reference(doi=other, text=value))
        elif _is_url(value):
            ranked.append(((bool(_FILE.search(value)), True, True), value))
    for value in own:
        labelled = _LABELLED.match(value)
        found = classify_identifier(f"{labelled.group(1)}:{labelled.group(2)}" if labelled
                                    else value)
        if found and found[0] == "doi":
            doi = doi or found[1]
        elif found:
            ids.setdefault(found[0], found[1])
        for key, pattern in URL_IDS:
            if m := pattern.search(value):
                ids.setdefault(key, m.group(1))
        if _is_url(value) and "doi.org/" not in value.lower():
            ranked.append(((bool(_FILE.search(value)), "hdl.handle.net" not in value, False),
                           value))
        if not found and "10." in value:
            doi = doi or _balanced(find_doi(value))  # a citation string or URL carrying it
    urls = [u for _, u in sorted(ranked, key=lambda item: item[0])]
    return ids, urls + ([f"https://doi.org/{doi}"] if doi else []), related, doi


def _is_url(value: str) -> bool:
    return value.lower().startswith(("http://", "https://")) and " " not in value


def _balanced(doi: str | None) -> str | None:
    """'10.1117/12.2066315)' -> without the ')' a citation wrapped round it; '(98)' stays."""
    while doi and doi[-1] in ")]" and doi.count(doi[-1]) > doi.count("(" if doi[-1] == ")"
                                                                       else "["):
        doi = doi[:-1]
    return doi


def _description(values: list[str]) -> tuple[str | None, list]:
    """The longest description that is not boilerplate ("International audience")."""
    texts = [v for v in values if clean(v) and clean(v).casefold() not in BOILERPLATE]
    if not texts:
        return None, []
    text, sections = abstract_from_markup(max(texts, key=lambda v: len(clean(v))))
    return text or None, sections


def _dc_type(values: list[str]) -> str:
    """The first type a table knows; 'text' (said of nearly everything) only as a last resort."""
    mapped = [normalise_type(v) for v in values]
    specific = [t for t, v in zip(mapped, values, strict=True) if t and clean(v).casefold() != "text"]
    return (specific or [t for t in mapped if t] or ["other" if values else "article"])[0]


def _dc_date(values: list[str]) -> str | None:
    """The first date without a time (DSpace lists accession timestamps, then the issue date,
    then others such as submission), made precise by a later date inside it (PMC)."""
    plain = [d for d in (parse_date(v) for v in values if not _TIME.search(v)) if d]
    if not plain:
        return earliest(parse_date(v) for v in values)
    return max((d for d in plain if d.startswith(plain[0])), key=len)


def _rights(values: list[str]) -> tuple[str | None, bool | None]:
    """(licence, open access): a licence URL or a named licence; eu-repo access terms."""
    access = {"info:eu-repo/semantics/openaccess": True, "info:eu-repo/semantics/closedaccess":
              False, "info:eu-repo/semantics/restrictedaccess": False}
    open_access = next((access[v.casefold()] for v in values if v.casefold() in access), None)
    rest = [v for v in values if v.casefold() not in access and not v.startswith("info:eu-repo")]
    urls = [m.group().rstrip(".,;)") for v in rest for m in re.finditer(r"https?://\S+", v)]
    named = [v for v in rest if re.search(r"creative commons|\bcc[- ]by|licen[cs]e", v, re.I)]
    return next(iter(urls + named), None), open_access


# -- MARCXML (marc21, marcxml) --------------------------------------------------------------


# Record field -> "tag+code" of the MARC subfields that carry it, first found wins.
MARC: dict[str, tuple[str, ...]] = {
    "publisher": ("260b", "264b"), "published": ("260c", "264c", "269c", "773y"),
    "container": ("773p", "773t"), "volume": ("773v",), "issue": ("773n",),
    "language": ("041a",), "license": ("540u", "540a"), "abstract": ("520a",),
}


def _read_marc(node: etree._Element) -> dict[str, Any]:
    fields: dict[str, list[dict[str, list[str]]]] = {}
    for df in node.iterchildren("{*}datafield"):
        subs: dict[str, list[str]] = {}
        for sf in df.iterchildren("{*}subfield"):
            if clean(sf.text):
                subs.setdefault(sf.get("code") or "", []).append(clean(sf.text))
        fields.setdefault(df.get("tag") or "", []).append(subs)
    sub = lambda key: [v for f in fields.get(key[:3], []) for v in f.get(key[3:], [])]  # noqa: E731
    values: dict[str, Any] = {name: next((v for k in keys for v in sub(k)), None)
                              for name, keys in MARC.items()}
    values["abstract"], values["abstract_sections"] = abstract_from_text(values["abstract"])
    values["published"] = parse_date(values["published"])
    values["language"] = normalise_language(values["language"])
    dois = [f["a"][0] for f in fields.get("024", []) if f.get("a") and
            any(s.lower() == "doi" for s in f.get("2", []))]
    doi = next((d for d in map(doi_or_none, dois + sub("856u")) if d), None)
    urls = [u for u in sub("856u") if "doi.org/" not in u and not _FILE.search(u)]
    return values | {
        "title": " : ".join(sub("245a")[:1] + sub("245b")[:1]).rstrip(" /:;,.") or None,
        "authors": [a for a in (make_author(f["a"][0], affiliations=f.get("u", []))
                                for tag in ("100", "700") for f in fields.get(tag, [])
                                if f.get("a")) if a],
        "doi": doi, "keywords": unique(sub("650a") + sub("653a")),
        "identifiers": {k: v[0] for k, v in (("isbn", sub("020a")), ("issn", sub("022a"))) if v},
        "source_url": urls[0] if urls else (f"https://doi.org/{doi}" if doi else None),
    }


@dataclass(frozen=True)
class Format:
    prefix: str  # the usual metadataPrefix, for GetRecord URLs when the request did not say
    source: str  # provenance detail: "api:<source>"
    read: Callable[[etree._Element], dict[str, Any]]


DC = Format("oai_dc", "oai_dc", _read_dc)
FORMATS: dict[str, Format] = {
    "http://www.openarchives.org/OAI/2.0/oai_dc/": DC,
    "http://oai.base-search.net/base_dc/": Format("base_dc", "oai_dc", _read_dc),
    "http://pos.sissa.it/pos-ext_dc/pos-ext_dc.xsd": Format("pos-ext_dc", "oai_dc", _read_dc),
    "http://www.loc.gov/MARC21/slim": Format("marc21", "oai_marc", _read_marc),
}
