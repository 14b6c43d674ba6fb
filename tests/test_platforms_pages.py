"""Platform adapters on hand-written pages that mimic each platform (tests/pages/*.html; each
page says at its top which real page kind it copies). The five seed-like pages carry the seed
texts, so the expected values below are read off the seeds and the pages, not off the code.

Every page goes through the public entry point (extractors.dispatch.extract) and through its
adapter directly: the adapter's own fields are asserted on the adapter's output, the merged
record on dispatch's. No chrome string may end up in any field of either.
"""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any

import pytest

from extractors.dispatch import extract as dispatch
from extractors.html import parse_html
from extractors.platforms import find_adapter
from extractors.record import Person, Section

PAGES = Path(__file__).parent / "pages"

# page file -> (URL it is served at, adapter that must claim it)
URLS: dict[str, tuple[str, str]] = {
    "rdiscovery_ijssp_coproduction_sports_clubs.html":
        ("https://discovery.researcher.life/article/co-production-in-practice/8b2f1c0a9e7d4c55",
         "rdiscovery"),
    "cn_aggregator_balancing_power.html": ("https://www.xueshu.example/paper/4f2a9c", "cn_aggregator"),
    "cambridge_coproduction_ltc_units.html": (
        "https://www.cambridge.org/core/journals/primary-health-care-research-and-development/article/"
        "coproduction-between-longterm-care-units-and-voluntary-organisations/0C2E1D4F", "cambridge"),
    "cn_aggregator_json_syringe_services.html": ("https://www.xueshu.example/paper/77b1d0", "cn_aggregator"),
    "pure_project_coproduction_care_recovery.html": (
        "https://www.vive.dk/da/projects/co-production-of-care-and-recovery", "pure"),
    "emerald_coproduction_article.html": (
        "https://www.emerald.com/insight/content/doi/10.1108/EXAMPLE-01-2023-0001/full/html", "emerald"),
    "sage_core_coproduction_article.html": ("https://journals.sagepub.com/doi/10.1177/EXAMPLE", "atypon"),
    "wiley_coproduction_article.html": ("https://onlinelibrary.wiley.com/doi/10.1111/hex.99999", "wiley"),
    "mdpi_coproduction_article.html": ("https://www.mdpi.com/1660-4601/21/1/1", "mdpi"),
    "frontiers_coproduction_article.html": (
        "https://www.frontiersin.org/articles/10.3389/fpsyt.2024.999999/full", "frontiers"),
    "ojs3_coproduction_article.html": ("https://journals.example.org/index.php/njwr/article/view/42", "ojs"),
    "dspace_full_item_coproduction.html": ("https://repo.example.org/handle/11250/2734567?show=full",
                                           "dspace"),
    "eprints_summary_coproduction.html": ("https://eprints.example.ac.uk/id/eprint/4821/", "eprints"),
    "pure_research_output_coproduction.html": (
        "https://research.example.dk/en/publications/co-production-of-welfare-services", "pure"),
    "cn_aggregator_numbered_institutions.html": ("https://www.xueshu.example/paper/91c3", "cn_aggregator"),
}

# Site furniture that must never be read as data (from the seeds and the mimicked platforms).
CHROME = (
    "Talk to us", "Schedule a call", "Disclaimer", "30 min session",
    "Hostname", "page-component", "Total loading time", "hasContentIssue", "Rights & Permissions",
    "Opens in a new window", "Author for correspondence", "Figure 0", "Creative Common License",
    "Spring til", "Hovedindhold", "Indholdsfortegnelse", "Sidefod", "Dansk da", "EAN: 5798",
    "CVR: 23 15",
    "vive@vive.dk", "44 45 55 00", "Drevet af Pure", "Professor mso",
    "引用", "收藏", "共 50 条", "期刊介绍", "中图分类号", "暂无", "登录", "关于我们",
    "Search for more papers", "Google Scholar", "CrossRef Full Text", "Download PDF",
    "Login", "Sign in", "Log in", "Powered by", "Fingerprint Engine",
)


def strings(value: Any) -> list[str]:
    """Every string inside a value (dataclasses, lists, dicts)."""
    if is_dataclass(value):
        value = asdict(value)
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in strings(v)]
    return []


def assert_no_chrome(value: Any) -> None:
    for text in strings(value):
        for chrome in CHROME:
            assert chrome not in text, f"chrome {chrome!r} in {text[:120]!r}"


def page(name: str) -> tuple[str, bytes]:
    return URLS[name][0], (PAGES / name).read_bytes()


def adapter_fields(name: str) -> dict[str, Any]:
    url, body = page(name)
    tree = parse_html(body.decode("utf-8"))
    adapter = find_adapter(url, tree)
    assert adapter is not None and adapter.NAME == URLS[name][1]
    fields = adapter.extract(tree, url)
    assert_no_chrome(fields)
    return fields


