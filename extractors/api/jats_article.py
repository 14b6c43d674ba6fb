"""JATS / NLM article XML (<article><front><journal-meta>...<article-meta>): the format
publishers (EDP, World Scientific, SciELO), PMC and JSTOR serve or deposit articles in.

Parsed by `_common.parse_xml` (no entities, no DTD, no network). Of several abstracts the
main one is taken (no abstract-type, in the article's language), never a graphical or
teaser one; names in capitals are title-cased; SciELO's <numero> is the issue.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from extractors.api._common import (
    build_record,
    doi_or_none,
    keep,
    language,
    make_author,
    page_range,
    unique,
    work_type,
)
from extractors.jats import abstract_from_element, clean_text
from extractors.record import Record, Reference

NAME = "jats"
HOSTS: tuple[str, ...] = ()  # served by many publishers; recognised by shape
# Which <pub-date> is the publication date, by @pub-type / @date-type, most wanted first.
PUB_DATES = ("epub", "pub", "final", "epub-ppub", "ppub", "collection", "")
# Abstracts that are not the abstract; "short" ones serve when there is nothing else.
NOT_ABSTRACT = frozenset({"graphical", "visual", "video", "teaser", "toc", "highlights",
                          "key-points", "web-summary", "lay-summary"})
SECOND_CHOICE = frozenset({"short", "summary"})
MAX_REFERENCES = 2000
XLINK = "{http://www.w3.org/1999/xlink}href"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_EMAIL = re.compile(r"[,;]?\s*(?:e-?mail:?\s*)?[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.I)


def sniff(root: Any) -> bool:
    return (isinstance(root, etree._Element) and isinstance(root.tag, str)
            and etree.QName(root).localname == "article"
            and any(isinstance(c.tag, str) and etree.QName(c).localname == "front" for c in root))


def parse_jats(url: str, root: etree._Element) -> list[Record]:
    """The article of a JATS document; [] when it has no <front>."""
    if not sniff(root):
        return []
    _drop_namespaces(root)
    front = root.find("front")
    meta = front.find("article-meta") if front is not None else None
    if meta is None:
        return []
    return keep([_article(url, root, front, meta)])


def _article(url: str, root: etree._Element, front: etree._Element,
             meta: etree._Element) -> Record:
    journal = front.find("journal-meta")
    lang = root.get(XML_LANG) or next((t.get(XML_LANG) for t in meta.iterfind(
        "title-group/article-title") if t.get(XML_LANG)), None)
    abstract, sections = _abstract(meta, lang)
    ids = {(i.get("pub-id-type") or "").lower(): _text(i) for i in meta.iterfind("article-id")}
    fpage, lpage = _text(meta.find("fpage")), _text(meta.find("lpage"))
    values = {
        "type": work_type(root.get("article-type")),
        "title": _title(meta),
        "authors": _authors(meta),
        "abstract": abstract,
        "abstract_sections": sections,
        "doi": doi_or_none(ids.get("doi")),
        "identifiers": {k: v for k, v in (("pmid", ids.get("pmid")), ("pmcid", ids.get("pmc")),
                                          ("issn", _issn(journal))) if v},
        "container": _first(journal, ".//journal-title", ".//abbrev-journal-title"),
        "publisher": _first(journal, "publisher/publisher-name"),
        "volume": _text(meta.find("volume")),
        "issue": _text(meta.find("issue")) or _text(meta.find("numero")),
        "pages": page_range(fpage, lpage) if fpage else _text(meta.find("elocation-id")),
        "published": _published(meta),
        "keywords": _keywords(meta, lang),
        "language": language(lang),
        "license": _license(meta),
        "references": _references(root),
    }
    return build_record(url, NAME, values)


def _drop_namespaces(root: etree._Element) -> None:
    """<jats:article-title> and the like to plain names (attributes keep theirs)."""
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.startswith("{"):
            el.tag = etree.QName(el).localname


def _text(node: etree._Element | None) -> str | None:
    return clean_text("".join(node.itertext())) or None if node is not None else None


def _first(node: etree._Element | None, *paths: str) -> str | None:
    if node is None:
        return None
    return next((t for p in paths for t in map(_text, node.iterfind(p)) if t), None)


def _title(meta: etree._Element) -> str | None:
    title = _first(meta, "title-group/article-title")
    sub = _first(meta, "title-group/subtitle")
    return f"{title}: {sub}" if title and sub else title


def _name_part(value: str | None) -> str | None:
    return value.title() if value and value.isupper() else value


def _authors(meta: etree._Element) -> list[Any]:
    affiliations = {a.get("id"): _affiliation(a) for a in meta.iter("aff") if a.get("id")}
    out = []
    for contrib in meta.iterfind("contrib-group/contrib"):
        if contrib.get("contrib-type") not in (None, "author"):
            continue
        name = contrib.find("name")
        if name is None:
            name = contrib.find("string-name")
        affs = [affiliations.get(x.get("rid")) for x in contrib.iterfind("xref")
                if x.get("ref-type") == "aff"]
        affs += [_affiliation(a) for a in contrib.iterfind("aff")]
        orcid = next((_text(i) for i in contrib.iterfind("contrib-id")
                      if (i.get("contrib-id-type") or "").lower() == "orcid"), None)
        if name is not None:
            given, family = _text(name.find("given-names")), _text(name.find("surname"))
            author = make_author(name=None if family else _text(name), given=_name_part(given),
                                 family=_name_part(family), affiliations=affs, orcid=orcid)
        else:  # a collaboration signs as one author
            author = make_author(name=_text(contrib.find("collab")), affiliations=affs)
        if author:
            out.append(author)
    return out


def _affiliation(aff: etree._Element) -> str | None:
    """The affiliation's text without its label ("1") or an e-mail address."""
    pieces = [aff.text or ""]
    for child in aff:
        if isinstance(child.tag, str) and child.tag != "label":
            pieces.append("".join(child.itertext()))
        pieces.append(child.tail or "")
    return _EMAIL.sub("", clean_text(" ".join(pieces))).strip(" ,;") or None


