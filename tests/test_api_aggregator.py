"""Aggregator JSON records shaped like seed 003 (a Chinese aggregator serving S2 data)."""

from __future__ import annotations

import json

from extractors.api import parse_aggregator, parse_api_response


def _seed_json(seeds_dir) -> bytes:
    [path] = seeds_dir.glob("003_*.txt")
    return path.read_bytes().split(b"\n", 1)[0]  # the JSON record; page text follows


def test_seed_003(seeds_dir):
    [r] = parse_api_response("https://www.example-aggregator.cn/api/paper/1", _seed_json(seeds_dir))
    assert r.title == ("Co-production in syringe service programs: Implementation in a changing "
                       "organisational field")
    assert r.doi == "10.1177/02610183231199667"
    assert [(a.name, a.family) for a in r.authors] == [("Theresa Anasti", "Anasti")]
    assert r.abstract.startswith("Co-production in the human services is a way of working")
    assert r.abstract.endswith("Implications for the use of co-production in rapidly changing "
                               "fields is discussed.")
    assert r.abstract_sections == []  # "Findings show..." is prose, not a label
    assert r.container == "Critical Social Policy"
    assert r.published == "2023-09-11"
    assert r.pages is None  # "0"
    assert r.open_access is False
    assert r.citation_count == 0
    assert r.type == "article"
    assert set(r.provenance.fields.values()) == {"api:aggregator"}


def test_several_authors_in_one_string():
    data = {"title": "T", "authors": "Ann Lee, Bo Chen; Cy Dee", "doi": None,
            "publicationDate": "2020"}
    [r] = parse_aggregator("u", data)
    assert [a.name for a in r.authors] == ["Ann Lee, Bo Chen", "Cy Dee"]  # ";" splits first
    data["authors"] = "Lee, Ann"
    [r] = parse_aggregator("u", data)
    assert [a.name for a in r.authors] == ["Lee, Ann"]  # "Family, Given" stays one name
    data["authors"] = "Ann Lee, Bo Chen"
    assert [a.name for a in parse_aggregator("u", data)[0].authors] == ["Ann Lee", "Bo Chen"]
    assert json.dumps(data)  # unchanged input
