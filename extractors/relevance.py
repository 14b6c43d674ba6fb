"""Co-production relevance: how strongly a record is about co-producing public services.

The vocabulary is data: per language, a concept name -> the patterns that spell it, with a
weight. A pattern is literal text where `-` means "hyphen, space or nothing" (co-production,
co production, coproduction, co‐production), a space means "spaces or a hyphen", and a final
`*` means "any word ending". Latin-script patterns match at word boundaries; CJK patterns
match as substrings (CJK text has no spaces). Where patterns overlap, the longest wins
("service user involvement" is not also "user involvement"; "healthy volunteers" is nothing).

A match counts by field (title > keywords > abstract). The words around it decide what sense
"co-production" has: public-service context (health, care, welfare, municipality, 公共服务...)
keeps the score, off-domain context (hydrogen, oil and gas, heat and power, bosons, film)
cuts it. Hand-written rather than a classifier: the terms and weights stay readable and
auditable, and the version string changes whenever a table does.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from extractors.record import Record

RELEVANCE_THRESHOLD = 0.35  # scores at or above this are "relevant" (crawl focus, exports)
MAX_CHARS = 200_000  # per field; longer text is cut before matching (bounded work)


@dataclass(frozen=True)
class Concept:
    """One idea of the field, spelled by `patterns`; `acronyms` match case-sensitively and
    count only in a record where some spelled-out term matched too.

    `unless`: patterns that, anywhere in the record, show the acronym or word means something
    else (PPI = proton pump inhibitor); the concept then does not count.
    """

    patterns: tuple[str, ...]
    weight: float = 1.0
    acronyms: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()


C = Concept
TERMS: dict[str, dict[str, Concept]] = {
    "en": {
        "co-production": C(("co-production*", "co-produce*", "co-producing")),
        "co-creation": C(("co-creat*",), 0.8),
        "co-design": C(("co-design*",), 0.7),
        "user involvement": C(("service user involvement", "user involvement",
                               "service user participation", "user participation"), 0.8),
        "patient and public involvement": C(
            ("patient and public involvement", "public and patient involvement"), 0.8,
            acronyms=("PPI",), unless=("proton pump inhibitor*", "pixels per inch")),
        "citizen participation": C(("citizen participation", "citizens participation",
                                    "participation of citizens", "citizen involvement"), 0.6),
        "public participation": C(("public participation", "public involvement"), 0.5),
        "volunteers": C(("volunteer*",), 0.4),
        "voluntary organisations": C(("voluntary organisation*", "voluntary organization*",
                                      "voluntary sector", "voluntary and community sector",
                                      "voluntary association*"), 0.6),
        "third sector": C(("third sector",), 0.6),
        "civil society": C(("civil society",), 0.5),
    },
    "da": {
        "samskabelse": C(("samskab*",)),
        "samproduktion": C(("samproduktion*",)),
        "frivillige": C(("frivillig*",), 0.4),
    },
    "no": {
        "samskaping": C(("samskaping*",)),
        "samproduksjon": C(("samproduksjon*",)),
        "frivillighet": C(("frivillighet*",), 0.4),
    },
    "sv": {
        "samskapande": C(("samskapa*",)),
        "samproduktion": C(("samproduktion*",)),
        "medskapande": C(("medskapa*",), 0.8),
    },
    "zh": {
        "合作生产": C(("合作生产",)),
        "共同生产": C(("共同生产",)),
        "公众参与": C(("公众参与",), 0.5),
        "志愿者": C(("志愿者",), 0.4),
    },
}

# Phrases that contain a term but are not about it: they claim their span and count nothing.
NEUTRAL: tuple[str, ...] = ("healthy volunteer*", "normal volunteer*", "human volunteer*",
                            "volunteer participant*", "volunteer subject*")

# Public-service context: where co-production in our sense lives.
DOMAIN: dict[str, tuple[str, ...]] = {
    "en": ("public service*", "public sector", "health*", "care", "caring", "carer*",
           "welfare", "social care", "social service*", "social work*", "social policy",
           "municipal*", "local government*", "local authorit*", "community service*",
           "community-based", "patient*", "service user*", "citizen*", "nursing", "hospital*",
           "disabilit*", "public administration", "public management", "public policy",
           "governance", "government*", "ngo*", "non-profit*", "housing", "policing",
           "education", "school*", "recovery", "wellbeing", "well-being"),
    "da": ("kommun*", "velfærd*", "sundhed*", "omsorg*", "pleje*", "borger*", "offentlig*",
           "sygehus*"),
    "no": ("velferd*", "helse*", "pleie*", "sykehjem*", "innbygger*"),
    "sv": ("välfärd*", "hälso*", "hälsa", "vård*", "brukar*", "medborgar*"),
    "zh": ("公共服务", "社会服务", "公共管理", "公共部门", "社区", "医疗", "卫生", "健康",
           "养老", "福利", "政府", "治理", "居民"),
}

# Other senses of "co-production": chemistry and energy, oil and gas, particle physics, film.
OFF_DOMAIN: dict[str, tuple[str, ...]] = {
    "en": ("hydrogen", "syngas", "catalys*", "catalyt*", "oil", "gas", "petroleum",
           "reservoir*", "crude", "methan*", "ethanol", "biomass", "electrolys*", "fuel*",
           "heat and power", "cogeneration", "energy", "fermentation", "enzym*", "yeast",
           "metabolite*", "reactor*", "boson*", "meson*", "hadron*", "quark*", "collider*",
           "collision*", "lhc", "cross section*", "film*", "cinema*", "television",
           "broadcast*"),
    "da": ("brint", "olie"),
    "no": ("olje",),
    "zh": ("氢", "催化", "石油", "天然气", "化工", "发酵", "反应器", "电影"),
}

FIELD_WEIGHTS: dict[str, float] = {"title": 3.0, "keywords": 2.0, "abstract": 1.0}
CONTEXT_FIELDS: tuple[str, ...] = ("title", "keywords", "abstract", "container")
SCALE = 2.0  # score = 1 - exp(-evidence / SCALE): one abstract mention in context ~ 0.39
REPEAT_BONUS, MAX_REPEATS = 0.25, 4  # each further mention in a field adds a quarter, up to 4
NO_CONTEXT = 0.5  # multiplier when neither public-service nor off-domain words appear
OFF_FLOOR = 0.1  # multiplier when only off-domain words appear

_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"),
                        "-")
_DASHES.update(dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"), None))
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def normalise(text: str) -> str:
    """NFKC, Unicode dashes to '-', invisible characters out, whitespace collapsed (case kept)."""
    text = unicodedata.normalize("NFKC", text[:MAX_CHARS]).translate(_DASHES)
    return " ".join(text.split())


def _piece(ch: str) -> str:
    return r"[-\s]?" if ch == "-" else r"[\s-]+" if ch == " " else re.escape(ch)


def _trie_regex(patterns: list[str]) -> str:
    """One regex for many patterns, shared prefixes factored out (a trie): a plain alternation
    of ~100 patterns cost ~3 ms a record, this ~20 us. At each node longer paths are tried
    before the pattern ending there, so the longest pattern claims the span."""

    def emit(node: dict, cjk: bool) -> str:
        parts = [_piece(ch) + emit(node[ch], cjk) for ch in sorted(k for k in node if k)]
        if "" in node:
            parts.append(r"\w*" if node[""] else "" if cjk else r"(?!\w)")
        return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"

    latin = [p for p in patterns if not _CJK.search(p)]
    cjk = [p for p in patterns if _CJK.search(p)]
    sources = ([r"(?<!\w)" + emit(_trie(latin), False)] if latin else []) + \
        ([emit(_trie(cjk), True)] if cjk else [])
    return "|".join(sources) or r"(?!)"


def _trie(patterns: list[str]) -> dict:
    trie: dict = {}
    for pattern in patterns:
        stem, wild = (pattern[:-1], True) if pattern.endswith("*") else (pattern, False)
        node = trie
        for ch in stem:
            node = node.setdefault(ch, {})
        node[""] = node.get("", False) or wild  # "" marks an end; True: any word ending
    return trie


@dataclass(frozen=True)
class _Matcher:
    """Finds patterns left to right, each span claimed once by the longest pattern there;
    `label` maps the matched text back to its pattern's concept (None for NEUTRAL ones)."""

    regex: re.Pattern[str]
    patterns: tuple[tuple[re.Pattern[str], str | None], ...]  # longest stem first

    @classmethod
    def build(cls, items: Iterable[tuple[str, str | None]], fold: bool = True) -> _Matcher:
        unique = {(p.casefold() if fold else p): label for p, label in items}
        ordered = sorted(unique, key=lambda p: -len(p.rstrip("*")))
        singles = tuple((re.compile("".join(map(_piece, p.rstrip("*")))
                                    + (r"\w*" if p.endswith("*") else "")), unique[p])
                        for p in ordered)
        return cls(re.compile(_trie_regex(ordered)), singles)

    def find(self, text: str) -> list[tuple[str | None, str]]:
        return [(self.label(m.group()), m.group()) for m in self.regex.finditer(text)]

    def label(self, matched: str) -> str | None:
        return next((label for single, label in self.patterns if single.fullmatch(matched)), None)


