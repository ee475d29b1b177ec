"""SQLite corpus store: schema, connection settings, and writing/deleting one analysed record.

The layout is documented in docs/store.md.  One document row per record id (the hash of the clean text);
the ``sources`` table maps each input (path, ``FILE#N`` or URL) to the document it produced, with the hash
of the raw input, so that unchanged inputs are skipped without re-analysis.  Full-text search uses two
FTS5 tables sharing the document rowid: ``fts_tri`` (trigram tokenizer, external content = the document
text, which begins with the title) and ``fts_tok`` (Sudachi tokens, unicode61 tokenizer) for 1-2 character
terms that the trigram tokenizer cannot find.

Schema 2 adds what the corpus commands read instead of whole records, derived from each record once when it
is written (:mod:`kansoku.store.features`): ``doc_features`` (date, outlet label, main place, MinHash
signature, noun-term and headline-term counts), ``doc_entities`` (entity salience per document),
``entity_names``, ``vocab`` (term ids), ``lsh`` (MinHash band keys) and the sentence index of mentions and
figures.  :class:`StoreWriter` writes a batch of records with one ``executemany`` per table.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path

from kansoku import SCHEMA_VERSION, __version__

#: Version of the database layout (``meta.schema_version``); bump on incompatible changes.
STORE_SCHEMA_VERSION = "2"

DEFAULT_DB = "kansoku.db"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS documents (
    n                INTEGER PRIMARY KEY,
    id               TEXT NOT NULL UNIQUE,
    source           TEXT NOT NULL,
    title            TEXT,
    outlet           TEXT,
    published        TEXT,
    authors          TEXT,
    genre            TEXT,
    text             TEXT NOT NULL,
    record_json      TEXT NOT NULL,
    content_hash     TEXT NOT NULL,
    pipeline_version TEXT NOT NULL,
    ingested_at      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_published ON documents(published);
CREATE INDEX IF NOT EXISTS documents_outlet ON documents(outlet);
CREATE INDEX IF NOT EXISTS documents_genre ON documents(genre);
CREATE INDEX IF NOT EXISTS documents_version ON documents(pipeline_version);

CREATE TABLE IF NOT EXISTS sources (
    source       TEXT PRIMARY KEY,
    doc_id       TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    mtime        REAL,
    size         INTEGER,
    ingested_at  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sources_doc ON sources(doc_id);

CREATE TABLE IF NOT EXISTS files (
    path        TEXT PRIMARY KEY,
    sha256      TEXT NOT NULL,
    size        INTEGER,
    mtime       REAL,
    sources     INTEGER NOT NULL,
    version     TEXT NOT NULL,
    ingested_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS entities (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    name_en     TEXT,
    type        TEXT NOT NULL,
    surname_key TEXT
);
CREATE INDEX IF NOT EXISTS entities_name ON entities(name);
CREATE INDEX IF NOT EXISTS entities_surname ON entities(surname_key) WHERE surname_key IS NOT NULL;

CREATE TABLE IF NOT EXISTS mentions (
    doc_id    TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    sent      INTEGER NOT NULL,
    start     INTEGER NOT NULL,
    "end"     INTEGER NOT NULL,
    entity_id TEXT NOT NULL REFERENCES entities(id),
    text      TEXT NOT NULL,
    method    TEXT,
    vkey      TEXT,
    PRIMARY KEY (doc_id, sent, start, "end", entity_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS mentions_entity ON mentions(entity_id, doc_id, sent, text);
CREATE INDEX IF NOT EXISTS mentions_text ON mentions(text);
CREATE INDEX IF NOT EXISTS mentions_vkey ON mentions(vkey);

CREATE TABLE IF NOT EXISTS quantities (
    doc_id           TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    idx              INTEGER NOT NULL,
    text             TEXT NOT NULL,
    start            INTEGER NOT NULL,
    "end"            INTEGER NOT NULL,
    value            REAL,
    unit             TEXT,
    approx           INTEGER,
    qualifier        TEXT,
    range_to         REAL,
    subject          TEXT,
    source           TEXT,
    source_start     INTEGER,
    source_end       INTEGER,
    source_entity_id TEXT,
    sent             INTEGER NOT NULL,
    PRIMARY KEY (doc_id, idx)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS quantities_unit ON quantities(unit);
CREATE INDEX IF NOT EXISTS quantities_source ON quantities(source_entity_id) WHERE source_entity_id IS NOT NULL;

CREATE TABLE IF NOT EXISTS claims (
    doc_id            TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    claim_id          INTEGER NOT NULL,
    text              TEXT NOT NULL,
    start             INTEGER NOT NULL,
    "end"             INTEGER NOT NULL,
    speaker           TEXT,
    speaker_start     INTEGER,
    speaker_end       INTEGER,
    speaker_entity_id TEXT,
    cue               TEXT,
    kind              TEXT,
    content_start     INTEGER,
    content_end       INTEGER,
    PRIMARY KEY (doc_id, claim_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS claims_speaker ON claims(speaker_entity_id);

CREATE TABLE IF NOT EXISTS events (
    doc_id    TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    idx       INTEGER NOT NULL,
    text      TEXT NOT NULL,
    start     INTEGER NOT NULL,
    "end"     INTEGER NOT NULL,
    date      TEXT,
    entities  TEXT NOT NULL,
    claim_ids TEXT NOT NULL,
    PRIMARY KEY (doc_id, idx)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS events_date ON events(date);

CREATE TABLE IF NOT EXISTS frames (
    doc_id   TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    frame_id TEXT NOT NULL,
    label    TEXT,
    label_en TEXT,
    family   TEXT,
    score    REAL,
    voice    TEXT,
    start    INTEGER,
    "end"    INTEGER,
    evidence TEXT NOT NULL,
    PRIMARY KEY (doc_id, frame_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS frames_frame ON frames(frame_id);

CREATE TABLE IF NOT EXISTS stance (
    doc_id      TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    idx         INTEGER NOT NULL,
    target      TEXT NOT NULL,
    target_name TEXT,
    score       REAL NOT NULL,
    mentions    INTEGER,
    start       INTEGER,
    "end"       INTEGER,
    evidence    TEXT NOT NULL,
    drivers     TEXT NOT NULL,
    PRIMARY KEY (doc_id, idx)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS stance_target ON stance(target);

CREATE TABLE IF NOT EXISTS timex (
    doc_id   TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    idx      INTEGER NOT NULL,
    text     TEXT NOT NULL,
    start    INTEGER NOT NULL,
    "end"    INTEGER NOT NULL,
    value    TEXT,
    type     TEXT,
    resolved INTEGER,
    anchor   TEXT,
    zone     TEXT,
    PRIMARY KEY (doc_id, idx)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS timex_value ON timex(value);

CREATE TABLE IF NOT EXISTS doc_features (
    n       INTEGER PRIMARY KEY REFERENCES documents(n) ON DELETE CASCADE,
    date    TEXT,
    outlet  TEXT NOT NULL,
    place   TEXT,
    minhash BLOB,
    terms   BLOB NOT NULL,
    heads   BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS doc_features_date ON doc_features(date);
CREATE INDEX IF NOT EXISTS doc_features_outlet ON doc_features(outlet);

CREATE TABLE IF NOT EXISTS doc_entities (
    n         INTEGER NOT NULL REFERENCES documents(n) ON DELETE CASCADE,
    entity_id TEXT NOT NULL,
    name      TEXT,
    salience  REAL NOT NULL,
    mentions  INTEGER NOT NULL,
    in_record INTEGER NOT NULL,
    PRIMARY KEY (n, entity_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS doc_entities_entity ON doc_entities(entity_id, in_record, mentions);

CREATE TABLE IF NOT EXISTS entity_names (
    entity_id TEXT NOT NULL,
    name      TEXT NOT NULL,
    folded    TEXT NOT NULL,
    vkey      TEXT,
    last_vkey TEXT,
    PRIMARY KEY (entity_id, name)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS entity_names_folded ON entity_names(folded);
CREATE INDEX IF NOT EXISTS entity_names_vkey ON entity_names(vkey);
CREATE INDEX IF NOT EXISTS entity_names_last ON entity_names(last_vkey);

CREATE TABLE IF NOT EXISTS vocab (
    id   INTEGER PRIMARY KEY,
    term TEXT NOT NULL UNIQUE
);

CREATE TABLE IF NOT EXISTS event_entities (
    entity_id TEXT NOT NULL,
    n         INTEGER NOT NULL REFERENCES documents(n) ON DELETE CASCADE,
    idx       INTEGER NOT NULL,
    date      TEXT,
    PRIMARY KEY (entity_id, n, idx)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS event_entities_doc ON event_entities(n);

CREATE TABLE IF NOT EXISTS cooc (
    a     TEXT NOT NULL,
    b     TEXT NOT NULL,
    docs  INTEGER NOT NULL,
    sents INTEGER NOT NULL,
    PRIMARY KEY (a, b)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS lsh (
    key INTEGER NOT NULL,
    n   INTEGER NOT NULL,
    PRIMARY KEY (key, n)
) WITHOUT ROWID;
"""

