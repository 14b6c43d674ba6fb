"""The table-driven engine every platform adapter runs: a platform is a table of selectors.

A table maps Record field names to selector lists (CSS, or XPath when a selector starts with
"/", "./", "../", "(", "@" or an axis::); the first selector that finds anything wins. Scalar fields take the
first non-empty text, list fields every text, and the structured fields take a small spec:

    "authors":    {"item", "name" | "given"/"family", "affiliations", "affiliation_keys",
                   "orcid", "drop", "split" (regex between affiliations), "ignore" (regex)}
    "affiliation_index": {"item", "key", "text", "drop"}: what affiliation_keys point into
    "abstract_sections": {"root", "heading", "drop"}            (see sections.py)
    "references" / "related": {"item", "text" | "parts" (joined), "title", "doi", "url", "drop"}
    "people":     {"item", "name", "role", "email", "phone", "affiliation", "drop"}
    "labelled":   {"row", "label", "value", "items", "fields": {label text: field}}

"drop" lists parts of an item that are never text (counters, "Search for more papers", popups).
CSS goes through parsel's translator, which adds ::text and ::attr(name) to plain CSS.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Any
from urllib.parse import unquote, urlsplit

import lxml.etree
from parsel.csstranslator import css2xpath

from extractors.embedded.values import (
    authors_from_list,
    clean,
    doi_or_none,
    make_author,
    normalise_orcid,
    normalise_type,
    parse_date,
    split_keywords,
)
from extractors.html import absolute, base_url, block_text
from extractors.platforms import _matching
from extractors.platforms._matching import host_matches as host_matches  # adapters' helper
from extractors.platforms.sections import abstract_text, sections_from
from extractors.record import Author, Person, Reference

Selectors = str | Sequence[str]

TEXT_FIELDS = ("title", "abstract", "container", "publisher", "organisation", "volume", "issue",
               "pages", "language", "license")
LIST_FIELDS = ("keywords", "funding")
MAX_ITEMS = 2000  # authors, references...: more than any real page lists; bounds hostile input
MAX_TEXT = 100_000

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"\+?\d[\d ()./-]{5,}\d")
_COUNT = re.compile(r"\d[\d,.\s]*")
_AXIS = re.compile(r"^(?:ancestor|attribute|child|descendant|following|parent|preceding|self)"
                   r"(?:-or-self|-sibling)?::")
_COUNTER = re.compile(r"^\s*[\[(]?\d{1,4}[\]).]?\.?\s+")  # "[1] ", "12. ", "(3) " before a reference
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,;])")
# Degrees and honours pages print after a name ("Michael L. Anderson, PhD"): not the name.
DEGREES = ("PhD", "Ph.D.", "MD", "M.D.", "MPH", "MSc", "MS", "MA", "BA", "BSc", "RN", "DrPH",
           "MBA", "MBBS", "MBChB", "FRCP", "FRCPC", "FACP", "DPhil", "DSc", "EdD", "PharmD",
           "DNP", "MSN", "BSN", "MRCP", "PsyD", "LCSW", "MSW", "Prof", "Professor")
_DEGREE_TAIL = re.compile(
    r"(?:\s*,\s*(?:" + "|".join(re.escape(d) for d in DEGREES) + r")\b\.?)+\s*$")


# --- selecting ------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _compiled(selector: str) -> lxml.etree.XPath:
    is_xpath = selector.startswith(("/", "./", "../", "(", "@")) or selector == "." \
        or bool(_AXIS.match(selector))
    return lxml.etree.XPath(selector if is_xpath else css2xpath(selector), smart_strings=False)


def _as_list(selectors: Selectors | None) -> Sequence[str]:
    if not selectors:
        return ()
    return (selectors,) if isinstance(selectors, str) else selectors


def select(node: Any, selectors: Selectors | None) -> list[Any]:
    """Results (elements or strings) of the first selector that matches anything."""
    if node is None:
        return []
    for selector in _as_list(selectors):
        found = _compiled(selector)(node)
        if isinstance(found, list) and found:
            return found[:MAX_ITEMS]
        if isinstance(found, str) and found.strip():
            return [found]
    return []


def select_all(node: Any, selectors: Selectors | None) -> list[Any]:
    """Results of every selector together (for parts to drop)."""
    out: list[Any] = []
    for selector in _as_list(selectors):
        found = _compiled(selector)(node)
        out.extend(found if isinstance(found, list) else [found])
    return out


def _dropper(node: Any, selectors: Selectors | None) -> Callable[[Any], bool] | None:
    """A test for the parts to leave out. The elements stay referenced here: lxml hands out
    one proxy per live node, so their ids are stable only while the proxies live."""
    elements = [e for e in select_all(node, selectors) if not isinstance(e, str)]
    ids = {id(e) for e in elements}

    def dropped(el: Any) -> bool:
        return id(el) in ids and any(el is e for e in elements)

    return dropped if elements else None


def text(value: Any, drop: Callable[[Any], bool] | None = None) -> str:
    """One result as one line of text: a string cleaned, an element's readable text."""
    if value is None:
        return ""
    raw = clean(value) if isinstance(value, str) else " ".join(block_text(value, drop))
    return _SPACE_BEFORE_PUNCT.sub(r"\1", raw[:MAX_TEXT])


