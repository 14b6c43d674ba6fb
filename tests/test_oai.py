"""OAI-PMH responses (real ones, ../shared/fixtures/oai_xml) to OaiPages, hostile XML, and
request URLs. Expected values were read from the XML files by hand.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest

from extractors import oai
from extractors.oai import oai_request_url, parse_oai

BASE = "https://repository.example.org/oai/request"


def _page(fixtures_dir, name, base=BASE):
    return parse_oai((fixtures_dir / "oai_xml" / name).read_bytes(), base)


# -- lists, counts, first records, tokens: one row per repository platform -----------------------

LISTS = [
    # file, verb, records, works, token, cursor, completeListSize, first title, first creator, date
    ("dspace_colostate_oai_listrecords_page1_resumption.xml", "ListRecords", 100, 100,
     "oai_dc/2016-05-04T00:00:00Z/2016-05-06T00:00:00Z//100", 0, 1008,
     "The Human Touch. Journal of poetry, prose, visual art. Vol. 6", None, "2013"),
    ("dspace_colostate_oai_listrecords_page2_resumption.xml", "ListRecords", 100, 100,
     "oai_dc/2016-05-04T00:00:00Z/2016-05-06T00:00:00Z//200", 1, 1008,
     "University of Colorado Medical Center campus looking northwest", None, "1940"),
    ("bepress_digitalcommons_calpoly_oai_listrecords_page1.xml", "ListRecords", 100, 100,
     "374206/oai_dc/100/2015-03-10/2015-03-11", 0, 208,
     "Creating Community after Disaster: Norm Formation in Post-Hurricane Mitch Resettlements",
     "Ryan Alaniz", "2015-01-01"),
    ("datacite_oai_listrecords_oai_dc.xml", "ListRecords", 50, 50,
     "1435689439510,2012-12-19T00:00:00Z,2012-12-21T00:00:00Z,50,null,oai_dc", 0, 56,
     "Improved Real-Time RT-PCR Assays of Two Colorectal Cancer Peripheral Blood mRNA Biomarkers: "
     "A Pilot Study",
     "Reza Yadegarazari", "1996"),
    ("pmc_oai_listrecords_oai_dc.xml", "ListRecords", 50, 50,
     "oai%3Apubmedcentral.nih.gov%3A4078828!2014-12-24!2014-12-25!oai_dc!", None, None,
     "Use of europium ions for SAD phasing of lysozyme at the Cu Kα wavelength",
     "Balakrishnan Vijayakumar", "2012-12-25"),
    # Dryad: 28 records say only "Item is not available" (no title, no DOI): no Record.
    ("dryad_oai_listrecords_oai_dc.xml", "ListRecords", 100, 72,
     "2015-05-14T00:00:00Z/2015-05-16T00:00:00Z//oai_dc/100", None, None, None, None, None),
    # Last pages: an empty resumptionToken element ends the list.
    ("librecat_ghent_biblio_oai_listrecords_oai_dc.xml", "ListRecords", 135, 135, None, 0, 135,
     "Shifts and continuity in the Belgian film control system", "Daniël Biltereyst", "2015"),
    ("nature_publisher_oai_listrecords_oai_dc_2016.xml", "ListRecords", 173, 173, None, 0, 174,
     "Second magnetization peak effect, vortex dynamics, and flux pinning in 112-type "
     "superconductor Ca0.8La0.2Fe1−xCoxAs2", "Wei Zhou", "2016-03-07"),
    # No token at all.
    ("eprints_caltech_authors_oai_listrecords_oai_dc.xml", "ListRecords", 88, 88, None, None, None,
     "The sciences in America, circa 1880", "Daniel J. Kevles", "1980-07-04"),
    ("dspace_duke_oai_listrecords_oai_dc.xml", "ListRecords", 62, 62, None, None, None, None,
     "TM Griffin", "2010"),
    ("erudit_oai_listrecords_oai_dc.xml", "ListRecords", 46, 46, None, None, None, None,
     "Luna Bégin", "2015"),
    ("zenodo_oai_listrecords_oai_dc_2015.xml", "ListRecords", 7, 7, None, None, None, None,
     "Kendra Sticht", "2015-01-08"),
    # Harvard DASH: the first record is deleted (header only).
    ("dspace_harvard_dash_oai_listrecords_oai_dc.xml", "ListRecords", 20, 19, None, None, None,
     "Improving Performance Isolation on Chip Multiprocessors via an Operating System Scheduler",
     "Alexandra Federova", "2007"),
    # Columbia echoes no verb in <request>: it is read from the answer's element.
    ("columbia_academic_commons_oai_listrecords.xml", "ListRecords", 6, 6, None, None, None,
     "Partial Identification of Finite Mixtures in Econometric Models", "Marc Henry", "2014"),
    ("sickle_ListRecords_oai_dc_resumption.xml", "ListRecords", 2, 1, "ListRecords2.xml", 0, 8,
     "Sample Title", "John Doe", "2010"),
    ("hindawi_oai_listrecords_marc21.xml", "ListRecords", 1, 1, None, None, None,
     "“Pi of the Sky” Detector", "Katarzyna Małek", "2010-01-26"),
    ("cern_cds_invenio_oai_getrecord_marcxml.xml", "GetRecord", 1, 1, None, None, None,
     "Photon and jet probes of small collision systems with ATLAS", "Martin Spousta", "2019"),
    ("pos_sissa_oai_listrecords_pos-ext_dc.xml", "ListRecords", 1, 1, None, None, None,
     "Heavy Flavour Physics Review", "Aida El-Khadra", "2014-03-19"),
]


@pytest.mark.parametrize("name, verb, n_records, n_works, token, cursor, size, title, creator, "
                         "published", LISTS, ids=[row[0].rsplit(".", 1)[0] for row in LISTS])
def test_lists(fixtures_dir, name, verb, n_records, n_works, token, cursor, size, title,
               creator, published):
    page = _page(fixtures_dir, name)
    assert page.errors == []
    assert page.verb == verb
    assert len(page.records) == n_records
    assert len(page.works) == n_works
    assert page.next_token == token
    if token or size is not None:
        assert (page.resumption.cursor, page.resumption.complete_list_size) == (cursor, size)
    else:
        assert page.resumption is None
    if title is None and creator is None:
        return
    first = page.works[0]
    if title is not None:
        assert first.title == title
    assert (first.authors[0].name if first.authors else None) == creator
    assert first.published == published
    assert first.identifiers["oai"] == next(r.identifier for r in page.records if r.record)


def test_token_expiration_dates(fixtures_dir):
    assert _page(fixtures_dir, "datacite_oai_listrecords_oai_dc.xml").resumption.expiration_date \
        == "2015-06-30T19:37:19Z"
    dryad = _page(fixtures_dir, "dryad_oai_listrecords_oai_dc.xml").resumption
    assert (dryad.expiration_date, dryad.cursor, dryad.complete_list_size) == \
        ("2015-06-09T22:13:43Z", None, None)


# -- one record, field by field --------------------------------------------------------------------


def test_pmc_getrecord(fixtures_dir):
    page = _page(fixtures_dir, "pmc_oai_getrecord_oai_dc.xml")
    [item] = page.records
    assert (item.identifier, item.datestamp, item.sets, item.deleted) == \
        ("oai:pubmedcentral.nih.gov:4131942", "2014-08-14", ["lwwopen", "pmc-open"], False)
    assert item.metadata_format == "oai_dc"
    r = item.record
    assert r.title == "Is the Aluminum Hypothesis Dead?"
    assert [(a.name, a.given, a.family) for a in r.authors] == \
        [("Theodore I. Lidsky", "Theodore I.", "Lidsky")]
    assert r.abstract is None  # <dc:description/> is empty
    assert r.published == "2014-05-08"  # "2014-05" made precise by "2014-05-08"
    assert r.doi == "10.1097/jom.0000000000000063"
    assert r.identifiers == {"pmcid": "PMC4131942", "pmid": "24806729",
                             "oai": "oai:pubmedcentral.nih.gov:4131942"}
    assert r.publisher == "American College of Occupational and Environmental Medicine"
    assert r.keywords == ["Reviews"]
    assert (r.type, r.language) == ("article", "en")
    assert r.license == "http://creativecommons.org/licenses/by-nc-nd/3.0"
    assert r.source_url == "https://doi.org/10.1097/jom.0000000000000063"  # paths only else
    assert r.provenance.fields["title"] == "api:oai_dc"
    assert set(r.provenance.fields.values()) == {"api:oai_dc"}


def test_hal_getrecord(fixtures_dir):
    [item] = _page(fixtures_dir, "hal_oai_getrecord_oai_dc_hal-00830421.xml").records
    assert len(item.sets) == 21 and item.sets[0] == "type:ART"
    r = item.record
    assert [a.family for a in r.authors] == ["Pereira", "Nguyen-Van-Yen", "Farge", "Schneider"]
    assert r.authors[0].name == "Rodrigo M. Pereira"  # "Pereira\n, \nRodrigo M."
    assert r.abstract.startswith("It is well known that solutions to the Fourier-Galerkin")
    assert "International audience" not in r.abstract
    assert r.doi == "10.1103/physreve.87.033017"  # "DOI\n : \n10.1103/PhysRevE.87.033017"
    assert r.identifiers["arxiv"] == "1303.0980"
    assert r.identifiers["hal"] == "hal-00830421"
    assert r.source_url == "https://hal.archives-ouvertes.fr/hal-00830421"
    assert (r.published, r.language, r.type) == ("2013", "en", "article")
    assert r.publisher == "HAL CCSD"


def test_zenodo_getrecord(fixtures_dir):
    [item] = _page(fixtures_dir, "zenodo_oai_getrecord_oai_dc_50134.xml").records
    r = item.record
    assert (r.title, r.doi) == ("smart_disp: smart_disp Release v1.0", "10.5281/zenodo.50134")
    assert r.type == "other"  # eu-repo "other" + "software"
    assert (r.open_access, r.license) == (True, "http://www.opensource.org/licenses/MIT")
    assert r.source_url == "https://zenodo.org/record/50134"
    assert r.identifiers == {"oai": "oai:zenodo.org:50134"}
    assert r.abstract == "This is the first release of our sources."


def test_zenodo_html_description(fixtures_dir):
    r = _page(fixtures_dir, "zenodo_oai_listrecords_oai_dc_2015.xml").works[0]
    assert r.abstract.startswith("Ergebnisse aus der Masterthesis „Untersuchung zum Einsatz")
    assert "<p>" not in r.abstract and "&bdquo;" not in r.abstract
    assert (r.doi, r.open_access) == ("10.5281/zenodo.13841", True)


def test_dspace_mit_record(fixtures_dir):
    r = _page(fixtures_dir, "dspace_mit_oai_listrecords_oai_dc_2014.xml").works[0]
    assert len(r.authors) == 13 and r.authors[0].name == "Paul-Joseph P Aspuria"
    assert r.published == "2014-12"  # dc.date.issued, not the accession stamps or 2014-05
    assert r.abstract.startswith("Succinate dehydrogenase (SDH) is a mitochondrial")
    assert r.identifiers["handle"] == "1721.1/92499"
    assert r.identifiers["issn"] == "2049-3002"
    assert r.source_url == "http://hdl.handle.net/1721.1/92499"
    assert r.license == "http://creativecommons.org/licenses/by/4.0"
    # The published version's DOI sits in dc:relation: another record of the work, kept apart.
    assert r.doi is None
    assert [x.doi for x in r.related] == ["10.1186/2049-3002-2-21"]


def test_dryad_relations_are_not_the_datasets_identifiers(fixtures_dir):
    r = _page(fixtures_dir, "dryad_oai_listrecords_oai_dc.xml").works[0]
    assert r.doi == "10.5061/dryad.b56n0"
    assert "pmid" not in r.identifiers  # the PubMed link is the article the data supports
    assert r.identifiers["handle"] == "10255/dryad.49154"


def test_citation_string_doi_and_isbn(fixtures_dir):
    r = _page(fixtures_dir, "dspace_csir_researchspace_oai_listrecords.xml").works[0]
    assert r.doi == "10.1117/12.2066315"  # from "(DOI: 10.1117/12.2066315)"
    assert r.identifiers["isbn"] == "9781628413243"
    assert r.source_url == "http://hdl.handle.net/10204/7809"


def test_eprints_landing_page_over_the_pdf(fixtures_dir):
    r = _page(fixtures_dir, "eprints_caltech_authors_oai_listrecords_oai_dc.xml").works[0]
    assert not r.source_url.endswith(".pdf")
    assert r.source_url == "http://resolver.caltech.edu/CaltechAUTHORS:20090807-141212060"


def test_base_dc_and_pos_ext_dc(fixtures_dir):
    r = _page(fixtures_dir, "base_dc_getrecord_hal-01062241v1.xml").works[0]
    assert r.type == "conference-paper"
    assert r.abstract is None  # only "International audience"
    assert [a.family for a in r.authors][:2] == ["Lim", "Jimenez"]
    pos = _page(fixtures_dir, "pos_sissa_oai_listrecords_pos-ext_dc.xml")
    r = pos.works[0]
    assert [(a.name, a.affiliations) for a in r.authors] == [
        ("Aida El-Khadra", ["INFN and Università di Firenze"]), ("M. T. MacDonald", ["U of Pecs"])]
    assert pos.records[0].metadata_format == "pos-ext_dc"
    # No URL in the record: it points back at itself through GetRecord.
    assert parse_qs(urlsplit(r.source_url).query) == {
        "verb": ["GetRecord"], "identifier": ["oai:pos.sissa.it:LATTICE 2013/001"],
        "metadataPrefix": ["pos-ext_dc"]}


def test_marc21(fixtures_dir):
    r = _page(fixtures_dir, "hindawi_oai_listrecords_marc21.xml").works[0]
    assert r.doi == "10.1155/2010/194946"
    assert [(a.family, a.affiliations) for a in r.authors] == [
        ("Małek", ["Center for Theoretical Physics Polish Academy of Sciences"]),
        ("Batsch", ["The Andrzej Soltan Institute for Nuclear Studies"])]
    assert (r.container, r.volume, r.publisher) == \
        ("Advances in Astronomy", "2010", "Hindawi Publishing Corporation")
    assert r.abstract.startswith("“Pi of the Sky” experiment has been designed")
    assert r.license == "http://creativecommons.org/licenses/by/3.0/"
    assert set(r.provenance.fields.values()) == {"api:oai_marc"}
    cern = _page(fixtures_dir, "cern_cds_invenio_oai_listrecords_marcxml.xml")
    assert [w.title for w in cern.works][0] == "Lectures on Heterotic-Type I Duality"
    assert cern.request["metadataPrefix"] == "marcxml" and cern.request["set"] == "cerncds:hep-th"


def test_unread_formats_keep_their_headers(fixtures_dir):
    page = _page(fixtures_dir, "arxiv_oai_listrecords_hep-th.xml")
    assert [r.identifier for r in page.records] == [
        "oai:arXiv.org:1412.8323", "oai:arXiv.org:1507.07790", "oai:arXiv.org:1607.01710"]
    assert {r.metadata_format for r in page.records} == {"arXiv"}
    assert page.works == []
    assert page.records[0].sets == ["physics:hep-th"]


def test_deleted_records(fixtures_dir):
    page = _page(fixtures_dir, "sickle_ListRecords_oai_dc_resumption.xml")
    deleted = page.records[0]
    assert (deleted.identifier, deleted.datestamp, deleted.deleted, deleted.record) == \
        ("oai:test.example.com:1585310", "2011-07-18T16:31:00Z", True, None)
    assert page.records[1].deleted is False
    assert [a.name for a in page.works[0].authors] == ["John Doe"] * 4  # in order, as listed


# -- the other verbs -------------------------------------------------------------------------------


def test_identify(fixtures_dir):
    page = _page(fixtures_dir, "sickle_Identify.xml")
    assert page.verb == "Identify"
    assert page.identify == oai.Identify(
        repository_name="A Test Repository", base_url="http://test.example.com/oai",
        protocol_version="2.0", earliest_datestamp="1970-01-01T00:00:00Z",
        deleted_record="persistent", granularity="YYYY-MM-DD",
        admin_emails=["john.doe@example.com"])


def test_list_sets(fixtures_dir):
    page = _page(fixtures_dir, "sickle_ListSets.xml")
    assert len(page.sets) == 131
    assert (page.sets[0].spec, page.sets[0].name) == \
        ("bi", "All BI publications (already published)")
    assert page.sets[1].spec == "bookChapterFtxt"


def test_list_identifiers_and_formats(fixtures_dir):
    page = _page(fixtures_dir, "sickle_ListIdentifiers.xml")
    assert [(r.identifier, r.deleted) for r in page.records] == [
        ("oai:test.example.com::1585310", False), ("oai:test.example.com::1585576", True)]
    assert page.works == []
    assert (page.next_token, page.resumption.complete_list_size) == ("ListIdentifiers2.xml", 4)
    formats = _page(fixtures_dir, "sickle_ListMetadataFormats.xml").formats
    assert formats == ["epicur", "xMetaDissPlus", "oai_dc", "mods", "swepub_mods"]


@pytest.mark.parametrize("name, verb, code, message", [
    ("sickle_error_badResumptionToken.xml", "ListSets", "badResumptionToken",
     "This resumptionToken is invalid"),
    ("sickle_error_noRecordsMatch.xml", "ListIdentifiers", "noRecordsMatch", ""),
    ("oai_error_badArgument_doai.xml", "GetRecord", "badArgument",
     'The record "oai:hal.archives-ouvertes.fr:hal-00939473" does not exist.'),
])
def test_protocol_errors_are_data(fixtures_dir, name, verb, code, message):
    page = _page(fixtures_dir, name)
    assert page.verb == verb
    assert [(e.code, e.message) for e in page.errors] == [(code, message)]
    assert page.error_codes == [code]
    assert (page.records, page.next_token) == ([], None)


def test_every_fixture_parses_without_local_errors(fixtures_dir):
    local = {oai.TOO_LARGE, oai.BAD_XML, oai.UNSAFE_XML, oai.NOT_OAI}
    paths = sorted((fixtures_dir / "oai_xml").glob("*.xml"))
    assert len(paths) == 42
    for path in paths:
        page = parse_oai(path.read_bytes(), BASE)
        assert not local & set(page.error_codes), path.name
        assert page.verb in oai.VERBS, path.name


# -- hostile and broken input ------------------------------------------------------------------------

ENVELOPE = ('<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><GetRecord><record><header>'
            '<identifier>oai:x:1</identifier></header><metadata><oai_dc:dc xmlns:oai_dc='
            '"http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/'
            '1.1/"><dc:title>{title}</dc:title></oai_dc:dc></metadata></record></GetRecord>'
            '</OAI-PMH>')


def test_billion_laughs_is_refused_quickly():
    lols = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    body = (f'<?xml version="1.0"?><!DOCTYPE OAI-PMH [<!ENTITY l0 "lol">{lols}]>'
            + ENVELOPE.format(title="&l9;")).encode()
    start = time.perf_counter()
    page = parse_oai(body, BASE)
    assert time.perf_counter() - start < 1.0
    assert page.error_codes == [oai.UNSAFE_XML]
    assert page.records == [] and "lol" not in repr(page)


def test_external_entities_are_not_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-MARKER")
    dtd = tmp_path / "evil.dtd"
    dtd.write_text(f'<!ENTITY ext SYSTEM "file://{secret}">')
    internal = (f'<!DOCTYPE OAI-PMH [<!ENTITY ext SYSTEM "file://{secret}">]>'
                + ENVELOPE.format(title="&ext;")).encode()
    page = parse_oai(internal, BASE)
    assert page.error_codes == [oai.UNSAFE_XML]
    assert "SECRET-MARKER" not in repr(page)
    external = (f'<!DOCTYPE OAI-PMH SYSTEM "file://{dtd}">'
                + ENVELOPE.format(title="T &ext; T")).encode()
    page = parse_oai(external, BASE)  # the external DTD is never loaded
    assert "SECRET-MARKER" not in repr(page)
    # (An http:// entity cannot even be tried here: this libxml2 has no HTTP client. The
    # parser sets no_network=True all the same.)


@pytest.mark.parametrize("body, code", [
    (b"", oai.BAD_XML),
    (b"\x00\xff\xfe binary", oai.BAD_XML),
    (b"<html><body>Service unavailable</body></html>", oai.NOT_OAI),
    (b'{"error": "not xml"}', oai.BAD_XML),
    (b"<a>" * 10_000 + b"</a>" * 10_000, oai.BAD_XML),  # nesting past libxml2's limit
])
def test_unusable_bodies(body, code):
    page = parse_oai(body, BASE)
    assert page.error_codes == [code]
    assert page.verb is None and page.records == []


def test_truncated_page_is_an_error_not_a_crash(fixtures_dir):
    body = (fixtures_dir / "oai_xml" / "dspace_colostate_oai_listrecords_page1_resumption.xml"
            ).read_bytes()
    page = parse_oai(body[: len(body) // 2], BASE)
    assert page.error_codes == [oai.BAD_XML]
    assert page.next_token is None


def test_oversized_body(monkeypatch):
    monkeypatch.setattr(oai, "MAX_BODY", 100)
    page = parse_oai(ENVELOPE.format(title="x" * 200).encode(), BASE)
    assert page.error_codes == [oai.TOO_LARGE]


# -- request URLs ------------------------------------------------------------------------------------


def _args(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


def test_list_records_url():
    url = oai_request_url(BASE, "ListRecords", metadataPrefix="oai_dc",
                          set="conference:LATTICE 2013", from_=date(2024, 1, 31),
                          until="2024-02-29")
    assert url.startswith(BASE + "?verb=ListRecords&")
    assert "set=conference%3ALATTICE%202013" in url
    assert _args(url) == {"verb": ["ListRecords"], "metadataPrefix": ["oai_dc"],
                          "set": ["conference:LATTICE 2013"], "from": ["2024-01-31"],
                          "until": ["2024-02-29"]}


def test_datetimes_become_utc():
    cet = timezone(timedelta(hours=1))
    url = oai_request_url(BASE, "ListIdentifiers", metadata_prefix="oai_dc",
                          **{"from": datetime(2024, 1, 1, 0, 30, tzinfo=cet)},
                          until=datetime(2024, 1, 2, 12, 0, tzinfo=UTC))
    assert _args(url)["from"] == ["2023-12-31T23:30:00Z"]
    assert _args(url)["until"] == ["2024-01-02T12:00:00Z"]


def test_resumption_token_is_exclusive_and_encoded():
    token = "oai%3Apubmedcentral.nih.gov%3A4078828!2014-12-24!2014-12-25!oai_dc!"
    url = oai_request_url(BASE, "ListRecords", resumptionToken=token)
    assert url == f"{BASE}?verb=ListRecords&resumptionToken=oai%253Apubmedcentral.nih.gov" \
                  "%253A4078828%212014-12-24%212014-12-25%21oai_dc%21"
    assert _args(url)["resumptionToken"] == [token]
    slashes = "oai_dc/2016-05-04T00:00:00Z/2016-05-06T00:00:00Z//100"
    assert _args(oai_request_url(BASE, "ListRecords", resumption_token=slashes)) == {
        "verb": ["ListRecords"], "resumptionToken": [slashes]}
    with pytest.raises(ValueError, match="exclusive"):
        oai_request_url(BASE, "ListRecords", resumptionToken="t", metadataPrefix="oai_dc")


def test_base_url_with_query_and_fragment():
    url = oai_request_url("http://doai.io/oai?key=abc#set", "Identify")
    assert url == "http://doai.io/oai?key=abc&verb=Identify"
    assert oai_request_url(BASE, "ListSets", set=None) == BASE + "?verb=ListSets"


@pytest.mark.parametrize("verb, params", [
    ("ListRecords", {}),
    ("GetRecord", {"metadataPrefix": "oai_dc"}),
    ("ListThings", {}),
])
def test_bad_requests(verb, params):
    with pytest.raises(ValueError):
        oai_request_url(BASE, verb, **params)
