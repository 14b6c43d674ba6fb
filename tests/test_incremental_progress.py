"""Progress and the end-of-run summary: live on a terminal (a pseudo-terminal here), silent
with -q or when stderr is a pipe; the summary counts new pages on a first run and unchanged
ones on the second.

The page is a small one of our own in Highwire markup (a publisher landing page), a little
slow so the live table is drawn at least once."""

from __future__ import annotations

import os
import pty
import re
import subprocess
from pathlib import Path

from crawler.crawlstats import CrawlRunResult, SourceResult
from crawler.progress import print_summary, source_counters, status_line, summary_lines
from crawler.sandbox import SandboxWeb, Site
from tests.cli_runner import coprod_command, json_lines, run_coprod
from tests.conftest import PROJECT_ROOT

PAGE = """<html><head><meta name="citation_title" content="Co-production in home care">
<meta name="citation_doi" content="10.5555/progress"></head>
<body><p>Service users co-produce home care with staff.</p></body></html>"""
DOI = "10.5555/progress"
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def _site() -> Site:
    site = Site()
    site.redirect(f"https://doi.org/{DOI}", "https://journal.example.org/progress", status=302)
    site.add("https://journal.example.org/progress", body=PAGE, content_type="text/html", delay=0.5)
    return site


def _run_in_terminal(args: list[str]) -> tuple[int, str, str]:
    """Run coprod with stderr on a pseudo-terminal; (exit code, stdout, what the terminal got)."""
    master, slave = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "COLUMNS": "160", "TERM": "xterm"}
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=slave, env=env,
                               cwd=PROJECT_ROOT, text=True)
    os.close(slave)
    screen = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        screen += chunk
    os.close(master)
    stdout = process.stdout.read() if process.stdout else ""
    return process.wait(timeout=60), stdout, screen.decode("utf-8", "replace")


def _summary_row(screen: str) -> str:
    """The doi row of the summary table (the live table above it has one too)."""
    summary = screen.rsplit("what each source did", 1)[1]
    return next(line for line in summary.splitlines() if line.lstrip("│┃ ").startswith("doi "))


def test_live_progress_on_a_terminal_then_a_summary_table(tmp_path: Path) -> None:
    with SandboxWeb(_site()) as web:
        command = coprod_command("doi", DOI, data_dir=tmp_path, resolve=web.resolve_rules)
        code, stdout, screen = _run_in_terminal(command)
        again_code, _, again = _run_in_terminal(command)
        quiet_code, _, silent = _run_in_terminal(command + ["-q"])
    assert code == again_code == quiet_code == 0, screen
    assert [r["doi"] for r in json_lines(stdout)] == [DOI]  # stdout holds only the records
    plain = _ANSI.sub("", screen)
    assert re.search(r"\d:\d\d  \d+ pages \(\d+ new, 0 changed, 0 unchanged\)", plain), plain
    assert "queued" in plain and "\x1b[" in screen  # drawn live, with terminal controls
    assert "what each source did" in plain
    row = _summary_row(plain)
    numbers = [int(n) for n in re.findall(r"(?<![\w.])\d+(?![\w.])", row.split("done", 1)[1])]
    # robots.txt of 4 hosts, the doi.org hop, the page, Crossref and DataCite (404s): all new
    assert numbers[:5] == [8, 8, 0, 0, 0]
    again_row = _summary_row(_ANSI.sub("", again))
    again_numbers = [int(n) for n in re.findall(r"(?<![\w.])\d+(?![\w.])", again_row.split("done", 1)[1])]
    assert again_numbers[:5] == [8, 0, 0, 8, 0]  # all unchanged: archived as revisits
    assert silent.strip() == ""  # -q: nothing at all on the terminal


def test_no_live_progress_when_stderr_is_a_pipe(tmp_path: Path) -> None:
    with SandboxWeb(_site()) as web:
        done = run_coprod("doi", DOI, data_dir=tmp_path, resolve=web.resolve_rules)
    assert done.returncode == 0, done.stderr
    assert "\x1b[" not in done.stderr and "queued" not in done.stderr
    summary = [line for line in done.stderr.splitlines() if line.startswith("coprod: doi (")]
    assert summary == ["coprod: doi (1 DOI): done; pages 8 fetched, 8 new, 0 changed, 0 failed; "
                       "records 1 added, 0 merged, 0 below threshold"]


def test_counters_and_plain_summary_from_stats() -> None:
    stats = {
        "coprod/pages/new": 7, "coprod/pages/unchanged": 2, "item_scraped_count": 3,
        "scheduler/enqueued": 10, "scheduler/dequeued": 8,
        "coprod/source/oai:https://repo.example.org/oai/pages/new": 4,
        "coprod/source/oai:https://repo.example.org/oai/added": 2,
        "coprod/source/crossref/pages/unchanged": 2, "coprod/source/crossref/failed": 1,
    }
    counters = source_counters(stats)
    assert counters["oai:https://repo.example.org/oai"] == {"new": 4, "added": 2, "fetched": 4}
    assert counters["crossref"] == {"unchanged": 2, "failed": 1, "fetched": 2}
    assert status_line(stats, 75) == ("1:15  9 pages (7 new, 0 changed, 2 unchanged)  3 records  "
                                      "1 failed  2 queued")
    result = CrawlRunResult([SourceResult("oai", "oai", "https://repo.example.org/oai", fetched=4,
                                          new=4, added=2, errors=["resumption token expired"])])
    assert summary_lines(result) == [
        "coprod: oai (https://repo.example.org/oai): FAILED; pages 4 fetched, 4 new, 0 changed, "
        "0 failed; records 2 added, 0 merged, 0 below threshold",
        "coprod: oai: resumption token expired"]

    class Pipe:  # print_summary writes plain lines to anything that is not a terminal
        lines: list[str] = []

        def write(self, text: str) -> None:
            self.lines.append(text)

        def isatty(self) -> bool:
            return False

    pipe = Pipe()
    print_summary(result, pipe)  # type: ignore[arg-type]
    assert "".join(pipe.lines).splitlines() == summary_lines(result)