_FTS_SCHEMA = """
CREATE VIRTUAL TABLE IF NOT EXISTS fts_tri USING fts5(
    text, content='documents', content_rowid='n', tokenize='trigram'
);
CREATE VIRTUAL TABLE IF NOT EXISTS fts_tok USING fts5(tok, tokenize='unicode61');

CREATE TRIGGER IF NOT EXISTS documents_ai AFTER INSERT ON documents BEGIN
    INSERT INTO fts_tri(rowid, text) VALUES (new.n, new.text);
END;
CREATE TRIGGER IF NOT EXISTS documents_ad AFTER DELETE ON documents BEGIN
    INSERT INTO fts_tri(fts_tri, rowid, text) VALUES ('delete', old.n, old.text);
    DELETE FROM fts_tok WHERE rowid = old.n;
END;
"""

#: Child tables of a document, in export order.
CHILD_TABLES = ("mentions", "quantities", "claims", "events", "frames", "stance", "timex")
#: Tables derived from the records for the corpus commands (schema 2).
DERIVED_TABLES = ("doc_features", "doc_entities", "entity_names", "vocab", "event_entities", "cooc", "lsh")


class StoreVersionError(RuntimeError):
    """The store was written with another layout than this kansoku's (one-line message)."""


def _statements(script: str) -> list[str]:
    out, buf = [], ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    return [x for x in out if x]


