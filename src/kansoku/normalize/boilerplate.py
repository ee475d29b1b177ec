"""Remove web boilerplate lines ("シェアする", "関連記事", cookie notices, menus …) from plain-text dumps.

Only whole lines are removed, never text inside a sentence. Three rules, all driven by the
patterns in ``kansoku/data/boilerplate.txt``:

* a line matching a *line* pattern is dropped;
* a bare number right next to a dropped line is that button's counter ("いいね" / "12");
* a *block* heading ("関連記事", "ランキング") is dropped with the list of headlines right after it
  (bulleted/numbered lines, or short lines without a full stop, up to the next blank line);
* a run of consecutive short lines with 3+ *menu* words (ホーム / 政治 / 経済 / 国際 …) is dropped whole,
  as is a single line that is a ``|``-separated menu or a ``>`` breadcrumb.

Lines that carry content even when short are protected from the menu rule: datelines
(``【北京=共同】``, ``2026年3月4日``), dialogue (``記者: …``) and anything with sentence punctuation.
Afterwards trailing spaces and tabs are stripped, lines of only whitespace become empty, and runs of
blank lines are collapsed to one blank line; every other character is kept as it was (U+3000 too).
"""

from __future__ import annotations

import re
import re._parser as _sre_parse
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from kansoku import rx

__all__ = ["BoilerplatePatterns", "load_patterns", "strip_boilerplate"]

_SECTIONS = ("line", "block", "menu")
_SECTION_HEADER = rx.compile(r"#\s*section:\s*(\w+)\s*$")
_VERSION_HEADER = rx.compile(r"#\s*version:\s*(\d+)\s*$")
_STRIP = " \t\u3000\u00a0\ufeff"
# Brackets and marks around a heading such as "【関連記事】" or "▼広告▼"; stripped only for matching.
_DECORATION = _STRIP + "【】[]［］〔〕<>＜＞《》〈〉■□◆◇●○▼▽▲△▶▷►◀◁"

_MENU_MAX = 15  # characters in a menu item line
_MENU_RUN_MIN = 3
_LIST_LINE_MAX = 60  # characters in an unbulleted headline of a "関連記事" list
_SENTENCE_MARKS = rx.compile(r"[。、，,！!？?「」『』:：]")
_DATELINE = rx.compile(r"\d.*[年月日時分/:：]|【.*】|[（(].*[=＝].*[)）]")
_BULLET = rx.compile(r"^(?:[・•●○◎■□◆◇▶▷►▸→⇒»>＞\-*–—]|\d{1,2}\s*[.．)）、]|\d{1,2}\s|[①-⑳])")
_MENU_SEPARATORS = rx.compile(r"\s*[|｜]\s*|\s*/\s+|[\s\u3000]{2,}")
_BREADCRUMB_SEPARATORS = rx.compile(r"\s*[>＞›»]\s*")
_DIALOGUE = rx.compile(r"^[^\s:：「」]{1,20}[:：]\s*\S")
_COUNTER = rx.compile(r"\d{1,3}(?:,\d{3})*|\d+(?:\.\d)?[kKmM万]?")
_BLANK_RUN = rx.compile(r"\n{3,}")


@dataclass(frozen=True, slots=True)
class BoilerplatePatterns:
    """The compiled pattern file: its version and one combined regex per section."""

    version: int
    line: re.Pattern[str]
    block: re.Pattern[str]
    menu: re.Pattern[str]
    #: (longest line, pattern): for a line of up to that many characters, the *line* patterns that can match
    #: that long a line (re's own width bound of each pattern), in increasing order; the last has no bound
    line_tiers: tuple[tuple[float, re.Pattern[str]], ...] = ()

    def is_line(self, s: str) -> bool:
        """``line.fullmatch(s)``, trying only the patterns that can match a line as long as ``s``."""
        n = len(s)
        for limit, pattern in self.line_tiers:
            if n <= limit:
                return pattern.fullmatch(s) is not None
        return self.line.fullmatch(s) is not None


@lru_cache(maxsize=1)
def load_patterns() -> BoilerplatePatterns:
    """Read and compile ``kansoku/data/boilerplate.txt`` (cached)."""
    source = resources.files("kansoku").joinpath("data", "boilerplate.txt").read_text(encoding="utf-8")
    return parse_patterns(source)


def parse_patterns(source: str) -> BoilerplatePatterns:
    """Compile a pattern file's text; raise ``ValueError`` naming the line of a bad pattern."""
    lines = source.splitlines()
    version_match = _VERSION_HEADER.match(lines[0].strip()) if lines else None
    if not version_match:
        raise ValueError('boilerplate pattern file must start with "# version: N"')
    sections: dict[str, list[str]] = {name: [] for name in _SECTIONS}
    section = "line"
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if header := _SECTION_HEADER.match(line):
            section = header.group(1)
            if section not in sections:
                raise ValueError(f"boilerplate.txt line {number}: unknown section {section!r}")
            continue
        if not line or line.startswith("#"):
            continue
        try:
            rx.compile(line)
        except re.error as err:
            raise ValueError(f"boilerplate.txt line {number}: bad pattern {line!r} ({err})") from None
        sections[section].append(line)

    def combine(patterns: list[str]) -> re.Pattern[str]:
        if not patterns:
            return rx.compile(r"(?!)")
        return rx.compile("|".join(f"(?:{pattern})" for pattern in patterns), re.IGNORECASE)

    return BoilerplatePatterns(
        version=int(version_match.group(1)),
        line=combine(sections["line"]),
        block=combine(sections["block"]),
        menu=combine(sections["menu"]),
        line_tiers=_tiers(sections["line"], combine),
    )


