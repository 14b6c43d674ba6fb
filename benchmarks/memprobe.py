"""A Scrapy extension for finding what a long crawl keeps: tracemalloc snapshots compared.

    coprod crawl ... -s 'EXTENSIONS={"benchmarks.memprobe.MemProbe": 900}' \\
        -s MEMPROBE_PAGES=1000,4000 -s MEMPROBE_OUT=/tmp/memprobe.txt

Starts tracemalloc when the spider opens, snapshots after each number of responses in
MEMPROBE_PAGES, and writes the allocation sites that grew most between the first and every
later snapshot (with a few frames of traceback) to MEMPROBE_OUT. For diagnosis only: tracing
doubles the cost of every allocation.
"""

from __future__ import annotations

import gc
import os
import tracemalloc
from pathlib import Path
from typing import Any

from scrapy import signals

from benchmarks.measure import status_kb


class MemProbe:
    def __init__(self, crawler: Any) -> None:
        settings = crawler.settings
        self.marks = sorted(int(n) for n in str(settings.get("MEMPROBE_PAGES", "1000,4000")).split(","))
        self.out = Path(settings.get("MEMPROBE_OUT", "memprobe.txt"))
        self.frames = settings.getint("MEMPROBE_FRAMES", 6)
        self.seen = 0
        self.snapshots: list[tuple[int, tracemalloc.Snapshot]] = []
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.response, signal=signals.response_received)

    @classmethod
    def from_crawler(cls, crawler: Any) -> MemProbe:
        return cls(crawler)

    def opened(self, spider: Any = None) -> None:
        tracemalloc.start(self.frames)

    def response(self, response: Any = None, request: Any = None, spider: Any = None) -> None:
        self.seen += 1
        if self.marks and self.seen == self.marks[0]:
            self.marks.pop(0)
            gc.collect()
            self.snapshots.append((self.seen, tracemalloc.take_snapshot()))
            if len(self.snapshots) > 1:
                self.write()

    def write(self) -> None:
        (first_n, first), (last_n, last) = self.snapshots[0], self.snapshots[-1]
        traced = [snap.statistics("filename") for _, snap in self.snapshots]
        totals = ", ".join(f"{n}: {sum(s.size for s in st) / 1e6:.1f} MB"
                           for (n, _), st in zip(self.snapshots, traced, strict=True))
        rss_mb = (status_kb(os.getpid(), "VmRSS") or 0) / 1024
        lines = [f"traced Python memory at {totals}; RSS now {rss_mb:.0f} MB",
                 f"growth from {first_n} to {last_n} responses, by allocation site"]
        for stat in last.compare_to(first, "traceback")[:15]:
            lines.append(f"{stat.size_diff / 1e6:8.2f} MB  {stat.count_diff:+8d} blocks")
            lines += [f"      {frame}" for frame in stat.traceback.format()[-2 * self.frames:]]
        types: dict[str, int] = {}
        for obj in gc.get_objects():
            name = type(obj).__name__
            types[name] = types.get(name, 0) + 1
        lines.append("objects by type (gc-tracked): " + ", ".join(
            f"{name} {count}" for name, count in sorted(types.items(), key=lambda t: -t[1])[:25]))
        self.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
