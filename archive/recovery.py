"""Finish WARC files a crash left as `.open`: keep every whole record, cut the torn tail."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from pathlib import Path

from archive.warccheck import WarcReadError, read_warc
from archive.warcwriter import OPEN_SUFFIX

logger = logging.getLogger(__name__)


def whole_records_end(path: Path) -> int:
    """Byte offset just past the last record that is whole (0 if none is)."""
    try:
        for _ in read_warc(path):
            pass
    except WarcReadError as torn:  # a torn gzip member or half-written headers
        logger.info("%s", torn)
        return torn.offset
    return path.stat().st_size


def recover_open_file(path: Path) -> Path | None:
    """Truncate `path` to its whole records and rename it away from `.open`.

    Returns the finished file, or None when nothing whole was in it (the file is removed).
    """
    end = whole_records_end(path)
    size = path.stat().st_size
    if end == 0:
        logger.warning("%s: no whole record; removed", path.name)
        path.unlink()
        return None
    if end < size:
        logger.warning("%s: cut %d torn bytes after offset %d", path.name, size - end, end)
        with open(path, "r+b") as stream:
            stream.truncate(end)
            stream.flush()
            os.fsync(stream.fileno())
    final = path.with_name(path.name.removesuffix(OPEN_SUFFIX))
    os.replace(path, final)
    return final


def recover_directory(
    directory: Path, on_recovered: Callable[[Path], None] | None = None, *, pattern: str = "*"
) -> list[Path]:
    """Recover every `.open` WARC in `directory` (whose name before `.warc.gz` matches the glob
    `pattern`); call `on_recovered` on each finished file."""
    finished = []
    for path in sorted(Path(directory).glob(f"{pattern}.warc.gz{OPEN_SUFFIX}")):
        final = recover_open_file(path)
        if final is not None:
            finished.append(final)
            if on_recovered:
                on_recovered(final)
    return finished
