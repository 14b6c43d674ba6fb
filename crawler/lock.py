"""One writing run per data directory: an fcntl lock on `<data-dir>/.lock`.

Every command that writes the archive or the catalog holds it (doi, crawl, demo through
`crawler.runner.run_spider`; `catalog rebuild`; `scrapy crawl` through DataDirLockExtension).
flock() belongs to the open file, so the kernel drops it when the holder dies, `kill -9`
included: a crashed run never leaves a stale lock. The file keeps the holder's pid for the
message the next run prints. Re-entrant within one process (the CLI and the Scrapy
extension both take it).
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

LOCK_NAME = ".lock"

_held: dict[Path, tuple[int, int]] = {}  # lock file -> (fd, depth), in this process
_guard = threading.Lock()


class LockHeld(Exception):
    """Another process holds the data directory; the message is one line naming its pid."""

    def __init__(self, data_dir: Path, pid: int | None) -> None:
        self.data_dir, self.pid = data_dir, pid
        holder = f"pid {pid}" if pid else "pid unknown"
        super().__init__(
            f"coprod: {data_dir} is in use by another coprod run ({holder}); "
            "try again when it has finished, or use another --data-dir"
        )


def holder_pid(data_dir: Path | str) -> int | None:
    """The pid written in the lock file (whether or not it still holds the lock)."""
    try:
        text = (Path(data_dir) / LOCK_NAME).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return int(text) if text.isdigit() else None


@contextmanager
def hold(data_dir: Path | str) -> Iterator[Path]:
    """Hold the data directory's lock for the block (created if missing); LockHeld if taken."""
    path = (Path(data_dir) / LOCK_NAME).absolute()
    with _guard:
        if path in _held:
            fd, depth = _held[path]
            _held[path] = (fd, depth + 1)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                raise LockHeld(Path(data_dir), holder_pid(data_dir)) from None
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode("ascii"))
            _held[path] = (fd, 1)
    try:
        yield path
    finally:
        with _guard:
            fd, depth = _held[path]
            if depth > 1:
                _held[path] = (fd, depth - 1)
            else:
                del _held[path]
                os.close(fd)  # releases the lock; the pid stays until the next holder writes


class DataDirLockExtension:
    """Scrapy extension: a bare `scrapy crawl` holds COPROD_DATA_DIR's lock too, from before
    anything is opened until the process ends (a coprod command took it already: re-entrant)."""

    def __init__(self, data_dir: Path) -> None:
        self._lock = hold(data_dir)
        self._lock.__enter__()  # LockHeld stops the crawler before the archive is opened

    @classmethod
    def from_crawler(cls, crawler: Any) -> DataDirLockExtension:
        return cls(Path(crawler.settings.get("COPROD_DATA_DIR", "coprod-data")))
