"""PubMed efetch XML and arXiv Atom (real responses) to Records, parsed without entities."""

from __future__ import annotations

from extractors.api import parse_api_response

EFETCH = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/efetch.fcgi?db=pubmed&id="
ARXIV = "http://export.arxiv.org/api/query?search_query=all:nlp"


def _parse(fixtures_dir, name, url):
    return parse_api_response(url, (fixtures_dir / "aggregator_json" / name).read_bytes(),
                              "text/xml")


def test_pubmed_article(fixtures_dir):
    [r] = _parse(fixtures_dir, "pubmed_efetch_32835308.xml", EFETCH + "32835308")
    assert r.title == "Harvesting Patterns from Textual Web Sources with Tolerance Rough Sets"
    assert r.doi == "10.1016/j.patter.2020.100053"
    assert r.identifiers == {"pmid": "32835308", "pmcid": "PMC7318947", "issn": "2666-3899"}
    assert [(a.given, a.family) for a in r.authors] == [("Hoora Rezaei", "Moghaddam"),
                                                         ("Sheela", "Ramanna")]
    assert r.authors[1].affiliations[0].startswith("Department of Applied Computer Science")
    assert (r.container, r.volume, r.issue, r.pages) == ("Patterns (New York, N.Y.)", "1", "4",
                                                         "100053")
    assert r.published == "2020-06-26"  # electronic article date precedes the issue (Jul 10)
    assert r.abstract.startswith("Construction of knowledge repositories from web corpora")
    assert "© 2020" not in r.abstract  # copyright line is not abstract text
    assert r.keywords[0] == "granular computing" and len(r.keywords) == 6
    assert (r.language, r.type) == ("en", "article")
    assert r.provenance.fields["title"] == "api:pubmed"


def test_pubmed_year_only_and_sniffing(fixtures_dir):
    [r] = _parse(fixtures_dir, "pubmed_efetch_31393839.xml", "file:///saved.xml")
    assert r.title == "Career-Turning Moments"
    assert r.published == "2019"  # <MedlineDate>2019</MedlineDate>
    assert (r.volume, r.issue, r.pages) == ("53", "6", "325")
    [r] = _parse(fixtures_dir, "pubmed_efetch_19129924.xml", "file:///saved.xml")
    assert r.published == "2008-12-19"
    assert r.keywords[:2] == ["GENESIS", "MOOSE"]
    assert parse_api_response(EFETCH, (fixtures_dir / "aggregator_json" /
                                       "pubmed_esearch_result.xml").read_bytes(), None) == []


def test_arxiv_feed(fixtures_dir):
    records = _parse(fixtures_dir, "arxiv_api_query_atom.xml", ARXIV)
    assert len(records) == 20
    first = records[0]
    assert first.title == ("A Multitask Deep Learning Approach for User Depression Detection "
                           "on Sina Weibo")  # the feed wraps the title over two lines
    assert first.identifiers == {"arxiv": "2008.11708"}
    assert first.published == "2020-08-25"  # the live <published>, not the commented one
    assert [a.name for a in first.authors][0] == "Yiding Wang" and len(first.authors) == 5
    assert first.abstract.startswith("In recent years, due to the mental burden of depression")
    assert (first.type, first.open_access) == ("preprint", True)
    assert first.keywords == ["cs.SI", "cs.CL", "cs.LG"]
    assert records[11].identifiers["arxiv"] == "2008.11584"  # version suffix dropped
    palm = records[-1]
    assert palm.identifiers["arxiv"] == "2008.11505"
    assert palm.doi is None  # the journal version's DOI is a related work
    assert [x.doi for x in palm.related] == ["10.1016/j.isprsjprs.2020.07.002"]
    assert palm.related[0].text == "ISPRS Journal of Photogrammetry and Remote Sensing 2020"


def test_parsers_take_bytes_too(fixtures_dir):
    from extractors.api import parse_arxiv, parse_pubmed

    body = (fixtures_dir / "aggregator_json" / "pubmed_efetch_32835308.xml").read_bytes()
    assert [r.doi for r in parse_pubmed(EFETCH, body)] == ["10.1016/j.patter.2020.100053"]
    assert parse_arxiv(ARXIV, body) == []  # a PubMed set is no Atom feed
    assert parse_pubmed(EFETCH, b"<not xml") == []
