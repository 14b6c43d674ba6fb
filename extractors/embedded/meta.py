"""<meta> vocabularies (Highwire, bepress, EPrints, Dublin Core/DCTERMS, PRISM, Open Graph) as tables.

One pass collects every <meta> in document order; each vocabulary is a table from meta name
to a Rule, read by one function, so adding a tag is one line. Document order matters:
`citation_author_institution` and `citation_author_orcid` belong to the author before them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from lxml.html import HtmlElement

from extractors.embedded.values import (
    authors_from_list,
    classify_identifier,
    clean,
    doi_or_none,
    is_teaser,
    join_pages,
    make_author,
    normalise_orcid,
    normalise_type,
    parse_date,
    split_keywords,
)
from extractors.jats import abstract_from_markup
from extractors.record import Reference


@dataclass(frozen=True)
class Rule:
    """How one meta name fills a field: `kind` says how to read the value, lower `rank` wins."""

    field: str
    kind: str = "text"
    rank: int = 0
    implies_type: str | None = None


R = Rule
HIGHWIRE: dict[str, Rule] = {
    "citation_title": R("title"),
    "citation_author": R("authors", "author"),
    "citation_authors": R("authors", "author_list"),
    "citation_author_institution": R("authors", "affiliation"),
    "citation_author_affiliation": R("authors", "affiliation"),
    "citation_author_orcid": R("authors", "orcid"),
    "citation_doi": R("doi", "doi"),
    "citation_journal_title": R("container"),
    "citation_conference_title": R("container", rank=1, implies_type="conference-paper"),
    "citation_conference": R("container", rank=1, implies_type="conference-paper"),
    "citation_inbook_title": R("container", rank=2, implies_type="chapter"),
    "citation_book_title": R("container", rank=2, implies_type="chapter"),
    "citation_publisher": R("publisher"),
    "citation_dissertation_institution": R("publisher", rank=2, implies_type="thesis"),
    "citation_technical_report_institution": R("publisher", rank=3, implies_type="report"),
    "citation_volume": R("volume"),
    "citation_issue": R("issue"),
    "citation_firstpage": R("pages", "first_page"),
    "citation_lastpage": R("pages", "last_page"),
    "citation_publication_date": R("published", "date", 0),
    "citation_date": R("published", "date", 1),
    "citation_cover_date": R("published", "date", 2),
    "citation_online_date": R("published", "date", 3),
    "citation_year": R("published", "date", 4),
    "citation_keywords": R("keywords", "keywords"),
    "citation_keyword": R("keywords", "keywords"),
    "citation_language": R("language", "language"),
    "citation_abstract": R("abstract", "abstract"),
    "citation_pdf_url": R("identifiers", "ident:pdf_url"),
    "citation_isbn": R("identifiers", "ident:isbn"),
    "citation_issn": R("identifiers", "ident:issn"),
    "citation_eissn": R("identifiers", "ident:issn", 1),
    "citation_pmid": R("identifiers", "ident:pmid"),
    "citation_pmcid": R("identifiers", "ident:pmcid"),
    "citation_arxiv_id": R("identifiers", "ident:arxiv"),
    "citation_technical_report_number": R("identifiers", "ident:report_number"),
    "citation_article_type": R("type", "type"),
    "citation_fulltext_world_readable": R("open_access", "flag"),
    "citation_reference": R("references", "reference"),
}
# bepress Digital Commons repeats Highwire under its own prefix.
BEPRESS: dict[str, Rule] = {"bepress_" + k: v for k, v in HIGHWIRE.items()}

EPRINTS: dict[str, Rule] = {
    "eprints.title": R("title"),
    "eprints.creators_name": R("authors", "author"),
    "eprints.creators_orcid": R("authors", "orcid"),
    "eprints.type": R("type", "type"),
    "eprints.abstract": R("abstract", "abstract"),
    "eprints.date": R("published", "date"),
    "eprints.publication": R("container"),
    "eprints.book_title": R("container", rank=2, implies_type="chapter"),
    "eprints.event_title": R("container", rank=3, implies_type="conference-paper"),
    "eprints.volume": R("volume"),
    "eprints.number": R("issue"),
    "eprints.pagerange": R("pages", "first_page"),
    "eprints.id_number": R("doi", "identifier"),
    "eprints.official_url": R("doi", "identifier", 1),
    "eprints.issn": R("identifiers", "ident:issn"),
    "eprints.isbn": R("identifiers", "ident:isbn"),
    "eprints.publisher": R("publisher"),
    "eprints.institution": R("publisher", rank=2),
    "eprints.keywords": R("keywords", "keywords"),
    "eprints.document_url": R("identifiers", "ident:pdf_url"),
    "eprints.funders": R("funding", "list"),
}

DUBLIN_CORE: dict[str, Rule] = {
    "dc.title": R("title"),
    "dcterms.title": R("title"),
    "dc.creator": R("authors", "author"),
    "dcterms.creator": R("authors", "author"),
    "dc.subject": R("keywords", "keywords"),
    "dcterms.subject": R("keywords", "keywords"),
    "dcterms.abstract": R("abstract", "abstract"),
    "dc.description": R("abstract", "abstract", 1),
    "dcterms.description": R("abstract", "abstract", 1),
    "dc.publisher": R("publisher"),
    "dcterms.publisher": R("publisher"),
    "dcterms.issued": R("published", "date", 0),
    "dc.date.issued": R("published", "date", 0),
    "dc.issued": R("published", "date", 0),
    "dc.date": R("published", "date", 1),
    "dcterms.date": R("published", "date", 1),
    "dcterms.created": R("published", "date", 2),
    "dcterms.available": R("published", "date", 3),
    "dc.identifier": R("doi", "identifier"),
    "dcterms.identifier": R("doi", "identifier"),
    "dc.language": R("language", "language"),
    "dcterms.language": R("language", "language"),
    "dc.rights": R("license", "license"),
    "dcterms.rights": R("license", "license"),
    "dcterms.license": R("license", "license"),
    "dc.type": R("type", "type"),
    "dcterms.type": R("type", "type"),
    "dc.source": R("container", "source", 3),
    "dc.relation.ispartof": R("container", rank=1),
    "dcterms.ispartof": R("container", rank=1),
    "dc.citation.journaltitle": R("container"),
    "dc.citation.volume": R("volume"),
    "dc.citation.issue": R("issue"),
    "dc.citation.spage": R("pages", "first_page"),
    "dc.citation.epage": R("pages", "last_page"),
}

PRISM: dict[str, Rule] = {
    "prism.publicationname": R("container"),
    "prism.volume": R("volume"),
    "prism.number": R("issue"),
    "prism.issueidentifier": R("issue", rank=1),
    "prism.startingpage": R("pages", "first_page"),
    "prism.endingpage": R("pages", "last_page"),
    "prism.pagerange": R("pages", "first_page", 1),
    "prism.doi": R("doi", "doi"),
    "prism.publicationdate": R("published", "date", 0),
    "prism.coverdate": R("published", "date", 2),
    "prism.issn": R("identifiers", "ident:issn"),
    "prism.eissn": R("identifiers", "ident:issn", 1),
    "prism.isbn": R("identifiers", "ident:isbn"),
    "prism.keyword": R("keywords", "keywords"),
    "prism.publisher": R("publisher"),
}

OPEN_GRAPH: dict[str, Rule] = {
    "og:title": R("title"),
    "og:description": R("description", "abstract"),
    "og:site_name": R("container", rank=5),
    "og:type": R("type", "type"),
    "og:locale": R("language", "language"),
    "article:published_time": R("published", "date"),
    "article:author": R("authors", "author"),
    "book:isbn": R("identifiers", "ident:isbn"),
    "book:author": R("authors", "author"),
}

# COinS (OpenURL ContextObject in a span.Z3988 title), keys as in the KEV query string.
COINS: dict[str, Rule] = {
    "rft.atitle": R("title"),
    "rft.btitle": R("title", rank=1, implies_type="book"),
    "rft.jtitle": R("container"),
    "rft.title": R("container", rank=1),
    "rft.au": R("authors", "author"),
    "rft.date": R("published", "date"),
    "rft.volume": R("volume"),
    "rft.issue": R("issue"),
    "rft.spage": R("pages", "first_page"),
    "rft.epage": R("pages", "last_page"),
    "rft.pages": R("pages", "first_page", 1),
    "rft.issn": R("identifiers", "ident:issn"),
    "rft.eissn": R("identifiers", "ident:issn", 1),
    "rft.isbn": R("identifiers", "ident:isbn"),
    "rft.pub": R("publisher"),
    "rft.genre": R("type", "type"),
    "rft_id": R("doi", "identifier"),
    "rft.language": R("language", "language"),
}

# Plain HTML meta: weak evidence, used when nothing else says it. Also schema.org itemprop
# metas in <head> outside any itemscope (legacy pages: D-Lib's datePublished).
HTML_META: dict[str, Rule] = {
    "description": R("description", "abstract"),
    "author": R("authors", "author_list"),
    "datepublished": R("published", "date"),
}

# Source label -> table, richest first (this order ranks them within the embedded layer).
VOCABULARIES: tuple[tuple[str, dict[str, Rule]], ...] = (
    ("highwire", HIGHWIRE),
    ("bepress", BEPRESS),
    ("eprints", EPRINTS),
    ("prism", PRISM),
    ("dc", DUBLIN_CORE),
    ("og", OPEN_GRAPH),
    ("meta", HTML_META),
)

LANGUAGES: dict[str, str] = {
    "english": "en", "eng": "en", "french": "fr", "français": "fr", "fre": "fr", "fra": "fr",
    "german": "de", "deutsch": "de", "ger": "de", "deu": "de", "danish": "da", "dansk": "da",
    "dan": "da", "norwegian": "no", "norsk": "no", "nor": "no", "nob": "nb", "swedish": "sv",
    "svenska": "sv", "swe": "sv", "dutch": "nl", "dut": "nl", "nld": "nl", "spanish": "es",
    "spa": "es", "chinese": "zh", "中文": "zh", "chi": "zh", "zho": "zh", "italian": "it",
    "ita": "it", "portuguese": "pt", "por": "pt", "finnish": "fi", "fin": "fi",
}


_COLON_PREFIXES = ("dc:", "dcterms:", "prism:", "eprints:")
# meta name -> the vocabularies that read it.
_VOCABULARY_OF: dict[str, tuple[str, ...]] = {}
for _name, _table in VOCABULARIES:
    for _key in _table:
        _VOCABULARY_OF[_key] = (*_VOCABULARY_OF.get(_key, ()), _name)


def collect_meta(tree: HtmlElement) -> list[tuple[str, str]]:
    """(normalised name, content) for every <meta name|property> in document order."""
    out = []
    for meta in tree.iter("meta"):
        key = meta.get("name") or meta.get("property")
        if not key and meta.get("itemprop") and meta.getparent().tag == "head":
            key = meta.get("itemprop")
        content = meta.get("content")
        if not key or content is None:
            continue
        key = key.strip().lower()
        if key.startswith(_COLON_PREFIXES):
            key = key.replace(":", ".", 1)
        out.append((key, content))
    return out


def by_vocabulary(metas: Iterable[tuple[str, str]]) -> dict[str, list[tuple[str, str]]]:
    """The metas each vocabulary reads, in document order: one pass for all tables."""
    out: dict[str, list[tuple[str, str]]] = {}
    for key, content in metas:
        for name in _VOCABULARY_OF.get(key, ()):
            out.setdefault(name, []).append((key, content))
    return out


def normalise_language(text: Any) -> str | None:
    value = clean(text).lower()
    if not value:
        return None
    if value in LANGUAGES:
        return LANGUAGES[value]
    primary = value.replace("_", "-").split("-")[0]
    return LANGUAGES.get(primary, primary) if primary.isalpha() and len(primary) <= 3 else None


def read_vocabulary(metas: Iterable[tuple[str, str]], table: dict[str, Rule],
                    base: str) -> dict[str, Any]:
    """The Record fields one vocabulary gives, as a partial dict (empty when it is absent)."""
    out: dict[str, Any] = {}
    ranks: dict[str, int] = {}
    authors: list = []
    pages: dict[str, str] = {}
    for key, content in metas:
        rule = table.get(key)
        if rule is None:
            continue
        if rule.implies_type and "type" not in out:
            out["type"] = rule.implies_type
            ranks["type"] = 9
        _apply(rule, content, out, ranks, authors, pages, base)
    if authors:
        out["authors"] = authors
    if pages:
        out["pages"] = join_pages(pages.get("first_page"), pages.get("last_page"))
    return {k: v for k, v in out.items() if v not in (None, "", [], {})}


def _set(out: dict[str, Any], ranks: dict[str, int], field: str, value: Any, rank: int) -> None:
    if value in (None, "") or ranks.get(field, 99) <= rank:
        return
    out[field] = value
    ranks[field] = rank


def _apply(rule: Rule, content: str, out: dict[str, Any], ranks: dict[str, int],
           authors: list, pages: dict[str, str], base: str) -> None:
    kind, field = rule.kind, rule.field
    if kind == "author":
        if author := make_author(content):
            authors.append(author)
    elif kind == "author_list":
        authors.extend(authors_from_list(content))
    elif kind == "affiliation":
        if authors and clean(content) and clean(content) not in authors[-1].affiliations:
            authors[-1].affiliations.append(clean(content))
    elif kind == "orcid":
        if authors and not authors[-1].orcid:
            authors[-1].orcid = normalise_orcid(content)
    elif kind in ("first_page", "last_page"):
        if clean(content) and kind not in pages:
            pages[kind] = clean(content)
    elif kind == "keywords":
        out.setdefault(field, [])
        out[field] = list(dict.fromkeys(out[field] + split_keywords(content)))
    elif kind == "list":
        out.setdefault(field, []).extend(v for v in [clean(content)] if v)
    elif kind == "reference":
        if ref := parse_reference(content):
            out.setdefault(field, []).append(ref)
    elif kind == "abstract":
        text, sections = abstract_from_markup(content)
        if field == "abstract" and is_teaser(text):
            field = "description"  # cut short or "read more": a teaser, not the abstract
        if text and ranks.get(field, 99) > rule.rank:
            _set(out, ranks, field, text, rule.rank)
            if field == "abstract":
                out["abstract_sections"] = sections
    elif kind.startswith("ident:"):
        key = kind[6:]
        value = urljoin(base, clean(content)) if key == "pdf_url" else clean(content)
        if value:
            out.setdefault("identifiers", {}).setdefault(key, value)
    elif kind in ("identifier", "source"):
        found = classify_identifier(content)
        if found and found[0] == "doi":
            _set(out, ranks, "doi", found[1], rule.rank)
        elif found:
            out.setdefault("identifiers", {}).setdefault(found[0], found[1])
        elif kind == "source" and not clean(content).lower().startswith(("http", "www.")):
            _set(out, ranks, field, clean(content), rule.rank)
    else:
        _set(out, ranks, field, _value(kind, content), rule.rank)


def _value(kind: str, content: str) -> Any:
    if kind == "date":
        return parse_date(content)
    if kind == "doi":
        return doi_or_none(content)
    if kind == "type":
        return normalise_type(content)
    if kind == "language":
        return normalise_language(content)
    if kind == "flag":
        return True
    return clean(content) or None


def parse_reference(content: str) -> Reference | None:
    """A Reference from a `citation_reference` value ("citation_title=...; citation_doi=...")."""
    text = clean(content)
    if not text:
        return None
    if "citation_" not in text:
        return Reference(text=text, doi=doi_or_none(text) if "10." in text else None)
    parts: dict[str, list[str]] = {}
    for chunk in text.split(";"):
        key, _, value = chunk.partition("=")
        if value.strip():
            parts.setdefault(key.strip().lower(), []).append(value.strip())
    get = lambda k: (parts.get(k) or [None])[0]  # noqa: E731
    title = get("citation_title") or get("citation_article_title")
    bits = [", ".join(parts.get("citation_author", [])), get("citation_year")
            or get("citation_publication_date"), title, get("citation_journal_title")]
    return Reference(text=". ".join(b for b in bits if b) or text, title=title,
                     doi=doi_or_none(get("citation_doi")) if get("citation_doi") else None)
