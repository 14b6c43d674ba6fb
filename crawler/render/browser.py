"""How Chromium is started: which executable, which switches, and where it may connect.

Chromium reaches the sandbox web the way Scrapy does: `--resolve` becomes
`--host-resolver-rules`. While --resolve is in use the browser goes to mapped hosts only
(everything else fails to resolve) and certificate errors are ignored; a page's scripts
pick their own URLs, and Chromium cannot filter DNS answers the way
crawler.resolve.MappedHostnameResolver does for Scrapy, so it gets no other way out.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import urlsplit

from crawler.guard import blocked_reason
from crawler.render.config import RenderConfig
from crawler.resolve import ResolveRule, parse_rules

# Debian's real binary first: /usr/bin/chromium is a shell wrapper that adds switches of its
# own from /etc/chromium.d (remote extensions, API keys).
BROWSER_CANDIDATES = (
    "/usr/lib/chromium/chromium", "/usr/bin/chromium", "chromium", "chromium-browser",
    "google-chrome",
)
# Playwright adds its own quiet-browser switches (no background networking, no component
# updates, no first-run, ...); these are the ones asked for on top of them.
CHROMIUM_ARGS = (
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
    "--no-pings", "--disable-domain-reliability",
)
# Chromium's own services, which it calls even with the switches above (seen with Debian's
# Chromium 156: the sign-in account list, on-demand component updates, network time). A
# crawl has no use for them, so they never resolve.
BROWSER_SERVICE_HOSTS = (
    "accounts.google.com", "update.googleapis.com", "clients2.google.com",
    "clients2.googleusercontent.com", "optimizationguide-pa.googleapis.com",
    "safebrowsingohttpgateway.googleapis.com", "content-autofill.googleapis.com",
)
IN_PAGE_SCHEMES = ("data", "blob", "about")


def find_browser(configured: str = "") -> str | None:
    """The Chromium executable to use: the configured one if it exists, else the first found."""
    for candidate in ([configured] if configured else list(BROWSER_CANDIDATES)):
        path = Path(candidate)
        if path.is_absolute():
            if path.is_file():
                return str(path)
        elif found := shutil.which(candidate):
            return found
    return None


def host_resolver_rules(rules: Sequence[ResolveRule]) -> str:
    """Chromium's --host-resolver-rules: the services above blocked, then the --resolve
    mappings in order (first match wins, as for Scrapy), then, when there are any, nothing else."""
    parts = [f"MAP {host} ~NOTFOUND" for host in BROWSER_SERVICE_HOSTS]
    parts += [rule.chromium_rule for rule in rules]
    if rules:
        parts.append("MAP * ~NOTFOUND")
    return ", ".join(parts)


def launch_options(config: RenderConfig) -> dict:
    """Playwright's chromium.launch() keywords (scrapy-playwright's PLAYWRIGHT_LAUNCH_OPTIONS)."""
    executable = find_browser(config.browser)
    if executable is None:
        raise FileNotFoundError(f"no Chromium found (COPROD_BROWSER={config.browser!r})")
    rules = parse_rules(config.resolve)
    args = [*CHROMIUM_ARGS, f"--host-resolver-rules={host_resolver_rules(rules)}"]
    if rules:  # the sandbox web's certificates are its own
        args.append("--ignore-certificate-errors")
    return {"executable_path": executable, "headless": True, "args": args,
            "handle_sigint": False, "handle_sigterm": False}


def request_guard(resolve: Sequence[str]) -> Callable[[str], bool]:
    """A predicate on a browser request's URL: True to abort it.

    The browser's side of the private-network rule (crawler.guard.blocked_reason), plus
    the in-page schemes a browser needs (data:, blob:, about:). Names that resolve to
    private addresses can't be seen from here; while --resolve is in use none resolve at all.
    """
    rules = parse_rules(resolve)

    def blocked(url: str) -> bool:
        if urlsplit(url).scheme in IN_PAGE_SCHEMES:
            return False
        return blocked_reason(url, rules) is not None

    return blocked