def record(name: str):
    url, body = page(name)
    extraction = dispatch(url, {"content-type": "text/html; charset=utf-8"}, body)
    assert extraction.record is not None, extraction.reason
    assert_no_chrome(extraction.record.to_dict())
    return extraction.record


def test_every_page_is_listed_and_says_what_it_mimics():
    on_disk = {p.name for p in PAGES.glob("*.html")}  # other suites keep pages here too
    assert set(URLS) <= on_disk
    for name in on_disk:
        head = (PAGES / name).read_text(encoding="utf-8")[:600]
        assert "mimics" in head.lower(), f"{name} does not say which real page kind it mimics"


@pytest.mark.parametrize("name", sorted(URLS))
def test_registry_picks_the_platform_and_nothing_leaks(name):
    adapter_fields(name)
    record(name)


# --- the five seed-like pages ---------------------------------------------------------------


def test_seed_000_aggregator_abstract_sections_and_citation_line():
    fields = adapter_fields("rdiscovery_ijssp_coproduction_sports_clubs.html")
    labels = [s.label for s in fields["abstract_sections"]]
    assert labels == ["Purpose", "Methods", "Results", "Conclusions", "Support/Funding Source"]
    sections = {s.label: s.text for s in fields["abstract_sections"]}
    assert sections["Purpose"].startswith("The purpose of the present study was to explore co-production")
    assert sections["Methods"].startswith("The study used a critical case study approach")
    assert sections["Support/Funding Source"] == "No funding to declare."  # citation line cut off
    assert (fields["doi"], fields["volume"], fields["issue"], fields["pages"], fields["published"]) \
        == ("10.1108/ijssp-01-2022-0027", "43", "1/2", "197-213", "2022")
    assert [r.title for r in fields["related"]][1] == \
        "Crossing the great divide: Coproduction, synergy, and development"
    rec = record("rdiscovery_ijssp_coproduction_sports_clubs.html")
    assert rec.doi == "10.1108/ijssp-01-2022-0027"
    assert [s.label for s in rec.abstract_sections][:2] == ["Purpose", "Methods"]
    assert "Published in" not in rec.abstract


def test_seed_001_chinese_aggregator_labels():
    fields = adapter_fields("cn_aggregator_balancing_power.html")
    assert fields["title"] == "Balancing power in co-production: introducing a reflection model"
    assert [a.name for a in fields["authors"]] == [
        "Caroline Ärleskog", "Nicoline Vackerberg", "Ann-Christine Andersson"]
    # six unnumbered institutions for three authors: the page does not say whose is whose
    assert all(a.affiliations == [] for a in fields["authors"])
    assert fields["citation_count"] == 0
    assert "doi" not in fields and "keywords" not in fields  # "暂无" (none) and an empty 关键词
    assert fields["abstract"].startswith("The role and position of users in health and welfare")
    assert fields["abstract"].endswith("co-producing health and welfare services.")
    related = fields["related"]
    assert len(related) == 10
    assert related[3].title == ("How to systematically analyze co-production to inform future "
                                "policies? Introducing 5Ws of co-production")
    assert related[3].text.startswith(related[3].title)
    assert "PUBLIC ADMINISTRATION REVIEW, 2023, 83 (03) : 503 - 521" in related[3].text
    assert "[4]" not in related[3].text
    rec = record("cn_aggregator_balancing_power.html")
    assert rec.citation_count == 0 and len(rec.related) == 10


def test_seed_002_cambridge_affiliations_sections_licence():
    fields = adapter_fields("cambridge_coproduction_ltc_units.html")
    [author] = fields["authors"]
    assert author.name == "Nina Beate Andfossen"
    assert author.affiliations == [
        "NTNU Norwegian University of Science and Technology, Faculty of Medicine and Health Sciences "
        "(MH), Department of Health Sciences in Gjøvik, Centre for Care Research, Gjøvik, Norway",
        "Inland Norway University of Applied Sciences, Centre for Innovation in Services, "
        "Lillehammer, Norway",
    ]
    assert [s.label for s in fields["abstract_sections"]] == ["Background", "Method", "Aim", "Findings"]
    assert fields["abstract_sections"][1] == Section(
        "Method", "This study has scrutinised ongoing volunteer activities in nursing homes and home "
                  "care facilities by utilising the results from a survey targeting employees in "
                  "public care services.")
    assert fields["keywords"] == ["co-production", "long-term care", "municipalities",
                                  "voluntary organisations"]
    assert fields["license"] == "http://creativecommons.org/licenses/by/4.0/"
    assert [r.doi for r in fields["references"]] == ["10.1111/puar.12465", "10.1016/0305-750x(96)00023-x"]
    assert fields["references"][0].text.startswith("Brandsen, T and Honingh, M (2016)")
    rec = record("cambridge_coproduction_ltc_units.html")
    assert rec.authors[0].affiliations == author.affiliations  # meta author, platform affiliations
    assert rec.abstract.startswith("Background: In Norway")


