"""A corpus as an SQLite store: the one thing stories, timeline and entity pages run on.

:class:`Corpus` wraps a store connection.  A store file is opened as it is (:meth:`Corpus.open`); records
that are not in a store (``--input FILE.jsonl``, the Python functions called with lists of records) are
first written into an in-memory store by the same writer as ``kansoku ingest`` (:meth:`Corpus.from_records`,
no full-text index), so both paths run the same SQL and give the same results.

Documents are taken in one canonical order everywhere: by date (:func:`kansoku.corpus.doc_date`; undated
last), then id.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from kansoku.store import db

#: SQL ordering of documents (``f`` = doc_features, ``d`` = documents).
DOC_ORDER = "coalesce(f.date, '9999'), d.id"


class Corpus:
    """A corpus view over a store connection (a file, or in memory)."""

    def __init__(self, con: sqlite3.Connection, owned: bool = True, persistent: bool = False) -> None:
        self.con = con
        self.owned = owned
        self.persistent = persistent  # a store file: results may be cached in it

    # ------------------------------------------------------------------------------------------ building

    @classmethod
    def open(cls, path: str | Path) -> Corpus:
        """A store file (read only use); :class:`kansoku.store.db.StoreVersionError` for older layouts."""
        return cls(db.connect(path, create=False, upgrade=False), persistent=True)

    @classmethod
    def from_records(cls, records: Iterable[dict]) -> Corpus:
        """An in-memory store holding ``records`` (the first of several records with one id is kept)."""
        con = db.memory_store()
        writer = db.StoreWriter(con)
        batch: list[tuple[dict, str, str, None]] = []
        seen: set[str] = set()
        con.execute("BEGIN")
        for r in records:
            rid = r.get("id")
            if not isinstance(rid, str) or rid in seen:
                continue
            seen.add(rid)
            batch.append((r, "", "memory", None))
            if len(batch) >= 256:
                writer.write(batch)
                batch = []
        writer.write(batch)
        con.execute("COMMIT")
        return cls(con)

    def subset(self, doc_ids: Iterable[str]) -> Corpus:
        """A new in-memory corpus of these documents only (a story's articles)."""
        return Corpus.from_records(self.records(doc_ids))

    def close(self) -> None:
        if self.owned:
            self.con.close()

    def __enter__(self) -> Corpus:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------------------------------- reading

    def size(self) -> int:
        return self.con.execute("SELECT count(*) FROM documents").fetchone()[0]

    def records(self, doc_ids: Iterable[str] | None = None) -> list[dict]:
        """Full records (all when ``doc_ids`` is None), in the canonical order."""
        sql = (
            "SELECT d.record_json FROM documents d JOIN doc_features f ON f.n = d.n "
            + ("" if doc_ids is None else "WHERE d.id IN (SELECT value FROM json_each(?)) ")
            + f"ORDER BY {DOC_ORDER}"
        )
        args = () if doc_ids is None else (json.dumps(list(doc_ids)),)
        return [json.loads(r[0]) for r in self.con.execute(sql, args)]

    def entity_names(self, ids: Iterable[str]) -> dict[str, tuple[str, str, str | None]]:
        """Entity id → (name, type, name_en) from the store's ``entities`` table."""
        ids = list(dict.fromkeys(ids))
        sql = "SELECT id, name, type, name_en FROM entities WHERE id IN ({})"
        return {r[0]: (r[1], r[2], r[3]) for r in db.rows_in(self.con, sql, ids)}


def as_corpus(records: Corpus | dict | Iterable[dict]) -> Corpus:
    """A :class:`Corpus` as it is, or one record / a list of records written into an in-memory store."""
    if isinstance(records, Corpus):
        return records
    if isinstance(records, dict):
        records = [records]
    return Corpus.from_records(records)
