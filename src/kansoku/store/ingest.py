"""Idempotent, resumable ingest of articles (or of exported records) into the store.

- Every input file's bytes are hashed before it is parsed: a file whose hash and pipeline version match its
  ``files`` row is skipped whole (no parse, no analysis; the worker pool is started only at the first input
  that needs analysis).  Inside a file that changed, every raw input is hashed (text/HTML plus the reader's
  metadata) and a source whose hash and pipeline version match the store is skipped before analysis.
- Records are written one transaction per batch, together with their ``sources`` rows (and the ``files``
  rows of the files whose every item is written), so a run killed at any point (even SIGKILL) leaves whole
  batches; the next run skips what was committed and redoes the rest.
- A source whose content changed gets a new document; the old one is dropped once no source points at it.
- Entity ids are unified inside each batch with :func:`kansoku.resolve.corpus.link_corpus`, and bare
  surnames (``x:person:`` ids) are also folded into full-name persons already in the store.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import sqlite3
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kansoku.model import DERIVED, RawDoc, ReadError
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


def relink_stored_surnames(
    con: sqlite3.Connection, records: list[dict], skip: set[str], store: db.StoreWriter | None = None
) -> int:
    """The other direction: fold bare surnames stored by earlier batches into full names this batch brought.

    Runs inside the batch's transaction; returns the number of stored documents rewritten.
    """
    keys = {
        db.surname_key(e["name"])
        for r in records
        for e in r.get("entities", [])
        if e.get("type") == "PERSON" and "・" in e.get("name", "")
    }
    from kansoku.store.features import doc_features

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
            feats = doc_features(rec, db.stored_text_features(con, row[0]))  # the text is unchanged
            (store or db.StoreWriter(con)).write([(rec, row[2], row[3], feats)])
            changed += 1
        con.execute(
            f"DELETE FROM entities WHERE id IN ({marks}) "
            "AND NOT EXISTS (SELECT 1 FROM mentions m WHERE m.entity_id = entities.id)",
            bare,
        )
    return changed


# ------------------------------------------------------------------------------------------------ files


@dataclass(slots=True)
class _File:
    """One input file on its way through ingest: its bytes' hash and how many of its items are pending."""

    path: str
    sha256: str
    size: int
    mtime: float
    sources: int = 0  # items read from it (analysed or unchanged)
    pending: int = 0  # items sent to analysis whose record is not written yet
    failed: bool = False
    read: bool = False  # every item of the file has been read


def walk_inputs(paths: Iterable[Path], skip_records: bool = False) -> Iterator[Path | ReadError]:
    """The files ``kansoku.read.iter_documents`` would read for ``paths``, in the same order and with the
    same notices (missing paths, empty folders, files of unsupported formats skipped in folders), without
    reading them.  ``skip_records``: leave out ``*.records.jsonl`` files found in folders."""
    from kansoku.read import _NOT_ARTICLES, _SKIP_DIRS

    seen: set[Path] = set()

    def once(path: Path) -> Iterator[Path]:
        try:
            real = path.resolve()
        except OSError:
            real = path
        if real not in seen:
            seen.add(real)
            yield path

    def walk_folder(folder: Path, visited: set[Path], skipped: dict[str, int]) -> Iterator[Path | ReadError]:
        real = folder.resolve()
        if real in visited:
            return
        visited.add(real)
        try:
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=lambda entry: entry.name)
        except OSError as exc:
            yield ReadError(str(folder), f"cannot list folder: {(exc.strerror or type(exc).__name__).lower()}")
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = folder / entry.name
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                if entry.name not in _SKIP_DIRS:
                    yield from walk_folder(path, visited, skipped)
            elif path.suffix.lower() not in _NOT_ARTICLES:
                if not (skip_records and entry.name.endswith(RECORDS_SUFFIX)):
                    yield from once(path)
            else:
                skipped[path.suffix.lower()] = skipped.get(path.suffix.lower(), 0) + 1

    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = False
            skipped: dict[str, int] = {}
            for item in walk_folder(path, set(), skipped):
                found = True
                yield item
            note = ""
            if skipped:
                kinds = ", ".join(f"{k} {n}" for k, n in sorted(skipped.items(), key=lambda kv: (-kv[1], kv[0]))[:8])
                total = sum(skipped.values())
                note = f"skipped {total} file{'s' if total != 1 else ''} of unsupported formats"
                if found:
                    yield ReadError(str(path), f"{note} ({kinds})", level="warning")
                else:
                    note = f" ({note}: {kinds})"
            if not found:
                yield ReadError(str(path), "folder contains no files to read" + note)
        elif not path.exists():
            kind = "broken symbolic link" if path.is_symlink() else "no such file or directory"
            yield ReadError(str(given), kind)
        else:
            yield from once(path)


