"""Helpers the fault tests share (no tests here): stand-in servers that misbehave below HTTP
(a closed port, a TLS port that does not speak TLS, listeners that must see nobody), a
publisher-like landing page, and archive checks run after every fault."""

from __future__ import annotations

import socket
import threading
from pathlib import Path
from typing import Any

from archive.catalog import Catalog, rebuild
from tests.warc_checks import all_warcs, assert_valid_warc, read_records


def landing_html(title: str, doi: str, extra_head: str = "", body: str = "") -> str:
    """A journal landing page as publishers serve them: Highwire citation_* tags, a heading,
    an abstract paragraph (the shape of the PLOS/SAGE pages in ../shared/fixtures)."""
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{title} | Journal of Public Services</title>\n"
        f"<meta name=\"citation_title\" content=\"{title}\">\n"
        f"<meta name=\"citation_doi\" content=\"{doi}\">\n"
        "<meta name=\"citation_author\" content=\"Jensen, Mette\">\n"
        "<meta name=\"citation_journal_title\" content=\"Journal of Public Services\">\n"
        f"<meta name=\"citation_publication_date\" content=\"2023/05/01\">{extra_head}</head>\n"
        f"<body><h1>{title}</h1><div class=\"abstract\"><p>Service users and professionals "
        "co-produce care; this study follows twelve municipalities over three years.</p>"
        f"</div>{body}</body></html>\n"
    )


def closed_port() -> int:
    """A loopback port nothing listens on (connection refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Listener:
    """A TCP listener on (host, port) that counts connections; `reply` is sent to each one
    (b"" = close at once). With `port=0` a free port is taken."""

    def __init__(self, host: str, port: int = 0, reply: bytes = b"") -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.reply = reply
        self.connections: list[Any] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, peer = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections.append(peer)
            try:
                conn.settimeout(1)
                if self.reply:
                    try:
                        conn.recv(4096)  # the client's first bytes (a TLS ClientHello)
                    except OSError:
                        pass
                    conn.sendall(self.reply)
            except OSError:
                pass
            finally:
                conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()


def listeners_on(hosts: tuple[str, ...], preferred: int = 8089) -> list[Listener]:
    """One listener per host, all on the same port: `preferred` if every host has it free,
    else the first port free on all of them."""
    for port in (preferred, 0):
        opened: list[Listener] = []
        try:
            first = Listener(hosts[0], port)
            opened.append(first)
            opened += [Listener(host, first.port) for host in hosts[1:]]
            return opened
        except OSError:
            for listener in opened:
                listener.close()
    raise OSError(f"no port free on all of {hosts}")


def archive_records(data_dir: Path) -> list[dict]:
    return [dict(record, warc=path.name) for path in all_warcs(data_dir) for record in read_records(path)]


def check_archive(data_dir: Path) -> None:
    """What every fault must end with: no `.open` file, every WARC valid (warcio and fastwarc
    check), and a catalog equal to one rebuilt from the WARCs alone."""
    warcs = data_dir / "warcs"
    assert not list(warcs.glob("*.open")), "a WARC was left open"
    paths = all_warcs(data_dir)
    assert paths, "nothing archived"
    for path in paths:
        assert_valid_warc(path)
    with Catalog(data_dir / "catalog.sqlite") as live:
        expected = live.dump()
    rebuilt = rebuild(data_dir / "rebuilt.sqlite", paths)
    try:
        assert rebuilt.dump() == expected, "the catalog does not match the WARCs"
    finally:
        rebuilt.close()


def failures(data_dir: Path) -> dict[str, list[tuple[str, str]]]:
    """uri -> [(kind, reason)] from the catalog's failures table."""
    with Catalog(data_dir / "catalog.sqlite") as catalog:
        found: dict[str, list[tuple[str, str]]] = {}
        for failure in catalog.failures():
            found.setdefault(failure.uri, []).append((failure.kind, failure.reason))
    return found
