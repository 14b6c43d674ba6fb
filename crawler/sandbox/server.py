"""The sandbox web: one local HTTP and one HTTPS server that answer for every host name.

The crawler reaches it with `--resolve '*:80=127.0.0.1:P1' --resolve '*:443=127.0.0.1:P2'`
(`SandboxWeb.resolve_rules`), so requests arrive with their real Host header and SNI and are
answered from a `Site`. Built on the standard library's threaded `http.server` rather than
Twisted: it runs beside the crawler's own reactor without sharing it, and acting out resets,
truncation and stalls needs the raw socket anyway. Listens on 127.0.0.1 only.
"""

from __future__ import annotations

import itertools
import logging
import select
import socket
import ssl
import struct
import threading
import time
from collections import deque
from dataclasses import dataclass
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from crawler.sandbox.certs import CertStore
from crawler.sandbox.response import Response, not_found
from crawler.sandbox.site import Site

log = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"
MAX_REQUEST_BODY = 8 * 1024 * 1024


@dataclass
class Hit:
    """One request as the sandbox saw it, for tests to assert on."""

    scheme: str
    host: str
    method: str
    target: str  # path + query, as sent
    headers: Message  # case-insensitive: hit.headers["user-agent"]
    time: float
    sni: str | None = None
    connection: int = 0  # same number = same (keep-alive) connection
    body: bytes = b""
    status: int | None = None  # what the sandbox answered (None: cut before the status line)

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}{self.target}"

    @property
    def path(self) -> str:
        return urlsplit(self.target).path


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "sandbox"
    timeout = 30  # an idle keep-alive connection is dropped after this many seconds
    server: _Server

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes: without this, Nagle's algorithm and the
        # client's delayed ACK add ~40 ms to every response.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.conn_id = self.server.web._connection_opened(self.connection)

    def finish(self) -> None:
        self.server.web._connection_closed(self.connection)
        try:
            super().finish()
        except OSError:
            pass

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        log.debug("%s %s", self.server.scheme, format % args)

    def do_GET(self) -> None:
        try:
            self._serve()
        except OSError as exc:  # the client went away (ConnectionError, SSLError...)
            log.debug("connection ended while answering: %s", exc)
            self.close_connection = True

    do_HEAD = do_POST = do_PUT = do_DELETE = do_OPTIONS = do_PATCH = do_GET

    def _serve(self) -> None:
        web = self.server.web
        body = self._read_body()
        target = self.path
        host = (self.headers.get("Host") or "").strip().lower()
        if "://" in target:  # absolute-form request target (a proxy-style client)
            parts = urlsplit(target)
            host = parts.netloc or host
            target = parts.path + (f"?{parts.query}" if parts.query else "")
        host = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        hit = Hit(
            scheme=self.server.scheme,
            host=host,
            method=self.command,
            target=target,
            headers=self.headers,
            time=time.time(),
            sni=getattr(self.connection, "sandbox_sni", None),
            connection=self.conn_id,
            body=body,
        )
        web._record(hit)
        response = web.site.respond(hit.scheme, host, target) or not_found(hit.url)
        self._act(response, hit)

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        if length <= 0:
            return b""
        if length > MAX_REQUEST_BODY:
            self.close_connection = True
            return self.rfile.read(MAX_REQUEST_BODY)
        return self.rfile.read(length)

    def _act(self, response: Response, hit: Hit) -> None:
        stopping = self.server.web._stopping
        if response.cut and response.cut_after is None:
            return self._cut(response)
        delay = response.delay + self.server.web.latency
        if delay and stopping.wait(delay):
            return self._close()
        status = response.status
        if self.command in ("GET", "HEAD") and response.not_modified(
            self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since")
        ):
            status = 304
        hit.status = status
        headers = response.header_list()
        names = {k.lower() for k, _ in headers}
        bodiless = self.command == "HEAD" or status in (204, 304) or status < 200
        wire = b""
        if status == 304:
            headers = [(k, v) for k, v in headers if k.lower() not in _ENTITY_HEADERS]
        elif status not in (204,) and status >= 200:
            payload = response.payload()
            if response.chunked:
                wire = _chunked(payload, response.chunk_size)
                headers.append(("Transfer-Encoding", "chunked"))
            else:
                wire = payload
                headers.append(("Content-Length", str(len(payload))))
        self.send_response_only(status)
        if "date" not in names:
            headers.insert(0, ("Date", self.date_time_string()))
        if "server" not in names:
            headers.insert(0, ("Server", self.version_string()))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if bodiless:
            return
        limit = len(wire) if not response.cut else min(response.cut_after or 0, len(wire))
        self._send(wire[:limit], response, stopping)
        if response.cut:
            self._cut(response)

    def _send(self, data: bytes, response: Response, stopping: threading.Event) -> None:
        step = response.slow_bytes or len(data) or 1
        for start in range(0, len(data), step):
            if start and response.slow_bytes and stopping.wait(response.slow_interval):
                raise ConnectionAbortedError("sandbox stopping")
            self.wfile.write(data[start : start + step])

    def _cut(self, response: Response) -> None:
        if response.cut == "reset":
            # SO_LINGER with a zero timeout makes close() send RST instead of FIN.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        elif response.cut == "stall":
            self._stall(response.stall_seconds)
        self._close()

    def _stall(self, seconds: float) -> None:
        """Hold the connection open, sending nothing, until the client leaves or time is up."""
        deadline = time.monotonic() + seconds
        stopping = self.server.web._stopping
        while not stopping.is_set() and time.monotonic() < deadline:
            try:
                readable, _, _ = select.select([self.connection], [], [], 0.2)
                if readable and not self.connection.recv(65536):
                    return
            except (OSError, ValueError):
                return

    def _close(self) -> None:
        self.close_connection = True
        for stream in (self.wfile, self.rfile):
            try:
                stream.close()
            except OSError:
                pass
        self.connection.close()


