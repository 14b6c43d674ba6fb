"""`coprod bench`: coprod against the tools a user would pick instead, side by side, on the
sandbox web (see benchmarks/README.md for what each part measures and how).

    python -m benchmarks.harness [--quick] [--json FILE] [--parts pipeline,extraction,...]

Parts: pipeline (with archive overhead), extraction, warc, replay, memory, doi. Each result
is the median of its runs with min and max; quick mode runs fewer pages and runs and says so.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.measure import load_average, spread
from crawler.commands.bench import PARTS, configure  # the options, shared with `coprod bench`

# key: (comparison, target)
TARGETS: dict[str, tuple[str, float]] = {
    "coprod_vs_scrapy": (">=", 0.5),
    "coprod_vs_wget": (">=", 5.0),
    "archive_overhead": ("<=", 0.10),
    "extract_vs_trafilatura": ("<=", 0.25),
    "warc_write_vs_warcio": (">=", 0.9),
    "replay_p99_ms": ("<=", 10.0),
    "rss_growth": ("<=", 0.10),
    "rss_peak_mb": ("<=", 400.0),
    "doi_seconds": ("<=", 2.0),
}


def plan(quick: bool) -> dict[str, Any]:
    """What each part does in full and in quick mode."""
    if quick:
        return {"mode": "quick", "site_pages": 200, "runs": 1, "peers_extra": False,
                "extraction_repeats": 1, "warc_pages": 100, "warc_runs": 1,
                "replay_sizes": [10_000, 100_000], "memory_pages": 10_000, "doi_runs": 1}
    return {"mode": "full", "site_pages": 1000, "runs": 3, "peers_extra": True,
            "extraction_repeats": 5, "warc_pages": 500, "warc_runs": 3,
            "replay_sizes": [10_000, 100_000, 1_000_000], "memory_pages": 100_000, "doi_runs": 3}


# -- parts ------------------------------------------------------------------------------------


def part_pipeline(p: dict[str, Any], log: Callable[[str], None]) -> dict[str, Any]:
    """Each tool in turn, `runs` rounds, on one site; coprod also with archiving off."""
    from benchmarks import webarchive
    from benchmarks.crawls import run_coprod, run_scrapy, run_wget, wget_path
    from benchmarks.site import start_bench_web

    bench = start_bench_web(p["site_pages"])
    site = {"pages": bench.site.pages, "index_pages": bench.site.index_pages,
            "requests": bench.site.requests, "hosts": len(bench.site.host_names),
            "latency_ms": bench.web.latency * 1000,
            "mean_page_kb": round(bench.site.mean_article_bytes() / 1000, 1)}
    tools: dict[str, Callable[[], Any]] = {
        "coprod": lambda: run_coprod(bench),
        "coprod_no_archive": lambda: run_coprod(bench, archive=False),
        "scrapy": lambda: run_scrapy(bench),
    }
    notes: dict[str, str] = {}
    if wget_path():
        tools["wget"] = lambda: run_wget(bench)
    else:
        notes["wget"] = "not installed (apt-get install wget)"
    try:
        interpreter, version = webarchive.python()
        tools["scrapy_webarchive"] = lambda: run_scrapy(bench, python=interpreter, webarchive=True)
        tools["scrapy_2_11"] = lambda: run_scrapy(bench, python=interpreter)
        notes["scrapy_webarchive"] = f"scrapy-webarchive 0.5.3 on Scrapy {version}, own venv"
    except webarchive.Unavailable as error:
        notes["scrapy_webarchive"] = f"not run: {error}"
    if p["peers_extra"]:
        tools["scrapy_trafilatura"] = lambda: run_scrapy(bench, trafilatura=True)
    runs: dict[str, list[Any]] = {name: [] for name in tools}
    try:
        for round_ in range(p["runs"]):
            for name, run in tools.items():
                if name == "scrapy_trafilatura" and round_:
                    continue  # a reference point, one run is enough
                log(f"pipeline: {name}, run {round_ + 1}/{p['runs']} (load {load_average():.1f})")
                result = run()
                runs[name].append(result)
                if not result.complete:
                    notes[name] = (f"incomplete: {result.fetched}/{result.expected} pages, exit "
                                   f"{result.run.exit}: {result.run.stderr[-300:]}")
    finally:
        bench.stop()
    out: dict[str, Any] = {"site": site, "notes": notes, "tools": {}}
    for name, results in runs.items():
        out["tools"][name] = {
            "pages_per_second": spread([r.pages_per_second for r in results]),
            "seconds": spread([r.run.seconds for r in results]),
            "cpu_seconds": spread([r.run.cpu_seconds for r in results]),
            "main_cpu_seconds": spread([r.run.main_cpu_seconds for r in results]),
            "max_rss_mb": max(r.run.max_rss_mb for r in results),
            "runs": [r.summary() for r in results],
        }
    tools_out = out["tools"]
    speed = {k: v["pages_per_second"]["median"] for k, v in tools_out.items()}
    out["coprod_vs_scrapy"] = speed["coprod"] / speed["scrapy"]
    if "wget" in speed:
        out["coprod_vs_wget"] = speed["coprod"] / speed["wget"]
    if "scrapy_webarchive" in speed:
        out["coprod_vs_scrapy_webarchive"] = speed["coprod"] / speed["scrapy_webarchive"]
    cpu_on = tools_out["coprod"]["cpu_seconds"]["median"]
    cpu_off = tools_out["coprod_no_archive"]["cpu_seconds"]["median"]
    out["archive_overhead"] = cpu_on / cpu_off - 1
    return out


def part_extraction(p: dict[str, Any], log: Callable[[str], None]) -> dict[str, Any]:
    from benchmarks.micro import extraction

    log(f"extraction: every HTML fixture page, {p['extraction_repeats']} repeats")
    out = extraction(p["extraction_repeats"])
    out["extract_vs_trafilatura"] = out.get("ratio_median")
    return out


def part_warc(p: dict[str, Any], log: Callable[[str], None]) -> dict[str, Any]:
    from benchmarks.micro import warc_writing

    log(f"warc: {p['warc_pages']} request/response pairs, {p['warc_runs']} runs")
    out = warc_writing(p["warc_pages"], p["warc_runs"])
    out["warc_write_vs_warcio"] = out["ratio"]
    return out


def part_replay(p: dict[str, Any], log: Callable[[str], None]) -> dict[str, Any]:
    from benchmarks.micro import replay_lookup

    log(f"replay: lookups at {', '.join(f'{s:,}' for s in p['replay_sizes'])} captures")
    sizes = replay_lookup(p["replay_sizes"])
    largest = sizes[str(p["replay_sizes"][-1])]
    smallest = sizes[str(p["replay_sizes"][0])]
    return {"sizes": sizes, "largest": p["replay_sizes"][-1], "replay_p99_ms": largest["p99_ms"],
            "p99_growth_vs_smallest": largest["p99_ms"] / smallest["p99_ms"]}


def part_memory(p: dict[str, Any], log: Callable[[str], None]) -> dict[str, Any]:
    from benchmarks.memory import memory_crawl

    log(f"memory: coprod crawl of {p['memory_pages']:,} pages, RSS every second")
    return memory_crawl(p["memory_pages"])


def part_doi(p: dict[str, Any], log: Callable[[str], None]) -> dict[str, Any]:
    """One DOI, process start to exit, with --delay 0 (the machine's cost) and with coprod's
    default politeness (its per-host delays after each robots.txt)."""
    from benchmarks.doi_batch import FIXTURES, pick_dois, run_once
    from crawler.sandbox import SandboxWeb, fixture_site

    fixtures = fixture_site(FIXTURES)
    dois = pick_dois(fixtures, 1)
    out: dict[str, Any] = {"doi": dois[0], "latency_ms": 50}
    with SandboxWeb(fixtures.site, latency=0.05) as web:
        for label, delay in (("delay_0", 0.0), ("default_politeness", None)):
            log(f"doi: {dois[0]}, {label}, {p['doi_runs']} runs")
            runs = [run_once(dois, web, delay) for _ in range(p["doi_runs"])]
            out[label] = {"seconds": spread([r["seconds"] for r in runs]),
                          "records": runs[-1]["records"], "exit": runs[-1]["exit"]}
    out["doi_seconds"] = out["delay_0"]["seconds"]["median"]
    return out


RUNNERS: dict[str, Callable[[dict[str, Any], Callable[[str], None]], dict[str, Any]]] = {
    "pipeline": part_pipeline, "extraction": part_extraction, "warc": part_warc,
    "replay": part_replay, "memory": part_memory, "doi": part_doi,
}
HEADLINE_FROM = {"coprod_vs_scrapy": "pipeline", "coprod_vs_wget": "pipeline",
                 "archive_overhead": "pipeline", "extract_vs_trafilatura": "extraction",
                 "warc_write_vs_warcio": "warc", "replay_p99_ms": "replay",
                 "rss_growth": "memory", "rss_peak_mb": "memory", "doi_seconds": "doi"}


# -- the run ----------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    import os
    from importlib.metadata import version

    model = next((line.split(":", 1)[1].strip() for line in
                  Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
                 platform.processor())
    mem = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal:")), 0)
    return {"nproc": os.cpu_count(), "cpu": model, "ram_gb": round(mem / 1024 / 1024, 1),
            "python": platform.python_version(), "scrapy": version("scrapy"),
            "twisted": version("twisted"), "trafilatura": version("trafilatura"),
            "warcio": version("warcio"), "lxml": version("lxml"), "platform": platform.platform()}


def run(parts: list[str], quick: bool, log: Callable[[str], None],
        overrides: dict[str, Any] | None = None,
        save: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
    """Every part in turn; `save(result)` after each, so a long run keeps what it measured."""
    import os

    # Bytecode is cached as in any installed copy (this environment turns caching off,
    # which would make every process compile coprod and its libraries afresh).
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    p = {**plan(quick), **(overrides or {})}
    result: dict[str, Any] = {"plan": p, "machine": machine(),
                              "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                              "load_before": load_average(), "parts": {}}
    for name in parts:
        started = time.perf_counter()
        try:
            result["parts"][name] = RUNNERS[name](p, log)
        except Exception as error:  # a part that cannot run is reported, the others go on
            result["parts"][name] = {"error": f"{type(error).__name__}: {error}"}
            log(f"{name}: FAILED: {type(error).__name__}: {error}")
        result["parts"][name]["part_seconds"] = round(time.perf_counter() - started, 1)
        result["parts"][name]["load_after"] = load_average()
        if save is not None:
            save(result)
    for key, part in HEADLINE_FROM.items():
        value = result["parts"].get(part, {}).get(key)
        if value is not None:
            result[key] = value
    result["checks"] = checks(result)
    result["load_after"] = load_average()
    return result


def checks(result: dict[str, Any]) -> dict[str, bool]:
    out = {}
    for key, (op, target) in TARGETS.items():
        if (value := result.get(key)) is not None:
            out[key] = value >= target if op == ">=" else value <= target
    return out


def table(result: dict[str, Any]) -> str:
    """The headline numbers against their targets, as Markdown."""
    rows = ["| measure | coprod | target | met |", "|---|---|---|---|"]
    for key, (op, target) in TARGETS.items():
        value = result.get(key)
        shown = "not run" if value is None else f"{value:.3g}"
        met = {True: "yes", False: "**no**"}.get(result["checks"].get(key), "-")
        rows.append(f"| `{key}` | {shown} | {op} {target:g} | {met} |")
    return "\n".join(rows)


def details(result: dict[str, Any]) -> list[str]:
    """A few lines per part: the numbers behind the headline."""
    lines = []
    parts = result["parts"]
    if (pipe := parts.get("pipeline")) and "tools" in pipe:
        site = pipe["site"]
        lines.append(f"pipeline: {site['pages']} pages + {site['index_pages']} index pages, "
                     f"{site['hosts']} hosts, {site['latency_ms']:.0f} ms latency, mean page "
                     f"{site['mean_page_kb']} KB")
        for name, t in pipe["tools"].items():
            s, c = t["pages_per_second"], t["cpu_seconds"]
            lines.append(f"  {name:<20} {s['median']:7.1f} pages/s (min {s['min']:.1f}, max "
                         f"{s['max']:.1f}, {s['runs']} runs)  CPU {c['median']:6.1f} s")
        for name, note in pipe["notes"].items():
            lines.append(f"  {name}: {note}")
    if (ext := parts.get("extraction")) and "coprod" in ext:
        lines.append(f"extraction ms/page over {ext['coprod']['pages']} pages: coprod median "
                     f"{ext['coprod']['median_ms']:.1f} p95 {ext['coprod']['p95_ms']:.1f}; "
                     f"trafilatura median {ext['trafilatura']['median_ms']:.1f} p95 "
                     f"{ext['trafilatura']['p95_ms']:.1f}")
    if (warc := parts.get("warc")) and "coprod_mb_s" in warc:
        lines.append(f"warc: coprod {warc['coprod_mb_s']['median']:.1f} MB/s, warcio "
                     f"{warc['warcio_mb_s']['median']:.1f} MB/s ({warc['megabytes']} MB)")
    if (replay := parts.get("replay")) and "sizes" in replay:
        lines.append("replay lookup p50/p99 ms: " + ", ".join(
            f"{int(k):,}: {v['p50_ms']:.3f}/{v['p99_ms']:.3f}" for k, v in replay["sizes"].items()))
    if (mem := parts.get("memory")) and "rss_peak_mb" in mem:
        lines.append(f"memory: {mem['fetched']:,} pages at {mem['pages_per_second']:.1f}/s; RSS "
                     f"{mem['rss_baseline_mb']:.0f} -> {mem['rss_end_mb']:.0f} MB, peak "
                     f"{mem['rss_peak_mb']:.0f} MB; all processes (PSS) peak "
                     f"{mem['tree_pss_peak_mb'] or 0:.0f} MB; pace "
                     f"{mem['pages_per_second_first_tenth'] or 0:.1f} pages/s in the first tenth, "
                     f"{mem['pages_per_second_last_tenth'] or 0:.1f} in the last")
    if (doi := parts.get("doi")) and "delay_0" in doi:
        lines.append(f"doi: {doi['doi']}: {doi['delay_0']['seconds']['median']:.2f} s with "
                     f"--delay 0, {doi['default_politeness']['seconds']['median']:.2f} s with "
                     "default politeness")
    for name, part in parts.items():
        if "error" in part:
            lines.append(f"{name}: {part['error']}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.harness",
                                     description=__doc__.split("\n")[0])
    configure(parser)
    return execute(parser.parse_args(argv))


def plan_overrides(items: list[str], quick: bool) -> dict[str, Any]:
    """--plan KEY=VALUE pairs as a dict; ValueError naming a bad one."""
    known, out = plan(quick), {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or key not in known or key == "mode":
            raise ValueError(f"--plan {item!r}: expected KEY=VALUE with KEY one of "
                             f"{', '.join(k for k in known if k != 'mode')}")
        try:
            out[key] = json.loads(value)
        except json.JSONDecodeError:
            raise ValueError(f"--plan {item!r}: the value is not JSON") from None
        if type(out[key]) is not type(known[key]):
            raise ValueError(f"--plan {item!r}: expected a {type(known[key]).__name__}")
    return out


def execute(args: argparse.Namespace) -> int:
    parts = [name for name in args.parts.split(",") if name]
    if unknown := [name for name in parts if name not in RUNNERS]:
        print(f"coprod bench: unknown part(s) {', '.join(unknown)} (one of {', '.join(PARTS)})",
              file=sys.stderr)
        return 2

    try:
        overrides = plan_overrides(args.plan, args.quick)
    except ValueError as error:
        print(f"coprod bench: {error}", file=sys.stderr)
        return 2

    def log(text: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)

    def save(result: dict[str, Any]) -> None:
        if args.json:
            args.json.write_text(json.dumps(result, indent=2, default=str) + "\n", encoding="utf-8")

    result = run(parts, args.quick, log, overrides, save)
    changed = f"; plan changed: {overrides}" if overrides else ""
    print(f"coprod bench ({result['plan']['mode']} mode{changed}; load average {result['load_before']:.1f} "
          f"before, {result['load_after']:.1f} after; {result['machine']['nproc']} cores)")
    print(table(result))
    print("\n".join(details(result)))
    save(result)
    # Exit 1 when a part could not run; a missed target is a result, reported above.
    return 1 if any("error" in part for part in result["parts"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())

