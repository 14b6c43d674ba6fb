"""Expected Records (benchmarks/expected/*.json) and how a prediction is scored against them.

A label holds the values a reader finds on the page, written by hand. Keys:
`fixture` (path under ../shared/fixtures), `url`, the fields below, `also` (field ->
other acceptable values, for real ambiguity such as a subtitle or a series name) and
`notes`. A field that is absent is not scored; a field that is null expects nothing.

Matching rules (deliberately forgiving about form, strict about content):
- title, container, publisher: case, accents, spacing and punctuation ignored.
- doi: normalised (lower case, no resolver prefix); year: the integer.
- authors: F1 over names, a name matching on family name plus first initial
  ("Rush, Alexander M." = "Alexander Rush"); a page counts when F1 >= 0.9.
- abstract: the whole text, exact after Unicode, whitespace, case, quote/dash and
  label-colon normalisation; a similarity ratio is reported besides.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from extractors.doi import InvalidDOI, normalise_doi

PROJECT_ROOT = Path(__file__).resolve().parent.parent
EXPECTED_DIR = Path(__file__).resolve().parent / "expected"

TARGET_FIELDS = ("title", "doi", "year", "authors", "container", "abstract")
EXTRA_FIELDS = ("published", "volume", "issue", "pages", "publisher")
FIELDS = TARGET_FIELDS + EXTRA_FIELDS
# The acceptance targets for coprod, per field.
TARGETS = {"title": 0.98, "doi": 0.98, "year": 0.98, "authors": 0.95, "container": 0.95, "abstract": 0.95}
AUTHOR_F1_PASS = 0.9

_QUOTES = str.maketrans({c: "'" for c in "‘’‚‛′`´"} | {c: '"' for c in "“”„‟″«»"})
_DASHES = str.maketrans({c: "-" for c in "‐‑‒–—―−"})


def fixtures_root() -> Path:
    """../shared/fixtures beside the project (COPROD_FIXTURES overrides), as tests/conftest.py finds it."""
    return Path(os.environ.get("COPROD_FIXTURES", PROJECT_ROOT.parent / "shared" / "fixtures"))


def load_labels(directory: Path = EXPECTED_DIR) -> list[dict[str, Any]]:
    """Every expected Record, sorted by file name."""
    labels = []
    for path in sorted(directory.glob("*.json")):
        label = json.loads(path.read_text(encoding="utf-8"))
        label["_file"] = path.name
        labels.append(label)
    return labels


def content_type(fixture: str) -> str:
    """The Content-Type a server would have sent for a fixture file."""
    if fixture.endswith((".html", ".htm")):
        return "text/html; charset=utf-8"
    if fixture.endswith(".json"):
        return "application/json"
    if fixture.endswith(".xml"):
        return "application/xml"
    return "application/octet-stream"


def is_html(fixture: str) -> bool:
    return fixture.endswith((".html", ".htm"))


# --- normalisation ---------------------------------------------------------


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def text_key(text: str | None) -> str:
    """Title/container key: letters and digits only, case- and accent-free."""
    if not text:
        return ""
    return "".join(c for c in _strip_marks(text).casefold() if c.isalnum())


def abstract_key(text: str | None) -> str:
    """Abstract key: NFKC text without whitespace, invisible characters, bullets or colons."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).translate(_DASHES).casefold()
    return "".join(
        c for c in text
        if not c.isspace() and c not in ":•" and unicodedata.category(c) not in ("Cf", "Cc")
    )


def squash(text: str | None) -> str:
    """Whitespace-normalised text (for the similarity ratio and for reports)."""
    return " ".join(unicodedata.normalize("NFKC", text or "").split())


def doi_key(value: str | None) -> str:
    if not value:
        return ""
    try:
        return normalise_doi(value)
    except InvalidDOI:
        return value.strip().lower()


def _plain(text: str) -> str:
    return unicodedata.normalize("NFKC", text).translate(_DASHES).replace(" ", "").lower()


def name_tokens(name: str) -> list[str]:
    """'Rush, Alexander M.' -> ['alexander', 'm', 'rush']; parenthesised parts and dots dropped."""
    name = re.sub(r"\([^)]*\)", " ", unicodedata.normalize("NFKC", name))
    if name.count(",") == 1:
        family, given = name.split(",")
        name = f"{given} {family}"
    name = _strip_marks(name).casefold().translate(_DASHES).replace(".", " ")
    return [t for t in re.split(r"[\s,]+", name) if t.strip("-")]


def names_match(a: str, b: str) -> bool:
    ta, tb = name_tokens(a), name_tokens(b)
    if not ta or not tb:
        return False
    if ta == tb:
        return True
    if ta[-1] != tb[-1]:
        return False
    if len(ta) == 1 or len(tb) == 1:  # a bare family name
        return True
    return ta[0].strip("-")[:1] == tb[0].strip("-")[:1]


