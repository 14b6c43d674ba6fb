"""Rendering in real Chromium through the real `coprod doi`, against the sandbox web: a page
whose record exists only once its script has fetch()ed JSON, consent walls, and that no
browser request goes anywhere but the mapped hosts on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

from crawler.render.browser import BROWSER_SERVICE_HOSTS, find_browser
from crawler.sandbox import Response, SandboxWeb, Site
from tests.cli_runner import json_lines, run_coprod
from tests.conftest import needs_system
from tests.warc_checks import all_warcs, assert_valid_warc, read_records

PAGES = Path(__file__).parent / "pages"
API_HOSTS = {"doi.org", "api.crossref.org", "api.datacite.org"}

pytestmark = needs_system(find_browser() is not None, "Chromium not installed (Debian: apt install chromium)")


# -- sandbox sites shared with test_render_failures.py ----------------------------------------


def registration_agencies_know_nothing(site: Site) -> None:
    """Crossref and DataCite answer 404: a record can only come from the landing page."""
    site.add_prefix("https://api.crossref.org/works/", Response(status=404, body="Resource not found."))
    site.add_prefix("https://api.datacite.org/dois/",
                    Response(status=404, body='{"errors":[{"status":"404","title":"not found"}]}',
                             content_type="application/json"))


def paper(number: int, doi: str) -> dict:
    """The JSON a paper page's script fetches (Semantic Scholar graph API field names)."""
    return {
        "title": f"Co-producing mental health support with service users: study {number}",
        "authors": [{"name": "Ann Example"}, {"name": "Bo Sample"}],
        "venue": "Journal of Public Services",
        "publicationDate": "2023-04-01",
        "externalIds": {"DOI": doi},
        "abstract": ("We examine how voluntary organisations and service users co-produce "
                     "mental health support in three municipalities, and what it asks of staff."),
    }


def add_app_paper(site: Site, host: str, number: int, doi: str, **json_behaviour) -> dict:
    """doi.org -> an app-shell page on `host` whose script fetches /api/paper/<n>.json."""
    data = paper(number, doi)
    site.redirect(f"https://doi.org/{doi}", f"https://{host}/paper/{number}", 302)
    site.add(f"https://{host}/paper/{number}", file=PAGES / "render_app_shell.html")
    site.add(f"https://{host}/api/paper/{number}.json", body=json.dumps(data),
             content_type="application/json", **json_behaviour)
    return data


def render_logs(records: list[dict]) -> list[dict]:
    return [json.loads(r["payload"])["coprod_render"] for r in records
            if r["type"] == "metadata" and b'"coprod_render"' in r["payload"][:40]]


def warc_records(data_dir: Path) -> list[dict]:
    warcs = all_warcs(data_dir)
    assert warcs, f"no WARC in {data_dir}"
    out = []
    for path in warcs:
        assert_valid_warc(path)
        out += read_records(path)
    return out


# -- a page whose record exists only after its script fetch()es JSON ---------------------------


