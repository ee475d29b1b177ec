"""Output targets: checked before any work is spent, written atomically.

Every command option that writes (``analyze --out FILE``, ``report/export --out DIR``, ``ingest --db FILE``)
is checked first with :func:`check_file`, :func:`check_folder` or :func:`check_store`; a bad target raises
:class:`TargetError`, whose text is the one line the CLI prints (``--out out/x/a.jsonl: folder out/x does not
exist``).  Rules, like ``cp`` and ``tee``:

- the parent folder of a target must exist (a folder target itself is created when its parent exists);
- a folder is not accepted where a file is expected, nor the reverse;
- the folder (and an existing file) must be writable, and the device must have free space;
- a store must be an SQLite database (or a new or empty file).

:func:`atomic_write` writes to a temporary file beside the target and renames it into place only when the
content is complete, so an interrupted or failed write (Ctrl-C, a full disk, an I/O error) leaves no partial
file and the previous content of the target intact.  Special files (``/dev/null``, a terminal, a pipe) are
written in place: there is nothing to rename.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

SQLITE_MAGIC = b"SQLite format 3\x00"


class TargetError(Exception):
    """An output target that cannot be written; ``str()`` is ``OPTION PATH: reason``."""

    def __init__(self, option: str, path: str | Path, reason: str) -> None:
        super().__init__(f"{option} {path}: {reason}")
        self.option = option
        self.path = str(path)
        self.reason = reason


def reason_of(exc: OSError) -> str:
    """An OSError as a short lower-case reason: ``no space left on device``."""
    msg = exc.strerror or (errno.errorcode.get(exc.errno or 0) if exc.errno else None) or str(exc)
    return msg[:1].lower() + msg[1:]


def _folder_problem(folder: Path) -> str | None:
    """Why FOLDER cannot hold a new file (missing, not a folder, not writable, full), or None."""
    shown = folder if str(folder) else Path(".")
    try:
        st = os.stat(shown)
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            # name the first part of the path that is not a folder, if a file is in the way
            for anc in [shown, *shown.parents]:
                if anc.exists():
                    if not anc.is_dir():
                        return f"{anc} is a file, not a folder" if anc.is_file() else f"{anc} is not a folder"
                    break
            return f"folder {shown} does not exist"
        return f"folder {shown}: {reason_of(exc)}"
    if not stat.S_ISDIR(st.st_mode):
        return f"{shown} is a file, not a folder" if stat.S_ISREG(st.st_mode) else f"{shown} is not a folder"
    # the only honest writability test (root ignores permission bits, read-only mounts ignore them too)
    try:
        fd, probe = tempfile.mkstemp(dir=shown, prefix=".kansoku-probe-")
    except OSError as exc:
        return f"folder {shown} is not writable ({reason_of(exc)})"
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(probe)
    with contextlib.suppress(OSError):
        vfs = os.statvfs(shown)
        root = getattr(os, "geteuid", lambda: -1)() == 0  # root may use the reserved blocks
        if vfs.f_blocks and vfs.f_bavail == 0 and (not root or vfs.f_bfree == 0):
            return f"no space left on the device of folder {shown}"
    return None


def _probe_special(path: Path, option: str, st: os.stat_result) -> None:
    """A device or pipe is written in place: refuse block devices and sockets, probe character devices
    with an empty write (``/dev/full`` reports a full device, ``/dev/null`` and terminals accept it)."""
    mode = st.st_mode
    if stat.S_ISBLK(mode) or stat.S_ISSOCK(mode):
        raise TargetError(option, path, "is not a regular file")
    if stat.S_ISCHR(mode):
        try:
            fd = os.open(path, os.O_WRONLY | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_NONBLOCK", 0))
        except OSError as exc:
            raise TargetError(option, path, reason_of(exc)) from None
        try:
            os.write(fd, b"")
        except OSError as exc:
            raise TargetError(option, path, reason_of(exc)) from None
        finally:
            os.close(fd)


def check_file(path: str | Path, option: str = "--out") -> None:
    """Raise TargetError unless PATH can be written as a file (an existing one is replaced)."""
    p = Path(path)
    try:
        st: os.stat_result | None = os.stat(p)
    except OSError:
        st = None
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise TargetError(option, p, "is a folder; give a file name")
        if not stat.S_ISREG(st.st_mode):
            _probe_special(p, option, st)
            return
        if not os.access(p, os.W_OK):
            raise TargetError(option, p, "file is not writable (permission denied)")
        p = Path(os.path.realpath(p))  # a symlink: its target file is replaced, in the target's folder
    problem = _folder_problem(p.parent)
    if problem:
        raise TargetError(option, path, problem)


def check_folder(path: str | Path, option: str = "--out") -> None:
    """Raise TargetError unless PATH is a writable folder, or can be created in an existing folder."""
    p = Path(path)
    if p.exists() or p.is_symlink():
        if not p.is_dir():
            raise TargetError(option, p, "is a file, not a folder" if p.is_file() else "is not a folder")
        problem = _folder_problem(p)
    else:
        problem = _folder_problem(p.parent)
    if problem:
        raise TargetError(option, p, problem)


def check_store(path: str | Path, option: str = "--db", write: bool = False, hint: str = "") -> None:
    """Raise TargetError unless PATH is a kansoku store (or, with WRITE, a new or empty file to create one in).

    With WRITE the folder must be writable too: SQLite keeps its journal (``-wal``, ``-shm``) beside it.
    HINT is added to the message for a missing store (``or pass --input FILE.jsonl``).
    """
    p = Path(path)
    try:
        st: os.stat_result | None = os.stat(p)
    except OSError:
        st = None
    if st is None:
        if not write:
            raise TargetError(option, p, "no such store; run `kansoku ingest` first" + (f" {hint}" if hint else ""))
        problem = _folder_problem(p.parent)
        if problem:
            raise TargetError(option, p, problem)
        return
    if stat.S_ISDIR(st.st_mode):
        raise TargetError(option, p, "is a folder; give the store's file name")
    if not stat.S_ISREG(st.st_mode):
        raise TargetError(option, p, "is not a regular file")
    try:
        with p.open("rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise TargetError(option, p, f"cannot read the store ({reason_of(exc)})") from None
    if head and head != SQLITE_MAGIC:
        raise TargetError(option, p, "not an SQLite database; give a kansoku store or a new file name")
    if head and not _is_kansoku_store(p):
        raise TargetError(option, p, "an SQLite database, but not a kansoku store")
    if write:
        if not os.access(p, os.W_OK):
            raise TargetError(option, p, "store is not writable (permission denied)")
        problem = _folder_problem(p.parent)
        if problem:
            raise TargetError(option, p, problem)


def _is_kansoku_store(p: Path) -> bool:
    """True when the database has kansoku's ``meta`` and ``documents`` tables (or no tables at all)."""
    import sqlite3

    try:
        con = sqlite3.connect(f"file:{p}?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.Error:
        return False
    finally:
        con.close()
    return not names or {"meta", "documents"} <= names


def _new_file_mode(existing: os.stat_result | None) -> int:
    if existing is not None:
        return stat.S_IMODE(existing.st_mode)
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _text_args(binary: bool, encoding: str, newline: str | None) -> dict:
    return {} if binary else {"encoding": encoding, "newline": newline}


@contextlib.contextmanager
def atomic_write(
    path: str | Path,
    option: str = "--out",
    *,
    binary: bool = False,
    encoding: str = "utf-8",
    newline: str | None = None,
) -> Iterator[IO]:
    """Open a temporary file beside PATH for writing; rename it onto PATH when the block ends normally.

    On any exception (including KeyboardInterrupt) the temporary file is removed and PATH is untouched.
    OSErrors while writing (a full device, an I/O error) are raised as TargetError naming OPTION and PATH.
    """
    p = Path(path)
    try:
        st: os.stat_result | None = os.stat(p)
    except OSError:
        st = None
    if st is not None and not stat.S_ISREG(st.st_mode) and not stat.S_ISDIR(st.st_mode):
        # a device or pipe: nothing to rename, write in place
        try:
            with open(p, "wb" if binary else "w", **_text_args(binary, encoding, newline)) as fh:
                yield fh
        except OSError as exc:
            raise TargetError(option, path, reason_of(exc)) from None
        return
    real = Path(os.path.realpath(p)) if st is not None else p
    folder = real.parent
    try:
        fd, tmp = tempfile.mkstemp(dir=folder if str(folder) else ".", prefix=f".{real.name}.", suffix=".tmp")
    except OSError as exc:
        raise TargetError(option, path, reason_of(exc)) from None
    done = False
    try:
        os.fchmod(fd, _new_file_mode(st))
        fh = os.fdopen(fd, "wb" if binary else "w", **_text_args(binary, encoding, newline))
        with fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, real)
        done = True
    except OSError as exc:
        raise TargetError(option, path, reason_of(exc)) from None
    finally:
        if not done:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def write_text(path: str | Path, text: str, option: str = "--out", encoding: str = "utf-8") -> None:
    """Write TEXT to PATH atomically (see :func:`atomic_write`)."""
    with atomic_write(path, option, encoding=encoding) as fh:
        fh.write(text)
