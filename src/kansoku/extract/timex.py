"""Temporal expressions (TIMEX3-style values) and the dated sentence-level events built on them.

Recognition is two-layered:

* ja-timex (``TimexParser``) finds absolute dates, clock times, durations and sets. It runs only on
  sentences that contain a digit (after our kanji-numeral normalisation) or ``毎``/``半``, which keeps it
  off most sentences; our patterns run only on sentences with a digit, a kanji numeral or a time word.
* Our own patterns (which win where they overlap ja-timex) cover what ja-timex gets wrong or misses:
  relative words (昨年, 先月, 先週, 昨日 ...), context words (同日, 前日, 翌日, 同月 ...), ``N日前``,
  era years from ``data/wareki.json``, centuries, decades, fiscal years, vague durations
  (ここ数週間 -> ``PXW``), weekdays and time-zone prefixes (日本時間 / 現地時間).

Adjacent pieces are then joined into one expression (昨年 + 12月 -> ``2024-12``; 16日 + 午前4時半 ->
``XXXX-XX-16T04:30``) and resolved by our resolver, which never reads the machine's clock.

Resolution conventions (documented choices):

* ``doc_date`` known: relative words resolve against it (``anchor="document"``). A month(-day) without a
  year takes the year of a date earlier in the same sentence, or an explicit year written in the previous
  sentence of the same paragraph (``anchor="context"``); otherwise the document year, or the previous
  year when the date would fall more than 62 days after the document date (``anchor="document"``) -
  unless the sentence speaks of the future (予定, 見通し, 方針, 計画, 目指す ... or a dictionary-form
  ending, and no past ending た): then the document year, or the next year when the date would fall more
  than 31 days before the document date.
  A bare day (15日) takes the month of a date earlier in the same sentence (``anchor="context"``), else
  the document month (the previous month when the day is more than 14 days after the document day and
  that date exists).
* ``doc_date`` None: relative words stay unresolved (X placeholders, ``resolved=False``,
  ``anchor=None``). Only a date earlier in the same *sentence* completes a later partial date
  (``anchor="context"``); otherwise ``6月30日`` -> ``XXXX-06-30`` and ``15日`` -> ``XXXX-XX-15``.
* A range that runs backwards in months (10月13日〜1月31日) moves the second date to the next year; a
  written weekday (12月9日(金)) picks the neighbouring year it fits when the year was inferred.
* 翌12日 takes the month of the previously mentioned date (the next month when the day wrapped).
* 同日/同月/同年 and 前日/翌日/前年/翌年/前月/翌月 take the previously mentioned date in the document
  (``anchor="context"``); with none, the document date if known. 前年比/前年同期 are not dates.
* Weekdays: the most recent such weekday on or before the document date, unless 来週/次の/今度の
  (next occurrence) or 先週/今週 (that week). 先週末/今週末 -> ``2025-W33-WE``.
* ``N日前``/``N年後`` are DATEs at the unit's granularity (weeks resolve to a day) counted from the
  document date; ``その3日後`` counts from the previously mentioned date (``anchor="context"``);
  ``開始から1年後`` (counted from an event) is a DURATION ``P1Y``.
* Vague durations use X for the unknown quantity: ここ数週間 -> ``PXW``, この数カ月 -> ``PXM``,
  数年 -> ``PXY``, 数十年 -> ``PXDE``; 数年前/数年後 are DATEs ``PAST_REF``/``FUTURE_REF``.
* Durations follow ISO 8601 (hours are ``PT24H``); ``2000年以上前``/``2日以内`` are durations, not
  dates. Centuries give the first two digits (20世紀 -> ``19``; ``2世紀後`` is ``P200Y``), decades the
  first three (1990年代 -> ``199``; 90年代 -> ``199``, 20年代 -> ``202``); fiscal years the year
  (2025年度 -> ``2025``); seasons, halves and quarters ``2025-SP``/``2025-H1``/``2025-Q2``
  (今春, 2025年前半, 2025年第2四半期); 年内 -> the document year.
* Zones: 日本時間 -> ``"JST"``; 現地時間 and other named zones (米東部時間, モスクワ時間 ...) -> ``"local"``,
  before the expression or in parentheses after it. The zone word is not part of the expression's text.
"""

from __future__ import annotations

import json
import re
import threading
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from importlib import resources
from typing import Any

from kansoku import rx
from kansoku.model import Document, Span
from kansoku.prefilter import Live, finditer

__all__ = ["extract_timex", "extract_events", "load_wareki"]

# ---------------------------------------------------------------------------------------------------------
# data


@lru_cache(maxsize=1)
def load_wareki() -> dict[str, int]:
    """Era name -> first Gregorian year (full names only; one-letter abbreviations are not used)."""
    raw = resources.files("kansoku").joinpath("data/wareki.json").read_text(encoding="utf-8")
    data = json.loads(raw)
    return {str(k): int(v) for k, v in data["eras"].items()}


_LOCAL = threading.local()


def _parser() -> Any:
    """One ja-timex parser per thread: TimexParser keeps per-call state on the instance."""
    p = getattr(_LOCAL, "parser", None)
    if p is None:
        from ja_timex import TimexParser
        from ja_timex.number_normalizer import NumberNormalizer

        # TimexParser's default NumberNormalizer is one object shared by every parser in the process, and
        # each constructor flips its ignore_kansuji flag: give ours its own.
        p = _LOCAL.parser = TimexParser(number_normalizer=NumberNormalizer(), ignore_kansuji=True)
        # ja-timex passes its ~600 patterns to re.* as strings: with re's default cache of 512 entries they
        # evict one another and are compiled again and again (about 400 recompiles per 150 articles).
        re._MAXCACHE = max(re._MAXCACHE, 4096)  # type: ignore[attr-defined]
        p._extract = _guarded_extract(p)
    return p