def test_seed_003_aggregator_json_record():
    fields = adapter_fields("cn_aggregator_json_syringe_services.html")
    assert fields["title"] == ("Co-production in syringe service programs: Implementation in a "
                               "changing organisational field")
    assert fields["doi"] == "10.1177/02610183231199667"
    assert [a.name for a in fields["authors"]] == ["Theresa Anasti"]
    assert fields["container"] == "Critical Social Policy"
    assert fields["published"] == "2023-09-11"
    assert fields["citation_count"] == 0
    assert fields["abstract"].startswith("Co-production in the human services is a way of working")
    assert "forum for advocacy" not in fields["abstract"]  # the journal blurb stays out


def test_seed_004_pure_project_people_roles_organisation():
    fields = adapter_fields("pure_project_coproduction_care_recovery.html")
    assert fields["type"] == "project"
    assert fields["title"] == "Co-production of care and recovery"
    assert fields["people"] == [
        Person(name="Ditte Andersen", role="PI", email="den@vive.dk", phone="+45 27 57 00 71"),
        Person(name="Sine Kirkegaard", role="post doc"),
    ]
    assert fields["organisation"] == "VIVE – The Danish Centre for Social Science Research"
    assert [s.label for s in fields["abstract_sections"]] == [
        "Track 1: Co-production of care during the COVID-19 pandemic",
        "Track 2: Co-production of recovery in mental health care",
    ]
    assert fields["abstract"].startswith("In this research project, Ditte Andersen (PI)")
    assert "authors" not in fields
    rec = record("pure_project_coproduction_care_recovery.html")
    assert rec.type == "project"
    assert [(p.name, p.role) for p in rec.people] == [("Ditte Andersen", "PI"),
                                                       ("Sine Kirkegaard", "post doc")]
    assert rec.provenance.fields["people"] == "platform:pure"


# --- the other platforms ----------------------------------------------------------------------


def test_emerald_structured_abstract_and_bracketed_affiliations():
    fields = adapter_fields("emerald_coproduction_article.html")
    assert [(a.name, a.affiliations) for a in fields["authors"]] == [
        ("Hanne Vestergaard", ["Department of Sports Science and Clinical Biomechanics, University of "
                               "Southern Denmark, Odense, Denmark"]),
        ("Peter Lund Mortensen", ["Department of Sociology, University of Copenhagen, Copenhagen, Denmark",
                                  "Danish Institute for Sports Studies, Copenhagen, Denmark"]),
    ]
    assert [s.label for s in fields["abstract_sections"]] == [
        "Purpose", "Design/methodology/approach", "Findings", "Originality/value"]
    assert fields["keywords"] == ["Co-production", "Voluntary associations", "Public health",
                                  "Institutional logics"]


def test_sage_core_rdfa_authors_orcid_references():
    fields = adapter_fields("sage_core_coproduction_article.html")
    ruth, tomas = fields["authors"]
    assert (ruth.name, ruth.orcid, ruth.affiliations) == (
        "Ruth Adeyemi", "0000-0002-1825-0097", ["School of Social Work, Midwest State University, USA"])
    assert (tomas.name, tomas.affiliations) == ("Tomás Iglesias", [
        "Department of Sociology, Lakeside University, USA", "Harm Reduction Research Network, USA"])
    assert [s.label for s in fields["abstract_sections"]] == ["Background", "Methods", "Results"]
    assert fields["keywords"] == ["Co-production", "harm reduction", "peer work"]
    assert [r.doi for r in fields["references"]] == ["10.1111/j.1540-6210.2007.00773.x", None]
    assert fields["references"][1].text.startswith("Needham C (2008)")


def test_wiley_popups_skip_correspondence_and_search_links():
    fields = adapter_fields("wiley_coproduction_article.html")
    assert [(a.name, a.affiliations) for a in fields["authors"]] == [
        ("Grace Okafor", ["School of Health Sciences, University of Eastbridge, Eastbridge, UK"]),
        ("Erik Lund", ["Department of Nursing, Northfield University, Northfield, UK",
                       "NIHR Applied Research Collaboration North, Northfield, UK"]),
    ]
    assert [s.label for s in fields["abstract_sections"]] == ["Background", "Methods", "Conclusions"]
    assert fields["keywords"] == ["carers", "co-production", "hospital discharge"]
    assert fields["references"][1].doi == "10.1136/bmjqs-2015-004315"


