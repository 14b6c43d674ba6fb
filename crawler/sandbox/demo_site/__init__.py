"""The offline demo site: fictional pages about co-production, one of each seed page kind.

An aggregator abstract page, a Chinese aggregator page, a Cambridge Core article, an
aggregator JSON record and an Elsevier Pure project page (Danish chrome), plus a publisher
landing page, doi.org redirects, Crossref /works answers and robots.txt per host. The
routing table is data (`routes.json`); the files sit beside it as package data.
"""

from __future__ import annotations

import json
from pathlib import Path

from crawler.sandbox.response import Response, redirect
from crawler.sandbox.site import Site

HERE = Path(__file__).resolve().parent
CROSSREF_TYPE = "application/json"


def demo_routes() -> dict:
    return json.loads((HERE / "routes.json").read_text(encoding="utf-8"))


def demo_site(site: Site | None = None) -> tuple[Site, list[str]]:
    """The demo Site (or `site` with the demo added) and the demo DOIs."""
    routes = demo_routes()
    site = site if site is not None else Site()
    site.ignore_case("doi.org", "dx.doi.org", "api.crossref.org")
    for url, name in routes["pages"].items():
        site.add(url, file=HERE / name)
    for doi, name in routes["crossref"].items():
        site.add(f"https://api.crossref.org/works/{doi}", file=HERE / name, content_type=CROSSREF_TYPE)
    site.add_prefix(
        "https://api.crossref.org/works/",
        Response(status=404, body="Resource not found.", content_type="text/plain"),
    )
    for doi, hops in routes["doi"].items():
        # doi.org answers 302; each publisher hop after it is a 301 to the next
        site.redirect(f"https://doi.org/{doi}", hops[0], 302)
        site.redirect(f"https://dx.doi.org/{doi}", f"https://doi.org/{doi}", 301)
        for here, there in zip(hops, hops[1:], strict=False):
            site.add_sequence(here, [redirect(there, 301)])
    for host, text in routes["robots"].items():
        site.robots(host, text)
    return site, list(routes["doi"])
