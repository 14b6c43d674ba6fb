"""Semantic Scholar Graph API responses (real ones) to Records; expected values from the JSON."""

from __future__ import annotations

import json

from extractors.api import parse_api_response, parse_semanticscholar

URL = "https://api.semanticscholar.org/graph/v1/paper/"


def _data(fixtures_dir, name):
    return json.loads((fixtures_dir / "aggregator_json" / name).read_text(encoding="utf-8"))


def test_batch_skips_unknown_ids(fixtures_dir):
    records = parse_semanticscholar(URL + "batch", _data(
        fixtures_dir, "semanticscholar_graph_paper_batch_allfields.json"))
    assert len(records) == 3  # the first slot is null: an id S2 does not know
    first = records[0]
    assert first.title == "How Much Should We Trust Differences-in-Differences Estimates?"
    assert first.doi == "10.2139/ssrn.288970"
    assert [a.name for a in first.authors] == ["Marianne Bertrand", "E. Duflo", "S. Mullainathan"]
    assert first.container == "Experimental & Empirical Studies eJournal"
    assert first.published == "2001-10-01"
    assert first.abstract.startswith("Most Difference-in-Difference (DD) papers rely on many")
    assert first.citation_count == 10670
    assert first.open_access is True
    assert first.keywords == ["Psychology", "Economics", "Mathematics"]
    assert first.identifiers["s2"] == "c31c87c591a25c64fbaa82e8ac6a81831b6ac7ce"
    assert first.type == "article"  # publicationTypes ["Review"]
    third = records[2]
    assert third.doi == "10.1257/rct.1355"
    assert third.published == "2023"  # no publicationDate, year only
    assert [a.name for a in third.authors][-1] == "Nick Ryan"
    assert all(f == "api:semanticscholar" for f in first.provenance.fields.values())


def test_search_and_citation_items(fixtures_dir):
    hits = parse_semanticscholar(URL + "search?query=turing", _data(
        fixtures_dir, "semanticscholar_graph_paper_search_turing.json"))
    assert len(hits) == 100
    assert hits[-1].title == "Turing patterns in multiplex networks."
    assert hits[0].identifiers == {"s2": "7cbc2a7843411a1768ab762930707af0a3c33a19"}
    # hits carrying only a PDF link name no work: dropped
    assert parse_semanticscholar(URL + "search", _data(
        fixtures_dir, "semanticscholar_graph_paper_search_openaccesspdf.json")) == []
    [citing] = parse_semanticscholar(URL + "x/citations", _data(
        fixtures_dir, "semanticscholar_graph_citation_item.json"))
    assert citing.title == "Learning to Throw With a Handful of Samples Using Decision Transformers"
    assert citing.doi == "10.1109/lra.2022.3229266"
    assert citing.identifiers["dblp"] == "journals/ral/MonastirskyAS23"


def test_errors_and_author_lists(fixtures_dir):
    body = (fixtures_dir / "aggregator_json" / "semanticscholar_graph_paper_404.json").read_bytes()
    assert json.loads(body) == {"error": "Paper with id 0 not found"}
    assert parse_api_response(URL + "0?fields=title", body, "application/json") == []
    assert parse_semanticscholar(URL + "x/authors", _data(
        fixtures_dir, "semanticscholar_graph_paper_authors_ssrn.2250500.json")) == []
