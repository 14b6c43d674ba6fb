"""Shared test fixtures: the real pages in ../shared/fixtures, found in place."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(os.environ.get("COPROD_FIXTURES", PROJECT_ROOT.parent / "shared" / "fixtures"))
SEEDS = FIXTURES.parent / "seeds"


def _require(path: Path) -> Path:
    if not path.exists():
        if os.environ.get("COPROD_REQUIRE_FIXTURES") == "1":
            pytest.fail(f"{path} is missing and COPROD_REQUIRE_FIXTURES=1")
        pytest.skip(f"real fixtures not found at {path} (../shared/fixtures beside the project)")
    return path


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """../shared/fixtures: real pages nobody here wrote. Read in place, never copied."""
    return _require(FIXTURES)


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return _require(SEEDS)
