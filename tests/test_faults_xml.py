"""Hostile OAI-PMH XML met by `coprod crawl --source oai=...`: an external entity (XXE) naming a
local file and a URL, and a billion-laughs entity bomb. Nothing is expanded or fetched, the
run stays quick and small, the responses are archived as received, and the source's failure
is in the summary, the catalog and the exit code."""

from __future__ import annotations

import resource
import time

import pytest

from crawler.sandbox import SandboxWeb, Site
from tests.cli_runner import run_coprod
from tests.test_faults_helpers import archive_records, check_archive, failures, listeners_on

OAI = "http://www.openarchives.org/OAI/2.0/"
# What a DSpace repository answers to Identify (shape of ../shared/fixtures/oai_xml/*Identify*)
IDENTIFY = f"""<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="{OAI}"><responseDate>2024-05-01T10:00:00Z</responseDate>
<request verb="Identify">{{base}}</request><Identify><repositoryName>Sandbox repository</repositoryName>
<baseURL>{{base}}</baseURL><protocolVersion>2.0</protocolVersion><adminEmail>oai@example.org</adminEmail>
<earliestDatestamp>2001-01-01T00:00:00Z</earliestDatestamp><deletedRecord>persistent</deletedRecord>
<granularity>YYYY-MM-DDThh:mm:ssZ</granularity></Identify></OAI-PMH>
"""


def list_records(doctype: str, title: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
{doctype}
<OAI-PMH xmlns="{OAI}"><responseDate>2024-05-01T10:00:01Z</responseDate>
<request verb="ListRecords" metadataPrefix="oai_dc">https://repo/oai</request><ListRecords>
<record><header><identifier>oai:repo:1</identifier><datestamp>2024-04-01T00:00:00Z</datestamp></header>
<metadata><oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"
 xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{title}</dc:title>
<dc:identifier>https://repo.example.org/items/1</dc:identifier></oai_dc:dc></metadata></record>
</ListRecords></OAI-PMH>
"""


LAUGHS = "<!DOCTYPE lolz [<!ENTITY lol \"lol\">" + "".join(
    f"<!ENTITY lol{n} \"{('&lol' + (str(n - 1) if n > 1 else '') + ';') * 10}\">" for n in range(1, 10)
) + "]>"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory):
    data = tmp_path_factory.mktemp("xml")
    listeners = listeners_on(("127.0.0.2",))
    secret = tmp_path_factory.mktemp("secret") / "passwd"
    secret.write_text("root:x:0:0:SECRET-LINE\n")
    xxe = (f"<!DOCTYPE r [<!ENTITY file SYSTEM \"file://{secret}\">"
           f"<!ENTITY web SYSTEM \"http://127.0.0.2:{listeners[0].port}/xxe\">]>")
    site = Site()
    for host, doctype, title in (("xxe", xxe, "&file;&web;"), ("laughs", LAUGHS, "&lol9;")):
        base = f"https://{host}.example.org/oai"
        site.add(f"{base}?verb=Identify", body=IDENTIFY.format(base=base), content_type="text/xml")
        site.add(f"{base}?verb=ListRecords&metadataPrefix=oai_dc",
                 body=list_records(doctype, title), content_type="text/xml; charset=utf-8")
    try:
        with SandboxWeb(site) as web:
            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            started = time.monotonic()
            done = run_coprod("crawl", "--source", "oai=https://xxe.example.org/oai",
                              "--source", "oai=https://laughs.example.org/oai", "--depth", "0",
                              data_dir=data, resolve=web.resolve_rules, timeout=120)
            elapsed = time.monotonic() - started
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    finally:
        for listener in listeners:
            listener.close()
    return done, data, listeners[0].connections, elapsed, max(before, peak)


def test_hostile_xml_is_refused_and_reported(run) -> None:
    done, data, connections, elapsed, peak_kb = run
    assert done.returncode == 1, done.stderr
    assert elapsed < 60 and peak_kb < 1_000_000  # no exponential expansion (kB of the largest child)
    assert not connections, "the external entity's URL was fetched"
    summary = {line.split(":")[1].strip(): line for line in done.stderr.splitlines()
               if line.startswith("coprod: oai") and "FAILED" in line}
    assert set(summary) == {"oai (https", "oai-2 (https"}, done.stderr  # both sources failed
    assert "coprod: oai: OAI-PMH records: unsafeXml: the document declares entities" in done.stderr
    assert "coprod: oai-2: OAI-PMH records: unsafeXml: Maximum entity amplification" in done.stderr
    for host, name in (("xxe", "oai"), ("laughs", "oai-2")):
        recorded = failures(data).get(f"https://{host}.example.org/oai?verb=ListRecords"
                                      "&metadataPrefix=oai_dc", [])
        assert [kind for kind, _ in recorded] == ["source"], failures(data)
        assert recorded[0][1].startswith(f"{name}: OAI-PMH records: unsafeXml: ")
    check_archive(data)


def test_nothing_of_the_entities_reaches_the_archive(run) -> None:
    _, data, *_ = run
    records = archive_records(data)
    assert not any(b"SECRET-LINE" in r["payload"] for r in records)
    assert not any(b"lollollol" in r["payload"] for r in records)  # never expanded
    stored = [r for r in records if r["type"] == "response"
              and "verb=ListRecords" in r["headers"]["WARC-Target-URI"]]
    assert len(stored) == 2 and all(b"<!ENTITY" in r["payload"] for r in stored)  # as received
    assert not [r for r in records if r["type"] == "metadata" and b'"title"' in r["payload"]]
