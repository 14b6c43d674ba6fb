"""The embedded-metadata layer: what a page says about itself in machine-readable form.

`extract_embedded(tree, base)` returns one (source, fields) pair per vocabulary present, richest
first: "embedded:highwire", "embedded:jsonld", ... Each `fields` is a partial dict of Record
field names (plus "description", a teaser the dispatcher uses only when no abstract is found).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from lxml.html import HtmlElement

from extractors.embedded.meta import (
    COINS,
    VOCABULARIES,
    by_vocabulary,
    collect_meta,
    read_vocabulary,
)
from extractors.embedded.schemaorg import jsonld_items, main_work, microdata_items, work_fields

Partial = tuple[str, dict[str, Any]]

# Where the schema.org readers rank among the meta vocabularies (by source label).
ORDER: tuple[str, ...] = (
    "highwire", "bepress", "eprints", "jsonld", "prism", "dc", "microdata", "coins", "og", "meta",
)


def coins_pairs(tree: HtmlElement) -> list[tuple[str, str]]:
    """The KEV pairs of the page's COinS, when it has exactly one (many = a list of others)."""
    spans = [s.get("title") for s in tree.xpath('//span/@class[contains(., "Z3988")]/..')
             if "Z3988" in (s.get("class") or "").split() and s.get("title")]
    if len(spans) != 1:
        return []
    pairs = parse_qsl(str(spans[0]), keep_blank_values=False)
    keys = {k for k, _ in pairs}
    if "rft.au" not in keys and "rft.aulast" in keys:
        given = dict(pairs).get("rft.aufirst", "")
        pairs.append(("rft.au", f"{dict(pairs)['rft.aulast']}, {given}".rstrip(", ")))
    return pairs


def extract_embedded(tree: HtmlElement, base: str) -> list[Partial]:
    """(source, fields) for every vocabulary that says something, in ORDER."""
    found: dict[str, dict[str, Any]] = {}
    metas = by_vocabulary(collect_meta(tree))
    for name, table in VOCABULARIES:
        if name in metas:
            found[name] = read_vocabulary(metas[name], table, base)
    if work := main_work(jsonld_items(tree)):
        found["jsonld"] = work_fields(work, base)
    # Microdata costs tens of ms on big pages (extruct reads every property's text): only
    # when nothing richer named the work.
    if not any(found.get(n, {}).get("title") for n in ("highwire", "bepress", "eprints", "jsonld")):
        if work := main_work(microdata_items(tree, base)):
            found["microdata"] = work_fields(work, base)
    if pairs := coins_pairs(tree):
        found["coins"] = read_vocabulary(pairs, COINS, base)
    return [(f"embedded:{name}", found[name]) for name in ORDER if found.get(name)]