def default_db_path() -> Path:
    """``$KANSOKU_DB`` or ``kansoku.db`` in the current directory."""
    return Path(os.environ.get("KANSOKU_DB") or DEFAULT_DB)


@lru_cache(maxsize=1)
def pipeline_version() -> str:
    """kansoku version + output schema + a digest of the shipped data files (catalogues change results)."""
    h = hashlib.sha256()
    data = resources.files("kansoku").joinpath("data")
    for entry in sorted(data.iterdir(), key=lambda e: e.name):
        if entry.is_file():
            h.update(entry.name.encode())
            h.update(entry.read_bytes())
    return f"{__version__}+s{SCHEMA_VERSION}+d{h.hexdigest()[:10]}"


def connect(path: str | Path, create: bool = True, upgrade: bool | None = None) -> sqlite3.Connection:
    """Open (and create) a store: WAL journal, foreign keys on, autocommit off via BEGIN.

    A store of an older layout is upgraded in place when ``upgrade`` (default: ``create``, i.e. for the
    commands that write: ingest, reanalyze); otherwise :class:`StoreVersionError` says how to upgrade it.
    """
    p = Path(path)
    if not create and not p.exists():
        raise FileNotFoundError(f"{p}: no such store (run `kansoku ingest` first)")
    if create and p.parent != Path(""):
        p.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(str(p), isolation_level=None, timeout=30.0, check_same_thread=False)
    con.row_factory = sqlite3.Row
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA foreign_keys=ON")
    con.execute("PRAGMA synchronous=NORMAL")
    con.execute("PRAGMA busy_timeout=30000")
    con.execute("PRAGMA cache_size=-65536")
    con.execute("PRAGMA mmap_size=2147418112")  # read pages straight from the OS cache (64-bit hosts)
    try:
        init_schema(con, create=create, upgrade=create if upgrade is None else upgrade)
    except StoreVersionError as exc:
        con.close()
        raise StoreVersionError(f"{p}: {exc}") from None
    except BaseException:
        con.close()
        raise
    return con


def memory_store() -> sqlite3.Connection:
    """An in-memory store without the full-text indexes: what the corpus commands run on for records that
    are not in a store (``--input FILE.jsonl``, the Python functions over lists of records)."""
    con = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    con.row_factory = sqlite3.Row
    con.execute("PRAGMA foreign_keys=ON")
    for stmt in _statements(_SCHEMA):
        con.execute(stmt)
    con.execute("INSERT INTO meta(key, value) VALUES ('schema_version', ?), ('created_at', ?), ('fts', '0')",
                (STORE_SCHEMA_VERSION, now()))  # fmt: skip
    return con


