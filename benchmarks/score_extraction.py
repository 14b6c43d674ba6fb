"""Extraction accuracy and speed: coprod against trafilatura and meta tags on the same real pages.

    python -m benchmarks.score_extraction [--json OUT] [--repeats N] [--no-timing] [--misses N]

Accuracy: every hand-written label in benchmarks/expected/ is run through each system
that handles its kind (HTML pages: all three; API JSON / XML: coprod only) and scored
field by field (benchmarks/scoring.py). Speed: every HTML page in the fixture folders,
each run --repeats times per system (median kept per page), reported as median and p95
milliseconds per page and as coprod's ratio to trafilatura's bare_extraction.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from benchmarks.scoring import (
    FIELDS,
    TARGETS,
    PageScore,
    content_type,
    fixtures_root,
    is_html,
    load_labels,
    misses,
    score_page,
    summarise,
)
from benchmarks.systems import SYSTEMS, Predict

TIMING_DIRS = ("publisher_html", "repository_html", "other")
SPEED_TARGETS = {"median": 0.25, "p95": 0.5}  # coprod time / trafilatura time


def load_systems(names: list[str]) -> tuple[dict[str, Predict], dict[str, str]]:
    """Ready systems, and the reason for each one that could not load (coprod before dispatch lands)."""
    ready, unavailable = {}, {}
    for name in names:
        try:
            ready[name] = SYSTEMS[name][0]()
        except ImportError as exc:
            unavailable[name] = f"{type(exc).__name__}: {exc}"
    return ready, unavailable


def run_accuracy(labels: list[dict[str, Any]], systems: dict[str, Predict],
                 root: Path) -> dict[str, list[PageScore]]:
    """PageScores per system over every label that system handles."""
    results: dict[str, list[PageScore]] = {name: [] for name in systems}
    for label in labels:
        body = (root / label["fixture"]).read_bytes()
        headers = {"Content-Type": content_type(label["fixture"])}
        for name, predict in systems.items():
            if not SYSTEMS[name][1] and not is_html(label["fixture"]):
                continue
            try:
                got, error = predict(label["url"], headers, body), None
            except Exception as exc:  # a crash is a miss on every field, and is reported
                got, error = None, f"{type(exc).__name__}: {exc}"
                traceback.print_exc(limit=3, file=sys.stderr)
            results[name].append(score_page(label, got, name, error))
    return results


def timing_pages(root: Path) -> list[Path]:
    return sorted(p for d in TIMING_DIRS for p in (root / d).glob("*.htm*"))


def run_timing(systems: dict[str, Predict], pages: list[Path], repeats: int) -> dict[str, dict[str, Any]]:
    """Per system: median-of-repeats ms for each page, then median and p95 over pages.

    Systems take turns on each page (not one system over all pages, then the next), so
    load from other processes on the machine falls on all of them alike.
    """
    per_page: dict[str, list[float]] = {name: [] for name in systems}
    headers = {"Content-Type": "text/html; charset=utf-8"}
    for path in pages:
        body = path.read_bytes()
        url = f"https://example.org/{path.name}"
        runs: dict[str, list[float]] = {name: [] for name in systems}
        for predict in systems.values():
            _call(predict, url, headers, body)  # warm-up: imports, caches, first-call costs
        for _ in range(repeats):
            for name, predict in systems.items():
                start = time.perf_counter()
                _call(predict, url, headers, body)
                runs[name].append((time.perf_counter() - start) * 1000)
        for name in systems:
            per_page[name].append(statistics.median(runs[name]))
    names = [p.name for p in pages]
    return {name: {"pages": len(times), "median_ms": statistics.median(times),
                   "p95_ms": _percentile(times, 95),
                   "per_page_ms": dict(zip(names, (round(v, 3) for v in times), strict=True))}
            for name, times in per_page.items()}


def _call(predict: Predict, url: str, headers: dict[str, str], body: bytes) -> None:
    try:
        predict(url, headers, body)
    except Exception:  # timing still counts pages a system fails on
        pass


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def report(labels: list[dict[str, Any]], results: dict[str, list[PageScore]],
           timing: dict[str, dict[str, Any]] | None, unavailable: dict[str, str]) -> dict[str, Any]:
    """The numbers, by subset: html (all systems, same pages), api (coprod only), all (coprod)."""
    subsets: dict[str, dict[str, Any]] = {"html": {}, "api": {}, "all": {}}
    for name, pages in results.items():
        html = [p for p in pages if is_html(p.fixture)]
        api = [p for p in pages if not is_html(p.fixture)]
        subsets["html"][name] = summarise(html)
        if SYSTEMS[name][1]:
            subsets["api"][name] = summarise(api)
            subsets["all"][name] = summarise(pages)
    numbers: dict[str, Any] = {
        "labels": len(labels),
        "html_labels": sum(is_html(lab["fixture"]) for lab in labels),
        "unavailable": unavailable,
        "accuracy": subsets,
        "targets": TARGETS,
    }
    if "coprod" in results:
        numbers["checks"] = _checks(subsets, timing)
        numbers["coprod_misses"] = misses(results["coprod"])
        numbers["coprod_errors"] = sorted({p.fixture: p.error for p in results["coprod"] if p.error}.items())
    if timing:
        numbers["timing"] = timing
    return numbers


def _checks(subsets: dict[str, Any], timing: dict[str, Any] | None) -> dict[str, bool]:
    """The issue's acceptance checks: targets on all labels, >= both baselines on the HTML pages."""
    checks = {}
    coprod_all, coprod_html = subsets["all"]["coprod"], subsets["html"]["coprod"]
    for name, target in TARGETS.items():
        checks[f"{name} >= {target}"] = coprod_all.get(name, {}).get("accuracy", 0) >= target
    for name in FIELDS:
        for base in ("trafilatura", "meta"):
            if base in subsets["html"] and name in subsets["html"][base]:
                checks[f"{name} >= {base} (html)"] = (
                    coprod_html.get(name, {}).get("accuracy", 0) >= subsets["html"][base][name]["accuracy"])
    if timing and "coprod" in timing and "trafilatura" in timing:
        for stat, limit in SPEED_TARGETS.items():
            ratio = timing["coprod"][f"{stat}_ms"] / timing["trafilatura"][f"{stat}_ms"]
            checks[f"speed {stat} <= {limit}x trafilatura"] = ratio <= limit
    return checks


