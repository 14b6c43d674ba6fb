"""extract(url, headers, body) -> Extraction: the one entry point for a fetched response.

Chooses by content, not by URL alone: API JSON/XML goes to `extractors.api`, RIS/BibTeX to
`extractors.exports`, HTML to the layers (embedded metadata, platform adapter, page text),
parsed once. Within a page the layers are merged field by field, richest first, and every
field's source is recorded in provenance.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import fields as dataclass_fields
from typing import Any

import lxml.html.defs
from lxml.html import HtmlElement
from rapidfuzz import fuzz

from extractors import EXTRACTOR_VERSION
from extractors.embedded import extract_embedded
from extractors.embedded.values import READ_MORE, clean
from extractors.encoding import binary_kind, decode_body
from extractors.errors import UnusableInput
from extractors.exports import export_format, export_links, parse_export
from extractors.html import base_url, block_text, parse_html
from extractors.jats import join_sections, markup_to_text
from extractors.platforms import find_adapter
from extractors.record import LAYERS, Extraction, Provenance, Record
from extractors.text import abstract_box, strip_chrome_lines
from extractors.text.layer import WEAK_SOURCES, Partial, drop_cut_abstracts, text_layer

log = logging.getLogger(__name__)

MAX_BODY = 20 * 1024 * 1024  # bytes of a page read; the rest of a larger body is cut off
# Elements beyond which a page gets only its metadata read: landing pages have a few
# thousand; the heuristics of the platform and text layers are not for megabyte dumps.
MAX_ELEMENTS = 100_000
RECORD_FIELDS = frozenset(f.name for f in dataclass_fields(Record)) - {"provenance"}
TITLE_AGREEMENT = 80  # rapidfuzz partial_ratio: below this a layer describes another work
_TAG = re.compile(r"</?[A-Za-z][\w:-]*(?:\s[^<>]*)?>")
_XML_TYPES = ("xml", "rss", "atom")
# The first element of the body: an XML record format (<PubmedArticle>, <rdf:RDF>, <article
# xmlns:xlink=...>, <!DOCTYPE romeoapi ...>) rather than a page, when no declaration says so.
_FIRST_TAG = re.compile(rb"(?:\s|<!--.*?-->)*<(!doctype\s+)?([A-Za-z][\w:.-]*)([^>]*)>", re.S | re.I)
_HTML_TAGS = frozenset(t.encode() for t in lxml.html.defs.tags)

# Anti-bot interstitials served instead of the page: (name, what gives them away in the
# first CHALLENGE_HEAD characters, lower-cased; their pages are a few KB). Plain strings are
# substring tests (a regex with IGNORECASE costs a hundred times more); titles are regexes.
CHALLENGE_HEAD = 8000
CHALLENGES: tuple[tuple[str, tuple[str | re.Pattern[str], ...]], ...] = (
    ("cloudflare", (re.compile(r"<title>\s*(?:just a moment\.\.\.|attention required! \| "
                               r"cloudflare|please wait\.\.\. \| cloudflare)\s*</title>"),
                    "window._cf_chl_opt", 'id="challenge-form"')),
    ("ddos-guard", (re.compile(r"<title>\s*ddos-guard\s*</title>"), "check.ddos-guard.net")),
    ("imperva", ("incapsula incident id", "_incapsula_resource")),
    ("akamai", (re.compile(r"<title>\s*access denied\s*</title>[\s\S]{0,2000}reference&#32;#"),)),
    ("perimeterx", ("px-captcha", "window._pxappid")),
    ("datadome", ("geo.captcha-delivery.com", "ct.captcha-delivery.com")),
    ("captcha", (re.compile(r"<title>\s*(?:are you a robot\??|verify you are human|"
                            r"bot verification|human verification)\s*</title>"),)),
)
# Pages that are about no single work: result lists, tables of contents, errors, logins.
NOT_A_WORK_TITLE = re.compile(
    r"^(?:search results?|\d[\d,.]*\s+results?|browse\b|table of contents|page not found|"
    r"not found|404\b|error\b|access denied|forbidden|sign in|log ?in)", re.I)
WORK_LINK = re.compile(r"/doi/(?:abs/|full/|pdf/)?10\.|/content/10\.|doi\.org/10\.|/articles?/|"
                       r"/abs/|/record/|/handle/|(?:^|/)contribution|/paper/|/publications?/", re.I)
WEAK_FIELDS = frozenset({"container"})  # what WEAK_SOURCES say that only names the site
LISTING_LINKS = 8  # distinct links to works that make a page without metadata a listing


def extract(url: str, headers: Mapping[str, str], body: bytes) -> Extraction:
    """The work in one response, or Extraction(None, reason) when there is none.

    Raises UnusableInput (one-line message) for empty, binary or undecodable bodies.
    """
    extraction, _ = _extract(url, headers, body)
    return extraction


def extract_records(url: str, headers: Mapping[str, str], body: bytes) -> list[Record]:
    """Every work in a response: API result lists give many, a page at most one."""
    extraction, records = _extract(url, headers, body)
    return records if records is not None else [r for r in [extraction.record] if r]


def _header(headers: Mapping[str, str], name: str) -> str:
    for key, value in (headers or {}).items():
        if key.lower() == name:
            return value.decode("latin-1") if isinstance(value, bytes) else str(value)
    return ""


def _extract(url: str, headers: Mapping[str, str], body: bytes,
             ) -> tuple[Extraction, list[Record] | None]:
    if not body or body.isspace():
        raise UnusableInput("empty body: nothing to extract")
    if kind := binary_kind(body[:8192]):
        raise UnusableInput(f"binary input ({kind}), not a page or record")
    content_type = _header(headers, "content-type")
    raw_head = body[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    head = raw_head.lower()
    ctype = content_type.lower()
    is_json = head[:1] in (b"{", b"[") or ("json" in ctype and head[:1] != b"<")
    is_xml = (head.startswith(b"<?xml") or any(t in ctype for t in _XML_TYPES)
              or _xml_root(raw_head)) and b"<html" \
        not in body[:2048].lower()
    if is_json or is_xml:
        return _from_api(url, body, content_type)
    notes: list[str] = []
    if len(body) > MAX_BODY:
        notes.append(f"body of {len(body)} bytes cut to the first {MAX_BODY}")
        body = body[:MAX_BODY]
    text, codec = decode_body(body, content_type)
    if export_format(text):
        return _from_export(url, text), None
    tree = parse_html(text)
    if tree is None:
        raise UnusableInput("no HTML markup or known record format in body")
    if codec != "utf_8":
        notes.append(f"decoded as {codec}")
    return _from_page(url, headers, tree, text, notes), None


def _xml_root(head: bytes) -> bool:
    """The body opens with an XML vocabulary's root element, not an HTML one."""
    m = _FIRST_TAG.match(head)
    if not m:
        return False
    doctype, name, attributes = m.groups()
    if name.lower() == b"html":
        return False
    return bool(doctype) or b":" in name or b"xmlns" in attributes or (
        name[:1].isupper() and name.lower() not in _HTML_TAGS)


