"""The publisher's own citation exports: find the RIS/BibTeX links on a page, read the files.

Link rules and field maps are tables. RIS is read by rispy and BibTeX by bibtexparser (with
LaTeX decoding and name splitting); this module only maps their fields onto the Record.
"""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from lxml.html import HtmlElement

from extractors.embedded.values import (
    clean,
    doi_or_none,
    join_pages,
    make_author,
    normalise_type,
    parse_date,
    split_keywords,
)
from extractors.html import absolute, text_of
from extractors.jats import abstract_from_markup

log = logging.getLogger(__name__)

MAX_EXPORT_CHARS = 2_000_000  # a citation file is a few KB; more is not one
MAX_LINKS = 6

# (pattern on the absolute href, format). First match wins; order = preference.
LINK_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p, re.I), fmt) for p, fmt in (
        (r"[?&](?:format|exportformat|citationformat|citation_format|export|type)="
         r"(?:[\w-]*_)?(?:ris|refman)\b", "ris"),
        (r"[?&](?:format|exportformat|citationformat|citation_format|export|type)="
         r"(?:[\w-]*_)?(?:bibtex|bib)\b", "bibtex"),
        (r"\.ris(?:$|[?#])", "ris"),
        (r"\.bib(?:tex)?(?:$|[?#])", "bibtex"),
        (r"/(?:export|citation|cite|citations?/download)/(?:ris|refman)(?:[/?#]|$)", "ris"),
        (r"/(?:export|citation|cite|citations?/download)/(?:bibtex|bibtext|bib)(?:[/?#]|$)",
         "bibtex"),
        (r"/highwire/citation/\d+/ris$", "ris"),
        (r"/highwire/citation/\d+/bibtext$", "bibtex"),
        (r"/biblio/export/bibtex/\d+", "bibtex"),
    )
)
# Exports of the reference list, not of the work itself.
NOT_THE_WORK = re.compile(r"references?\.ris|flavour=references|include=(?:includeRef|ref)\b",
                          re.I)
# Atypon (SAGE, T&F, ACS, ACP...): the formats page names the DOI; the file has a fixed URL.
ATYPON_FORMATS = re.compile(r"/action/showCitFormats\?", re.I)
ATYPON_DOWNLOAD = "/action/downloadCitation?doi={doi}&format=ris&include=cit"
LINK_TEXT = re.compile(r"^(?:download|export)\s+(?:this\s+)?citations?$|^(?:ris|bibtex)$", re.I)


def _site(host: str) -> str:
    """The last two labels of a host: link.springer.com and citation-needed.springer.com agree."""
    return ".".join(host.lower().split(".")[-2:])


# Anchors worth a look, chosen in C before any Python runs per link.
# (Attribute- and text-axis paths: far cheaper in libxml2 than predicates on every <a>.)
_CANDIDATES = (
    "//a/@href[contains(., 'ris') or contains(., 'bib') or contains(., 'refman')"
    " or contains(., 'CitFormats') or contains(., 'export') or contains(., 'citation')]/.."
    " | //a[@href]/text()[contains(., 'itation') or normalize-space(.) = 'RIS'"
    " or normalize-space(.) = 'BibTeX']/.."
)


def export_links(tree: HtmlElement, base: str) -> list[str]:
    """Absolute URLs of the page's own RIS/BibTeX exports of this work, RIS first."""
    site = _site(urlsplit(base).hostname or "")
    found: dict[str, int] = {}
    for a in tree.xpath(_CANDIDATES):
        href = absolute(a.get("href"), base)
        if not href or NOT_THE_WORK.search(href):
            continue
        if site and _site(urlsplit(href).hostname or "") != site:
            continue  # dblp, bibsonomy...: someone else's record of the work
        rank = None
        if ATYPON_FORMATS.search(href):
            doi = (parse_qs(urlsplit(href).query).get("doi") or [""])[0]
            if not doi_or_none(doi):
                continue
            href = absolute(ATYPON_DOWNLOAD.format(doi=quote(doi, safe="/")), base) or href
            rank = 0
        else:
            rank = next((i for i, (rule, _) in enumerate(LINK_RULES) if rule.search(href)), None)
        if rank is None and LINK_TEXT.match(text_of(a)):
            rank = len(LINK_RULES)
        if rank is not None and href not in found:
            found[href] = 2 * rank + (0 if LINK_RULES[min(rank, len(LINK_RULES) - 1)][1] == "ris"
                                      else 1)
    return sorted(found, key=found.__getitem__)[:MAX_LINKS]


# --- reading the files ----------------------------------------------------------------------

_RIS_START = re.compile(r"^\ufeff?\s*TY\s{1,2}-", re.M)
_BIBTEX_START = re.compile(r"^\ufeff?\s*(?:%[^\n]*\n\s*)*@\s*[A-Za-z]+\s*[{(]")


def export_format(text: str) -> str | None:
    """"ris" or "bibtex" when the text is a citation file of that kind."""
    head = text[:2000]
    if _RIS_START.search(head) and re.search(r"^\s*ER\s{1,2}-", text, re.M):
        return "ris"
    if _BIBTEX_START.match(head):
        return "bibtex"
    return None


