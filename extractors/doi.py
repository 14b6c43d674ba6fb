"""DOI parsing and normalisation: lower case, no resolver prefix, `10.1037//` mended."""

from __future__ import annotations

import re
from urllib.parse import unquote

# Crossref's recommended pattern for modern DOIs, anchored; suffix without whitespace.
_DOI = re.compile(r"^10\.\d{4,9}/[^\s]+$")
_PREFIXES = re.compile(
    r"^(?:doi:\s*|info:doi/|https?://(?:dx\.)?doi\.org/|https?://doi\.[a-z]+\.org/)", re.I
)
_IN_TEXT = re.compile(r"\b10\.\d{4,9}/[^\s\"'<>]+", re.I)
MAX_LENGTH = 300


class InvalidDOI(ValueError):
    """Raised for input that is not a DOI; the message is one line for the user."""


def normalise_doi(text: str) -> str:
    """Return the DOI in `text` (a bare DOI, doi:, a doi.org URL, URL-encoded) normalised.

    Raises InvalidDOI with a one-line reason for anything else.
    """
    raw = (text or "").strip()
    if not raw:
        raise InvalidDOI("empty DOI")
    if len(raw) > MAX_LENGTH * 3:
        raise InvalidDOI(f"not a DOI: {len(raw)} characters of input")
    candidate = _PREFIXES.sub("", raw)
    for _ in range(3):  # %252F and friends: decode until stable
        decoded = unquote(candidate)
        if decoded == candidate:
            break
        candidate = _PREFIXES.sub("", decoded.strip())
    candidate = candidate.strip().rstrip(".,;")
    if "\x00" in candidate or any(ord(c) < 32 for c in candidate):
        raise InvalidDOI(f"not a DOI: control characters in {_shorten(raw)!r}")
    candidate = re.sub(r"^(10\.1037)//+", r"\1/", candidate)
    if len(candidate) > MAX_LENGTH or not _DOI.match(candidate):
        raise InvalidDOI(f"not a DOI: {_shorten(raw)!r} (expected 10.NNNN/suffix)")
    return candidate.lower()


def find_doi(text: str | None) -> str | None:
    """The first valid DOI found in free text or a URL, normalised; None if there is none."""
    if not text:
        return None
    match = _IN_TEXT.search(unquote(text))
    if not match:
        return None
    try:
        return normalise_doi(_balanced(match.group(0)))
    except InvalidDOI:
        return None


def _balanced(candidate: str) -> str:
    """Drop closing brackets the DOI did not open: "(DOI: 10.1117/12.2066315)" ends at 315."""
    for opening, closing in ("()", "[]"):
        while candidate.endswith(closing) and candidate.count(closing) > candidate.count(opening):
            candidate = candidate[:-1]
    return candidate


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "..."
