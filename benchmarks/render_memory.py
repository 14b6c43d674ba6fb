"""Memory of a long rendering crawl: RSS and PSS of the crawler and of the browser, sampled
while `coprod doi` renders N JS pages (default 500) in Chromium.

    python -m benchmarks.render_memory [--pages 500] [--restart-every 100] [--interval 0.5]
                                       [--json OUT]

Each DOI resolves through doi.org to an app-shell page on one of 20 sandbox hosts whose
script fetch()es its paper as JSON (tests/pages/render_app_shell.html), so every page is
fetched, judged by the automatic check, rendered, screenshotted and archived: the real
path. The parent samples /proc for the `coprod` process tree: the Python crawler, the
Playwright driver (node) and every Chromium process. PSS counts a page shared between
Chromium's processes once, so the browser's PSS is the number to read; RSS sums would count
shared libraries once per process. Reported per 50 pages rendered: the highest sample in
that stretch. Flat memory = the last stretches no higher than the first ones after warm-up.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from crawler.sandbox import Response, SandboxWeb, Site

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "tests" / "pages" / "render_app_shell.html"
HOSTS = 20
STRETCH = 50  # pages per reported line


def build_site(pages: int) -> tuple[Site, list[str]]:
    site = Site()
    site.add_prefix("https://api.crossref.org/works/", Response(status=404, body="Resource not found."))
    site.add_prefix("https://api.datacite.org/dois/", Response(status=404, body="{}",
                                                               content_type="application/json"))
    dois = []
    for n in range(pages):
        doi, host = f"10.5555/render.{n}", f"app{n % HOSTS}.example"
        site.redirect(f"https://doi.org/{doi}", f"https://{host}/paper/{n}", 302)
        site.add(f"https://{host}/paper/{n}", file=PAGE)
        site.add(f"https://{host}/api/paper/{n}.json", content_type="application/json", body=json.dumps({
            "title": f"Co-producing public services with citizens, case {n}",
            "authors": [{"name": "Ann Example"}, {"name": "Bo Sample"}], "venue": "Journal of Tests",
            "publicationDate": "2024-01-01", "externalIds": {"DOI": doi},
            "abstract": "How service users and staff co-produce care. " * 8,
        }))
        dois.append(doi)
    return site, dois


def process_tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def memory_kb(pid: int) -> tuple[int, int]:
    """(RSS, PSS) in kB from smaps_rollup; (0, 0) for a process that is gone."""
    rss = pss = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss = int(line.split()[1])
            elif line.startswith("Pss:"):
                pss = int(line.split()[1])
    except (OSError, ValueError):
        pass
    return rss, pss


def kind(pid: int, root: int) -> str:
    if pid == root:
        return "python"
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0]
    except OSError:
        return "other"
    return "browser" if b"chrom" in command else "driver" if b"node" in command else "other"


def _parent(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return 0


def sample(root: int, browsers: set[int]) -> dict[str, float]:
    """Memory by kind of process now; adds the browser main processes seen to `browsers`."""
    totals: dict[str, float] = {"python_rss": 0, "browser_rss": 0, "browser_pss": 0,
                                "driver_rss": 0, "processes": 0}
    for pid in process_tree(root):
        rss, pss = memory_kb(pid)
        what = kind(pid, root)
        if what == "browser" and kind(_parent(pid), root) != "browser":
            browsers.add(pid)
        totals["processes"] += 1
        if what == "python":
            totals["python_rss"] += rss / 1024
        elif what == "browser":
            totals["browser_rss"] += rss / 1024
            totals["browser_pss"] += pss / 1024
        elif what == "driver":
            totals["driver_rss"] += rss / 1024
    return totals


def run(pages: int, restart_every: int, interval: float) -> dict:
    site, dois = build_site(pages)
    samples: list[dict[str, float]] = []
    browsers: set[int] = set()
    with SandboxWeb(site) as web, tempfile.TemporaryDirectory() as tmp:
        dois_file = Path(tmp, "dois.txt")
        dois_file.write_text("\n".join(dois) + "\n")
        command = [sys.executable, "-m", "crawler", "doi", "--file", str(dois_file),
                   "--data-dir", str(Path(tmp, "data")), "-o", str(Path(tmp, "out.jsonl")),
                   "--delay", "0", "-s", f"COPROD_RENDER_RESTART_EVERY={restart_every}", "-q"]
        for rule in web.resolve_rules:
            command += ["--resolve", rule]
        started = time.monotonic()
        process = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, text=True,
                                   env={**os.environ, "PYTHONPATH": str(ROOT)})
        stderr: list[str] = []
        reader = threading.Thread(target=lambda: stderr.extend(process.stderr), daemon=True)
        reader.start()
        while process.poll() is None:
            rendered = sum(1 for h in web.hits if h.path.startswith("/api/paper/"))
            now = sample(process.pid, browsers)
            samples.append({"t": time.monotonic() - started, "rendered": rendered, **now})
            time.sleep(interval)
        reader.join(timeout=5)
        seconds = time.monotonic() - started
        records = sum(1 for line in Path(tmp, "out.jsonl").read_text().splitlines() if line.strip())
        warc_bytes = sum(p.stat().st_size for p in Path(tmp, "data", "warcs").glob("*.warc.gz"))
    stretches = []
    for start in range(0, pages, STRETCH):
        inside = [s for s in samples if start < s["rendered"] <= start + STRETCH]
        if inside:
            stretches.append({
                "pages": f"{start + 1}-{start + STRETCH}",
                **{key: round(max(s[key] for s in inside), 1)
                   for key in ("python_rss", "browser_pss", "browser_rss", "driver_rss", "processes")},
            })
    return {"pages": pages, "restart_every": restart_every, "seconds": round(seconds, 1),
            "pages_per_second": round(pages / seconds, 2), "records": records,
            "exit": process.returncode, "warc_mb": round(warc_bytes / 2**20, 1),
            "browsers_started": len(browsers),
            "stretches": stretches, "stderr_tail": "".join(stderr[-5:])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=500)
    parser.add_argument("--restart-every", type=int, default=100)
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between samples")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    result = run(args.pages, args.restart_every, args.interval)
    print(f"{result['pages']} pages in {result['seconds']} s ({result['pages_per_second']}/s), "
          f"{result['records']} records, exit {result['exit']}, WARC {result['warc_mb']} MB, "
          f"{result['browsers_started']} browser(s) started (restart every {result['restart_every']} pages)")
    print(f"{'pages':>9} {'python RSS':>11} {'browser PSS':>12} {'browser RSS':>12} "
          f"{'driver RSS':>11} {'procs':>6}   (MB, highest sample)")
    for row in result["stretches"]:
        print(f"{row['pages']:>9} {row['python_rss']:>11} {row['browser_pss']:>12} "
              f"{row['browser_rss']:>12} {row['driver_rss']:>11} {row['processes']:>6.0f}")
    if result["exit"] != 0:
        print(result["stderr_tail"], file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
