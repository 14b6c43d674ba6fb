"""Nobody harmed, end to end: mapped pages that redirect or link into loopback stand-ins for
private hosts (127.0.0.2, localhost, [::1]), with real listeners there that must see no
connection. Only `*.example.org` and the DOI/API hosts are mapped, port by port, as with
`--resolve '*.example.org:443=127.0.0.1:P'`; the stand-ins are not."""

from __future__ import annotations

import socket
import time

import pytest

from crawler.sandbox import Response, SandboxWeb, Site
from tests.cli_runner import json_lines, run_coprod
from tests.test_faults_helpers import check_archive, failures, landing_html, listeners_on

STAND_INS = ("127.0.0.2", "127.0.0.1", "::1")  # "localhost" is 127.0.0.1 here (/etc/hosts)


def _connections(listeners: list) -> int:
    return sum(len(listener.connections) for listener in listeners)


def _assert_listening(listeners: list) -> None:
    for host, listener in zip(STAND_INS, listeners, strict=True):
        before = len(listener.connections)
        socket.create_connection((host, listener.port), timeout=2).close()
        deadline = time.monotonic() + 2
        while len(listener.connections) == before and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(listener.connections) == before + 1, f"{host}:{listener.port} is not listening"
        listener.connections.clear()


@pytest.fixture(scope="module")
def setting():
    listeners = listeners_on(STAND_INS)
    port = listeners[0].port
    ip, local, v6 = (f"http://127.0.0.2:{port}/internal", f"http://localhost:{port}/admin",
                     f"http://[::1]:{port}/export.ris")
    site = Site()
    site.add_prefix("https://api.crossref.org/works/", Response(404, body="Resource not found."))
    site.add_prefix("https://api.datacite.org/dois/", Response(404, body="not found"))
    site.redirect("https://doi.org/10.5555/harm-ip", "https://www.example.org/moved", status=302)
    site.redirect("https://www.example.org/moved", ip, status=302)
    site.redirect("https://doi.org/10.5555/harm-local", local, status=302)
    site.redirect("https://doi.org/10.5555/harm-v6", "https://www.example.org/article", status=302)
    site.add("https://www.example.org/article", body=landing_html(
        "Co-production in municipal care", "10.5555/harm-v6",
        body='<p><a href="/export.ris">Download citation (RIS)</a></p>'))
    site.redirect("https://www.example.org/export.ris", v6, status=302)
    links = "".join(f'<a href="{url}">{url}</a> ' for url in (ip, local, v6))
    site.add("https://www.example.org/links.html",
             body=f"<html><body><h1>Links</h1>{links}<a href='/go'>same site</a></body></html>")
    site.redirect("https://www.example.org/go", f"http://127.0.0.2:{port}/crawled", status=302)
    with SandboxWeb(site) as web:
        rules = [f"{host}:{scheme_port}=127.0.0.1:{target}"
                 for host in ("*.example.org", "doi.org", "api.crossref.org", "api.datacite.org")
                 for scheme_port, target in ((443, web.https_port), (80, web.http_port))]
        yield web, rules, listeners, {"ip": ip, "local": local, "v6": v6, "port": port}
    for listener in listeners:
        listener.close()


def test_doi_redirects_and_export_links_into_loopback_are_refused(setting, tmp_path) -> None:
    web, rules, listeners, urls = setting
    done = run_coprod("doi", "10.5555/harm-ip", "10.5555/harm-local", "10.5555/harm-v6",
                      data_dir=tmp_path, resolve=rules)
    assert _connections(listeners) == 0, "a stand-in was reached"
    assert done.returncode == 1, done.stderr
    recorded = failures(tmp_path)
    for key in ("ip", "local", "v6"):
        assert [kind for kind, _ in recorded.get(urls[key], [])] == ["blocked"], recorded
        assert f"coprod: failed: {urls[key]}: refused: " in done.stderr
    assert "127.0.0.2 is a loopback, private, link-local or reserved address" in recorded[urls["ip"]][0][1]
    assert "'localhost' names a local host" in recorded[urls["local"]][0][1]
    assert "::1 is a loopback" in recorded[urls["v6"]][0][1]
    # the page itself was fine: its record is there, its export was refused
    assert [r["doi"] for r in json_lines(done.stdout)] == ["10.5555/harm-v6"]
    check_archive(tmp_path)
    _assert_listening(listeners)  # so "no connection" above meant something


def test_crawl_links_and_redirects_into_loopback_are_refused(setting, tmp_path) -> None:
    web, rules, listeners, urls = setting
    done = run_coprod("crawl", "--source", "url=https://www.example.org/links.html", "--depth", "2",
                      data_dir=tmp_path, resolve=rules)
    assert _connections(listeners) == 0, "a stand-in was reached"
    assert [h.path for h in web.hits_for("www.example.org") if h.path == "/go"], "the redirect was not met"
    crawled = f"http://127.0.0.2:{urls['port']}/crawled"
    assert [kind for kind, _ in failures(tmp_path).get(crawled, [])] == ["blocked"]
    assert f"coprod: failed: {crawled}: refused: " in done.stderr and done.returncode == 1
    check_archive(tmp_path)
    _assert_listening(listeners)  # so "no connection" above meant something
