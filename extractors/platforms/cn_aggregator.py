"""Chinese scholarly aggregators: pages that label each field in Chinese (作者 authors,
机构 institutions, 摘要 abstract, 关键词 keywords, 被引 / 引用次数 times cited, 相关论文 related
papers, 参考文献 references), and those that embed the record as JSON (title, authors, doi...).

Fields are found by their labels, not by class names, so one table serves sites whose markup
differs. Institutions go to an author only where the page links them (superscript numbers, or
a single author); an unnumbered list of six institutions for three authors stays unassigned.
Buttons and counters (引用 cite, 收藏 save, 共 50 条 "50 in all") and the journal blurb
(期刊介绍) are never read as data.
"""

from __future__ import annotations

import json
import re
from typing import Any

from extractors.embedded.values import clean, make_author
from extractors.platforms import engine
from extractors.record import Author

NAME = "cn_aggregator"
PRIORITY = 80  # lower is tried first: hosts before generic software
MAX_JSON_CHARS = 1_000_000


def _after(label: str) -> str:
    """The element right after a label element (<dt>作者</dt><dd>...</dd>, <span>摘要:</span><div>)."""
    return (f"//*[normalize-space(text())='{label}' or normalize-space(text())='{label}:' or "
            f"normalize-space(text())='{label}：']/following-sibling::*[1]")


def _list_after(label: str) -> str:
    """The items of the first list after a section heading (相关论文, 参考文献)."""
    return f"//*[normalize-space(text())='{label}']/following::ol[1]/li|" \
           f"//*[normalize-space(text())='{label}']/following::ul[1]/li"


LABELS: dict[str, str] = {
    "摘要": "abstract", "abstract": "abstract", "关键词": "keywords", "keywords": "keywords",
    "doi": "doi", "d o i": "doi", "期刊": "container", "来源": "container", "刊名": "container",
    "发表时间": "published", "出版日期": "published", "年份": "published",
}
MARKERS = tuple(f"//*[normalize-space(text())='{label}' or normalize-space(text())='{label}:']"
                for label in ("摘要", "被引", "引用次数"))

_REFERENCE = {"title": ["a.title", "a[href]"], "url": ["a.title::attr(href)", "a[href]::attr(href)"]}


def _count(label: str) -> str:
    """The smallest element whose text starts with the label and holds a number ('被引:0')."""
    has_digit = "translate(normalize-space(), '0123456789', '') != normalize-space()"
    return (f"//*[starts-with(normalize-space(), '{label}')][{has_digit}]"
            f"[not(.//*[starts-with(normalize-space(), '{label}')][{has_digit}])]")


TABLE: dict[str, Any] = {
    "title": ["h1.article-title", "h1"],
    "citation_count": [_count("被引"), _count("引用次数")],
    "labelled": {
        "row": ["//dt|//th|//*[contains(@class, 'label')]|//h2|//h3"],
        "label": ["."],
        "value": ["following-sibling::*[1]"],
        "items": ["a", "span.kw", "li"],
        "fields": LABELS,
    },
    "related": {"item": [_list_after("相关论文")], **_REFERENCE},
    "references": {"item": [_list_after("参考文献")], **_REFERENCE},
}

AUTHORS: dict[str, Any] = {
    "item": [_after("作者") + "//a", _after("作者") + "//li", _after("作者") + "/span"],
    "name": ["./text()", "."],
    "affiliation_keys": ["sup"],
    "drop": ["sup"],
}

# The embedded JSON record: Record field -> key path.
JSON_FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("title",), "doi": ("doi",), "abstract": ("abstract",),
    "container": ("journal", "name"), "published": ("publicationDate",),
    "citation_count": ("citationCount",),
}
_CJK = re.compile(r"[\u4e00-\u9fff]")
_INSTITUTION = re.compile(r"^\s*[\[［(]?(\d{1,3})[\]］)]?[.、:]?\s*")


def matches(url: str, tree: Any) -> bool:
    """A Chinese page (by its lang or title: cheap) that labels fields (a scan of the page)."""
    lang = (tree.get("lang") or "").lower()
    title = " ".join(tree.xpath("/html/head/title//text()"))[:500]
    chinese = lang.startswith("zh") or bool(_CJK.search(title))
    return chinese and engine.has_marker(tree, MARKERS)


def extract(tree: Any, url: str) -> dict[str, Any]:
    """The labelled fields, over the embedded JSON record where the page has one."""
    out = {**_json_record(tree), **engine.extract(tree, url, TABLE)}
    index = _institutions(tree)
    if authors := engine.authors(tree, AUTHORS, index):
        if len(authors) == 1 and not authors[0].affiliations:
            authors[0].affiliations = list(index.values())
        out["authors"] = authors
    return {k: v for k, v in out.items() if v not in (None, "", [])}


def _institutions(tree: Any) -> dict[str, str]:
    """'[1] Jönköping University,School of Health,undefined' -> {'1': 'Jönköping University,...'}."""
    index: dict[str, str] = {}
    for item in engine.select(tree, [_after("机构") + "/*", _after("作者单位") + "/*"]):
        raw = engine.text(item)
        m = _INSTITUTION.match(raw)
        key = m.group(1) if m else str(len(index) + 1)
        value = re.sub(r"(?:,\s*undefined)+$", "", raw[m.end():] if m else raw).strip(" ,;")
        if value:
            index.setdefault(key, value)
    return index


def _json_record(tree: Any) -> dict[str, Any]:
    """Fields of a record the page embeds as JSON (a script holding title plus doi/abstract)."""
    for script in tree.xpath("//script[@type='application/json' or @type='application/ld+json']"
                             "[contains(., '\"title\"')]")[:5]:
        raw = script.text or ""
        if len(raw) > MAX_JSON_CHARS:
            continue
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        if not isinstance(data, dict) or not ({"doi", "abstract"} & data.keys()):
            continue
        out: dict[str, Any] = {}
        for field, path in JSON_FIELDS.items():
            value: Any = data
            for key in path:
                value = value.get(key) if isinstance(value, dict) else None
            if value not in (None, ""):
                out[field] = engine.coerce(field, [clean(value)])
        out["authors"] = _json_authors(data.get("authors"))
        return out
    return {}


def _json_authors(value: Any) -> list[Author]:
    names = value if isinstance(value, list) else re.split(r"\s*[;,]\s*", clean(value))
    out = []
    for name in names:
        name = clean(name.get("name") if isinstance(name, dict) else name)
        if name.isupper():  # "THERESA ANASTI" -> "Theresa Anasti"
            name = name.title()
        if author := make_author(name):
            out.append(author)
    return out
