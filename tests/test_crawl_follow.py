"""Following links on the sandbox web: a Pure portal's project and research-output listings
to their item pages, a site crawl kept to its site and its depth and followed only from
relevant pages, and snowballing through OpenAlex from relevant records only."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from archive.catalog import Catalog
from crawler.sandbox import SandboxWeb, Site
from tests.cli_runner import run_coprod
from tests.crawl_sites import (
    DANISH,
    DIGITAL,
    ELDER_CARE,
    HYDROGEN,
    MENTAL_HEALTH,
    landing_page,
    openalex_page,
)

DEMO = Path(__file__).resolve().parent.parent / "crawler" / "sandbox" / "demo_site"
HTML = "text/html; charset=utf-8"
FAST = ("-s", "RETRY_BACKOFF_BASE=0.05")
PORTAL = "https://research.velfaerdsinstituttet.example/da/"
PROJECT = PORTAL + "projects/co-production-of-support-in-neighbourhood-care"


def crawl(site: Site, data: Path, *args: str):
    with SandboxWeb(site) as web:
        done = run_coprod("crawl", *args, *FAST, data_dir=data, resolve=web.resolve_rules)
        return done, web.hits


def listing(items: list[str], next_href: str | None) -> str:
    """A Pure portal listing page as Pure portals render one (list-result-item, nextLink)."""
    rows = "".join(f'<li class="list-result-item"><div class="result-container"><h3 class="title">'
                   f'<a rel="Project" href="{href}"><span>{href}</span></a></h3></div></li>'
                   for href in items)
    pager = (f'<nav class="pages"><ul><li class="next"><a class="step nextLink" href="{next_href}">'
             'Næste</a></li></ul></nav>') if next_href else ""
    return (f'<html><head><meta name="generator" content="Pure"><title>Projekter</title></head>'
            f'<body><ul class="list-results">{rows}</ul>{pager}</body></html>')


def pure_page(kind: str, title: str, text: str, doi: str | None = None) -> str:
    """A Pure item page (rendering_* container, h1 title, textblock), written for the test."""
    meta = f'<meta name="citation_doi" content="{doi}">' if doi else ""
    return (f'<html><head><meta name="generator" content="Pure">{meta}<title>{title}</title></head>'
            f'<body><div class="rendering rendering_{kind}"><h1><span>{title}</span></h1>'
            f'<div class="rendering_abstractportal"><div class="textblock">{text}</div></div>'
            f'</div></body></html>')


def test_pure_portal_listings_to_item_pages(tmp_path: Path) -> None:
    site = Site()
    site.add(PORTAL + "projects/", content_type=HTML,
             body=listing(["/da/projects/co-production-of-support-in-neighbourhood-care",
                           "/da/projects/hydrogen-storage"], "?page=1"))
    site.add(PORTAL + "projects/?page=1", body=listing(["/da/projects/frivillige"], None),
             content_type=HTML)
    site.add(PORTAL + "publications/", body=listing(["/da/publications/samskabelse"], None),
             content_type=HTML)
    site.add(PROJECT, file=DEMO / "pure_project.html", content_type=HTML)
    site.add(PORTAL + "projects/hydrogen-storage", content_type=HTML, body=pure_page(
        "project", "Hydrogen storage in rural power grids",
        "Electrolysers and salt caverns for seasonal hydrogen storage in the gas network."))
    site.add(PORTAL + "projects/frivillige", content_type=HTML, body=pure_page(
        "project", "Frivillige i ældreplejen",
        "Projektet undersøger samskabelse mellem frivillige og kommunens ældrepleje."))
    site.add(PORTAL + "publications/samskabelse", content_type=HTML, body=pure_page(
        "researchoutput", DANISH.title, DANISH.abstract, doi=DANISH.doi))
    site.redirect(f"https://doi.org/{DANISH.doi}", f"https://journals.example.org/doi/{DANISH.doi}",
                  status=302)
    site.add(f"https://journals.example.org/doi/{DANISH.doi}", body=landing_page(DANISH),
             content_type=HTML)
    done, hits = crawl(site, tmp_path, "--source", f"pure={PORTAL}")
    assert done.returncode == 0, done.stderr
    fetched = {h.url for h in hits if h.path != "/robots.txt"}
    assert {PORTAL + "projects/", PORTAL + "projects/?page=1", PORTAL + "publications/", PROJECT,
            PORTAL + "projects/hydrogen-storage", PORTAL + "projects/frivillige",
            PORTAL + "publications/samskabelse", f"https://doi.org/{DANISH.doi}"} <= fetched
    with Catalog(tmp_path / "catalog.sqlite") as catalog:
        records = {r.title: r for r in catalog.records()}
    assert len(records) == 4
    project = records["Co-production of support in neighbourhood care"]
    assert project.type == "project" and project.people and project.relevance["relevant"]
    assert records["Hydrogen storage in rural power grids"].relevance["relevant"] is False
    assert records["Frivillige i ældreplejen"].relevance["relevant"] is True
    output = records[DANISH.title]  # the Pure page and the publisher's page, one record
    assert output.doi == DANISH.doi and output.keywords == ["samskabelse"]


# A research institute's site, written for the test: a "browse" page (no work) linking two
# article pages; each article links one more page on the site, one a page elsewhere and a PDF.
SITE = "https://www.coproduction-institute.example/research/"


def article(title: str, abstract: str, more: str) -> str:
    return (f'<html><head><title>{title}</title><meta name="citation_title" content="{title}">'
            f'<meta name="citation_author" content="Ditte Andersen">'
            f'<meta name="citation_publication_date" content="2022"></head><body><h1>{title}</h1>'
            f'<div class="abstract"><p>{abstract}</p></div><a href="{more}">More</a>'
            f'<a href="https://elsewhere.example/x">Partner</a><a href="/files/report.pdf">PDF</a>'
            f'</body></html>')


def test_site_crawl_keeps_to_site_depth_and_focus(tmp_path: Path) -> None:
    site = Site()
    site.add(SITE, content_type=HTML, body=(
        '<html><head><title>Browse research</title></head><body><h1>Browse research</h1>'
        '<a href="/research/co-production">A</a><a href="/research/hydrogen">B</a>'
        '<a href="https://elsewhere.example/y">Elsewhere</a></body></html>'))
    site.add(SITE + "co-production", content_type=HTML, body=article(
        "Co-production in municipal care services",
        "How care services co-produce support with citizens and voluntary organisations.",
        "/research/co-production-2"))
    site.add(SITE + "hydrogen", content_type=HTML, body=article(
        "Hydrogen storage in salt caverns", "Seasonal hydrogen storage for the gas network.",
        "/research/hydrogen-2"))
    site.add(SITE + "co-production-2", content_type=HTML, body=article(
        "Co-production with volunteers in elder care",
        "Volunteers and care staff co-produce elder care in four municipalities.",
        "/research/co-production-3"))
    done, hits = crawl(site, tmp_path, "--source", f"url={SITE}", "--depth", "2")
    assert done.returncode == 0, done.stderr
    fetched = sorted(h.path for h in hits if h.path != "/robots.txt")
    # depth 0: the start; 1: both articles; 2: only the relevant article's link (not the
    # irrelevant one's, nor depth 3); never another site, never the PDF
    assert fetched == ["/research/", "/research/co-production", "/research/co-production-2",
                       "/research/hydrogen"]
    assert {h.host for h in hits} == {"www.coproduction-institute.example"}


def test_snowball_from_relevant_records_only(fixtures_dir: Path, tmp_path: Path) -> None:
    mailto = "tests@example.org"
    api = "https://api.openalex.org/works?per-page=100&mailto=" + mailto
    site = Site()
    site.add(api + "&search=co-production&cursor=*", content_type="application/json",
             body=openalex_page(fixtures_dir, [MENTAL_HEALTH, HYDROGEN], None))
    seed = "W9900002021"  # MENTAL_HEALTH's id in that page (tests/crawl_sites.openalex_page)
    site.add(api + f"&filter=cited_by:{seed}&cursor=*", content_type="application/json",
             body=openalex_page(fixtures_dir, [ELDER_CARE], None))
    site.add(api + f"&filter=cites:{seed}&cursor=*", content_type="application/json",
             body=openalex_page(fixtures_dir, [DIGITAL], "n2"))
    site.add(api + f"&filter=cites:{seed}&cursor=n2", content_type="application/json",
             body=openalex_page(fixtures_dir, [DANISH], None))
    done, hits = crawl(site, tmp_path, "--source", "openalex=co-production", "--snowball", "1",
                       "--depth", "0", "--mailto", mailto)
    assert done.returncode == 0, done.stderr
    filters = sorted(str(parse_qs(urlsplit(h.target).query).get("filter")) for h in hits
                     if h.host == "api.openalex.org" and h.path == "/works")
    # backward and forward from the relevant record, paged; nothing from the steel paper,
    # nothing a second step out (--snowball 1)
    assert filters == ["None", f"['cited_by:{seed}']", f"['cites:{seed}']", f"['cites:{seed}']"]
    with Catalog(tmp_path / "catalog.sqlite") as catalog:
        assert sorted(r.doi for r in catalog.records()) == sorted(
            w.doi for w in (MENTAL_HEALTH, HYDROGEN, ELDER_CARE, DIGITAL, DANISH))
    assert "coprod: snowball (openalex): done" in done.stderr
