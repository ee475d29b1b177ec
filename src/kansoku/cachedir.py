"""Where kansoku keeps derived files between runs (the user cache folder), and how an entry is keyed.

Shared by the model and gazetteer indexes (:mod:`kansoku.nlp.cache`), the compiled regular expressions
(:mod:`kansoku.rx`) and the patterns' literal guards (:mod:`kansoku.prefilter`, through :class:`MarshalMemo`),
which every stage may use.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from kansoku import __version__

ENV = "KANSOKU_CACHE_DIR"


def cache_root() -> Path | None:
    """The cache folder (not created here), or None when the cache is turned off."""
    env = os.environ.get(ENV)
    if env is not None and env.strip():
        return None if env.strip().lower() == "off" else Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "kansoku"


def key_of(parts: Iterable[bytes]) -> str:
    """A short hash of the kansoku version, the Python version and PARTS."""
    h = hashlib.sha256()
    for p in (__version__.encode(), sys.version.encode(), *parts):
        h.update(hashlib.sha256(p).digest())
    return h.hexdigest()[:24]


class MarshalMemo:
    """A dict of plain (marshal-able) keys and values kept in one file of the user cache: read on first use,
    written atomically by :meth:`save` when entries were added.  With the cache off, or a file that cannot
    be read or written, it is just the in-memory dict.  ``parts`` (called once, on first use) key the file,
    so values computed by changed code are never read back."""

    def __init__(self, name: str, parts: Callable[[], Iterable[bytes]]) -> None:
        self.name = name
        self._parts = parts
        self._path: Path | None | bool = False  # False: not worked out yet
        self._data: dict | None = None
        self._new: dict = {}

    def path(self) -> Path | None:
        if self._path is False:
            root = cache_root()
            self._path = None if root is None else root / f"{self.name}-{key_of(self._parts())}.marshal"
        return self._path  # type: ignore[return-value]

    def _load(self) -> dict:
        if self._data is None:
            self._data = {}
            p = self.path()
            if p is not None:
                try:
                    data = marshal.loads(p.read_bytes())
                    if isinstance(data, dict):
                        self._data = data
                except (OSError, ValueError, EOFError, TypeError):
                    pass
        return self._data

    def get(self, key: object, default: object = None) -> object:
        return self._load().get(key, default)

    def put(self, key: object, value: object) -> None:
        self._load()[key] = value
        self._new[key] = value

    def save(self) -> bool:
        """Write the file when entries were added since the last save; True when it was written."""
        if not self._new:
            return False
        self._new = {}
        p = self.path()
        if p is None:
            return False
        from kansoku.outputs import TargetError, atomic_write

        try:
            on_disk = marshal.loads(p.read_bytes()) if p.exists() else {}  # another process's entries too
        except (OSError, ValueError, EOFError, TypeError):
            on_disk = {}
        merged = {**(on_disk if isinstance(on_disk, dict) else {}), **self._load()}
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
            with atomic_write(p, f"{self.name} cache", binary=True) as f:
                f.write(marshal.dumps(merged))
        except (OSError, TargetError, ValueError):
            return False
        return True
