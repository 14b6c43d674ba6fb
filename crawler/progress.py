"""What a run is doing, on stderr: a live rich table while it runs, a summary per source at
the end.

ProgressExtension (Scrapy extension, on when COPROD_PROGRESS is true) redraws the counters
the WARC tap and the pipelines keep in Scrapy's stats (crawler.crawlstats) four times a
second, from the reactor thread, so it reads them without locks; the table is cleared when
the engine stops. Commands turn it on with `progress_wanted(args)`: never with -q or -v
(log lines would tear the table) and never when stderr is not a terminal (cron, pipes).

`print_summary()` writes the end-of-run summary: a rich table on a terminal, plain lines
elsewhere (one per source, for logs and cron mail).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Mapping
from typing import Any, TextIO

from crawler.crawlstats import PREFIX, CrawlRunResult, SourceResult

REFRESH_SECONDS = 0.25
_COLUMNS = ("fetched", "new", "changed", "unchanged", "failed", "added", "merged",
            "below_threshold")


def progress_wanted(args: argparse.Namespace, stream: TextIO | None = None) -> bool:
    """Live progress only for a person watching: a terminal, neither -q nor -v."""
    stream = stream if stream is not None else sys.stderr
    quiet, verbose = getattr(args, "quiet", 0), getattr(args, "verbose", 0)
    return not quiet and not verbose and _is_terminal(stream)


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


# -- while running ------------------------------------------------------------------------


def source_counters(stats: Mapping[str, Any]) -> dict[str, dict[str, int]]:
    """source -> counter -> value, from `coprod/source/<name>/[pages/]<counter>` stats keys;
    fetched is the sum of the page kinds."""
    found: dict[str, dict[str, int]] = {}
    for key, value in stats.items():
        if not key.startswith(PREFIX) or not isinstance(value, int):
            continue
        name, _, counter = key[len(PREFIX):].rpartition("/")
        name = name.removesuffix("/pages")
        if name:
            found.setdefault(name, {})[counter] = value
    for counters in found.values():
        counters["fetched"] = sum(counters.get(k, 0) for k in ("new", "changed", "unchanged"))
    return found


def status_line(stats: Mapping[str, Any], elapsed: float) -> str:
    """One line of totals: pages by kind, records, failures, requests still queued."""
    pages = {kind: int(stats.get(f"coprod/pages/{kind}", 0)) for kind in ("new", "changed", "unchanged")}
    queued = int(stats.get("scheduler/enqueued", 0)) - int(stats.get("scheduler/dequeued", 0))
    records = int(stats.get("item_scraped_count", 0))
    failed = int(stats.get("coprod/failed", 0)) + sum(
        c.get("failed", 0) for c in source_counters(stats).values())
    minutes, seconds = divmod(int(elapsed), 60)
    return (f"{minutes}:{seconds:02d}  {sum(pages.values())} pages ({pages['new']} new, "
            f"{pages['changed']} changed, {pages['unchanged']} unchanged)  {records} records  "
            f"{failed} failed  {max(queued, 0)} queued")


def progress_table(stats: Mapping[str, Any], elapsed: float) -> Any:
    from rich.table import Table

    table = Table(title=status_line(stats, elapsed), title_justify="left", box=None,
                  pad_edge=False, header_style="bold")
    table.add_column("source")
    for column in _COLUMNS:
        table.add_column(column.replace("_", " "), justify="right")
    for name, counters in sorted(source_counters(stats).items()):
        table.add_row(name, *(str(counters.get(column, 0)) for column in _COLUMNS))
    return table


class ProgressExtension:
    """Scrapy extension: the live table on stderr from engine start to engine stop."""

    def __init__(self, crawler: Any, console: Any = None) -> None:
        from rich.console import Console

        self.crawler = crawler
        self.console = console or Console(stderr=True)
        self.live: Any = None
        self.loop: Any = None
        self.started = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Any) -> ProgressExtension:
        from scrapy import signals
        from scrapy.exceptions import NotConfigured

        if not crawler.settings.getbool("COPROD_PROGRESS"):
            raise NotConfigured
        extension = cls(crawler)
        crawler.signals.connect(extension.start, signal=signals.engine_started)
        crawler.signals.connect(extension.stop, signal=signals.engine_stopped)
        return extension

    def start(self) -> None:
        from rich.live import Live
        from twisted.internet import task

        self.started = time.monotonic()
        self.live = Live(self._table(), console=self.console, auto_refresh=False, transient=True,
                         redirect_stdout=False, redirect_stderr=False)
        self.live.start()
        self.loop = task.LoopingCall(self.refresh)
        self.loop.start(REFRESH_SECONDS, now=False)

    def refresh(self) -> None:
        if self.live is not None:
            self.live.update(self._table(), refresh=True)

    def stop(self) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        if self.live is not None:
            self.live.stop()
            self.live = None

    def _table(self) -> Any:
        return progress_table(self.crawler.stats.get_stats(), time.monotonic() - self.started)


# -- at the end ---------------------------------------------------------------------------


def summary_lines(result: CrawlRunResult) -> list[str]:
    """Plain lines, one per source (and its first errors), for logs and cron mail; fetched
    pages that are neither new nor changed were unchanged (archived as revisits)."""
    lines = []
    for s in result.sources:
        state = "FAILED" if s.source_failed else "capped" if s.capped else "done"
        lines.append(
            f"coprod: {s.name} ({s.target}): {state}; pages {s.fetched} fetched, {s.new} new, "
            f"{s.changed} changed, {s.failed} failed; records {s.added} added, {s.merged} "
            f"merged, {s.below_threshold} below threshold")
        lines += [f"coprod: {s.name}: {error}" for error in s.errors[:5]]
    return lines


def print_summary(result: CrawlRunResult, stream: TextIO | None = None) -> None:
    """The end-of-run summary per source: a rich table on a terminal, plain lines elsewhere."""
    stream = stream if stream is not None else sys.stderr
    if not _is_terminal(stream):
        for line in summary_lines(result):
            print(line, file=stream)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="coprod: what each source did", title_justify="left")
    for column in ("source", "target", "state", *_COLUMNS):
        table.add_column(column.replace("_", " "), justify="left" if column in
                         ("source", "target", "state") else "right")
    for s in result.sources:
        state = "[red]FAILED[/]" if s.source_failed else "capped" if s.capped else "done"
        table.add_row(s.name, s.target, state, *(str(getattr(s, c)) for c in _COLUMNS))
    console = Console(file=stream)
    console.print(table)
    for s in result.sources:
        for error in s.errors[:5]:
            console.print(f"[red]{s.name}[/]: {error}", markup=True, highlight=False)


def doi_result(stats: Mapping[str, Any], dois: int, failures: list[tuple[str, str]],
               interrupted: bool = False) -> CrawlRunResult:
    """`coprod doi` as one source: its pages, its records, the DOIs that failed."""
    counters = source_counters(stats).get("doi", {})
    pages = {kind: int(stats.get(f"coprod/pages/{kind}", 0)) for kind in ("new", "changed", "unchanged")}
    source = SourceResult(
        "doi", "doi", f"{dois} DOI{'s' if dois != 1 else ''}", fetched=sum(pages.values()),
        **pages, failed=len(failures), added=counters.get("added", 0),
        merged=counters.get("merged", 0), same=counters.get("same", 0),
        below_threshold=counters.get("below_threshold", 0),
        errors=[f"{doi}: {reason}" for doi, reason in failures],
    )
    return CrawlRunResult(sources=[source], pages=source.fetched, interrupted=interrupted,
                          stats=dict(stats))