# RIS (rispy keys) -> Record fields; several keys per field, first present wins.
RIS_FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("primary_title", "title", "translated_title"),
    "container": ("secondary_title", "journal_name", "alternate_title3", "alternate_title1",
                  "alternate_title2"),
    "published": ("date", "publication_year", "year"),
    "volume": ("volume",),
    "issue": ("number",),
    "publisher": ("publisher",),
    "language": ("language",),
}


def parse_ris(text: str) -> dict[str, Any]:
    """Record fields from the first entry of a RIS file ({} if it has none)."""
    import rispy

    try:
        entries = rispy.loads(text[:MAX_EXPORT_CHARS], skip_unknown_tags=True)
    except Exception as exc:  # rispy raises plain IOError/ValueError on bad files
        log.debug("unreadable RIS: %s", exc)
        return {}
    if not entries:
        return {}
    entry = entries[0]
    out: dict[str, Any] = {}
    for field, keys in RIS_FIELDS.items():
        value = next((entry[k] for k in keys if entry.get(k)), None)
        if isinstance(value, list):
            value = value[0]
        if value:
            out[field] = parse_date(value) if field == "published" else clean(value)
    names = entry.get("authors") or entry.get("first_authors") or []
    out["authors"] = [a for a in map(make_author, names) if a]
    out["type"] = normalise_type(entry.get("type_of_reference"))
    out["pages"] = join_pages(entry.get("start_page"), entry.get("end_page"))
    out["keywords"] = split_keywords(entry.get("keywords") or [])
    abstract = entry.get("abstract") or entry.get("notes_abstract")
    if abstract:
        out["abstract"], out["abstract_sections"] = abstract_from_markup(abstract)
    out.update(_ids(entry.get("doi"), entry.get("urls"), entry.get("issn"), None))
    return {k: v for k, v in out.items() if v not in (None, "", [], {})}


def parse_bibtex(text: str) -> dict[str, Any]:
    """Record fields from the first entry of a BibTeX file ({} if it has none)."""
    import bibtexparser
    from bibtexparser import middlewares as mw

    try:
        library = bibtexparser.parse_string(
            text[:MAX_EXPORT_CHARS],
            append_middleware=[mw.LatexDecodingMiddleware(), mw.SeparateCoAuthors(),
                               mw.SplitNameParts()],
        )
    except Exception as exc:
        log.debug("unreadable BibTeX: %s", exc)
        return {}
    if not library.entries:
        return {}
    entry = library.entries[0]
    f = {k.lower(): v.value for k, v in entry.fields_dict.items()}
    get = lambda k: clean(f.get(k)) if isinstance(f.get(k), str) else ""  # noqa: E731
    report = entry.entry_type.lower() in ("techreport", "report")  # "number" is the report's
    out: dict[str, Any] = {
        "title": get("title").replace("{", "").replace("}", ""),
        "container": get("journal") or get("booktitle") or get("series"),
        "published": parse_date(f"{get('year')} {get('month')}".strip() if not get("date")
                                else get("date")),
        "volume": get("volume"),
        "issue": get("issue") or ("" if report else get("number")),
        "pages": get("pages").replace("--", "-").replace("\u2013", "-"),
        "publisher": get("publisher") or get("institution") or get("school"),
        "language": get("language"), "keywords": split_keywords(get("keywords")),
        "type": normalise_type(entry.entry_type),
        "authors": [a for a in (_bib_author(n) for n in _as_list(f.get("author"))) if a],
    }
    if abstract := get("abstract"):
        out["abstract"], out["abstract_sections"] = abstract_from_markup(abstract)
    out.update(_ids(get("doi"), get("url"), get("issn"), get("isbn")))
    if report and get("number"):
        out.setdefault("identifiers", {})["report_number"] = get("number")
    return {k: v for k, v in out.items() if v not in (None, "", [], {})}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else ([value] if value else [])


def _bib_author(name: Any) -> Any:
    if hasattr(name, "last"):  # bibtexparser NameParts
        family = " ".join([*name.von, *name.last, *name.jr])
        return make_author(given=" ".join(name.first), family=family)
    return make_author(name)


def _ids(doi: Any, urls: Any, issn: Any, isbn: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    found = doi_or_none(doi) if doi else None
    for url in _as_list(urls):
        found = found or doi_or_none(url)
    if found:
        out["doi"] = found
    ids = {k: clean(v[0] if isinstance(v, list) else v) for k, v in (("issn", issn),
                                                                     ("isbn", isbn)) if v}
    if ids:
        out["identifiers"] = ids
    return out


def parse_export(text: str) -> tuple[str, dict[str, Any]] | None:
    """("export:ris" | "export:bibtex", fields) for a citation file; None if it is neither."""
    fmt = export_format(text)
    if fmt == "ris":
        return "export:ris", parse_ris(text)
    if fmt == "bibtex":
        return "export:bibtex", parse_bibtex(text)
    return None