def author_f1(expected: list[str], got: list[str]) -> float:
    if not expected and not got:
        return 1.0
    if not expected or not got:
        return 0.0
    unmatched = list(got)
    hits = 0
    for name in expected:
        for i, candidate in enumerate(unmatched):
            if names_match(name, candidate):
                hits += 1
                del unmatched[i]
                break
    if not hits:
        return 0.0
    precision, recall = hits / len(got), hits / len(expected)
    return 2 * precision * recall / (precision + recall)


# --- scoring ---------------------------------------------------------------


@dataclass
class FieldScore:
    ok: bool
    expected: Any
    got: Any
    measure: float | None = None  # author F1 or abstract similarity, 0..1


@dataclass
class PageScore:
    fixture: str
    system: str
    fields: dict[str, FieldScore] = field(default_factory=dict)
    error: str | None = None


def _accepted(label: dict[str, Any], name: str) -> list[Any]:
    return [label[name], *label.get("also", {}).get(name, [])]


def score_page(label: dict[str, Any], got: dict[str, Any] | None, system: str,
               error: str | None = None) -> PageScore:
    """Score one system's prediction (scorer field names, see systems.py) against a label."""
    if got is not None and "_no_record" in got:
        error, got = error or f"no record: {got['_no_record']}", None
    page = PageScore(label["fixture"], system, error=error)
    for name in FIELDS:
        if name not in label:
            continue
        if got is not None and name in EXTRA_FIELDS and name not in got:
            continue  # a field this system does not produce at all (trafilatura has no volume)
        page.fields[name] = _score_field(name, _accepted(label, name), got or {})
    return page


def _score_field(name: str, accepted: list[Any], got: dict[str, Any]) -> FieldScore:
    value = got.get(name)
    expected = accepted[0]
    if name == "authors":
        names = [n for n in (value or []) if n and n.strip()]
        f1 = max(author_f1(list(e or []), names) for e in accepted)
        return FieldScore(f1 >= AUTHOR_F1_PASS, expected, names, f1)
    if name == "abstract":
        candidates = [c for c in [value, *got.get("abstract_alt", [])] if c and c.strip()]
        if not candidates:
            ok = any(not e for e in accepted)
            return FieldScore(ok, expected, None, 1.0 if ok else 0.0)
        keys = {abstract_key(c) for c in candidates}
        ok = any(e and abstract_key(e) in keys for e in accepted)
        ratio = max(fuzz.ratio(squash(e), squash(c)) / 100 for e in accepted if e for c in candidates) \
            if any(accepted) else 0.0
        return FieldScore(ok, expected, candidates[0], ratio)
    if value in (None, "", []):
        return FieldScore(any(e in (None, "", []) for e in accepted), expected, None)
    return FieldScore(any(_same(name, e, value) for e in accepted if e not in (None, "")), expected, value)


def _same(name: str, expected: Any, got: Any) -> bool:
    if name == "year":
        try:
            return int(str(got)[:4]) == int(expected)
        except ValueError:
            return False
    if name == "doi":
        return doi_key(str(got)) == doi_key(str(expected))
    if name == "published":
        return str(got).strip().startswith(str(expected))
    if name in ("volume", "issue", "pages"):
        return _plain(str(got)).removeprefix("pp") == _plain(str(expected))
    return text_key(str(got)) == text_key(str(expected))


# --- aggregation -----------------------------------------------------------


def summarise(pages: Iterable[PageScore]) -> dict[str, dict[str, float | int]]:
    """Per field: n labelled, n correct, accuracy, and mean F1/similarity where there is one."""
    totals: dict[str, dict[str, Any]] = {}
    for page in pages:
        for name, score in page.fields.items():
            t = totals.setdefault(name, {"n": 0, "correct": 0, "measures": []})
            t["n"] += 1
            t["correct"] += score.ok
            if score.measure is not None:
                t["measures"].append(score.measure)
    out: dict[str, dict[str, float | int]] = {}
    for name in FIELDS:
        if name in totals:
            t = totals[name]
            row: dict[str, float | int] = {"n": t["n"], "correct": t["correct"],
                                           "accuracy": t["correct"] / t["n"]}
            if t["measures"]:
                row["mean_measure"] = sum(t["measures"]) / len(t["measures"])
            out[name] = row
    return out


def misses(pages: Iterable[PageScore], fields: tuple[str, ...] = TARGET_FIELDS) -> list[dict[str, Any]]:
    """Every wrong field, worst first (lowest F1/similarity), for the people fixing the extractor."""
    rows = []
    for page in pages:
        for name, score in page.fields.items():
            if name in fields and not score.ok:
                rows.append({"fixture": page.fixture, "field": name, "expected": score.expected,
                             "got": score.got, "measure": score.measure, "error": page.error})
    return sorted(rows, key=lambda r: (r["measure"] if r["measure"] is not None else -1, r["fixture"]))
