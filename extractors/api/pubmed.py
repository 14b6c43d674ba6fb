"""PubMed E-utilities efetch XML (<PubmedArticleSet><PubmedArticle>...), parsed safely."""

from __future__ import annotations

from typing import Any

from lxml import etree

from extractors.api._common import (
    MAX_ITEMS,
    MONTHS,
    build_record,
    doi_or_none,
    earliest,
    iso_date,
    keep,
    language,
    make_author,
    parse_xml,
    unique,
    work_type,
)
from extractors.jats import abstract_from_text, clean_text, join_sections
from extractors.record import Record, Section

NAME = "pubmed"
HOSTS = ("eutils.ncbi.nlm.nih.gov",)
ROOTS = ("PubmedArticleSet", "PubmedArticle")


def sniff(root: Any) -> bool:
    return isinstance(root, etree._Element) and root.tag in ROOTS


def parse_pubmed(url: str, root: etree._Element | bytes) -> list[Record]:
    """One record per PubmedArticle; [] for an empty set or another E-utilities answer."""
    if isinstance(root, bytes):
        root = parse_xml(root)
    if not sniff(root):
        return []
    articles = [root] if root.tag == "PubmedArticle" else root.findall("PubmedArticle")
    return keep(_article(url, a) for a in articles[:MAX_ITEMS])


def _article(url: str, node: etree._Element) -> Record:
    art = node.find("MedlineCitation/Article")
    if art is None:
        return build_record(url, NAME, {})
    ids = {i.get("IdType"): _text(i) for i in node.findall("PubmedData/ArticleIdList/ArticleId")}
    pmid = _text(node.find("MedlineCitation/PMID")) or ids.get("pubmed")
    doi = ids.get("doi") or next((_text(e) for e in art.findall("ELocationID")
                                  if e.get("EIdType") == "doi"), None)
    issns = [_text(e) for e in art.findall("Journal/ISSN")]
    abstract, sections = _abstract(art)
    title = _text(art.find("ArticleTitle")) or _text(art.find("VernacularTitle"))
    values = {
        "type": work_type([_text(t) for t in art.findall("PublicationTypeList/PublicationType")]),
        "title": title[:-1] if title and title.endswith(".") else title,
        "authors": [a for a in map(_author, art.findall("AuthorList/Author")) if a],
        "abstract": abstract,
        "abstract_sections": sections,
        "doi": doi_or_none(doi),
        "identifiers": {k: v for k, v in (("pmid", pmid), ("pmcid", ids.get("pmc")),
                                          ("issn", issns[0] if issns else None)) if v},
        "container": _text(art.find("Journal/Title")),
        "volume": _text(art.find("Journal/JournalIssue/Volume")),
        "issue": _text(art.find("Journal/JournalIssue/Issue")),
        "pages": _text(art.find("Pagination/MedlinePgn")),
        "published": earliest([_date(art.find("Journal/JournalIssue/PubDate")),
                               *(_date(d) for d in art.findall("ArticleDate"))]),
        "keywords": unique(_text(k) for k in node.findall("MedlineCitation/KeywordList/Keyword")),
        "language": language(_text(art.find("Language"))),
    }
    return build_record(url, NAME, values)


def _text(element: etree._Element | None) -> str | None:
    if element is None:
        return None
    return clean_text(" ".join(element.itertext())) or None


def _abstract(art: etree._Element) -> tuple[str, list[Section]]:
    parts = art.findall("Abstract/AbstractText")
    labelled = [(p.get("Label"), _text(p)) for p in parts if _text(p)]
    if len(labelled) > 1 and all(label for label, _ in labelled):
        sections = [Section(label=label.capitalize() if label.isupper() else label, text=t)
                    for label, t in labelled]
        return join_sections((s.label, s.text) for s in sections), sections
    return abstract_from_text("\n\n".join(t for _, t in labelled))


def _author(a: etree._Element) -> Any:
    orcid = next((_text(i) for i in a.findall("Identifier") if i.get("Source") == "ORCID"), None)
    affiliations = [_text(x) for x in a.findall("AffiliationInfo/Affiliation")]
    given, family = _text(a.find("ForeName")), _text(a.find("LastName"))
    return make_author(name=_text(a.find("CollectiveName")), given=given, family=family,
                       affiliations=affiliations, orcid=orcid)


def _date(node: etree._Element | None) -> str | None:
    if node is None:
        return None
    medline = _text(node.find("MedlineDate"))
    if medline:
        return iso_date(medline)
    year, month, day = (_text(node.find(x)) for x in ("Year", "Month", "Day"))
    if not year:
        return None
    if month and not month.isdigit():
        month = str(MONTHS.get(month[:3].lower(), ""))
    return iso_date("-".join(x.zfill(2) for x in (year, month, day) if x))

