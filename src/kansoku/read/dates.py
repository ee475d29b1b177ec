"""Dates as containers write them: ISO 8601 (extended and basic), RFC 2822, Japanese and slash forms.

``calendar_date`` turns any of these into ``YYYY-MM-DD`` — the local date as written: a timestamp with an
offset keeps its own calendar date (``2021-10-13T00:30:00+09:00`` is 2021-10-13), because the publisher's
local date is what readers see. ``partial_date`` reads a date without a year (``06月24日``, ``3/9(木)``)
and returns month, day and the weekday when one is written, for the caller to complete.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from email.utils import parsedate

from kansoku import rx

__all__ = ["calendar_date", "complete_year", "partial_date"]

_ISO = rx.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:$|[T\s])")
_BASIC = rx.compile(r"^\s*(\d{4})(\d{2})(\d{2})(?:$|T\d)")
_SLASH = rx.compile(r"(?<!\d)((?:19|20)\d{2})\s*[/.／．年-]\s*(\d{1,2})\s*[/.／．月-]\s*(\d{1,2})(?!\d)")
_ERA = rx.compile(r"(令和|平成|昭和)\s*(\d{1,2}|元)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_ERA_START = {"令和": 2019, "平成": 1989, "昭和": 1926}
_MONTHS = {m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                                       "dec"), 1)}
_EN = rx.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+(\d{1,2}),?\s+((?:19|20)\d{2})"
                 r"|\b(\d{1,2})\s+(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?,?\s+((?:19|20)\d{2})",
                 re.I)
_PARTIAL = rx.compile(r"(?<![\d年/])(\d{1,2})\s*(?:月|/|／)\s*(\d{1,2})\s*日?\s*(?:[(（]\s*([月火水木金土日])\s*[)）])?")
_WEEKDAYS = "月火水木金土日"


def _valid(y: int, m: int, d: int) -> str | None:
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


def calendar_date(value: str | None) -> str | None:
    """``YYYY-MM-DD`` of a written date or timestamp, or ``None`` when it holds no full date."""
    if not value:
        return None
    v = unicodedata.normalize("NFKC", str(value)).strip()
    if not v:
        return None
    for pat in (_ISO, _BASIC):
        if m := pat.match(v):
            return _valid(*map(int, m.groups()))
    if m := _SLASH.search(v):
        return _valid(*map(int, m.groups()))
    if m := _ERA.search(v):
        n = 1 if m.group(2) == "元" else int(m.group(2))
        return _valid(_ERA_START[m.group(1)] + n - 1, int(m.group(3)), int(m.group(4)))
    if m := _EN.search(v):
        if m.group(1):
            return _valid(int(m.group(3)), _MONTHS[m.group(1)[:3].lower()], int(m.group(2)))
        return _valid(int(m.group(6)), _MONTHS[m.group(5)[:3].lower()], int(m.group(4)))
    if re.match(r"^[A-Z][a-z]{2},", v) or re.search(r"\d{1,2} [A-Z][a-z]{2} \d{4}", v):
        t = parsedate(v)
        if t:
            return _valid(t[0], t[1], t[2])
    return None


def partial_date(value: str | None) -> tuple[int, int, int | None] | None:
    """(month, day, weekday 0=Monday or None) of a date written without a year; None otherwise."""
    if not value:
        return None
    v = unicodedata.normalize("NFKC", str(value))
    m = _PARTIAL.search(v)
    if not m:
        return None
    month, day = int(m.group(1)), int(m.group(2))
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    wd = _WEEKDAYS.index(m.group(3)) if m.group(3) else None
    return month, day, wd


def complete_year(month: int, day: int, weekday: int | None, reference: str | None) -> str | None:
    """The full date of a yearless ``month``/``day`` nearest to ``reference`` (a ``YYYY-MM-DD``).

    With a weekday, the nearest year within six of the reference's whose calendar has that weekday on
    that day; without one, the year that puts the date closest to the reference.
    """
    if not reference:
        return None
    ref = date.fromisoformat(reference)
    options = []
    for y in range(ref.year - 6, ref.year + 2):
        iso = _valid(y, month, day)
        if iso is None:
            continue
        d = date.fromisoformat(iso)
        if weekday is not None and d.weekday() != weekday:
            continue
        options.append((abs((d - ref).days), iso))
    if not options:
        return None
    if weekday is None:
        options = [o for o in options if abs(int(o[1][:4]) - ref.year) <= 1] or options
    return min(options)[1]
