"""Memory through a long crawl: the crawl process's RSS sampled every second from outside.

Growth is measured after warm-up: the crawl's imports, the extraction workers' start and
the first WARC file are in its first fifth, so the baseline is the median RSS over the run's
second fifth (20-40 % of its time) and the end is the median over its last tenth. A crawl
that keeps something per page it should not (a growing index, a list of every response)
shows as growth; a crawl whose memory is flat shows none. The pace is sampled too (pages
served per second in the first and last tenth): per-page work that grows with the crawl
shows as a slower end.
"""

from __future__ import annotations

import statistics
import threading
import time
from typing import Any

from benchmarks.crawls import run_coprod
from benchmarks.site import start_bench_web


def window(samples: list[tuple[float, float]], start: float, stop: float) -> list[float]:
    """Values of the samples taken between fractions `start` and `stop` of the run."""
    if not samples:
        return []
    end = samples[-1][0]
    return [mb for t, mb in samples if start * end <= t <= stop * end]


def growth(samples: list[tuple[float, float]]) -> float | None:
    base, last = window(samples, 0.2, 0.4), window(samples, 0.9, 1.0)
    if not base or not last:
        return None
    return statistics.median(last) / statistics.median(base) - 1


def _rate(served: list[tuple[float, int]], start: float, stop: float) -> float | None:
    """Pages per second served between fractions `start` and `stop` of the run."""
    if len(served) < 2:
        return None
    end = served[-1][0]
    inside = [(t, n) for t, n in served if start * end <= t <= stop * end]
    if len(inside) < 2 or inside[-1][0] == inside[0][0]:
        return None
    return (inside[-1][1] - inside[0][1]) / (inside[-1][0] - inside[0][0])


def memory_crawl(pages: int, hosts: int = 20, latency: float = 0.05) -> dict[str, Any]:
    bench = start_bench_web(pages, hosts, latency)
    served: list[tuple[float, int]] = []  # (seconds, pages served): the crawl's pace
    done = threading.Event()

    def count() -> None:
        started = time.perf_counter()
        while not done.wait(2.0):
            served.append((time.perf_counter() - started, bench.site.served))

    counter = threading.Thread(target=count, daemon=True)
    try:
        counter.start()
        crawl = run_coprod(bench, every=1.0, pss=True)
    finally:
        done.set()
        bench.stop()
    rss, pss = crawl.run.rss_mb, crawl.run.pss_mb
    curve = [(round(t), round(mb, 1)) for t, mb in rss[:: max(1, len(rss) // 40)]]
    return {
        "pages_per_second_first_tenth": _rate(served, 0.0, 0.1),
        "pages_per_second_last_tenth": _rate(served, 0.9, 1.0),
        **crawl.summary(),
        "pages": pages,
        "rss_growth": growth(rss),
        "rss_peak_mb": max((mb for _, mb in rss), default=crawl.run.max_rss_mb),
        "rss_baseline_mb": statistics.median(window(rss, 0.2, 0.4) or [0]),
        "rss_end_mb": statistics.median(window(rss, 0.9, 1.0) or [0]),
        "tree_pss_peak_mb": max((mb for _, mb in pss), default=None),
        "tree_pss_growth": growth(pss),
        "rss_curve": curve,  # (seconds, MB), about 40 points
    }
