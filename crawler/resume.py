"""Resumable runs: a job per command under `<data-dir>/jobs/<name>`, finished after a crash
with every page captured exactly once.

Scrapy's JOBDIR keeps the frontier across a clean stop (Ctrl-C, --max-pages), but after
`kill -9` its queue and seen-requests files are stale or torn (queuelib writes its state
on close), so a crashed job restarts its frontier from the spider's start and reconciles it
with the archive instead: ArchivedInJobMiddleware answers every request whose URL already
has a final answer captured in this job from that capture, so callbacks run again (items,
follow-up links) and nothing is fetched twice; a page the job rendered in a browser gets
its archived DOM, not a second render (crawler.render.archived). WarcArchive recovers and
re-indexes `.open` files before the first request, so the catalog then holds everything
the WARCs do.

    result = run_job(CrawlSpider, settings, name="crawl", resume=args.resume)
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from scrapy.http import Request, Response
from scrapy.settings import Settings

from archive import warcrecords
from archive.catalog import Capture
from archive.replay_rendered import served_captures
from archive.warcwriter import OPEN_SUFFIX
from crawler.archiving import tag_request
from crawler.incremental import (
    REPLAYABLE_TYPES,
    StoredExchange,
    original_response,
    read_stored,
    stored_response,
)
from crawler.render.archived import archived_render, wants_render
from crawler.runner import CrawlResult

logger = logging.getLogger(__name__)

JOBS_DIR = "jobs"
STATE_FILE = "coprod-job.json"
SCRAPY_STATE = ("requests.queue", "requests.seen", "spider.state")  # what Scrapy keeps in JOBDIR
RUNNING, STOPPED, FINISHED = "running", "stopped", "finished"


@dataclass
class JobState:
    """What a job needs to be resumed: its id (the WARCs' isPartOf) and when it began."""

    name: str
    job_id: str
    started_at: str  # WARC date; captures from then on belong to this job
    state: str = RUNNING  # running (or crashed), stopped (cleanly, resumable), finished
    runs: int = 1


def job_dir(data_dir: Path | str, name: str) -> Path:
    return Path(data_dir) / JOBS_DIR / name


def read_state(directory: Path) -> JobState | None:
    try:
        return JobState(**json.loads((directory / STATE_FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None


def write_state(directory: Path, state: JobState) -> None:
    """Replace the state file whole (temp file + rename), so a crash leaves old or new."""
    directory.mkdir(parents=True, exist_ok=True)
    temp = directory / f".{STATE_FILE}.{os.getpid()}"
    temp.write_text(json.dumps(asdict(state), indent=1), encoding="utf-8")
    os.replace(temp, directory / STATE_FILE)


def prepare_job(data_dir: Path | str, name: str, *, resume: bool,
                scrapy_queue: bool = True) -> tuple[JobState, dict[str, Any], str | None]:
    """Start job `name` afresh, or go on with it when `resume` and it did not finish.

    Returns the job's state, the Scrapy settings that run it, and a note for the user (None
    when there is nothing to say). A crashed job's Scrapy queue is dropped (not to be
    trusted after kill -9); a cleanly stopped one's is kept.
    """
    directory = job_dir(data_dir, name)
    old = read_state(directory) if resume else None
    note = None
    if old is not None and old.state in (RUNNING, STOPPED):
        state = JobState(name, old.job_id, old.started_at, RUNNING, old.runs + 1)
        if old.state == RUNNING or not scrapy_queue:
            _clear_scrapy_state(directory)
        note = (f"resuming job {name} from {old.started_at} ("
                f"{'after a crash' if old.state == RUNNING else 'stopped cleanly'})")
    else:
        if resume:
            note = f"no unfinished {name} job to resume; starting a new one"
        shutil.rmtree(directory, ignore_errors=True)
        state = JobState(name, f"coprod-{uuid.uuid4()}", warcrecords.iso_date(time.time()))
    write_state(directory, state)
    settings: dict[str, Any] = {"COPROD_JOB_ID": state.job_id, "COPROD_JOB_NAME": name}
    if state.runs > 1:
        settings["COPROD_RESUME_SINCE"] = state.started_at
    if scrapy_queue:
        settings["JOBDIR"] = str(directory)
    return state, settings, note


def finish_job(data_dir: Path | str, state: JobState, result: CrawlResult) -> JobState:
    """Note how the run ended: finished (Scrapy's state dropped), or stopped and resumable."""
    directory = job_dir(data_dir, state.name)
    reason = result.stats.get("finish_reason", "")
    state.state = FINISHED if reason == "finished" and not result.interrupted else STOPPED
    if state.state == FINISHED:
        _clear_scrapy_state(directory)
    write_state(directory, state)
    return state


def run_job(spider_cls: type, settings: Settings, *, name: str, resume: bool,
            scrapy_queue: bool = True, notify: Any = None, **spider_kwargs: Any) -> CrawlResult:
    """run_spider as job `name` under the data directory's lock; `notify(text)` hears the
    resume note. After kill -9 the next `resume=True` run goes on where this one died."""
    from crawler.lock import hold
    from crawler.runner import run_spider

    data_dir = Path(settings.get("COPROD_DATA_DIR", "coprod-data"))
    with hold(data_dir):
        state, values, note = prepare_job(data_dir, name, resume=resume, scrapy_queue=scrapy_queue)
        if note and notify is not None:
            notify(note)
        settings.setdict(values, priority="cmdline")
        result = run_spider(spider_cls, settings, **spider_kwargs)
        finish_job(data_dir, state, result)
    return result


def _clear_scrapy_state(directory: Path) -> None:
    for entry in SCRAPY_STATE:
        path = directory / entry
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


# -- reconciling the frontier with the archive --------------------------------------------


def _moment(warc_date: str) -> datetime | None:
    try:
        return datetime.fromisoformat(warc_date.replace("Z", "+00:00"))
    except (TypeError, ValueError):
        return None


class ArchivedInJobMiddleware:
    """Downloader middleware (order 910, on while resuming): a request whose URL has a final
    answer (any status Scrapy would not retry) captured since the job began is answered from
    that capture, not fetched again. A revisit brings its original's payload (and, for a 304,
    the original's status and headers: what the spider saw then)."""

    def __init__(self, archive: Any, stats: Any, since: str | None, retry_codes: list[int]) -> None:
        self.archive = archive
        self.stats = stats
        self.since = _moment(since) if since else None
        self.retry_codes = set(retry_codes)

    @classmethod
    def from_crawler(cls, crawler: Any) -> ArchivedInJobMiddleware:
        from crawler.archiving import WarcArchive

        settings = crawler.settings
        return cls(WarcArchive.for_crawler(crawler), crawler.stats,
                   settings.get("COPROD_RESUME_SINCE"),
                   [int(code) for code in settings.getlist("RETRY_HTTP_CODES")])

    def process_request(self, request: Request) -> Response | None:
        if self.since is None or request.method not in ("GET", "HEAD"):
            return None
        if wants_render(request):  # the job's render of the page, if it has one
            try:
                rendered = archived_render(self.archive.catalog, self._open, request,
                                           flag="resumed", since=self.since)
            except (OSError, ValueError) as error:
                logger.warning("resume: %s rendered but unreadable (%s); rendering again",
                               request.url, error)
                return None
            if rendered is not None:
                self.stats.inc_value("coprod/resume/rendered_from_archive")
            return rendered
        capture = self._captured_in_job(request.url)
        if capture is None:
            return None
        try:
            stored, source = self._stored(capture)
        except (OSError, ValueError) as error:
            logger.warning("resume: %s captured but unreadable (%s); fetching again", request.url, error)
            return None
        if source is not capture:  # a 304's revisit: tagged as the live run tagged it
            tag_request(request, None, capture.record_id)
        self.stats.inc_value("coprod/resume/from_archive")
        return stored_response(request, stored, source, flag="resumed")

    def _open(self, name: str) -> IO[bytes]:
        """A WARC of the archive by name; this run's own is still `.open`."""
        path = self.archive.warc_dir / name
        if not path.exists():
            path = path.with_name(name + OPEN_SUFFIX)
        return open(path, "rb")  # noqa: SIM115 - the caller closes it

    def _captured_in_job(self, url: str) -> Capture | None:
        catalog = self.archive.catalog
        # a rendered page's browser copy is not what a plain fetch got (archive.replay_rendered)
        for capture in reversed(served_captures(catalog, self._open, url, catalog.captures_for(url))):
            moment = _moment(capture.warc_date)
            if moment is None or moment < self.since:
                return None
            if capture.record_type in REPLAYABLE_TYPES and capture.status is not None \
                    and capture.status not in self.retry_codes and not capture.truncated:
                return capture
        return None

    def _stored(self, capture: Capture) -> tuple[StoredExchange, Capture]:
        """What the spider saw for this capture, and the capture to tag the response with."""
        warc_dir = self.archive.warc_dir
        if capture.record_type == "response":
            return read_stored(warc_dir, capture), capture
        original = original_response(self.archive.catalog, capture)
        if original is None:
            raise ValueError(f"revisit {capture.record_id}: its original is not in the catalog")
        first = read_stored(warc_dir, original)
        if capture.status == 304:  # ConditionalRequestMiddleware handed on the original
            return first, original
        head = read_stored(warc_dir, capture, payload=False)
        return StoredExchange(head.status, head.headers, first.payload), capture
