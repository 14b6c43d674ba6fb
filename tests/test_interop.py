"""Interop: coprod reads archives written by others (../shared/fixtures/warc: warcio, pywb,
wget, wpull, chunked bodies, revisits, an ARC, a WACZ), flags bad digests in them, and its
own WARCs, CDXJ and WACZ replay in pywb (installed in a venv of its own: it pins old deps).

Expected values were read from the files themselves (zcat / unzip): the ARC's header line
`http://example.com/ 93.184.216.119 20140216050221 text/html 1591`, the WACZ's pages.jsonl
(`http://www.example.com/` at 2020-10-07T21:22:36Z), the chunked iana.org response (one
chunk of 0x1c37 bytes). None of these files carries a bad digest (`warcio check` agrees),
so the bad cases are made from copies of them. One real defect is there: wget 1.14 wrote two
records with one WARC-Record-ID (`warcio check -v` lists both at bytes 1943 and 2258).
"""

from __future__ import annotations

import gzip
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import zlib
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.audit import audit
from archive.replay import load
from archive.replay_index import ReplayIndex
from crawler.cli import main
from crawler.sandbox import SandboxWeb, demo_site
from tests.cli_runner import json_lines, run_coprod

CAPTURE_TYPES = ("response", "revisit", "resource")
WGET = "pywb_wget_1.14_example_com.warc.gz"
# wget 1.14 gave its two log resource records (bytes 1943 and 2258) the same WARC-Record-ID
WGET_REPEAT = (f"{WGET}:2258: repeats the WARC-Record-ID <urn:uuid:305cda53-d41e-4b9f-9790-44b4950d4de0>"
               f" of {WGET}:1943 (record ids must be unique)")


@pytest.fixture(scope="module")
def warc_dir(fixtures_dir: Path) -> Path:
    return fixtures_dir / "warc"


def others_files(warc_dir: Path) -> list[Path]:
    return sorted(p for p in warc_dir.iterdir() if p.is_file())


def warcio_captures(path: Path) -> list[tuple[str, str, str, bytes | None]]:
    """(type, uri, date, decoded body of responses) read independently with warcio."""
    if path.suffix == ".wacz":
        import io
        import zipfile

        with zipfile.ZipFile(path) as package:
            streams = [io.BytesIO(package.read(n)) for n in package.namelist() if n.startswith("archive/")]
    else:
        streams = [open(path, "rb")]  # noqa: SIM115 - closed below
    out = []
    for stream in streams:
        with stream:
            for record in ArchiveIterator(stream, arc2warc=True):
                if record.rec_type in CAPTURE_TYPES:
                    body = record.content_stream().read() if record.rec_type == "response" else None
                    headers = record.rec_headers
                    out.append((record.rec_type, headers.get_header("WARC-Target-URI"),
                                headers.get_header("WARC-Date"), body))
    return out


def test_every_file_lists_and_shows_as_warcio_reads_it(warc_dir: Path, capsys) -> None:
    for path in others_files(warc_dir):
        expected = warcio_captures(path)
        assert expected, path
        assert main(["replay", "list", "--json", "--warc", str(path)]) == 0, path
        listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
        assert sorted((r["type"], r["uri"], r["time"]) for r in listed) == \
            sorted(e[:3] for e in expected), path
        with ReplayIndex.for_files([path]) as index:
            assert index.problems == ([WGET_REPEAT] if path.name == WGET else []), index.problems
            shown = {(c.uri, c.warc_date): load(index, c).body
                     for c in index.all_captures() if c.record_type == "response"}
        for kind, uri, date, body in expected:
            if kind == "response":
                assert shown[(uri, date)] == body, (path.name, uri)


def test_arc_wacz_chunked_and_revisits_show_what_the_files_hold(warc_dir: Path, capsysbinary) -> None:
    def show(*args: str) -> tuple[bytes, str]:
        assert main(["replay", "show", *args]) == 0
        out, err = capsysbinary.readouterr()
        return out, err.decode()

    body, err = show("http://example.com/", "--warc", str(warc_dir / "pywb_example_com.arc.gz"))
    assert "2014-02-16T05:02:21Z" in err and len(body) == 1270 and b"<title>Example Domain</title>" in body
    body, err = show("http://www.example.com/", "--warc", str(warc_dir / "pywb_valid_example_1.wacz"))
    assert "2020-10-07T21:22:36Z" in err and b"<title>Example Domain</title>" in body
    raw, _ = show("http://www.example.com/", "--raw", "--warc", str(warc_dir / "pywb_valid_example_1.wacz"))
    head, _, payload = raw.partition(b"\r\n\r\n")
    assert b"Content-Encoding: gzip" in head and gzip.decompress(payload) == body
    chunked = warc_dir / "warcio_iana_org_chunked_uncompressed.warc"
    body, _ = show("http://www.iana.org/", "--warc", str(chunked))
    raw, _ = show("http://www.iana.org/", "--raw", "--warc", str(chunked))
    stored = raw.partition(b"\r\n\r\n")[2]
    assert stored.startswith(b"001c37\r\n") and body == stored[8:8 + 0x1C37]
    dupes = warc_dir / "pywb_dupes_revisits.warc.gz"
    assert main(["replay", "list", "--json", "--warc", str(dupes), "--", "http://example.com"]) == 0
    rows = [json.loads(line) for line in capsysbinary.readouterr()[0].splitlines()]
    assert [r["type"] for r in rows] == ["response", "revisit"]
    original, _ = show("http://example.com", "--at", rows[0]["time"], "--warc", str(dupes))
    revisit, _ = show("http://example.com", "--warc", str(dupes))
    assert revisit == original and b"Example Domain" in revisit