_ENTITY_HEADERS = {"content-type", "content-encoding", "content-length", "transfer-encoding"}


def _chunked(payload: bytes, size: int) -> bytes:
    size = max(1, size)
    parts = [
        b"%x\r\n%s\r\n" % (len(payload[i : i + size]), payload[i : i + size])
        for i in range(0, len(payload), size)
    ]
    return b"".join(parts) + b"0\r\n\r\n"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def __init__(self, port: int, web: SandboxWeb, scheme: str, certs: CertStore | None) -> None:
        self.web = web
        self.scheme = scheme
        self.certs = certs
        super().__init__((LOOPBACK, port), _Handler)

    def finish_request(self, request, client_address) -> None:
        if self.certs is None:
            return super().finish_request(request, client_address)
        request.settimeout(10)  # the TLS handshake runs here, in the connection's own thread
        try:
            conn = self.certs.default_context.wrap_socket(request, server_side=True)
        except (OSError, ssl.SSLError) as exc:
            log.debug("TLS handshake failed: %s", exc)
            request.close()
            return
        try:
            self.RequestHandlerClass(conn, client_address, self)
        finally:
            conn.close()

    def handle_error(self, request, client_address) -> None:
        log.debug("sandbox %s: error on a connection from %s", self.scheme, client_address, exc_info=True)


class SandboxWeb:
    """Serves a `Site` over HTTP and HTTPS on 127.0.0.1; records every request in `hits`.

    `SandboxWeb(site)` takes free ports; `SandboxWeb(site, http_port=80, https_port=443)`
    binds those (root only). Use as a context manager, or `start()` / `stop()`.
    `latency` (seconds) is added before every answer, as a far-away server would take;
    `hits` keeps the last `max_hits` requests (None: all).
    """

    def __init__(
        self,
        site: Site | None = None,
        http_port: int = 0,
        https_port: int = 0,
        cert_dir: Path | None = None,
        latency: float = 0.0,
        max_hits: int | None = 100_000,
    ) -> None:
        self.site = site if site is not None else Site()
        self._ports = (http_port, https_port)
        self._cert_dir = cert_dir
        self.latency = latency
        self._hits: deque[Hit] = deque(maxlen=max_hits)
        self._lock = threading.Lock()
        self._connections: set[socket.socket] = set()
        self._ids = itertools.count(1)
        self._stopping = threading.Event()
        self._servers: list[_Server] = []
        self._threads: list[threading.Thread] = []
        self.certs: CertStore | None = None

    # -- life cycle -------------------------------------------------------------------

    def start(self) -> SandboxWeb:
        if self._servers:
            return self
        self._stopping.clear()
        self.certs = CertStore(self._cert_dir)
        try:
            self._servers = [
                _Server(self._ports[0], self, "http", None),
                _Server(self._ports[1], self, "https", self.certs),
            ]
        except OSError:
            for server in self._servers:
                server.server_close()
            self._servers = []
            raise
        for server in self._servers:
            thread = threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"sandbox-{server.scheme}",
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stopping.set()
        for server in self._servers:
            server.shutdown()
            server.server_close()
        with self._lock:
            open_connections = list(self._connections)
        for conn in open_connections:  # wakes handlers blocked on a read or a stall
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for thread in self._threads:
            thread.join(timeout=5)
        self._servers, self._threads = [], []

    def __enter__(self) -> SandboxWeb:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- what clients need ------------------------------------------------------------

    @property
    def http_port(self) -> int:
        return self._port(0)

    @property
    def https_port(self) -> int:
        return self._port(1)

    def _port(self, index: int) -> int:
        if not self._servers:
            raise RuntimeError("SandboxWeb is not started")
        return self._servers[index].server_address[1]

    @property
    def resolve_rules(self) -> list[str]:
        """`--resolve` values that send every host to this sandbox."""
        return [f"*:80={LOOPBACK}:{self.http_port}", f"*:443={LOOPBACK}:{self.https_port}"]

    @property
    def ca_path(self) -> Path:
        """PEM of the CA that signs every host's certificate (for clients that verify)."""
        if self.certs is None:
            raise RuntimeError("SandboxWeb is not started")
        return self.certs.ca_path

    # -- the request log --------------------------------------------------------------

    @property
    def hits(self) -> list[Hit]:
        """Every request so far, oldest first (a copy)."""
        with self._lock:
            return list(self._hits)

    def hits_for(self, host: str) -> list[Hit]:
        return [hit for hit in self.hits if hit.host == host.lower()]

    def clear_hits(self) -> None:
        with self._lock:
            self._hits.clear()

    def _record(self, hit: Hit) -> None:
        with self._lock:
            self._hits.append(hit)

    def _connection_opened(self, conn: socket.socket) -> int:
        with self._lock:
            self._connections.add(conn)
            return next(self._ids)

    def _connection_closed(self, conn: socket.socket) -> None:
        with self._lock:
            self._connections.discard(conn)