def test_record_exists_only_once_the_script_has_fetched_its_json(tmp_path: Path):
    site = Site()
    registration_agencies_know_nothing(site)
    doi = "10.5555/spa.1"
    data = add_app_paper(site, "papers.example", 1, doi, gzip=True)
    with SandboxWeb(site) as web:
        plain = run_coprod("doi", doi, "--no-render", data_dir=tmp_path / "plain",
                           resolve=web.resolve_rules, timeout=60)
        assert not any(hit.path.startswith("/api/") for hit in web.hits)  # no script ran
        assert data["title"] not in plain.stdout
        web.clear_hits()
        done = run_coprod("doi", doi, data_dir=tmp_path / "auto", resolve=web.resolve_rules, timeout=60)
        hits = web.hits
    assert done.returncode == 0, done.stderr[-3000:]
    [record] = json_lines(done.stdout)
    assert record["title"] == data["title"]
    assert [a["name"] for a in record["authors"]] == ["Ann Example", "Bo Sample"]
    assert record["container"] == "Journal of Public Services"
    assert record["published"] == "2023-04-01"
    assert "co-produce mental health support" in record["abstract"]

    records = warc_records(tmp_path / "auto")
    browser = [r for r in records if r["headers"].get("Coprod-Capture") == "browser"]
    responses = {r["headers"]["WARC-Target-URI"]: r for r in browser if r["type"] == "response"}
    requests = {r["headers"]["WARC-Target-URI"]: r for r in browser if r["type"] == "request"}
    page_url, json_url = "https://papers.example/paper/1", "https://papers.example/api/paper/1.json"
    assert set(responses) == set(requests) == {page_url, json_url}
    document, fetched = responses[page_url], responses[json_url]
    # what the server sent: the served page as it is, the JSON decoded from its gzip
    assert document["payload"] == (PAGES / "render_app_shell.html").read_bytes()
    assert json.loads(fetched["payload"]) == data
    assert fetched["http"].get_header("Content-Encoding") is None
    assert fetched["http"].get_header("Content-Length") == str(len(fetched["payload"]))
    assert requests[json_url]["raw_http"].startswith(b"GET /api/paper/1.json HTTP/1.1\r\n")
    assert requests[json_url]["headers"]["WARC-Concurrent-To"] == fetched["headers"]["WARC-Record-ID"]
    # the rendered DOM and the screenshot: resources, concurrent to the page's response
    document_id = document["headers"]["WARC-Record-ID"]
    [dom] = [r for r in records if r["headers"].get("WARC-Target-URI") == f"urn:dom:{page_url}"]
    [shot] = [r for r in records if r["headers"].get("WARC-Target-URI") == f"urn:screenshot:{page_url}"]
    assert dom["type"] == shot["type"] == "resource"
    assert dom["headers"]["Content-Type"] == "text/html; charset=utf-8"
    assert f"<h1>{data['title']}</h1>".encode() in dom["payload"]
    assert shot["headers"]["Content-Type"] == "image/png" and shot["payload"][:8] == b"\x89PNG\r\n\x1a\n"
    assert dom["headers"]["WARC-Concurrent-To"] == shot["headers"]["WARC-Concurrent-To"] == document_id
    # never the DOM passed off as what a server sent
    assert not [r for r in records if r["type"] == "response" and r["payload"] == dom["payload"]]
    # the record says what it was read from
    prov = record["provenance"]
    assert prov["warc_record_id"] == document_id
    assert {dom["headers"]["WARC-Record-ID"], shot["headers"]["WARC-Record-ID"]} <= set(prov["captures"])
    [note] = [n for n in prov["notes"] if n.startswith("rendered DOM")]
    assert note.startswith("rendered DOM (Chromium ") and "app shell (react)" in note
    assert note.endswith(f"urn:dom:{page_url} {dom['headers']['WARC-Record-ID']}")
    [log] = render_logs(records)
    assert log["reason"] == "app shell (react)" and log["settled"] is True
    assert log["records"]["document"] == document_id
    # the plain fetch came first and is archived byte for byte, beside the browser's
    served = [r for r in records if r["type"] == "response" and "Coprod-Capture" not in r["headers"]
              and r["headers"]["WARC-Target-URI"] == page_url]
    assert len(served) == 1 and served[0]["payload"] == document["payload"]

    # nothing left 127.0.0.1: the sandbox saw only the hosts of this test, no browser services
    assert {hit.host for hit in hits} == API_HOSTS | {"papers.example"}
    assert not {hit.host for hit in hits} & set(BROWSER_SERVICE_HOSTS)
    # every request the page made reached the sandbox, or failed without leaving the machine
    seen = {(hit.host, hit.target) for hit in hits}
    failed = dict(log["failed"])
    for url in log["requested"]:
        parts = urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        assert (parts.hostname, target) in seen or url in failed, url
    assert "ERR_NAME_NOT_RESOLVED" in failed["https://beacon.elsewhere.example:8443/collect?p=1"]
    assert "http://127.0.0.1:9/pixel.gif" in failed
    assert {r["headers"].get("WARC-IP-Address") for r in browser if r["type"] == "response"} == {"127.0.0.1"}


# -- consent walls ----------------------------------------------------------------------------


def test_consent_banners_are_dismissed_by_rule_in_a_browser_restarted_every_page(tmp_path: Path):
    site = Site()
    registration_agencies_know_nothing(site)
    wall = {"title": "Volunteers in public libraries: co-production or substitution?",
            "authors": ["Cai Doe", "Dee Roe"],
            "abstract": "Public libraries increasingly rely on volunteers. " * 3}
    project = {"title": "Co-creating welfare services with older citizens",
               "description": "A three-year project with municipalities and citizens. " * 3}
    site.redirect("https://doi.org/10.5555/wall.1", "https://journal.example/article/7", 302)
    site.add("https://journal.example/article/7", file=PAGES / "render_consent_wall.html")
    site.add("https://journal.example/article/7/content.json", body=json.dumps(wall))
    site.redirect("https://doi.org/10.5555/banner.2", "https://institute.example/projects/cocreate", 302)
    site.add("https://institute.example/projects/cocreate", file=PAGES / "render_cookie_banner.html")
    site.add("https://institute.example/projects/cocreate.json", body=json.dumps(project))
    with SandboxWeb(site) as web:
        done = run_coprod("doi", "10.5555/wall.1", "10.5555/banner.2",
                          "-s", "COPROD_RENDER_HOSTS=journal.example,institute.example",
                          "-s", "COPROD_RENDER_RESTART_EVERY=1",
                          data_dir=tmp_path, resolve=web.resolve_rules, timeout=60)
    assert done.returncode == 0, done.stderr[-3000:]
    titles = [r["title"] for r in json_lines(done.stdout)]
    assert titles == [wall["title"], project["title"]]
    logs = {urlsplit(log["page_url"]).hostname: log for log in render_logs(warc_records(tmp_path))}
    # OneTrust offers both: refusing comes first
    assert logs["journal.example"]["consent"] == "onetrust: refuse"
    assert logs["journal.example"]["reason"] == "host rule journal.example"
    # a home-made banner: the generic rule, and the accept button (there is no refuse button)
    assert logs["institute.example"]["consent"] == "generic: accept"
    assert "https://institute.example/projects/cocreate.json" in logs["institute.example"]["requested"]
    # a fresh browser for every page (COPROD_RENDER_RESTART_EVERY=1)
    assert sorted(log["browser_session"] for log in logs.values()) == [1, 2]
