"""Fast-loading derived forms of the shipped models and data, cached on first use.

Building the indexes of the NER model (168,000 feature ids, 455,000 word clusters) and of the gazetteer
(surface keys, variant keys, a 46,000-node trie) costs about half a second at every start.  The first
process that needs them builds a compact form once and stores it under the user cache folder; later
processes load it (memory-mapped arrays, a marshal file) in a few milliseconds.

Safety:

- An entry's name is a hash of everything it is derived from: the bytes of the source file, the source
  code of the modules that build it (so a change to ``variant_key`` rebuilds the gazetteer index), the
  kansoku version, the Python version and the entry's format version.  A stale entry is never read; old
  entries are simply left behind (each is a few MB; ``rm -rf ~/.cache/kansoku`` removes them all).
- An entry is written into a temporary name beside it and renamed into place when complete, so a reader
  sees a whole entry or none; two processes building the same entry at once both succeed (the second
  rename loses and its copy is discarded).
- When the folder cannot be created or written (read-only home, sandbox) the data is built in memory,
  as before; an entry that cannot be read is rebuilt in memory too.

Where: ``$KANSOKU_CACHE_DIR``, else ``$XDG_CACHE_HOME/kansoku``, else ``~/.cache/kansoku``.
``KANSOKU_CACHE_DIR=off`` turns the cache off: every process builds the indexes in memory from the
shipped files (the loaders of kansoku 0.1; the tests compare both ways byte for byte).
"""

from __future__ import annotations

import gc
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from kansoku.cachedir import ENV, cache_root, key_of

__all__ = ["ENV", "cache_root", "discard", "entry", "key_of", "paused_gc", "source_of"]


def source_of(*modules: str) -> bytes:
    """The source bytes of MODULES (dotted names already imported), for cache keys."""
    out = []
    for name in modules:
        path = getattr(sys.modules[name], "__file__", None)
        out.append(Path(path).read_bytes() if path else name.encode())
    return b"\0".join(out)


def entry(name: str, parts: Iterable[bytes], build: Callable[[Path], None]) -> Path | None:
    """The cache folder of entry NAME for the key PARTS, built by BUILD(folder) when missing; None when the
    cache is off or cannot be written (the caller then builds in memory)."""
    root = cache_root()
    if root is None:
        return None
    final = root / f"{name}-{key_of(parts)}"
    if final.is_dir():
        return final
    tmp: Path | None = None
    try:
        root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=root))
        build(tmp)
        try:
            os.rename(tmp, final)
            tmp = None
        except OSError:
            if not final.is_dir():  # not a lost race: a real failure
                raise
    except OSError:
        return None
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    return final


def discard(folder: Path) -> None:
    """Remove an entry that could not be read (it is rebuilt by the next process)."""
    shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection inside the block: loading tens of thousands of dicts (the gazetteer trie)
    otherwise triggers collections that scan everything loaded so far, about half the load time."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()
