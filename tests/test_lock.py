"""One writing run per data directory: a second `coprod doi` (or `catalog rebuild`) while a
crawl runs exits 1 with one line naming the holder's pid, and writes nothing.

The slow page is a small one of our own in Highwire markup (a publisher landing page)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.lock import LockHeld, hold, holder_pid
from crawler.sandbox import SandboxWeb, Site
from tests.cli_runner import coprod_command, json_lines, run_coprod
from tests.conftest import PROJECT_ROOT
from tests.warc_checks import all_warcs

PAGE = """<html><head><meta name="citation_title" content="Co-production, slowly">
<meta name="citation_doi" content="{doi}"></head><body><p>co-production</p></body></html>"""
HOLD_SCRIPT = """
import sys, time
from crawler.lock import hold
with hold(sys.argv[1]):
    print("held", flush=True)
    time.sleep(60)
"""


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}


def _holder(data: Path) -> subprocess.Popen[str]:
    process = subprocess.Popen([sys.executable, "-c", HOLD_SCRIPT, str(data)], stdout=subprocess.PIPE,
                               text=True, env=_env(), cwd=PROJECT_ROOT)
    assert process.stdout is not None and process.stdout.readline().strip() == "held"
    return process


def test_lock_names_the_holder_and_is_freed_when_it_is_killed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    holder = _holder(data)
    try:
        with pytest.raises(LockHeld) as caught, hold(data):
            pass
        assert caught.value.pid == holder.pid == holder_pid(data)
        assert f"pid {holder.pid}" in str(caught.value) and "\n" not in str(caught.value)
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
    with hold(data) as path:  # the kernel dropped the dead holder's lock: no stale lock
        assert path == (data / ".lock").absolute() and holder_pid(data) == os.getpid()
        with hold(data):  # re-entrant within one process
            pass


def test_second_run_on_one_data_dir_exits_1_naming_the_first(tmp_path: Path) -> None:
    site = Site()
    site.redirect("https://doi.org/10.5555/slow", "https://journal.example.org/slow", status=302)
    site.add("https://journal.example.org/slow", body=PAGE.format(doi="10.5555/slow"),
             content_type="text/html", delay=60)  # held open until the test ends it
    data = tmp_path / "data"
    with SandboxWeb(site) as web:
        first = subprocess.Popen(
            coprod_command("doi", "10.5555/slow", data_dir=data, resolve=web.resolve_rules, delay=0),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(), cwd=PROJECT_ROOT)
        deadline = time.monotonic() + 30
        while not any(h.path == "/slow" for h in web.hits) and time.monotonic() < deadline:
            time.sleep(0.05)
        warcs_before = sorted((data / "warcs").iterdir())
        out = tmp_path / "second.jsonl"
        second = run_coprod("doi", "10.5555/slow", "-o", str(out), data_dir=data,
                            resolve=web.resolve_rules)
        rebuild = run_coprod("catalog", "rebuild", data_dir=data)
        assert first.poll() is None, "the first run still holds the lock"
        first.send_signal(signal.SIGKILL)
        stdout, stderr = first.communicate(timeout=60)
    assert second.returncode == 1 and rebuild.returncode == 1
    for done in (second, rebuild):
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and f"pid {first.pid}" in lines[0] and str(data) in lines[0], done.stderr
        assert done.stdout == ""
    assert not out.exists()
    assert first.returncode == -signal.SIGKILL and json_lines(stdout) == []
    # the second run and the rebuild opened no WARC: only the first run's open file is there
    assert len(warcs_before) == 1 and sorted((data / "warcs").iterdir()) == warcs_before
    assert not all_warcs(data)
