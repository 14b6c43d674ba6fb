"""API search pages for crawl tests, built from the real responses in ../shared/fixtures and
re-pointed at co-production works: each page keeps the real envelope and item shape (a real
item is copied and only its bibliographic fields are replaced), so the code under test reads
what the APIs really send. The works are fictional (DOIs under Crossref's test prefix 10.5555).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Work:
    doi: str
    title: str
    abstract: str
    authors: tuple[tuple[str, str], ...]  # (given, family)
    container: str
    year: int
    keywords: tuple[str, ...] = field(default=())

    @property
    def names(self) -> list[str]:
        return [f"{g} {f}" for g, f in self.authors]


MENTAL_HEALTH = Work(
    "10.5555/coprod.2021.0101",
    "Co-production of community mental health services with service users: a realist evaluation",
    "Co-production between professionals and service users is promoted across public services. "
    "This realist evaluation of three community mental health services shows how user "
    "involvement in planning and delivery changed care, and what organisational conditions "
    "co-production needed.",
    (("Hanne", "Sørensen"), ("Peter", "Lund")), "Journal of Social Policy and Services", 2021,
    ("co-production", "mental health", "user involvement"))
ELDER_CARE = Work(
    "10.5555/coprod.2020.0202",
    "Volunteers and voluntary organisations in municipal elder care: co-creation in practice",
    "Municipal elder care increasingly relies on volunteers and voluntary organisations. Based "
    "on case studies in four Danish municipalities, we analyse co-creation between care staff, "
    "volunteers and older people, and the welfare professional's changing role.",
    (("Mette", "Kristensen"),), "Nordic Welfare Research", 2020, ("co-creation", "volunteers"))
DANISH = Work(
    "10.5555/coprod.2019.0303",
    "Samskabelse i den kommunale ældrepleje: frivillige og medarbejdere",
    "Artiklen undersøger samskabelse mellem frivillige, pårørende og medarbejdere i den "
    "kommunale ældrepleje og velfærd, og hvordan frivillige organisationer indgår i plejen.",
    (("Ditte", "Andersen"),), "Tidsskrift for Velfærdsforskning", 2019, ("samskabelse",))
HYDROGEN = Work(
    "10.5555/steel.2016.0404",
    "Effect of hydrogen on tensile properties of PH 13-8 Mo steel",
    "The tensile properties and fracture behaviour of PH 13-8 Mo steel after pre-charged "
    "hydrogen were investigated by slow strain rate tensile tests.",
    (("Xinfeng", "Li"),), "Materials & Design", 2016)
DIGITAL = Work(
    "10.5555/coprod.2022.0505",
    "Co-design of digital health services with older adults and carers",
    "We report a co-design process in which older adults, carers and health care staff "
    "co-produced a digital service for home care, and what co-production asked of each.",
    (("Aoife", "Byrne"),), "Health and Social Care in the Community", 2022, ("co-design",))
WORKS = (MENTAL_HEALTH, ELDER_CARE, DANISH, HYDROGEN, DIGITAL)
RELEVANT = (MENTAL_HEALTH, ELDER_CARE, DANISH, DIGITAL)


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def crossref_page(fixtures: Path, works: list[Work], next_cursor: str, rows: int) -> str:
    """A Crossref /works search page (crossref_works_cursor_page1.json) holding `works`."""
    page = _json(fixtures / "aggregator_json" / "crossref_works_cursor_page1.json")
    template = page["message"]["items"][0]
    items = []
    for w in works:
        item = copy.deepcopy(template)
        item.update({
            "DOI": w.doi, "URL": f"https://doi.org/{w.doi}", "title": [w.title],
            "type": "journal-article", "container-title": [w.container],
            "issued": {"date-parts": [[w.year]]}, "abstract": f"<jats:p>{w.abstract}</jats:p>",
            "author": [{"given": g, "family": f, "sequence": "additional", "affiliation": []}
                       for g, f in w.authors],
        })
        item["publisher"] = "Example Academic Press"
        for name in ("ISBN", "isbn-type", "page", "publisher-location", "link"):
            item.pop(name, None)
        items.append(item)
    message = page["message"]
    message.update({"items": items, "next-cursor": next_cursor, "items-per-page": rows,
                    "total-results": 5, "query": {"start-index": 0, "search-terms": "co-production"}})
    return json.dumps(page)


def openalex_page(fixtures: Path, works: list[Work], next_cursor: str | None) -> str:
    """An OpenAlex /works list (openalex_works_sample5_list.json) holding `works`."""
    page = _json(fixtures / "aggregator_json" / "openalex_works_sample5_list.json")
    template = page["results"][0]
    results = []
    for n, w in enumerate(works):
        item = copy.deepcopy(template)
        words = w.abstract.split()
        item.update({
            "id": f"https://openalex.org/W99000{n}{w.year}", "doi": f"https://doi.org/{w.doi}",
            "title": w.title, "display_name": w.title, "publication_year": w.year,
            "publication_date": f"{w.year}-01-01", "type": "article",
            "keywords": [], "concepts": [], "topics": [], "primary_topic": None, "mesh": [],
            "abstract_inverted_index": _inverted(words),
            "ids": {"openalex": f"https://openalex.org/W99000{n}{w.year}",
                    "doi": f"https://doi.org/{w.doi}"},
            "authorships": [{**copy.deepcopy(template["authorships"][0]), "author": {
                "id": None, "display_name": name, "orcid": None}, "raw_author_name": name,
                "institutions": []} for name in w.names],
        })
        item["primary_location"] = {**(item.get("primary_location") or {}),
                                    "landing_page_url": f"https://doi.org/{w.doi}"}
        item["primary_location"]["source"] = {**(item["primary_location"].get("source") or {}),
                                              "display_name": w.container}
        results.append(item)
    page["results"] = results
    page["meta"] = {**page["meta"], "count": 5, "per_page": 100, "next_cursor": next_cursor}
    return json.dumps(page)


def _inverted(words: list[str]) -> dict[str, list[int]]:
    index: dict[str, list[int]] = {}
    for position, word in enumerate(words):
        index.setdefault(word, []).append(position)
    return index


def s2_bulk_page(fixtures: Path, works: list[Work], token: str | None) -> str:
    """A Semantic Scholar /paper/search/bulk page: {total, token, data}, papers shaped as in
    semanticscholar_graph_paper_search_match.json."""
    real = _json(fixtures / "aggregator_json" / "semanticscholar_graph_paper_search_match.json")
    template = real["data"][0]
    data = []
    for n, w in enumerate(works):
        paper = copy.deepcopy(template)
        paper.update({"paperId": f"{n:040x}", "title": w.title, "abstract": w.abstract,
                      "year": w.year, "publicationDate": f"{w.year}-03-01", "venue": w.container,
                      "externalIds": {"DOI": w.doi},
                      "authors": [{"authorId": None, "name": name} for name in w.names]})
        data.append(paper)
    page: dict[str, Any] = {"total": 3, "data": data}
    if token:
        page["token"] = token
    return json.dumps(page)


def europepmc_page(fixtures: Path, works: list[Work], asked: str, next_mark: str) -> str:
    """A Europe PMC core search page (europepmc_rest_search_core_cancer.json)."""
    page = _json(fixtures / "aggregator_json" / "europepmc_rest_search_core_cancer.json")
    template = page["resultList"]["result"][0]
    results = []
    for n, w in enumerate(works):
        item = copy.deepcopy(template)
        item.update({"id": f"3{n}000000", "pmid": f"3{n}000000", "doi": w.doi, "title": w.title,
                     "abstractText": w.abstract, "pubYear": str(w.year),
                     "authorString": ", ".join(f"{f} {g[0]}" for g, f in w.authors) + "."})
        item.pop("authorList", None)
        item["journalInfo"] = {**item["journalInfo"], "yearOfPublication": w.year,
                               "printPublicationDate": f"{w.year}-01-01",
                               "dateOfPublication": str(w.year),
                               "journal": {**item["journalInfo"]["journal"], "title": w.container}}
        results.append(item)
    page["resultList"]["result"] = results
    page["request"] = {**page["request"], "queryString": "co-production", "cursorMark": asked}
    page["nextCursorMark"] = next_mark
    page.pop("nextPageUrl", None)
    page["hitCount"] = len(works)
    return json.dumps(page)


def doaj_page(fixtures: Path, works: list[Work], next_url: str | None) -> str:
    """A DOAJ article search page whose results are shaped like the real DOAJ bibjson records
    in doaj_articles_elsevier_matdes.jsonl."""
    line = (fixtures / "aggregator_json" / "doaj_articles_elsevier_matdes.jsonl").read_text(
        encoding="utf-8").splitlines()[0]
    template = json.loads(line)
    results = []
    for n, w in enumerate(works):
        article = copy.deepcopy(template)
        bib = article["bibjson"]
        bib.update({"title": w.title, "abstract": w.abstract, "year": str(w.year),
                    "keywords": list(w.keywords),
                    "author": [{"name": name, "affiliation": ""} for name in w.names],
                    "identifier": [{"id": w.doi, "type": "doi"}]})
        bib["journal"] = {**bib["journal"], "title": w.container}
        article["id"] = f"{n:032x}"
        results.append(article)
    page: dict[str, Any] = {"total": len(works), "page": 1, "pageSize": 100,
                            "query": "co-production", "results": results}
    if next_url:
        page["next"] = next_url
    return json.dumps(page)


def landing_page(work: Work) -> str:
    """A publisher landing page of the kind Highwire-tagged journal sites serve (citation_*
    meta tags, an abstract section, site chrome), hand-written for the work."""
    authors = "\n".join(f'<meta name="citation_author" content="{n}">' for n in work.names)
    return f"""<!DOCTYPE html><html lang="en"><head><title>{work.title} | {work.container}</title>
<meta name="citation_title" content="{work.title}">
{authors}
<meta name="citation_journal_title" content="{work.container}">
<meta name="citation_publication_date" content="{work.year}/05/01">
<meta name="citation_doi" content="{work.doi}">
<meta name="citation_keywords" content="{'; '.join(work.keywords)}">
</head><body><nav>Journals | Talk to us | Sign in</nav>
<h1>{work.title}</h1><section class="abstract"><h2>Abstract</h2><p>{work.abstract}</p></section>
<footer>Hostname: page-component-7d9c8f</footer></body></html>"""
