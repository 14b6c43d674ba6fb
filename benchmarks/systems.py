"""The systems under comparison, each as (url, headers, body) -> the scorer's field dict.

- coprod: extractors.dispatch.extract, the project's own extractor.
- trafilatura: bare_extraction(..., with_metadata=True) alone (HTML only).
- meta: Highwire / Dublin Core meta tags alone (HTML only), benchmarks/meta_baseline.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from benchmarks import meta_baseline

NO_RECORD = "_no_record"  # key of the reason a system gave for returning no record

Predict = Callable[[str, Mapping[str, str], bytes], dict[str, Any] | None]


def record_fields(record: Any) -> dict[str, Any]:
    """A coprod Record in the scorer's terms (sections joined as an alternative abstract)."""
    sections = getattr(record, "abstract_sections", None) or []
    alt = []
    if sections:
        alt.append(" ".join(f"{s.label}: {s.text}" if s.label else s.text for s in sections))
        alt.append(" ".join(s.text for s in sections))
    return {
        "title": record.title,
        "doi": record.doi,
        "year": record.year,
        "published": record.published,
        "authors": [a.name for a in record.authors],
        "container": record.container,
        "abstract": record.abstract,
        "abstract_alt": alt,
        "volume": record.volume,
        "issue": record.issue,
        "pages": record.pages,
        "publisher": record.publisher,
    }


def coprod() -> Predict:
    """coprod's dispatcher; raises ImportError while extractors.dispatch does not exist yet."""
    from extractors.dispatch import extract

    def predict(url: str, headers: Mapping[str, str], body: bytes) -> dict[str, Any] | None:
        extraction = extract(url, headers, body)
        if extraction.record is None:
            return {NO_RECORD: extraction.reason or "no reason given"}
        return record_fields(extraction.record)

    return predict


def trafilatura() -> Predict:
    from trafilatura import bare_extraction

    def predict(url: str, headers: Mapping[str, str], body: bytes) -> dict[str, Any] | None:
        doc = bare_extraction(body, url=url, with_metadata=True)
        if doc is None:
            return None
        data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
        date = data.get("date") or ""
        authors = [a.strip() for a in (data.get("author") or "").split(";") if a.strip()]
        return {
            "title": data.get("title"),
            "doi": None,  # trafilatura does not look for DOIs
            "year": int(date[:4]) if date[:4].isdigit() else None,
            "published": date or None,
            "authors": authors,
            "container": data.get("sitename"),
            "abstract": data.get("description"),
        }

    return predict


def meta() -> Predict:
    def predict(url: str, headers: Mapping[str, str], body: bytes) -> dict[str, Any] | None:
        return meta_baseline.extract(url, body)

    return predict


# name -> (factory, handles API/XML responses too)
SYSTEMS: dict[str, tuple[Callable[[], Predict], bool]] = {
    "coprod": (coprod, True),
    "trafilatura": (trafilatura, False),
    "meta": (meta, False),
}
