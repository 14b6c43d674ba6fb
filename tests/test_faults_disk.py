"""Disk full while writing a WARC: the run stops cleanly and everything archived before it is
intact. The disk fills for real: `coprod doi` runs under RLIMIT_FSIZE (with SIGXFSZ ignored,
so a write past the limit fails with EFBIG, as one on a full disk fails with ENOSPC).
Also the writer on its own, with a file that fails part-way through a write."""

from __future__ import annotations

import errno
import os
import random
import resource
import signal
import subprocess
from pathlib import Path

import pytest

from archive.warccheck import read_warc
from archive.warcrecords import metadata_record
from archive.warcwriter import RollingWarcWriter, WarcWriteError
from crawler.sandbox import Response, SandboxWeb, Site
from tests.cli_runner import coprod_command, run_coprod
from tests.conftest import PROJECT_ROOT
from tests.test_faults_helpers import archive_records, check_archive, landing_html
from tests.warc_checks import all_warcs

LIMIT = 4_000_000  # bytes any one file of the run may reach
PAGE_NOISE = 300_000  # incompressible bytes per landing page (hex: twice that in the page)
DOIS = [f"10.5555/disk-{n:02d}" for n in range(40)]


def _limit_file_size() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, LIMIT))


@pytest.fixture(scope="module")
def web():
    site = Site()
    site.add_prefix("https://api.crossref.org/works/", Response(404, body="Resource not found."))
    site.add_prefix("https://api.datacite.org/dois/", Response(404, body="not found"))
    noise = random.Random(3)
    for doi in DOIS:
        page = landing_html(f"Co-production study {doi}", doi,
                            body=f"<p>{noise.randbytes(PAGE_NOISE).hex()}</p>")
        site.redirect(f"https://doi.org/{doi}", f"https://pages.example.org/{doi}", status=302)
        site.add(f"https://pages.example.org/{doi}", body=page)
    with SandboxWeb(site) as server:
        yield server


def test_disk_full_stops_the_run_cleanly(web: SandboxWeb, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    env.pop("COPROD_DATA", None)
    command = coprod_command("doi", *DOIS, data_dir=tmp_path, resolve=web.resolve_rules)
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env,
                          cwd=PROJECT_ROOT, preexec_fn=_limit_file_size)
    assert done.returncode == 1, done.stderr
    stopped = [line for line in done.stderr.splitlines() if line.startswith("coprod: archive stopped: ")]
    assert len(stopped) == 1, done.stderr
    assert "File too large" in stopped[0] and "whole records (cut back to byte" in stopped[0]
    assert "Traceback" not in done.stderr

    warcs = all_warcs(tmp_path)
    assert len(warcs) == 1 and not list((tmp_path / "warcs").glob("*.open"))
    size = warcs[0].stat().st_size
    assert size <= LIMIT and f"cut back to byte {size})" in stopped[0]
    entries = list(read_warc(warcs[0]))  # raises on a torn record or trailing bytes
    assert entries[-1].offset + entries[-1].length == size
    assert f"keeps its {len(entries)} whole records" in stopped[0]
    check_archive(tmp_path)  # warcio/fastwarc check, catalog == rebuild

    # every page archived whole; the run stopped well before all 40 were fetched
    pages = [r for r in archive_records(tmp_path) if r["type"] == "response"
             and r["headers"]["WARC-Target-URI"].startswith("https://pages.example.org/10.5555/")]
    assert 3 <= len(pages) < len(DOIS)
    assert all(len(r["payload"]) > 2 * PAGE_NOISE for r in pages)

    # with space again, the next run writes a new file and leaves the old one as it was
    before = warcs[0].read_bytes()
    again = run_coprod("doi", DOIS[-1], data_dir=tmp_path, resolve=web.resolve_rules)
    assert again.returncode == 0, again.stderr
    assert warcs[0].read_bytes() == before and len(all_warcs(tmp_path)) == 2
    check_archive(tmp_path)


class _FillsUp:
    """An unbuffered file that takes `room` more bytes, then fails as a full disk does."""

    def __init__(self, file, room: int) -> None:
        self._file, self.room = file, room

    def write(self, data) -> int:
        if self.room <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        taken = self._file.write(bytes(data[: self.room]))
        self.room -= taken
        return taken

    def __getattr__(self, name: str):
        return getattr(self._file, name)


def test_writer_cuts_a_torn_group_and_refuses_more(tmp_path: Path) -> None:
    closed: list[tuple[Path, int]] = []
    writer = RollingWarcWriter(tmp_path, {"software": "test"}, on_close=lambda p, n: closed.append((p, n)))
    first = writer.write(metadata_record("https://example.org/a", {"n": 1}, refers_to=None))
    end = first.offset + first.length
    writer._file = _FillsUp(writer._file, room=50)  # the next group tears after 50 bytes
    with pytest.raises(WarcWriteError, match="No space left on device"):
        writer.write_group([metadata_record("https://example.org/b", {"n": 2}, refers_to=None),
                            metadata_record("https://example.org/c", {"n": 3}, refers_to=None)])
    (path, count), = closed  # closed and renamed, with its warcinfo and the first record
    assert count == 2 and path.stat().st_size == end and not list(tmp_path.glob("*.open"))
    assert [e.record.rec_headers.get_header("WARC-Target-URI") for e in read_warc(path)][1:] == [
        "https://example.org/a"]
    with pytest.raises(WarcWriteError, match="cut back to byte"):
        writer.write(metadata_record("https://example.org/d", {"n": 4}, refers_to=None))
    assert len(list(tmp_path.glob("*.warc.gz*"))) == 1  # no new file opened after the failure


def test_writer_removes_a_file_whose_warcinfo_did_not_fit(tmp_path: Path, monkeypatch) -> None:
    import archive.warcwriter as warcwriter

    real_open = open

    def tiny_disk(path, mode="r", *args, **kwargs):
        handle = real_open(path, mode, *args, **kwargs)
        return _FillsUp(handle, room=10) if "x" in mode else handle

    monkeypatch.setattr(warcwriter, "open", tiny_disk, raising=False)
    writer = RollingWarcWriter(tmp_path, {"software": "test"})
    with pytest.raises(WarcWriteError, match="was removed"):
        writer.write(metadata_record("https://example.org/a", {"n": 1}, refers_to=None))
    assert list(tmp_path.iterdir()) == []
