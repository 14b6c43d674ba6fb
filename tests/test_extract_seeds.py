"""Records like the seeds: the pages behind ../shared/seeds, without their chrome.

The seeds are text; tests/pages/ holds hand-written pages that mimic the pages they came from
(R Discovery, a Chinese aggregator, Cambridge Core, a Pure project page). Each runs through
extract() twice: with the platform adapters (what the crawler does), and without them, so the
generic layers alone (metadata, abstract box, trafilatura fallback, chrome filter) must cope
with a page family nobody wrote an adapter for. Expected values are read from the seeds.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractors import dispatch
from extractors.dispatch import extract

PAGES = Path(__file__).parent / "pages"
HTML = {"Content-Type": "text/html; charset=utf-8"}
SEED_CHROME = ("Talk to us", "Schedule a call", "Join us for a 30 min session",
               "Disclaimer: All third-party content", "Hostname: page-component",
               "Total loading time", "Render date", "Has data issue", "Rights & Permissions",
               "Spring til", "Hovedindhold", "Indholdsfortegnelse", "Sidefod", "Dansk da",
               "CVR: 23 15 51 17", "EAN: 5798000354845", "引用", "收藏", "相关论文", "共 50 条")


@pytest.fixture(params=["adapters", "generic layers only"])
def mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param != "adapters":
        monkeypatch.setattr(dispatch, "find_adapter", lambda *args: None)
    return request.param


def run(name: str, url: str):
    record = extract(url, HTML, (PAGES / name).read_bytes()).record
    assert record is not None
    text = " ".join(filter(None, [record.title, record.abstract, record.container,
                                  *(s.text for s in record.abstract_sections)]))
    leaked = [c for c in SEED_CHROME if c in text]
    assert not leaked, leaked
    return record


def test_seed_000_aggregator_abstract_page(mode: str) -> None:
    record = run("rdiscovery_ijssp_coproduction_sports_clubs.html",
                 "https://discovery.researcher.life/article/co-production-in-practice/1")
    labels = [s.label for s in record.abstract_sections]
    assert labels[:4] == ["Purpose", "Methods", "Results", "Conclusions"]
    assert record.abstract_sections[0].text.startswith(
        "The purpose of the present study was to explore co-production in practice")
    assert record.abstract_sections[3].text.startswith(
        "This study makes an original contribution to the conceptual understanding")
    if mode == "adapters":  # the journal, not the aggregator's og:site_name "R Discovery"
        assert record.container == "International Journal of Sociology and Social Policy"


def test_seed_001_chinese_aggregator(mode: str) -> None:
    record = run("cn_aggregator_balancing_power.html", "https://www.example.cn/paper/123456")
    assert record.title == "Balancing power in co-production: introducing a reflection model"
    assert record.abstract.startswith(
        "The role and position of users in health and welfare has recently changed")
    assert record.abstract.endswith("balance power in co-producing health and welfare services.")
    assert "A material and energy flow model" not in record.abstract  # the related list


def test_seed_002_cambridge_core(mode: str) -> None:
    record = run("cambridge_coproduction_ltc_units.html",
                 "https://www.cambridge.org/core/journals/primary-health-care-research-and-"
                 "development/article/coproduction-between-longterm-care-units/1")
    assert record.title == ("Co-production between long-term care units and voluntary "
                            "organisations in Norwegian municipalities: a theoretical discussion "
                            "and empirical analysis")
    assert [s.label for s in record.abstract_sections] == ["Background", "Method", "Aim",
                                                           "Findings"]
    assert record.abstract_sections[0].text.startswith("In Norway, due to demographic challenges")
    assert record.abstract_sections[3].text.endswith("drawing on the findings of the survey.")
    assert "Author for correspondence" not in record.abstract


def test_seed_004_project_page(mode: str) -> None:
    record = run("pure_project_coproduction_care_recovery.html",
                 "https://www.vive.dk/da/projects/co-production-of-care-and-recovery")
    assert record.title == "Co-production of care and recovery"
    assert record.abstract.startswith("In this research project, Ditte Andersen (PI) and Sine "
                                      "Kirkegaard (post doc) outline a micro-sociology")
    assert "co-production of recovery in the wake of personal hardship" in record.abstract
    assert "+45 44 45 55 00" not in record.abstract and "vive@vive.dk" not in record.abstract
    if mode == "adapters":
        assert record.type == "project"
        assert [p.name for p in record.people][:1] == ["Ditte Andersen"]
        # the site's name "VIVE" names the organisation, not a container
        assert record.container is None
        assert record.organisation == "VIVE – The Danish Centre for Social Science Research"


def test_seed_003_aggregator_json_goes_to_the_api_adapters(seeds_dir: Path) -> None:
    first_line = (seeds_dir / "003_06c0ccc90c30d628.txt").read_text(encoding="utf-8")
    first_line = first_line.splitlines()[0]
    assert json.loads(first_line)["doi"] == "10.1177/02610183231199667"
    extraction = extract("https://www.example.cn/api/paper/1",
                         {"Content-Type": "application/json"}, first_line.encode())
    record = extraction.record
    assert record is not None, extraction.reason
    assert record.doi == "10.1177/02610183231199667"
    assert record.title == ("Co-production in syringe service programs: Implementation in a "
                            "changing organisational field")
    assert record.provenance.extractor_version
    assert all(v.startswith("api:") for v in record.provenance.fields.values())