def _guarded_extract(parser: Any) -> Any:
    """``TimexParser._extract`` with its patterns compiled once (on first use) and skipped when they cannot
    match.

    ja-timex runs each of its ~250 patterns (``re.finditer(pattern_string, text)``) over every text it is
    given, although almost every pattern needs a literal the text lacks (年, 月, 時 …): about a tenth of the
    whole analysis.  Each pattern here carries the literal guard of :mod:`kansoku.prefilter` (exact: a
    pattern skipped has no match) and the same extracts come out in the same order."""
    from ja_timex.tag import Extract

    from kansoku.prefilter import GuardIndex, cached_guards

    patterns = [(name, pat) for name, pats in parser.all_patterns.items() for pat in pats]
    guards = cached_guards("jatimex", [pat.re_pattern for _, pat in patterns])
    # which patterns a text passes, all at once: a guard's literal is tested only when its first two
    # characters occur in the text (~1,300 substring tests per text before)
    index = GuardIndex(guards)
    # [type name, pattern, compiled (on first use)], in ja-timex's order
    table: list[list[Any]] = [[name, pat, None] for name, pat in patterns]

    def _extract(processed_text: str) -> list[Any]:
        out = []
        for r in sorted(index.passed(processed_text)):  # the patterns whose guard passed (~1 in 20), in order
            row = table[r]
            name, pat, compiled = row
            if compiled is None:
                compiled = row[2] = rx.compile(pat.re_pattern)
            for m in compiled.finditer(processed_text):
                out.append(Extract(type_name=name, re_match=m, pattern=pat))
        return out

    return _extract


# ---------------------------------------------------------------------------------------------------------
# normalisation with an offset map

_KANSUJI = "〇一二三四五六七八九十百千"
_UNIT_AFTER = r"(?=年|月|日|時|分|秒|週|世紀|[カヶかケヵ箇][月年国])"
_KANSUJI_RE = rx.compile(rf"([{_KANSUJI}]+){_UNIT_AFTER}")
_GENNEN_RE = rx.compile(r"元(?=年)")
_THOUSANDS_RE = rx.compile(r"(?<=\d),(?=\d{3}(?!\d))")


def _kansuji_value(run: str) -> int:
    from ja_timex.number_normalizer import kansuji2number

    return int(kansuji2number(run))


class _NFKCOne(dict):
    """``str.translate`` table: a character to its NFKC form when that is one character, else to itself;
    filled on first sight of each character."""

    def __missing__(self, ch: int) -> str:
        c = chr(ch)
        n = unicodedata.normalize("NFKC", c)
        out = self[ch] = n if len(n) == 1 else c
        return out


_NFKC_ONE = _NFKCOne()


def _normalize(text: str, flat: str | None = None) -> tuple[str, list[int], list[int]]:
    """Return (normalised text, start map, end map): char i of the result came from text[starts[i]:ends[i]].

    Per-character NFKC (only where it yields one character), kanji numerals before a time unit become
    Arabic digits, 元年 after an era name becomes 1年 and thousands separators (1,234) are dropped.
    ``flat``: ``text.translate(_NFKC_ONE)`` when the caller has it (a slice of the mapped document: the
    mapping is one character to one).
    """
    if flat is None:
        flat = text.translate(_NFKC_ONE)
    if "," not in flat and not any(c in flat for c in _KANSUJI + "元"):
        idx = list(range(len(text)))
        return flat, idx, [i + 1 for i in idx]
    # replacements: (start, end, new)
    repl: list[tuple[int, int, str]] = []
    # thousands separators go here, so that ja-timex (whose own span bookkeeping for them is off when
    # there are several) never sees one
    for m in _THOUSANDS_RE.finditer(flat):
        repl.append((m.start(), m.end(), ""))
    for m in _KANSUJI_RE.finditer(flat):
        run, s, e = m.group(1), m.start(1), m.end(1)
        nxt = flat[e : e + 2]
        prev = flat[max(0, s - 2) : s]
        if (
            run == "一"
            and nxt.startswith("時")
            and not (prev.endswith(("午前", "午後")) or (prev != "" and prev[-1] in "前後"))
        ):
            continue  # 一時的, 一時停止
        if run == "一" and nxt.startswith("日") and not prev.endswith("月"):
            continue  # 一日も早く
        if s > 0 and flat[s - 1] in "第数何":
            continue
        if run == "十" and nxt.startswith("分"):
            continue  # 十分な
        if nxt == "半世" or (run == "四" and flat[e : e + 3] == "半世紀"):
            continue  # 四半世紀
        repl.append((s, e, str(_kansuji_value(run))))
    eras = load_wareki()
    for m in _GENNEN_RE.finditer(flat):
        s = m.start()
        if any(flat[max(0, s - len(k)) : s] == k for k in ("令和", "平成", "昭和", "大正", "明治")) or any(
            flat[max(0, s - len(k)) : s] == k for k in eras
        ):
            repl.append((s, s + 1, "1"))
    if not repl:
        idx = list(range(len(text)))
        return flat, idx, [i + 1 for i in idx]
    repl.sort()
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    for s, e, new in repl:
        for i in range(pos, s):
            out.append(flat[i])
            starts.append(i)
            ends.append(i + 1)
        for ch in new:
            out.append(ch)
            starts.append(s)
            ends.append(e)
        pos = e
    for i in range(pos, len(flat)):
        out.append(flat[i])
        starts.append(i)
        ends.append(i + 1)
    return "".join(out), starts, ends


# ---------------------------------------------------------------------------------------------------------
# atoms

# slots: 0 year, 1 month, 2 day, 3 weekday, 4 time
_Y, _M, _D, _WD, _T = 0, 1, 2, 3, 4


@dataclass
class _Atom:
    s: int  # offsets in the normalised sentence
    e: int
    kind: str  # "date" | "time" | "duration" | "set" | "century" | "decade" | "ref" | "zone" | "weekday"
    own: bool = True
    y: int | None = None
    m: int | None = None
    d: int | None = None
    hh: int | None = None
    mi: int | None = None
    weekday: int | None = None  # 1 = Monday
    rel: tuple[str, int] | None = None  # ("Y"|"M"|"W"|"D", offset) against the document date
    ctx: tuple[str, int] | None = None  # ("Y"|"M"|"D", offset) against the previously mentioned date
    value: str | None = None  # fixed value (durations, sets, centuries, decades, refs)
    zone: str | None = None
    next_day: bool = False  # 翌12日
    paren: bool = False  # "(金)"-style weekday: kept only when attached to a date
    weekend: bool = False  # 今週末 / 来週末
    season: str | None = None  # SP/SU/FA/WI

    def slots(self) -> tuple[int, int]:
        if self.kind == "time":
            return _T, _T
        if self.kind == "weekday":
            return _WD, _WD
        unit = (self.rel or self.ctx or ("", 0))[0]
        if unit == "Y":
            return _Y, _Y
        if unit == "M":
            return _Y, _M
        if unit == "W":
            return _Y, _D  # a week fixes year..day except for the weekday
        if unit == "D":
            return _Y, _D
        present = [i for i, v in ((_Y, self.y), (_M, self.m), (_D, self.d)) if v is not None]
        if not present:
            return _Y, _Y
        return present[0], present[-1]


