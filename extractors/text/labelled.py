"""Labelled fields: "Title: ...", "Authors: ...", "作者 ..." rows on pages with no metadata.

Repository and proceedings pages of no known platform often print their record as label and
value pairs: <dt>/<dd>, table rows, or an <em>/<b> label followed by its value. The labels
are a table (several languages); the reader takes the first value for each field.
"""

from __future__ import annotations

from typing import Any

from lxml.html import HtmlElement

from extractors.embedded.values import (
    authors_from_list,
    clean,
    doi_or_none,
    make_author,
    parse_date,
    split_keywords,
)
from extractors.html import block_text
from extractors.text.chrome import in_chrome
from extractors.text.citation import parse_citation

# Label text (lower case, without a trailing colon) -> Record field.
LABELS: dict[str, str] = {
    **dict.fromkeys(["title", "titel", "titre", "título", "titolo", "标题", "题名", "篇名"], "title"),
    **dict.fromkeys(["author", "authors", "author(s)", "creator", "creators", "forfatter",
                     "forfattere", "auteur", "auteurs", "autor", "autoren", "作者", "著者"],
                    "authors"),
    **dict.fromkeys(["journal", "source", "published in", "conference", "proceedings", "series",
                     "tidsskrift", "zeitschrift", "revue", "期刊", "刊名", "来源", "出处"],
                    "container"),
    **dict.fromkeys(["date", "year", "publication date", "date of publication", "issued",
                     "date issued", "published", "dato", "udgivelsesdato", "erscheinungsjahr",
                     "发表时间", "出版日期", "年份", "发表日期"], "published"),
    **dict.fromkeys(["doi", "d o i", "d.o.i."], "doi"),
    **dict.fromkeys(["keywords", "key words", "subjects", "nøgleord", "emneord", "schlagwörter",
                     "mots-clés", "palabras clave", "关键词", "关键字"], "keywords"),
    **dict.fromkeys(["publisher", "forlag", "verlag", "éditeur", "出版社"], "publisher"),
}
_CANDIDATES = (
    "//*[self::dt or self::th or self::td or self::em or self::strong or self::b or self::label"
    " or self::span or self::div or self::p][string-length(normalize-space(.)) < 30]"
)
MAX_VALUE = 2000


def _label(el: HtmlElement) -> str | None:
    text = clean(el.text_content()).rstrip(":：").strip().casefold()
    return LABELS.get(text)


def _value_element(label: HtmlElement) -> HtmlElement | None:
    """The element holding a label's value: the next sibling (dd, td, strong, div...)."""
    for sibling in label.itersiblings():
        if isinstance(sibling.tag, str):
            return sibling
    return None


def _read(field: str, value: HtmlElement | None, tail: str) -> Any:
    parts = [p for p in (clean(x) for x in (block_text(value) if value is not None else []))
             if p] or [clean(tail)]
    text = " ".join(parts)
    if not text or len(text) > MAX_VALUE:
        return None
    if field == "authors":
        items = [clean(c.text_content()) for c in (value if value is not None else [])
                 if isinstance(c.tag, str)]
        if len([i for i in items if i]) >= 2:
            return [a for a in map(make_author, items) if a]
        if ";" in text or " and " in text:
            return authors_from_list(text)
        names = [p.strip() for p in text.split(",")]
        if len(names) > 1 and all(" " in n for n in names):  # "A Smith, B Jones", not "Smith, A"
            return [a for a in map(make_author, names) if a]
        return [a for a in [make_author(text)] if a]
    if field == "published":
        return parse_date(text)
    if field == "doi":
        return doi_or_none(text)
    if field == "keywords":
        return split_keywords(parts if len(parts) > 1 else text)
    return text if field != "title" or 4 <= len(text) <= 400 else None


def labelled_fields(tree: HtmlElement) -> dict[str, Any]:
    """Record fields from label/value pairs printed on the page (first value per field)."""
    out: dict[str, Any] = {}
    for el in tree.xpath(_CANDIDATES)[:2000]:
        field = _label(el)
        if field is None or field in out or in_chrome(el):
            continue
        tail = el.tail or ""
        value = _value_element(el) if not clean(tail) else None
        found = _read(field, value, tail)
        if field == "container" and isinstance(found, str) and (cited := parse_citation(found)):
            for key, value in cited.items():  # a citation line ("2023. Journal 70: 1-9 doi...")
                out.setdefault(key, value)
            continue
        if field == "container" and isinstance(found, str) and (doi := doi_or_none(found)):
            out.setdefault("doi", doi)  # a citation we cannot read: its DOI, no container
            continue
        if found not in (None, "", []):
            out[field] = found
    return out