def _from_api(url: str, body: bytes, content_type: str) -> tuple[Extraction, list[Record]]:
    try:
        from extractors.api import parse_api_response
    except ImportError:  # the API adapters are optional for page extraction
        return Extraction(None, reason="JSON/XML response, but no API adapters installed"), []
    records = parse_api_response(url, body, content_type)
    if records is None:
        return Extraction(None, reason="JSON/XML of no API known here"), []
    for record in records:
        _stamp(record, url)
    if not records:
        return Extraction(None, reason="API response holds no work (error or empty result)"), []
    if len(records) > 1:
        reason = f"API result list of {len(records)} works (see extract_records)"
        return Extraction(None, reason=reason), records
    return Extraction(records[0]), records


def _from_export(url: str, text: str) -> Extraction:
    source, found = parse_export(text) or ("export", {})
    record = _record([(source, found)], url)
    if record is None:
        return Extraction(None, reason=f"{source} file without a title")
    return Extraction(record)


def _from_page(url: str, headers: Mapping[str, str], tree: HtmlElement, text: str,
               notes: list[str]) -> Extraction:
    if name := challenge(tree, text[:CHALLENGE_HEAD], headers):
        return Extraction(None, reason=f"anti-bot challenge page ({name}), not the work")
    base = base_url(tree, url)
    partials = extract_embedded(tree, base)
    huge = tree.xpath("count(//*)") > MAX_ELEMENTS
    if huge:
        notes.append(f"over {MAX_ELEMENTS} elements: metadata layers only")
    adapter = None if huge else find_adapter(url, tree)
    if adapter is not None:
        try:
            if found := adapter.extract(tree, url):
                partials.append((f"platform:{adapter.NAME}", found))
        except Exception:  # an adapter's bug costs its own fields, not the page
            log.exception("platform adapter %s failed on %s", adapter.NAME, url)
    partials.sort(key=lambda p: LAYERS.index(p[0].split(":", 1)[0]))
    strong_title = any(p.get("title") for s, p in partials if not s.endswith((":og", ":meta")))
    if reason := not_a_work(tree, strong_title):
        return Extraction(None, reason=reason)
    if not huge:
        partials = drop_cut_abstracts(tree, partials)
        partials += text_layer(tree, partials, url)
    record = _record(partials, url, notes)
    if record is None:
        return Extraction(None, reason="no work on this page: no title found")
    return Extraction(record, export_links=export_links(tree, base))


