"""Regular expressions compiled once per machine rather than once per process.

Python compiles every regular expression anew in each process.  The analysis modules hold about a thousand
patterns (claim verbs, frame cues, date forms, boilerplate lines), and compiling them cost about 0.4 s of
CPU on a process's first document: more than the analysis of a short article, in every ``kansoku analyze``
and in every worker.  :func:`compile` keeps what the compiler produces (the regex engine's code, a list of
integers, and the group names) in one marshal file in the user cache folder
(:func:`kansoku.cachedir.cache_root`); a later process hands the stored code straight to the engine.

- An entry is keyed by the pattern's text and flags, so an edited pattern is a new entry and a stale one is
  never used; the file itself is keyed by the Python version and the engine's magic number, whose code
  format it depends on.
- The file is read on the first call and written (:func:`kansoku.outputs.atomic_write`) by :func:`save` when
  the process compiled patterns the file lacked; ``pipeline.analyze_batch`` and exit call it.
- Anything unexpected (cache off or unwritable, an unreadable file, an interpreter whose compiler
  internals differ, which a check on first use detects) falls back to :func:`re.compile`.  The engine
  validates the code it is given.
"""

from __future__ import annotations

import atexit
import marshal
import re
import sys
from pathlib import Path
from typing import Any

try:  # the compiler's internals (CPython 3.11+): the parser, the code generator and the engine
    import _sre
    from re import _compiler, _parser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - another interpreter
    _sre = None  # type: ignore[assignment]

FORMAT = 1
#: stored entries beyond which a save keeps only the patterns this process used
MAX_ENTRIES = 20_000

_Args = tuple[int, list[int], int, dict[str, int], tuple[Any, ...]]

_compiled: dict[tuple[str, int], re.Pattern[str]] = {}
_stored: dict[tuple[str, int], _Args] | None = None
_new: dict[tuple[str, int], _Args] = {}
_usable: bool | None = None


def compile(pattern: str, flags: int = 0) -> re.Pattern[str]:  # noqa: A001 - the name re uses
    """``re.compile(pattern, flags)``, from the cross-process cache when it holds the pattern."""
    flags = int(flags)
    key = (pattern, flags)
    hit = _compiled.get(key)
    if hit is not None:
        return hit
    rx: re.Pattern[str] | None = None
    if isinstance(pattern, str) and not flags & re.DEBUG and _check():
        args = _load().get(key)
        if args is not None:
            try:
                rx = _sre.compile(pattern, *args)
            except Exception:  # noqa: BLE001 - a damaged entry: compile afresh below
                rx = None
        if rx is None:
            rx, args = _build(pattern, flags)
            _new[key] = args
    if rx is None:
        rx = re.compile(pattern, flags)
    _compiled[key] = rx
    return rx


def _build(pattern: str, flags: int) -> tuple[re.Pattern[str], _Args]:
    """What ``re._compiler.compile`` does, keeping the engine's arguments."""
    tree = _parser.parse(pattern, flags)
    code = _compiler._code(tree, flags)
    groupindex = dict(tree.state.groupdict)
    indexgroup: list[str | None] = [None] * tree.state.groups
    for name, i in groupindex.items():
        indexgroup[i] = name
    code = [int(c) for c in code]  # opcodes are int subclasses, which marshal does not take
    args: _Args = (flags | tree.state.flags, code, tree.state.groups - 1, groupindex, tuple(indexgroup))
    return _sre.compile(pattern, *args), args


def _check() -> bool:
    """Whether this interpreter's compiler works as :func:`_build` assumes (checked once)."""
    global _usable
    if _usable is None:
        _usable = False
        if _sre is not None and hasattr(_compiler, "_code") and hasattr(_parser, "parse"):
            probe = r"(?P<a>[一-龥]+)は(?:\d{1,3}|x)\b(?i:b)"
            try:
                _usable = _build(probe, re.S)[0] == re.compile(probe, re.S)
            except Exception:  # noqa: BLE001 - internals differ: use re.compile
                _usable = False
    return _usable


def path() -> Path | None:
    """The cache file for this interpreter, or None when the cache is off."""
    from kansoku.cachedir import cache_root, key_of

    root = cache_root()
    if root is None or _sre is None:
        return None
    key = key_of([b"regex", str(FORMAT).encode(), str(_sre.MAGIC).encode(), str(sys.version_info).encode()])
    return root / f"regex-{key}.marshal"


def _load() -> dict[tuple[str, int], _Args]:
    global _stored
    if _stored is None:
        _stored = {}
        p = path()
        if p is not None:
            try:
                data = marshal.loads(p.read_bytes())
                if isinstance(data, dict):
                    _stored = data
            except (OSError, ValueError, EOFError, TypeError):
                pass
    return _stored


def save() -> bool:
    """Write the patterns compiled since the last save into the cache file; True when it was written."""
    global _new
    if not _new:
        return False
    p = path()
    if p is None:
        _new = {}
        return False
    from kansoku.outputs import TargetError, atomic_write

    stored = _load()
    merged = {**stored, **_new}
    if len(merged) > MAX_ENTRIES:  # keep what this process used
        merged = {k: v for k, v in merged.items() if k in _compiled}
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        with atomic_write(p, "regex cache", binary=True) as f:  # a reader sees the old file or the new one
            f.write(marshal.dumps(merged))
    except (OSError, TargetError, ValueError):
        return False
    stored.clear()
    stored.update(merged)
    _new = {}
    return True


def reset() -> None:
    """Forget everything in memory (tests): the next call reads the cache file again."""
    global _stored, _new
    _compiled.clear()
    _stored = None
    _new = {}


atexit.register(save)
