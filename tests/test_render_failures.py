"""Rendering when things go wrong, in real Chromium: pages that never settle time out cleanly
and are recorded as failures; a browser killed mid-crawl is replaced and the crawl goes on."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from crawler.sandbox import Response, SandboxWeb, Site
from tests.cli_runner import coprod_command, json_lines, run_coprod
from tests.conftest import PROJECT_ROOT
from tests.test_render_browser import (
    PAGES,
    add_app_paper,
    pytestmark,  # noqa: F401 - skip without Chromium, as there
    registration_agencies_know_nothing,
    render_logs,
    warc_records,
)

TIMEOUT = 4  # COPROD_RENDER_TIMEOUT for the hanging pages


def test_pages_that_never_settle_time_out_and_are_recorded_as_failures(tmp_path: Path):
    site = Site()
    registration_agencies_know_nothing(site)
    shell = (PAGES / "render_app_shell.html").read_bytes()
    # the served page arrives whole for Scrapy; for the browser it stops after 200 bytes
    site.redirect("https://doi.org/10.5555/hang.1", "https://stall.example/paper/1", 302)
    site.add_sequence("https://stall.example/paper/1", [
        Response(body=shell, content_type="text/html; charset=utf-8"),
        Response(body=shell, content_type="text/html; charset=utf-8", cut="stall", cut_after=200,
                 stall_seconds=60),
    ])
    # the page loads, then its script never yields again
    site.redirect("https://doi.org/10.5555/hang.2", "https://busy.example/paper/2", 302)
    site.add("https://busy.example/paper/2", file=PAGES / "render_busy_loop.html")
    ok = add_app_paper(site, "papers.example", 3, "10.5555/ok.3")
    started = time.monotonic()
    with SandboxWeb(site) as web:
        done = run_coprod("doi", "10.5555/hang.1", "10.5555/hang.2", "10.5555/ok.3", "--render",
                          "-s", f"COPROD_RENDER_TIMEOUT={TIMEOUT}", data_dir=tmp_path,
                          resolve=web.resolve_rules, timeout=90)
        browser_hits = [h for h in web.hits if h.host in ("stall.example", "busy.example")]
    elapsed = time.monotonic() - started
    assert done.returncode == 1, done.stderr[-3000:]
    assert elapsed < 40
    failures = {line.split(": ")[1]: line for line in done.stderr.splitlines()
                if line.startswith("coprod: 10.5555/")}
    expected = f"RenderTimeout: page did not load and settle within {TIMEOUT} s"
    assert set(failures) == {"10.5555/hang.1", "10.5555/hang.2"}
    assert all(expected in line for line in failures.values()), failures
    # the crawl went on: the good page, rendered after (or beside) the hanging ones
    assert [r["title"] for r in json_lines(done.stdout)] == [ok["title"]]
    # both hanging pages were asked for twice: served HTML first, then in the browser
    assert sorted(h.path for h in browser_hits if h.path != "/robots.txt") == \
        ["/paper/1", "/paper/1", "/paper/2", "/paper/2"]
    logs = {log["requested_url"]: log for log in render_logs(warc_records(tmp_path))}
    for url in ("https://stall.example/paper/1", "https://busy.example/paper/2"):
        assert any(note.startswith("render failed: page did not load and settle") for note in
                   logs[url]["notes"]), logs[url]
        assert logs[url]["finished"] is None
    assert logs["https://papers.example/paper/3"]["finished"] is not None


def _process_tree() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry))
    return children


def _command(pid: int) -> list[bytes]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return []


def browser_processes(root: int) -> list[int]:
    """The Chromium browser processes (not renderers, not helpers) started under `root`."""
    tree, todo, found = _process_tree(), [root], []
    while todo:
        parent = todo.pop()
        for child in tree.get(parent, []):
            todo.append(child)
            command, parent_command = _command(child), _command(parent)
            is_chromium = bool(command) and command[0].endswith(b"chromium")
            parent_chromium = bool(parent_command) and parent_command[0].endswith(b"chromium")
            if is_chromium and not parent_chromium and not any(a.startswith(b"--type=") for a in command):
                found.append(child)
    return found


def test_browser_killed_mid_crawl_is_replaced_and_the_crawl_goes_on(tmp_path: Path):
    site = Site()
    registration_agencies_know_nothing(site)
    dois = [f"10.5555/kill.{n}" for n in range(6)]
    titles = {doi: add_app_paper(site, f"host{n}.example", n, doi, delay=1.0)["title"]
              for n, doi in enumerate(dois)}
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    env.pop("COPROD_DATA", None)
    killed, seen, kill_time = None, set(), None
    with SandboxWeb(site) as web:
        command = coprod_command("doi", *dois, data_dir=tmp_path, resolve=web.resolve_rules)
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True, env=env, cwd=PROJECT_ROOT)
        try:
            deadline = time.monotonic() + 90
            while process.poll() is None and time.monotonic() < deadline:
                browsers = browser_processes(process.pid)
                seen.update(browsers)
                fetching = [h for h in web.hits if h.path.startswith("/api/paper/")]
                if killed is None and browsers and len(fetching) >= 2:  # pages in flight
                    killed, kill_time = browsers[0], time.time()
                    os.kill(killed, signal.SIGKILL)
                time.sleep(0.05)
            out, err = process.communicate(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
        hits = web.hits
    assert killed is not None, "the browser was never seen running"
    assert seen - {killed}, "no new browser was started after the kill"
    records = {r["doi"]: r["title"] for r in json_lines(out)}
    failed = [line for line in err.splitlines() if line.startswith("coprod: 10.5555/")]
    assert len(records) + len(failed) == len(dois), err[-3000:]
    assert process.returncode == (1 if failed else 0)
    # every page whose browser request came after the kill was rendered by the new browser
    later = {doi for n, doi in enumerate(dois) if any(
        h.host == f"host{n}.example" and h.path == f"/api/paper/{n}.json" and h.time > kill_time + 0.5
        for h in hits)}
    assert later, "no page was rendered after the kill"
    assert all(records.get(doi) == titles[doi] for doi in later), (later, records)
    assert all(records.get(doi) in (titles[doi], None) for doi in dois)
    logs = render_logs(warc_records(tmp_path))  # and every WARC still valid (warcio, fastwarc)
    assert {log["browser_session"] for log in logs} <= {1, 2}  # one browser, then its successor
    assert all(log["browser_session"] == 2 for log in logs
               if log["requested_url"].split("/")[2] in {f"host{dois.index(d)}.example" for d in later})