def challenge(tree: HtmlElement, head: str, headers: Mapping[str, str]) -> str | None:
    """The anti-bot service whose challenge this page is (from the start of the page's
    text, `head`), or None for a real page."""
    if _header(headers, "cf-mitigated").lower() == "challenge":
        return "cloudflare"
    if tree.xpath('/html/head/meta[@name="citation_title" or @name="dc.title"][1]'):
        return None
    head = head.lower()
    for name, signs in CHALLENGES:
        if any(sign in head if isinstance(sign, str) else sign.search(head) for sign in signs):
            return name
    return None


def not_a_work(tree: HtmlElement, named: bool) -> str | None:
    """Why a page without metadata naming a work is no work page (a listing, an error), or None."""
    if named:
        return None
    title = clean(" ".join(tree.xpath("/html/head/title//text()")))
    headings = [clean(" ".join(block_text(h))) for h in tree.xpath("//h1")[:2]]
    if any(NOT_A_WORK_TITLE.match(t) for t in [title, *headings] if t):
        return f"no work on this page: a listing or error page ({title or headings[0]!r})"
    links = {h for h in tree.xpath("//a/@href") if WORK_LINK.search(h)}
    if len(links) < LISTING_LINKS:
        return None
    body = tree.find("body")
    prose = [p for p in block_text(body) if len(p) > 200] if body is not None else []
    if len(prose) < 5 and abstract_box(tree) is None:  # an abstract: a page about one work
        return f"no work on this page: a list of {len(links)} links to works"
    return None


