"""Structured abstracts: Background / Methods / Findings... as labelled sections.

Pages mark the labels three ways: headings before paragraphs (Springer, Cambridge), headings
inside wrapper sections (Wiley, Emerald), bold run-ins inside a paragraph (<strong>Purpose</strong>
The purpose...). Walking the abstract in document order and cutting at every heading handles
all three. Aggregators that flatten the abstract to one string ("Purpose The purpose ...
Methods The study ...") are split on the labels structured abstracts use (`split_labelled`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import lxml.etree

from extractors.embedded.values import clean
from extractors.html import BLOCK_TAGS, SKIP_TAGS, is_hidden
from extractors.record import Section

# Labels of structured abstracts (Emerald's required set, IMRaD, clinical journals), longest
# first so "Design/methodology/approach" wins over "Design".
STRUCTURED_LABELS: tuple[str, ...] = tuple(sorted((
    "Purpose", "Aim", "Aims", "Objective", "Objectives", "Background", "Context", "Introduction",
    "Design/methodology/approach", "Design", "Methods", "Method", "Methodology", "Approach",
    "Setting", "Settings", "Participants", "Intervention", "Interventions", "Measurements",
    "Results", "Findings", "Conclusion", "Conclusions", "Discussion", "Limitation", "Limitations",
    "Research limitations/implications", "Practical implications", "Social implications",
    "Originality/value", "Implications", "Support/Funding Source", "Primary Funding Source",
    "Funding", "Data sources", "Study selection", "Data extraction", "Data synthesis",
), key=len, reverse=True))

# A bold run-in label opening a paragraph: <p><strong>Purpose</strong> The purpose...</p>.
# XPath rather than CSS because nothing may precede it, not even text.
RUN_IN_LABEL = ".//p/*[self::b or self::strong][not(preceding-sibling::node()[normalize-space()])]"

_ABSTRACT_WORD = re.compile(r"^(?:abstract|summary|摘要)\s*[:：.]?\s*", re.I)
MAX_SECTIONS = 40


def sections_from(
    root: Any, headings: list[Any], drop: Callable[[Any], bool] | None = None
) -> tuple[list[Section], str]:
    """(labelled sections, text before the first label) of an abstract element."""
    heading_ids = {id(h) for h in headings if not isinstance(h, str)}
    chunks: list[list[str]] = [[]]
    labels: list[str] = [""]
    skipped = None
    walker = lxml.etree.iterwalk(root, events=("start", "end"))
    for event, node in walker:
        if not isinstance(node.tag, str):
            continue
        tag = node.tag.lower()
        if event == "start":
            if node is not root and id(node) in heading_ids and len(labels) < MAX_SECTIONS:
                labels.append(_label(" ".join(_plain(node))))
                chunks.append([])
                walker.skip_subtree()
                skipped = node
                continue
            if node is not root and (tag in SKIP_TAGS or is_hidden(node) or (drop and drop(node))):
                walker.skip_subtree()
                skipped = node
                continue
            if tag in BLOCK_TAGS:
                chunks[-1].append(" ")
            chunks[-1].append(node.text or "")
            continue
        if node is skipped:
            skipped = None
        elif tag in BLOCK_TAGS:
            chunks[-1].append(" ")
        if node is not root and node.tail:
            chunks[-1].append(node.tail)
    preamble = _ABSTRACT_WORD.sub("", clean("".join(chunks[0])))
    sections = [Section(label=label, text=body) for label, body in
                ((labels[i], clean("".join(chunks[i]))) for i in range(1, len(labels)))
                if label and body]
    return sections, preamble


def split_labelled(text: str, labels: tuple[str, ...] = STRUCTURED_LABELS) -> list[Section]:
    """Sections of a flattened structured abstract; [] unless it starts with a label and has two.

    A label counts only at the start or after a sentence end, and only when a capitalised word
    follows ("Results The findings..."), so "Results were mixed" in running text is no label.
    """
    body = clean(text)
    while (stripped := _ABSTRACT_WORD.sub("", body)) != body:
        body = stripped
    alternatives = "|".join(re.escape(label) for label in labels)
    pattern = re.compile(rf"(?:^|(?<=[.!?:)\]]\s))({alternatives})\s*:?\s+(?=[A-Z0-9“\"'(])")
    found = list(pattern.finditer(body))
    if len(found) < 2 or found[0].start() != 0:
        return []
    out: list[Section] = []
    for i, match in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(body)
        chunk = body[match.end():end].strip()
        if chunk:
            out.append(Section(label=match.group(1), text=chunk))
    return out


def abstract_text(sections: list[Section], preamble: str = "") -> str:
    """The abstract as one text: the preamble, then "Label: text" paragraphs."""
    parts = [preamble] if preamble else []
    parts += [f"{s.label}: {s.text}" for s in sections]
    return "\n\n".join(parts)


def _label(value: str) -> str:
    return clean(value).rstrip(" :：.–—-").strip()


def _plain(node: Any) -> list[str]:
    return [t for t in node.itertext() if t]
