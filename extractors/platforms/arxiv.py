"""arXiv abstract pages (arxiv.org/abs/...): Highwire meta tags carry most of the record, but
not the arXiv-issued DataCite DOI shown under "Cite as", nor that the work is a preprint."""

from __future__ import annotations

from typing import Any

from extractors.platforms import engine

NAME = "arxiv"
PRIORITY = 20  # lower is tried first: hosts before generic software
HOSTS = ("arxiv.org", "export.arxiv.org")
MARKERS = ("a#arxiv-doi-link", "td.arxivdoi a")

TABLE: dict[str, Any] = {
    "doi": ["a#arxiv-doi-link::attr(href)", "td.arxivdoi a::attr(href)"],
    "keywords": ["td.subjects span.primary-subject"],
}


def matches(url: str, tree: Any) -> bool:
    return engine.host_matches(url, HOSTS) or engine.has_marker(tree, MARKERS)


def extract(tree: Any, url: str) -> dict[str, Any]:
    out = engine.extract(tree, url, TABLE)
    if out.get("doi"):
        out["type"] = "preprint"  # the DOI arXiv registers is for its own preprint
    return out
