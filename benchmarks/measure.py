"""Run a command and measure it from outside: wall seconds, CPU seconds of it and every
process it starts, and its memory over time.

CPU: os.wait4 gives the process's own time plus that of the children it reaped; processes
it does not reap (a multiprocessing forkserver and its workers, which outlive their parent
for a moment) are sampled from /proc while they run, and their last sample counts. Memory:
the main process's RSS (VmRSS) every `every` seconds, and, when asked, the proportional
set size (PSS) of the whole tree, which counts pages that forked workers share once.
Linux only (/proc), which is where the benchmarks run.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


@dataclass
class ProcessRun:
    command: list[str]
    seconds: float
    cpu_seconds: float  # the process and every process it started
    main_cpu_seconds: float  # the process alone (and children it reaped)
    exit: int
    max_rss_mb: float  # the main process's peak (ru_maxrss)
    rss_mb: list[tuple[float, float]] = field(default_factory=list)  # (seconds, MB), main
    pss_mb: list[tuple[float, float]] = field(default_factory=list)  # (seconds, MB), tree
    stderr: str = ""


def run_process(command: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None,
                every: float = 0.25, pss: bool = False, timeout: float = 7200) -> ProcessRun:
    """Run `command` to its end (killed after `timeout` seconds) and measure it."""
    err_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"coprod-bench-{os.getpid()}-{time.time_ns()}.err"
    with open(err_path, "w+b") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=err)
        sampler = _Sampler(proc.pid, started, every, pss)
        sampler.start()
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        sampler.stop()
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    err_path.unlink(missing_ok=True)
    main_cpu = usage.ru_utime + usage.ru_stime
    return ProcessRun(command, seconds, main_cpu + sampler.descendant_cpu(), main_cpu,
                      proc.returncode, usage.ru_maxrss / 1024, sampler.rss, sampler.pss,
                      stderr[-20000:])


class _Sampler(threading.Thread):
    def __init__(self, pid: int, started: float, every: float, pss: bool) -> None:
        super().__init__(daemon=True, name="bench-sampler")
        self.pid, self.started, self.every, self.want_pss = pid, started, every, pss
        self.cpu: dict[int, float] = {}  # pid -> last seen own CPU seconds (descendants)
        self.rss: list[tuple[float, float]] = []
        self.pss: list[tuple[float, float]] = []
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(self.every):
            now = time.perf_counter() - self.started
            tree = _descendants(self.pid)
            for pid in tree:
                if (cpu := _own_cpu(pid)) is not None:
                    self.cpu[pid] = cpu
            if (rss := status_kb(self.pid, "VmRSS")) is not None:
                self.rss.append((now, rss / 1024))
            if self.want_pss:
                values = [_pss_kb(p) for p in (self.pid, *tree)]
                self.pss.append((now, sum(v for v in values if v) / 1024))

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=5)

    def descendant_cpu(self) -> float:
        return sum(self.cpu.values())


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rfind(")") + 2:].split()  # fields from the state on (comm may hold spaces)


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit() and (fields := _stat(int(entry.name))) is not None:
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    out, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def _own_cpu(pid: int) -> float | None:
    fields = _stat(pid)
    return None if fields is None else (int(fields[11]) + int(fields[12])) / TICK


def status_kb(pid: int, name: str) -> int | None:
    """A `/proc/PID/status` field in kB (VmRSS...), or None once the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(name + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def _pss_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def spread(values: list[float]) -> dict[str, float]:
    """median, min and max of a list of measurements (and how many)."""
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "runs": len(values)}


def load_average() -> float:
    return os.getloadavg()[0]
