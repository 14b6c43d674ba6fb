"""JSON Lines: one Record dict per line, the same shape as the WARC metadata records."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TextIO

from extractors.record import Record


def write_jsonl(records: Iterable[Record], stream: TextIO) -> None:
    for record in records:
        stream.write(json.dumps(record.to_dict(), ensure_ascii=False, sort_keys=True))
        stream.write("\n")