def schema_version(con: sqlite3.Connection) -> str | None:
    with contextlib.suppress(sqlite3.OperationalError):
        row = con.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        return row[0] if row else None
    return None


def init_schema(con: sqlite3.Connection, create: bool = True, upgrade: bool = True) -> None:
    version = schema_version(con)
    if version == STORE_SCHEMA_VERSION:
        return
    if version is None:
        if not create:
            has_tables = con.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if has_tables:
                raise StoreVersionError("not a kansoku store (no schema version)")
        con.executescript(_SCHEMA + _FTS_SCHEMA)  # every statement is IF NOT EXISTS: safe to repeat
        con.execute(
            "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?), ('created_at', ?)",
            (STORE_SCHEMA_VERSION, now()),
        )
        return
    if version == "1":
        if not upgrade:
            raise StoreVersionError(
                f"store schema version 1 was written by an older kansoku (this one reads {STORE_SCHEMA_VERSION}); "
                "upgrade it in place with `kansoku reanalyze`"
            )
        migrate_1_to_2(con)
        return
    raise StoreVersionError(
        f"store schema version {version} is not supported (this kansoku writes {STORE_SCHEMA_VERSION})"
    )


def migrate_1_to_2(con: sqlite3.Connection, batch: int = 256) -> int:
    """Schema 1 → 2 in one transaction: the tables derived from records are rebuilt from ``record_json``
    (no re-analysis; ``sources``, raw-input hashes and document rows are kept).  Returns documents moved."""
    con.execute("BEGIN IMMEDIATE")
    try:
        con.execute("DROP TRIGGER IF EXISTS documents_ai")
        con.execute("DROP TRIGGER IF EXISTS documents_ad")
        con.execute("DROP TABLE IF EXISTS fts_tri")
        con.execute("DROP TABLE IF EXISTS fts_tok")
        for t in CHILD_TABLES:
            con.execute(f"DROP TABLE IF EXISTS {t}")
        for idx in ("documents_published", "documents_outlet", "documents_genre", "documents_version"):
            con.execute(f"DROP INDEX IF EXISTS {idx}")
        con.execute("ALTER TABLE documents RENAME TO documents_v1")
        for stmt in _statements(_SCHEMA + _FTS_SCHEMA):
            con.execute(stmt)
        writer = StoreWriter(con)
        moved = 0
        last = 0
        while True:
            rows = con.execute(
                "SELECT n, record_json, content_hash, pipeline_version, ingested_at FROM documents_v1 "
                "WHERE n > ? ORDER BY n LIMIT ?",
                (last, batch),
            ).fetchall()
            if not rows:
                break
            last = rows[-1][0]
            writer.write([(json.loads(r[1]), r[2], r[3], None) for r in rows], keep=[(r[0], r[4]) for r in rows])
            moved += len(rows)
        con.execute("DROP TABLE documents_v1")
        con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (STORE_SCHEMA_VERSION,))
        con.execute("COMMIT")
    except BaseException:
        if con.in_transaction:
            con.execute("ROLLBACK")
        raise
    return moved


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def token_string(text: str) -> str:
    """What the ``fts_tok`` column holds: Sudachi surfaces (mode C), then the mode-A parts of compounds
    (外務省 → 外務 省) and the normalised forms that differ from the surface, space-joined."""
    from kansoku.store.features import token_string as tokens

    return tokens(text)


# ------------------------------------------------------------------------------------------ write / delete


def _span(d: dict | None) -> tuple[int | None, int | None]:
    if not d:
        return None, None
    return d.get("start"), d.get("end")


def _j(v: object) -> str:
    return json.dumps(v, ensure_ascii=False)


def _num(v: object) -> float | None:
    if isinstance(v, bool):
        return float(v)
    if isinstance(v, int | float):
        return float(v)
    try:
        return float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


@lru_cache(maxsize=65536)
def variant_key(text: str) -> str:
    from kansoku.nlp.variants import variant_key as vk

    return vk(text)


