"""A Site over the real pages in ../shared/fixtures, each served at the URL it names.

Pages (publisher_html/, repository_html/) are served at every absolute URL they give for
themselves (canonical link, og:url, citation_*_url) plus their capture URL from MANIFEST.tsv;
a page naming no URL is skipped. A page whose meta gives a DOI is reachable as
`https://doi.org/<doi>` (302 to the page, or 302 to its http:// URL and 301 on to https, as
publishers do) and `https://dx.doi.org/<doi>` (301 to doi.org). Crossref and DataCite API
responses are served at /works/<doi> and /dois/<doi>, with each API's own 404 for other DOIs.
Every other file whose MANIFEST row names the URL it was fetched from is served there too.
Files are read in place when served, never copied.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from lxml import html

from crawler.sandbox.response import Response, redirect
from crawler.sandbox.site import Site, query_key, split_url
from extractors.doi import InvalidDOI, normalise_doi

PAGE_DIRS = ("publisher_html", "repository_html")
EXTRA_DIRS = ("aggregator_json", "oai_xml", "other", *PAGE_DIRS)
# Where a page names its own URL, most trusted first: (attribute holding the name, name).
URL_SOURCES = (
    ("link", "canonical"),
    ("meta", "og:url"),
    ("meta", "citation_abstract_html_url"),
    ("meta", "citation_public_url"),
    ("meta", "citation_fulltext_html_url"),
)
DOI_META = ("citation_doi", "dc.identifier", "prism.doi", "dc.identifier.doi", "bepress_citation_doi")
DOI_HOSTS = ("doi.org", "dx.doi.org", "api.crossref.org", "api.datacite.org")
CROSSREF_404 = "aggregator_json/crossref_work_404_not_found.txt"
DATACITE_404 = b'{"errors":[{"status":"404","title":"The resource you are looking for doesn\'t exist."}]}'
CROSSREF_TYPE = "application/json"
DATACITE_TYPE = "application/vnd.api+json; charset=utf-8"
_MANIFEST_URL = re.compile(r"\b(?:GET|get) (https?://[^\s)]+)")
_HTML_TYPE = {True: "text/html; charset=utf-8", False: "text/html"}
# Fixture files captured from an error answer, by a mark in their name: served with that status.
STATUS_BY_NAME = {"_404": 404, "404_": 404}


@dataclass(frozen=True)
class FixturePage:
    url: str  # the first URL the page gives for itself
    path: Path
    doi: str | None
    aliases: tuple[str, ...] = ()  # its other URLs, served too
    url_from: str = ""  # where `url` came from: "canonical", "og:url", ..., "manifest"


@dataclass
class FixtureSite:
    site: Site
    pages: list[FixturePage] = field(default_factory=list)
    crossref_dois: list[str] = field(default_factory=list)
    datacite_dois: list[str] = field(default_factory=list)
    extra_routes: list[tuple[str, Path]] = field(default_factory=list)  # from MANIFEST.tsv
    skipped: list[Path] = field(default_factory=list)  # pages naming no URL

    def page_for_doi(self, doi: str) -> FixturePage | None:
        wanted = normalise_doi(doi)
        return next((page for page in self.pages if page.doi == wanted), None)


def page_urls(tree) -> list[tuple[str, str]]:
    """(source, url) for each absolute http(s) URL a page gives for itself, in trust order."""
    found: list[tuple[str, str]] = []
    for tag, name in URL_SOURCES:
        for element in tree.iter(tag):
            key = element.get("rel") if tag == "link" else element.get("property") or element.get("name")
            value = element.get("href") if tag == "link" else element.get("content")
            if (key or "").strip().lower() == name and value:
                value = value.strip()
                if urlsplit(value).scheme in ("http", "https") and urlsplit(value).hostname:
                    found.append((name, value))
    seen: set[str] = set()
    return [(s, u) for s, u in found if not (u in seen or seen.add(u))]


def page_doi(tree) -> str | None:
    """The first DOI the page's meta tags give (citation_doi, dc.identifier, prism.doi)."""
    for name in DOI_META:
        for meta in tree.iter("meta"):
            if (meta.get("name") or "").strip().lower() == name:
                try:
                    return normalise_doi(meta.get("content") or "")
                except InvalidDOI:
                    continue
    return None


def manifest_urls(fixtures_dir: Path) -> dict[str, str]:
    """Fixture file (relative path) -> the URL MANIFEST.tsv says it was fetched from."""
    manifest = fixtures_dir / "MANIFEST.tsv"
    out: dict[str, str] = {}
    if not manifest.exists():
        return out
    for line in manifest.read_text(encoding="utf-8").splitlines()[1:]:
        cells = line.split("\t")
        match = _MANIFEST_URL.search(cells[2]) if len(cells) > 2 else None
        if match and "<<" not in match.group(1):
            out[cells[0]] = match.group(1)
    return out


