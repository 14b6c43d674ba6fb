"""`coprod bench`: the command is there, and a tiny run of two harness parts (WARC writing,
replay lookups) writes the JSON keys scripts compare across runs. The benchmarks themselves
are not run here (timing is only ever measured in benchmarks/)."""

from __future__ import annotations

import json
import math
from pathlib import Path

from tests.cli_runner import run_coprod


def test_bench_help() -> None:
    done = run_coprod("bench", "--help", delay=None, timeout=60)
    assert done.returncode == 0, done.stderr
    for option in ("--quick", "--json", "--parts", "--plan"):
        assert option in done.stdout


def test_tiny_run_writes_the_keys(tmp_path: Path, fixtures_dir: Path) -> None:
    out = tmp_path / "bench.json"
    done = run_coprod("bench", "--quick", "--parts", "warc,replay", "--plan", "warc_pages=12",
                      "--plan", "replay_sizes=[500,2000]", "--json", str(out),
                      delay=None, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["plan"]["mode"] == "quick"
    assert result["plan"]["warc_pages"] == 12
    warc = result["parts"]["warc"]
    assert warc["pages"] == 12 and warc["coprod_mb_s"]["runs"] == 1
    assert warc["file_bytes"]["coprod"] > 0 and warc["file_bytes"]["warcio"] > 0
    assert math.isclose(result["warc_write_vs_warcio"],
                        warc["coprod_mb_s"]["median"] / warc["warcio_mb_s"]["median"])
    replay = result["parts"]["replay"]
    assert set(replay["sizes"]) == {"500", "2000"}
    # every synthetic URL asked for is found; the tenth that were never captured are not
    assert replay["sizes"]["2000"]["found"] == 2000 and replay["sizes"]["2000"]["lookups"] == 2200
    assert result["replay_p99_ms"] == replay["sizes"]["2000"]["p99_ms"] > 0
    assert set(result["checks"]) == {"warc_write_vs_warcio", "replay_p99_ms"}
    for key in ("coprod_vs_scrapy", "rss_peak_mb", "doi_seconds"):  # parts not run: no key
        assert key not in result
    assert result["machine"]["nproc"] >= 1 and result["machine"]["scrapy"]
    assert "| `warc_write_vs_warcio` |" in done.stdout and "not run" in done.stdout


def test_bad_plan_value_is_bad_usage(tmp_path: Path) -> None:
    done = run_coprod("bench", "--parts", "warc", "--plan", "warc_pages=lots", delay=None,
                      timeout=60, cwd=tmp_path)
    assert done.returncode == 2
    assert "--plan" in done.stderr and not (tmp_path / "bench.json").exists()