_NUM = r"(\d{1,4})"
_MONTHS = r"(?:カ月|ヶ月|か月|ケ月|ヵ月|箇月|ヶ月|カ月)"

_REL_WORDS: dict[str, tuple[str, int]] = {
    "一昨年": ("Y", -2),
    "おととし": ("Y", -2),
    "昨年": ("Y", -1),
    "去年": ("Y", -1),
    "今年": ("Y", 0),
    "本年": ("Y", 0),
    "来年": ("Y", 1),
    "明年": ("Y", 1),
    "再来年": ("Y", 2),
    "先々月": ("M", -2),
    "先月": ("M", -1),
    "今月": ("M", 0),
    "本月": ("M", 0),
    "来月": ("M", 1),
    "再来月": ("M", 2),
    "先々週": ("W", -2),
    "先週": ("W", -1),
    "今週": ("W", 0),
    "本週": ("W", 0),
    "来週": ("W", 1),
    "再来週": ("W", 2),
    "一昨日": ("D", -2),
    "おととい": ("D", -2),
    "昨日": ("D", -1),
    "きのう": ("D", -1),
    "今日": ("D", 0),
    "きょう": ("D", 0),
    "本日": ("D", 0),
    "明日": ("D", 1),
    "あす": ("D", 1),
    "あした": ("D", 1),
    "明後日": ("D", 2),
    "あさって": ("D", 2),
    "今朝": ("D", 0),
    "昨夜": ("D", -1),
    "昨晩": ("D", -1),
    "年内": ("Y", 0),
    "月内": ("M", 0),
    "今夜": ("D", 0),
    "今晩": ("D", 0),
    "昨朝": ("D", -1),
}
_CTX_WORDS: dict[str, tuple[str, int]] = {
    "同年": ("Y", 0),
    "前年": ("Y", -1),
    "翌年": ("Y", 1),
    "同月": ("M", 0),
    "前月": ("M", -1),
    "翌月": ("M", 1),
    "同日": ("D", 0),
    "前日": ("D", -1),
    "翌日": ("D", 1),
    "翌々日": ("D", 2),
    "同夜": ("D", 0),
    "同日夜": ("D", 0),
    "翌朝": ("D", 1),
}
_REL_RE = rx.compile(
    "(?<!毎)" + "(" + "|".join(sorted(_REL_WORDS, key=len, reverse=True)) + ")(度|末)?(?![的来子香])"
)
# 前年比 / 前年同期 are comparisons, not mentions of a date
_CTX_RE = rx.compile("(" + "|".join(sorted(_CTX_WORDS, key=len, reverse=True)) + ")(度)?(?!比|同期|代|齢|輩)")
# 1914〜18年, 1939-45年, 2014年から22年まで: the second year is written short
_YEAR_RANGE_RE = rx.compile(
    r"(?<!\d)(\d{4})(年)?\s*(?:〜|~|-|－|—|–|から)\s*(\d{2}|\d{4})年(?!\d|間|代|度|ぶり|以上|近く|余り|超|にわた|前|後|が経|がた|が過)"
)
_NEXT_DAY_RE = rx.compile(r"翌(\d{1,2})日")
_FUTURE_RE = rx.compile(
    r"予定|見通し|見込み|方針|計画|目指|めど|目途|予想され|に向け|[るうくすぐむぶつ]。?\s*$"
)
_PAST_END_RE = rx.compile(r"(?:た)[」』)）]*。?\s*$")
_SEASONS = {
    "春": "SP",
    "夏": "SU",
    "秋": "FA",
    "冬": "WI",
    "上半期": "H1",
    "前半": "H1",
    "下半期": "H2",
    "後半": "H2",
}
_SEASON_REL = {"今": 0, "昨": -1, "去": -1, "来": 1, "本": 0}
_REL_SEASON_RE = rx.compile(r"([今昨去来])([春夏秋冬])(?![季期学分雨])")
_SEASON_RE = rx.compile(r"([春夏秋冬]|上半期|前半|下半期|後半)(?![季期学分雨戦])")
_NAGO_RE = rx.compile(
    rf"(その|それから|この|から約?|からおよそ)?(\d{{1,4}})(年|{_MONTHS}|週間|日)(前|後)(?!半)"
)
_VAGUE_RE = rx.compile(
    rf"(ここ|この|過去|今後|この先|向こう|その後)?数(十)?(年|{_MONTHS}|週間|週|日|時間)(間)?(前|後)?"
)
_CENTURY_RE = rx.compile(r"(紀元前)?(\d{1,2})世紀")
_QUARTER_CENTURY_RE = rx.compile(r"四半世紀")
_CENTURY_DUR_RE = rx.compile(r"前|後|間|ぶり|にわた|近く|以上|余り|超|も")
_RANGE_END_RE = rx.compile(r"(?:〜|~|から|-|－|ー|—)\s*$")
_DAY_DUR_RE = rx.compile(
    r"以内|以上|間|ほど|程度|前後|余り|あまり|連続|続け|にわた|限定|足らず|がかり|遅れ|当たり|あたり|平均"
)
_FRACTION_NEXT_RE = rx.compile(r"\s*(?:[個杯本枚匹人程量倍弱強切片粒株束玉]|カップ|以上|以下|未満)")
_YEAR_DUR_RE = rx.compile(r"以上|近く|余り|あまり|超|ぶり|間|にわた|前(?!半)|後(?!半)|がたつ|が経")
_DECADE_RE = rx.compile(r"(\d{4}|\d{2})年代")
_FY_RE = rx.compile(r"(\d{4})年度")
_WEEKDAY_RE = rx.compile(r"([月火水木金土日])曜(日)?")
_PAREN_WD_RE = rx.compile(r"\(([月火水木金土日])(?:曜日?)?\)")
# a zone word only counts when a date or time follows it directly (or it follows one in parentheses)
_ZONE_WORD = (
    r"日本時間|現地時間|グリニッジ標準時|世界標準時|協定世界時|UTC|GMT|JST|"
    r"(?:米国?|英国?|中国|韓国|欧州|東部|西部|中部|太平洋|山岳部|北京|[ァ-ヴー]{2,12})(?:東部|西部|中部|太平洋)?時間"
)
_ZONE_RE = rx.compile(rf"({_ZONE_WORD})(?:の|で)?")
_ZONE_SUFFIX_RE = rx.compile(rf"\(({_ZONE_WORD})\)")
_NOON_RE = rx.compile(r"(正午)|(午前|午後)?(\d{1,2})時(?:(\d{1,2})分|(半))?(?!間)")
_WD_MAP = {c: i + 1 for i, c in enumerate("月火水木金土日")}


