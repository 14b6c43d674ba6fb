"""Chrome: the page furniture (nav, cookie banners, share bars, "Talk to us", render banners)
that must never reach a record, as tables of tags, roles, class tokens and text lines."""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from extractors.embedded.values import clean
from extractors.html import SKIP_TAGS, is_hidden, tokens

# Not <form>: ASP.NET and old CMS pages wrap the whole page in one.
CHROME_TAGS = frozenset({"nav", "header", "footer", "aside", "menu", "dialog"})
CHROME_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary", "search",
                          "dialog", "alertdialog", "menu", "toolbar"})
CHROME_TOKEN = re.compile(
    r"(?:^|[-_])(?:cookies?|consent|gdpr|banner|breadcrumbs?|share|sharing|social|toolbar|"
    r"skip(?:link)?s?|navbar|nav|menu|footer|sidebar|newsletter|modal|popup|feedback|"
    r"advert|ads|recommend\w*|metrics|altmetric|hostname|page-component)(?:$|[-_])"
)
# Lines of text that are furniture wherever they appear (seen in the seeds and fixtures).
CHROME_TEXT: tuple[str, ...] = (
    r"^talk to us\b", r"^schedule a call\b", r"^join us for a \d+ min session",
    r"^disclaimer: all third-party content", r"^hostname: page-component",
    r"\brender date: \d{4}-", r"\bhas data issue: (?:true|false)", r"^spring til\b",
    r"^(?:hovedindhold|indholdsfortegnelse|sidefod|dansk da|english en)$",
    r"^(?:引用|收藏|相关论文|被引[:：]?\s*\d*|共\s*\d+\s*条|分享|下载|导出)$",
    r"^skip to (?:main )?content\b", r"^(?:jump to|back to top)\b",
    r"^(?:share|share on \w+|share via e-?mail|tweet|print|email)$",
    r"^rights (?:&|and) permissions\b", r"\[opens in a new window\]", r"^search for this author in",
    r"^(?:log in|sign in|sign up|register|subscribe)$",
    r"^(?:download|view) (?:pdf|citation|article)\b",
    r"\b(?:we|this (?:web)?site) uses? cookies\b", r"^(?:accept|reject|manage) (?:all )?cookies",
    r"^cookie (?:settings|preferences|policy)\b",
    # Article furniture inside abstract boxes: dates, DOI and copyright lines.
    r"^(?:received|accepted|published|revised)(?: online)?:? \d{1,2}\.? \w+ \d{4}\b",
    r"^doi:?\s*\S+$", r"^(?:https?://)?(?:dx\.)?doi\.org/\S+$", r"^(?:copyright\s*)?©\s*\d{4}\b",
    r"^this is an open[- ]access article\b", r"distributed under the terms of the creative commons",
    # Citation snippets pages show beside the work (BibTeX boxes).
    r"^@\w+\s*\{", r"^\w+\s*=\s*\{[^}]*\}?,?$",
)
# Anchored rules are tried at the start only; the few that may sit mid-line scan the line.
_CHROME_START = re.compile("|".join(f"(?:{p[1:]})" for p in CHROME_TEXT if p.startswith("^")),
                           re.I)
_CHROME_ANYWHERE = re.compile("|".join(f"(?:{p})" for p in CHROME_TEXT if not p.startswith("^")),
                              re.I)
MAX_CHROME_LINE = 600  # characters: furniture is short; longer lines are content
# Inside an abstract box: figures, keyword lists, subject tags and buttons are not the abstract.
BOX_NOISE = re.compile(
    r"graphical|visual|video|figure|^img|image|keyword|btn|button|toggle|tldr|highlights|physh|"
    r"subject|taxonom|disciplin|download|metrics"
)
BOX_NOISE_TAGS = frozenset({"figure", "img", "picture"})
_SPACES = re.compile(r"\s+")


def is_chrome(el: HtmlElement) -> bool:
    """Page furniture by its markup: nav/footer/aside, landmark roles, cookie/share/menu boxes."""
    if not isinstance(el.tag, str):
        return False
    if el.tag in CHROME_TAGS or (el.get("role") or "").lower() in CHROME_ROLES:
        return True
    return is_hidden(el) or any(CHROME_TOKEN.search(t) for t in tokens(el))


def is_chrome_text(line: str) -> bool:
    if len(line) > MAX_CHROME_LINE:
        return False
    return _CHROME_START.match(line) is not None or _CHROME_ANYWHERE.search(line) is not None


def strip_chrome_lines(text: str) -> str:
    """The text without furniture paragraphs (a last guard whatever layer produced it)."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    kept = [p for p in paragraphs if not is_chrome_text(clean(p))]
    return "\n\n".join(p.strip() for p in kept)


def prune(root: HtmlElement, box: bool = False) -> HtmlElement:
    """Remove skipped tags, hidden boxes, chrome and chrome lines from `root` (a copy);
    with `box`, also what sits inside abstract boxes without being abstract (BOX_NOISE)."""
    doomed = []
    for el in root.iter():
        if el is root or not isinstance(el.tag, str):
            continue
        if el.tag in SKIP_TAGS or is_chrome(el):
            doomed.append(el)
        elif box and (el.tag in BOX_NOISE_TAGS or any(BOX_NOISE.search(t) for t in tokens(el))):
            doomed.append(el)
        elif len(el) <= 3 and is_chrome_text(_SPACES.sub(" ", el.text_content()[:300]).strip()):
            doomed.append(el)
    for el in doomed:
        if el.getparent() is not None:
            el.drop_tree()  # keeps the tail text
    return root



def in_chrome(el: HtmlElement) -> bool:
    """Inside page furniture; an article's own <header>/<footer> is not furniture."""
    ancestors = [a for a in el.iterancestors() if isinstance(a.tag, str)]
    in_work = any(a.tag in ("article", "main") for a in ancestors)
    return any((a.tag in CHROME_TAGS and not (in_work and a.tag in ("header", "footer")))
               or (a.get("role") or "") in CHROME_ROLES for a in ancestors)
