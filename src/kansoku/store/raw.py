"""Raw bytes of fetched pages, kept so that ``kansoku reanalyze`` re-reads them instead of refetching.

``kansoku collect`` stores, per source URL, the bytes the server sent (decompressed from HTTP transfer
encoding, then zlib-compressed) with their content type and the fetch provenance, either inside the store
(table ``raw_pages``, column ``data``) or, with ``--archive DIR``, as files ``DIR/ab/abcdef….z`` named by
the SHA-256 of the bytes (never by anything a server chose, so a hostile page cannot pick a path).
:func:`reread` turns them back into a :class:`~kansoku.model.RawDoc` through the read stage, so a re-analysis
after a pipeline upgrade derives the page's provenance candidates (JSON-LD, meta tags, bylines) anew.

The table is created on first use (``CREATE TABLE IF NOT EXISTS``); stores without it work as before.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import tempfile
import zlib
from pathlib import Path

from kansoku.model import RawDoc

__all__ = ["ensure_schema", "put", "read_bytes", "reread"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS raw_pages (
    source       TEXT PRIMARY KEY,
    sha256       TEXT NOT NULL,
    content_type TEXT,
    charset      TEXT,
    size         INTEGER NOT NULL,
    codec        TEXT NOT NULL,
    data         BLOB,
    archive      TEXT,
    fetch        TEXT,
    stored_at    TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS raw_pages_sha ON raw_pages(sha256);
"""


def ensure_schema(con: sqlite3.Connection) -> None:
    con.executescript(_SCHEMA)


def has_table(con: sqlite3.Connection) -> bool:
    return con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'raw_pages'").fetchone() is not None


def archive_path(folder: str | Path, sha256: str) -> Path:
    """Where bytes with this SHA-256 live under an archive folder: ``DIR/ab/<sha256>.z``."""
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("not a SHA-256 hex digest")
    return Path(folder) / sha256[:2] / f"{sha256}.z"


def _write_archive(folder: Path, sha256: str, packed: bytes) -> None:
    path = archive_path(folder, sha256)
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".raw-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(packed)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def put(
    con: sqlite3.Connection,
    source: str,
    data: bytes,
    content_type: str | None,
    charset: str | None,
    fetch: dict | None,
    archive: str | Path | None = None,
) -> str:
    """Keep DATA for SOURCE (replacing older bytes); returns its SHA-256. Caller holds the transaction.

    With ARCHIVE the compressed bytes go to a file under that folder (written atomically) and the row
    records the folder; otherwise they go into the row."""
    from kansoku.store.db import now

    sha = hashlib.sha256(data).hexdigest()
    packed = zlib.compress(data, 6)
    blob: bytes | None = packed
    folder: str | None = None
    if archive is not None:
        folder = str(Path(archive).resolve())
        _write_archive(Path(folder), sha, packed)
        blob = None
    con.execute(
        "INSERT INTO raw_pages(source, sha256, content_type, charset, size, codec, data, archive, fetch, stored_at) "
        "VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT(source) DO UPDATE SET sha256=excluded.sha256, "
        "content_type=excluded.content_type, charset=excluded.charset, size=excluded.size, codec=excluded.codec, "
        "data=excluded.data, archive=excluded.archive, fetch=excluded.fetch, stored_at=excluded.stored_at",
        (source, sha, content_type, charset, len(data), "zlib", blob, folder,
         json.dumps(fetch, ensure_ascii=False) if fetch else None, now()),
    )  # fmt: skip
    return sha


def read_bytes(row: sqlite3.Row | tuple) -> bytes | None:
    """The original bytes of a ``raw_pages`` row (``sha256, codec, data, archive``), or None if lost."""
    sha, codec, data, folder = row[0], row[1], row[2], row[3]
    if data is None and folder:
        try:
            data = archive_path(folder, sha).read_bytes()
        except (OSError, ValueError):
            return None
    if data is None or codec != "zlib":
        return None
    try:
        raw = zlib.decompress(data)
    except zlib.error:
        return None
    return raw if hashlib.sha256(raw).hexdigest() == sha else None


def reread(con: sqlite3.Connection, doc_id: str, source: str) -> RawDoc | None:
    """The document's page read again from its kept bytes (SOURCE's first, else another source of the
    document's), or None when there are none or the read stage now refuses them."""
    if not has_table(con):
        return None
    rows = con.execute(
        "SELECT r.source, r.sha256, r.codec, r.data, r.archive, r.content_type, r.charset, r.fetch "
        "FROM raw_pages r WHERE r.source = ? UNION ALL "
        "SELECT r.source, r.sha256, r.codec, r.data, r.archive, r.content_type, r.charset, r.fetch "
        "FROM raw_pages r JOIN sources s ON s.source = r.source WHERE s.doc_id = ? AND r.source != ?",
        (source, doc_id, source),
    ).fetchall()
    from kansoku.read.errors import ReadFailure
    from kansoku.read.web import read_fetched

    for row in rows:
        data = read_bytes((row[1], row[2], row[3], row[4]))
        if data is None:
            continue
        try:
            raw = read_fetched(data, row[5], row[0], row[6])
        except ReadFailure:
            continue
        except Exception:  # noqa: BLE001 - a reader bug must not end a reanalysis; the record is rebuilt instead
            continue
        raw.fetch = json.loads(row[7]) if row[7] else None
        return raw
    return None
