"""schema.org works from JSON-LD and microdata (read by extruct on the parsed tree).

Both syntaxes are brought to one JSON-LD-like shape and read by one mapper. A page often
carries several items (breadcrumbs, the publisher, recommended papers); the work is the first
item whose @type is a kind of work.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator
from typing import Any

from lxml.html import HtmlElement

from extractors.embedded.meta import normalise_language
from extractors.embedded.values import (
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
from extractors.record import Author, Person, Reference

log = logging.getLogger(__name__)

# Types that are a work; the first item of one of these is the page's work.
WORK_TYPES = frozenset({
    "ScholarlyArticle", "MedicalScholarlyArticle", "Article", "NewsArticle", "TechArticle",
    "Report", "BlogPosting", "CreativeWork", "Dataset", "ResearchProject", "Project", "Book",
    "Chapter", "Thesis", "Collection", "PublicationIssue",
})
# For these, `description` is the abstract; for news and blog posts it is a teaser.
ABSTRACT_TYPES = frozenset({
    "ScholarlyArticle", "MedicalScholarlyArticle", "Dataset", "ResearchProject", "Project",
    "Thesis", "Report", "Chapter", "Book",
})
PEOPLE_PROPERTIES = ("member", "employee", "accountablePerson", "founder", "contactPoint")
MAX_ITEMS = 200  # a page with more items than this is a listing; do not walk them all
MAX_DEPTH = 6


@functools.cache
def _extruct() -> tuple[Any, Any]:
    """extruct's JSON-LD and microdata readers, imported on first use: importing extruct
    loads all its syntaxes (rdflib...), 0.1 s a process that never reads a page (the crawl's)."""
    from extruct.jsonld import JsonLdExtractor
    from extruct.w3cmicrodata import MicrodataExtractor

    return JsonLdExtractor(), MicrodataExtractor()


def jsonld_items(tree: HtmlElement) -> list[dict[str, Any]]:
    """Every JSON-LD object on the page, @graph and nested lists flattened; bad JSON skipped."""
    items: list[dict[str, Any]] = []
    for script in tree.xpath('//script[@type="application/ld+json"]')[:50]:
        try:
            found = _extruct()[0].extract_items(script)
        except Exception as exc:  # malformed JSON-LD is common; it costs only itself
            log.debug("skipping malformed JSON-LD: %s", exc)
            continue
        items.extend(_flatten(found, 0))
    return items[:MAX_ITEMS]


def microdata_items(tree: HtmlElement, base: str) -> list[dict[str, Any]]:
    """Top-level microdata items, converted to the JSON-LD shape."""
    if not tree.xpath("(//@itemscope)[1]"):
        return []
    try:
        found = _extruct()[1].extract_items(tree, base)
    except Exception as exc:
        log.debug("skipping broken microdata: %s", exc)
        return []
    return [_from_microdata(item, 0) for item in found[:MAX_ITEMS]]


def _flatten(value: Any, depth: int) -> Iterator[dict[str, Any]]:
    if depth > MAX_DEPTH:
        return
    if isinstance(value, list):
        for v in value:
            yield from _flatten(v, depth + 1)
    elif isinstance(value, dict):
        if "@graph" in value:
            yield from _flatten(value["@graph"], depth + 1)
        else:
            yield value
            if isinstance(value.get("mainEntity"), dict):
                yield value["mainEntity"]


def _from_microdata(item: Any, depth: int) -> Any:
    if isinstance(item, list):
        return [_from_microdata(v, depth + 1) for v in item]
    if not isinstance(item, dict) or "properties" not in item or depth > MAX_DEPTH:
        return item.get("value") if isinstance(item, dict) else item
    out = {k: _from_microdata(v, depth + 1) for k, v in item["properties"].items()}
    out["@type"] = item.get("type")
    return out


def types_of(item: dict[str, Any]) -> list[str]:
    """Bare type names: "http://schema.org/Dataset" and ["Periodical"] alike."""
    raw = item.get("@type") or []
    raw = raw if isinstance(raw, list) else [raw]
    return [str(t).rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1] for t in raw if t]


