"""When and how pages are rendered in Chromium: the COPROD_RENDER_* settings, read once.

    COPROD_RENDER           auto (default): the host rules and the automatic check;
                            always (--render): every HTML page; hosts: the host rules only;
                            never (--no-render): no browser at all
    COPROD_RENDER_HOSTS     host patterns (`*` wildcards) whose pages are always rendered;
                            coprod.toml's `render` host list lands here
    COPROD_BROWSER          the Chromium executable ("" finds Debian's)
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

MODES = ("auto", "always", "hosts", "never")

# Defaults, set by crawler.render.addon.RenderAddon at "default" priority (so -s overrides them).
DEFAULTS: dict[str, Any] = {
    "COPROD_RENDER": "auto",
    "COPROD_RENDER_HOSTS": [],
    "COPROD_BROWSER": "",
    "COPROD_RENDER_TIMEOUT": 30.0,  # seconds for the whole page: load, settle, DOM, screenshot
    "COPROD_RENDER_SETTLE": 5.0,  # seconds to wait for the network to go quiet (then go on)
    "COPROD_RENDER_CONTEXTS": 1,  # browser contexts, fixed
    "COPROD_RENDER_PAGES": 2,  # pages open at once per context
    "COPROD_RENDER_RESTART_EVERY": 100,  # pages; then the browser is started afresh
    "COPROD_RENDER_SCREENSHOT": True,
    "COPROD_RENDER_SCREENSHOT_MAX_HEIGHT": 16384,  # px of a full-page screenshot
    "COPROD_RENDER_USER_AGENT": "",  # "" = the crawl's USER_AGENT
}


class BadRenderSetting(ValueError):
    """A COPROD_RENDER value that is not one of MODES; the message is one line."""


@dataclass(frozen=True)
class RenderConfig:
    mode: str
    hosts: tuple[str, ...]
    browser: str
    timeout: float
    settle: float
    contexts: int
    pages: int
    restart_every: int
    screenshot: bool
    screenshot_max_height: int
    user_agent: str
    resolve: tuple[str, ...]

    @classmethod
    def from_settings(cls, settings: Any) -> RenderConfig:
        def get(name: str) -> Any:
            value = settings.get(name)
            return DEFAULTS[name] if value is None else value

        mode = str(get("COPROD_RENDER")).strip().lower()
        if mode not in MODES:
            raise BadRenderSetting(f"COPROD_RENDER={mode!r}: expected one of {', '.join(MODES)}")
        hosts = settings.getlist("COPROD_RENDER_HOSTS") if settings.get("COPROD_RENDER_HOSTS") else []
        return cls(
            mode=mode,
            hosts=tuple(h.strip().lower() for h in hosts if h.strip()),
            browser=str(get("COPROD_BROWSER") or ""),
            timeout=float(get("COPROD_RENDER_TIMEOUT")),
            settle=float(get("COPROD_RENDER_SETTLE")),
            contexts=max(1, int(get("COPROD_RENDER_CONTEXTS"))),
            pages=max(1, int(get("COPROD_RENDER_PAGES"))),
            restart_every=max(1, int(get("COPROD_RENDER_RESTART_EVERY"))),
            screenshot=_bool(get("COPROD_RENDER_SCREENSHOT")),
            screenshot_max_height=int(get("COPROD_RENDER_SCREENSHOT_MAX_HEIGHT")),
            user_agent=str(get("COPROD_RENDER_USER_AGENT") or settings.get("USER_AGENT") or ""),
            resolve=tuple(settings.getlist("COPROD_RESOLVE")),
        )

    def host_rule(self, host: str) -> str | None:
        """The COPROD_RENDER_HOSTS pattern that names this host, if any."""
        host = host.lower().rstrip(".")
        return next((p for p in self.hosts if fnmatchcase(host, p)), None)


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() not in ("0", "false", "no", "off", "")
    return bool(value)
