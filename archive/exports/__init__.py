"""Feed exports of Records: jsonl, csv, bibtex, ris, csl-json (`coprod export`, `coprod doi -o`).

    write_records(records, "bibtex", sys.stdout)

A module per format; each writes to a text stream and keeps no state between calls
(BibTeX and CSL-JSON citation keys are made unique within one call).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TextIO

from extractors.record import Record

from .bibtex import write_bibtex
from .csljson import write_csl_json
from .csvfile import write_csv
from .jsonl import write_jsonl
from .ris import write_ris

Writer = Callable[[Iterable[Record], TextIO], None]

FORMATS: dict[str, Writer] = {
    "jsonl": write_jsonl,
    "csv": write_csv,
    "bibtex": write_bibtex,
    "ris": write_ris,
    "csl-json": write_csl_json,
}
# Usual file name ending per format, for output names chosen by the CLI.
EXTENSIONS: dict[str, str] = {
    "jsonl": ".jsonl",
    "csv": ".csv",
    "bibtex": ".bib",
    "ris": ".ris",
    "csl-json": ".json",
}


def write_records(records: Iterable[Record], fmt: str, stream: TextIO) -> None:
    """Write `records` to `stream` in format `fmt` (a FORMATS name); ValueError if unknown."""
    try:
        writer = FORMATS[fmt]
    except KeyError:
        choices = ", ".join(FORMATS)
        raise ValueError(f"unknown export format {fmt!r}; choose one of {choices}") from None
    writer(records, stream)


__all__ = ["EXTENSIONS", "FORMATS", "write_records"]
