"""Unpaywall DOI objects (real ones) to Records: open-access status, licence, authors."""

from __future__ import annotations

from extractors.api import parse_api_response

URL = "https://api.unpaywall.org/v2/"


def _parse(fixtures_dir, name, url=URL + "x?email=a@b.c"):
    return parse_api_response(url, (fixtures_dir / "aggregator_json" / name).read_bytes(),
                              "application/json")


def test_gold(fixtures_dir):
    [r] = _parse(fixtures_dir, "unpaywall_record_10.1186_s40510-015-0109-6_gold.json")
    assert r.doi == "10.1186/s40510-015-0109-6"
    assert r.title.startswith("Synergistic effect of wire bending and salivary pH")
    assert r.open_access is True and r.license == "cc-by"
    assert [a.name for a in r.authors][0] == "Marieke G. Hobbelink"
    assert r.authors[-1].family == "Ye"
    assert (r.container, r.published) == ("Progress in Orthodontics", "2015-10-26")
    assert r.publisher == "Springer Science and Business Media LLC"
    assert r.identifiers == {"issn": "2196-1042"}
    assert r.provenance.fields["open_access"] == "api:unpaywall"


def test_closed_and_green(fixtures_dir):
    [closed] = _parse(fixtures_dir, "unpaywall_record_10.1109_jphotov.2020.3019951_closed.json")
    assert closed.open_access is False and closed.license is None
    assert closed.authors[2].orcid == "0000-0002-6256-8975"
    assert closed.identifiers == {"issn": "2156-3403"}
    [green] = _parse(fixtures_dir, "unpaywall_record_10.1111_j.1365-2427.2008.01986.x_green.json",
                     url="file:///saved.json")  # sniffed
    assert green.open_access is True
    assert green.container == "Freshwater Biology"


def test_snapshot_lines(fixtures_dir):
    records = _parse(fixtures_dir, "unpaywall_snapshot_records_50.jsonl", url="file:///s.jsonl")
    assert len(records) == 50
    assert records[0].doi == "10.1186/s40510-015-0109-6"  # line 1, as MANIFEST.tsv says
    assert records[15].doi == "10.1111/j.1365-2427.2008.01986.x"  # line 16