def _texts(node: Any, selectors: Selectors | None, drop: Callable[[Any], bool] | None,
           split: str | None) -> Iterator[str]:
    for value in select(node, selectors):
        # a raw string is split before cleaning: its line breaks may be the only separators
        raw = value if isinstance(value, str) else text(value, drop)
        for part in re.split(split, raw) if split else [raw]:
            if cleaned := text(part).strip(" ,;"):
                yield cleaned


def texts(node: Any, selectors: Selectors | None, drop: Callable[[Any], bool] | None = None,
          split: str | None = None) -> list[str]:
    """Every non-empty text the first matching selector gives (split on `split`), no repeats."""
    return list(dict.fromkeys(_texts(node, selectors, drop, split)))


def first_text(node: Any, selectors: Selectors | None,
               drop: Callable[[Any], bool] | None = None) -> str | None:
    return next(_texts(node, selectors, drop, None), None)


# --- matching -------------------------------------------------------------------------------


def has_marker(tree: Any, selectors: Selectors | None) -> bool:
    """True when any marker selector finds something in the page (checked against the page's
    shared signature first: see _matching)."""
    return _matching.has_marker(tree, _as_list(selectors), lambda t, s: select(t, [s]))


# --- values ---------------------------------------------------------------------------------


def doi_in(value: str | None) -> str | None:
    """A DOI in a link or text; for URLs only the path counts (no ?src=recsys tails)."""
    value = clean(value)
    if value.startswith(("http://", "https://", "/")):
        parts = urlsplit(value)
        host = (parts.hostname or "").lower()
        value = unquote(parts.path)
        if host.endswith("doi.org"):
            value = value.lstrip("/")
    return doi_or_none(value)


def count_in(value: str | None) -> int | None:
    """The first number in a text: '被引: 12', '3 Citations', '1,024 citations'."""
    m = _COUNT.search(value or "")
    if not m:
        return None
    digits = re.sub(r"\D", "", m.group(0))
    return int(digits) if digits and len(digits) < 10 else None


def _keys(values: Iterable[str]) -> list[str]:
    """Affiliation keys from hrefs, ids or superscripts: '#Aff1' -> 'aff1', '1,2*' -> 1, 2."""
    out: list[str] = []
    for value in values:
        for part in re.split(r"[,\s]+", value or ""):
            key = re.sub(r"[^0-9a-z]", "", part.lower().rsplit("#", 1)[-1])
            if key:
                out.append(key)
    return list(dict.fromkeys(out))


def affiliation_index(tree: Any, spec: dict[str, Any] | None) -> dict[str, str]:
    """key -> affiliation text, for pages that number affiliations apart from the authors."""
    index: dict[str, str] = {}
    for item in select(tree, (spec or {}).get("item")):
        drop = _dropper(item, spec.get("drop"))
        keys = _keys(texts(item, spec.get("key")))
        value = first_text(item, spec.get("text"), drop) if spec.get("text") else text(item, drop)
        value = clean(value).strip(" ,;")
        for key in keys or [str(len(index) + 1)]:
            if value and key not in index:
                index[key] = value
    return index


def authors(tree: Any, spec: dict[str, Any], index: dict[str, str]) -> list[Author]:
    """Authors in page order, each with its own affiliations (inline or via the index)."""
    out: list[Author] = []
    any_keys = False
    for item in select(tree, spec.get("item")):
        drop = _dropper(item, spec.get("drop"))
        name = first_text(item, spec.get("name"), drop) if spec.get("name") else None
        affs = texts(item, spec.get("affiliations"), drop, spec.get("split"))
        if spec.get("ignore"):
            affs = [a for a in affs if not re.search(spec["ignore"], a, re.I)]
        keys = _keys(texts(item, spec.get("affiliation_keys")))
        any_keys = any_keys or bool(keys)
        affs += [index[k] for k in keys if k in index]
        orcid = next((o for o in map(normalise_orcid, texts(item, spec.get("orcid"))) if o), None)
        name = _DEGREE_TAIL.sub("", name) if name else name
        author = make_author(name, first_text(item, spec.get("given"), drop),
                             first_text(item, spec.get("family"), drop), affs, orcid)
        if author and author.name not in {a.name for a in out}:
            out.append(author)
    if len(index) == 1 and not any_keys and not any(a.affiliations for a in out):
        for a in out:  # one affiliation, nobody numbered: everyone shares it
            a.affiliations = list(index.values())
    return out


