"""The sandbox web: routing, scripted behaviours, TLS with SNI, the hit log, the fixture site.

Clients here are plain `http.client` / raw sockets to 127.0.0.1, sending the Host header (and
SNI) a crawler under `--resolve` would send.
"""

from __future__ import annotations

import gzip
import http.client
import json
import os
import socket
import ssl
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from crawler.sandbox import Response, SandboxWeb, Site
from crawler.sandbox.client import connection, fetch, follow

PAGE = "<html><head><title>Co-production in care</title></head><body>hello</body></html>"


def raw_exchange(port: int, request: bytes, timeout: float = 5) -> bytes:
    """Send bytes, read until the server closes or goes quiet: the response as on the wire."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        chunks = []
        try:
            while data := sock.recv(65536):
                chunks.append(data)
        except TimeoutError:
            pass
        return b"".join(chunks)


# -- routing ------------------------------------------------------------------------------


def test_routes_by_host_and_path(sandbox_web):
    site = sandbox_web.site
    site.add("https://www.cambridge.org/core/a", body=PAGE)
    site.add("https://www.emerald.com/core/a", body="emerald page", content_type="text/plain")

    cambridge = fetch(sandbox_web, "https://www.cambridge.org/core/a")
    emerald = fetch(sandbox_web, "https://www.emerald.com/core/a")
    assert (cambridge.status, cambridge.body) == (200, PAGE.encode())
    assert cambridge.headers["Content-Type"] == "text/html; charset=utf-8"
    assert (emerald.status, emerald.body) == (200, b"emerald page")

    unknown_path = fetch(sandbox_web, "https://www.cambridge.org/core/b")
    unknown_host = fetch(sandbox_web, "https://nowhere.example/core/a")
    assert unknown_path.status == unknown_host.status == 404
    assert 0 < len(unknown_host.body) < 200 and b"nowhere.example/core/a" in unknown_host.body


def test_query_in_route_must_match_and_route_without_query_takes_any(sandbox_web):
    site = sandbox_web.site
    site.add("https://api.crossref.org/works?query=co-production&rows=2", body='{"page": 1}')
    site.add("https://api.crossref.org/works/10.5555/x", body='{"work": 1}')

    same_query_other_order = fetch(sandbox_web, "https://api.crossref.org/works?rows=2&query=co-production")
    other_query = fetch(sandbox_web, "https://api.crossref.org/works?query=care&rows=2")
    any_query = fetch(sandbox_web, "https://api.crossref.org/works/10.5555/x?mailto=a%40b.org")
    encoded_slash = fetch(sandbox_web, "https://api.crossref.org/works/10.5555%2Fx")
    assert same_query_other_order.body == b'{"page": 1}'
    assert other_query.status == 404
    assert any_query.body == encoded_slash.body == b'{"work": 1}'
    assert any_query.headers["Content-Type"].startswith("application/json")


def test_scheme_specific_route_wins_and_other_scheme_falls_back(sandbox_web):
    site = sandbox_web.site
    site.add("https://journals.example/a", body="secure")
    site.redirect("http://journals.example/b", "https://journals.example/b")
    site.add("https://journals.example/b", body="upgraded")

    assert fetch(sandbox_web, "http://journals.example/a").body == b"secure"
    chain = follow(sandbox_web, "http://journals.example/b")
    assert [(f.url, f.status) for f in chain] == [
        ("http://journals.example/b", 301),
        ("https://journals.example/b", 200),
    ]


def test_ignore_case_hosts_match_paths_case_insensitively(sandbox_web):
    site = sandbox_web.site
    site.ignore_case("doi.org")
    site.add("https://doi.org/10.1016/j.x.2020.01.001", body="doi")
    site.add("https://www.example.org/CaseMatters", body="case")

    assert fetch(sandbox_web, "https://doi.org/10.1016/J.X.2020.01.001").status == 200
    assert fetch(sandbox_web, "https://www.example.org/casematters").status == 404


def test_prefix_answers_unrouted_paths(sandbox_web):
    site = sandbox_web.site
    site.add("https://api.crossref.org/works/10.5555/known", body="{}")
    site.add_prefix(
        "https://api.crossref.org/works/",
        Response(status=404, body="Resource not found.", content_type="text/plain"),
    )
    assert fetch(sandbox_web, "https://api.crossref.org/works/10.5555/known").status == 200
    missing = fetch(sandbox_web, "https://api.crossref.org/works/10.5555/unknown")
    assert (missing.status, missing.body) == (404, b"Resource not found.")
    assert fetch(sandbox_web, "https://api.crossref.org/members/1").status == 404


def test_bad_routes_are_refused():
    site = Site()
    with pytest.raises(ValueError):
        site.add("doi.org/10.5555/x", body="no scheme")
    with pytest.raises(ValueError):
        site.add("https://doi.org/x", body="b", file=__file__)
    with pytest.raises(ValueError):
        Response(cut="explode")


# -- redirects, sequences, conditional requests --------------------------------------------


def test_redirect_chain(sandbox_web):
    site = sandbox_web.site
    site.redirect("https://doi.org/10.5555/abc", "https://www.cambridge.org/core/product/X", 302)
    site.redirect("https://www.cambridge.org/core/product/X", "/core/journals/y/article/z")
    site.add("https://www.cambridge.org/core/journals/y/article/z", body=PAGE)

    chain = follow(sandbox_web, "https://doi.org/10.5555/abc")
    assert [f.status for f in chain] == [302, 301, 200]
    assert chain[0].headers["Location"] == "https://www.cambridge.org/core/product/X"
    assert chain[-1].url == "https://www.cambridge.org/core/journals/y/article/z"
    assert chain[-1].body == PAGE.encode()


def test_sequence_answers_in_turn_and_repeats_the_last(sandbox_web):
    site = sandbox_web.site
    url = "https://api.openalex.org/works"
    site.add_sequence(
        url,
        [
            Response(status=503, body="busy"),
            Response(status=429, body="slow down", headers={"Retry-After": "2"}),
            Response(status=200, body='{"ok": true}'),
        ],
    )
    answers = [fetch(sandbox_web, url) for _ in range(5)]
    assert [a.status for a in answers] == [503, 429, 200, 200, 200]
    assert answers[1].headers["Retry-After"] == "2"
    site.reset()
    assert fetch(sandbox_web, url).status == 503


def test_etag_gives_304_on_matching_if_none_match(sandbox_web):
    sandbox_web.site.add("https://www.example.org/p", body=PAGE, etag="v1")
    first = fetch(sandbox_web, "https://www.example.org/p")
    assert first.status == 200 and first.headers["ETag"] == '"v1"'

    again = fetch(sandbox_web, "https://www.example.org/p", headers={"If-None-Match": '"v1"'})
    assert again.status == 304 and again.body == b"" and again.headers["ETag"] == '"v1"'
    assert again.headers["Content-Type"] is None
    weak = fetch(sandbox_web, "https://www.example.org/p", headers={"If-None-Match": 'W/"v1"'})
    assert weak.status == 304
    changed = fetch(sandbox_web, "https://www.example.org/p", headers={"If-None-Match": '"v0"'})
    assert changed.status == 200 and changed.body == PAGE.encode()


def test_last_modified_gives_304_when_not_modified_since(sandbox_web):
    modified = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
    sandbox_web.site.add("https://www.example.org/lm", body=PAGE, last_modified=modified)

    def since(when: datetime) -> int:
        headers = {"If-Modified-Since": format_datetime(when, usegmt=True)}
        return fetch(sandbox_web, "https://www.example.org/lm", headers=headers).status

    assert fetch(sandbox_web, "https://www.example.org/lm").headers["Last-Modified"] == (
        "Fri, 01 Mar 2024 12:00:00 GMT"
    )
    assert since(modified) == 304
    assert since(modified + timedelta(days=1)) == 304
    assert since(modified - timedelta(seconds=1)) == 200


# -- body behaviours ----------------------------------------------------------------------


def test_gzip_body_is_sent_compressed(sandbox_web):
    text = "co-production " * 500
    sandbox_web.site.add("https://www.example.org/gz", body=text, gzip=True)
    got = fetch(sandbox_web, "https://www.example.org/gz")
    assert got.headers["Content-Encoding"] == "gzip"
    assert int(got.headers["Content-Length"]) == len(got.body) < len(text)
    assert gzip.decompress(got.body).decode() == text


def test_chunked_transfer_encoding_on_the_wire(sandbox_web):
    body = "abcdefghij" * 25  # 250 bytes in chunks of 100: 100, 100, 50
    sandbox_web.site.add("http://www.example.org/ch", body=body, chunked=True, chunk_size=100)
    wire = raw_exchange(
        sandbox_web.http_port,
        b"GET /ch HTTP/1.1\r\nHost: www.example.org\r\nConnection: close\r\n\r\n",
    )
    head, _, payload = wire.partition(b"\r\n\r\n")
    assert b"Transfer-Encoding: chunked" in head and b"Content-Length" not in head
    assert payload.startswith(b"64\r\n" + body[:100].encode() + b"\r\n64\r\n")
    assert payload.endswith(b"32\r\n" + body[200:].encode() + b"\r\n0\r\n\r\n")
    assert fetch(sandbox_web, "http://www.example.org/ch").body == body.encode()


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_reset_mid_body(sandbox_web, scheme):
    sandbox_web.site.add(f"{scheme}://www.example.org/r", body="x" * 50_000, cut="reset", cut_after=1000)
    with pytest.raises((ConnectionResetError, ssl.SSLError, http.client.IncompleteRead)) as err:
        fetch(sandbox_web, f"{scheme}://www.example.org/r")
    if scheme == "http":
        assert isinstance(err.value, ConnectionResetError)


def test_reset_before_status_line(sandbox_web):
    sandbox_web.site.add("http://www.example.org/r0", body="never", cut="reset", cut_after=None)
    with pytest.raises((ConnectionResetError, http.client.RemoteDisconnected)):
        fetch(sandbox_web, "http://www.example.org/r0")
    assert sandbox_web.hits[-1].status is None


def test_truncated_body(sandbox_web):
    sandbox_web.site.add("https://www.example.org/t", body="y" * 5000, cut="truncate", cut_after=1234)
    with pytest.raises(http.client.IncompleteRead) as err:
        fetch(sandbox_web, "https://www.example.org/t")
    assert len(err.value.partial) == 1234 and err.value.expected == 5000 - 1234


def test_stalled_body_never_finishes_and_stop_is_prompt():
    site = Site()
    site.add("http://www.example.org/s", body="z" * 5000, cut="stall", cut_after=100)
    web = SandboxWeb(site).start()
    try:
        conn = connection(web, "http://www.example.org/s", timeout=0.5)
        conn.request("GET", "/s", headers={"Host": "www.example.org"})
        response = conn.getresponse()
        assert response.status == 200 and response.read(100) == b"z" * 100
        with pytest.raises(TimeoutError):
            response.read(1)
    finally:
        started = time.monotonic()
        web.stop()
        assert time.monotonic() - started < 3


def test_delay_and_slow_body(sandbox_web):
    site = sandbox_web.site
    site.add("https://www.example.org/late", body="late", delay=0.3)
    site.add("https://www.example.org/slow", body="s" * 50, slow_bytes=10, slow_interval=0.1)
    started = time.monotonic()
    assert fetch(sandbox_web, "https://www.example.org/late").body == b"late"
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    assert fetch(sandbox_web, "https://www.example.org/slow").body == b"s" * 50
    assert time.monotonic() - started >= 0.4  # five pieces, four waits


def test_file_route_is_read_at_serve_time(sandbox_web, tmp_path):
    page = tmp_path / "page.html"
    page.write_text(PAGE)
    sandbox_web.site.add("https://www.example.org/f", file=page)
    assert fetch(sandbox_web, "https://www.example.org/f").body == PAGE.encode()
    page.write_text("<html>changed</html>")
    got = fetch(sandbox_web, "https://www.example.org/f")
    assert got.body == b"<html>changed</html>"
    assert got.headers["Content-Type"] == "text/html; charset=utf-8"


def test_head_has_length_but_no_body(sandbox_web):
    sandbox_web.site.add("http://www.example.org/h", body=PAGE)
    wire = raw_exchange(
        sandbox_web.http_port,
        b"HEAD /h HTTP/1.1\r\nHost: www.example.org\r\nConnection: close\r\n\r\n",
    )
    head, _, rest = wire.partition(b"\r\n\r\n")
    assert f"Content-Length: {len(PAGE)}".encode() in head and rest == b""


# -- robots.txt ---------------------------------------------------------------------------


def test_robots_default_allows_all_and_can_be_set(sandbox_web):
    sandbox_web.site.robots("www.cambridge.org", "User-agent: *\nDisallow: /core/search\n")
    default = fetch(sandbox_web, "https://doi.org/robots.txt")
    assert default.status == 200 and b"Allow: /" in default.body
    for scheme in ("http", "https"):
        own = fetch(sandbox_web, f"{scheme}://www.cambridge.org/robots.txt")
        assert own.body == b"User-agent: *\nDisallow: /core/search\n"


def test_robots_default_can_be_turned_off():
    with SandboxWeb(Site(default_robots=None)) as web:
        assert fetch(web, "https://doi.org/robots.txt").status == 404


# -- TLS, ports, connections ---------------------------------------------------------------


def test_https_certificate_names_the_sni_host(sandbox_web):
    sandbox_web.site.add("https://www.cambridge.org/core", body=PAGE)
    context = ssl.create_default_context(cafile=str(sandbox_web.ca_path))
    raw = socket.create_connection(("127.0.0.1", sandbox_web.https_port), timeout=5)
    with context.wrap_socket(raw, server_hostname="www.cambridge.org") as tls:
        names = [value for kind, value in tls.getpeercert()["subjectAltName"] if kind == "DNS"]
        assert names == ["www.cambridge.org"]
        tls.sendall(b"GET /core HTTP/1.1\r\nHost: www.cambridge.org\r\nConnection: close\r\n\r\n")
        assert tls.recv(12) == b"HTTP/1.1 200"
    hit = sandbox_web.hits[-1]
    assert (hit.scheme, hit.sni, hit.host, hit.target) == (
        "https",
        "www.cambridge.org",
        "www.cambridge.org",
        "/core",
    )


def test_https_without_sni_gets_the_default_certificate(sandbox_web):
    context = ssl.create_default_context(cafile=str(sandbox_web.ca_path))
    context.check_hostname = False  # no SNI is sent without a server_hostname
    raw = socket.create_connection(("127.0.0.1", sandbox_web.https_port), timeout=5)
    with context.wrap_socket(raw) as tls:
        san = tls.getpeercert()["subjectAltName"]
    assert set(san) == {("DNS", "localhost"), ("IP Address", "127.0.0.1")}


def test_listens_on_loopback_free_ports_and_gives_resolve_rules(sandbox_web):
    http_port, https_port = sandbox_web.http_port, sandbox_web.https_port
    assert http_port != https_port and min(http_port, https_port) > 1024
    assert sandbox_web.resolve_rules == [
        f"*:80=127.0.0.1:{http_port}",
        f"*:443=127.0.0.1:{https_port}",
    ]
    for server in sandbox_web._servers:
        assert server.server_address[0] == "127.0.0.1"


def test_given_ports_are_used():
    ports = []
    for _ in range(2):
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        ports.append(probe.getsockname()[1])
        probe.close()
    with SandboxWeb(Site(), http_port=ports[0], https_port=ports[1]) as web:
        assert (web.http_port, web.https_port) == tuple(ports)
        assert fetch(web, "http://x.example/robots.txt").status == 200


@pytest.mark.skipif(os.geteuid() != 0, reason="ports 80/443 need root")
def test_privileged_ports_when_root():
    try:
        web = SandboxWeb(Site(), http_port=80, https_port=443).start()
    except OSError as exc:
        pytest.skip(f"80/443 busy here: {exc}")
    try:
        assert web.resolve_rules == ["*:80=127.0.0.1:80", "*:443=127.0.0.1:443"]
        assert fetch(web, "https://doi.org/robots.txt").status == 200
    finally:
        web.stop()


def test_keep_alive_reuses_one_connection(sandbox_web):
    sandbox_web.site.add("https://www.example.org/a", body="a")
    sandbox_web.site.add("https://www.example.org/b", body="b")
    conn = connection(sandbox_web, "https://www.example.org/")
    try:
        for path in ("/a", "/b"):
            conn.request("GET", path, headers={"Host": "www.example.org"})
            assert conn.getresponse().read() == path[1:].encode()
    finally:
        conn.close()
    first, second = sandbox_web.hits[-2:]
    assert first.connection == second.connection


# -- the hit log --------------------------------------------------------------------------


def test_hits_record_what_the_client_asked(sandbox_web):
    site = sandbox_web.site
    site.add("https://www.cambridge.org/core/article", body=PAGE, etag="e1")
    site.add("https://www.emerald.com/insight", body="other")
    agent = "coprod/0.1 (+mailto:team@example.org)"
    fetch(sandbox_web, "https://www.cambridge.org/robots.txt", headers={"User-Agent": agent})
    fetch(
        sandbox_web,
        "https://www.cambridge.org/core/article?x=1",
        headers={"User-Agent": agent, "If-None-Match": '"e1"'},
    )
    fetch(
        sandbox_web,
        "http://api.crossref.org/works",
        method="POST",
        body=b'{"q": 1}',
        headers={"Content-Type": "application/json"},
    )

    cambridge = sandbox_web.hits_for("www.cambridge.org")
    assert [h.path for h in cambridge] == ["/robots.txt", "/core/article"]
    assert cambridge[0].time <= cambridge[1].time
    assert all(h.headers["user-agent"] == agent for h in cambridge)
    assert cambridge[1].headers["If-None-Match"] == '"e1"' and cambridge[1].status == 304
    assert cambridge[1].target == "/core/article?x=1"
    assert cambridge[1].url == "https://www.cambridge.org/core/article?x=1"
    post = sandbox_web.hits[-1]
    assert (post.method, post.scheme, post.body, post.status) == ("POST", "http", b'{"q": 1}', 404)
    assert sandbox_web.hits_for("www.emerald.com") == []
    sandbox_web.clear_hits()
    assert sandbox_web.hits == []


# -- the fixture site (real pages, read in place) ------------------------------------------


def test_fixture_site_serves_a_real_page_at_its_canonical_url(fixture_web, sandbox_fixtures, fixtures_dir):
    url = "https://journals.plos.org/plosone/article?id=10.1371/journal.pone.0000001"
    got = fetch(fixture_web, url)
    source = fixtures_dir / "publisher_html" / "plos_one_pone.0000001.html"
    assert got.status == 200 and got.body == source.read_bytes()
    assert got.headers["Content-Type"].startswith("text/html")
    assert b"Neural Substrate of Cold-Seeking Behavior in Endotoxin Shock" in got.body
    page = sandbox_fixtures.page_for_doi("10.1371/journal.pone.0000001")
    assert page is not None and page.url == url and page.path == source
    # a page naming no URL of its own (and none in MANIFEST.tsv) is not served
    skipped = {p.name for p in sandbox_fixtures.skipped}
    assert "usenix_conference_paper_bulekov.html" in skipped


def test_fixture_site_doi_org_redirects_to_the_landing_page(fixture_web, fixtures_dir):
    chain = follow(fixture_web, "https://doi.org/10.1007/BF02727953")
    assert chain[0].status == 302 and 2 <= len(chain) <= 3
    assert chain[-1].url == "https://link.springer.com/article/10.1007/BF02727953"
    assert chain[-1].status == 200
    assert b'name="citation_title" content="On the theory of identical particles' in chain[-1].body
    via_dx = follow(fixture_web, "http://dx.doi.org/10.1007/bf02727953")
    assert via_dx[0].status == 301 and via_dx[-1].url == chain[-1].url


def test_fixture_site_has_two_hop_doi_chains(fixture_web, sandbox_fixtures):
    lengths = set()
    for page in sandbox_fixtures.pages:
        if page.doi and sandbox_fixtures.page_for_doi(page.doi) is page:
            chain = follow(fixture_web, f"https://doi.org/{page.doi}")
            assert chain[-1].status == 200 and chain[-1].body == page.path.read_bytes()
            lengths.add(len(chain))
    assert lengths == {2, 3}


def test_fixture_site_crossref_and_datacite(fixture_web, sandbox_fixtures):
    doi = "10.1371/journal.pone.0033693"
    assert doi in sandbox_fixtures.crossref_dois
    work = fetch(fixture_web, f"https://api.crossref.org/works/{doi}?mailto=team%40example.org")
    message = json.loads(work.body)["message"]
    assert work.status == 200 and message["DOI"].lower() == doi
    assert message["title"][0].startswith("Methylphenidate Exposure Induces Dopamine Neuron Loss")

    missing = fetch(fixture_web, "https://api.crossref.org/works/10.5555/not-a-work")
    assert (missing.status, missing.body) == (404, b"Resource not found.")

    assert "10.15156/bio/sh409843.07fu" in sandbox_fixtures.datacite_dois
    record = fetch(fixture_web, "https://api.datacite.org/dois/10.15156/bio/sh409843.07fu")
    assert json.loads(record.body)["data"]["id"] == "10.15156/bio/sh409843.07fu"
    assert record.headers["Content-Type"].startswith("application/vnd.api+json")
    assert fetch(fixture_web, "https://api.datacite.org/dois/10.5555/none").status == 404


def test_fixture_site_serves_manifest_api_urls(fixture_web, sandbox_fixtures):
    url = "https://api.openalex.org/works/https://doi.org/10.1371/journal.pone.0000030"
    assert url in {u for u, _ in sandbox_fixtures.extra_routes}
    got = fetch(fixture_web, url)
    assert json.loads(got.body)["doi"] == "https://doi.org/10.1371/journal.pone.0000030"


# -- the demo site (package data for `coprod demo`) ----------------------------------------


def test_demo_dois_resolve_to_pages_that_name_them_and_to_crossref_works():
    from crawler.sandbox.demo_site import demo_site

    site, dois = demo_site()
    assert len(dois) == 3 and all(d.startswith("10.5555/") for d in dois)
    with SandboxWeb(site) as web:
        for doi in dois:
            chain = follow(web, f"https://doi.org/{doi}")
            assert chain[0].status == 302 and chain[-1].status == 200
            assert chain[-1].headers["Content-Type"].startswith("text/html")
            assert f'name="citation_doi" content="{doi}"'.encode() in chain[-1].body
            work = json.loads(fetch(web, f"https://api.crossref.org/works/{doi}").body)
            assert work["message-type"] == "work" and work["message"]["DOI"] == doi
        lengths = {len(follow(web, f"https://doi.org/{doi}")) for doi in dois}
        assert lengths == {2, 3}
        cambridge = json.loads(fetch(web, f"https://api.crossref.org/works/{dois[0]}").body)
        assert cambridge["message"]["abstract"].count("<jats:sec>") == 4
        assert fetch(web, "https://api.crossref.org/works/10.5555/nothing").status == 404
        assert web.hits_for("dx.doi.org") == []


def test_demo_pages_carry_their_seed_kinds_chrome():
    from crawler.sandbox.demo_site import demo_routes, demo_site

    routes = demo_routes()
    site, _ = demo_site()
    markers = {
        "aggregator_abstract.html": ["Talk to us", "Schedule a call", "Abstract Purpose"],
        "aggregator_zh.html": ["作者", "机构", "摘要", "关键词", "被引", "相关论文", "引用", "收藏"],
        "cambridge_article.html": ["Hostname: page-component", "citation_author_institution"],
        "aggregator_record.json": ['"PeriodicalName"', '"ListUrlMain"'],
        "pure_project.html": ["Spring til...", "Hovedindhold", "Sidefod", "Projektleder"],
    }
    by_file = {name: url for url, name in routes["pages"].items()}
    with SandboxWeb(site) as web:
        for name, wanted in markers.items():
            text = fetch(web, by_file[name]).body.decode("utf-8")
            assert all(marker in text for marker in wanted), name
        for host, robots in routes["robots"].items():
            assert fetch(web, f"https://{host}/robots.txt").body == robots.encode()


def test_demo_files_are_small_marked_and_all_routed():
    from crawler.sandbox.demo_site import HERE, demo_routes

    routes = demo_routes()
    used = set(routes["pages"].values()) | set(routes["crossref"].values())
    files = {p.name for p in HERE.iterdir() if p.suffix in (".html", ".json")} - {"routes.json"}
    assert files == used
    for name in files:
        data = (HERE / name).read_bytes()
        assert len(data) < 8192 and b"coprod demo" in data[:400], name


def test_latency_delays_every_answer_and_hits_are_bounded():
    site = Site()
    site.add("https://www.example.org/a", body="a")
    with SandboxWeb(site, latency=0.2, max_hits=2) as web:
        started = time.monotonic()
        for _ in range(3):
            assert fetch(web, "https://www.example.org/a").body == b"a"
        assert time.monotonic() - started >= 0.6
        fetch(web, "https://www.example.org/robots.txt")
        assert [h.path for h in web.hits] == ["/a", "/robots.txt"]


def test_command_line_serves_and_prints_resolve_rules(capsys):
    from crawler.sandbox.__main__ import main

    assert main(["--demo", "--seconds", "0.1"]) == 0
    out = capsys.readouterr().out
    assert "--resolve '*:80=127.0.0.1:" in out and "--resolve '*:443=127.0.0.1:" in out
    assert "10.5555/coprod.2020.0013" in out