_TIER_LIMITS = (16, 32, 64, 128)


def _tiers(patterns: list[str], combine) -> tuple[tuple[float, re.Pattern[str]], ...]:  # type: ignore[no-untyped-def]
    """Line patterns grouped by the longest line each can match: a line longer than 16 characters is tried
    only against the patterns that can match more than 16, and so on (an alternation fullmatches a line
    exactly when one of its branches does, so the result is the same)."""
    widths = [_sre_parse.parse(pattern, re.IGNORECASE).getwidth()[1] for pattern in patterns]
    out: list[tuple[float, re.Pattern[str]]] = []
    floor = 0
    for limit in (*_TIER_LIMITS, float("inf")):
        out.append((limit, combine([p for p, w in zip(patterns, widths, strict=True) if w > floor])))
        floor = limit  # type: ignore[assignment]
    return tuple(out)


def strip_boilerplate(text: str) -> str:
    """Drop boilerplate lines from ``text``; see the module docstring for the rules.

    CRLF and CR newlines become LF; a line of nothing but spaces (U+3000 included) counts as blank.
    """
    patterns = load_patterns()
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    raw_lines = text.split("\n")
    stripped = [line.strip(_STRIP) for line in raw_lines]
    lines = [line.rstrip(" \t") if core else "" for line, core in zip(raw_lines, stripped, strict=True)]
    del raw_lines
    keep = [True] * len(lines)

    index = 0
    while index < len(lines):
        core = stripped[index]
        if not core:
            index += 1
            continue
        bare = core.strip(_DECORATION) or core
        if patterns.block.fullmatch(bare):
            keep[index] = False
            index = _drop_headline_list(stripped, keep, index + 1)
            continue
        if patterns.is_line(core) or (bare != core and patterns.is_line(bare)) or _is_inline_menu(core, patterns):
            keep[index] = False
        index += 1

    _drop_counters(stripped, keep)
    _drop_menu_runs(stripped, keep, patterns)
    result = "\n".join(line for line, kept in zip(lines, keep, strict=True) if kept)
    return _BLANK_RUN.sub("\n\n", result)


def _drop_counters(stripped: list[str], keep: list[bool]) -> None:
    """A bare number right next to a dropped line is its counter ("いいね" / "12"); in a table it stays."""
    for index, core in enumerate(stripped):
        if keep[index] and _COUNTER.fullmatch(core):
            before = index > 0 and not keep[index - 1]
            after = index + 1 < len(stripped) and not keep[index + 1]
            if before or after:
                keep[index] = False


def _drop_headline_list(stripped: list[str], keep: list[bool], index: int) -> int:
    """Drop the list-like lines after a block heading, up to the first blank or prose line."""
    # The list may start after one blank line, but then only a bulleted one (not an unmarked headline).
    if (
        index + 1 < len(stripped)
        and not stripped[index]
        and _BULLET.match(stripped[index + 1])
        and _is_headline(stripped[index + 1])
    ):
        index += 1
    while index < len(stripped) and stripped[index] and _is_headline(stripped[index]):
        keep[index] = False
        index += 1
    return index


def _is_headline(core: str) -> bool:
    if core.endswith("。") or _DIALOGUE.match(core):
        return False
    if _BULLET.match(core):
        return len(core) <= 2 * _LIST_LINE_MAX
    return len(core) <= _LIST_LINE_MAX and "。" not in core


def _is_menu_candidate(core: str) -> bool:
    return (
        0 < len(core) <= _MENU_MAX
        and not _SENTENCE_MARKS.search(core)
        and not _DATELINE.search(core)
        and not core.startswith(("■", "◆", "●", "▼", "〈", "<", "《"))
    )


def _drop_menu_runs(stripped: list[str], keep: list[bool], patterns: BoilerplatePatterns) -> None:
    """Drop runs of consecutive short lines holding 3+ menu words and mostly boilerplate."""
    run: list[int] = []

    def flush() -> None:
        if len(run) >= _MENU_RUN_MIN:
            menu = [bool(patterns.menu.fullmatch(stripped[i])) for i in run]
            menu_words = sum(menu)
            dropped = sum(1 for i, is_menu in zip(run, menu, strict=True) if not keep[i] and not is_menu)
            if menu_words >= _MENU_RUN_MIN and 2 * (menu_words + dropped) >= len(run):
                for i in run:
                    keep[i] = False
        run.clear()

    for index, core in enumerate(stripped):
        if (not keep[index] and run) or (core and _is_menu_candidate(core)):
            run.append(index)
        else:
            flush()
    flush()


def _is_inline_menu(core: str, patterns: BoilerplatePatterns) -> bool:
    """``ホーム | 政治 | 経済 | 国際`` on one line, or a breadcrumb ``ホーム > 国際 > アジア``."""
    if "。" in core or len(core) > 120:
        return False
    crumbs = [part for part in _BREADCRUMB_SEPARATORS.split(core) if part]
    if len(crumbs) >= 3 and all(len(part) <= 20 for part in crumbs):
        return bool(patterns.menu.fullmatch(crumbs[0]))
    items = [part for part in _MENU_SEPARATORS.split(core) if part]
    if len(items) >= 3 and all(len(item) <= _MENU_MAX for item in items):
        menu_like = sum(1 for item in items if patterns.menu.fullmatch(item) or patterns.is_line(item))
        return 2 * menu_like >= len(items)
    return False