@lru_cache(maxsize=65536)
def surname_key(name: str) -> str | None:
    """Transliteration key of a person's surname: the last part of a full name (アンドルー・ミクタ → key of
    ミクタ) or the whole of a bare name (ミクタ)."""
    from kansoku.extract.entities import key_of

    parts = [p for p in name.split("・") if p]
    return key_of(parts[-1]) if parts else None


def encode_terms(counts: dict[int, int]) -> bytes:
    """Term counts as a blob: the term ids (uint32, in first-occurrence order) then their counts (uint16)."""
    import numpy as np

    ids = np.fromiter(counts, dtype="<u4", count=len(counts))
    cs = np.fromiter((min(c, 65535) for c in counts.values()), dtype="<u2", count=len(counts))
    return ids.tobytes() + cs.tobytes()


def decode_terms(blob: bytes):  # type: ignore[no-untyped-def]
    """(term ids, counts) numpy arrays of an :func:`encode_terms` blob."""
    import numpy as np

    k = len(blob) // 6
    return np.frombuffer(blob, dtype="<u4", count=k), np.frombuffer(blob, dtype="<u2", offset=4 * k, count=k)


def stored_text_features(con: sqlite3.Connection, n: int):  # type: ignore[no-untyped-def]
    """The :class:`~kansoku.store.features.TextFeatures` of stored document ``n`` as written (token string,
    term and headline counts, MinHash), or None when a part is missing: a stored record whose entities are
    re-linked keeps its text, so it need not be tokenised again."""
    from collections import Counter

    from kansoku.store.features import TextFeatures
    from kansoku.store.minhash import from_bytes

    tok = con.execute("SELECT tok FROM fts_tok WHERE rowid = ?", (n,)).fetchone()
    row = con.execute("SELECT minhash, terms, heads FROM doc_features WHERE n = ?", (n,)).fetchone()
    if tok is None or row is None:
        return None
    counts = []
    for blob in (row[1], row[2]):
        ids, cs = decode_terms(blob)
        names = dict(rows_in(con, "SELECT id, term FROM vocab WHERE id IN ({})", [int(i) for i in ids]))
        if len(names) != len(set(ids.tolist())):
            return None
        counts.append(Counter({names[int(i)]: int(c) for i, c in zip(ids, cs, strict=True)}))
    return TextFeatures(tok=tok[0], terms=counts[0], heads=counts[1], signature=from_bytes(row[0]))


def rows_in(con: sqlite3.Connection, sql: str, values: list) -> Iterator[tuple]:
    """The rows of SQL, whose ``{}`` is an ``IN`` list, for all VALUES: 500 at a time (SQLite's limit on
    bound parameters)."""
    for i in range(0, len(values), 500):
        part = values[i : i + 500]
        yield from con.execute(sql.format(",".join("?" * len(part))), part)


def cooccurrence_rows(docs: Iterable[dict[str, set[int]]]) -> Iterator[tuple[str, str, int, int]]:
    """``(a, b, 1, sentences naming both)`` for each ordered pair of entities of each document, from its
    entities and the sentence indices of their mentions.  A generator: a list article naming 1,000 entities
    has two million pairs, which as a dict took 150 MB of the ingest process for a moment; the table sums
    the rows (``ON CONFLICT ... docs + excluded.docs``)."""
    for ents in docs:
        items = sorted(ents.items())
        for i, (a, sa) in enumerate(items):
            for b, sb in items[i + 1 :]:
                k = len(sa & sb)
                yield a, b, 1, k
                yield b, a, 1, k


def bump_revision(con: sqlite3.Connection) -> None:
    """Count a change of the documents (``meta.revision``): results cached in the store (stories) are
    valid for one revision only."""
    con.execute(
        "INSERT INTO meta(key, value) VALUES ('revision', '1') "
        "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
    )


def revision(con: sqlite3.Connection) -> str:
    row = con.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()
    return str(row[0]) if row else "0"


