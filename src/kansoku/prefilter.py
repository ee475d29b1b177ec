"""Literal prefilters for large regular expressions: skip a search that cannot match.

Cue catalogues (frames, stance, persuasion) are alternations of hundreds of patterns; Python's ``re`` tries
every alternative at every position of an article even when none of the words they need occurs in it.
``literal_guard`` reads a pattern's parse tree and returns a set of literal strings of which at least one
must occur in any text the pattern matches (or ``None`` when no such set can be proved: an alternative that
needs no literal, case-insensitive patterns). ``may_match`` tests that set with plain substring checks.
Skipping is exact: when no literal of the set is present, the pattern has no match.
"""

from __future__ import annotations

import atexit
import operator
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

from kansoku import rx
from kansoku.cachedir import MarshalMemo

try:  # Python 3.11+
    from re import _constants as _c
    from re import _parser as _sre_parse
except ImportError:  # pragma: no cover - older Pythons
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

__all__ = ["GuardIndex", "Live", "cached_guards", "finditer", "literal_guard", "may_match", "may_match_in"]

_REPEATS = {_c.MAX_REPEAT, _c.MIN_REPEAT} | ({_c.POSSESSIVE_REPEAT} if hasattr(_c, "POSSESSIVE_REPEAT")
                                            else set())


def _best(sets: list[frozenset[str]]) -> frozenset[str] | None:
    """Of several required any-of sets, the most selective: longest shortest literal, then fewest members."""
    if not sets:
        return None
    return max(sets, key=lambda s: (min(map(len, s)), -len(s)))


_MAX_CLASS = 16  # a character class of up to this many characters counts as a choice of literals
_MAX_PRODUCT = 64  # strings a run of finite elements may stand for (else the run is cut there)


def _product(left: frozenset[str] | None, right: frozenset[str]) -> frozenset[str] | None:
    if left is None:
        return right
    if len(left) * len(right) > _MAX_PRODUCT:
        return None
    return frozenset(a + b for a in left for b in right)


def _finite(op, av) -> frozenset[str] | None:  # type: ignore[no-untyped-def]
    """Every string this element can match, when they are few (a literal, a small class, a group or an
    alternation of such, an optional one), else None."""
    if op is _c.LITERAL:
        return frozenset(chr(av))
    if op is _c.IN:
        chars: set[str] = set()
        for iop, iav in av:
            if iop is _c.LITERAL:
                chars.add(chr(iav))
            elif iop is _c.RANGE and iav[1] - iav[0] < _MAX_CLASS:
                chars.update(map(chr, range(iav[0], iav[1] + 1)))
            else:  # NEGATE, CATEGORY, a wide range
                return None
        return frozenset(chars) if 0 < len(chars) <= _MAX_CLASS else None
    if op is _c.SUBPATTERN:
        return None if av[1] & re.IGNORECASE else _finite_seq(list(av[-1]))
    if op is _c.BRANCH:
        out: set[str] = set()
        for b in av[1]:
            f = _finite_seq(list(b))
            if f is None:
                return None
            out |= f
        return frozenset(out) if len(out) <= _MAX_PRODUCT else None
    if op in _REPEATS:
        lo, hi, sub = av
        if (lo, hi) in ((0, 1), (1, 1)):
            f = _finite_seq(list(sub))
            if f is None:
                return None
            return f | {""} if lo == 0 else f
    return None


def _finite_seq(items: list) -> frozenset[str] | None:  # type: ignore[type-arg]
    out: frozenset[str] | None = frozenset([""])
    for op, av in items:
        f = _finite(op, av)
        if f is None:
            return None
        out = _product(out, f)
        if out is None:
            return None
    return out


def _required(items: list) -> frozenset[str] | None:  # type: ignore[type-arg]
    """An any-of set of literals one of which every match of this sequence contains, or None.

    Adjacent elements with few possible strings (literals, small classes, optional marks, groups and
    alternations of those) stand for the set of their concatenations: ``(?:などと|と)、?`` for {などと, などと、,
    と, と、}.  A lookbehind of such an element (``(?<=[」』])``) starts the run that follows it: the text
    before the match position is part of the text searched."""
    sets: list[frozenset[str]] = []
    run: frozenset[str] | None = None

    def flush() -> None:
        nonlocal run
        if run and "" not in run:  # kept minimal: a string holding another member adds nothing
            sets.append(frozenset(x for x in run if not any(y != x and y in x for y in run)))
        run = None

    for op, av in items:
        if op is _c.ASSERT and av[0] < 0:  # a lookbehind: what it sees precedes what follows
            flush()
            run = _finite_seq(list(av[1]))
            continue
        f = _finite(op, av)
        if f is not None:
            joined = _product(run, f)
            if joined is None:
                flush()
                joined = f
            run = joined
            continue
        flush()
        if op is _c.SUBPATTERN:
            if av[1] & re.IGNORECASE:
                continue  # (?i:…): its literals may match in another case
            inner = _required(list(av[-1]))
            if inner:
                sets.append(inner)
        elif op is _c.BRANCH:
            branches = [_required(list(b)) for b in av[1]]
            if branches and all(branches):
                sets.append(frozenset().union(*branches))  # type: ignore[arg-type]
        elif op in _REPEATS:
            lo, _hi, sub = av
            if lo >= 1:
                inner = _required(list(sub))
                if inner:
                    sets.append(inner)
        # ANY, AT, a lookahead, GROUPREF …: nothing required, and they break a literal run
    flush()
    return _best(sets)


