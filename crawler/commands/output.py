"""Where a command's records go: stdout or a file written whole (temp file, then rename)."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

FORMAT_CHOICES = ("jsonl", "csv", "bibtex", "ris", "csl-json")


@contextlib.contextmanager
def open_output(path: Path | None) -> Iterator[TextIO]:
    """Yield a text stream; a file appears only once complete, so a failed run leaves none."""
    if path is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    from crawler.errors import UsageError

    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise UsageError(f"coprod: cannot write {path}: no directory {directory}")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as stream:
            yield stream
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_records(items: list[dict[str, Any]], fmt: str, stream: TextIO) -> None:
    from archive.exports import write_records as export
    from extractors.record import Record

    records = [Record.from_dict({k: v for k, v in item.items() if not k.startswith("_")})
               for item in items]
    export(records, fmt, stream)