@lru_cache(maxsize=1)
def _era_re() -> re.Pattern[str]:
    names = sorted(load_wareki(), key=len, reverse=True)
    return rx.compile(
        "("
        + "|".join(map(re.escape, names))
        + r")\s?(\d{1,2})年(?!間|代)(?:\s?(\d{1,2})月(?:\s?(\d{1,2})日)?)?"
    )


def _zone_of(word: str) -> str:
    return "JST" if word in ("日本時間", "JST") else "local"


@lru_cache(maxsize=1)
def _own_patterns() -> tuple[re.Pattern[str], ...]:
    """The patterns :func:`_own_atoms` searches, for a document-wide :class:`~kansoku.prefilter.Live`.  It is
    built over the document's per-character NFKC (``_NFKC_ONE``), not over ``_normalize``'s output.  That is
    exact because no literal these patterns need has a digit: beyond the per-character mapping,
    ``_normalize`` writes digits (for kansuji and 元年) and drops commas between digits, so a literal without
    one that occurs in its output occurs in the mapped document (tests/test_prefilter.py checks it)."""
    return (_era_re(), _QUARTER_CENTURY_RE, _CENTURY_RE, _DECADE_RE, _FY_RE, _REL_SEASON_RE, _SEASON_RE, _REL_RE,
            _CTX_RE, _NAGO_RE, _VAGUE_RE, _WEEKDAY_RE, _PAREN_WD_RE, _YEAR_RANGE_RE, _NEXT_DAY_RE, _ZONE_RE, _NOON_RE)


def _own_atoms(s: str, live: Live | None = None) -> list[_Atom]:
    find = finditer if live is None else live.finditer
    atoms: list[_Atom] = []
    for m in find(_era_re(), s):
        base = load_wareki()[m.group(1)]
        atoms.append(
            _Atom(
                m.start(),
                m.end(),
                "date",
                y=base + int(m.group(2)) - 1,
                m=int(m.group(3)) if m.group(3) else None,
                d=int(m.group(4)) if m.group(4) else None,
            )
        )
    for m in find(_QUARTER_CENTURY_RE, s):
        atoms.append(_Atom(m.start(), m.end(), "duration", value="P25Y"))
    for m in find(_CENTURY_RE, s):
        n = int(m.group(2))
        if m.group(1) or n == 0 or (m.start() > 0 and s[m.start() - 1] == "半"):
            continue
        if _CENTURY_DUR_RE.match(s, m.end()):
            atoms.append(_Atom(m.start(), m.end(), "duration", value=f"P{n * 100}Y"))
            continue
        atoms.append(_Atom(m.start(), m.end(), "century", value=f"{n - 1:02d}"))
    for m in find(_DECADE_RE, s):
        g = m.group(1)
        val = g[:3] if len(g) == 4 else ("19" if int(g) >= 30 else "20") + g[0]
        atoms.append(_Atom(m.start(), m.end(), "decade", value=val))
    for m in find(_FY_RE, s):
        atoms.append(_Atom(m.start(), m.end(), "date", y=int(m.group(1))))
    for m in find(_REL_SEASON_RE, s):
        atoms.append(
            _Atom(m.start(), m.end(), "date", rel=("Y", _SEASON_REL[m.group(1)]), season=_SEASONS[m.group(2)])
        )
    for m in find(_SEASON_RE, s):
        atoms.append(_Atom(m.start(), m.end(), "season", season=_SEASONS[m.group(1)], paren=True))
    for m in find(_REL_RE, s):
        rel = _REL_WORDS[m.group(1)]
        if m.group(2) == "末" and rel[0] != "W":
            atoms.append(_Atom(m.start(), m.end() - 1, "date", rel=rel))
            continue
        atoms.append(_Atom(m.start(), m.end(), "date", rel=rel, weekend=m.group(2) == "末"))
    for m in find(_CTX_RE, s):
        atoms.append(_Atom(m.start(), m.end(), "date", ctx=_CTX_WORDS[m.group(1)]))
    for m in find(_NAGO_RE, s):
        n = int(m.group(2))
        unit = {"年": "Y", "週間": "W", "日": "D"}.get(m.group(3), "M")
        off = -n if m.group(4) == "前" else n
        if unit == "W":
            unit, off = "D", off * 7
        start = m.start(2)
        if m.group(1) and m.group(1).startswith("から"):
            # 開始から1年後: counted from an event, not a date -> a duration
            dur = {"Y": f"P{n}Y", "M": f"P{n}M"}.get(unit, f"P{abs(off)}D")
            if m.group(3) == "週間":
                dur = f"P{n}W"
            atoms.append(_Atom(start, m.end(), "duration", value=dur))
        elif m.group(1) in ("その", "それから"):
            atoms.append(_Atom(start, m.end(), "date", ctx=(unit, off), rel=(unit, off)))
        else:
            atoms.append(_Atom(start, m.end(), "date", rel=(unit, off)))
    for m in find(_VAGUE_RE, s):
        if m.group(5):
            ref = "PAST_REF" if m.group(5) == "前" else "FUTURE_REF"
            atoms.append(_Atom(m.start(), m.end(), "ref", value=ref))
            continue
        unit = m.group(3)
        if m.group(2):
            val = "PXDE" if unit == "年" else None
        elif unit == "年":
            val = "PXY"
        elif unit in ("週間", "週"):
            val = "PXW"
        elif unit.startswith("日"):
            val = "PXD"
        elif unit == "時間":
            val = "PTXH"
        else:
            val = "PXM"
        if val:
            atoms.append(_Atom(m.start(), m.end(), "duration", value=val))
    for m in find(_WEEKDAY_RE, s):
        atoms.append(_Atom(m.start(), m.end(), "weekday", weekday=_WD_MAP[m.group(1)]))
    for m in find(_PAREN_WD_RE, s):
        atoms.append(_Atom(m.start(), m.end(), "weekday", weekday=_WD_MAP[m.group(1)], paren=True))
    for m in find(_YEAR_RANGE_RE, s):
        y1 = int(m.group(1))
        if not 1000 <= y1 <= 2999:
            continue
        g2 = m.group(3)
        if len(g2) == 4:
            y2 = int(g2)
        else:
            y2 = y1 // 100 * 100 + int(g2)
            if y2 < y1:
                y2 += 100
        e1 = m.end(1) + (1 if m.group(2) else 0)
        atoms.append(_Atom(m.start(1), e1, "date", y=y1))
        atoms.append(_Atom(m.start(3), m.end(), "date", y=y2))
    for m in find(_NEXT_DAY_RE, s):
        atoms.append(_Atom(m.start(), m.end(), "date", d=int(m.group(1)), next_day=True))
    for m in find(_ZONE_RE, s):
        atoms.append(_Atom(m.start(), m.end(), "zone", zone=_zone_of(m.group(1))))
    for m in find(_NOON_RE, s):
        if m.group(1):
            atoms.append(_Atom(m.start(), m.end(), "time", hh=12, mi=0))
    return atoms


