"""One work from several records (API, embedded metadata, exports, page text), and the test
of whether two records are one work.

Every choice rests on record content only (layer rank, then completeness, then a stable
key), never on input order, so merging the same records in any order gives the same result.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import asdict, fields, is_dataclass, replace
from typing import Any

from rapidfuzz import fuzz

from extractors.record import LAYERS, Author, Provenance, Record

# Fields taken whole from the best record; lists are unions; authors and identifiers special.
SCALAR_FIELDS = ("type", "title", "abstract", "abstract_sections", "doi", "container",
                 "publisher", "organisation", "volume", "issue", "pages", "published",
                 "language", "license", "open_access", "citation_count", "relevance")
# Identifiers that decide sameness, strongest first (DESIGN.md "Merging").
ID_ORDER = ("doi", "pmid", "pmcid", "arxiv", "handle", "oai")
# Fuzzy matching where no identifier decides: rapidfuzz scores (0-100) and year slack
# (online-first and print years differ by one); corroboration = year and/or first author.
MATCH = {"title_ratio": 92.0, "author_ratio": 85.0, "year_tolerance": 1, "min_corroboration": 1}
AUTHOR_NAME_RATIO = 90.0  # token_sort_ratio for two spellings of one author's name
_INITIALS = re.compile(r"^[A-Z]{1,4}$")
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$")
_ARXIV_VERSION = re.compile(r"v\d+$")


def merge_records(records: list[Record]) -> Record:
    """One Record from records of one work: the richest layer wins field by field."""
    if not records:
        raise ValueError("merge_records needs at least one record")
    ordered = sorted(records, key=_record_key)
    primary = ordered[0]
    merged = Record(type=primary.type, source_url=primary.source_url)
    sources: dict[str, str] = {}
    for name in SCALAR_FIELDS:
        winner = _best(ordered, name)
        if winner is not None:
            setattr(merged, name, getattr(winner, name))
            _credit(sources, name, winner)
    for name, key in LIST_KEYS.items():
        contributors = [r for r in _by_rank(ordered, name) if getattr(r, name)]
        setattr(merged, name, _union((getattr(r, name) for r in contributors), key))
        if contributors:
            _credit(sources, name, contributors[0])
    merged.authors, author_source = _merge_authors(ordered)
    if author_source is not None:
        _credit(sources, "authors", author_source)
    merged.identifiers, id_source = _merge_identifiers(ordered)
    if id_source is not None:
        _credit(sources, "identifiers", id_source)
    merged.provenance = _merge_provenance(primary, ordered, sources)
    return merged


def same_work(a: Record, b: Record) -> bool:
    """True when two records describe one work: identifiers decide, else a fuzzy match."""
    ids_a, ids_b = work_ids(a), work_ids(b)
    for key in ID_ORDER:
        if key in ids_a and key in ids_b:
            return ids_a[key] == ids_b[key]
    return _fuzzy_match(a, b)


def work_ids(record: Record) -> dict[str, str]:
    """The identifiers that decide sameness, normalised for comparison."""
    ids = {k: str(v).strip().lower() for k, v in record.identifiers.items() if v}
    out: dict[str, str] = {}
    if record.doi:
        out["doi"] = record.doi.lower()
        arxiv_doi = _ARXIV_DOI.match(out["doi"])
        if arxiv_doi:
            ids.setdefault("arxiv", arxiv_doi.group(1))
    if ids.get("pmid", "").isdigit():
        out["pmid"] = ids["pmid"].lstrip("0")
    if ids.get("pmcid"):
        out["pmcid"] = "pmc" + ids["pmcid"].removeprefix("pmc")
    if ids.get("arxiv"):
        out["arxiv"] = _ARXIV_VERSION.sub("", ids["arxiv"].removeprefix("arxiv:"))
    if ids.get("handle"):
        out["handle"] = re.sub(r"^(?:hdl:|https?://hdl\.handle\.net/)", "", ids["handle"])
    if ids.get("oai"):
        out["oai"] = ids["oai"]
    return out


def normalise_title(title: str | None) -> str:
    """Lower-case letters and digits only, accents dropped: the form titles are compared in."""
    text = unicodedata.normalize("NFKD", title or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def family_name(author: Author) -> str:
    """The family name, normalised; guessed from the name where the source gave none."""
    if author.family:
        return normalise_title(author.family)
    words = author.name.replace(",", " , ").split()
    if "," in words:  # "Family, Given"
        return normalise_title(" ".join(words[: words.index(",")]))
    if len(words) > 1 and _INITIALS.match(words[-1]):  # "Schoenfeld JD" (PubMed style)
        return normalise_title(" ".join(words[:-1]))
    return normalise_title(words[-1]) if words else ""


# -- choosing ---------------------------------------------------------------------------------

def _rank(record: Record, name: str) -> int:
    layer = record.provenance.fields.get(name, "").split(":", 1)[0]
    return LAYERS.index(layer) if layer in LAYERS else len(LAYERS)


def _source(record: Record, name: str) -> str:
    return record.provenance.fields.get(name, "")


def _canon(value: Any) -> str:
    """A stable text form of any field value, for the last tie-break."""
    if is_dataclass(value) and not isinstance(value, type):
        value = asdict(value)
    elif isinstance(value, list):
        value = [asdict(v) if is_dataclass(v) and not isinstance(v, type) else v for v in value]
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def _weight(name: str, value: Any) -> float:
    """How complete a value is: longer text, a more precise date, more items, True over False."""
    if name == "type":
        return 0 if value == "other" else 1
    if isinstance(value, bool):
        return 1 if value else 0
    if isinstance(value, (int, float)):
        return float(value)
    return float(len(value)) if hasattr(value, "__len__") else 0.0


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _record_key(record: Record) -> tuple[Any, ...]:
    best = min((_rank(record, n) for n in record.provenance.fields), default=len(LAYERS))
    return (_rank(record, "title"), best, _source(record, "title"), record.source_url,
            _canon(record.to_dict()))


def _best(records: list[Record], name: str) -> Record | None:
    candidates = [r for r in records if not _empty(getattr(r, name))]
    if name == "type":  # every Record has a type; only a sourced one competes
        candidates = [r for r in candidates if name in r.provenance.fields] or candidates[:1]
    return min(candidates, default=None, key=lambda r: (
        _rank(r, name), -_weight(name, getattr(r, name)), _source(r, name),
        _canon(getattr(r, name))))


def _by_rank(records: list[Record], name: str) -> list[Record]:
    return sorted(records, key=lambda r: (_rank(r, name), _source(r, name),
                                          _canon(getattr(r, name))))


def _credit(sources: dict[str, str], name: str, record: Record) -> None:
    if name in record.provenance.fields:
        sources[name] = record.provenance.fields[name]


# -- lists ------------------------------------------------------------------------------------

def _text_key(value: Any) -> str:
    return " ".join(str(value).casefold().split())


def _reference_key(ref: Any) -> str:
    if ref.doi:
        return "doi:" + ref.doi.lower()
    if ref.url:
        return "url:" + ref.url.strip().lower()
    return "text:" + normalise_title(ref.text or ref.title)


LIST_KEYS: dict[str, Callable[[Any], str]] = {
    "keywords": _text_key,
    "funding": _text_key,
    "references": _reference_key,
    "related": _reference_key,
    "people": lambda p: normalise_title(p.name),
}


def _union(lists: Iterable[list[Any]], key: Callable[[Any], str]) -> list[Any]:
    """Items of all lists, first occurrence kept; a kept item's gaps are filled from repeats."""
    out: dict[str, Any] = {}
    for items in lists:
        for item in items:
            k = key(item)
            if not k.split(":", 1)[-1]:
                continue
            if k not in out:
                out[k] = replace(item) if is_dataclass(item) else item
            elif is_dataclass(item):
                kept = out[k]
                for f in fields(item):
                    if _empty(getattr(kept, f.name)) and not _empty(getattr(item, f.name)):
                        setattr(kept, f.name, getattr(item, f.name))
    return list(out.values())