def main_work(items: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The first item that is a work and has a name."""
    for item in items:
        if not isinstance(item, dict):
            continue
        if any(t in WORK_TYPES for t in types_of(item)) and (_text(item.get("headline"))
                                                             or _text(item.get("name"))):
            return item
    return None


def work_fields(item: dict[str, Any], base: str = "") -> dict[str, Any]:
    """Record fields from one schema.org work item."""
    types = types_of(item)
    out: dict[str, Any] = {
        "title": _text(item.get("headline")) or _text(item.get("name")),
        "type": next((t for t in map(normalise_type, types) if t), None),
        "authors": _authors(item.get("author") or item.get("creator")),
        "published": parse_date(_text(item.get("datePublished"))
                                or _text(item.get("dateCreated"))),
        "publisher": _name(item.get("publisher")),
        "keywords": split_keywords(_list(item.get("keywords"))) if item.get("keywords") else [],
        "language": normalise_language(_name(item.get("inLanguage"))),
        "license": _url_or_name(item.get("license")),
        "pages": clean(item.get("pagination")) or join_pages(item.get("pageStart"),
                                                             item.get("pageEnd")),
        "funding": [n for n in map(_name, _list(item.get("funder") or item.get("funding"))) if n],
        "people": _people(item),
        "references": _references(item.get("citation")),
    }
    description = _text(item.get("abstract")) or _text(item.get("description"))
    if description:
        text, sections = abstract_from_markup(description)
        strong = bool(item.get("abstract")) or any(t in ABSTRACT_TYPES for t in types)
        out["abstract" if strong and not is_teaser(text) else "description"] = text
        if sections and strong:
            out["abstract_sections"] = sections
    if item.get("isAccessibleForFree") in (True, "true", "True"):
        out["open_access"] = True
    ids, container = _identifiers(item), _container(item)
    if "identifiers" in ids and "identifiers" in container:
        ids["identifiers"] = {**container.pop("identifiers"), **ids["identifiers"]}
    out.update(container)
    out.update(ids)
    return {k: v for k, v in out.items() if v not in (None, "", [], {})}


def _text(value: Any) -> str:
    if isinstance(value, list):
        value = next((v for v in value if _text(v)), "")
    if isinstance(value, dict):
        value = value.get("@value") or value.get("name") or ""
    return clean(value) if isinstance(value, str | int | float) else ""


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _name(value: Any) -> str:
    for v in _list(value):
        if isinstance(v, dict):
            name = _text(v.get("name")) or _text(v.get("legalName")) or _text(v.get("text"))
        else:
            name = _text(v)
        if name:
            return name
    return ""


def _url_or_name(value: Any) -> str:
    for v in _list(value):
        if isinstance(v, dict):
            v = v.get("url") or v.get("@id") or v.get("name") or v.get("text")
        if text := _text(v):
            return text
    return ""


def _orcid(person: dict[str, Any]) -> str | None:
    for key in ("@id", "identifier", "sameAs", "url"):
        for v in _list(person.get(key)):
            v = v.get("value") or v.get("@id") if isinstance(v, dict) else v
            if isinstance(v, str) and "orcid" in v.lower() and (oid := normalise_orcid(v)):
                return oid
    return None


def _authors(value: Any) -> list[Author]:
    out = []
    for person in _list(value)[:2000]:
        if isinstance(person, dict):
            affiliations = [
                _name(a) or _text(a.get("address")) if isinstance(a, dict) else _text(a)
                for a in _list(person.get("affiliation"))
            ]
            author = make_author(person.get("name"), person.get("givenName"),
                                 person.get("familyName"), [a for a in affiliations if a],
                                 _orcid(person))
        else:
            author = make_author(_text(person))
        if author:
            out.append(author)
    return out


def _people(item: dict[str, Any]) -> list[Person]:
    out = []
    for key in PEOPLE_PROPERTIES:
        for p in _list(item.get(key)):
            if isinstance(p, dict) and (name := _name(p)):
                role = _text(p.get("roleName")) or _text(p.get("jobTitle")) or key
                out.append(Person(name=name, role=role, email=_text(p.get("email")) or None,
                                  phone=_text(p.get("telephone")) or None,
                                  affiliation=_name(p.get("affiliation")) or None))
    return out


def _references(value: Any) -> list[Reference]:
    out = []
    for ref in _list(value)[:2000]:
        if isinstance(ref, dict):
            ids = [_text(ref.get(k)) for k in ("@id", "identifier", "sameAs", "url", "text")]
            doi = next((d for d in map(doi_or_none, ids) if d), None)
            title = _text(ref.get("name")) or _text(ref.get("headline")) or None
            if doi or title:
                out.append(Reference(text=title, doi=doi, title=title))
        elif text := _text(ref):
            out.append(Reference(text=text, doi=doi_or_none(text)))
    return out


def _identifiers(item: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, str] = {}
    for key in ("doi", "identifier", "@id", "sameAs", "url"):
        for v in _list(item.get(key)):
            if isinstance(v, dict):
                v = v.get("value") or v.get("@id") or v.get("url")
            hit = classify_identifier(v) if isinstance(v, str) else None
            if hit:
                found.setdefault(hit[0], hit[1])
    if isbn := _text(item.get("isbn")):
        found.setdefault("isbn", isbn)
    out: dict[str, Any] = {}
    if "doi" in found:
        out["doi"] = found.pop("doi")
    if found:
        out["identifiers"] = found
    return out


def _container(item: dict[str, Any]) -> dict[str, Any]:
    """Journal name, volume and issue from the isPartOf chain (Periodical > Volume > Issue)."""
    out: dict[str, Any] = {}
    node, depth = item.get("isPartOf") or item.get("includedInDataCatalog"), 0
    while node is not None and depth < MAX_DEPTH:
        node = node[0] if isinstance(node, list) and node else node
        if not isinstance(node, dict):
            if _text(node) and not _text(node).startswith("http"):
                out.setdefault("container", _text(node))
            break
        types = types_of(node)
        if node.get("volumeNumber"):
            out.setdefault("volume", clean(node["volumeNumber"]).removeprefix("Volume ").strip())
        if node.get("issueNumber"):
            out.setdefault("issue", clean(node["issueNumber"]).removeprefix("Number ").strip())
        if node.get("issn") and "issn" not in out.get("identifiers", {}):
            out.setdefault("identifiers", {})["issn"] = _text(node["issn"])
        name = _text(node.get("name"))
        if name and ("Periodical" in types or not types or "Blog" in types
                     or "DataCatalog" in types or "CreativeWorkSeries" in types):
            out.setdefault("container", name)
        node, depth = node.get("isPartOf"), depth + 1
    return out