_DATE_VAL_RE = rx.compile(r"^([0-9X]{4})(?:-([0-9X]{2})(?:-([0-9X]{2}))?)?$")
_TIME_VAL_RE = rx.compile(r"^T([0-9X]{2})-([0-9X]{2})")


def _int_or_none(v: str | None) -> int | None:
    return int(v) if v and "X" not in v else None


_CHUNK = 400
_CHUNK_BREAK_RE = rx.compile(r"[、，,;；\s]")


def _chunks(s: str) -> list[tuple[int, str]]:
    """Cut very long sentences (tables, run-on lists) at a comma or space so that ja-timex, whose span
    bookkeeping grows with tags x normalised numbers, stays linear."""
    if len(s) <= 2 * _CHUNK:
        return [(0, s)]
    out: list[tuple[int, str]] = []
    pos = 0
    while len(s) - pos > 2 * _CHUNK:
        m = _CHUNK_BREAK_RE.search(s, pos + _CHUNK, pos + 2 * _CHUNK)
        cut = m.end() if m else pos + 2 * _CHUNK
        out.append((pos, s[pos:cut]))
        pos = cut
    out.append((pos, s[pos:]))
    return out


def _jt_atoms(s: str) -> list[_Atom]:
    atoms: list[_Atom] = []
    for off, chunk in _chunks(s):
        if _JT_GATE_RE.search(chunk):
            atoms.extend(_jt_chunk_atoms(s, off, chunk))
    return atoms


def _jt_chunk_atoms(s: str, off: int, chunk: str) -> list[_Atom]:
    atoms: list[_Atom] = []
    for t in _parser().parse(chunk):
        span = t.raw_span or t.span
        if not span:
            continue
        a, b = span[0] + off, span[1] + off
        val = t.value or ""
        surface = s[a:b]
        before = s[a - 1] if a > 0 else ""
        after = s[b] if b < len(s) else ""
        if before and (before.isascii() and (before.isalnum() or before in "-_/.")):
            continue  # U-23日本代表, IQ201, version strings
        if after and after.isascii() and after.isalnum() and surface[-1:].isascii():
            continue  # 『1Q84』, model names: a Latin/digit token that goes on is not a date
        if t.type == "DATE" and re.fullmatch(r"\d{1,2}-\d{1,2}", surface):
            continue  # addresses such as 1-18-2
        if t.type == "SET" and surface == "毎日" and re.match(r"新聞|\.?jp|放送", s[b : b + 3]):
            continue
        if t.type == "DATE":
            m = _DATE_VAL_RE.match(val)
            if m:
                y, mo, d = _int_or_none(m.group(1)), _int_or_none(m.group(2)), _int_or_none(m.group(3))
                if y is not None and y < 100:
                    if mo is None or not re.match(r"\d{2}\D", surface):
                        continue  # "12年" counts are durations; 101年-style noise is dropped below
                    y += 2000 if y < 50 else 1900  # 08年10月 -> 2008-10
                if y is None and mo is None and d is None:
                    continue
                if y is not None and mo is None and d is None:
                    ym = re.match(r"\d+年", surface)
                    if ym and ym.end() < len(surface):
                        b = a + ym.end()  # 2025年前半 -> 2025年 + our own 前半 (H1)
                if y is not None and mo is None and d is None and _YEAR_DUR_RE.match(s, b):
                    atoms.append(_Atom(a, b, "duration", own=False, value=f"P{y}Y"))  # 2000年以上前
                    continue
                if y is None and mo is None and d is not None and _DAY_DUR_RE.match(s, b):
                    atoms.append(_Atom(a, b, "duration", own=False, value=f"P{d}D"))  # 2日以内
                    continue
                if (
                    "/" in surface
                    and y is None
                    and (_FRACTION_NEXT_RE.match(s, b) or s[max(0, a - 2) : a].endswith(("約", "の")))
                ):
                    continue  # 1/2個, 約2/3: fractions
                atoms.append(_Atom(a, b, "date", own=False, y=y, m=mo, d=d))
            elif val.startswith("XXXX-WXX-"):
                wd = _int_or_none(val[-1:])
                if wd:
                    paren = s[a : a + 1] in "(（"
                    atoms.append(_Atom(a, b, "weekday", own=False, weekday=wd, paren=paren))
            elif re.match(r"^[0-9X]{4}-(Q\d|SP|SU|FA|WI)$", val):
                yy = _int_or_none(val[:4])
                atoms.append(_Atom(a, b, "date" if yy else "season", own=False, y=yy, season=val[5:]))
        elif t.type == "TIME":
            m = _TIME_VAL_RE.match(val)
            if m and _int_or_none(m.group(1)) is not None:
                atoms.append(
                    _Atom(
                        a, b, "time", own=False, hh=_int_or_none(m.group(1)), mi=_int_or_none(m.group(2)) or 0
                    )
                )
        elif t.type == "DURATION":
            if not re.search(r"\D", surface):
                continue  # a bare number borrowed a unit from a range (1914〜18年)
            if t.mod in ("BEFORE", "AFTER", "NOW"):
                continue  # relative words are ours
            atoms.append(_Atom(a, b, "duration", own=False, value=val))
        elif t.type == "SET":
            atoms.append(_Atom(a, b, "set", own=False, value=val))
    return atoms