def _issn(journal: etree._Element | None) -> str | None:
    if journal is None:
        return None
    issns = {(i.get("pub-type") or i.get("publication-format") or ""): _text(i)
             for i in journal.iterfind("issn")}
    return issns.get("epub") or issns.get("electronic") or next(iter(issns.values()), None)


def _published(meta: etree._Element) -> str | None:
    dates: dict[str, str] = {}
    for node in meta.iterfind("pub-date"):
        kind = (node.get("pub-type") or node.get("date-type") or "").lower()
        year, month, day = (_text(node.find(t)) for t in ("year", "month", "day"))
        if year and year.isdigit() and kind not in dates:
            parts = [year] + [f"{int(x):02d}" for x in (month, day) if x and x.isdigit()]
            dates[kind] = "-".join(parts[:2] if not day else parts)
    return next((dates[k] for k in PUB_DATES if k in dates), next(iter(dates.values()), None))


def _abstract(meta: etree._Element, lang: str | None) -> tuple[str, list[Any]]:
    candidates = [a for a in meta.iterfind("abstract")
                  if (a.get("abstract-type") or "").lower() not in NOT_ABSTRACT]

    def rank(a: etree._Element) -> tuple[bool, bool]:
        kind = (a.get("abstract-type") or "").lower()
        return kind in SECOND_CHOICE, bool(lang and a.get(XML_LANG) not in (None, lang))

    for abstract in sorted(candidates, key=rank):
        text, sections = abstract_from_element(abstract)
        if text:
            return text, sections
    return "", []


def _keywords(meta: etree._Element, lang: str | None) -> list[str]:
    groups = list(meta.iterfind("kwd-group"))
    groups.sort(key=lambda g: bool(lang and g.get(XML_LANG) not in (None, lang)))
    return unique(_text(k) for k in groups[0].iterfind("kwd")) if groups else []


def _license(meta: etree._Element) -> str | None:
    for licence in meta.iterfind("permissions/license"):
        href = licence.get(XLINK) or next((e.get(XLINK) for e in licence.iter("ext-link")
                                           if e.get(XLINK)), None)
        if href or _text(licence):
            return href or _text(licence)
    return None


def _references(root: etree._Element) -> list[Reference]:
    out = []
    for ref in root.iterfind("back/ref-list/ref"):
        citation = next((c for tag in ("mixed-citation", "element-citation", "citation",
                                       "nlm-citation") for c in ref.iterfind(tag)), None)
        if citation is None:
            continue
        doi = next((doi_or_none(_text(p)) for p in citation.iter("pub-id")
                    if (p.get("pub-id-type") or "").lower() == "doi"), None)
        out.append(Reference(text=_text(citation), doi=doi,
                             title=_text(citation.find("article-title"))))
        if len(out) >= MAX_REFERENCES:
            break
    return out