def _file_hash(path: Path) -> tuple[str, int, float] | None:
    """(SHA-256 of the bytes, size, mtime) of a file, or None when it cannot be read (the reader says why)."""
    try:
        st = path.stat()
        h = hashlib.sha256()
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                h.update(chunk)
    except OSError:
        return None
    return h.hexdigest(), st.st_size, st.st_mtime


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
    file: _File | None = None


class _Writer:
    """Collects analysed records and writes them one transaction per batch, with their sources (and the
    ``files`` rows of inputs whose every item is written)."""

    def __init__(self, con: sqlite3.Connection, stats: IngestStats, batch_size: int, version: str) -> None:
        self.con = con
        self.stats = stats
        self.version = version
        self.batch_size = max(1, batch_size)
        self.batch: list[tuple[dict, _Pending, object | None]] = []
        self.files: list[_File] = []
        self.store = db.StoreWriter(con)

    def add(self, record: dict, pending: _Pending) -> None:
        # the text features the analysis worker derived (pipeline.run(derive=text_features)), if any
        self.batch.append((record, pending, record.pop(DERIVED, None)))
        if len(self.batch) >= self.batch_size:
            self.flush()
            from kansoku.pipeline import release_memory

            release_memory()  # the batch's records and features are garbage now

    def file_done(self, f: _File) -> None:
        """Record ``f`` as ingested with the next batch: its items are in that transaction or earlier ones."""
        if f.failed:
            return
        self.files.append(f)
        if not self.batch and len(self.files) >= max(256, self.batch_size):
            self.flush()

    def flush(self) -> None:
        if not self.batch and not self.files:
            return
        from kansoku.store.features import TextFeatures, doc_features

        derived, self.batch = self.batch, []
        batch = [(r, p) for r, p, _ in derived]
        files, self.files = self.files, []
        records = [r for r, _ in batch]
        link_with_store(self.con, records)
        # tokenise and derive outside the transaction so that the write lock is held briefly
        feats = [doc_features(r, tf if isinstance(tf, TextFeatures) else None) for r, _, tf in derived]
        con = self.con
        con.execute("BEGIN IMMEDIATE")
        try:
            ids = list({r["id"] for r in records})
            stored: dict[str, str] = dict(
                db.rows_in(con, "SELECT id, pipeline_version FROM documents WHERE id IN ({})", ids)
            )
            written: dict[str, str] = {}
            to_write = []
            for (rec, p), f in zip(batch, feats, strict=True):
                doc_id = rec["id"]
                if (stored.get(doc_id) != p.version or p.replaces == doc_id) and doc_id not in written:
                    to_write.append((rec, _text_hash(rec["text"]), p.version, f))
                    written[doc_id] = p.source
            self.store.write(to_write)
            orphans: list[str] = []
            for rec, p in batch:
                doc_id = rec["id"]
                if p.replaces is not None:
                    # reanalyze: every source of the old document now points at the new one
                    if p.replaces != doc_id:
                        con.execute("UPDATE sources SET doc_id = ? WHERE doc_id = ?", (doc_id, p.replaces))
                        orphans.append(p.replaces)
                    self.stats.updated += 1
                    continue
                old = db.set_source(con, p.source, doc_id, p.content_hash, p.mtime, p.size)
                if old is None:
                    self.stats.added += 1
                else:
                    self.stats.updated += 1
                    if old != doc_id:
                        orphans.append(old)
            for old in dict.fromkeys(orphans):  # once every source of the batch points where it should
                db.drop_if_orphan(con, old)
            self.stats.relinked += relink_stored_surnames(con, records, set(written), self.store)
            con.executemany(
                "INSERT INTO files(path, sha256, size, mtime, sources, version, ingested_at) VALUES (?,?,?,?,?,?,?) "
                "ON CONFLICT(path) DO UPDATE SET sha256=excluded.sha256, size=excluded.size, mtime=excluded.mtime, "
                "sources=excluded.sources, version=excluded.version, ingested_at=excluded.ingested_at",
                [(f.path, f.sha256, f.size, f.mtime, f.sources, self.version, db.now()) for f in files],
            )
            con.execute("COMMIT")
        except BaseException:
            if con.in_transaction:
                con.execute("ROLLBACK")
            self.store.forget()
            raise


