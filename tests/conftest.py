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


def needs_system(available: bool, reason: str) -> pytest.MarkDecorator:
    """Skip when a system package (Chromium...) is missing, except under CI=true, where
    .ci/run installed it: there the tests run, and fail if it is not there after all."""
    return pytest.mark.skipif(not available and os.environ.get("CI") != "true", reason=reason)


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    """../shared/fixtures: real pages nobody here wrote. Read in place, never copied."""
    return _require(FIXTURES)


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return _require(SEEDS)


# -- the sandbox web (crawler/sandbox): the local stand-in for the internet ------------------


@pytest.fixture
def sandbox_web():
    """A started SandboxWeb over an empty Site; add routes with `sandbox_web.site.add(...)`."""
    from crawler.sandbox import SandboxWeb, Site

    with SandboxWeb(Site()) as web:
        yield web


@pytest.fixture(scope="session")
def sandbox_fixtures(fixtures_dir: Path):
    """FixtureSite: the real fixture pages and API answers routed at their real URLs."""
    from crawler.sandbox import fixture_site

    return fixture_site(fixtures_dir)


@pytest.fixture(scope="session")
def fixture_web(sandbox_fixtures):
    """A SandboxWeb serving `sandbox_fixtures.site` for the whole session.

    Shared: tests must not add routes to it; read `hits` after `clear_hits()` or by host.
    """
    from crawler.sandbox import SandboxWeb

    with SandboxWeb(sandbox_fixtures.site) as web:
        yield web