def _concepts() -> dict[str, Concept]:
    merged: dict[str, Concept] = {}
    for table in TERMS.values():
        for name, concept in table.items():
            merged.setdefault(name, concept)
    return merged


CONCEPTS = _concepts()
_TERMS = _Matcher.build([(p, name) for name, c in CONCEPTS.items() for p in c.patterns]
                        + [(p, None) for p in NEUTRAL])
_ACRONYMS = _Matcher.build([(a, name) for name, c in CONCEPTS.items() for a in c.acronyms],
                           fold=False)
_DOMAIN = _Matcher.build((p, "domain") for words in DOMAIN.values() for p in words)
_OFF = _Matcher.build((p, "off") for words in OFF_DOMAIN.values() for p in words)
_UNLESS = {name: _Matcher.build((p, name) for p in c.unless)
           for name, c in CONCEPTS.items() if c.unless}
VERSION = "1." + hashlib.sha256(repr((TERMS, NEUTRAL, DOMAIN, OFF_DOMAIN, FIELD_WEIGHTS, SCALE,
                                      REPEAT_BONUS, NO_CONTEXT, OFF_FLOOR)).encode()
                                ).hexdigest()[:8]


def score_relevance(record: Record) -> dict:
    """{"score", "terms", "fields", "context", "version"} for a Record (see score_fields)."""
    sections = " ".join(s.text for s in record.abstract_sections if s.text)
    abstract = record.abstract or ""
    if sections and sections not in abstract:
        abstract = f"{abstract} {sections}"
    return score_fields({"title": record.title, "keywords": record.keywords,
                         "abstract": abstract, "container": record.container or ""})