def delete_document(con: sqlite3.Connection, doc_id: str) -> None:
    """Delete a document and (by cascade, triggers and its band keys) every row derived from it; ``sources``
    rows stay."""
    row = con.execute(
        "SELECT d.n, f.minhash FROM documents d LEFT JOIN doc_features f ON f.n = d.n WHERE d.id = ?", (doc_id,)
    ).fetchone()
    if row is None:
        return
    sents: dict[str, set[int]] = {}
    for (eid,) in con.execute("SELECT entity_id FROM doc_entities WHERE n = ? AND in_record = 1", (row[0],)):
        sents[eid] = set()
    for eid, sent in con.execute("SELECT entity_id, sent FROM mentions WHERE doc_id = ?", (doc_id,)):
        if eid in sents:
            sents[eid].add(sent)
    con.executemany("UPDATE cooc SET docs = docs - ?, sents = sents - ? WHERE a = ? AND b = ?",
                    ((d, k, a, b) for a, b, d, k in cooccurrence_rows([sents])))  # fmt: skip
    con.executemany("DELETE FROM cooc WHERE a = ? AND b = ? AND docs <= 0",
                    ((a, b) for a, b, _d, _k in cooccurrence_rows([sents])))  # fmt: skip
    if row[1] is not None:
        from kansoku.store.minhash import band_keys, from_bytes

        keys = band_keys(from_bytes(row[1]))[0].tolist()
        con.executemany("DELETE FROM lsh WHERE key = ? AND n = ?", [(k, row[0]) for k in keys])
    con.execute("DELETE FROM documents WHERE n = ?", (row[0],))
    bump_revision(con)