def _text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ------------------------------------------------------------------------------------------------ ingest


def _lazy_run(items: Iterator[RawDoc | ReadError], options: object, workers: int | None) -> Iterator:
    """``pipeline.run`` started only when the first input needs analysis: re-ingesting an unchanged
    corpus starts no worker process and loads no model (read errors before it are passed through)."""
    for it in items:
        if isinstance(it, ReadError):
            yield it
            continue
        from kansoku.pipeline import run
        from kansoku.store.features import text_features

        # the store's token pass runs in the workers too: this process loads no tokenizer
        chained = itertools.chain([it], items)
        yield from run(chained, options, workers=workers, derive=text_features)  # type: ignore[arg-type]
        return


def ingest(
    db_path: str | Path,
    items: Iterable[RawDoc | ReadError] = (),
    *,
    paths: Iterable[Path] | None = None,
    read: Callable[[list[Path]], Iterable[RawDoc | ReadError]] | None = None,
    workers: int | None = None,
    batch_size: int = 32,
    published_default: str | None = None,
    max_chars: int = 2_000_000,
    records_files: Iterable[Path] = (),
    skip_sources: Callable[[str], bool] | None = None,
    on_error: OnError | None = None,
    on_item: OnItem | None = None,
) -> IngestStats:
    """Analyse ``items`` (or the files under ``paths``) and store them; then load ``records_files``
    (exported records, no analysis).

    With ``paths``, each file's bytes are hashed first: a file whose hash and pipeline version match its
    ``files`` row is skipped without being parsed; the others are read with ``read`` (default
    :func:`kansoku.read.iter_documents`) and checked item by item as before.
    """
    from kansoku.pipeline import Options

    t0 = time.perf_counter()
    stats = IngestStats()
    con = db.connect(db_path)
    # the writer reads little: no memory-mapped store (its pages would count in this process's memory as
    # the store grows) and a modest page cache, so that memory stays flat over a long ingest
    con.execute("PRAGMA mmap_size=0")
    con.execute("PRAGMA cache_size=-16384")
    version = db.pipeline_version()
    writer = _Writer(con, stats, batch_size, version)
    stat_of = _StatCache()
    queue: deque[_Pending | None] = deque()
    pending_files: deque[_File] = deque()  # files read, not yet handed to the writer (in reading order)
    records_list = list(records_files)

    def fail(err: ReadError) -> None:
        if err.level != "warning":
            stats.failed += 1
            stats.failures.append(str(err))
        if on_error:
            on_error(err)
        if on_item and err.level != "warning":
            on_item(err.source)

    def check(it: RawDoc, file: _File | None) -> _Pending | None:
        """The pending item to analyse, or None when the stored copy is current (counted unchanged)."""
        h = raw_hash(it)
        row = _stored(con, it.source)
        if row is not None and row[1] == h and row[2] == version:
            stats.unchanged += 1
            if on_item:
                on_item(it.source)
            return None
        if file is not None:
            return _Pending(it.source, h, file.mtime, file.size, version, file=file)
        mtime, size = stat_of(it.source)
        return _Pending(it.source, h, mtime, size, version)

    def from_items() -> Iterator[RawDoc | ReadError]:
        for it in items:
            if isinstance(it, ReadError):
                queue.append(None)
                yield it
                continue
            if skip_sources is not None and skip_sources(it.source):
                continue
            p = check(it, None)
            if p is not None:
                queue.append(p)
                yield it

    def from_paths() -> Iterator[RawDoc | ReadError]:
        from kansoku.read import iter_documents

        reader = read or (lambda ps: iter_documents(ps))
        for entry in walk_inputs(paths or (), skip_records=bool(records_list)):
            if isinstance(entry, ReadError):
                queue.append(None)
                yield entry
                continue
            hashed = _file_hash(entry)
            f = _File(str(entry), *hashed) if hashed else None
            if f is not None:
                row = con.execute("SELECT sha256, version, sources FROM files WHERE path = ?", (f.path,)).fetchone()
                if row is not None and row[0] == f.sha256 and row[1] == version:
                    stats.unchanged += row[2]
                    if on_item:
                        for _ in range(row[2]):
                            on_item(f.path)
                    continue
            for it in reader([entry]):
                if isinstance(it, ReadError):
                    if f is not None and it.level != "warning":
                        f.failed = True
                    queue.append(None)
                    yield it
                    continue
                if skip_sources is not None and skip_sources(it.source):
                    continue
                if f is not None:
                    f.sources += 1
                p = check(it, f)
                if p is not None:
                    if f is not None:
                        f.pending += 1
                    queue.append(p)
                    yield it
            if f is not None:
                f.read = True
                pending_files.append(f)
                release_files()

    def release_files() -> None:
        while pending_files and pending_files[0].read and pending_files[0].pending == 0:
            writer.file_done(pending_files.popleft())

    try:
        opts = Options(published_default=published_default, max_chars=max_chars)
        todo = from_paths() if paths is not None else from_items()
        for r in _lazy_run(todo, opts, workers):
            pending = queue.popleft() if queue else None
            if isinstance(r, ReadError):
                if pending is not None and pending.file is not None:
                    pending.file.failed = True
                    pending.file.pending -= 1
                fail(r)
                release_files()
                continue
            if pending is None or pending.source != r.get("source"):  # defensive: never mis-attribute
                mtime, size = stat_of(r["source"])
                pending = _Pending(r["source"], _text_hash(r["text"]), mtime, size, version)
            writer.add(r, pending)
            if pending.file is not None:
                pending.file.pending -= 1
                release_files()
            if on_item:
                on_item(r["source"])
        release_files()
        writer.flush()
        for f in records_list:
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
    from kansoku.records import raw_from_record
    from kansoku.store import raw as raw_pages

    t0 = time.perf_counter()
    stats = IngestStats()
    con = db.connect(db_path, create=False, upgrade=True)
    version = db.pipeline_version()
    writer = _Writer(con, stats, batch_size, version)
    queue: deque[_Pending] = deque()

    def ids_to_redo() -> Iterator[str]:
        """Ids of the documents to re-analyse, a page at a time (no list of the whole store): rowids up to the
        largest at the start, since the writer adds the new versions after it while this runs."""
        top = con.execute("SELECT coalesce(max(n), 0) FROM documents").fetchone()[0]
        last = 0
        while True:
            rows = con.execute(
                "SELECT n, id FROM documents WHERE n > ? AND n <= ?"
                + ("" if all_documents else " AND pipeline_version != ?")
                + " ORDER BY n LIMIT 256",
                (last, top) if all_documents else (last, top, version),
            ).fetchall()
            if not rows:
                return
            last = rows[-1][0]
            yield from (r[1] for r in rows)

    def todo() -> Iterator[RawDoc]:
        for doc_id in ids_to_redo():
            row = con.execute("SELECT source, record_json FROM documents WHERE id = ?", (doc_id,)).fetchone()
            if row is None:
                continue
            source, rec = row[0], json.loads(row[1])
            queue.append(_Pending(source, "", None, None, version, replaces=doc_id))
            # a fetched page is read again from its kept bytes (its provenance candidates re-derived)
            page = raw_pages.reread(con, doc_id, source)
            if page is not None:
                yield page
                continue
            # else the stored text, with every provenance value the record holds that the text does not
            raw = raw_from_record(rec)
            raw.source = source
            yield raw

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
