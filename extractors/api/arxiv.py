"""arXiv API Atom feeds (export.arxiv.org/api/query): one preprint per <entry>."""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from extractors.api._common import (
    MAX_ITEMS,
    build_record,
    doi_or_none,
    iso_date,
    keep,
    make_author,
    parse_xml,
)
from extractors.jats import abstract_from_text, clean_text
from extractors.record import Record, Reference

NAME = "arxiv"
HOSTS = ("export.arxiv.org", "arxiv.org")
PATH = "/api/"
NS = {"a": "http://www.w3.org/2005/Atom", "arxiv": "http://arxiv.org/schemas/atom"}
ARXIV_ID = re.compile(r"arxiv\.org/abs/(.+?)(?:v\d+)?$")


def sniff(root: Any) -> bool:
    return (isinstance(root, etree._Element) and root.tag == f"{{{NS['a']}}}feed"
            and (root.find("a:entry/a:id", NS) is None
                 or "arxiv.org" in (root.findtext("a:entry/a:id", "", NS))))


def parse_arxiv(url: str, root: etree._Element | bytes) -> list[Record]:
    """Preprints of an arXiv Atom feed; [] for an empty feed or an error entry."""
    if isinstance(root, bytes):
        root = parse_xml(root)
    if not sniff(root):
        return []
    return keep(_entry(url, e) for e in root.findall("a:entry", NS)[:MAX_ITEMS])


def _entry(url: str, e: etree._Element) -> Record | None:
    match = ARXIV_ID.search(e.findtext("a:id", "", NS).strip())
    if not match or match.group(1).startswith("api/"):  # errors come as entries too
        return None
    abstract, sections = abstract_from_text(e.findtext("a:summary", "", NS))
    journal_doi = doi_or_none(e.findtext("arxiv:doi", "", NS))
    authors = [make_author(name=a.findtext("a:name", "", NS),
                           affiliations=[x.text for x in a.findall("arxiv:affiliation", NS)])
               for a in e.findall("a:author", NS)]
    values = {
        "type": "preprint",
        "title": clean_text(e.findtext("a:title", "", NS)),
        "authors": [a for a in authors if a],
        "abstract": abstract,
        "abstract_sections": sections,
        "identifiers": {"arxiv": match.group(1)},
        "container": "arXiv",
        "published": iso_date(e.findtext("a:published", "", NS)),
        "keywords": [c.get("term") for c in e.findall("a:category", NS) if c.get("term")],
        "open_access": True,  # every arXiv preprint is free to read
        # The journal version is a related work of its own; its DOI is not the preprint's.
        "related": [Reference(doi=journal_doi,
                              text=clean_text(e.findtext("arxiv:journal_ref", "", NS)) or None)]
        if journal_doi else [],
    }
    return build_record(url, NAME, values)
