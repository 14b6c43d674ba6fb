"""Consent and cookie banners, dismissed by rule: which button to press, as data.

Each rule is (consent manager, Playwright selector). Refusing comes before accepting
wherever a banner offers both (a crawl needs the page, not the trackers); the generic
rules last, and only for buttons inside something that calls itself a cookie or consent
banner, so no other button on a page is ever pressed. Playwright's CSS engine reaches
into open shadow roots, so the managers that draw their banner in one are covered too.
"""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)

_BANNER = (":is([id*=cookie i],[class*=cookie i],[id*=consent i],[class*=consent i],"
           "[id*=gdpr i],[class*=gdpr i],[aria-label*=cookie i],[aria-label*=consent i])")
_REFUSE = ("^ *(reject all|reject|decline all|decline|refuse all|deny all|only necessary|"
           "necessary only|use necessary cookies only|essential cookies only|"
           "alle ablehnen|ablehnen|tout refuser|refuser|rechazar todo|afvis alle|"
           "kun nødvendige|拒绝) *$")
_ACCEPT = ("^ *(accept all|accept all cookies|accept cookies|accept|allow all|allow cookies|"
           "i agree|agree|i accept|got it|ok|okay|alle akzeptieren|akzeptieren|"
           "tout accepter|accepter|aceptar todo|accepter alle|tillad alle|同意|接受) *$")

CONSENT_RULES: tuple[tuple[str, str, str], ...] = (  # (consent manager, action, selector)
    ("onetrust", "refuse", "#onetrust-reject-all-handler"),
    ("onetrust", "accept", "#onetrust-accept-btn-handler"),
    ("cookiebot", "refuse", "#CybotCookiebotDialogBodyButtonDecline"),
    ("cookiebot", "accept", "#CybotCookiebotDialogBodyLevelButtonLevelOptinAllowAll"),
    ("didomi", "refuse", "#didomi-notice-disagree-button"),
    ("didomi", "accept", "#didomi-notice-agree-button"),
    ("trustarc", "refuse", "#truste-consent-required"),
    ("trustarc", "accept", "#truste-consent-button"),
    ("usercentrics", "refuse", "[data-testid=uc-deny-all-button]"),
    ("usercentrics", "accept", "[data-testid=uc-accept-all-button]"),
    ("cookieyes", "refuse", ".cky-btn-reject"),
    ("cookieyes", "accept", ".cky-btn-accept"),
    ("osano", "refuse", ".osano-cm-denyAll"),
    ("osano", "accept", ".osano-cm-accept-all"),
    ("civic-cookie-control", "refuse", "#ccc-reject-settings"),
    ("civic-cookie-control", "accept", "#ccc-recommended-settings"),
    ("cookie-law-info", "refuse", "#cookie_action_close_header_reject"),
    ("cookie-law-info", "accept", "#cookie_action_close_header"),
    ("quantcast", "refuse", ".qc-cmp2-summary-buttons button[mode=secondary]"),
    ("quantcast", "accept", ".qc-cmp2-summary-buttons button[mode=primary]"),
    ("sourcepoint", "refuse", "button.sp_choice_type_13"),
    ("sourcepoint", "accept", "button.sp_choice_type_11"),
    ("generic", "refuse", f'{_BANNER} :is(button,[role=button],a):text-matches("{_REFUSE}", "i")'),
    ("generic", "accept", f'{_BANNER} :is(button,[role=button],a):text-matches("{_ACCEPT}", "i")'),
)
MAX_FRAMES = 20  # frames searched per page (consent managers often draw in an iframe)
CLICK_TIMEOUT_MS = 2000


async def dismiss_consent(page: Any, rules: tuple[tuple[str, str, str], ...] = CONSENT_RULES,
                          ) -> str | None:
    """Press the first visible button a rule names, in the page or one of its frames;
    what was done ("onetrust: refuse"), or None."""
    frames = page.frames[:MAX_FRAMES]
    for name, action, selector in rules:
        for frame in frames:
            try:
                button = frame.locator(selector).first
                if not await button.is_visible():
                    continue
                await button.click(timeout=CLICK_TIMEOUT_MS)
            except Exception as exc:  # a detached frame, a button that went away: next rule
                logger.debug("consent rule %s %s: %s", name, action, exc)
                continue
            return f"{name}: {action}"
    return None
