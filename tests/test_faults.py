"""The fault matrix: every fault the web has, met by `coprod doi` on the sandbox web.

One batch run fetches one DOI per fault (each fault on its own host, behind a doi.org
redirect; Crossref and DataCite answer 404 unless the fault is theirs), so the run is
quick; each test then reads what that DOI left: the record or the stderr line, the
archived exchanges, and the catalog's failures. Every test ends with a valid archive
(warcio check), no `.open` file, and a catalog equal to a rebuild from the WARCs.
"""

from __future__ import annotations

import gzip
import json
import random
import time

import pytest

from crawler.sandbox import Response, SandboxWeb, Site
from tests.cli_runner import json_lines, run_coprod
from tests.test_faults_helpers import (
    Listener,
    archive_records,
    check_archive,
    closed_port,
    failures,
    landing_html,
)

MAX_BODY = 200_000
MAX_DECOMPRESSED = 2_000_000
SETTINGS = ("--set", "RETRY_BACKOFF_BASE=0.05", "--set", "DOWNLOAD_TIMEOUT=1",
            "--set", f"COPROD_MAX_BODY={MAX_BODY}", "--set", f"DOWNLOAD_MAXSIZE={MAX_DECOMPRESSED}")
TITLE = "Co-producing home care with service users: a three-year study"
SPANISH = "Coproducción de servicios públicos: una revisión crítica"
CHINESE = "公共服务合作生产的治理研究"


def doi(name: str) -> str:
    return f"10.5555/fault-{name}"


def url(name: str, path: str = "/work") -> str:
    return f"https://{name}.example.org{path}"


def build_site() -> Site:
    site = Site()
    site.ignore_case("doi.org", "api.crossref.org", "api.datacite.org")
    site.add_prefix("https://api.crossref.org/works/", Response(404, body="Resource not found."))
    site.add_prefix("https://api.datacite.org/dois/", Response(404, body='{"errors":[{"status":"404"}]}',
                                                               content_type="application/json"))

    def fault(name: str, *responses: Response, path: str = "/work") -> None:
        site.redirect(f"https://doi.org/{doi(name)}", url(name, path), status=302)
        site.add_sequence(url(name, path), list(responses))

    def ok(name: str) -> Response:
        return Response(body=landing_html(TITLE, doi(name)))

    page = landing_html(TITLE, doi("cut"))
    fault("429", Response(429, body="Too Many Requests", headers={"Retry-After": "1"}), ok("429"))
    fault("429long", Response(429, body="Too Many Requests", headers={"Retry-After": "3600"}))
    fault("burst", Response(503, body="busy"), Response(503, body="busy"), ok("burst"))
    fault("longburst", *[Response(503, body="busy")] * 5, ok("longburst"))
    fault("refused", ok("refused"))  # never reached: the host is mapped to a closed port
    fault("reset", Response(body=page, cut="reset", cut_after=100))
    fault("truncated", Response(body=page, cut="truncate", cut_after=300))
    fault("stall", Response(body=page, cut="stall", cut_after=200))
    site.redirect(f"https://doi.org/{doi('loop')}", url("loop", "/a"), status=302)
    site.redirect(url("loop", "/a"), url("loop", "/b"), status=302)
    site.redirect(url("loop", "/b"), url("loop", "/a"), status=302)
    site.redirect(f"https://doi.org/{doi('chain')}", url("chain", "/hop/0"), status=302)
    for hop in range(30):
        site.redirect(url("chain", f"/hop/{hop}"), url("chain", f"/hop/{hop + 1}"), status=302)
    site.add(url("chain", "/hop/30"), body=landing_html(TITLE, doi("chain")))
    noise = random.Random(7).randbytes(600_000).hex()  # incompressible, 1.2 MB of page
    fault("big", Response(body=landing_html(TITLE, doi("big"), body=f"<p>{noise}</p>")))
    bomb = landing_html(TITLE, doi("bomb"), body="<p>" + " " * 20_000_000 + "</p>")
    fault("bomb", Response(body=bomb, gzip=True))
    fault("ctype", Response(body=landing_html(TITLE, doi("ctype")),
                            content_type="application/octet-stream"))
    fault("wrongcharset", Response(body=landing_html(SPANISH, doi("wrongcharset"))
                                   .replace('<meta charset="utf-8">', "").encode("cp1252"),
                                   content_type="text/html; charset=utf-8"))
    fault("nocharset", Response(body=landing_html(CHINESE, doi("nocharset"))
                                .replace('<meta charset="utf-8">', "").replace('lang="en"', 'lang="zh"')
                                .encode("gbk"), content_type="text/html"))
    broken = ("<html><head><title>x</title><meta name=citation_title content='" + TITLE + "'>"
              "<meta name=\"citation_doi\" content=\"" + doi("malformed") + "\"><body><div><div><p>"
              "<table><tr><td>Co-production <b><i>of care</b></i></td></div></span>&#0;&bogus;"
              "<p>unclosed <a href='/x'>link<script>var a = '</div>';")
    fault("malformed", Response(body=broken, content_type="text/html; charset=utf-8"))
    # an API answering 200 with JSON cut off mid-way; the landing page is gone
    site.redirect(f"https://doi.org/{doi('badjson')}", url("badjson"), status=302)
    site.add(url("badjson"), body="<html>Not found</html>", status=404)
    site.add(f"https://api.crossref.org/works/{doi('badjson')}",
             body='{"status":"ok","message-type":"work","message":{"DOI":"' + doi("badjson")
             + '","title":["Co-production of', content_type="application/json")
    fault("dns", ok("dns"))  # never reached: the host does not resolve
    fault("tls", ok("tls"))  # never reached: the host's port 443 does not speak TLS
    return site


