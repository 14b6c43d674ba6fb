"""Throwaway Redis and PostgreSQL servers on loopback, in a temporary directory, for the tests
and the worker benchmark (Debian's redis-server and postgresql packages; nothing is mocked).

PostgreSQL's initdb refuses to run as root, so as root the cluster belongs to the `postgres`
user the Debian package creates (else `nobody`), through runuser; as anyone else it is theirs.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

LOOPBACK = "127.0.0.1"


class ServerUnavailable(RuntimeError):
    """The server cannot be started here; the message says exactly why."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def _wait_port(port: int, process: subprocess.Popen, what: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerUnavailable(f"{what} exited with {process.returncode} at start")
        try:
            socket.create_connection((LOOPBACK, port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise ServerUnavailable(f"{what} did not listen on {LOOPBACK}:{port} in {timeout:.0f} s")


class RedisServer:
    """`redis-server` on a free loopback port, no persistence; `url` is redis://..."""

    def __init__(self, directory: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise ServerUnavailable("redis-server not found (apt-get install redis-server)")
        directory.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"redis://{LOOPBACK}:{self.port}/0"
        self._log = open(directory / "redis.log", "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", LOOPBACK, "--save", "",
             "--appendonly", "no", "--dir", str(directory), "--daemonize", "no"],
            stdout=self._log, stderr=subprocess.STDOUT)
        try:
            _wait_port(self.port, self.process, "redis-server")
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


def _pg_bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parts[4]) if Path(p).parts[4].isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb is None:
        raise ServerUnavailable("PostgreSQL's initdb not found (apt-get install postgresql)")
    return Path(initdb).parent


def _server_user() -> str | None:
    """The user to run PostgreSQL as (None: as ourselves)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise ServerUnavailable("running as root and no postgres or nobody user to run PostgreSQL as")


class PostgresServer:
    """A fresh cluster (trust auth on loopback only, fsync off) on a free port; `database(name)`
    creates a database and returns its postgresql:// URL."""

    def __init__(self, directory: Path) -> None:
        self.bin = _pg_bin()
        self.user = _server_user()
        if self.user is None:
            self.directory = directory / "pg"
            self.directory.mkdir(parents=True, exist_ok=True)
        else:  # its own directory: the other user cannot enter a private temp dir
            self.directory = Path(tempfile.mkdtemp(prefix="coprod-pg-"))
            entry = pwd.getpwnam(self.user)
            os.chown(self.directory, entry.pw_uid, entry.pw_gid)
        self.data = self.directory / "data"
        self.port = free_port()
        self._run([str(self.bin / "initdb"), "-D", str(self.data), "-U", "coprod",
                   "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8" if _has_c_utf8() else "--locale=C"])
        self._run([str(self.bin / "pg_ctl"), "-D", str(self.data), "-w", "-t", "30",
                   "-l", str(self.directory / "server.log"), "-o",
                   f"-p {self.port} -h {LOOPBACK} -k {self.directory} -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off", "start"])
        self.url = f"postgresql://coprod@{LOOPBACK}:{self.port}/postgres"

    def _run(self, command: list[str]) -> None:
        if self.user is not None:
            command = ["runuser", "-u", self.user, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, cwd="/", timeout=120)
        if done.returncode != 0:
            what = " ".join(Path(part).name for part in command if "/" in part)[:60]
            output = (done.stderr or done.stdout).strip()[-500:]
            raise ServerUnavailable(f"{what} failed ({done.returncode}): {output}")

    def database(self, name: str) -> str:
        """Create database `name` (a fresh one per test) and return its URL."""
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql://coprod@{LOOPBACK}:{self.port}/{name}"

    def stop(self) -> None:
        try:
            self._run([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"])
        except ServerUnavailable:
            pass
        if self.user is not None:
            shutil.rmtree(self.directory, ignore_errors=True)


def _has_c_utf8() -> bool:
    try:
        out = subprocess.run(["locale", "-a"], capture_output=True, text=True, timeout=10).stdout
    except OSError:
        return False
    return any(line.lower() in ("c.utf8", "c.utf-8") for line in out.splitlines())
