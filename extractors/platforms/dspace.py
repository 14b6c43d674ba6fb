"""DSpace repositories: the XMLUI full item record (dc.* rows), the JSPUI item table, and
DSpace 7's simple item view (h5 label, body below). Meta tags carry most of this; the rows
add subjects, abstracts and types that some installations leave out of the head."""

from __future__ import annotations

import re
from typing import Any

from extractors.platforms import engine

NAME = "dspace"
PRIORITY = 60  # lower is tried first: hosts before generic software
MARKERS = ("meta[name=generator][content^='DSpace']", "/html/body/ds-app", "table.ds-includeSet-table",
           "div.item-summary-view-metadata", "table.itemDisplayTable")
URL_PATTERN = re.compile(r"/(?:handle/\d+(?:\.\d+)*/\d+|items/[0-9a-f-]{36})(?:$|[/?#])")

LABELS: dict[str, str] = {
    # XMLUI "full item record": Dublin Core element names
    "dc.title": "title", "dc.contributor.author": "authors", "dc.creator": "authors",
    "dc.description.abstract": "abstract", "dc.subject": "keywords",
    "dc.date.issued": "published", "dc.publisher": "publisher", "dc.language.iso": "language",
    "dc.rights.uri": "license", "dc.relation.ispartof": "container", "dc.type": "type",
    "dc.identifier.doi": "doi",
    # JSPUI and DSpace 7 display labels
    "title": "title", "authors": "authors", "author": "authors", "abstract": "abstract",
    "keywords": "keywords", "subject": "keywords", "subjects": "keywords",
    "issue date": "published", "date": "published", "publisher": "publisher",
    "journal": "container", "type": "type", "language": "language",
}

TABLE: dict[str, Any] = {
    "labelled": {
        "row": ["table.ds-includeSet-table tr", "table.itemDisplayTable tr",
                "div.simple-view-element"],
        "label": ["td.label-cell", "td.metadataFieldLabel", "h5", "th"],
        "value": ["td.word-break", "td.metadataFieldValue", "div.simple-view-element-body",
                  "./td[2]"],
        "items": ["a.author", "ds-metadata-field-wrapper span.dont-break-out", "span.author"],
        "fields": LABELS,
    },
    "abstract": ["div.simple-item-view-description div", "ds-item-page-abstract-field span"],
    "keywords": ["div.simple-item-view-subject a", "div.simple-item-view-subject span"],
}


def matches(url: str, tree: Any) -> bool:
    return engine.has_marker(tree, MARKERS) or (
        bool(URL_PATTERN.search(url or "")) and engine.has_marker(tree, ("meta[name^='DC.']",)))


def extract(tree: Any, url: str) -> dict[str, Any]:
    return engine.extract(tree, url, TABLE)
