"""`coprod crawl --from-archive`: the crawl re-runs from the WARC files with nothing fetched live,
and gives the same records (the strongest audit)."""

from __future__ import annotations

from pathlib import Path

from archive.catalog import Catalog
from crawler.sandbox import SandboxWeb, Site
from tests.cli_runner import run_coprod
from tests.warc_checks import all_warcs

SITE = "https://www.coproduction-institute.example/research/"
HTML = "text/html; charset=utf-8"


def _article(title: str, abstract: str) -> str:
    """An institute's article page of our own, with the Highwire tags such sites carry."""
    return (f'<html><head><title>{title}</title><meta name="citation_title" content="{title}">'
            f'<meta name="citation_author" content="Ditte Andersen">'
            f'<meta name="citation_publication_date" content="2022"></head><body><h1>{title}</h1>'
            f'<div class="abstract"><p>{abstract}</p></div></body></html>')


def _records(data: Path) -> dict[str, dict]:
    with Catalog(data / "catalog.sqlite") as catalog:
        return {r.title: {**{k: v for k, v in r.to_dict().items() if k != "provenance"},
                          "source_response": r.provenance.warc_record_id,
                          "field_sources": r.provenance.fields}
                for r in catalog.records()}


def test_crawl_from_archive_fetches_nothing_and_gives_the_same_records(tmp_path: Path) -> None:
    site = Site()
    site.add(SITE, content_type=HTML, body=(
        '<html><head><title>Browse research</title></head><body><h1>Browse research</h1>'
        '<a href="/research/a">A</a><a href="/research/b">B</a></body></html>'))
    site.add(SITE + "a", content_type=HTML, body=_article(
        "Co-production in municipal care services",
        "How care services co-produce support with citizens and voluntary organisations."))
    site.add(SITE + "b", content_type=HTML, body=_article(
        "Co-production with volunteers in elder care",
        "Volunteers and care staff co-produce elder care in four municipalities."))
    live, replayed = tmp_path / "live", tmp_path / "replayed"
    with SandboxWeb(site) as web:
        done = run_coprod("crawl", "--source", f"url={SITE}", data_dir=live, resolve=web.resolve_rules)
        assert done.returncode == 0, done.stderr
        web.clear_hits()  # the re-run reads the live archive and writes its own records elsewhere
        again = run_coprod("crawl", "--source", f"url={SITE}", "--from-archive", str(live),
                           data_dir=replayed, resolve=web.resolve_rules)
        assert again.returncode == 0, again.stderr
        assert web.hits == [], "nothing may be fetched live"
    expected = _records(live)
    assert len(expected) == 2
    assert _records(replayed) == expected
    assert all_warcs(replayed), "the re-run archives its records (metadata records) in its own WARCs"
