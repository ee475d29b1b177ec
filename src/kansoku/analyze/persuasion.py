"""Persuasion cues: loaded labels, inevitability, hidden hand, dehumanising language, whataboutism.

Patterns are data (``data/persuasion.toml``), compiled once; matching is one regex per kind over the text.
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from importlib import resources
from typing import Any

from kansoku import rx
from kansoku.model import Document
from kansoku.prefilter import finditer

KINDS = ("loaded_label", "inevitability", "hidden_hand", "dehumanizing", "whataboutism")


@lru_cache(maxsize=1)
def load_patterns() -> dict[str, re.Pattern[str]]:
    """Kind -> compiled alternation of its patterns (cached)."""
    raw = tomllib.loads(
        resources.files("kansoku.data").joinpath("persuasion.toml").read_text(encoding="utf-8")
    )
    out: dict[str, re.Pattern[str]] = {}
    for kind, spec in raw.get("kinds", {}).items():
        pats = list(spec.get("patterns", []))
        if pats:
            out[kind] = rx.compile("|".join(f"(?:{p})" for p in pats))
    return out


def find_persuasion(doc: Document) -> list[dict[str, Any]]:
    """All persuasion cues of ``doc`` as ``[{"kind", "text", "start", "end"}]``, in text order.

    ``text[start:end] == item["text"]``; overlapping matches keep the longest (then the earliest kind);
    matches never cross a line break.
    """
    text = doc.text
    cands: list[tuple[int, int, str]] = []
    for kind, pat in load_patterns().items():
        for m in finditer(pat, text):  # most texts lack every literal some kinds need: skipped at once
            start, end = m.start(), m.end()
            if end > start:
                cands.append((start, end, kind))
    cands.sort(key=lambda c: (-(c[1] - c[0]), c[0]))
    taken: list[tuple[int, int]] = []
    out: list[dict[str, Any]] = []
    for start, end, kind in cands:
        if any(start < e and s < end for s, e in taken):
            continue
        taken.append((start, end))
        out.append({"kind": kind, "text": text[start:end], "start": start, "end": end})
    out.sort(key=lambda d: (d["start"], d["end"]))
    return out
