"""One writing run per data directory: an fcntl lock on `<data-dir>/.lock`.

Every command that writes the archive or the catalog holds it (doi, crawl, demo through
`crawler.runner.run_spider`; `catalog rebuild`; `scrapy crawl` through DataDirLockExtension).
flock() belongs to the open file, so the kernel drops it when the holder dies, `kill -9`
included: a crashed run never leaves a stale lock. The file keeps the holder's pid for the
message the next run prints. Re-entrant within one process (the CLI and the Scrapy
extension both take it).

Workers of one distributed run (crawler.distributed) share a data directory: each holds the
directory's lock *shared* (so no ordinary run starts beside them, nor they beside one) and
its own worker lock, `<data-dir>/workers/<id>.lock`, exclusively (so one worker id runs once;
a worker's WARC prefix and leftovers are its own). Whatever the workers write together, the
catalog, is guarded by its transactions (archive.catalog).
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
WORKERS_DIR = "workers"
MAX_WORKERS = 256  # worker ids w1..w256 on one data directory

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
    return _read_pid(Path(data_dir) / LOCK_NAME)


def _read_pid(path: Path) -> int | None:
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return int(text) if text.isdigit() else None


@contextmanager
def hold(data_dir: Path | str, *, shared: bool = False) -> Iterator[Path]:
    """Hold the data directory's lock for the block (created if missing); LockHeld if taken.
    `shared`: a worker of a distributed run, beside the run's other workers."""
    path = (Path(data_dir) / LOCK_NAME).absolute()
    with _guard:
        if path in _held:
            fd, depth = _held[path]
            _held[path] = (fd, depth + 1)
        else:
            fd = _take(path, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
            if fd is None:
                raise LockHeld(Path(data_dir), holder_pid(data_dir)) from None
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


def _take(path: Path, mode: int) -> int | None:
    """flock `path` (created if missing) without waiting; its fd, or None when held."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, mode | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    if mode == fcntl.LOCK_EX or os.fstat(fd).st_size == 0:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
    return fd


def worker_lock_path(data_dir: Path | str, worker: str) -> Path:
    return (Path(data_dir) / WORKERS_DIR / f"{worker}.lock").absolute()


@contextmanager
def hold_worker(data_dir: Path | str, worker: str | None = None) -> Iterator[str]:
    """Hold a worker id's lock on this data directory for the block and yield the id: `worker`
    (LockHeld if it runs already), else the first free of w1, w2, ... (a restarted worker
    takes the id, and so the leftovers, of the one that died)."""
    names = [worker] if worker else [f"w{n}" for n in range(1, MAX_WORKERS + 1)]
    for name in names:
        fd = _take(worker_lock_path(data_dir, name), fcntl.LOCK_EX)
        if fd is not None:
            break
    else:
        raise LockHeld(Path(data_dir), _read_pid(worker_lock_path(data_dir, names[0])))
    try:
        yield name
    finally:
        os.close(fd)


@contextmanager
def if_worker_stopped(data_dir: Path | str, worker: str) -> Iterator[bool]:
    """Whether `worker` is not running on this machine's data directory; while the block
    runs it cannot start (its lock is held here), so its leftovers can be tidied."""
    fd = _take(worker_lock_path(data_dir, worker), fcntl.LOCK_EX)
    try:
        yield fd is not None
    finally:
        if fd is not None:
            os.close(fd)


class DataDirLockExtension:
    """Scrapy extension: a bare `scrapy crawl` holds COPROD_DATA_DIR's lock too, from before
    anything is opened until the process ends (a coprod command took it already: re-entrant)."""

    def __init__(self, data_dir: Path) -> None:
        self._lock = hold(data_dir)
        self._lock.__enter__()  # LockHeld stops the crawler before the archive is opened

    @classmethod
    def from_crawler(cls, crawler: Any) -> DataDirLockExtension:
        return cls(Path(crawler.settings.get("COPROD_DATA_DIR", "coprod-data")))