def references(tree: Any, spec: dict[str, Any], page_url: str) -> list[Reference]:
    """Cited or related works: the citation text, title, link (absolute) and DOI of each item."""
    base = base_url(tree, page_url)
    out: list[Reference] = []
    for item in select(tree, spec.get("item")):
        drop = _dropper(item, spec.get("drop"))
        if spec.get("parts"):  # "Title. A One, B Two. Venue. 2015." from separate pieces
            body = sentences(", ".join(found) for part in spec["parts"]
                             if (found := texts(item, part, drop)))
        elif spec.get("text"):
            body = first_text(item, spec["text"], drop) or ""
        else:  # the whole item: its lines (title, authors, source) as sentences
            body = sentences(block_text(item, drop))
        body = _COUNTER.sub("", _SPACE_BEFORE_PUNCT.sub(r"\1", body))[:MAX_TEXT]
        title = first_text(item, spec.get("title"), drop)
        links = texts(item, spec.get("url"))
        url = absolute(links[0], base) if links else None
        doi = next((d for d in map(doi_in, texts(item, spec.get("doi"))) if d), None)
        doi = doi or doi_in(body) or (doi_in(url) if url else None)
        if body or title:
            out.append(Reference(text=body or None, doi=doi, title=title, url=url))
    return out


def people(tree: Any, spec: dict[str, Any]) -> list[Person]:
    """Named people with role, e-mail and phone where the item gives them (project pages)."""
    out: list[Person] = []
    for item in select(tree, spec.get("item")):
        drop = _dropper(item, spec.get("drop"))
        name = clean(first_text(item, spec.get("name"), drop)).strip(" ,;")
        if not name:
            continue
        email = next((m.group(0) for m in map(_EMAIL.search, texts(item, spec.get("email")))
                      if m), None)
        phone = next((m.group(0) for m in map(_PHONE.search, texts(item, spec.get("phone")))
                      if m), None)
        role = first_text(item, spec.get("role"), drop)
        out.append(Person(name=name, role=role.strip("()") if role else None, email=email,
                          phone=phone, affiliation=first_text(item, spec.get("affiliation"))))
    return out


def sentences(pieces: Iterable[str]) -> str:
    """Pieces of a citation joined as sentences: a full stop between them where none ends one."""
    out = [p.strip() for p in pieces if p and p.strip()]
    ends = (".", "?", "!", ":", ";")
    return " ".join(p if p.endswith(ends) or i == len(out) - 1 else p + "." for i, p in enumerate(out))


def coerce(field: str, values: list[str]) -> Any:
    """Texts found for a field -> the Record value (a date, a count, a list, authors...)."""
    values = [v for v in values if v]
    if not values:
        return None
    if field in LIST_FIELDS:
        return split_keywords(values)
    if field == "authors":
        return [a for v in values for a in authors_from_list(v)]
    if field == "published":
        return next((d for d in map(parse_date, values) if d), None)
    if field == "citation_count":
        return next((c for c in map(count_in, values) if c is not None), None)
    if field == "doi":
        return next((d for d in map(doi_in, values) if d), None)
    if field == "type":  # only the Record's own vocabulary; unknown terms are left out
        return next((t for t in map(normalise_type, values) if t), None)
    return values[0]


def labelled(tree: Any, spec: dict[str, Any]) -> dict[str, Any]:
    """Fields from label/value rows ('Original language | English', '作者 | ...')."""
    fields: dict[str, str] = {_label(k): v for k, v in spec["fields"].items()}
    found: dict[str, list[str]] = {}
    for row in select(tree, spec.get("row")):
        field = fields.get(_label(first_text(row, spec.get("label")) or ""))
        if not field:
            continue
        for value in select(row, spec.get("value"))[:1]:
            items = texts(value, spec.get("items"))
            if not items:  # one value per line (<br>, <li>) for lists, one text otherwise
                lines = block_text(value)
                many = field in LIST_FIELDS or field == "authors"
                items = lines if many else [" ".join(lines)]
            found.setdefault(field, []).extend(items)
    out = {field: coerce(field, values) for field, values in found.items()}
    return {k: v for k, v in out.items() if v not in (None, "", [])}


def _label(value: str) -> str:
    return clean(value).strip(" :：").lower()


# --- the table ------------------------------------------------------------------------------


def extract(tree: Any, url: str, table: dict[str, Any]) -> dict[str, Any]:
    """Every field the table finds on the page, as Record values; empty ones left out."""
    out: dict[str, Any] = {}
    if "labelled" in table:
        out.update(labelled(tree, table["labelled"]))
    for field in TEXT_FIELDS:
        if field in table and (value := first_text(tree, table[field])):
            out[field] = value
    for field in (*LIST_FIELDS, "published", "citation_count", "doi", "type"):
        if field in table and (value := coerce(field, texts(tree, table[field]))) is not None:
            out[field] = value
    if "authors" in table:
        index = affiliation_index(tree, table.get("affiliation_index"))
        out["authors"] = authors(tree, table["authors"], index)
    if "abstract_sections" in table:
        spec = table["abstract_sections"]
        for root in select(tree, spec.get("root"))[:1]:
            sections, preamble = sections_from(root, select_all(root, spec.get("heading")),
                                               _dropper(root, spec.get("drop")))
            out["abstract_sections"] = sections
            if "abstract" not in out:
                out["abstract"] = abstract_text(sections, preamble)
    for field in ("references", "related"):
        if field in table:
            out[field] = references(tree, table[field], url)
    if "people" in table:
        out["people"] = people(tree, table["people"])
    return {k: v for k, v in out.items() if v not in (None, "", [], {})}
