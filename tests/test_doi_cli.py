"""What bad input gets from `coprod doi`, Ctrl-C, path safety, `scrapy crawl`, and the demo."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crawler.sandbox.server import SandboxWeb
from crawler.sandbox.site import Site
from tests.cli_runner import coprod_command, json_lines, run_coprod
from tests.conftest import PROJECT_ROOT
from tests.warc_checks import all_warcs, assert_valid_warc, read_records

PAGE = """<html><head><title>Co-production in care</title>
<meta name="citation_title" content="Co-production in care: a test page">
<meta name="citation_author" content="Andersen, Ditte">
<meta name="citation_doi" content="{doi}">
<meta name="citation_journal_title" content="Journal of Sandbox Studies">
<meta name="citation_publication_date" content="2021/05/04">
</head><body><h1>Co-production in care</h1><p>Abstract text about co-production.</p></body></html>"""


def _page_site(*dois: str) -> Site:
    """Small pages of our own in the Highwire markup publishers use, behind doi.org redirects."""
    site = Site()
    for n, doi in enumerate(dois):
        site.redirect(f"https://doi.org/{doi}", f"https://journal.example.org/article/{n}", status=302)
        site.add(f"https://journal.example.org/article/{n}", body=PAGE.format(doi=doi),
                 content_type="text/html; charset=utf-8")
    return site


@pytest.mark.parametrize("bad,expected", [
    ("10.1234", "not a DOI"),
    ("abc", "not a DOI"),
    ("", "empty DOI"),
    ("x" * 2048, "not a DOI"),
])
def test_malformed_doi_gets_one_line_exit_2_and_nothing_written(tmp_path: Path, bad: str,
                                                                 expected: str) -> None:
    data = tmp_path / "data"
    done = run_coprod("doi", "10.1000/fine", bad, data_dir=data)
    assert done.returncode == 2
    assert expected in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert done.stdout == "" and not data.exists()


@pytest.mark.parametrize("args,expected", [
    (["doi"], "no DOI given"),
    (["doi", "10.1000/x", "--format", "docx"], "invalid choice"),
    (["doi", "10.1000/x", "--resolve", "doi.org"], "expected HOST[:PORT]=IP[:PORT]"),
    (["doi", "10.1000/x", "--set", "lower=1"], "NAME=VALUE"),
    (["doi", "--file", "/nonexistent/dois.txt"], "cannot read"),
    (["doi", "10.1000/x", "-o", "/nonexistent/dir/out.jsonl"], "no directory"),
    (["nonsense"], "invalid choice"),
])
def test_bad_usage_gets_one_line_exit_2(tmp_path: Path, args: list[str], expected: str) -> None:
    data = tmp_path / "data"
    done = run_coprod(*args, data_dir=data)
    assert done.returncode == 2, done.stderr
    assert expected in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert not data.exists()


def test_bad_line_in_doi_file_names_the_line(tmp_path: Path) -> None:
    listing = tmp_path / "dois.txt"
    listing.write_bytes(b"10.1000/ok\n# fine\n10.1000/bad\x00name\n")
    done = run_coprod("doi", "--file", str(listing), data_dir=tmp_path / "data")
    assert done.returncode == 2 and f"{listing}:3" in done.stderr
    assert not (tmp_path / "data").exists()


def test_dois_never_become_file_paths(tmp_path: Path) -> None:
    evil = ["10.5555/../../../../tmp/evil", "10.5555/..%2F..%2Fescape", "10.5555/%2e%2e/x"]
    site = _page_site(*[d.replace("%2F", "/").replace("%2e", ".") for d in evil])
    data = tmp_path / "data"
    with SandboxWeb(site) as web:
        done = run_coprod("doi", *evil, data_dir=data, resolve=web.resolve_rules)
    created = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    outside = [p for p in created if not str(p).startswith("data")]
    assert outside == [], f"files outside the data dir: {outside}"
    names = [p.name for p in (data / "warcs").iterdir()]
    assert names and all(".." not in n and "evil" not in n and "escape" not in n for n in names)
    assert done.returncode in (0, 1), done.stderr


def test_ctrl_c_mid_run_closes_warcs_cleanly(tmp_path: Path) -> None:
    site = _page_site("10.5555/fast", "10.5555/slow")
    site.add("https://journal.example.org/article/1", body="<html>late</html>", delay=60)
    data = tmp_path / "data"
    with SandboxWeb(site) as web:
        env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
        process = subprocess.Popen(
            coprod_command("doi", "10.5555/fast", "10.5555/slow", data_dir=data, resolve=web.resolve_rules),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=PROJECT_ROOT,
        )
        deadline = time.monotonic() + 60
        while not any(h.path == "/article/1" for h in web.hits) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert list((data / "warcs").glob("*.warc.gz.open")), "a WARC is open mid-run"
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    assert process.returncode not in (0, None), stderr
    assert not list((data / "warcs").glob("*.open")), "no .open file left after Ctrl-C"
    warcs = all_warcs(data)
    assert warcs
    for path in warcs:
        assert_valid_warc(path)
    uris = [r["headers"].get("WARC-Target-URI") for p in warcs for r in read_records(p)]
    assert "https://journal.example.org/article/0" in uris  # what was fetched before is kept


def test_scrapy_list_and_scrapy_crawl_work(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    listed = subprocess.run([sys.executable, "-m", "scrapy", "list"], capture_output=True, text=True,
                            cwd=PROJECT_ROOT, env=env, timeout=60)
    assert listed.returncode == 0 and "doi" in listed.stdout.split()
    site = _page_site("10.5555/scrapy")
    out = tmp_path / "items.jsonl"
    with SandboxWeb(site) as web:
        crawled = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "doi", "-a", "doi=10.5555/scrapy", "-O", str(out),
             "-s", f"COPROD_RESOLVE={','.join(web.resolve_rules)}", "-s", f"COPROD_DATA_DIR={tmp_path}/d",
             "-s", "DOWNLOAD_DELAY=0"],
            capture_output=True, text=True, cwd=PROJECT_ROOT, env=env, timeout=120)
    assert crawled.returncode == 0, crawled.stderr[-2000:]
    items = json_lines(out.read_text())
    assert [i["title"] for i in items] == ["Co-production in care: a test page"]
    assert all_warcs(tmp_path / "d")


def _can_bind(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.mark.skipif(not (_can_bind(80) and _can_bind(443)),
                    reason="needs ports 80 and 443 on 127.0.0.1 (root, nothing else listening)")
def test_plain_star_rule_with_server_on_80_and_443(tmp_path: Path) -> None:
    with SandboxWeb(_page_site("10.5555/ports"), http_port=80, https_port=443):
        done = run_coprod("doi", "10.5555/ports", data_dir=tmp_path, resolve=["*=127.0.0.1"])
    assert done.returncode == 0, done.stderr
    assert json_lines(done.stdout)[0]["doi"] == "10.5555/ports"


def test_demo_runs_offline(tmp_path: Path) -> None:
    done = run_coprod("demo", data_dir=tmp_path, delay=None)
    assert done.returncode == 0, done.stderr
    records = json_lines(done.stdout)
    from crawler.sandbox.demo_site import demo_site

    _, dois = demo_site()
    assert sorted(r["doi"] for r in records) == sorted(dois)
    for record in records:
        assert record["title"] and record["provenance"]["warc_record_id"]
        text = " ".join(str(v) for v in record.values())
        for chrome in ("Talk to us", "Hostname: page-component", "Spring til", "引用 收藏"):
            assert chrome not in text
    assert "catalog" in done.stderr and all_warcs(tmp_path)
    assert "3 re-derived: 0 failure(s), 0 diff(s)" in done.stderr  # the audit passed
    report = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "3 records" in report
