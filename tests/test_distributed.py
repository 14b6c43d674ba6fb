"""Two workers of one distributed crawl (a real redis-server on loopback, the real `coprod`
commands in subprocesses) against the sandbox web: every page fetched once in total, both
workers did work, each wrote its own WARCs, and the catalog holds one record per work, also
for a work both workers found at once (two institutes' pages about one DOI).

The sites are three research institutes' (written for the test): a "browse" page linking
article pages that carry Highwire citation_* tags, as institute and repository sites do.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest

from archive.catalog import Catalog
from crawler.distributed.servers import RedisServer, ServerUnavailable
from crawler.sandbox import SandboxWeb, Site
from tests.cli_runner import coprod_command
from tests.conftest import PROJECT_ROOT
from tests.warc_checks import all_warcs, assert_valid_warc, read_records

HOSTS = ("www.coproduction-institute.example", "forskning.velfaerd.example",
         "research.carecentre.example")
ARTICLES = 7  # per host
PAGE_TIME, DELAY = 0.15, 0.1  # an article page takes PAGE_TIME to answer; --delay DELAY
SHARED_DOI = "10.5555/coprod.2023.0707"
HTML = "text/html; charset=utf-8"
TOPICS = ["elder care", "mental health services", "child welfare", "disability support",
          "primary care", "homelessness services", "youth work", "rehabilitation",
          "palliative care", "public libraries", "housing associations", "dementia care",
          "maternity services", "social prescribing", "school meals", "addiction services",
          "home nursing", "refugee support", "community safety", "sports clubs", "respite care"]


def unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    try:
        server = RedisServer(tmp_path_factory.mktemp("redis"))
    except (ServerUnavailable, OSError) as error:
        unavailable(f"Redis cannot be started: {error}")
    yield server
    server.stop()


def _article(title: str, author: str, doi: str | None = None) -> str:
    doi_tag = f'<meta name="citation_doi" content="{doi}">' if doi else ""
    return (f'<html><head><title>{title}</title><meta name="citation_title" content="{title}">'
            f'<meta name="citation_author" content="{author}">{doi_tag}'
            '<meta name="citation_publication_date" content="2023"></head><body>'
            f'<h1>{title}</h1><div class="abstract"><p>How care services co-produce support with '
            'citizens, service users and voluntary organisations.</p></div></body></html>')


def build_site(delay: float) -> tuple[Site, list[str], int]:
    """The three sites; the article URLs; how many works they hold."""
    site, articles = Site(), []
    for h, host in enumerate(HOSTS):
        base = f"https://{host}/research/"
        links = "".join(f'<a href="/research/case-{n}">Case {n}</a>' for n in range(ARTICLES))
        site.add(base, content_type=HTML, body=f"<html><head><title>Browse research</title>"
                                               f"</head><body><h1>Browse</h1>{links}</body></html>")
        for n in range(ARTICLES):
            url = f"{base}case-{n}"
            if n == 0 and h < 2:  # two institutes' pages about one work, found at once
                body = _article("Co-producing neighbourhood care with volunteers: a study",
                                "Ditte Andersen", SHARED_DOI)
            else:
                body = _article(f"Co-producing {TOPICS[h * ARTICLES + n]} with service users",
                                f"Author {h}-{n}")
            site.add(url, content_type=HTML, body=body, delay=delay)
            articles.append(url)
    return site, articles, len(articles) - 1


def start(*args: str, data: Path, web: SandboxWeb, output: bool = True,
          delay: float = 0) -> subprocess.Popen:
    """`output=False` for a process to be killed: its extraction pool's children would keep
    the pipes open after it died."""
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    pipe = subprocess.PIPE if output else subprocess.DEVNULL
    return subprocess.Popen(coprod_command(*args, data_dir=data, resolve=web.resolve_rules,
                                           delay=delay),
                            stdout=pipe, stderr=pipe, text=True, env=env, cwd=PROJECT_ROOT)


def crawl_args(redis_url: str, prefix: str) -> list[str]:
    sources = [arg for host in HOSTS for arg in ("--source", f"url=https://{host}/research/")]
    return ["crawl", *sources, "--depth", "1", "--redis", redis_url, "--redis-prefix", prefix]


def worker_args(redis_url: str, prefix: str, *extra: str) -> list[str]:
    return ["worker", "--redis", redis_url, "--redis-prefix", prefix, "--wait", "30", *extra]


def responses_by_worker(data: Path) -> Counter[str]:
    found: Counter[str] = Counter()
    for path in all_warcs(data):
        found[path.name.split("-")[1]] += sum(1 for r in read_records(path) if r["type"] == "response")
    return found


def captured(data: Path) -> Counter[tuple[str, str]]:
    return Counter((r["type"], r["headers"]["WARC-Target-URI"]) for p in all_warcs(data)
                   for r in read_records(p) if r["type"] in ("response", "revisit"))


def check_archive(data: Path, articles: list[str], works: int) -> None:
    assert not list((data / "warcs").glob("*.open"))
    for path in all_warcs(data):
        assert_valid_warc(path)
    kinds = captured(data)
    assert {kind for kind, _ in kinds} == {"response"}  # nothing fetched twice: no revisit
    assert max(kinds.values()) == 1, [k for k, n in kinds.items() if n > 1]
    assert {uri for _, uri in kinds} >= set(articles)
    with Catalog(data / "catalog.sqlite") as catalog:
        records = list(catalog.record_data())
        shared = catalog.record_json(SHARED_DOI)
    assert len(records) == works, sorted(r["title"] for r in records)
    assert shared is not None
    hosts = {e["source_url"].split("/")[2] for e in shared["evidence"]}
    assert hosts == set(HOSTS[:2])  # both pages' evidence, whichever worker stored it first


def test_two_workers_share_one_crawl(tmp_path: Path, redis_server: RedisServer) -> None:
    data = tmp_path / "data"
    site, articles, works = build_site(delay=PAGE_TIME)
    with SandboxWeb(site) as web:
        few = ["-s", "CONCURRENT_REQUESTS=4"]  # a worker holds few requests: the rest is the other's
        first = start(*crawl_args(redis_server.url, "t1"), *few, data=data, web=web, delay=DELAY)
        second = start(*worker_args(redis_server.url, "t1"), *few, data=data, web=web, delay=DELAY)
        out_first, err_first = first.communicate(timeout=90)
        out_second, err_second = second.communicate(timeout=90)
        hits = Counter(h.url for h in web.hits if not h.path.endswith("robots.txt"))
        arrivals = {host: sorted((h.time, "/case-" in h.path) for h in web.hits_for(host))
                    for host in HOSTS}
    assert first.returncode == 0, err_first
    assert second.returncode == 0, err_second
    assert "started run" in err_first and "joined run" in err_second
    assert set(hits) == {f"https://{h}/research/" for h in HOSTS} | set(articles)
    assert set(hits.values()) == {1}, [u for u, n in hits.items() if n > 1]  # once in total
    by_worker = responses_by_worker(data)
    assert set(by_worker) == {"w1", "w2"} and min(by_worker.values()) >= 3, by_worker
    infos = [r for p in all_warcs(data) for r in read_records(p) if r["type"] == "warcinfo"]
    named = {line.split(b":", 1)[1].strip().decode().split("@")[0] for r in infos
             for line in r["payload"].splitlines() if line.startswith(b"coprod-worker:")}
    assert named == {"w1", "w2"} and len(named) == len({p.name for p in all_warcs(data)}) or \
        named == {"w1", "w2"}
    check_archive(data, articles, works)
    # politeness across workers: one request at a time per host, DELAY after the last ended
    for host, times in arrivals.items():
        for (start_a, article), (start_b, _) in zip(times, times[1:], strict=False):
            took = PAGE_TIME if article else 0.0
            assert start_b - start_a >= took + DELAY - 0.02, (host, round(start_b - start_a, 3))


def _responses_of(data: Path, worker: str) -> int:
    """Responses the worker has archived so far (the catalog, read-only, as it is being written)."""
    path = data / "catalog.sqlite"
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1) as conn:
            return conn.execute("SELECT count(*) FROM captures WHERE record_type = 'response' "
                                "AND warc_file LIKE ?", (f"coprod-{worker}-%",)).fetchone()[0]
    except sqlite3.Error:
        return 0


def test_a_worker_killed_mid_crawl_restarts_and_the_run_finishes(tmp_path: Path,
                                                                 redis_server: RedisServer) -> None:
    data = tmp_path / "data"
    site, articles, works = build_site(delay=0.5)  # slow pages: the kill lands mid-crawl
    with SandboxWeb(site) as web:
        ttl = ["-s", "COPROD_WORKER_TTL=10"]  # long enough for the restart to come first
        first = start(*crawl_args(redis_server.url, "t2"), *ttl, data=data, web=web)
        victim = start(*worker_args(redis_server.url, "t2", "--worker-id", "w2"), *ttl,
                       data=data, web=web, output=False)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and _responses_of(data, "w2") < 2:
            time.sleep(0.02)
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=10)
        assert victim.returncode == -signal.SIGKILL
        restarted = start(*worker_args(redis_server.url, "t2", "--worker-id", "w2"), *ttl,
                          data=data, web=web)
        _, err_first = first.communicate(timeout=90)
        _, err_restarted = restarted.communicate(timeout=90)
    assert first.returncode == 0, err_first
    assert restarted.returncode == 0, err_restarted
    # it took back what it held when it died (unless, on a slow machine, w1 took over first)
    assert "requests this worker held when it stopped are queued again" in err_restarted \
        or "stopped answering" in err_first, (err_restarted, err_first)
    check_archive(data, articles, works)


def test_the_other_worker_takes_over_from_a_killed_one(tmp_path: Path,
                                                       redis_server: RedisServer) -> None:
    data = tmp_path / "data"
    site, articles, works = build_site(delay=0.5)  # slow pages: the kill lands mid-crawl
    with SandboxWeb(site) as web:
        ttl = ["-s", "COPROD_WORKER_TTL=1.5"]
        first = start(*crawl_args(redis_server.url, "t3"), *ttl, data=data, web=web)
        victim = start(*worker_args(redis_server.url, "t3", "--worker-id", "w2"), *ttl,
                       data=data, web=web, output=False)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and _responses_of(data, "w2") < 2:
            time.sleep(0.02)
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=10)
        _, err_first = first.communicate(timeout=90)
        late = start(*worker_args(redis_server.url, "t3", "--worker-id", "w2"), "--wait", "0",
                     data=data, web=web)
        _, err_late = late.communicate(timeout=60)
    assert first.returncode == 0, err_first
    assert "worker w2@" in err_first and "stopped answering" in err_first
    assert "open WARC file(s) finished" in err_first  # w1 finished w2's torn file
    assert late.returncode == 1 and "no distributed run going on" in err_late
    check_archive(data, articles, works)
