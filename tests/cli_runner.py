"""Run the real `coprod` command in a subprocess (Scrapy's reactor runs once per process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.conftest import PROJECT_ROOT


def coprod_command(*args: str, data_dir: Path | None = None, resolve: list[str] | None = None,
                   delay: float | None = 0) -> list[str]:
    command = [sys.executable, "-m", "crawler", *args]
    if data_dir is not None:
        command += ["--data-dir", str(data_dir)]
    for rule in resolve or []:
        command += ["--resolve", rule]
    if delay is not None:
        command += ["--delay", str(delay)]
    return command


def run_coprod(*args: str, data_dir: Path | None = None, resolve: list[str] | None = None,
               delay: float | None = 0, timeout: float = 180, cwd: Path | None = None,
               stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    env.pop("COPROD_DATA", None)
    return subprocess.run(
        coprod_command(*args, data_dir=data_dir, resolve=resolve, delay=delay),
        capture_output=True, text=True, timeout=timeout, cwd=cwd or PROJECT_ROOT, env=env,
        input=stdin,
    )


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]