def test_mdpi_numbered_affiliations_and_run_in_labels():
    fields = adapter_fields("mdpi_coproduction_article.html")
    assert [(a.name, a.affiliations) for a in fields["authors"]] == [
        ("Maria Santos", ["Faculty of Health Sciences, University of Lisbon North, 1600-000 Lisbon, Portugal",
                          "Institute for Community Research, 10115 Berlin, Germany"]),
        ("Jonas Weber", ["Institute for Community Research, 10115 Berlin, Germany"]),
        ("Aiko Nakamura",
         ["Graduate School of Social Welfare, Tokyo West University, Tokyo 150-0001, Japan"]),
    ]
    assert [s.label for s in fields["abstract_sections"]] == ["Background", "Methods", "Results",
                                                              "Conclusions"]
    assert fields["abstract_sections"][1].text == "We searched five databases and included 64 studies."
    assert fields["keywords"] == ["co-production", "mental health", "scoping review"]
    assert [r.doi for r in fields["references"]] == [None, "10.3390/ijerph182211897"]


def test_frontiers_numbered_affiliations():
    fields = adapter_fields("frontiers_coproduction_article.html")
    assert [(a.name, len(a.affiliations)) for a in fields["authors"]] == [
        ("Sofia Lindgren", 1), ("Daniel Price", 1), ("Claire Moreau", 2)]
    assert fields["authors"][1].affiliations == [
        "Centre for Dementia Research, University of Westmoor, Westmoor, United Kingdom"]
    assert fields["keywords"] == ["co-design", "dementia", "family carers"]
    assert fields["abstract"].startswith("Families of people with dementia")
    assert "Lindgren" not in fields["abstract"]  # the author block is not abstract
    assert fields["references"][0].doi == "10.1111/puar.13571"


def test_ojs3_authors_orcid_keywords_references():
    fields = adapter_fields("ojs3_coproduction_article.html")
    assert [(a.name, a.affiliations, a.orcid) for a in fields["authors"]] == [
        ("Karin Holm", ["Department of Social Work, Umeå University North"], "0000-0001-5109-3700"),
        ("Jussi Mäkelä", ["Faculty of Social Sciences, University of Tampere East"], None),
    ]
    assert fields["keywords"] == ["co-production", "elder care", "Nordic welfare states"]
    assert [s.label for s in fields["abstract_sections"]] == ["Aim", "Methods", "Conclusions"]
    assert [r.doi for r in fields["references"]] == ["10.58235/sjpa.v23i2.15585", None]


def test_dspace_full_record_rows_repeat():
    fields = adapter_fields("dspace_full_item_coproduction.html")
    assert [a.name for a in fields["authors"]] == ["Marte Eriksen", "Tor Haugland"]
    assert fields["keywords"] == ["co-production", "social services", "service users"]
    assert fields["published"] == "2020-11"
    assert fields["type"] == "report"
    assert fields["publisher"] == "Western Norway Research Institute"
    assert fields["abstract"].startswith("This report evaluates a municipal programme")


def test_eprints_label_table():
    fields = adapter_fields("eprints_summary_coproduction.html")
    assert fields["keywords"] == ["co-production", "voluntary sector", "local government"]
    assert fields["organisation"] == "School of Social Policy"
    assert fields["type"] == "article"
    assert fields["abstract"].startswith("Local authorities increasingly co-produce welfare services")


def test_pure_research_output_properties():
    fields = adapter_fields("pure_research_output_coproduction.html")
    assert "type" not in fields  # an article, not a project
    assert [a.name for a in fields["authors"]] == ["Mette Lund", "Ole Brandt", "Sara Nielsen"]
    assert (fields["container"], fields["volume"], fields["issue"], fields["pages"]) == (
        "Scandinavian Political Studies", "44", "2", "155-176")
    assert fields["language"] == "English"
    assert fields["published"] == "2021"
    assert fields["organisation"] == "Department of Political Science"
    assert fields["keywords"] == ["co-production", "municipalities", "welfare services"]


def test_chinese_aggregator_numbered_institutions_and_references():
    fields = adapter_fields("cn_aggregator_numbered_institutions.html")
    assert [(a.name, a.affiliations) for a in fields["authors"]] == [
        ("王芳", ["北京师范大学社会发展与公共政策学院", "中国社会科学院社会学研究所"]),
        ("李明", ["中国社会科学院社会学研究所"]),
    ]
    assert fields["citation_count"] == 12
    assert fields["keywords"] == ["合作生产", "社区养老", "公共服务"]
    assert fields["doi"] == "10.5555/cn.2022.0101"
    assert [r.title for r in fields["references"]] == [
        "Co-production and the co-creation of value in public services: a suitable case for treatment?",
        "公共服务合作生产研究述评"]