FAULTS = ("429", "429long", "burst", "longburst", "refused", "reset", "truncated", "stall", "loop",
          "chain", "big", "bomb", "ctype", "wrongcharset", "nocharset", "malformed", "badjson", "dns",
          "tls")


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory):
    """One `coprod doi` run over every fault; (completed process, data dir, hits, records)."""
    data = tmp_path_factory.mktemp("faults")
    tls = Listener("127.0.0.1", reply=b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\nnot TLS\n")
    try:
        with SandboxWeb(build_site()) as web:
            rules = [f"refused.example.org:443=127.0.0.1:{closed_port()}",
                     f"tls.example.org:443=127.0.0.1:{tls.port}",
                     "dns.example.org=~NOTFOUND", *web.resolve_rules]
            started = time.monotonic()
            done = run_coprod("doi", *[doi(name) for name in FAULTS], *SETTINGS,
                              data_dir=data, resolve=rules, timeout=120)
            elapsed = time.monotonic() - started
            hits = web.hits
    finally:
        tls.close()
    return done, data, hits, archive_records(data), tls.connections, elapsed


def _record(batch, name: str) -> dict:
    done = batch[0]
    found = [r for r in json_lines(done.stdout) if r.get("doi") == doi(name)]
    assert found, f"no record for {doi(name)}: {done.stderr}"
    return found[0]


def _responses(batch, target: str) -> list[dict]:
    return [r for r in batch[3] if r["type"] in ("response", "revisit")
            and r["headers"]["WARC-Target-URI"] == target]


def _failed(batch, name: str) -> str:
    """The DOI's line on stderr (the DOI failed as a whole)."""
    done = batch[0]
    lines = [line for line in done.stderr.splitlines() if line.startswith(f"coprod: {doi(name)}: ")]
    assert lines, f"{doi(name)} not reported as failed: {done.stderr}"
    return lines[0]


def _fetch_failure(batch, target: str, kind: str) -> str:
    """The failure recorded for `target`: in the catalog (rebuilt from the WARCs alike) and as a
    `coprod: failed:` line on stderr; returns its reason."""
    done, data = batch[0], batch[1]
    recorded = failures(data).get(target, [])
    assert [k for k, _ in recorded] == [kind], f"{target}: {recorded}"
    reason = recorded[0][1]
    assert f"coprod: failed: {target}: {reason}" in done.stderr
    return reason


def test_batch_exit_code_time_and_archive(batch) -> None:
    done, data, *_, elapsed = batch
    assert done.returncode == 1, done.stderr
    assert elapsed < 60, f"the fault batch took {elapsed:.0f} s"
    check_archive(data)


def test_429_with_retry_after_is_waited_for(batch) -> None:
    tries = [hit for hit in batch[2] if hit.url == url("429")]
    assert [hit.status for hit in tries] == [429, 200]
    assert tries[1].time - tries[0].time >= 0.95  # Retry-After: 1
    assert _record(batch, "429")["title"] == TITLE
    assert [r["http"].get_statuscode() for r in _responses(batch, url("429"))] == ["429", "200"]
    assert url("429") not in failures(batch[1])


def test_429_with_a_retry_after_too_long_is_a_failure(batch) -> None:
    assert len([hit for hit in batch[2] if hit.url == url("429long")]) == 1  # not waited an hour
    assert "HTTP 429, Retry-After: 3600" in _fetch_failure(batch, url("429long"), "http")
    assert "HTTP 429" in _failed(batch, "429long")


def test_503_burst_is_retried_through(batch) -> None:
    assert [hit.status for hit in batch[2] if hit.url == url("burst")] == [503, 503, 200]
    assert _record(batch, "burst")["title"] == TITLE
    assert url("burst") not in failures(batch[1])


def test_503_burst_longer_than_the_retries_is_a_failure(batch) -> None:
    assert len([hit for hit in batch[2] if hit.url == url("longburst")]) == 4  # 1 + RETRY_TIMES
    assert _fetch_failure(batch, url("longburst"), "http") == "HTTP 503 (after 3 retries)"
    assert len(_responses(batch, url("longburst"))) == 4  # every attempt archived


def test_connection_refused(batch) -> None:
    assert not [hit for hit in batch[2] if hit.host == "refused.example.org"]
    reason = _fetch_failure(batch, url("refused"), "network")
    assert "ConnectionRefused" in reason and "after 3 retries" in reason
    assert "no record" in _failed(batch, "refused")


def test_reset_mid_body(batch) -> None:
    assert len([hit for hit in batch[2] if hit.url == url("reset")]) == 4
    stored = _responses(batch, url("reset"))
    assert len(stored) == 4 and all(r["headers"]["WARC-Truncated"] == "disconnect" for r in stored)
    assert all(len(r["payload"]) == 100 for r in stored)  # what arrived before the RST
    reason = _fetch_failure(batch, url("reset"), "truncated")
    assert reason.startswith("body cut short: 100 of ")
    assert "TruncatedResponse" in _failed(batch, "reset")


def test_truncated_body_content_length_longer_than_sent(batch) -> None:
    stored = _responses(batch, url("truncated"))
    assert len(stored) == 4, "retried: 1 + RETRY_TIMES"
    for record in stored:
        assert record["headers"]["WARC-Truncated"] == "disconnect"
        assert len(record["payload"]) == 300
        declared = int(record["http"].get_header("Content-Length"))
        assert declared > 300  # the head promised more than came
    reason = _fetch_failure(batch, url("truncated"), "truncated")
    assert "300 of" in reason and "(after 3 retries)" in reason


def test_stalled_response_times_out(batch) -> None:
    assert len([hit for hit in batch[2] if hit.url == url("stall")]) == 4
    assert "DownloadTimeoutError" in _fetch_failure(batch, url("stall"), "network")
    assert not _responses(batch, url("stall"))  # nothing arrived whole; only the failure record


def test_redirect_loop_is_cut_at_its_first_repeat(batch) -> None:
    paths = [hit.path for hit in batch[2] if hit.host == "loop.example.org" and hit.path != "/robots.txt"]
    assert paths == ["/a", "/b", "/a", "/b"]  # each URL twice (a cookie bounce is allowed), no more
    reason = _fetch_failure(batch, f"https://doi.org/{doi('loop')}", "redirect")
    assert reason.startswith(f"redirect loop: {url('loop', '/a')} again after ")
    assert len(_responses(batch, url("loop", "/a"))) == 2  # every hop archived


def test_thirty_hop_redirect_chain_stops_at_the_limit(batch) -> None:
    hops = [hit.path for hit in batch[2] if hit.host == "chain.example.org" and hit.path != "/robots.txt"]
    assert hops == [f"/hop/{n}" for n in range(20)]  # doi.org's hop + 19 here = REDIRECT_MAX_TIMES
    reason = _fetch_failure(batch, f"https://doi.org/{doi('chain')}", "redirect")
    assert reason == "more than 20 redirects (gave up after 20 hops)"
    assert all(_responses(batch, url("chain", f"/hop/{n}")) for n in range(20))


def test_page_over_the_size_limit_is_archived_truncated(batch) -> None:
    stored = _responses(batch, url("big"))
    assert len(stored) == 1  # not retried: it would be as big again
    record = stored[0]
    assert record["headers"]["WARC-Truncated"] == "length"
    assert MAX_BODY < len(record["payload"]) < MAX_BODY + 70_000  # stopped at the limit
    full = int(record["http"].get_header("Content-Length"))
    assert full > 1_000_000 and record["payload"].startswith(b"<!DOCTYPE html>")
    reason = _fetch_failure(batch, url("big"), "too-large")
    assert f"over the size limit ({MAX_BODY} bytes; Content-Length {full})" in reason
    assert "TruncatedResponse" in _failed(batch, "big")


def test_gzip_bomb_is_archived_compressed_and_refused(batch) -> None:
    stored = _responses(batch, url("bomb"))
    assert len(stored) == 1
    raw = stored[0]["payload"]
    assert stored[0]["http"].get_header("Content-Encoding") == "gzip" and len(raw) < MAX_BODY
    assert len(gzip.decompress(raw)) > 20_000_000  # what it would have become
    assert "WARC-Truncated" not in stored[0]["headers"]  # the raw body is whole
    reason = _fetch_failure(batch, url("bomb"), "too-large")
    assert f"decompresses past DOWNLOAD_MAXSIZE ({MAX_DECOMPRESSED} bytes" in reason


def test_wrong_content_type_is_read_by_content(batch) -> None:
    record = _record(batch, "ctype")
    assert record["title"] == TITLE and record["provenance"]["fields"]["title"].startswith("embedded")
    stored = _responses(batch, url("ctype"))
    assert stored[0]["http"].get_header("Content-Type") == "application/octet-stream"


def test_wrong_charset_label(batch) -> None:
    assert _record(batch, "wrongcharset")["title"] == SPANISH  # cp1252 bytes labelled utf-8


def test_missing_charset(batch) -> None:
    assert _record(batch, "nocharset")["title"] == CHINESE  # GBK bytes, no label anywhere


def test_malformed_html(batch) -> None:
    record = _record(batch, "malformed")
    assert record["title"] == TITLE and record["doi"] == doi("malformed")


def test_malformed_json_from_an_api(batch) -> None:
    line = _failed(batch, "badjson")
    assert "crossref: unusable" in line or "crossref: no work" in line, line
    stored = _responses(batch, f"https://api.crossref.org/works/{doi('badjson')}")
    assert stored and stored[0]["payload"].endswith(b'"title":["Co-production of')  # archived as sent
    with pytest.raises(json.JSONDecodeError):
        json.loads(stored[0]["payload"])


def test_dns_failure(batch) -> None:
    assert not [hit for hit in batch[2] if hit.host == "dns.example.org"]
    assert "CannotResolveHost" in _fetch_failure(batch, url("dns"), "network")


def test_tls_handshake_failure(batch) -> None:
    assert batch[4], "the TLS stand-in was never reached"
    assert not [hit for hit in batch[2] if hit.host == "tls.example.org"]
    reason = _fetch_failure(batch, url("tls"), "network")
    assert "TLS handshake failed (wrong version number)" in reason, reason


def test_truncated_responses_are_marked_in_the_catalog_and_never_a_pages_copy(batch, tmp_path) -> None:
    from archive.catalog import Catalog
    from crawler.incremental import latest_capture

    with Catalog(batch[1] / "catalog.sqlite") as catalog:
        assert {c.truncated for c in catalog.captures_for(url("reset"))} == {"disconnect"}
        assert [c.truncated for c in catalog.captures_for(url("big"))] == ["length"]
        assert [c.truncated for c in catalog.captures_for(url("429"))] == [None, None]
        assert latest_capture(catalog, url("big")) is None  # no whole copy to revalidate or resume
    with Catalog(tmp_path / "catalog.sqlite") as catalog:  # a whole copy, then a cut one
        base = dict(record_type="response", uri="https://x.example.org/", status=200, mime="text/html",
                    payload_digest="sha1:A", length=10, warc_file="a.warc.gz", record_length=5)
        catalog.add_capture(**base, record_id="<urn:uuid:1>", warc_date="2024-01-01T00:00:00Z", offset=0)
        catalog.add_capture(**base, record_id="<urn:uuid:2>", warc_date="2024-01-02T00:00:00Z", offset=9,
                            truncated="disconnect")
        assert latest_capture(catalog, "https://x.example.org/").record_id == "<urn:uuid:1>"
