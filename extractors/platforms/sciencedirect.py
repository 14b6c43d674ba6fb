"""ScienceDirect (Elsevier) article pages.

The page ships no citation_author tags; authors and their affiliations live in the preloaded
state (<script type="application/json" data-iso-key>), an Elsevier-XML tree as JSON
("#name"/"$"/"$$"/"_"). The rendered author buttons are the fallback.
"""

from __future__ import annotations

import json
from typing import Any

from extractors.embedded.values import clean, make_author
from extractors.platforms import engine
from extractors.platforms.sections import RUN_IN_LABEL
from extractors.record import Author

NAME = "sciencedirect"
PRIORITY = 20  # lower is tried first: hosts before generic software
HOSTS = ("sciencedirect.com",)
MARKERS = ("meta[name=citation_pii]", "div#author-group")
MAX_JSON_CHARS = 5_000_000
MAX_DEPTH = 60

TABLE: dict[str, Any] = {
    "authors": {
        "item": ["#author-group button[data-xocs-content-type=author]", "#author-group a.author"],
        "given": ["span.given-name"],
        "family": ["span.surname"],
        "affiliation_keys": ["span.author-ref::attr(id)"],
    },
    "affiliation_index": {"item": ["#author-group dl.affiliation"], "key": ["@id"], "text": ["dd"]},
    "abstract_sections": {
        "root": ["div.abstract.author"],
        "heading": ["section > h3", "h3", "h4", RUN_IN_LABEL],
    },
    "keywords": ["div.keywords-section div.keyword"],
    "references": {
        "item": ["ol.references > li", "li.bib-reference"],
        "drop": [".label", ".ReferenceLinks", ".reference-links"],
        "doi": ["a[href*='doi.org/']::attr(href)"],
    },
    "related": {
        "item": ["li.RelatedContentPanelItem"],
        "title": ["h3 a"],
        "url": ["h3 a::attr(href)"],
    },
}


def matches(url: str, tree: Any) -> bool:
    return engine.host_matches(url, HOSTS) or engine.has_marker(tree, MARKERS)


def extract(tree: Any, url: str) -> dict[str, Any]:
    out = engine.extract(tree, url, TABLE)
    if state_authors := _state_authors(tree):
        out["authors"] = state_authors
    return out


def _state_authors(tree: Any) -> list[Author]:
    for script in tree.xpath("//script[@type='application/json'][@data-iso-key]")[:3]:
        raw = script.text or ""
        if len(raw) > MAX_JSON_CHARS:
            continue
        try:
            state = json.loads(raw)
        except ValueError:
            continue
        content = (state.get("authors") or {}).get("content") if isinstance(state, dict) else None
        if isinstance(content, list):
            return [a for group in content for a in _group(group)]
    return []


def _group(group: Any) -> list[Author]:
    """One author-group: its authors, each with the affiliations its cross-refs name (or the
    group's affiliations when no author carries any)."""
    if not isinstance(group, dict) or group.get("#name") != "author-group":
        return []
    children = [c for c in group.get("$$") or [] if isinstance(c, dict)]
    affiliations = {(c.get("$") or {}).get("id"): _affiliation(c)
                    for c in children if c.get("#name") == "affiliation"}
    authors: list[tuple[dict[str, str], list[str]]] = []
    for child in (c for c in children if c.get("#name") == "author"):
        parts = {p.get("#name"): _text(p) for p in child.get("$$") or [] if isinstance(p, dict)}
        refs = [r for p in child.get("$$") or [] if isinstance(p, dict) and p.get("#name") == "cross-ref"
                for r in str((p.get("$") or {}).get("refid", "")).split()]
        orcid = (child.get("$") or {}).get("orcid")
        own = [affiliations[r] for r in refs if r in affiliations]
        authors.append(({**parts, "orcid": orcid or ""}, own))
    shared = [a for a in affiliations.values() if a]
    if not any(affs for _, affs in authors):
        authors = [(parts, shared) for parts, _ in authors]
    out = [make_author(None, p.get("given-name"), p.get("surname"), affs, p.get("orcid"))
           for p, affs in authors]
    return [a for a in out if a]


def _affiliation(node: dict[str, Any]) -> str:
    parts = {c.get("#name"): c for c in node.get("$$") or [] if isinstance(c, dict)}
    chosen = parts.get("textfn") or parts.get("source-text")
    return clean(_text(chosen)) if chosen else ""


def _text(node: Any, depth: int = 0) -> str:
    """All "_" strings under a node, in order (labels and superscripts left out)."""
    if depth > MAX_DEPTH or not isinstance(node, dict) or node.get("#name") in ("label", "sup"):
        return ""
    own = node.get("_") if isinstance(node.get("_"), str) else ""
    return own + "".join(_text(c, depth + 1) for c in node.get("$$") or [])