class StoreWriter:
    """Writes batches of records with one ``executemany`` per table; keeps the term-id cache of the
    connection.  The caller holds the transaction (and calls :meth:`forget` after a rollback)."""

    def __init__(self, con: sqlite3.Connection) -> None:
        self.con = con
        self.fts = con.execute(
            "SELECT 1 FROM sqlite_master WHERE name = 'fts_tok'"
        ).fetchone() is not None
        self._term_ids: dict[str, int] = {}

    def forget(self) -> None:
        """Drop cached term ids (after a rollback they may name rows that were never committed)."""
        self._term_ids.clear()

    def term_ids(self, terms: set[str]) -> dict[str, int]:
        cache = self._term_ids
        missing = [t for t in terms if t not in cache]
        if missing:
            if len(cache) > 200_000:
                cache.clear()
            con = self.con
            con.executemany("INSERT OR IGNORE INTO vocab(term) VALUES (?)", [(t,) for t in missing])
            cache.update((t, k) for k, t in rows_in(con, "SELECT id, term FROM vocab WHERE term IN ({})", missing))
        return cache

    def write(
        self,
        items: list[tuple[dict, str, str, object | None]],
        keep: list[tuple[int, str]] | None = None,
    ) -> None:
        """Insert records ``(record, content_hash, version, features or None)``, replacing any stored
        document with the same id.  ``keep``: (n, ingested_at) per item, to keep them (migration)."""
        from kansoku.store.features import SentenceIndex, doc_features
        from kansoku.store.minhash import band_keys, to_bytes

        if not items:
            return
        con = self.con
        ids = [rec["id"] for rec, *_ in items]
        for (doc_id,) in list(rows_in(con, "SELECT id FROM documents WHERE id IN ({})", ids)):
            delete_document(con, doc_id)
        base = con.execute("SELECT coalesce(max(n), 0) FROM documents").fetchone()[0]
        feats = [f if f is not None else doc_features(rec) for rec, _h, _v, f in items]
        vocab = self.term_ids({t for f in feats for t in (*f.terms, *f.heads)})  # type: ignore[attr-defined]
        ts = now()
        docs, toks, dfeat, dents, names, ents, lsh, events = [], [], [], [], [], [], [], []
        cooc_docs: list[dict[str, set[int]]] = []
        mrows, qrows, crows, erows, frows, srows, trows = [], [], [], [], [], [], []
        sigs = []
        seen_docs: set[str] = set()
        for k, ((rec, content_hash, version, _f), f) in enumerate(zip(items, feats, strict=True)):
            doc_id = rec["id"]
            if doc_id in seen_docs:
                continue  # the same text twice in one batch: stored once
            seen_docs.add(doc_id)
            n, ingested = (keep[k] if keep else (base + k + 1, ts))
            meta = rec.get("metadata") or {}
            authors = "\n".join(a.get("name") or "" for a in meta.get("authors") or [] if a.get("name"))
            docs.append((
                n, doc_id, rec.get("source") or "", rec.get("title"), meta.get("outlet"),
                meta.get("published") or None, authors or None, (rec.get("genre") or {}).get("label"),
                rec.get("text") or "", _j(rec), content_hash, version, ingested,
            ))  # fmt: skip
            if self.fts:
                toks.append((n, f.tok))  # type: ignore[attr-defined]
            sig = f.signature  # type: ignore[attr-defined]
            if sig is not None:
                sigs.append((n, sig))
            dfeat.append((
                n, f.date, f.outlet, f.place, to_bytes(sig),  # type: ignore[attr-defined]
                encode_terms({vocab[t]: c for t, c in f.terms.items()}),  # type: ignore[attr-defined]
                encode_terms({vocab[t]: c for t, c in f.heads.items()}),  # type: ignore[attr-defined]
            ))  # fmt: skip
            for eid, (name, _typ, sal, cnt, in_rec) in f.entities.items():  # type: ignore[attr-defined]
                dents.append((n, eid, name, sal, cnt, in_rec))
            sent_of = SentenceIndex(rec.get("sentences") or [])
            doc_sents: dict[str, set[int]] = {}
            cooc_docs.append(doc_sents)
            for e in rec.get("entities") or []:
                doc_sents.setdefault(e["id"], set()).update(sent_of(m["start"]) for m in e.get("mentions") or [])
                ents.append((e["id"], e["name"], e.get("name_en"), e["type"],
                             surname_key(e["name"]) if e["type"] == "PERSON" else None))  # fmt: skip
                for nm in {e.get("name"), e.get("name_en")}:
                    if nm:
                        names.append((e["id"], nm, nm.casefold(), variant_key(nm),
                                      variant_key(nm.split("・")[-1])))  # fmt: skip
                methods = {r.get("mention"): r.get("method") for r in e.get("resolution") or []}
                for i, m in enumerate(e.get("mentions") or []):
                    mrows.append((doc_id, e["id"], m["text"], m["start"], m["end"], methods.get(i),
                                  variant_key(m["text"]), sent_of(m["start"])))  # fmt: skip
            qrows += [
                (
                    doc_id, i, q.get("text") or "", q.get("start"), q.get("end"), _num(q.get("value")),
                    q.get("unit"), int(bool(q.get("approx"))), q.get("qualifier"), _num(q.get("range_to")),
                    q.get("subject"), q.get("source"), *_span(q.get("source_span")), q.get("source_entity_id"),
                    sent_of(q.get("start")),
                )
                for i, q in enumerate(rec.get("quantities") or [])
            ]  # fmt: skip
            crows += [
                (
                    doc_id, c.get("id", i), c.get("text") or "", c.get("start"), c.get("end"), c.get("speaker"),
                    *_span(c.get("speaker_span")), c.get("speaker_entity_id"), c.get("cue"), c.get("kind"),
                    *_span(c.get("content_span")),
                )
                for i, c in enumerate(rec.get("claims") or [])
            ]  # fmt: skip
            erows += [
                (doc_id, i, ev.get("text") or "", ev.get("start"), ev.get("end"), ev.get("date"),
                 _j(ev.get("entities") or []), _j(ev.get("claim_ids") or []))
                for i, ev in enumerate(rec.get("events") or [])
            ]  # fmt: skip
            events += [
                (eid, n, i, ev.get("date"))
                for i, ev in enumerate(rec.get("events") or [])
                for eid in dict.fromkeys(e for e in ev.get("entities") or [] if isinstance(e, str))
            ]
            frows += [
                (doc_id, fr["id"], fr.get("label"), fr.get("label_en"), fr.get("family"), _num(fr.get("score")),
                 fr.get("voice"), *_span((fr.get("evidence") or [None])[0]), _j(fr.get("evidence") or []))
                for fr in rec.get("frames") or []
            ]  # fmt: skip
            srows += [
                (doc_id, i, st.get("target") or "", st.get("target_name"), _num(st.get("score")) or 0.0,
                 st.get("mentions"), *_span((st.get("evidence") or [None])[0]), _j(st.get("evidence") or []),
                 _j(st.get("drivers") or []))
                for i, st in enumerate(rec.get("stance") or [])
            ]  # fmt: skip
            trows += [
                (doc_id, i, t.get("text") or "", t.get("start"), t.get("end"), t.get("value"), t.get("type"),
                 None if t.get("resolved") is None else int(bool(t.get("resolved"))),
                 t.get("anchor") if not isinstance(t.get("anchor"), dict | list) else _j(t.get("anchor")),
                 t.get("zone"))
                for i, t in enumerate(rec.get("timex") or [])
            ]  # fmt: skip
        if sigs:
            import numpy as np

            keys = band_keys(np.stack([s for _, s in sigs]))
            lsh = [(int(k), n) for (n, _), row in zip(sigs, keys.tolist(), strict=True) for k in row]
        con.executemany(
            "INSERT INTO documents(n, id, source, title, outlet, published, authors, genre, text, record_json, "
            "content_hash, pipeline_version, ingested_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            docs,
        )
        if toks:
            con.executemany("INSERT INTO fts_tok(rowid, tok) VALUES (?, ?)", toks)
        con.executemany("INSERT INTO doc_features VALUES (?,?,?,?,?,?,?)", dfeat)
        con.executemany("INSERT OR IGNORE INTO doc_entities VALUES (?,?,?,?,?,?)", dents)
        con.executemany("INSERT OR IGNORE INTO lsh VALUES (?,?)", lsh)
        con.executemany(
            "INSERT INTO entities(id, name, name_en, type, surname_key) VALUES (?,?,?,?,?) "
            "ON CONFLICT(id) DO UPDATE SET name_en = coalesce(entities.name_en, excluded.name_en)",
            ents,
        )
        con.executemany("INSERT OR IGNORE INTO entity_names VALUES (?,?,?,?,?)", names)
        con.executemany(
            'INSERT OR IGNORE INTO mentions(doc_id, entity_id, text, start, "end", method, vkey, sent) '
            "VALUES (?,?,?,?,?,?,?,?)",
            mrows,
        )
        con.executemany("INSERT INTO quantities VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", qrows)
        con.executemany("INSERT INTO claims VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", crows)
        con.executemany("INSERT INTO events VALUES (?,?,?,?,?,?,?,?)", erows)
        con.executemany("INSERT OR IGNORE INTO event_entities VALUES (?,?,?,?)", events)
        con.executemany(
            "INSERT INTO cooc VALUES (?,?,?,?) ON CONFLICT(a, b) DO UPDATE SET docs = docs + excluded.docs, "
            "sents = sents + excluded.sents",
            cooccurrence_rows(cooc_docs),
        )
        con.executemany("INSERT OR IGNORE INTO frames VALUES (?,?,?,?,?,?,?,?,?,?)", frows)
        con.executemany("INSERT INTO stance VALUES (?,?,?,?,?,?,?,?,?,?)", srows)
        con.executemany("INSERT INTO timex VALUES (?,?,?,?,?,?,?,?,?,?)", trows)
        bump_revision(con)


