"""parse_api_response: adapter choice by URL and by shape, and refusal of unusable input."""

from __future__ import annotations

import pytest

import extractors.api as api
from extractors.api import adapter_for_url, parse_api_response
from extractors.errors import UnusableInput


@pytest.mark.parametrize(("url", "name"), [
    ("https://api.crossref.org/works/10.1108/IJSSP-01-2022-0027", "crossref"),
    ("https://api.datacite.org/dois/10.5061/dryad.8515", "datacite"),
    ("https://api.openalex.org/works/doi:10.7717/peerj.4375", "openalex"),
    ("https://api.semanticscholar.org/graph/v1/paper/batch", "semanticscholar"),
    ("https://www.ebi.ac.uk/europepmc/webservices/rest/search?query=x", "europepmc"),
    ("https://api.unpaywall.org/v2/10.1/x?email=a@b.c", "unpaywall"),
    ("https://eutils.ncbi.nlm.nih.gov/entrez/eutils/efetch.fcgi?db=pubmed", "pubmed"),
    ("http://export.arxiv.org/api/query?id_list=2008.11708", "arxiv"),
])
def test_adapter_for_url(url, name):
    assert adapter_for_url(url).name == name


def test_no_adapter_for_other_urls():
    assert adapter_for_url("https://www.ebi.ac.uk/about") is None  # not Europe PMC's path
    assert adapter_for_url("https://arxiv.org/abs/2008.11708") is None  # a page, not the API
    assert adapter_for_url("https://doi.org/10.1/x") is None


@pytest.mark.parametrize("name", [
    "crossref_work_elife.01567.json", "datacite_api_doi_arxiv.1902.02534.json",
    "openalex_work_acm_3448016.3452841.json", "europepmc_rest_search_lite_cancer.json",
    "semanticscholar_graph_paper_batch_allfields.json",
    "unpaywall_record_10.1186_s40510-015-0109-6_gold.json", "pubmed_efetch_19129924.xml",
    "arxiv_api_query_atom.xml",
])
def test_shape_decides_under_a_placeholder_url(fixtures_dir, name):
    body = (fixtures_dir / "aggregator_json" / name).read_bytes()
    records = parse_api_response("https://placeholder.invalid/saved", body, None)
    assert records, name
    expected = {"crossref": "crossref", "datacite": "datacite", "openalex": "openalex",
                "europepmc": "europepmc", "semanticscholar": "semanticscholar",
                "unpaywall": "unpaywall", "pubmed": "pubmed", "arxiv": "arxiv"}[name.split("_")[0]]
    assert records[0].provenance.fields["title"] == f"api:{expected}"
    assert records[0].source_url == "https://placeholder.invalid/saved"


def test_bom_and_content_type(fixtures_dir):
    body = (fixtures_dir / "aggregator_json" / "crossref_work_elife.01567.json").read_bytes()
    [r] = parse_api_response("u", b"\xef\xbb\xbf" + body, "application/json; charset=utf-8")
    assert r.doi == "10.7554/elife.01567"


@pytest.mark.parametrize("name", [
    "scopus_serial_title_api.json", "orcid_public_api_v2_record_0000-0001-8254-7103.json",
    "doi_org_ra_10.7554.json", "europepmc_rest_search_dc_cancer.xml",
])
def test_unknown_api_responses_give_none(fixtures_dir, name):
    body = (fixtures_dir / "aggregator_json" / name).read_bytes()
    assert parse_api_response("https://placeholder.invalid/x", body, None) is None


def test_html_page_gives_none(fixtures_dir):
    page = next((fixtures_dir / "publisher_html").glob("*.html"))
    assert parse_api_response("https://publisher.example/article", page.read_bytes(),
                              "text/html") is None
    assert parse_api_response("https://x.example/", b"\x00\x01\x02binary", None) is None
    assert parse_api_response("https://x.example/", b"", None) is None
    assert parse_api_response("https://api.crossref.org/works/x", b"", None) == []


@pytest.mark.parametrize("body", [
    b'{"status": "ok", "message-type": "work", "message": {',
    b"[1, 2,",
    b'{"a": 1} trailing words',
    b"[" * 200_000 + b"]" * 200_000,
])
def test_malformed_json_is_unusable(body):
    with pytest.raises(UnusableInput) as info:
        parse_api_response("https://api.crossref.org/works/10.1/x", body, "application/json")
    message = str(info.value)
    assert "\n" not in message and "api.crossref.org" in message
    assert isinstance(info.value, ValueError)


def test_json_content_type_with_text_body_is_unusable():
    with pytest.raises(UnusableInput):
        parse_api_response("https://api.openalex.org/works/W1", b"Bad gateway", "application/json")


def test_oversized_body_is_refused(monkeypatch):
    monkeypatch.setattr(api, "MAX_BODY", 100)
    with pytest.raises(UnusableInput, match="too large"):
        parse_api_response("https://api.crossref.org/works/x", b"{" + b" " * 200 + b"}", None)


def test_xml_entities_are_not_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    body = f"""<?xml version="1.0"?>
<!DOCTYPE PubmedArticleSet [
  <!ENTITY leak SYSTEM "file://{secret}">
  <!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
]>
<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>
<ArticleTitle>Title &leak; &lol2;</ArticleTitle>
</Article></MedlineCitation></PubmedArticle></PubmedArticleSet>""".encode()
    [r] = parse_api_response("https://eutils.ncbi.nlm.nih.gov/efetch", body, "text/xml")
    assert "TOP-SECRET" not in r.title and "lollol" not in r.title
    assert r.title.startswith("Title")
