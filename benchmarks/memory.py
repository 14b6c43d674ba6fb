"""Memory through a long crawl: the crawl process's RSS sampled every second from outside.

Growth is measured after warm-up: the crawl's imports, the extraction workers' start and
the first WARC file are in its first fifth, so the baseline is the median RSS over the run's
second fifth (20-40 % of its time) and the end is the median over its last tenth. A crawl
that keeps something per page it should not (a growing index, a list of every response)
shows as growth; a crawl whose memory is flat shows none.
"""

from __future__ import annotations

import statistics
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


def memory_crawl(pages: int, hosts: int = 20, latency: float = 0.05) -> dict[str, Any]:
    bench = start_bench_web(pages, hosts, latency)
    try:
        crawl = run_coprod(bench, every=1.0, pss=True)
    finally:
        bench.stop()
    rss, pss = crawl.run.rss_mb, crawl.run.pss_mb
    curve = [(round(t), round(mb, 1)) for t, mb in rss[:: max(1, len(rss) // 40)]]
    return {
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