def print_report(numbers: dict[str, Any], show_misses: int) -> None:
    print(f"labels: {numbers['labels']} ({numbers['html_labels']} HTML pages, "
          f"{numbers['labels'] - numbers['html_labels']} API/XML responses)")
    for name, reason in numbers["unavailable"].items():
        print(f"  {name}: not run ({reason})")
    for subset, title in (("html", "HTML pages, same files for every system"),
                          ("api", "API JSON / XML responses"), ("all", "all labels")):
        systems = numbers["accuracy"][subset]
        if not systems:
            continue
        print(f"\n{title}: accuracy (correct/n)")
        print(f"{'field':<26}" + "".join(f"{s:>20}" for s in systems))
        for field in FIELDS:
            cells = []
            for s in systems:
                row = systems[s].get(field)
                cells.append(f"{row['accuracy']:.3f} ({row['correct']}/{row['n']})" if row else "-")
            if any(c != "-" for c in cells):
                print(f"{field:<26}" + "".join(f"{c:>20}" for c in cells))
        for field, label in (("authors", "mean author F1"), ("abstract", "mean abstract similarity")):
            cells = [f"{systems[s][field].get('mean_measure', 0):.3f}" if field in systems[s] else "-"
                     for s in systems]
            print(f"{label:<26}" + "".join(f"{c:>20}" for c in cells))
    timing = numbers.get("timing")
    if timing:
        print(f"\nspeed over {next(iter(timing.values()))['pages']} HTML fixture pages (ms per page)")
        base = timing.get("trafilatura")
        for name, t in timing.items():
            ratio = (f"  {t['median_ms'] / base['median_ms']:.2f}x / {t['p95_ms'] / base['p95_ms']:.2f}x"
                     " trafilatura" if base and name != "trafilatura" else "")
            print(f"{name:<12} median {t['median_ms']:8.2f}   p95 {t['p95_ms']:8.2f}{ratio}")
    if "checks" in numbers:
        print("\nacceptance checks")
        for check, ok in numbers["checks"].items():
            print(f"  [{'ok' if ok else 'FAIL'}] {check}")
        if numbers["coprod_errors"]:
            print("\ncoprod raised or returned no record on:")
            for fixture, error in numbers["coprod_errors"]:
                print(f"  {fixture}: {error}")
        rows = numbers["coprod_misses"][:show_misses]
        if rows:
            print(f"\ncoprod misses (worst first, {len(rows)} of {len(numbers['coprod_misses'])})")
            for r in rows:
                measure = f" [{r['measure']:.2f}]" if r["measure"] is not None else ""
                print(f"  {r['fixture']} {r['field']}{measure}\n    expected: {_short(r['expected'])}"
                      f"\n    got:      {_short(r['got'])}")


def _short(value: Any, width: int = 150) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= width else text[: width - 3] + "..."


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.score_extraction",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--json", type=Path, help="write the numbers to this file")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per page and system (default 5)")
    parser.add_argument("--no-timing", action="store_true", help="accuracy only")
    parser.add_argument("--misses", type=int, default=40, help="coprod misses to print (default 40)")
    parser.add_argument("--systems", default=",".join(SYSTEMS),
                        help="comma-separated subset of " + ",".join(SYSTEMS))
    args = parser.parse_args(argv)
    root = fixtures_root()
    if not root.is_dir():
        print(f"fixtures not found at {root} (set COPROD_FIXTURES)", file=sys.stderr)
        return 2
    names = [n for n in args.systems.split(",") if n]
    if unknown := set(names) - set(SYSTEMS):
        parser.error(f"unknown system(s): {', '.join(sorted(unknown))}")
    systems, unavailable = load_systems(names)
    labels = load_labels()
    results = run_accuracy(labels, systems, root)
    timing = None if args.no_timing else run_timing(systems, timing_pages(root), args.repeats)
    numbers = report(labels, results, timing, unavailable)
    print_report(numbers, args.misses)
    if args.json:
        text = json.dumps(numbers, ensure_ascii=False, indent=2, default=str)
        args.json.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
