"""coprod.toml: the built-in default, what a file may say, one-line errors, `coprod init`, and
`coprod crawl` refusing a bad config (exit 2, nothing written)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from crawler.cli import main
from crawler.crawlconfig import (
    ConfigError,
    SourceSpec,
    default_text,
    load_config,
    parse_config,
    source_option,
    with_options,
)
from tests.cli_runner import run_coprod


def test_built_in_default_has_the_fields_vocabulary() -> None:
    config = parse_config(default_text(), "built-in")
    assert [s.kind for s in config.sources] == ["crossref", "openalex", "s2", "europepmc", "doaj"]
    assert (config.depth, config.relevance_threshold, config.snowball) == (1, 0.35, 0)
    vocabulary = config.vocabulary
    for term in ("co-production", "coproduction", "co-produce", "co-creation", "co-design",
                 "user involvement", "citizen participation", "volunteers",
                 "voluntary organisations"):
        assert term in vocabulary["en"]
    assert set(vocabulary["context"]) >= {"health", "care", "welfare"}
    assert vocabulary["da"] == ("samskabelse", "samproduktion", "frivillige")
    assert vocabulary["no"] == ("samskaping", "samproduksjon", "frivillighet")
    assert vocabulary["sv"] == ("samskapande", "samproduktion", "medskapande")
    assert vocabulary["zh"] == ("合作生产", "共同生产")


def test_a_file_with_every_kind_of_source(tmp_path: Path) -> None:
    path = tmp_path / "coprod.toml"
    path.write_text("""
[crawl]
depth = 0
max_pages = 10
relevance_threshold = 0.5
landing_pages = "relevant"
mailto = "me@example.org"

[vocabulary]
en = ["co-production"]

[[sources]]
type = "crossref"
query = "coproduction AND care"
max_pages = 3

[[sources]]
type = "oai"
url = "https://repo.example.org/oai"
set = "col_1"

[[sources]]
name = "vive"
type = "pure"
url = "https://pure.example.dk/da/"