def _select(atoms: list[_Atom]) -> list[_Atom]:
    """Drop overlaps: zone atoms never compete; otherwise own atoms beat ja-timex, then longer wins."""
    zones = [a for a in atoms if a.kind == "zone"]
    rest = sorted(
        (a for a in atoms if a.kind != "zone"), key=lambda a: (a.paren, not a.own, -(a.e - a.s), a.s)
    )
    chosen: list[_Atom] = []
    for a in rest:
        if all(a.e <= c.s or a.s >= c.e for c in chosen):
            chosen.append(a)
    # a zone atom overlapping a chosen atom (e.g. inside a longer match) is dropped
    for z in zones:
        if all(z.e <= c.s or z.s >= c.e for c in chosen):
            chosen.append(z)
    return sorted(chosen, key=lambda a: a.s)


# ---------------------------------------------------------------------------------------------------------
# grouping


@dataclass
class _Group:
    atoms: list[_Atom] = field(default_factory=list)
    zone: str | None = None

    @property
    def s(self) -> int:
        return self.atoms[0].s

    @property
    def e(self) -> int:
        return self.atoms[-1].e


_JOIN_GAP = ("", "の", " ", "\u3000")
_DATEISH = ("date", "time", "weekday")


def _can_join(prev: _Atom, nxt: _Atom, gap: str) -> bool:
    if prev.kind == "set" and nxt.kind in ("date", "weekday") and gap == "" and prev.value in ("P1W", "P1M"):
        return nxt.rel is None and nxt.ctx is None and nxt.y is None
    if nxt.kind == "season":
        return prev.kind == "date" and prev.slots() == (_Y, _Y) and prev.season is None and gap in ("", "の")
    if prev.kind not in _DATEISH or nxt.kind not in _DATEISH:
        return False
    if nxt.paren:
        return gap == "" and prev.kind == "date"
    if gap not in _JOIN_GAP:
        return False
    _, p1 = prev.slots()
    n0, _ = nxt.slots()
    if prev.rel and prev.rel[0] == "W":
        return nxt.kind in ("weekday", "time")
    if n0 <= p1:
        return False
    return n0 == p1 + 1 or (n0 >= _WD and p1 >= _D)


def _group(s: str, atoms: list[_Atom]) -> list[_Group]:
    groups: list[_Group] = []
    pending_zone: tuple[str, int] | None = None
    for a in atoms:
        if a.kind == "zone":
            pending_zone = (a.zone or "local", a.e)
            continue
        if groups:
            g = groups[-1]
            last = g.atoms[-1]
            if _can_join(last, a, s[last.e : a.s]):
                g.atoms.append(a)
                continue
        if a.paren:
            continue
        g = _Group([a])
        if pending_zone and pending_zone[1] == a.s and a.kind in _DATEISH:
            g.zone = pending_zone[0]
        pending_zone = None
        groups.append(g)
    for g in groups:
        m = _ZONE_SUFFIX_RE.match(s, g.e)
        if m and g.zone is None:
            g.zone = _zone_of(m.group(1))
    return groups


# ---------------------------------------------------------------------------------------------------------
# resolution


def _add_months(y: int, m: int, k: int) -> tuple[int, int]:
    t = y * 12 + (m - 1) + k
    return t // 12, t % 12 + 1


def _fmt(y: int | None, m: int | None = None, d: int | None = None, depth: int = 0) -> str:
    """Format with X placeholders down to `depth` (0 year, 1 month, 2 day)."""
    parts = [f"{y:04d}" if y is not None else "XXXX"]
    if depth >= 1:
        parts.append(f"{m:02d}" if m is not None else "XX")
    if depth >= 2:
        parts.append(f"{d:02d}" if d is not None else "XX")
    return "-".join(parts)


@dataclass
class _Mention:
    y: int | None
    m: int | None
    d: int | None
    depth: int  # finest level present: 0 year, 1 month, 2 day


@dataclass
class _State:
    doc: date | None
    last: _Mention | None = None  # previously mentioned date anywhere before (for 同日/前日/翌日 ...)
    prev_year: int | None = None  # explicit year in the previous sentence of the same paragraph
    sent_year: int | None = None  # year of a date earlier in this sentence
    sent_explicit_year: int | None = None  # explicit (written) year earlier in this sentence
    sent_month: tuple[int | None, int] | None = None
    sent_date: _Mention | None = None
    future: bool = False  # the sentence speaks of a planned / future event


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _shift(ment: _Mention, unit: str, off: int) -> _Mention:
    y, m, d = ment.y, ment.m, ment.d
    if unit == "Y":
        return _Mention(y + off if y is not None else None, m, d, max(ment.depth, 0) if off else ment.depth)
    if unit == "M":
        if y is not None and m is not None:
            y2, m2 = _add_months(y, m, off)
            return _Mention(y2, m2, None, 1)
        if m is not None and 1 <= m + off <= 12:
            return _Mention(None, m + off, None, 1)
        return _Mention(None, None, None, 1)
    # days
    if y is not None and m is not None and d is not None:
        dd = date(y, m, d) + timedelta(days=off)
        return _Mention(dd.year, dd.month, dd.day, 2)
    if d is not None and 1 <= d + off <= 28:
        return _Mention(y, m, d + off, 2)
    return _Mention(None, None, None, 2)


