"""scrapy-webarchive beside coprod: a venv of its own, since 0.5.3 needs Scrapy 2.11,
Twisted < 24.7 and w3lib < 2.3 (coprod needs Scrapy 2.19).

The venv is made once under the temp directory and reused; `python()` gives its
interpreter, or raises Unavailable with the reason (no venv module, pip could not install).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

REQUIREMENTS = ["scrapy-webarchive==0.5.3", "Scrapy>=2.11,<2.12", "Twisted<24.7", "w3lib<2.3"]
VENV = Path(tempfile.gettempdir()) / "coprod-bench-webarchive-venv"


class Unavailable(RuntimeError):
    """scrapy-webarchive cannot be run here; the message says why."""


def _works(python: Path) -> str | None:
    """The Scrapy version the venv runs with scrapy-webarchive, or None."""
    if not python.exists():
        return None
    probe = subprocess.run(
        [str(python), "-c", "import scrapy, scrapy_webarchive.extensions; print(scrapy.__version__)"],
        capture_output=True, text=True, timeout=120)
    return probe.stdout.strip() if probe.returncode == 0 else None


def python(venv: Path = VENV) -> tuple[str, str]:
    """(interpreter path, its Scrapy version), installing the venv on first use."""
    interpreter = venv / "bin" / "python"
    if (version := _works(interpreter)) is not None:
        return str(interpreter), version
    made = subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)],
                          capture_output=True, text=True, timeout=300)
    if made.returncode != 0:
        raise Unavailable(f"cannot make a venv: {made.stderr.strip()[-300:]}")
    pip = subprocess.run([str(interpreter), "-m", "pip", "install", "-q", *REQUIREMENTS],
                         capture_output=True, text=True, timeout=1200)
    if pip.returncode != 0:
        lines = [line for line in pip.stderr.splitlines() if "ERROR" in line] or pip.stderr.splitlines()
        raise Unavailable(f"pip install {' '.join(REQUIREMENTS)} failed: {' '.join(lines[-3:])[:400]}")
    if (version := _works(interpreter)) is None:
        raise Unavailable("installed, but `import scrapy_webarchive` fails in its venv")
    return str(interpreter), version