def score_fields(fields: Mapping[str, str | Sequence[str] | None]) -> dict:
    """Relevance of named texts ("title", "keywords", "abstract", "container"; lists joined).

    score is 1 - exp(-evidence / SCALE) in [0, 1): evidence sums, per matched concept and
    field, weight x field weight (+ REPEAT_BONUS per repeat), times the context multiplier.
    `terms` lists matched concepts, strongest first; `fields` says where each matched.
    """
    texts = {name: normalise(_joined(value)) for name, value in fields.items() if value}
    folded = {name: text.casefold() for name, text in texts.items()}
    counts = _count(_TERMS, folded)
    if counts:  # acronyms only corroborate: "PPI" alone is as often a proton pump inhibitor
        for concept, where in _count(_ACRONYMS, texts).items():
            for name, n in where.items():
                counts.setdefault(concept, {})[name] = counts.get(concept, {}).get(name, 0) + n
    whole = " ".join(folded.values())
    for concept in [c for c in counts if c in _UNLESS and _UNLESS[c].find(whole)]:
        del counts[concept]
    context = " ".join(folded[n] for n in CONTEXT_FIELDS if n in folded)
    domain, off = _DOMAIN.find(context), _OFF.find(context)
    multiplier = _context_multiplier(len(domain), len(off))
    strength = {concept: CONCEPTS[concept].weight * sum(
        FIELD_WEIGHTS[f] * (1 + REPEAT_BONUS * min(n - 1, MAX_REPEATS)) for f, n in where.items())
        for concept, where in counts.items()}
    evidence = sum(strength.values()) * multiplier
    terms = sorted(strength, key=lambda c: (-strength[c], c))
    return {
        "score": round(1 - math.exp(-evidence / SCALE), 4),
        "terms": terms,
        "fields": {c: [f for f in FIELD_WEIGHTS if f in counts[c]] for c in terms},
        "context": {"domain": sorted({w for _, w in domain}),
                    "off_domain": sorted({w for _, w in off}), "multiplier": round(multiplier, 3)},
        "version": VERSION,
    }


def is_relevant(result: Mapping | None, threshold: float = RELEVANCE_THRESHOLD) -> bool:
    """True when a score_relevance result reaches the threshold."""
    return bool(result) and float(result.get("score", 0.0)) >= threshold


def _count(matcher: _Matcher, texts: Mapping[str, str]) -> dict[str, dict[str, int]]:
    """concept -> field -> number of matches, over the weighted fields."""
    counts: dict[str, dict[str, int]] = {}
    for name in FIELD_WEIGHTS:
        for concept, _ in matcher.find(texts.get(name, "")):
            if concept is not None:
                where = counts.setdefault(concept, {})
                where[name] = where.get(name, 0) + 1
    return counts


def _context_multiplier(domain: int, off: int) -> float:
    """1 with only public-service words, OFF_FLOOR with only off-domain ones, in between by share."""
    if not domain and not off:
        return NO_CONTEXT
    return OFF_FLOOR + (1 - OFF_FLOOR) * domain / (domain + off)


def _joined(value: str | Sequence[str] | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return " ; ".join(v for v in value if isinstance(v, str))
