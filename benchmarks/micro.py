"""In-process measurements: extraction per page, WARC writing, replay lookups.

- extraction: benchmarks.score_extraction's own timing (systems take turns on every HTML
  fixture page, median of repeats per page), coprod against trafilatura's bare_extraction.
- WARC writing: the same request/response records (real fixture pages) written by
  archive.warcwriter.RollingWarcWriter and by warcio's WARCWriter alone, in turns.
- replay lookup: ReplayIndex.find_captures(url), what `coprod replay show URL` asks, on a
  synthetic catalog grown to 10k, 100k and 1M captures.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.measure import spread
from benchmarks.site import load_templates

# -- extraction -----------------------------------------------------------------------------


def extraction(repeats: int) -> dict[str, Any]:
    """ms per page for coprod and trafilatura over every HTML fixture page."""
    from benchmarks.score_extraction import load_systems, run_timing, timing_pages
    from benchmarks.scoring import fixtures_root

    systems, unavailable = load_systems(["coprod", "trafilatura"])
    if unavailable:
        return {"error": f"not run: {unavailable}"}
    timing = run_timing(systems, timing_pages(fixtures_root()), repeats)
    out = {name: {k: round(v, 3) if isinstance(v, float) else v for k, v in t.items()
                  if k != "per_page_ms"} for name, t in timing.items()}
    out["repeats"] = repeats
    out["ratio_median"] = timing["coprod"]["median_ms"] / timing["trafilatura"]["median_ms"]
    out["ratio_p95"] = timing["coprod"]["p95_ms"] / timing["trafilatura"]["p95_ms"]
    return out


# -- WARC writing ---------------------------------------------------------------------------

_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %d\r\nServer: sandbox\r\n\r\n"
_REQUEST = (b"GET /s/000/a%06d.html HTTP/1.1\r\nHost: h00.bench.test\r\nUser-Agent: coprod\r\n"
            b"Accept: text/html\r\n\r\n")


def _records(pages: int, templates: list) -> list[tuple]:
    from archive import warcrecords

    out = []
    for n in range(pages):
        t = templates[n % len(templates)]
        body = t.copy(n)
        url = f"http://h00.bench.test/s/000/a{n:06d}.html"
        date = warcrecords.iso_date(1_700_000_000 + n)
        response = warcrecords.response_record(
            url, _HEAD % (t.content_type.encode(), len(body)), body, date=date)
        request = warcrecords.request_record(url, _REQUEST % n, date=date,
                                             concurrent_to=warcrecords.record_id(response))
        out.append((request, response))
    return out


def _coprod_write(directory: Path, pairs: list[tuple]) -> Path:
    from archive.warcwriter import RollingWarcWriter

    writer = RollingWarcWriter(directory, {"software": "bench"}, prefix="coprod", max_size=10**12)
    for request, response in pairs:
        writer.write_group([request, response])
    return writer.close()


def _warcio_write(directory: Path, pairs: list[tuple]) -> Path:
    from warcio.warcwriter import WARCWriter

    from archive.warcrecords import WARC_VERSION, warcinfo_record

    path = directory / "warcio.warc.gz"
    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=True, warc_version=WARC_VERSION)
        writer.write_record(warcinfo_record(path.name, {"software": "bench"}))
        for request, response in pairs:
            writer.write_record(request)
            writer.write_record(response)
    return path


def warc_writing(pages: int, runs: int) -> dict[str, Any]:
    """MB/s (record bytes before compression) of each writer, in turns, fresh records per run."""
    templates = load_templates()
    megabytes = sum(len(t.copy(n)) for n, t in
                    ((n, templates[n % len(templates)]) for n in range(pages))) / 1e6
    rates: dict[str, list[float]] = {"coprod": [], "warcio": []}
    sizes: dict[str, int] = {}
    for _ in range(runs):
        for name, write in (("coprod", _coprod_write), ("warcio", _warcio_write)):
            pairs = _records(pages, templates)  # records are streams: each writer gets its own
            with tempfile.TemporaryDirectory(prefix="warc-bench-") as tmp:
                started = time.perf_counter()
                path = write(Path(tmp), pairs)
                seconds = time.perf_counter() - started
                sizes[name] = path.stat().st_size
            rates[name].append(megabytes / seconds)
    return {"pages": pages, "megabytes": round(megabytes, 1),
            "coprod_mb_s": spread(rates["coprod"]), "warcio_mb_s": spread(rates["warcio"]),
            "file_bytes": sizes,
            "ratio": statistics.median(rates["coprod"]) / statistics.median(rates["warcio"])}


# -- replay lookup --------------------------------------------------------------------------


def _url(number: int) -> str:
    return f"https://h{number % 20:02d}.example.org/article/{number:07d}"


def _capture_rows(start: int, stop: int) -> Any:
    """Captures number start..stop-1: 20 hosts, 4 captures for every 3 URLs (some URLs are
    captured twice, on different dates), 5,000 captures per WARC file."""
    for n in range(start, stop):
        yield {
            "record_id": f"<urn:uuid:00000000-0000-4000-8000-{n:012d}>",
            "record_type": "response", "uri": _url(n * 3 // 4),
            "warc_date": f"2024-{1 + n % 12:02d}-{1 + n % 28:02d}T00:00:00Z", "status": 200,
            "mime": "text/html", "payload_digest": f"sha1:{n:032d}", "length": 100_000,
            "warc_file": f"coprod-2024-{n // 5000:05d}.warc.gz", "offset": (n % 5000) * 30_000,
            "record_length": 30_000, "refers_to": None,
        }


def replay_lookup(sizes: list[int], lookups: int = 2000) -> dict[str, Any]:
    """p50/p99 ms of a URL lookup as the catalog grows through `sizes` captures; a tenth of
    the lookups are URLs never captured."""
    from archive.catalog import Catalog
    from archive.replay_index import ReplayIndex

    out: dict[str, Any] = {}
    rng = random.Random(8)
    with tempfile.TemporaryDirectory(prefix="replay-bench-") as tmp:
        path = Path(tmp) / "catalog.sqlite"
        have = 0
        for size in sizes:
            started = time.perf_counter()
            with Catalog(path) as catalog, catalog.batch():
                for row in _capture_rows(have, size):
                    catalog.add_capture(**row)
            build = time.perf_counter() - started
            have = size
            urls = [_url(rng.randrange(size) * 3 // 4) for _ in range(lookups)]
            urls += [f"https://h{n % 20:02d}.example.org/missing/{n}" for n in range(lookups // 10)]
            rng.shuffle(urls)
            index = ReplayIndex(path, [])
            try:
                index.find_captures(urls[0])  # warm: the first query opens the file's pages
                times, found = [], 0
                for url in urls:
                    t0 = time.perf_counter()
                    found += bool(index.find_captures(url))
                    times.append((time.perf_counter() - t0) * 1000)
            finally:
                index.close()
            times.sort()
            out[str(size)] = {"p50_ms": round(times[len(times) // 2], 4),
                              "p99_ms": round(times[int(len(times) * 0.99) - 1], 4),
                              "max_ms": round(times[-1], 4), "found": found,
                              "lookups": len(times), "build_seconds": round(build, 1)}
    return out