_MISSING = object()


def _guard_file_key() -> list[bytes]:
    import marshal

    from kansoku.nlp.cache import source_of

    return [_GUARDS_VERSION, source_of(__name__), marshal.version.to_bytes(4, "little")]


#: guards computed by any process, kept in the user cache (parsing the ~80 patterns the analysis guards cost
#: ~0.15 s at every start); keyed by this module's source, so changed guard logic starts a new file
_STORE = MarshalMemo("guards", _guard_file_key)


@lru_cache(maxsize=4096)
def literal_guard(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Literals one of which any match of ``pattern`` contains; None when that cannot be shown."""
    if pattern.flags & re.IGNORECASE:
        return None
    key = (pattern.pattern, int(pattern.flags))
    got = _STORE.get(key, _MISSING)
    if got is not _MISSING:
        return None if got is None else frozenset(got)  # type: ignore[arg-type]
    try:
        parsed = _sre_parse.parse(pattern.pattern, pattern.flags)
    except Exception:  # an unusual construct: no prefilter, the pattern still runs
        return None
    found = _required(list(parsed))
    guard = found if found and all(found) else None
    _STORE.put(key, None if guard is None else tuple(sorted(guard)))
    return guard


def save() -> bool:
    """Keep the guards computed since the last save for later processes (``pipeline.analyze_batch`` and
    exit call it)."""
    return _STORE.save()


atexit.register(save)


#: id(pattern) -> (pattern, its guard test): hashing a compiled pattern, as the lru_cache of literal_guard
#: does, hashes its whole code (kilobytes for the claim patterns) at every call
_BY_ID: dict[int, tuple[re.Pattern[str], tuple[str, ...] | re.Pattern[str] | None, int]] = {}
#: a guard of more literals than this is tested as one alternation: re skips the positions whose character
#: starts none of them, one scan instead of a substring search per literal (the era names: 248)
_MANY = 8


def _guard_of(pattern: re.Pattern[str]) -> tuple[re.Pattern[str], tuple[str, ...] | re.Pattern[str] | None, int]:
    """(pattern, its guard test: None, the literals, or their alternation; the longest literal's length)."""
    hit = _BY_ID.get(id(pattern))
    if hit is None or hit[0] is not pattern:
        g = literal_guard(pattern)
        test: tuple[str, ...] | re.Pattern[str] | None = None
        if g is not None:
            # shortest first: a short literal is the likeliest to occur, and any() stops at the first found
            lits = tuple(sorted(g, key=lambda x: (len(x), x)))
            test = lits if len(lits) <= _MANY else rx.compile("|".join(map(re.escape, lits)))
        hit = _BY_ID[id(pattern)] = (pattern, test, max(map(len, g)) if g else 0)
    return hit


def may_match(pattern: re.Pattern[str] | None, text: str) -> bool:
    """False only when ``pattern`` certainly has no match in ``text``."""
    if pattern is None:
        return False
    test = _guard_of(pattern)[1]
    if test is None:
        return True
    if type(test) is tuple:
        return any(lit in text for lit in test)
    return test.search(text) is not None  # type: ignore[union-attr]


def may_match_in(pattern: re.Pattern[str], text: str, start: int, end: int) -> bool:
    """False only when ``pattern.search(text, start, end)`` (or ``finditer``) certainly finds nothing.  A
    lookbehind may read before ``start``, so the literals are looked for from a little earlier."""
    _, test, longest = _guard_of(pattern)
    if test is None:
        return True
    lo = max(0, start - longest)
    if type(test) is tuple:
        return any(text.find(lit, lo, end) >= 0 for lit in test)
    return test.search(text, lo, end) is not None  # type: ignore[union-attr]


def finditer(pattern: re.Pattern[str], text: str, start: int = 0, end: int | None = None) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text, start, end)``, or nothing at once when that part of ``text`` lacks every literal
    the pattern needs."""
    if end is None and not start:
        return pattern.finditer(text) if may_match(pattern, text) else iter(())
    end = len(text) if end is None else end
    return pattern.finditer(text, start, end) if may_match_in(pattern, text, start, end) else iter(())


class GuardIndex:
    """Which of many guarded patterns a text passes, all at once: each distinct literal of their guards is
    tested once, and only when its first two characters occur in the text (a set intersection)."""

    __slots__ = ("_always", "_by_head", "_by_literal")

    def __init__(self, guards: list[tuple[str, ...] | None]) -> None:
        self._always = {k for k, g in enumerate(guards) if g is None}
        self._by_literal: dict[str, list[int]] = {}
        for k, g in enumerate(guards):
            for lit in g or ():
                self._by_literal.setdefault(lit, []).append(k)
        self._by_head: dict[str, list[str]] = {}
        for lit in self._by_literal:
            self._by_head.setdefault(lit[:2], []).append(lit)

    def passed(self, text: str) -> set[int]:
        """Numbers of the patterns whose guard is None or has a literal in ``text``."""
        out = set(self._always)
        grams = set(text)
        grams.update(map(operator.add, text, text[1:]))
        for head in grams.intersection(self._by_head):
            for lit in self._by_head[head]:
                if len(lit) <= 2 or lit in text:
                    out.update(self._by_literal[lit])
        return out


class Live:
    """Which of a stage's patterns may match anywhere in a document, decided once for the document; a search
    in one of its parts (a sentence) then skips at once a pattern the whole document rules out, instead of
    testing that pattern's literals on every sentence (most cue patterns need a word most articles lack).

    Exact when every literal that occurs in a searched part also occurs in ``text``.  That holds for a slice
    of ``text``; for a per-character mapping of a slice (``str.translate``) when ``text`` is the same mapping of
    the whole document; and for a copy masked with a character that no guard literal has (``□``).  A pattern
    not among ``patterns`` is searched as :func:`finditer` would."""

    __slots__ = ("_dead",)

    def __init__(self, patterns: Iterable[re.Pattern[str]], text: str) -> None:
        # by id, holding the pattern (an id is unique only while its object lives)
        self._dead = {id(p): p for p in patterns if not may_match(p, text)}

    def finditer(self, pattern: re.Pattern[str], part: str, start: int = 0,
                 end: int | None = None) -> Iterator[re.Match[str]]:
        """:func:`finditer` over a part of the document."""
        return iter(()) if self.dead(pattern) else finditer(pattern, part, start, end)

    def may_match(self, pattern: re.Pattern[str], part: str) -> bool:
        """:func:`may_match` on a part of the document."""
        return not self.dead(pattern) and may_match(pattern, part)

    def dead(self, pattern: re.Pattern[str]) -> bool:
        """The document has none of the literals ``pattern`` needs."""
        return self._dead.get(id(pattern)) is pattern


_GUARDS_VERSION = b"guards-1"


def cached_guards(name: str, patterns: list[str]) -> list[tuple[str, ...] | None]:
    """The :func:`literal_guard` of each pattern string (flags 0), as sorted tuples, kept in the user cache
    (:mod:`kansoku.nlp.cache`) under NAME: parsing hundreds of patterns costs tens of milliseconds at every
    start, reading the cached list about one.  The entry's key covers the patterns and this module's source,
    so a changed pattern list or guard logic never reads a stale entry; with the cache off (or unwritable)
    the guards are computed in memory."""
    import marshal

    from kansoku.nlp import cache

    def compute() -> list[tuple[str, ...] | None]:
        out: list[tuple[str, ...] | None] = []
        for p in patterns:
            g = literal_guard(re.compile(p))
            out.append(tuple(sorted(g)) if g is not None else None)
        return out

    def write(folder: Path) -> None:
        (folder / "guards.marshal").write_bytes(marshal.dumps(compute()))

    parts = [_GUARDS_VERSION, "\0".join(patterns).encode("utf-8", "surrogatepass"), cache.source_of(__name__),
             marshal.version.to_bytes(4, "little")]  # fmt: skip
    folder = cache.entry(name, parts, write)
    if folder is not None:
        try:
            got = marshal.loads((folder / "guards.marshal").read_bytes())
            if isinstance(got, list) and len(got) == len(patterns):
                return got
        except (OSError, ValueError, EOFError, TypeError):
            pass
        cache.discard(folder)
    return compute()
