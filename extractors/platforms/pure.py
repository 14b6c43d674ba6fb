"""Elsevier Pure research portals: research outputs and project pages, English and Danish.

Projects are what coprod needs most from Pure: the title, the participants with their roles
and contacts, the description (with its sub-headings as sections) and the organisation. A
role often appears only in the description ("Ditte Andersen (PI) and Sine Kirkegaard (post
doc)"), so roles named there in brackets are added to the people list (vocabulary below).
The skip links ("Spring til... Hovedindhold"), language switch and footer are never read.
"""

from __future__ import annotations

import re
from typing import Any

from extractors.embedded.values import clean
from extractors.platforms import engine
from extractors.platforms.sections import RUN_IN_LABEL
from extractors.record import Person

NAME = "pure"
PRIORITY = 30  # lower is tried first: hosts before generic software
HOSTS = ("pure.elsevier.com", "elsevierpure.com")
MARKERS = ("div.rendering_researchoutput", "div.rendering_upmproject", "div.rendering_project",
           "#page-footer a[href$='/admin/workspace.xhtml']", "meta[name=generator][content^='Pure']")
PROJECT_MARKERS = ("div.rendering_upmproject", "div.rendering_project")
PROJECT_URL = re.compile(r"/[a-z]{2}/(?:projects|projekter)/")

# Project roles as pages write them, English and Danish, lower case.
ROLE_WORDS = (
    "pi", "principal investigator", "co-pi", "co-investigator", "project leader", "project manager",
    "postdoc", "post doc", "post-doc", "postdoctoral researcher", "phd student", "phd fellow",
    "research assistant", "student assistant", "researcher", "senior researcher", "participant",
    "projektleder", "projektdeltager", "deltager", "ph.d.-studerende", "ph.d.-stipendiat",
    "forsker", "seniorforsker", "videnskabelig assistent", "studentermedhjælper",
)
_NAMED_ROLE = re.compile(r"((?:[A-ZÆØÅÄÖÜ][\w'’-]+\s){1,3}[A-ZÆØÅÄÖÜ][\w'’-]+)\s*\(([^()]{2,40})\)")

TABLE: dict[str, Any] = {
    "title": ["div.rendering h1 span", "div.rendering h1", "div.project-header h1", "h1.title"],
    "authors": {
        "item": ["./descendant::p[contains(@class, 'relations') and contains(@class, 'persons')]"
                 "[1]/*[self::a or self::span]"],
        "name": ["."],
    },
    "people": {
        "item": ["ul.relations.persons > li", "div.persons div.person-card",
                 "section.project-persons li"],
        "name": [".person-name", "a[rel=Person] span", "a[rel=Person]", "a.person"],
        "role": [".person-role", "span.minor.dimmed", ".role"],
        "email": [".email a[href^='mailto:']::attr(href)", "a[href^='mailto:']::attr(href)"],
        "phone": [".phone", "a[href^='tel:']"],
        "affiliation": [".person-organisation"],
    },
    "abstract_sections": {
        "root": ["div.rendering_abstractportal div.textblock",
                 "div.rendering_upmproject_abstractportal div.textblock",
                 "div.project-description div.textblock", "div.textblock"],
        "heading": ["h2", "h3", "h4", RUN_IN_LABEL],
    },
    "keywords": ["ul.relations.keywords li", "div.keyword-group li", "ul.keywords li"],
    "organisation": ["ul.relations.organisations li", "p.relations.organisations a"],
    "labelled": {
        "row": ["table.properties tr"],
        "label": ["th"],
        "value": ["td"],
        "fields": {
            "original language": "language", "originalsprog": "language",
            "journal": "container", "tidsskrift": "container",
            "volume": "volume", "bind": "volume", "issue number": "issue",
            "udgave nummer": "issue", "pages (from-to)": "pages", "sider (fra-til)": "pages",
            "publisher": "publisher", "forlag": "publisher", "doi": "doi",
            "publication status": "published", "status": "published",
        },
    },
}


def matches(url: str, tree: Any) -> bool:
    return engine.host_matches(url, HOSTS) or engine.has_marker(tree, MARKERS)


def extract(tree: Any, url: str) -> dict[str, Any]:
    out = engine.extract(tree, url, TABLE)
    if engine.has_marker(tree, PROJECT_MARKERS) or PROJECT_URL.search(url or ""):
        out["type"] = "project"
        out.pop("authors", None)  # a project's people are participants, not authors
        out["people"] = named_roles(out.get("abstract", ""), out.get("people", []))
    return {k: v for k, v in out.items() if v not in (None, "", [])}


def named_roles(text: str, people: list[Person]) -> list[Person]:
    """People with roles: the listed ones, given the role their name carries in `text`, then
    anyone else the text names with a role in brackets."""
    out = list(people)
    by_name = {p.name.casefold(): p for p in out}
    for match in _NAMED_ROLE.finditer(clean(text)):
        name, role = clean(match.group(1)), clean(match.group(2))
        if role.casefold() not in ROLE_WORDS:
            continue
        if person := by_name.get(name.casefold()):
            person.role = person.role or role
        else:
            by_name[name.casefold()] = Person(name=name, role=role)
            out.append(by_name[name.casefold()])
    return out
