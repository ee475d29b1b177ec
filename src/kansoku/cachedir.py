"""Where kansoku keeps derived files between runs (the user cache folder), and how an entry is keyed.

Shared by the model and gazetteer indexes (:mod:`kansoku.nlp.cache`) and the compiled regular expressions
(:mod:`kansoku.rx`), which every stage may use.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Iterable
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