def _resolve(g: _Group, st: _State, text_before: str) -> tuple[str | None, str, str | None]:
    """Return (value, type, anchor) and update the state."""
    atoms = g.atoms
    head = atoms[0]
    if head.kind in ("duration", "set", "century", "decade", "ref"):
        typ = {"duration": "DURATION", "set": "SET", "ref": "DATE"}.get(head.kind, "DATE")
        if head.kind == "set" and len(atoms) > 1:
            part = atoms[1]
            if part.kind == "weekday":
                return f"XXXX-WXX-{part.weekday}", typ, None
            if part.d is not None:
                return _fmt(None, part.m, part.d, 2), typ, None
            if part.m is not None:
                return _fmt(None, part.m, None, 1), typ, None
        return head.value, typ, None

    doc = st.doc
    anchor: str | None = None
    y: int | None = None
    m: int | None = None
    d: int | None = None
    depth = -1
    wd_atom: _Atom | None = None
    time_atom: _Atom | None = None
    week: tuple[int, int, int] | None = None  # iso (year, week, -)
    week_unres = False
    explicit_year = False

    season: str | None = None
    for a in atoms:
        if a.kind == "weekday":
            wd_atom = a
            continue
        if a.kind == "season":
            season = a.season
            continue
        if a.season:
            season = a.season
        if a.kind == "time":
            time_atom = a
            continue
        lvl_needed = {"Y": 0, "M": 1, "D": 2}.get(a.ctx[0], 2) if a.ctx else 0
        ctx_ok = st.last is not None and (a.rel is None or st.last.depth >= lvl_needed)
        if a.ctx is not None and (ctx_ok or a.rel is None):
            unit, off = a.ctx
            base = st.last
            if base is None:
                if doc is not None:
                    base = _Mention(doc.year, doc.month, doc.day, 2)
                    anchor = "document"
                else:
                    base = _Mention(None, None, None, 2)
            else:
                anchor = "context"
            r = _shift(base, unit, off)
            lvl = {"Y": 0, "M": 1, "D": 2}[unit]
            y, m, d, depth = r.y, r.m if lvl >= 1 else None, r.d if lvl >= 2 else None, lvl
            continue
        if a.rel is not None:
            unit, off = a.rel
            if unit == "W":
                if doc is not None:
                    ref = doc + timedelta(weeks=off)
                    iso = ref.isocalendar()
                    week = (iso[0], iso[1], 1 if a.weekend else 0)
                    anchor = "document"
                else:
                    week_unres = True
                continue
            lvl = {"Y": 0, "M": 1, "D": 2}[unit]
            if doc is None:
                y, m, d, depth = None, None, None, lvl
                continue
            anchor = "document"
            base = _Mention(doc.year, doc.month, doc.day, 2)
            r = _shift(base, unit, off)
            y, m, d, depth = r.y, r.m if lvl >= 1 else None, r.d if lvl >= 2 else None, lvl
            continue
        # absolute pieces
        if a.y is not None:
            y, depth, explicit_year = a.y, max(depth, 0), True
        if a.m is not None:
            m, depth = a.m, max(depth, 1)
        if a.d is not None:
            d, depth = a.d, 2

    # complete partial absolute dates
    if depth >= 1 and y is None and not any(a.rel or a.ctx for a in atoms):
        if depth == 2 and m is None:
            ctx_month = st.sent_month
            if any(a.next_day for a in atoms) and st.last is not None and st.last.m is not None:
                # 翌12日: the month of the previous mention, or the next one when the day has wrapped
                y, m = st.last.y, st.last.m
                if d is not None and st.last.d is not None and d < st.last.d:
                    if y is not None:
                        y, m = _add_months(y, m, 1)
                    else:
                        m = m % 12 + 1
                anchor = "context"
            elif ctx_month is not None:
                y, m = ctx_month
                anchor = "context"
            elif doc is not None:
                y, m = doc.year, doc.month
                if d is not None and d - doc.day > 14:
                    py, pm = _add_months(y, m, -1)
                    if _safe_date(py, pm, d) is not None:
                        y, m = py, pm
                anchor = "document"
            if y is not None and m is not None and d is not None and wd_atom is not None and wd_atom.weekday:
                # a written weekday decides between neighbouring months: 9日(土)
                for k in (0, -1, 1):
                    yy, mm = _add_months(y, m, k)
                    c2 = _safe_date(yy, mm, d)
                    if c2 is not None and c2.isoweekday() == wd_atom.weekday:
                        y, m = yy, mm
                        break
        else:
            ctx_year = st.sent_year if doc is None else (st.sent_year or st.prev_year)
            if ctx_year is not None:
                y = ctx_year
                sm = st.sent_month
                if (
                    sm is not None
                    and sm[0] is not None
                    and m is not None
                    and sm[1] > m
                    and _RANGE_END_RE.search(text_before)
                ):
                    y = sm[0] + 1  # 10月13日〜1月31日: the range crosses a year end
                anchor = "context"
            elif doc is not None and m is not None:
                y = doc.year
                cand = _safe_date(y, m, d or 28)
                if cand is not None and not st.future and (cand - doc).days > 62:
                    y -= 1
                elif cand is not None and st.future and (doc - cand).days > 31:
                    y += 1  # 1月に開く予定 in a November article
                anchor = "document"
            if y is not None and m is not None and d is not None and wd_atom is not None and wd_atom.weekday:
                # a written weekday decides between neighbouring years: 12月9日(金)
                for yy in (y, y + 1, y - 1):
                    c2 = _safe_date(yy, m, d)
                    if c2 is not None and c2.isoweekday() == wd_atom.weekday:
                        y = yy
                        break

    value: str | None
    typ = "DATE"
    if week is not None or week_unres:
        if wd_atom is not None and week is not None:
            dd = date.fromisocalendar(week[0], week[1], wd_atom.weekday or 1)
            y, m, d, depth = dd.year, dd.month, dd.day, 2
            value = _fmt(y, m, d, 2)
        elif wd_atom is not None:
            value = f"XXXX-WXX-{wd_atom.weekday}"
            depth = -1
        elif week is not None:
            value = f"{week[0]:04d}-W{week[1]:02d}" + ("-WE" if week[2] else "")
            depth = -1
        else:
            value = "XXXX-WXX"
            depth = -1
    elif depth < 0 and wd_atom is not None:
        # bare weekday
        wd = wd_atom.weekday or 1
        if doc is not None:
            nxt = re.search(r"(来週|次の|今度の|来る|次回の?)\s?$", text_before) is not None
            if nxt:
                delta = (wd - doc.isoweekday()) % 7 or 7
                dd = doc + timedelta(days=delta)
            else:
                dd = doc - timedelta(days=(doc.isoweekday() - wd) % 7)
            y, m, d, depth = dd.year, dd.month, dd.day, 2
            value = _fmt(y, m, d, 2)
            anchor = "document"
        else:
            value = f"XXXX-WXX-{wd}"
    elif depth <= 0 and season:
        value = f"{_fmt(y)}-{season}"
    elif depth >= 0:
        value = _fmt(y, m, d, depth)
    else:
        value = None

    if time_atom is not None:
        typ = "TIME"
        tpart = f"T{time_atom.hh:02d}:{time_atom.mi or 0:02d}"
        if value is None:
            if st.sent_date is not None:
                sd = st.sent_date
                value = _fmt(sd.y, sd.m, sd.d, 2)
                anchor = "context"
            else:
                value = "XXXX-XX-XX"
        elif len(value) == 4:
            value += "-XX-XX"
        elif len(value) == 7:
            value += "-XX"
        value = value + tpart

    # update context state
    if depth >= 0 and value is not None:
        ment = _Mention(y, m, d, depth)
        st.last = ment
        if y is not None:
            st.sent_year = y
            if explicit_year:
                st.sent_explicit_year = y
        if depth >= 1 and m is not None:
            st.sent_month = (y, m)
        if depth == 2:
            st.sent_date = ment
    return value, typ, anchor