# -- authors and identifiers ----------------------------------------------------------------

def _author_richness(authors: list[Author]) -> int:
    return sum(bool(a.orcid) + bool(a.affiliations) + bool(a.family) for a in authors)


def _merge_authors(records: list[Record]) -> tuple[list[Author], Record | None]:
    """The best-ranked author list, with ORCIDs/affiliations/name parts filled from the rest."""
    candidates = [r for r in records if r.authors]
    if not candidates:
        return [], None
    candidates.sort(key=lambda r: (_rank(r, "authors"), -len(r.authors),
                                   -_author_richness(r.authors), _source(r, "authors"),
                                   _canon(r.authors)))
    winner = candidates[0]
    authors = [replace(a, affiliations=list(a.affiliations)) for a in winner.authors]
    for other in candidates[1:]:
        unused = list(other.authors)
        for author in authors:
            match = _matching_author(author, unused)
            if match is None:
                continue
            unused.remove(match)
            author.orcid = author.orcid or match.orcid
            author.affiliations = author.affiliations or list(match.affiliations)
            author.given = author.given or match.given
            author.family = author.family or match.family
    return authors, winner


def _matching_author(author: Author, others: list[Author]) -> Author | None:
    if author.orcid:
        same = next((o for o in others if o.orcid == author.orcid), None)
        if same:
            return same
    name = normalise_title(author.name)
    scored = [(fuzz.token_sort_ratio(name, normalise_title(o.name)), i)
              for i, o in enumerate(others)]
    score, index = max(scored, default=(0.0, -1), key=lambda s: (s[0], -s[1]))
    if score >= AUTHOR_NAME_RATIO:
        return others[index]
    family, initial = family_name(author), name[:1]
    return next((o for o in others if family and family_name(o) == family
                 and normalise_title(o.name)[:1] == initial), None)