def fixture_site(fixtures_dir: Path, site: Site | None = None) -> FixtureSite:
    """Build (or add to) a Site serving the fixtures at their real URLs."""
    fixtures_dir = Path(fixtures_dir)
    out = FixtureSite(site if site is not None else Site())
    out.site.ignore_case(*DOI_HOSTS)
    routed: set[tuple] = set()
    captured = manifest_urls(fixtures_dir)

    def serve(url: str, response: Response) -> bool:
        scheme, host, path, query = split_url(url)
        key = (host, unquote(path), query_key(query) if query else None)
        if key in routed:
            return False
        routed.add(key)
        out.site.add_sequence(url, [response])
        return True

    for folder in PAGE_DIRS:
        for path in sorted((fixtures_dir / folder).glob("*.html")):
            page = _load_page(path, captured.get(f"{folder}/{path.name}"))
            if page is None:
                out.skipped.append(path)
                continue
            response = Response(file=path, content_type=_HTML_TYPE[_is_utf8(path)])
            served = [u for u in (page.url, *page.aliases) if serve(u, response)]
            if served:
                out.pages.append(page)

    _add_doi_resolver(out, serve)
    _add_crossref(out, fixtures_dir, serve)
    _add_datacite(out, fixtures_dir, serve)
    for rel, url in sorted(captured.items()):
        path = fixtures_dir / rel
        if rel.split("/", 1)[0] in EXTRA_DIRS and path.is_file():
            kind = _HTML_TYPE[_is_utf8(path)] if path.suffix == ".html" else None
            status = next((v for k, v in STATUS_BY_NAME.items() if k in path.name), 200)
            if serve(url, Response(status=status, file=path, content_type=kind)):
                out.extra_routes.append((url, path))
    return out


def _load_page(path: Path, captured_url: str | None) -> FixturePage | None:
    tree = html.fromstring(path.read_bytes())
    urls = page_urls(tree)
    if captured_url and captured_url not in {u for _, u in urls}:
        urls.append(("manifest", captured_url))
    if not urls:
        return None
    (source, url), rest = urls[0], urls[1:]
    return FixturePage(url, path, page_doi(tree), tuple(u for _, u in rest), source)


def _doi_path(doi: str) -> str:
    return quote(doi, safe="/():;")


def _add_doi_resolver(out: FixtureSite, serve) -> None:
    """doi.org answers as the real one: 302 to the landing page, at times via an http:// hop."""
    seen: set[str] = set()
    for page in out.pages:
        if not page.doi or page.doi in seen:
            continue
        seen.add(page.doi)
        target = page.url
        if len(seen) % 2 == 0 and target.startswith("https://"):
            # a DOI registered with an http:// URL; the publisher upgrades it (2 hops)
            target = "http://" + page.url.removeprefix("https://")
            out.site.add_sequence(target, [redirect(page.url, 301)])
        doi_url = f"https://doi.org/{_doi_path(page.doi)}"
        serve(doi_url, redirect(target, 302))
        serve(f"https://dx.doi.org/{_doi_path(page.doi)}", redirect(doi_url, 301))


def _add_crossref(out: FixtureSite, fixtures_dir: Path, serve) -> None:
    for path in sorted((fixtures_dir / "aggregator_json").glob("crossref_work_*.json")):
        message = json.loads(path.read_bytes()).get("message") or {}
        if not isinstance(message, dict) or not message.get("DOI"):
            continue
        doi = normalise_doi(message["DOI"])
        if serve(
            f"https://api.crossref.org/works/{_doi_path(doi)}",
            Response(file=path, content_type=CROSSREF_TYPE),
        ):
            out.crossref_dois.append(doi)
    not_found = fixtures_dir / CROSSREF_404
    body = {"file": not_found} if not_found.exists() else {"body": "Resource not found."}
    out.site.add_prefix(
        "https://api.crossref.org/works/",
        Response(status=404, content_type="text/plain", **body),
    )


def _add_datacite(out: FixtureSite, fixtures_dir: Path, serve) -> None:
    for path in sorted((fixtures_dir / "aggregator_json").glob("datacite_api_doi_*.json")):
        raw = path.read_bytes()
        document = json.loads(raw)
        record = document.get("data") if "data" in document else document
        if not isinstance(record, dict) or not record.get("id"):
            continue
        # A bare record (no "data" envelope) is wrapped as the API sends it, in memory.
        response = (
            Response(file=path, content_type=DATACITE_TYPE)
            if "data" in document
            else Response(body=b'{"data": ' + raw + b"}", content_type=DATACITE_TYPE)
        )
        doi = normalise_doi(record["id"])
        if serve(f"https://api.datacite.org/dois/{_doi_path(doi)}", response):
            out.datacite_dois.append(doi)
    out.site.add_prefix(
        "https://api.datacite.org/dois/",
        Response(status=404, body=DATACITE_404, content_type=DATACITE_TYPE),
    )


def _is_utf8(path: Path) -> bool:
    try:
        path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
