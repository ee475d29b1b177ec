"""SQLite corpus store: schema, connection settings, and writing/deleting one analysed record.

The layout is documented in docs/store.md.  One document row per record id (the hash of the clean text);
the ``sources`` table maps each input (path, ``FILE#N`` or URL) to the document it produced, with the hash
of the raw input, so that unchanged inputs are skipped without re-analysis.  Full-text search uses two
FTS5 tables sharing the document rowid: ``fts_tri`` (trigram tokenizer, external content = the document
text, which begins with the title) and ``fts_tok`` (Sudachi tokens, unicode61 tokenizer) for 1-2 character
terms that the trigram tokenizer cannot find.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path

from kansoku import SCHEMA_VERSION, __version__

#: Version of the database layout (``meta.schema_version``); bump on incompatible changes.
STORE_SCHEMA_VERSION = "1"

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
    entity_id TEXT NOT NULL REFERENCES entities(id),
    text      TEXT NOT NULL,
    start     INTEGER NOT NULL,
    "end"     INTEGER NOT NULL,
    method    TEXT,
    vkey      TEXT,
    PRIMARY KEY (doc_id, start, "end", entity_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS mentions_entity ON mentions(entity_id);
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
    PRIMARY KEY (doc_id, idx)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS quantities_unit ON quantities(unit);

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


def connect(path: str | Path, create: bool = True) -> sqlite3.Connection:
    """Open (and create or migrate) a store: WAL journal, foreign keys on, autocommit off via BEGIN."""
    p = Path(path)
    if not create and not p.exists():
        raise FileNotFoundError(f"{p}: no such store (run `kansoku ingest` first)")
    if create and p.parent != Path(""):
        p.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(str(p), isolation_level=None, timeout=30.0)
    con.row_factory = sqlite3.Row
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA foreign_keys=ON")
    con.execute("PRAGMA synchronous=NORMAL")
    con.execute("PRAGMA busy_timeout=30000")
    con.execute("PRAGMA cache_size=-65536")
    con.execute("PRAGMA mmap_size=2147418112")  # read pages straight from the OS cache (64-bit hosts)
    if create:
        init_schema(con)
    return con


def init_schema(con: sqlite3.Connection) -> None:
    row = None
    with contextlib.suppress(sqlite3.OperationalError):
        row = con.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    if row is not None:
        if row[0] != STORE_SCHEMA_VERSION:
            raise RuntimeError(
                f"store schema version {row[0]} is not supported (this kansoku writes {STORE_SCHEMA_VERSION})"
            )
        return
    con.executescript(_SCHEMA)  # every statement is IF NOT EXISTS: safe to repeat
    con.execute(
        "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?), ('created_at', ?)",
        (STORE_SCHEMA_VERSION, now()),
    )


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# ----------------------------------------------------------------------------------------------- tokens


def token_string(text: str) -> str:
    """What the ``fts_tok`` column holds: Sudachi surfaces (mode C), then the mode-A parts of compounds
    (外務省 → 外務 省) and the normalised forms that differ from the surface, space-joined."""
    from sudachipy import SplitMode

    from kansoku.nlp.tokens import _tokenizer

    tok, _ = _tokenizer()
    surfaces: list[str] = []
    extra: list[str] = []
    pos = 0
    step = 4000  # Sudachi refuses inputs above ~49 KB
    while pos < len(text):
        end = min(len(text), pos + step)
        if end < len(text):
            cut = max(text.rfind("\n", pos, end), text.rfind("。", pos, end))
            if cut > pos:
                end = cut + 1
        for m in tok.tokenize(text[pos:end]):
            s = m.surface()
            if not s.strip():
                continue
            surfaces.append(s)
            parts = m.split(SplitMode.A)
            if len(parts) > 1:
                extra.extend(p.surface() for p in parts)
            nf = m.normalized_form()
            if nf != s:
                extra.append(nf)
        pos = end
    return " ".join(surfaces) + ("\n" + " ".join(extra) if extra else "")


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


def surname_key(name: str) -> str | None:
    """Transliteration key of a person's surname: the last part of a full name (アンドルー・ミクタ → key of
    ミクタ) or the whole of a bare name (ミクタ)."""
    from kansoku.extract.entities import key_of

    parts = [p for p in name.split("・") if p]
    return key_of(parts[-1]) if parts else None


def delete_document(con: sqlite3.Connection, doc_id: str) -> None:
    """Delete a document and (by cascade and trigger) its child rows and FTS rows; ``sources`` rows stay."""
    con.execute("DELETE FROM documents WHERE id = ?", (doc_id,))


def write_record(
    con: sqlite3.Connection,
    record: dict,
    content_hash: str,
    version: str,
    tok: str | None = None,
) -> None:
    """Insert one analysed record (replacing any document with the same id).  Caller holds a transaction."""
    from kansoku.resolve.variants import variant_key

    doc_id = record["id"]
    delete_document(con, doc_id)
    meta = record.get("metadata") or {}
    authors = "\n".join(a.get("name") or "" for a in meta.get("authors") or [] if a.get("name"))
    ts = now()
    cur = con.execute(
        "INSERT INTO documents(id, source, title, outlet, published, authors, genre, text, record_json, "
        "content_hash, pipeline_version, ingested_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            doc_id,
            record.get("source") or "",
            record.get("title"),
            meta.get("outlet"),
            (meta.get("published") or None),
            authors or None,
            (record.get("genre") or {}).get("label"),
            record["text"],
            _j(record),
            content_hash,
            version,
            ts,
        ),
    )
    n = cur.lastrowid
    con.execute(
        "INSERT INTO fts_tok(rowid, tok) VALUES (?, ?)",
        (n, tok if tok is not None else token_string(record["text"])),
    )

    ents = record.get("entities") or []
    con.executemany(
        "INSERT INTO entities(id, name, name_en, type, surname_key) VALUES (?,?,?,?,?) "
        "ON CONFLICT(id) DO UPDATE SET name_en = coalesce(entities.name_en, excluded.name_en)",
        [
            (
                e["id"],
                e["name"],
                e.get("name_en"),
                e["type"],
                surname_key(e["name"]) if e["type"] == "PERSON" else None,
            )
            for e in ents
        ],
    )
    mrows = []
    for e in ents:
        methods = {r.get("mention"): r.get("method") for r in e.get("resolution") or []}
        for i, m in enumerate(e.get("mentions") or []):
            mrows.append(
                (doc_id, e["id"], m["text"], m["start"], m["end"], methods.get(i), variant_key(m["text"]))
            )
    con.executemany("INSERT OR IGNORE INTO mentions VALUES (?,?,?,?,?,?,?)", mrows)

    con.executemany(
        "INSERT INTO quantities VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [
            (
                doc_id, i, q.get("text") or "", q.get("start"), q.get("end"), _num(q.get("value")), q.get("unit"),
                int(bool(q.get("approx"))), q.get("qualifier"), _num(q.get("range_to")), q.get("subject"),
                q.get("source"), *_span(q.get("source_span")), q.get("source_entity_id"),
            )
            for i, q in enumerate(record.get("quantities") or [])
        ],
    )  # fmt: skip
    con.executemany(
        "INSERT INTO claims VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        [
            (
                doc_id, c.get("id", i), c.get("text") or "", c.get("start"), c.get("end"), c.get("speaker"),
                *_span(c.get("speaker_span")), c.get("speaker_entity_id"), c.get("cue"), c.get("kind"),
                *_span(c.get("content_span")),
            )
            for i, c in enumerate(record.get("claims") or [])
        ],
    )  # fmt: skip
    con.executemany(
        "INSERT INTO events VALUES (?,?,?,?,?,?,?,?)",
        [
            (doc_id, i, ev.get("text") or "", ev.get("start"), ev.get("end"), ev.get("date"),
             _j(ev.get("entities") or []), _j(ev.get("claim_ids") or []))
            for i, ev in enumerate(record.get("events") or [])
        ],
    )  # fmt: skip
    con.executemany(
        "INSERT OR IGNORE INTO frames VALUES (?,?,?,?,?,?,?,?,?,?)",
        [
            (doc_id, f["id"], f.get("label"), f.get("label_en"), f.get("family"), _num(f.get("score")),
             f.get("voice"), *_span((f.get("evidence") or [None])[0]), _j(f.get("evidence") or []))
            for f in record.get("frames") or []
        ],
    )  # fmt: skip
    con.executemany(
        "INSERT INTO stance VALUES (?,?,?,?,?,?,?,?,?,?)",
        [
            (doc_id, i, s.get("target") or "", s.get("target_name"), _num(s.get("score")) or 0.0,
             s.get("mentions"), *_span((s.get("evidence") or [None])[0]), _j(s.get("evidence") or []),
             _j(s.get("drivers") or []))
            for i, s in enumerate(record.get("stance") or [])
        ],
    )  # fmt: skip
    con.executemany(
        "INSERT INTO timex VALUES (?,?,?,?,?,?,?,?,?,?)",
        [
            (doc_id, i, t.get("text") or "", t.get("start"), t.get("end"), t.get("value"), t.get("type"),
             None if t.get("resolved") is None else int(bool(t.get("resolved"))),
             t.get("anchor") if not isinstance(t.get("anchor"), dict | list) else _j(t.get("anchor")),
             t.get("zone"))
            for i, t in enumerate(record.get("timex") or [])
        ],
    )  # fmt: skip


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
