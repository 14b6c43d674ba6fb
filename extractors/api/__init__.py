"""API responses to Records: one adapter per API, chosen by URL host and by the body's shape.

The shape decides where the URL does not (a saved file under a placeholder URL), so each
adapter has a `sniff`. `parse_api_response` returns None for a body that is no API response
it knows (an HTML page, another API), [] for an API's error or empty answer, and raises
UnusableInput for malformed JSON.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

from extractors.api import (
    aggregator,
    aps,
    arxiv,
    citeseerx,
    crossref,
    datacite,
    doaj,
    europepmc,
    jats_article,
    openalex,
    pubmed,
    semanticscholar,
    unpaywall,
    zenodo,
)
from extractors.api._common import parse_xml
from extractors.api.aggregator import parse_aggregator
from extractors.api.aps import parse_aps
from extractors.api.arxiv import parse_arxiv
from extractors.api.citeseerx import parse_citeseerx
from extractors.api.crossref import parse_crossref
from extractors.api.datacite import parse_datacite
from extractors.api.doaj import parse_doaj
from extractors.api.europepmc import parse_europepmc
from extractors.api.jats_article import parse_jats
from extractors.api.openalex import parse_openalex, rebuild_abstract
from extractors.api.pubmed import parse_pubmed
from extractors.api.semanticscholar import parse_semanticscholar
from extractors.api.unpaywall import parse_unpaywall
from extractors.api.zenodo import parse_zenodo
from extractors.errors import UnusableInput
from extractors.record import Record

MAX_BODY = 64 * 1024 * 1024  # bytes; larger bodies are refused, not parsed
JSON_TYPES = ("json",)  # application/json, ...+json, x-ndjson


@dataclass(frozen=True)
class Adapter:
    name: str
    hosts: tuple[str, ...]
    path: str  # required path prefix on those hosts ("" for any)
    sniff: Callable[[Any], bool]
    parse: Callable[[str, Any], list[Record]]
    xml: bool = False


def _adapter(module: ModuleType, parse: Callable[[str, Any], list[Record]],
             xml: bool = False) -> Adapter:
    return Adapter(module.NAME, module.HOSTS, getattr(module, "PATH", ""), module.sniff, parse,
                   xml)


# Sniffing order matters where shapes overlap: the specific signatures come first, the
# loosest (Unpaywall's, the aggregator's) last.
ADAPTERS: tuple[Adapter, ...] = (
    _adapter(crossref, parse_crossref),
    _adapter(datacite, parse_datacite),
    _adapter(openalex, parse_openalex),
    _adapter(europepmc, parse_europepmc),
    _adapter(doaj, parse_doaj),
    _adapter(zenodo, parse_zenodo),
    _adapter(aps, parse_aps),
    _adapter(citeseerx, parse_citeseerx),
    _adapter(semanticscholar, parse_semanticscholar),
    _adapter(unpaywall, parse_unpaywall),
    _adapter(aggregator, parse_aggregator),
    _adapter(pubmed, parse_pubmed, xml=True),
    _adapter(arxiv, parse_arxiv, xml=True),
    _adapter(jats_article, parse_jats, xml=True),
)


def parse_api_response(url: str, body: bytes, content_type: str | None = None,
                       ) -> list[Record] | None:
    """Records in an API response body; None when it is no API response known here."""
    if len(body) > MAX_BODY:
        raise UnusableInput(f"response body too large: {len(body)} bytes (limit {MAX_BODY})")
    by_url = adapter_for_url(url)
    text = body.decode("utf-8-sig", errors="replace")
    start = text.lstrip()[:1]
    is_json = any(t in (content_type or "").lower() for t in JSON_TYPES)
    if start in ("{", "[") or (is_json and start):
        return _pick(url, _load_json(text, url), by_url, xml=False)
    if start == "<":
        root = parse_xml(body)
        if root is None:
            if by_url and by_url.xml:
                raise UnusableInput(f"malformed XML from {urlsplit(url).hostname}")
            return None
        return _pick(url, root, by_url, xml=True)
    return [] if by_url else None  # e.g. Crossref's 404 body "Resource not found."


def adapter_for_url(url: str) -> Adapter | None:
    """The adapter whose API serves this URL, by host (and path where a host serves more)."""
    parts = urlsplit(url or "")
    host = (parts.hostname or "").lower()
    for adapter in ADAPTERS:
        if host in adapter.hosts and parts.path.startswith(adapter.path):
            return adapter
    return None


def _pick(url: str, data: Any, by_url: Adapter | None, xml: bool) -> list[Record] | None:
    if by_url and by_url.xml == xml and by_url.sniff(data):
        return by_url.parse(url, data)
    for adapter in ADAPTERS:
        if adapter.xml == xml and adapter.sniff(data):
            return adapter.parse(url, data)
    if by_url and by_url.xml == xml:
        return by_url.parse(url, data)  # the API's own error or empty shapes give []
    return None


def _load_json(text: str, url: str) -> Any:
    where = urlsplit(url or "").hostname or "input"
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        if err.msg == "Extra data":
            lines = _load_json_lines(text)
            if lines is not None:
                return lines
        raise UnusableInput(
            f"malformed JSON from {where}: {err.msg} at line {err.lineno} column {err.colno}"
        ) from None
    except RecursionError:
        raise UnusableInput(f"malformed JSON from {where}: nested too deeply") from None


def _load_json_lines(text: str) -> list[Any] | None:
    """JSON Lines (Unpaywall snapshots): one object per line, or None if not that."""
    try:
        return [json.loads(line) for line in text.splitlines() if line.strip()]
    except (json.JSONDecodeError, RecursionError):
        return None


__all__ = [
    "ADAPTERS",
    "Adapter",
    "UnusableInput",
    "adapter_for_url",
    "parse_aggregator",
    "parse_api_response",
    "parse_aps",
    "parse_arxiv",
    "parse_citeseerx",
    "parse_crossref",
    "parse_datacite",
    "parse_doaj",
    "parse_europepmc",
    "parse_jats",
    "parse_openalex",
    "parse_pubmed",
    "parse_semanticscholar",
    "parse_unpaywall",
    "parse_zenodo",
    "rebuild_abstract",
]
