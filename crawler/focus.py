"""The crawl's focus: how relevant a record is, and which records links are followed from.

Scores come from extractors.relevance (multilingual co-production terms, title > keywords >
abstract). A crawl stamps each record with the score, the threshold it was judged against
and the verdict; irrelevant records are archived and catalogued all the same, flagged
`"relevant": false`, and exports leave them out unless asked for all.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from extractors.record import Record
from extractors.relevance import RELEVANCE_THRESHOLD, VERSION, is_relevant, score_relevance

__all__ = ["RELEVANCE_THRESHOLD", "judge", "judged", "judgeable", "relevant", "wants_landing"]


def judge(record: Record, threshold: float = RELEVANCE_THRESHOLD) -> dict[str, Any]:
    """score_relevance's result plus the threshold used and the verdict."""
    result = score_relevance(record)
    result["threshold"] = threshold
    result["relevant"] = is_relevant(result, threshold)
    return result


def judged(result: Any, threshold: float) -> bool:
    """Whether `result` is a `judge` verdict of this scoring version against `threshold`
    (then judging the same record again would give it back)."""
    return (isinstance(result, Mapping) and result.get("version") == VERSION
            and result.get("threshold") == threshold and "relevant" in result)


def relevant(data: Record | Mapping[str, Any], threshold: float | None = None) -> bool:
    """Whether a stored record (Record or its JSON) is relevant: by its own verdict, or
    against `threshold` when one is given. A record never judged counts as relevant."""
    result = data.relevance if isinstance(data, Record) else data.get("relevance")
    if not result:
        return True
    if threshold is not None:
        return is_relevant(result, threshold)
    return bool(result.get("relevant", is_relevant(result)))


def judgeable(record: Record) -> bool:
    """Whether there is more than a title to judge by (an abstract or keywords)."""
    return bool(record.abstract or record.abstract_sections or record.keywords)


def wants_landing(record: Record, verdict: Mapping[str, Any], policy: str) -> bool:
    """Whether to fetch a record's landing page, given its `judge` verdict: "all";
    "relevant"; or "candidates" = relevant, or not yet judgeable (the source gave only a
    title, and the page may hold the abstract)."""
    if policy == "all" or verdict.get("relevant"):
        return True
    return policy == "candidates" and not judgeable(record)