def _merge_identifiers(records: list[Record]) -> tuple[dict[str, str], Record | None]:
    contributors = [r for r in _by_rank(records, "identifiers") if r.identifiers]
    merged: dict[str, str] = {}
    for record in contributors:
        for key in sorted(record.identifiers):
            if record.identifiers[key]:
                merged.setdefault(key, record.identifiers[key])
    return merged, contributors[0] if contributors else None


def _merge_provenance(primary: Record, records: list[Record],
                      sources: dict[str, str]) -> Provenance:
    """The primary record's capture details; captures and notes of all records."""
    captures = {c for r in records for c in r.provenance.captures}
    captures |= {r.provenance.warc_record_id for r in records if r.provenance.warc_record_id}
    first = primary.provenance
    return Provenance(
        warc_file=first.warc_file, warc_record_id=first.warc_record_id, offset=first.offset,
        fetched_at=first.fetched_at, extractor_version=first.extractor_version,
        fields=dict(sorted(sources.items())), captures=sorted(captures),
        notes=sorted({n for r in records for n in r.provenance.notes}),
    )


def _fuzzy_match(a: Record, b: Record) -> bool:
    title_a, title_b = normalise_title(a.title), normalise_title(b.title)
    if not title_a or not title_b or fuzz.ratio(title_a, title_b) < MATCH["title_ratio"]:
        return False
    corroborated = 0
    if a.year and b.year:
        if abs(a.year - b.year) > MATCH["year_tolerance"]:
            return False
        corroborated += 1
    if a.authors and b.authors:
        family_a, family_b = family_name(a.authors[0]), family_name(b.authors[0])
        if family_a and family_b:
            if fuzz.ratio(family_a, family_b) < MATCH["author_ratio"]:
                return False
            corroborated += 1
    return corroborated >= MATCH["min_corroboration"]