# ---------------------------------------------------------------------------------------------------------
# public API

_GATE_RE = rx.compile(
    r"[0-9０-９〇一二三四五六七八九十元]|[昨去今来先同前翌明本再毎曜週半]|数[十年日週カヶか時]|正午|[年月]内|おととい|"
    r"おととし|きのう|きょう|あす|あした|あさって"
)
# ja-timex is asked only about pieces where a number stands next to a time word or a date separator (2025年,
# 8/15, 15:30, 3カ月, 月1回, 毎週): elsewhere it finds nothing but misreadings (36・9% as the year 2036).
_JT_GATE_RE = rx.compile(
    r"\d\s*(?:[年月日時分秒週期半/:：.\-‐－〜~～]|世紀|[カヶかケヵ箇][月年国]|日間|時間|分間|年間|週間|年度|代)"
    r"|[年月週日毎](?:に|あたり|当たり)?\s*\d|[毎半]|\d{4}|\d・\d+(?![\d.]*\s*[%％倍割])"
)


def _parse_doc_date(doc_date: str | None) -> date | None:
    if not doc_date:
        return None
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", doc_date.strip())
    if not m:
        return None
    return _safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))


def extract_timex(doc: Document, doc_date: str | None) -> list[dict]:
    """Temporal expressions of ``doc``, resolved against ``doc_date`` (the publication date).

    Each: {"text","start","end","value","type","resolved": bool,"anchor": "document"|"context"|None,
    "zone": "local"|"JST"|None}. type in DATE|TIME|DURATION|SET. Sorted by start."""
    text, sentences = doc.text, doc.sentences
    st = _State(doc=_parse_doc_date(doc_date))
    spans = sorted(sentences, key=lambda sp: sp.start) if sentences else [Span(0, len(text))]
    out: list[dict] = []
    prev_end = 0
    flat = text.translate(_NFKC_ONE)  # one character to one: a sentence's slice is its own mapping
    live = Live(_own_patterns(), flat)
    for sp in spans:
        raw = text[sp.start : sp.end]
        if "\n" in text[prev_end : sp.start]:
            st.sent_explicit_year = None
            st.sent_month = None
        prev_end = sp.end
        st.prev_year = st.sent_explicit_year
        st.sent_year = st.sent_explicit_year = None
        st.sent_month = None
        st.sent_date = None
        if not raw or not _GATE_RE.search(raw):
            continue
        norm, starts, ends = _normalize(raw, flat[sp.start : sp.end])
        st.future = bool(_FUTURE_RE.search(norm)) and not _PAST_END_RE.search(norm.rstrip("」』)） "))
        atoms = _own_atoms(norm, live)
        if _JT_GATE_RE.search(norm):
            atoms.extend(_jt_atoms(norm))
        for g in _group(norm, _select(atoms)):
            value, typ, anchor = _resolve(g, st, norm[: g.s])
            if value is None:
                continue
            a = sp.start + starts[g.s]
            b = sp.start + ends[g.e - 1]
            resolved = "X" not in value and not value.endswith("_REF") and not value.startswith("XXXX")
            if typ in ("DURATION", "SET"):
                resolved = "X" not in value
            out.append(
                {
                    "text": text[a:b],
                    "start": a,
                    "end": b,
                    "value": value,
                    "type": typ,
                    "resolved": resolved,
                    "anchor": anchor if typ in ("DATE", "TIME") else None,
                    "zone": g.zone if typ in ("DATE", "TIME") else None,
                }
            )
    out.sort(key=lambda t: t["start"])
    return out


def _specificity(value: str) -> tuple[int, int]:
    """(resolved?, number of known digits) - higher is more specific."""
    known = sum(c.isdigit() for c in value)
    return (0 if "X" in value else 1, known)


def extract_events(doc: Document, timex: list[dict]) -> list[dict]:
    """Sentence-level events a timeline can be drawn from: one per sentence that carries a DATE/TIME
    timex (not a bare duration): {"text","start","end","date","timex_index": [...]}; `date` is the
    most specific resolved value in the sentence (or the unresolved one like XXXX-XX-15)."""
    text, sentences = doc.text, doc.sentences
    spans = sorted(sentences, key=lambda sp: sp.start) if sentences else [Span(0, len(text))]
    # (start, index) of the dated timex, so that each sentence finds its own by bisection
    # (a scan of every timex per sentence made long documents quadratic)
    dated = sorted(
        (t["start"], i)
        for i, t in enumerate(timex)
        if t["type"] in ("DATE", "TIME") and t.get("value") and not str(t["value"]).endswith("_REF")
    )
    starts = [start for start, _ in dated]
    events: list[dict] = []
    for sp in spans:
        idx = sorted(i for _, i in dated[bisect_left(starts, sp.start) : bisect_left(starts, sp.end)])
        if not idx:
            continue
        best = max(idx, key=lambda i: (_specificity(str(timex[i]["value"])), -i))
        events.append(
            {
                "text": text[sp.start : sp.end],
                "start": sp.start,
                "end": sp.end,
                "date": timex[best]["value"],
                "timex_index": idx,
            }
        )
    return events
