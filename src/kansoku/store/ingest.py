"""Idempotent, resumable ingest of articles (or of exported records) into the store.

- Every raw input is hashed (text/HTML plus the reader's metadata).  A source whose hash and pipeline
  version match the store is skipped before analysis ("unchanged").
- Records are written one transaction per batch, together with their ``sources`` rows, so a run killed at
  any point (even SIGKILL) leaves whole batches; the next run skips what was committed and redoes the rest.
- A source whose content changed gets a new document; the old one is dropped once no source points at it.
- Entity ids are unified inside each batch with :func:`kansoku.resolve.corpus.link_corpus`, and bare
  surnames (``x:person:`` ids) are also folded into full-name persons already in the store.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kansoku.model import RawDoc, ReadError
from kansoku.store import db

RECORDS_SUFFIX = ".records.jsonl"


@dataclass(slots=True)
class IngestStats:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    relinked: int = 0  # stored documents whose bare surnames were folded into a full name of a later batch
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)

    @property
    def processed(self) -> int:
        return self.added + self.updated + self.unchanged

    @property
    def rate(self) -> float:
        """Articles written (added + updated) per second of wall time."""
        return (self.added + self.updated) / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> str:
        return (
            f"added {self.added}, updated {self.updated}, unchanged {self.unchanged}, failed {self.failed}"
            + (f", relinked {self.relinked}" if self.relinked else "")
            + f" in {self.seconds:.1f}s ("
            + (
                f"{self.rate:.1f} articles/s"
                if self.added + self.updated or not self.seconds
                else f"{self.processed / self.seconds:.0f} unchanged articles/s checked"
            )
            + ")"
        )


OnError = Callable[[ReadError], None]
OnItem = Callable[[str], None]


def raw_hash(raw: RawDoc) -> str:
    """Hash of everything the analysis sees of a raw input."""
    payload = json.dumps(
        [raw.text, raw.html, raw.title, raw.url, raw.published, raw.author, raw.outlet], ensure_ascii=False
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class _StatCache:
    """mtime and size of the file behind a source (``FILE#N`` -> FILE), cached per file."""

    def __init__(self) -> None:
        self._cache: dict[str, tuple[float | None, int | None]] = {}

    def __call__(self, source: str) -> tuple[float | None, int | None]:
        path = source
        if not os.path.exists(path) and "#" in source:
            path = source.rsplit("#", 1)[0]
        if path in self._cache:
            return self._cache[path]
        try:
            st = os.stat(path)
            val: tuple[float | None, int | None] = (st.st_mtime, st.st_size)
        except OSError:
            val = (None, None)
        if len(self._cache) > 4096:
            self._cache.clear()
        self._cache[path] = val
        return val


def _stored(con: sqlite3.Connection, source: str) -> sqlite3.Row | None:
    return con.execute(
        "SELECT s.doc_id, s.content_hash, d.pipeline_version FROM sources s "
        "LEFT JOIN documents d ON d.id = s.doc_id WHERE s.source = ?",
        (source,),
    ).fetchone()


# --------------------------------------------------------------------------------------- corpus linking


def link_with_store(con: sqlite3.Connection, records: list[dict]) -> list[dict]:
    """``link_corpus`` over the batch, with the store's full-name persons as extra candidates.

    A bare surname (``x:person:ミクタ``) is folded into a full-name person when exactly one full name with
    that surname exists in the batch and the store together.
    """
    from kansoku.extract.entities import key_of
    from kansoku.resolve.corpus import link_corpus

    keys = {
        key_of(e["name"])
        for r in records
        for e in r.get("entities", [])
        if e.get("type") == "PERSON"
        and str(e.get("id", "")).startswith("x:")
        and "・" not in e.get("name", "")
    }
    anchors: list[dict] = []
    for k in sorted(keys):
        for row in con.execute(
            "SELECT id, name, name_en FROM entities "
            "WHERE type = 'PERSON' AND surname_key = ? AND instr(name, '・') > 0",
            (k,),
        ):
            anchors.append(
                {
                    "id": row[0],
                    "name": row[1],
                    "name_en": row[2],
                    "type": "PERSON",
                    "mentions": [],
                    "resolution": [],
                }
            )
    if anchors:
        link_corpus([*records, {"entities": anchors}])
    else:
        link_corpus(records)
    return records


def relink_stored_surnames(con: sqlite3.Connection, records: list[dict], skip: set[str]) -> int:
    """The other direction: fold bare surnames stored by earlier batches into full names this batch brought.

    Runs inside the batch's transaction; returns the number of stored documents rewritten.
    """
    keys = {
        db.surname_key(e["name"])
        for r in records
        for e in r.get("entities", [])
        if e.get("type") == "PERSON" and "・" in e.get("name", "")
    }
    changed = 0
    for k in sorted(x for x in keys if x):
        bare = [
            row[0]
            for row in con.execute(
                "SELECT id FROM entities WHERE type = 'PERSON' AND surname_key = ? AND instr(name, '・') = 0 "
                "AND id LIKE 'x:%'",
                (k,),
            )
        ]
        if not bare:
            continue
        marks = ",".join("?" * len(bare))
        docs = [
            r[0]
            for r in con.execute(f"SELECT DISTINCT doc_id FROM mentions WHERE entity_id IN ({marks})", bare)
        ]
        for doc_id in docs:
            if doc_id in skip:
                continue
            row = con.execute(
                "SELECT n, record_json, content_hash, pipeline_version FROM documents WHERE id = ?", (doc_id,)
            ).fetchone()
            if row is None:
                continue
            rec = json.loads(row[1])
            before = [e["id"] for e in rec.get("entities", [])]
            link_with_store(con, [rec])
            if [e["id"] for e in rec.get("entities", [])] == before:
                continue
            tok = con.execute("SELECT tok FROM fts_tok WHERE rowid = ?", (row[0],)).fetchone()
            db.write_record(con, rec, row[2], row[3], tok[0] if tok else None)
            changed += 1
        con.execute(
            f"DELETE FROM entities WHERE id IN ({marks}) "
            "AND NOT EXISTS (SELECT 1 FROM mentions m WHERE m.entity_id = entities.id)",
            bare,
        )
    return changed


# ------------------------------------------------------------------------------------------------ writer


@dataclass(slots=True)
class _Pending:
    """What the writer needs to know about an item besides its record."""

    source: str
    content_hash: str
    mtime: float | None
    size: int | None
    version: str
    replaces: str | None = None  # reanalyze: the document id this record replaces


class _Writer:
    def __init__(self, con: sqlite3.Connection, stats: IngestStats, batch_size: int) -> None:
        self.con = con
        self.stats = stats
        self.batch_size = max(1, batch_size)
        self.batch: list[tuple[dict, _Pending]] = []

    def add(self, record: dict, pending: _Pending) -> None:
        self.batch.append((record, pending))
        if len(self.batch) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        if not self.batch:
            return
        batch, self.batch = self.batch, []
        link_with_store(self.con, [r for r, _ in batch])
        # tokenise outside the transaction so that the write lock is held briefly
        toks = [db.token_string(r["text"]) for r, _ in batch]
        con = self.con
        con.execute("BEGIN IMMEDIATE")
        try:
            written: dict[str, str] = {}
            for (rec, p), tok in zip(batch, toks, strict=True):
                doc_id = rec["id"]
                row = con.execute("SELECT pipeline_version FROM documents WHERE id = ?", (doc_id,)).fetchone()
                if (row is None or row[0] != p.version or p.replaces == doc_id) and doc_id not in written:
                    db.write_record(con, rec, _text_hash(rec["text"]), p.version, tok)
                    written[doc_id] = p.source
                if p.replaces is not None:
                    # reanalyze: every source of the old document now points at the new one
                    if p.replaces != doc_id:
                        con.execute("UPDATE sources SET doc_id = ? WHERE doc_id = ?", (doc_id, p.replaces))
                        db.drop_if_orphan(con, p.replaces)
                    self.stats.updated += 1
                    continue
                old = db.set_source(con, p.source, doc_id, p.content_hash, p.mtime, p.size)
                if old is None:
                    self.stats.added += 1
                else:
                    self.stats.updated += 1
                    if old != doc_id:
                        db.drop_if_orphan(con, old)
            self.stats.relinked += relink_stored_surnames(con, [r for r, _ in batch], set(written))
            con.execute("COMMIT")
        except BaseException:
            if con.in_transaction:
                con.execute("ROLLBACK")
            raise


def _text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ------------------------------------------------------------------------------------------------ ingest


def ingest(
    db_path: str | Path,
    items: Iterable[RawDoc | ReadError],
    *,
    workers: int | None = None,
    batch_size: int = 32,
    published_default: str | None = None,
    max_chars: int = 2_000_000,
    records_files: Iterable[Path] = (),
    skip_sources: Callable[[str], bool] | None = None,
    on_error: OnError | None = None,
    on_item: OnItem | None = None,
) -> IngestStats:
    """Analyse ``items`` and store them; then load ``records_files`` (exported records, no analysis)."""
    from kansoku.pipeline import Options, run

    t0 = time.perf_counter()
    stats = IngestStats()
    con = db.connect(db_path)
    version = db.pipeline_version()
    writer = _Writer(con, stats, batch_size)
    stat_of = _StatCache()
    queue: deque[_Pending | None] = deque()

    def fail(err: ReadError) -> None:
        stats.failed += 1
        stats.failures.append(str(err))
        if on_error:
            on_error(err)
        if on_item:
            on_item(err.source)

    def todo() -> Iterator[RawDoc | ReadError]:
        for it in items:
            if isinstance(it, ReadError):
                queue.append(None)
                yield it
                continue
            if skip_sources is not None and skip_sources(it.source):
                continue
            h = raw_hash(it)
            row = _stored(con, it.source)
            if row is not None and row[1] == h and row[2] == version:
                stats.unchanged += 1
                if on_item:
                    on_item(it.source)
                continue
            mtime, size = stat_of(it.source)
            queue.append(_Pending(it.source, h, mtime, size, version))
            yield it

    try:
        opts = Options(published_default=published_default, max_chars=max_chars)
        for r in run(todo(), opts, workers=workers):
            pending = queue.popleft() if queue else None
            if isinstance(r, ReadError):
                fail(r)
                continue
            if pending is None or pending.source != r.get("source"):  # defensive: never mis-attribute
                mtime, size = stat_of(r["source"])
                pending = _Pending(r["source"], _text_hash(r["text"]), mtime, size, version)
            writer.add(r, pending)
            if on_item:
                on_item(r["source"])
        writer.flush()
        for f in records_files:
            _load_records(con, writer, stats, Path(f), fail, on_item)
        writer.flush()
    finally:
        con.close()
    stats.seconds = time.perf_counter() - t0
    return stats


def _load_records(
    con: sqlite3.Connection,
    writer: _Writer,
    stats: IngestStats,
    path: Path,
    fail: OnError,
    on_item: OnItem | None,
) -> None:
    """Exported records (one JSON object per line, as `kansoku analyze` writes them), stored as they are."""
    try:
        fh = path.open(encoding="utf-8-sig")
    except OSError as exc:
        fail(ReadError(str(path), f"cannot read file: {exc.strerror or exc}"))
        return
    mtime, size = _StatCache()(str(path))
    with fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            where = f"{path}:{n}"
            try:
                rec = json.loads(line)
            except ValueError as exc:
                fail(ReadError(where, f"line {n} is not valid JSON ({exc})"))
                continue
            if not isinstance(rec, dict) or not all(
                isinstance(rec.get(k), str) for k in ("id", "text", "source")
            ):
                fail(ReadError(where, "not a kansoku record (needs string id, text and source)"))
                continue
            version = str((rec.get("pipeline") or {}).get("kansoku") or "unknown")
            source = rec["source"]
            h = "record:" + rec["id"]
            row = _stored(con, source)
            if row is not None and row[1] == h and row[2] == version:
                stats.unchanged += 1
                if on_item:
                    on_item(source)
                continue
            writer.add(rec, _Pending(source, h, mtime, size, version))
            if on_item:
                on_item(source)


# --------------------------------------------------------------------------------------------- reanalyze


def reanalyze(
    db_path: str | Path,
    *,
    all_documents: bool = False,
    workers: int | None = None,
    batch_size: int = 32,
    on_error: OnError | None = None,
    on_item: OnItem | None = None,
) -> IngestStats:
    """Re-run the analysis on stored texts whose pipeline version is not the current one (or on all).

    Pages fetched by ``kansoku collect`` are re-read from their kept raw bytes (``store/raw.py``); other
    documents are rebuilt from the stored record's text and metadata."""
    from kansoku.pipeline import Options, run
    from kansoku.store import raw as raw_pages

    t0 = time.perf_counter()
    stats = IngestStats()
    con = db.connect(db_path, create=False)
    version = db.pipeline_version()
    writer = _Writer(con, stats, batch_size)
    queue: deque[_Pending] = deque()

    def todo() -> Iterator[RawDoc]:
        sql = "SELECT id FROM documents"
        args: tuple = ()
        if not all_documents:
            sql += " WHERE pipeline_version != ?"
            args = (version,)
        # list the ids first (the writer changes the table while we iterate), load each record when needed
        ids = [r[0] for r in con.execute(sql + " ORDER BY n", args)]
        for doc_id in ids:
            row = con.execute("SELECT source, record_json FROM documents WHERE id = ?", (doc_id,)).fetchone()
            if row is None:
                continue
            source, rec = row[0], json.loads(row[1])
            meta = rec.get("metadata") or {}
            title = rec.get("title")
            text = rec["text"]
            authors = meta.get("authors") or []
            queue.append(_Pending(source, "", None, None, version, replaces=doc_id))
            # a fetched page is read again from its kept bytes (its provenance candidates re-derived)
            page = raw_pages.reread(con, doc_id, source)
            if page is not None:
                yield page
                continue
            yield RawDoc(
                source=source,
                text=text,
                title=title if title and text.startswith(title) else None,
                published=meta.get("published"),
                author=(authors[0].get("name") if authors else None),
                outlet=meta.get("outlet"),
                fetch=meta.get("fetch"),
            )

    try:
        for r in run(todo(), Options(), workers=workers):
            pending = queue.popleft()
            if isinstance(r, ReadError):
                stats.failed += 1
                stats.failures.append(str(r))
                if on_error:
                    on_error(r)
                continue
            writer.add(r, pending)
            if on_item:
                on_item(r["source"])
        writer.flush()
        stats.unchanged = con.execute("SELECT count(*) FROM documents").fetchone()[0] - stats.updated
    finally:
        con.close()
    stats.seconds = time.perf_counter() - t0
    return stats


def find_records_files(paths: Iterable[Path], records_flag: bool) -> tuple[list[Path], list[Path]]:
    """Split PATHS into (inputs to analyse, exported-record files to load as they are)."""
    analyse: list[Path] = []
    records: list[Path] = []
    for p in paths:
        if p.is_file() and (records_flag or p.name.endswith(RECORDS_SUFFIX)):
            records.append(p)
        else:
            analyse.append(p)
            if p.is_dir():
                records.extend(sorted(q for q in p.rglob("*" + RECORDS_SUFFIX) if q.is_file()))
    return analyse, records


def is_records_source(source: str) -> bool:
    """True for items read out of a ``*.records.jsonl`` file (loaded as records, not analysed)."""
    base = source.rsplit("#", 1)[0] if "#" in source else source
    return base.endswith(RECORDS_SUFFIX)