def test_the_others_files_audit_clean_but_for_wgets_repeated_id(warc_dir: Path) -> None:
    report = audit(None, others_files(warc_dir))
    failures = [f for f in report.findings if f.severity not in ("note", "warning")]
    assert [(f.where, f.message) for f in failures] == [(f"{WGET}:2258", WGET_REPEAT)]
    assert report.digests_verified > 60
    notes = [f for f in report.findings if f.severity == "note"]
    assert notes and all("chunked" in f.message for f in notes)  # warcio/pywb digest convention


def _member_swap(path: Path, find: bytes, replace: bytes) -> None:
    """Change bytes inside one gzip member of a .warc.gz, leaving its digests as they were."""
    data, out, pos = path.read_bytes(), b"", 0
    while pos < len(data):
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        record = inflater.decompress(data[pos:])
        used = len(data) - pos - len(inflater.unused_data)
        out += gzip.compress(record.replace(find, replace, 1)) if find in record else data[pos:pos + used]
        pos += used
    path.write_bytes(out)


def test_bad_digests_in_others_files_are_flagged(warc_dir: Path, tmp_path: Path) -> None:
    chunked = tmp_path / "iana-chunked.warc"
    original = (warc_dir / "warcio_iana_org_chunked_uncompressed.warc").read_bytes()
    chunked.write_bytes(original.replace(b"Numbers Authority", b"Numbers Authorit!", 1))
    wget = tmp_path / "wget.warc.gz"
    shutil.copyfile(warc_dir / "pywb_wget_1.14_example_com.warc.gz", wget)
    _member_swap(wget, b"Example Domain", b"Exampel Domain")
    revisits = tmp_path / "warcio-revisit.warc.gz"
    shutil.copyfile(warc_dir / "warcio_example_com.warc.gz", revisits)
    _member_swap(revisits, b"sha1:G7HRM7BGOKSKMSXZAHMUQTTV53QOFSMK\r\nWARC-Profile",  # the revisit's
                 b"sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\r\nWARC-Profile")
    for path, expected in ((chunked, "payload digest failed"), (wget, "block digest failed")):
        report = audit(None, [path])
        flagged = [f for f in report.findings if f.severity == "failure"]
        assert flagged and expected in flagged[0].message, (path.name, report.findings)
    report = audit(None, [revisits])
    flagged = [f.message for f in report.findings if f.severity == "failure"]
    assert flagged == ["revisit digest sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA differs from its original's "
                       "sha1:G7HRM7BGOKSKMSXZAHMUQTTV53QOFSMK"]


# -- pywb replays coprod's archive ---------------------------------------------------------------


def pywb_venv() -> Path:
    """A venv with pywb, made once per machine under the temp dir and reused (venvs cannot
    be moved, so it is built in place under a lock, and marked ready when pywb is in)."""
    import fcntl

    base = Path(tempfile.gettempdir()) / f"coprod-pywb-py{sys.version_info[0]}{sys.version_info[1]}"
    ready = base / ".coprod-ready"
    with open(f"{base}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if ready.exists():
            return base
        shutil.rmtree(base, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(base)], check=True, timeout=120)
        done = subprocess.run([str(base / "bin" / "pip"), "install", "-q", "pywb"],
                              capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            reason = (done.stderr.strip().splitlines() or ["no output"])[-1]
            shutil.rmtree(base, ignore_errors=True)
            pytest.skip(f"pip install pywb into a venv of its own failed: {reason}")
        ready.touch()
    return base


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str, timeout: float = 20) -> tuple[int, bytes]:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 - 127.0.0.1 only
                return answer.status, answer.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def test_pywb_replays_coprod_warc_cdxj_and_wacz(tmp_path: Path) -> None:
    venv = pywb_venv()
    data = tmp_path / "data"
    site, dois = demo_site()
    with SandboxWeb(site) as web:
        made = run_coprod("doi", *dois, data_dir=data, resolve=web.resolve_rules)
    assert made.returncode == 0, made.stderr
    record = json_lines(made.stdout)[0]
    (warc,) = sorted((data / "warcs").glob("*.warc.gz"))
    cdxj = warc.with_name(warc.name.removesuffix(".warc.gz") + ".cdxj")
    package = tmp_path / "coprod.wacz"
    assert run_coprod("package", "--wacz", str(package), data_dir=data, delay=None).returncode == 0
    root = tmp_path / "pywb"
    root.mkdir()
    for collection in ("warcs", "packed"):
        subprocess.run([str(venv / "bin" / "wb-manager"), "init", collection], cwd=root, check=True,
                       capture_output=True, timeout=120)
    shutil.copyfile(warc, root / "collections" / "warcs" / "archive" / warc.name)
    shutil.copyfile(cdxj, root / "collections" / "warcs" / "indexes" / "index.cdxj")  # coprod's own index
    subprocess.run([str(venv / "bin" / "wb-manager"), "add", "--unpack-wacz", "packed", str(package)],
                   cwd=root, check=True, capture_output=True, timeout=120)
    with ReplayIndex.for_data_dir(data) as index:
        capture = index.capture(record["provenance"]["warc_record_id"])
        expected = load(index, capture).body
    stamp = "".join(ch for ch in capture.warc_date if ch.isdigit())[:14]
    port = free_port()
    server = subprocess.Popen([str(venv / "bin" / "wayback"), "-p", str(port), "-b", "127.0.0.1"],
                              cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for collection in ("warcs", "packed"):
            status, body = fetch(f"http://127.0.0.1:{port}/{collection}/{stamp}id_/{capture.uri}")
            assert status == 200 and body == expected, collection
        status, _ = fetch(f"http://127.0.0.1:{port}/warcs/{stamp}id_/https://never.example.org/")
        assert status == 404
    finally:
        server.terminate()
        server.wait(timeout=20)
