"""OAI-PMH 2.0 responses to data: records, sets, Identify, resumption tokens and errors.

`parse_oai(body, base_url)` never raises on what a server sends: protocol errors
(<error code="badResumptionToken">) and unreadable bodies come back in `OaiPage.errors`, so an
expired token is something the crawl records for its source, not a crash. XML is parsed
without entities, DTDs or network; a document that declares entities is refused whole.
Metadata formats are a table by namespace: oai_dc and its kin (base_dc, pos-ext_dc) give
"api:oai_dc" fields, MARCXML (marc21, marcxml) "api:oai_marc"; others (arXiv's own) leave
`record` None, and every OAI-PMH server must offer oai_dc anyway. Hand-written rather than
Sickle: that is an HTTP client, and here the crawler does the fetching.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

from lxml import etree

from extractors.api._common import build_record, earliest, unique
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
from extractors.record import Record, Reference

VERBS = ("Identify", "ListMetadataFormats", "ListSets", "ListIdentifiers", "ListRecords",
         "GetRecord")
MAX_BODY = 64 * 1024 * 1024  # bytes; larger bodies are refused, not parsed
MAX_ITEMS = 10_000  # records or sets read from one page
# Error codes of our own, beside the protocol's (badArgument, badResumptionToken, ...).
TOO_LARGE, BAD_XML, UNSAFE_XML, NOT_OAI = "tooLarge", "badXml", "unsafeXml", "notOaiPmh"

_DTD_SUBSET = re.compile(rb"<!DOCTYPE[^>\[]*\[")  # a DOCTYPE with declarations of its own
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                          huge_tree=False, remove_comments=True, remove_pis=True)


@dataclass
class OaiError:
    code: str
    message: str = ""


@dataclass
class ResumptionToken:
    """`token` is None on the last page of a list (an empty element, as the protocol says)."""

    token: str | None
    cursor: int | None = None
    complete_list_size: int | None = None
    expiration_date: str | None = None


@dataclass
class OaiSet:
    spec: str
    name: str = ""
    description: str = ""


@dataclass
class Identify:
    repository_name: str = ""
    base_url: str = ""
    protocol_version: str = ""
    earliest_datestamp: str = ""
    deleted_record: str = ""
    granularity: str = ""  # "YYYY-MM-DD" or "YYYY-MM-DDThh:mm:ssZ": how precise `from` may be
    admin_emails: list[str] = field(default_factory=list)


@dataclass
class OaiRecord:
    """One header and, unless deleted or listed by identifier only, its metadata as a Record.

    `record` is None for deleted records, ListIdentifiers headers, metadata with neither a
    title nor a DOI, and formats not read here (`metadata_format` names their root element).
    """

    identifier: str
    datestamp: str = ""
    sets: list[str] = field(default_factory=list)
    deleted: bool = False
    metadata_format: str | None = None
    record: Record | None = None


@dataclass
class OaiPage:
    verb: str | None
    base_url: str
    response_date: str = ""
    request: dict[str, str] = field(default_factory=dict)  # the echoed request's arguments
    records: list[OaiRecord] = field(default_factory=list)
    sets: list[OaiSet] = field(default_factory=list)
    formats: list[str] = field(default_factory=list)  # ListMetadataFormats: the prefixes
    identify: Identify | None = None
    resumption: ResumptionToken | None = None
    errors: list[OaiError] = field(default_factory=list)

    @property
    def works(self) -> list[Record]:
        """The Records of the page (deleted and unread ones left out)."""
        return [r.record for r in self.records if r.record is not None]

    @property
    def next_token(self) -> str | None:
        """The token to ask for the next page with; None when the list is complete."""
        return self.resumption.token if self.resumption else None

    @property
    def error_codes(self) -> list[str]:
        return [e.code for e in self.errors]


def parse_oai(body: bytes, base_url: str) -> OaiPage:
    """An OaiPage from an OAI-PMH response body; problems are in `errors`, never raised."""
    page = OaiPage(verb=None, base_url=base_url)
    if len(body) > MAX_BODY:
        return _failed(page, TOO_LARGE, f"{len(body)} bytes (limit {MAX_BODY})")
    try:
        root = etree.fromstring(body, _PARSER)
    except (etree.XMLSyntaxError, ValueError) as exc:  # libxml2 stops entity bombs itself
        code = UNSAFE_XML if _DTD_SUBSET.search(body[:65536]) else BAD_XML
        return _failed(page, code, clean(str(exc))[:300] or "not XML")
    if root is None:
        return _failed(page, BAD_XML, "empty document")
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        return _failed(page, UNSAFE_XML, "the document declares entities; refused")
    if _local(root.tag) != "OAI-PMH":
        return _failed(page, NOT_OAI, f"root element is <{_local(root.tag)}>")
    page.response_date = _text(root.find("{*}responseDate"))
    request = root.find("{*}request")
    if request is not None:
        page.request = {**{str(k): str(v) for k, v in request.attrib.items()},
                        "url": _text(request)}
    page.errors = [OaiError(e.get("code") or "", _text(e)) for e in root.findall("{*}error")]
    body_el = next((el for el in root if _local(el.tag) in VERBS), None)
    page.verb = page.request.get("verb") or (_local(body_el.tag) if body_el is not None else None)
    if body_el is not None:
        _read_verb(page, body_el)
    return page


def oai_request_url(base_url: str, verb: str, **params: Any) -> str:
    """The request URL for a verb: arguments URL-encoded, None ones left out.

    Names may be given as the protocol spells them or in Python style (metadata_prefix,
    set_, from_, resumption_token); dates and datetimes become the protocol's UTC forms.
    resumptionToken is exclusive: combined with other arguments it raises ValueError.
    """
    if verb not in VERBS:
        raise ValueError(f"unknown OAI-PMH verb {verb!r}")
    aliases = {"metadata_prefix": "metadataPrefix", "set_": "set", "from_": "from",
               "resumption_token": "resumptionToken"}
    args = {aliases.get(k, k): _arg(v) for k, v in params.items() if v not in (None, "")}
    if "resumptionToken" in args and len(args) > 1:
        raise ValueError("resumptionToken is exclusive: no other arguments with it")
    needs = {"GetRecord": ("identifier", "metadataPrefix"), "ListRecords": ("metadataPrefix",),
             "ListIdentifiers": ("metadataPrefix",)}.get(verb, ())
    missing = [n for n in needs if n not in args and "resumptionToken" not in args]
    if missing:
        raise ValueError(f"{verb} needs {', '.join(missing)}")
    scheme, netloc, path, query, _ = urlsplit(base_url.strip())
    own = urlencode({"verb": verb, **args}, quote_via=quote, safe="")
    return urlunsplit((scheme, netloc, path, f"{query}&{own}" if query else own, ""))


# -- the envelope ---------------------------------------------------------------------------


def _read_verb(page: OaiPage, el: etree._Element) -> None:
    name = _local(el.tag)
    if name == "Identify":
        page.identify = _identify(el)
    elif name == "ListSets":
        page.sets = [OaiSet(_text(s.find("{*}setSpec")), _text(s.find("{*}setName")),
                            _text(s.find("{*}setDescription")))
                     for s in el.iterchildren("{*}set")][:MAX_ITEMS]
    elif name == "ListMetadataFormats":
        page.formats = [_text(f.find("{*}metadataPrefix"))
                        for f in el.iterchildren("{*}metadataFormat")]
    elif name == "ListIdentifiers":
        page.records = [_header(h) for h in el.iterchildren("{*}header")][:MAX_ITEMS]
    else:  # ListRecords, GetRecord
        prefix = page.request.get("metadataPrefix", "")
        page.records = [_record(r, prefix, page.base_url)
                        for r in list(el.iterchildren("{*}record"))[:MAX_ITEMS]]
    token = el.find("{*}resumptionToken")
    if token is not None:
        page.resumption = ResumptionToken(_text(token) or None, _int(token.get("cursor")),
                                          _int(token.get("completeListSize")),
                                          token.get("expirationDate"))


def _identify(el: etree._Element) -> Identify:
    get = lambda name: _text(el.find("{*}" + name))  # noqa: E731
    return Identify(get("repositoryName"), get("baseURL"), get("protocolVersion"),
                    get("earliestDatestamp"), get("deletedRecord"), get("granularity"),
                    [_text(e) for e in el.iterchildren("{*}adminEmail") if _text(e)])


def _header(el: etree._Element) -> OaiRecord:
    return OaiRecord(identifier=_text(el.find("{*}identifier")),
                     datestamp=_text(el.find("{*}datestamp")),
                     sets=[_text(s) for s in el.iterchildren("{*}setSpec") if _text(s)],
                     deleted=el.get("status") == "deleted")


def _record(el: etree._Element, prefix: str, base_url: str) -> OaiRecord:
    header = el.find("{*}header")
    item = _header(header) if header is not None else OaiRecord(identifier="")
    metadata = el.find("{*}metadata")
    node = next((c for c in metadata if isinstance(c.tag, str)), None) if metadata is not None \
        else None
    if item.deleted or node is None:
        return item
    fmt = FORMATS.get(etree.QName(node).namespace or "")
    item.metadata_format = fmt.prefix if fmt else _local(node.tag)
    if fmt is None:
        return item
    values = fmt.read(node)
    if item.identifier:
        values.setdefault("identifiers", {})["oai"] = item.identifier
    values.setdefault("type", "article")
    url = values.pop("source_url", None) or (oai_request_url(
        base_url, "GetRecord", identifier=item.identifier, metadataPrefix=prefix or fmt.prefix)
        if item.identifier and base_url else base_url)
    record = build_record(url, fmt.source, values)
    item.record = record if record.title or record.doi else None
    return item


# -- Dublin Core (oai_dc, base_dc, pos-ext_dc) -------------------------------------------------

DC_ELEMENTS = frozenset(("title", "creator", "subject", "description", "publisher", "contributor",
                         "date", "type", "format", "identifier", "source", "language",
                         "relation", "coverage", "rights"))
BOILERPLATE = frozenset(("international audience", "seriesinformation", "abstract", "other",
                         "n/a", "none"))
# dc:type words the shared type table does not know (DSpace, HAL, eu-repo, EPrints).
DC_TYPES = {"conferenceobject": "conference-paper", "conference papers": "conference-paper",
            "conference paper": "conference-paper", "journal article": "article",
            "journal articles": "article", "bookpart": "chapter", "book chapter": "chapter",
            "doctoralthesis": "thesis", "masterthesis": "thesis", "bachelorthesis": "thesis",
            "monograph or book": "book", "technical report": "report", "preprint": "preprint"}
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
        name = _local(child.tag)
        if name not in DC_ELEMENTS:
            continue
        if name == "creator" and child.find("{*}name") is not None:  # pos-ext_dc
            creators.append(make_author(_text(child.find("{*}name")), affiliations=[
                _text(a) for a in child.iterchildren("{*}affiliation")]))
        elif name == "creator":
            creators.append(make_author(_text(child)))
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
    mapped = [DC_TYPES.get(clean(v).casefold().rsplit("/", 1)[-1]) or normalise_type(v)
              for v in values]
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


# -- small helpers --------------------------------------------------------------------------


def _failed(page: OaiPage, code: str, message: str) -> OaiPage:
    page.errors.append(OaiError(code, message))
    return page


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _text(el: etree._Element | None) -> str:
    return clean(" ".join(el.itertext())) if el is not None else ""


def _int(value: str | None) -> int | None:
    return int(value) if value and value.strip().isdigit() else None


def _arg(value: Any) -> str:
    if isinstance(value, datetime):
        value = value.astimezone(UTC) if value.tzinfo else value
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