def _record(partials: list[Partial], url: str, notes: list[str] | None = None) -> Record | None:
    """One Record from the partials, first non-empty value per field; None without a title."""
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    weak: list[tuple[str, Any, str]] = []
    title: str | None = None
    for source, found in partials:
        other = found.get("title")
        if title and other and fuzz.partial_ratio(title.casefold(), other.casefold()) \
                < TITLE_AGREEMENT:
            log.debug("%s describes another work (%r), skipped", source, other)
            continue
        if title and other and _completes(title, other):
            values["title"] = title = other  # "Main title" + ": subtitle" from a later layer
        for field, value in found.items():
            if field not in RECORD_FIELDS or value in (None, "", [], {}):
                continue
            if field in WEAK_FIELDS and source in WEAK_SOURCES:
                weak.append((field, value, source))
            elif field == "identifiers":
                merged = {**value, **values.get(field, {})}
                if merged != values.get(field):
                    values[field] = merged
                    sources.setdefault(field, source)
            elif field not in values:
                values[field], sources[field] = value, source
        if other and title is None:
            title = values.get("title")
    for field, value, source in weak:  # a site's name: the container of last resort
        if values.get("type") == "project":  # a project's site is its organisation
            field = "organisation"
        if field not in values:
            values[field], sources[field] = value, source
    _pair_sections(values, sources, partials)
    _enrich_authors(values, partials)
    _tidy(values)
    if not values.get("title"):
        return None
    values["source_url"] = url
    record = Record(**values)
    if "type" not in sources:
        sources["type"] = "default"
    record.provenance = Provenance(extractor_version=EXTRACTOR_VERSION, fields=sources,
                                   notes=list(notes or []))
    return record


def _completes(title: str, longer: str) -> bool:
    """`longer` is `title` with its subtitle ("Title: An Observational Study")."""
    return (len(longer) > len(title) + 3 and longer.casefold().startswith(title.casefold())
            and longer[len(title):].lstrip()[:1] in (":", "."))  # not " - Site name"


def _pair_sections(values: dict[str, Any], sources: dict[str, str],
                   partials: list[Partial]) -> None:
    """Sections belong with the abstract: keep them only if they say what it says."""
    abstract = values.get("abstract") or ""
    sections = values.get("abstract_sections")
    if sections and sources.get("abstract_sections") != sources.get("abstract"):
        joined = " ".join(s.text for s in sections)
        if fuzz.token_set_ratio(abstract, joined) < 85:
            values.pop("abstract_sections")
            sources.pop("abstract_sections")
        else:  # the same abstract with its structure: keep the labelled form
            values["abstract"] = join_sections((s.label, s.text) for s in sections)
            sources["abstract"] = sources["abstract_sections"]


def _enrich_authors(values: dict[str, Any], partials: list[Partial]) -> None:
    """Fill the chosen authors' missing ORCID and affiliations from other layers' lists."""
    def key(a: Any) -> tuple[str, str]:  # family name and first initial: the Gurbutts differ
        return ((a.family or a.name).casefold(), (a.given or "")[:1].casefold())

    chosen = values.get("authors") or []
    for _, found in partials:
        others = {key(a): a for a in found.get("authors") or []}
        for author in chosen:
            other = others.get(key(author))
            if other is None or other is author:
                continue
            author.orcid = author.orcid or other.orcid
            if not author.affiliations and other.affiliations:
                author.affiliations = list(other.affiliations)


def _tidy(values: dict[str, Any]) -> None:
    """Last touches every layer needs: no markup in titles, no chrome in abstracts."""
    if values.get("title") and _TAG.search(values["title"]):
        values["title"] = markup_to_text(values["title"])
    if values.get("title"):
        values["title"] = clean(values["title"])
    if values.get("abstract"):
        text = READ_MORE.sub("", strip_chrome_lines(values["abstract"]))
        values["abstract"] = _once(text) or None
        if values["abstract"] is None:
            values.pop("abstract")


def _once(text: str) -> str:
    """A text its page printed twice in a row ("X. X.") once."""
    half = len(text) // 2
    for cut in (half, half + 1):
        first, second = text[:cut].strip(), text[cut:].strip()
        if first and first == second:
            return first
    return text


def _stamp(record: Record, url: str) -> None:
    """Version and per-field sources on a record another module built."""
    record.provenance.extractor_version = EXTRACTOR_VERSION
    record.source_url = record.source_url or url
    given = record.provenance.fields
    default = next(iter(given.values()), "api")
    for field in RECORD_FIELDS - {"source_url"}:
        if getattr(record, field) not in (None, "", [], {}):
            given.setdefault(field, default)