def write_record(
    con: sqlite3.Connection,
    record: dict,
    content_hash: str,
    version: str,
    features: object | None = None,
) -> None:
    """Insert one analysed record (replacing any document with the same id).  Caller holds a transaction."""
    StoreWriter(con).write([(record, content_hash, version, features)])


def set_source(
    con: sqlite3.Connection,
    source: str,
    doc_id: str,
    content_hash: str,
    mtime: float | None,
    size: int | None,
) -> str | None:
    """Point ``source`` at ``doc_id``; returns the document it pointed at before (None when new)."""
    row = con.execute("SELECT doc_id FROM sources WHERE source = ?", (source,)).fetchone()
    con.execute(
        "INSERT INTO sources(source, doc_id, content_hash, mtime, size, ingested_at) VALUES (?,?,?,?,?,?) "
        "ON CONFLICT(source) DO UPDATE SET doc_id=excluded.doc_id, content_hash=excluded.content_hash, "
        "mtime=excluded.mtime, size=excluded.size, ingested_at=excluded.ingested_at",
        (source, doc_id, content_hash, mtime, size, now()),
    )
    return row[0] if row else None


def drop_if_orphan(con: sqlite3.Connection, doc_id: str) -> bool:
    """Delete a document no source points at any more (the old version of a changed article)."""
    if con.execute("SELECT 1 FROM sources WHERE doc_id = ? LIMIT 1", (doc_id,)).fetchone():
        return False
    delete_document(con, doc_id)
    return True


def counts(con: sqlite3.Connection, tables: Iterable[str] | None = None) -> dict[str, int]:
    names = list(tables or ("documents", "sources", "entities", *CHILD_TABLES))
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in names}
