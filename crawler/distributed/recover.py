"""Taking over from a dead worker: its open WARC files finished and indexed (when it wrote
them into this data directory), then its in-flight requests put back on the frontier, where
the archive answers those it had fetched already (crawler.resume.ArchivedInJobMiddleware)."""

from __future__ import annotations

import logging
import socket
from pathlib import Path
from typing import Any

from archive.cdxj import index_warc
from archive.recovery import recover_open_file
from archive.warcwriter import OPEN_SUFFIX
from crawler.archiving import WarcArchive
from crawler.distributed.run import SharedRun
from crawler.lock import if_worker_stopped

logger = logging.getLogger(__name__)

WARC_PREFIX = "coprod"


def warc_prefix(worker: str) -> str:
    """A worker's WARC file prefix: `coprod-<worker>`, so no two workers' files collide."""
    return f"{WARC_PREFIX}-{worker}"


def worker_open_files(warc_dir: Path, worker: str) -> list[Path]:
    """The `.open` WARCs `worker` left (its prefix, then the writer's timestamp digits)."""
    return sorted(warc_dir.glob(f"{warc_prefix(worker)}-[0-9]*.warc.gz{OPEN_SUFFIX}"))


def finish_open_files(archive: WarcArchive, worker: str) -> list[Path]:
    """Cut `worker`'s open files back to their whole records, close and index them."""
    finished = []
    for path in worker_open_files(archive.warc_dir, worker):
        final = recover_open_file(path)
        if final is not None:
            index_warc(final)
            archive.catalog.index_warc(final)
            finished.append(final)
    return finished


def take_over(crawler: Any, run: SharedRun, identity: str) -> int:
    """Requeue a dead worker's requests; -1 when it turns out to be running still."""
    name, _, host = identity.partition("@")
    if host == socket.gethostname():
        data_dir = Path(crawler.settings.get("COPROD_DATA_DIR", "coprod-data"))
        with if_worker_stopped(data_dir, name) as stopped:
            if not stopped:  # its heartbeat is late, but it holds its lock: alive
                return -1
            files = finish_open_files(WarcArchive.for_crawler(crawler), name)
            count = run.requeue(identity)
    else:  # on another machine: its open files wait for its restart (or a catalog rebuild)
        files, count = [], run.requeue(identity)
    if count <= 0 and not files:
        return count
    logger.warning("distributed: worker %s stopped answering; %d of its requests queued again"
                   "%s", identity, max(count, 0),
                   f", {len(files)} open WARC file(s) finished" if files else "")
    return count
