"""Record.type: the one vocabulary of work types, and every source vocabulary mapped onto it.

API types (Crossref, OpenAlex, DataCite, Semantic Scholar, PubMed, CSL), schema.org, Dublin
Core and info:eu-repo (OAI), Highwire, RIS and BibTeX terms all meet here, so a work gets the
same type whichever layer or export read it. Terms are compared by `type_key`: the last part
of a URI, lower case, letters and digits only ("journal-article", "JournalArticle",
"Journal Article", "info:eu-repo/semantics/article" -> "journalarticle" / "article").
"""

from __future__ import annotations

import re
from typing import Any

RECORD_TYPES: tuple[str, ...] = (
    "article", "chapter", "book", "report", "thesis", "conference-paper", "preprint",
    "dataset", "project", "post", "news", "webpage", "other",
)

_TERMS: dict[str, tuple[str, ...]] = {
    "article": (
        "article", "journalarticle", "journalarticles", "articlejournal", "review",
        "reviewarticle", "researcharticle", "systematicreview", "metaanalysis", "casereport",
        "casereports", "clinicaltrial", "randomizedcontrolledtrial", "observationalstudy",
        "comparativestudy", "study", "editorial", "letter", "lettersandcomments", "comment",
        "text", "textserialjournal", "scholarlyarticle", "medicalscholarlyarticle",
        "articlenewspaper", "articlemagazine", "datapaper", "jour", "ejour", "journal",
    ),
    "chapter": ("chapter", "bookchapter", "booksection", "bookpart", "referenceentry", "entry",
                "entryencyclopedia", "chap", "inbook", "incollection"),
    "book": ("book", "monograph", "monographorbook", "editedbook", "referencebook", "bookset",
             "bookseries", "booktrack", "edbook"),
    "report": ("report", "reportseries", "reportcomponent", "workingpaper", "techreport",
               "technicalreport", "rprt"),
    "dataset": ("dataset", "database", "data"),
    "preprint": ("preprint", "postedcontent", "unpub"),
    "thesis": ("thesis", "dissertation", "phdthesis", "mastersthesis", "doctoralthesis",
               "masterthesis", "bachelorthesis"),
    "conference-paper": ("conferencepaper", "conferencepapers", "conferenceobject",
                         "proceedingsarticle", "proceedings", "conference",
                         "conferenceproceeding", "paperconference", "inproceedings", "conf",
                         "cpaper"),
    "project": ("project", "researchproject"),
    "post": ("blogposting", "socialmediaposting"),
    "news": ("newsarticle",),
    "webpage": ("webpage",),
}
# Normalised term -> Record.type.
ALIASES: dict[str, str] = {term: kind for kind, terms in _TERMS.items() for term in terms}


def type_key(term: Any) -> str:
    """The comparable form of a type term: last URI part, lower case, alphanumerics only."""
    text = str(term or "").strip().rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    return re.sub(r"[^0-9a-z]", "", text.lower())


def record_type(term: Any) -> str | None:
    """Record.type for a term of any vocabulary; None for terms it does not know."""
    key = type_key(term)
    return key if key in RECORD_TYPES and key != "other" else ALIASES.get(key)
