"""Sentence segmentation that survives news-dump layout.

Line breaks are hard boundaries (headings without 。, bylines, bullet items and dialogue lines such as
``富良野: …`` each stay one unit), then each line is split after 。！？!? unless the terminator sits inside
「」『』（）brackets.  Over-long units are cut at ``max_len`` characters so that downstream stages work on
bounded pieces even when a 20 MB file has no punctuation at all.
"""

from __future__ import annotations

import re

from kansoku import rx
from kansoku.model import Span

_TERMINATORS = frozenset("。！？!?")
_OPEN = {"「": "」", "『": "』", "（": "）", "(": ")", "【": "】", "“": "”"}
_CLOSE = frozenset(_OPEN.values())
# a quote that stays open longer than this is treated as unbalanced and no longer blocks a split
_MAX_QUOTE = 400
_SPECIAL = rx.compile("[" + re.escape("".join(sorted(_TERMINATORS | set(_OPEN) | _CLOSE))) + "]")


def split_sentences(text: str, max_len: int = 1000) -> list[Span]:
    """Return sentence spans over ``text``; leading/trailing whitespace of each unit is excluded."""
    spans: list[Span] = []
    pos = 0
    n = len(text)
    while pos <= n:
        nl = text.find("\n", pos)
        if nl < 0:
            nl = n
        _split_line(text, pos, nl, max_len, spans)
        pos = nl + 1
    return spans


def split_spans(text: str, spans: list[Span], max_len: int = 1000) -> list[Span]:
    """Split already-given units (lines, sentences) further at 。！？ outside brackets."""
    out: list[Span] = []
    for sp in spans:
        _split_line(text, sp.start, sp.end, max_len, out)
    return out


def _split_line(text: str, start: int, end: int, max_len: int, out: list[Span]) -> None:
    depth: list[str] = []
    opened_at = 0
    unit_start = start
    after = start  # characters before this were consumed by the last split
    for m in _SPECIAL.finditer(text, start, end):  # only brackets and terminators change anything
        i = m.start()
        if i < after:
            continue
        ch = text[i]
        if ch in _OPEN:
            if not depth:
                opened_at = i
            depth.append(_OPEN[ch])
        elif ch in _CLOSE:
            if depth and depth[-1] == ch:
                depth.pop()
        elif not depth or i - opened_at > _MAX_QUOTE:
            j = i + 1
            while j < end and (text[j] in _TERMINATORS or text[j] in _CLOSE):
                j += 1
            _emit(text, unit_start, j, max_len, out)
            unit_start = after = j
            depth.clear()
    _emit(text, unit_start, end, max_len, out)


def _emit(text: str, start: int, end: int, max_len: int, out: list[Span]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    while end - start > max_len:
        cut = start + max_len
        # prefer a comma near the cut so that words are not broken
        comma = max(text.rfind("、", start + max_len // 2, cut), text.rfind("，", start + max_len // 2, cut))
        if comma > start:
            cut = comma + 1
        out.append(Span(start, cut))
        start = cut
    if end > start:
        out.append(Span(start, end))


def line_spans(text: str) -> list[Span]:
    """One span per non-empty line (no sentence splitting): the unit of bylines, headings and tests."""
    spans: list[Span] = []
    pos = 0
    for line in text.split("\n"):
        if line.strip():
            spans.append(Span(pos, pos + len(line)))
        pos += len(line) + 1
    return spans
