"""coprod.toml: the crawl's sources, focus and limits, read with tomllib.

`load_config()` reads ./coprod.toml (or the file named), else the built-in default
(crawler/default_config.toml, which `coprod init` writes out). Every problem is a
ConfigError with a one-line message naming the file and the key, so `coprod crawl`
can exit 2 before anything is fetched. API keys come from the environment first
(COPROD_<NAME>_API_KEY), then the file, so they need not be written down.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

CONFIG_NAME = "coprod.toml"
SEARCH_KINDS = ("crossref", "openalex", "s2", "europepmc", "doaj")
URL_KINDS = ("oai", "pure", "url")
KINDS = SEARCH_KINDS + URL_KINDS
LANDING_POLICIES = ("relevant", "candidates", "all")
SNOWBALL_VIA = ("openalex", "s2")
API_KEYS = ("semantic_scholar", "openalex", "crossref_plus")
ENV_KEY = "COPROD_{}_API_KEY"

# Allowed keys and their types, per table: the schema as data.
CRAWL_KEYS: dict[str, type] = {
    "depth": int, "max_pages": int, "relevance_threshold": float, "landing_pages": str,
    "snowball": int, "snowball_via": str, "incremental": bool, "mailto": str,
    "render": list,
}
SOURCE_KEYS: dict[str, type] = {
    "type": str, "name": str, "query": str, "url": str, "set": str, "max_pages": int,
    "depth": int,
}
TOP_KEYS = ("crawl", "api_keys", "vocabulary", "sources")
_TYPE_NAMES = {int: "an integer", float: "a number", str: "a string", bool: "true or false",
               list: "a list of strings"}


class ConfigError(ValueError):
    """A config file or --source value that cannot be used; the message is one line."""


@dataclass(frozen=True)
class SourceSpec:
    """One source of a crawl: an API search, an OAI-PMH endpoint, a Pure portal or a site."""

    kind: str
    name: str
    query: str | None = None  # search kinds; None = built from the vocabulary
    url: str | None = None  # oai, pure, url
    set: str | None = None  # oai
    max_pages: int | None = None  # this source's own cap (None: only the run's)
    depth: int | None = None  # this source's own depth (None: the run's)

    @property
    def id(self) -> str:
        """Stable identity across runs (what the harvest dates are kept under)."""
        if self.kind in SEARCH_KINDS:
            return f"{self.kind}:{self.query or '(vocabulary)'}"
        return f"{self.kind}:{self.url}" + (f"#{self.set}" if self.set else "")

    @property
    def target(self) -> str:
        """What it asks, for people: the query, or the URL (and set)."""
        return self.id.split(":", 1)[1]


@dataclass(frozen=True)
class CrawlConfig:
    sources: tuple[SourceSpec, ...]
    depth: int = 1
    max_pages: int = 5000  # 0 = no cap
    relevance_threshold: float = 0.35
    landing_pages: str = "candidates"
    snowball: int = 0
    snowball_via: str = "openalex"
    incremental: bool = True
    mailto: str | None = None
    render: tuple[str, ...] = ()  # host patterns whose pages are rendered in Chromium (crawler.render)
    api_keys: Mapping[str, str] = field(default_factory=dict)
    vocabulary: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    origin: str = "built-in default"


def default_text() -> str:
    """The built-in coprod.toml, comments and all."""
    return files("crawler").joinpath("default_config.toml").read_text(encoding="utf-8")


def load_config(path: Path | None = None, environ: Mapping[str, str] | None = None) -> CrawlConfig:
    """The config at `path`, else ./coprod.toml, else the built-in default."""
    if path is None and Path(CONFIG_NAME).is_file():
        path = Path(CONFIG_NAME)
    if path is None:
        return parse_config(default_text(), "built-in default", environ)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    return parse_config(text, str(path), environ)


def parse_config(text: str, origin: str, environ: Mapping[str, str] | None = None) -> CrawlConfig:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{origin}: not valid TOML: {exc}") from None
    _no_unknown(data, TOP_KEYS, origin, "top level")
    crawl = _table(data, "crawl", origin)
    _check_types(crawl, CRAWL_KEYS, origin, "[crawl]")
    values: dict[str, Any] = {k: crawl[k] for k in CRAWL_KEYS if k in crawl}
    values["mailto"] = crawl.get("mailto") or None
    if "render" in values:
        values["render"] = _host_patterns(values["render"], origin)
    vocabulary = _vocabulary(_table(data, "vocabulary", origin), origin)
    sources = data.get("sources", [])
    if not isinstance(sources, list) or not all(isinstance(s, dict) for s in sources):
        raise ConfigError(f"{origin}: sources: expected [[sources]] tables")
    specs = [_source(entry, origin, f"[[sources]] #{n}") for n, entry in enumerate(sources, 1)]
    config = CrawlConfig(
        sources=tuple(_unique_names(specs)), api_keys=_api_keys(data, origin, environ),
        vocabulary=vocabulary, origin=origin, **values,
    )
    return validate(config, require_sources=False)


def validate(config: CrawlConfig, *, require_sources: bool = True) -> CrawlConfig:
    """Check ranges and choices; returns the config unchanged or raises ConfigError.
    A file may leave sources to the command line (--source); a crawl needs some."""
    where = f"{config.origin}: [crawl]"
    for name in ("depth", "max_pages", "snowball"):
        if getattr(config, name) < 0:
            raise ConfigError(f"{where} {name}: must be 0 or more, not {getattr(config, name)}")
    if not 0.0 <= config.relevance_threshold <= 1.0:
        raise ConfigError(f"{where} relevance_threshold: must be between 0 and 1, "
                          f"not {config.relevance_threshold}")
    for name, choices in (("landing_pages", LANDING_POLICIES), ("snowball_via", SNOWBALL_VIA)):
        if getattr(config, name) not in choices:
            raise ConfigError(f"{where} {name}: {getattr(config, name)!r} is not one of "
                              f"{', '.join(choices)}")
    if require_sources and not config.sources:
        raise ConfigError(f"{config.origin}: no sources (add [[sources]] or use --source)")
    needs_vocabulary = [s.name for s in config.sources if s.kind in SEARCH_KINDS and not s.query]
    if needs_vocabulary and not any(config.vocabulary.get(k) for k in config.vocabulary
                                    if k != "context"):
        raise ConfigError(f"{config.origin}: source {needs_vocabulary[0]} has no query and "
                          "[vocabulary] has no terms")
    return config


def source_option(text: str) -> SourceSpec:
    """An ad-hoc source from `--source NAME=VALUE`: crossref="query", oai=BASE_URL[#set]..."""
    kind, sep, value = text.partition("=")
    kind, value = kind.strip().lower(), value.strip()
    if not sep or not value:
        raise ConfigError(f"--source {text!r}: expected NAME=VALUE, e.g. crossref=\"co-production\"")
    if kind not in KINDS:
        raise ConfigError(f"--source {text!r}: unknown source {kind!r} (one of {', '.join(KINDS)})")
    if kind in SEARCH_KINDS:
        return SourceSpec(kind=kind, name=kind, query=value)
    url, _, oai_set = value.partition("#") if kind == "oai" else (value, "", "")
    return SourceSpec(kind=kind, name=kind, url=_url(url, f"--source {kind}"),
                      set=oai_set or None)


def with_options(config: CrawlConfig, *, sources: Sequence[str] = (), depth: int | None = None,
                 max_pages: int | None = None, snowball: int | None = None,
                 mailto: str | None = None) -> CrawlConfig:
    """The config with command-line options applied: --source replaces the file's sources."""
    changes: dict[str, Any] = {}
    if sources:
        changes["sources"] = tuple(_unique_names([source_option(s) for s in sources]))
    for name, value in (("depth", depth), ("max_pages", max_pages), ("snowball", snowball),
                        ("mailto", mailto)):
        if value is not None:
            changes[name] = value
    return validate(replace(config, **changes))


# -- pieces -----------------------------------------------------------------------------------


def _table(data: dict[str, Any], name: str, origin: str) -> dict[str, Any]:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{origin}: {name}: expected a [{name}] table")
    return value


def _no_unknown(table: Mapping[str, Any], known: Sequence[str], origin: str, where: str) -> None:
    for key in table:
        if key not in known:
            raise ConfigError(f"{origin}: {where}: unknown key {key!r} (known: {', '.join(known)})")


def _check_types(table: Mapping[str, Any], schema: Mapping[str, type], origin: str,
                 where: str) -> None:
    _no_unknown(table, tuple(schema), origin, where)
    for key, value in table.items():
        wanted = schema[key]
        ok = isinstance(value, wanted) and not (wanted is int and isinstance(value, bool))
        if wanted is float and isinstance(value, int) and not isinstance(value, bool):
            ok = True
        if not ok:
            raise ConfigError(f"{origin}: {where} {key}: expected {_TYPE_NAMES[wanted]}, "
                              f"got {value!r}")


def _host_patterns(value: list[Any], origin: str) -> tuple[str, ...]:
    """[crawl] render: host names or `*` patterns (COPROD_RENDER_HOSTS)."""
    if not all(isinstance(host, str) and host.strip() and "/" not in host for host in value):
        raise ConfigError(f"{origin}: [crawl] render: expected host names or patterns, got {value!r}")
    return tuple(host.strip().lower() for host in value)


def _source(entry: dict[str, Any], origin: str, where: str) -> SourceSpec:
    _check_types(entry, SOURCE_KEYS, origin, where)
    kind = entry.get("type")
    if kind not in KINDS:
        raise ConfigError(f"{origin}: {where} type: {kind!r} is not one of {', '.join(KINDS)}")
    for name in ("max_pages", "depth"):
        if entry.get(name, 0) < 0:
            raise ConfigError(f"{origin}: {where} {name}: must be 0 or more")
    if kind in URL_KINDS:
        if "query" in entry:
            raise ConfigError(f"{origin}: {where}: a {kind} source takes url, not query")
        url = _url(entry.get("url", ""), f"{origin}: {where} url")
    elif "url" in entry or "set" in entry:
        raise ConfigError(f"{origin}: {where}: a {kind} source takes query, not url or set")
    else:
        url = None
    if "set" in entry and kind != "oai":
        raise ConfigError(f"{origin}: {where}: only oai sources take a set")
    return SourceSpec(kind=kind, name=entry.get("name") or kind, query=entry.get("query") or None,
                      url=url, set=entry.get("set") or None, max_pages=entry.get("max_pages"),
                      depth=entry.get("depth"))


def _url(value: str, where: str) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{where}: {value!r} is not an http(s) URL")
    return value.strip()


def _unique_names(specs: list[SourceSpec]) -> list[SourceSpec]:
    """Names as given, a repeated one numbered (crossref, crossref-2): the summary's keys."""
    seen: dict[str, int] = {}
    out = []
    for spec in specs:
        count = seen[spec.name] = seen.get(spec.name, 0) + 1
        out.append(spec if count == 1 else replace(spec, name=f"{spec.name}-{count}"))
    return out


def _vocabulary(table: dict[str, Any], origin: str) -> dict[str, tuple[str, ...]]:
    out = {}
    for language, terms in table.items():
        if not isinstance(terms, list) or not all(isinstance(t, str) and t.strip() for t in terms):
            raise ConfigError(f"{origin}: [vocabulary] {language}: expected a list of terms")
        out[language] = tuple(t.strip() for t in terms)
    return out


def _api_keys(data: dict[str, Any], origin: str, environ: Mapping[str, str] | None) -> dict[str, str]:
    table = _table(data, "api_keys", origin)
    _check_types(table, dict.fromkeys(API_KEYS, str), origin, "[api_keys]")
    env = os.environ if environ is None else environ
    keys = {}
    for name in API_KEYS:
        value = env.get(ENV_KEY.format(name.upper())) or table.get(name) or ""
        if value.strip():
            keys[name] = value.strip()
    return keys
