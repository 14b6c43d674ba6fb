"""LingBuzz (ling.auf.net/lingbuzz/NNNNNN), the linguistics archive: a centred header (title
link, author links, version date), the abstract as bare text after it, then a table of
"Format", "Published in", "keywords" rows. The labelled rows and the byline are read by the
text layer; the abstract has no element of its own, so it is read here, without the note
authors put in brackets before it ("[CHANGE: This is the layout of the published version]")."""

from __future__ import annotations

import re
from typing import Any

from extractors.embedded.values import clean
from extractors.platforms import engine

NAME = "lingbuzz"
PRIORITY = 20  # lower is tried first: hosts before generic software
HOSTS = ("ling.auf.net",)
MARKERS = ("/html/head/link[@rel='canonical'][contains(@href, '/lingbuzz/')]",)
# The body's nodes between the header (<center>) and the first table: the abstract.
_ABSTRACT = ("/html/body/center[1]/following-sibling::node()"
             "[not(self::table) and not(preceding-sibling::table)]")
_NOTE = re.compile(r"^\s*\[[^\]\n]{1,200}\]\s*")
MIN_ABSTRACT = 80


def matches(url: str, tree: Any) -> bool:
    return engine.host_matches(url, HOSTS) or engine.has_marker(tree, MARKERS)


def extract(tree: Any, url: str) -> dict[str, Any]:
    parts = [n if isinstance(n, str) else n.text_content() for n in engine.select(tree, _ABSTRACT)]
    lines = [clean(line) for line in _NOTE.sub("", "".join(parts)).splitlines()]
    abstract = "\n".join(line for line in lines if line)
    out = {"type": "preprint"}  # an archive copy, even of a published paper
    return {**out, "abstract": abstract} if len(abstract) >= MIN_ABSTRACT else out
