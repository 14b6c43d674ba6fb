"""EPrints repositories: the summary page's abstract and its label table (Item Type,
Uncontrolled Keywords, Divisions...). eprints.* meta tags are the embedded layer's."""

from __future__ import annotations

from typing import Any

from extractors.platforms import engine

NAME = "eprints"
PRIORITY = 60  # lower is tried first: hosts before generic software
MARKERS = ("div.ep_summary_content", "meta[name='eprints.eprintid']")

TABLE: dict[str, Any] = {
    "labelled": {
        "row": ["div.ep_summary_content table tr", "table.ep_summary_table tr"],
        "label": ["th"],
        "value": ["td"],
        "items": ["span.person_name"],
        "fields": {
            "item type": "type", "uncontrolled keywords": "keywords", "keywords": "keywords",
            "divisions": "organisation", "publisher": "publisher", "journal or publication title":
            "container", "volume": "volume", "number": "issue", "page range": "pages",
            "creators": "authors",
        },
    },
    "abstract": [
        "//div[contains(@class, 'ep_summary_content_main')]//h2[normalize-space()='Abstract']"
        "/following-sibling::*[1]",
        "div.ep_summary_content_main p.ep_field_para",
    ],
}


def matches(url: str, tree: Any) -> bool:
    return engine.has_marker(tree, MARKERS)


def extract(tree: Any, url: str) -> dict[str, Any]:
    return engine.extract(tree, url, TABLE)