[[sources]]
type = "url"
url = "https://example.org/research/"
depth = 2
""", encoding="utf-8")
    config = load_config(path, environ={})
    assert config.sources == (
        SourceSpec("crossref", "crossref", query="coproduction AND care", max_pages=3),
        SourceSpec("oai", "oai", url="https://repo.example.org/oai", set="col_1"),
        SourceSpec("pure", "vive", url="https://pure.example.dk/da/"),
        SourceSpec("url", "url", url="https://example.org/research/", depth=2))
    assert (config.depth, config.max_pages, config.relevance_threshold) == (0, 10, 0.5)
    assert config.mailto == "me@example.org" and config.landing_pages == "relevant"
    assert config.sources[1].id == "oai:https://repo.example.org/oai#col_1"


def test_api_keys_from_the_environment_win(tmp_path: Path) -> None:
    text = '[api_keys]\nsemantic_scholar = "from-file"\nopenalex = "file-key"\n'
    config = parse_config(text, "t", environ={"COPROD_SEMANTIC_SCHOLAR_API_KEY": "from-env"})
    assert config.api_keys == {"semantic_scholar": "from-env", "openalex": "file-key"}


@pytest.mark.parametrize(("text", "message"), [
    ("[crawl]\ndept = 1\n", "t: [crawl]: unknown key 'dept'"),
    ("[crawl]\ndepth = 'one'\n", "t: [crawl] depth: expected an integer, got 'one'"),
    ("[crawl]\ndepth = true\n", "t: [crawl] depth: expected an integer, got True"),
    ("[crawl]\ndepth = -1\n", "t: [crawl] depth: must be 0 or more, not -1"),
    ("[crawl]\nrelevance_threshold = 2\n", "relevance_threshold: must be between 0 and 1"),
    ("[crawl]\nlanding_pages = 'some'\n", "landing_pages: 'some' is not one of relevant"),
    ("[[sources]]\ntype = 'google'\n", "t: [[sources]] #1 type: 'google' is not one of crossref"),
    ("[[sources]]\ntype = 'oai'\n", "t: [[sources]] #1 url: '' is not an http(s) URL"),
    ("[[sources]]\ntype = 'oai'\nurl = 'ftp://x.org/oai'\n", "is not an http(s) URL"),
    ("[[sources]]\ntype = 'crossref'\nurl = 'https://x.org'\n", "takes query, not url or set"),
    ("[[sources]]\ntype = 'pure'\nurl = 'https://x.org'\nset = 's'\n", "only oai sources take a set"),
    ("[vocabulary]\nen = 'co-production'\n", "[vocabulary] en: expected a list of terms"),
    ("sources = 3\n", "sources: expected [[sources]] tables"),
    ("[crawl\n", "t: not valid TOML"),
    ("colour = 'blue'\n", "t: top level: unknown key 'colour'"),
])
def test_bad_config_is_one_line(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as error:
        parse_config(text, "t", environ={})
    assert message in str(error.value) and "\n" not in str(error.value)


def test_search_source_without_query_needs_vocabulary() -> None:
    with pytest.raises(ConfigError, match=re.escape("has no query and [vocabulary] has no terms")):
        parse_config("[[sources]]\ntype = 'crossref'\n", "t", environ={})


@pytest.mark.parametrize(("text", "spec"), [
    ('crossref=co-production AND "public services"',
     SourceSpec("crossref", "crossref", query='co-production AND "public services"')),
    ("OAI=https://repo.example.org/oai#col_1",
     SourceSpec("oai", "oai", url="https://repo.example.org/oai", set="col_1")),
    ("pure=https://pure.example.dk/en/", SourceSpec("pure", "pure", url="https://pure.example.dk/en/")),
    ("url=https://example.org/a#b", SourceSpec("url", "url", url="https://example.org/a#b")),
])
def test_source_option(text: str, spec: SourceSpec) -> None:
    assert source_option(text) == spec


@pytest.mark.parametrize(("text", "message"), [
    ("crossref", "expected NAME=VALUE"), ("crossref=", "expected NAME=VALUE"),
    ("scholar=x", "unknown source 'scholar'"), ("oai=repo.example.org", "not an http(s) URL"),
])
def test_bad_source_option(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        source_option(text)


def test_command_line_replaces_sources_and_limits() -> None:
    config = parse_config(default_text(), "built-in", environ={})
    changed = with_options(config, sources=["crossref=a", "crossref=b", "doaj=c"], depth=0,
                           max_pages=7, snowball=2, mailto="x@example.org")
    assert [(s.name, s.query) for s in changed.sources] == [
        ("crossref", "a"), ("crossref-2", "b"), ("doaj", "c")]
    assert (changed.depth, changed.max_pages, changed.snowball, changed.mailto) == (
        0, 7, 2, "x@example.org")
    assert with_options(config).sources == config.sources


def coprod(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """The real CLI in this process (these runs end before Scrapy would start)."""
    code = main(list(args))
    return code, capsys.readouterr().err


def test_init_writes_the_default_and_keeps_an_existing_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    code, err = coprod("init", capsys=capsys)
    assert code == 0, err
    written = tmp_path / "coprod.toml"
    assert written.read_text(encoding="utf-8") == default_text()
    written.write_text("# mine\n", encoding="utf-8")
    code, err = coprod("init", capsys=capsys)
    assert code == 2 and err.count("\n") == 1 and "--force" in err
    assert written.read_text(encoding="utf-8") == "# mine\n"
    code, _ = coprod("init", "--force", capsys=capsys)
    assert code == 0 and written.read_text(encoding="utf-8") == default_text()
    code, _ = coprod("init", str(tmp_path / "sub.toml"), capsys=capsys)
    assert code == 0 and (tmp_path / "sub.toml").read_text(encoding="utf-8") == default_text()


@pytest.mark.parametrize(("args", "message"), [
    (["--config", "{bad}"], "[crawl] depth: expected an integer"),
    (["--config", "{missing}"], "cannot read"),
    (["--source", "scholar=co-production"], "unknown source 'scholar'"),
    (["--source", "oai=not-a-url"], "not an http(s) URL"),
    (["--depth", "-1", "--source", "crossref=x"], "expected a whole number"),
])
def test_crawl_refuses_a_bad_config(args: list[str], message: str, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[crawl]\ndepth = 'deep'\n", encoding="utf-8")
    args = [a.format(bad=bad, missing=tmp_path / "none.toml") for a in args]
    data = tmp_path / "data"
    code, err = coprod("crawl", *args, "--data-dir", str(data), capsys=capsys)
    assert code == 2, err
    assert message in err and err.count("\n") == 1, err
    assert not data.exists()  # nothing fetched, nothing written


def test_crawl_refuses_a_bad_config_as_a_process(tmp_path: Path) -> None:
    """The same through `python -m crawler`, as cron runs it."""
    done = run_coprod("crawl", "--source", "scholar=x", data_dir=tmp_path / "data")
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert not (tmp_path / "data").exists()
