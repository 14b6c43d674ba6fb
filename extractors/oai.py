"""OAI-PMH 2.0 responses to data: records, sets, Identify, resumption tokens and errors.

`parse_oai(body, base_url)` never raises on what a server sends: protocol errors
(<error code="badResumptionToken">) and unreadable bodies come back in `OaiPage.errors`, so an
expired token is something the crawl records for its source, not a crash. XML is parsed
without entities, DTDs or network; a document that declares entities is refused whole.
Metadata formats are a table by namespace (extractors.oai_formats): oai_dc and its kin (base_dc,
pos-ext_dc) give "api:oai_dc" fields, MARCXML "api:oai_marc"; others (arXiv's own) leave
`record` None, and every OAI-PMH server must offer oai_dc anyway. Hand-written rather than
Sickle: that is an HTTP client, and here the crawler does the fetching.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

from lxml import etree

from extractors.api._common import build_record
from extractors.embedded.values import clean
from extractors.oai_formats import FORMATS
from extractors.oai_formats import element_text as _text
from extractors.oai_formats import local_name as _local
from extractors.record import Record

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


# -- small helpers --------------------------------------------------------------------------


def _failed(page: OaiPage, code: str, message: str) -> OaiPage:
    page.errors.append(OaiError(code, message))
    return page


def _int(value: str | None) -> int | None:
    return int(value) if value and value.strip().isdigit() else None


def _arg(value: Any) -> str:
    if isinstance(value, datetime):
        value = value.astimezone(UTC) if value.tzinfo else value
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
