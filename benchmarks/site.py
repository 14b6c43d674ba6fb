"""The benchmark web: N real fixture pages over H hosts, reached from index pages.

Every host `hNN.bench.test` serves a root index (`/`) linking to section indexes
(`/s/NNN/`), each linking to up to SECTION_SIZE article pages (`/s/NNN/aMMMMMM.html`).
Each article is one of the real publisher / repository pages in ../shared/fixtures, made a
work of its own: its DOI and title get a copy number wherever they appear in the bytes (a
page without a DOI gets a citation_doi meta tag), so a crawl sees N distinct works (no tool
gets N copies of 35 works to merge or dedupe), at the pages' real size and shape. Bodies are
made when asked for, so a 100k-page site costs no memory. Every tool crawls the same URLs:
root (depth 0) -> section (1) -> article (2).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from crawler.sandbox import Response, Site
from crawler.sandbox.server import SandboxWeb

PAGE_DIRS = ("publisher_html", "repository_html")
DOMAIN = "bench.test"
SECTION_SIZE = 100  # article links per section index
_ARTICLE = re.compile(r"^/s/(\d{3,})/a(\d{6,})\.html$")
_SECTION = re.compile(r"^/s/(\d{3,})/$")
_HEAD = re.compile(rb"<head\b[^>]*>", re.I)


def fixtures_root() -> Path:
    from benchmarks.scoring import fixtures_root as root  # COPROD_FIXTURES or ../shared/fixtures

    return root()


@dataclass(frozen=True)
class Template:
    """One real page and the strings that make a copy of it a distinct work."""

    name: str
    body: bytes
    content_type: str
    marks: tuple[re.Pattern[bytes], ...]  # its DOI (any case) and title as they appear
    doi_less: bool = False  # no DOI: each copy gets a citation_doi meta tag of its own

    def copy(self, number: int) -> bytes:
        body = self.body
        for mark in self.marks:
            body = mark.sub(lambda m: m.group(0) + b".c%d" % number, body)
        if self.doi_less:  # else copies differing only in a title suffix are one work, fuzzily
            tag = b'<meta name="citation_doi" content="10.5555/bench.%d">' % number
            body = _HEAD.sub(lambda m: m.group(0) + tag, body, count=1)
        return body


def load_templates(root: Path | None = None) -> list[Template]:
    """The fixture pages, each with its DOI and title as found by coprod's own extractor
    (only to pick the strings to vary; nothing is scored here)."""
    from extractors.dispatch import extract

    root = root or fixtures_root()
    out = []
    for path in sorted(p for d in PAGE_DIRS for p in (root / d).glob("*.htm*")):
        body = path.read_bytes()
        content_type = Response(file=path).media_type()
        record = extract(f"https://example.org/{path.name}", {"Content-Type": content_type},
                         body).record
        marks = []
        if record and record.doi:  # DOIs are case-insensitive; pages write them both ways
            marks.append(re.compile(re.escape(record.doi.encode()), re.I))
        if record and record.title and len(record.title) >= 8 and record.title.encode() in body:
            marks.append(re.compile(re.escape(record.title.encode())))
        doi_less = not (record and record.doi) and _HEAD.search(body) is not None
        out.append(Template(path.name, body, content_type, tuple(marks), doi_less))
    if not out:
        raise FileNotFoundError(f"no fixture pages under {root}")
    return out


class BenchSite(Site):
    """Hosts hNN.bench.test, answering from the path alone (see the module docstring)."""

    def __init__(self, templates: list[Template], pages: int, hosts: int) -> None:
        super().__init__()
        if pages < hosts:
            raise ValueError("need at least one page per host")
        self.templates = templates
        self.pages = pages
        self.host_names = [f"h{i:02d}.{DOMAIN}" for i in range(hosts)]
        self.per_host = [pages // hosts + (i < pages % hosts) for i in range(hosts)]
        self.first = [sum(self.per_host[:i]) for i in range(hosts)]  # global number of a[0]
        self.served = 0  # 200 answers given (robots.txt, indexes, articles) since reset
        self._lock = threading.Lock()

    def reset_count(self) -> None:
        with self._lock:
            self.served = 0

    def sections(self, host: int) -> int:
        return -(-self.per_host[host] // SECTION_SIZE)

    @property
    def index_pages(self) -> int:
        return sum(1 + self.sections(h) for h in range(len(self.host_names)))

    @property
    def requests(self) -> int:
        """Every request a full crawl makes: robots.txt, indexes and articles."""
        return len(self.host_names) + self.index_pages + self.pages

    def mean_article_bytes(self) -> float:
        sizes = [len(self.templates[n % len(self.templates)].body) for n in range(self.pages)]
        return sum(sizes) / len(sizes)

    def respond(self, scheme: str, host: str, target: str) -> Response | None:
        response = self._respond(host, target)
        if response is not None:
            with self._lock:
                self.served += 1
        return response

    def _respond(self, host: str, target: str) -> Response | None:
        name = host.split(":")[0].lower()
        if name not in self.host_names:
            return None
        h = self.host_names.index(name)
        path = target.split("?")[0]
        if path == "/robots.txt":
            return Response(body=self.default_robots or "", content_type="text/plain; charset=utf-8")
        if path == "/":
            links = [f"/s/{s:03d}/" for s in range(self.sections(h))]
            return _index(f"{name}: sections", links)
        if m := _SECTION.match(path):
            s = int(m.group(1))
            first = s * SECTION_SIZE
            last = min(first + SECTION_SIZE, self.per_host[h])
            if s >= self.sections(h):
                return None
            return _index(f"{name}: section {s}",
                          [f"/s/{s:03d}/a{i:06d}.html" for i in range(first, last)])
        if m := _ARTICLE.match(path):
            s, i = int(m.group(1)), int(m.group(2))
            if i >= self.per_host[h] or i // SECTION_SIZE != s:
                return None
            number = self.first[h] + i
            template = self.templates[number % len(self.templates)]
            return Response(body=template.copy(number), content_type=template.content_type)
        return None


def _index(title: str, links: list[str]) -> Response:
    items = "".join(f'<li><a href="{link}">{link}</a></li>\n' for link in links)
    body = (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title></head>"
            f"<body><h1>{title}</h1><ul>\n{items}</ul></body></html>\n")
    return Response(body=body, content_type="text/html; charset=utf-8")


@dataclass
class BenchWeb:
    """A started sandbox serving a BenchSite; `start_urls` are the hosts' root indexes."""

    site: BenchSite
    web: SandboxWeb
    start_urls: list[str] = field(default_factory=list)

    @property
    def port(self) -> int:
        return self.web.http_port

    def ok_hits(self) -> int:
        """Pages served since the last reset (what a tool fetched)."""
        return self.site.served

    def reset(self) -> None:
        self.site.reset_count()

    def stop(self) -> None:
        self.web.stop()


def start_bench_web(pages: int, hosts: int = 20, latency: float = 0.05,
                    templates: list[Template] | None = None) -> BenchWeb:
    site = BenchSite(templates or load_templates(), pages, hosts)
    web = SandboxWeb(site, latency=latency, max_hits=1000).start()  # counted by the site
    port = web.http_port
    return BenchWeb(site, web, [f"http://{h}:{port}/" for h in site.host_names])
