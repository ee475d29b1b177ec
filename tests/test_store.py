"""SQLite store: idempotent and resumable ingest, changed articles, corpus-wide ids, reanalyze, export."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kansoku.read import iter_documents
from kansoku.store import db as store_db
from kansoku.store.ingest import ingest, reanalyze
from kansoku.store.search import search

ROOT = Path(__file__).resolve().parents[1]

CITIES = ["ハルキウ", "ヘルソン", "ザポリージャ", "オデーサ", "ドニプロ", "スムイ", "リヴィウ", "キーウ"]
ACTORS = ["ロシア軍", "ウクライナ軍", "欧州連合", "米国務省", "北大西洋条約機構"]

TABLES = (
    "documents", "sources", "files", "entities", *store_db.CHILD_TABLES, *store_db.DERIVED_TABLES, "fts_tri", "fts_tok"
)  # fmt: skip
KEYS = {
    "documents": "id",
    "sources": "source",
    "entities": "id",
    "mentions": 'doc_id, start, "end", entity_id',
    "quantities": "doc_id, idx",
    "claims": "doc_id, claim_id",
    "events": "doc_id, idx",
    "frames": "doc_id, frame_id",
    "stance": "doc_id, idx",
    "timex": "doc_id, idx",
    "fts_tri": "rowid",
    "fts_tok": "rowid",
    "files": "path",
    "doc_features": "n",
    "doc_entities": "n, entity_id",
    "entity_names": "entity_id, name",
    "vocab": "term",
    "lsh": "key, n",
}


def article(i: int) -> str:
    city = CITIES[i % len(CITIES)]
    actor = ACTORS[i % len(ACTORS)]
    return (
        f"{city}で{i + 3}日に攻撃 記事番号{i}\n\n"
        f"{city}の当局者によると、{i + 3}日未明に無人機{i + 10}機による攻撃があった。"
        f"{actor}は「状況を注視している」と述べた。住民約{(i + 1) * 100}人が避難したという。\n"
    )


def write_corpus(folder: Path, n: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        p = folder / f"a{i:03d}.txt"
        p.write_text(article(i), encoding="utf-8")
        paths.append(p)
    return paths


def table_counts(db: Path) -> dict[str, int]:
    con = sqlite3.connect(db)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        con.close()


def assert_no_duplicates(db: Path) -> None:
    con = sqlite3.connect(db)
    try:
        for table, key in KEYS.items():
            dup = con.execute(f"SELECT {key}, count(*) c FROM {table} GROUP BY {key} HAVING c > 1").fetchall()
            assert dup == [], f"{table} has duplicates: {dup[:3]}"
        # every document has exactly one row in each FTS table and every source points at a document
        assert (
            con.execute(
                "SELECT count(*) FROM documents WHERE n NOT IN (SELECT rowid FROM fts_tok)"
            ).fetchone()[0]
            == 0
        )
        assert (
            con.execute(
                "SELECT count(*) FROM sources WHERE doc_id NOT IN (SELECT id FROM documents)"
            ).fetchone()[0]
            == 0
        )
        # the rows derived for the corpus commands follow their documents (no stale band keys either)
        assert con.execute("SELECT count(*) FROM documents WHERE n NOT IN (SELECT n FROM doc_features)").fetchone() == (0,)
        for t in ("doc_features", "doc_entities", "lsh"):
            stale = con.execute(f"SELECT count(*) FROM {t} WHERE n NOT IN (SELECT n FROM documents)").fetchone()[0]
            assert stale == 0, t
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        con.close()


def run_cli(*args: object, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kansoku.cli", *map(str, args)], capture_output=True, text=True, cwd=cwd,
        timeout=300, env=env,
    )  # fmt: skip


def test_schema_wal_foreign_keys_and_meta(tmp_path: Path) -> None:
    con = store_db.connect(tmp_path / "k.db")
    try:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert con.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert con.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == store_db.STORE_SCHEMA_VERSION == "2"
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
        assert set(TABLES) | {"meta"} <= names
    finally:
        con.close()


def test_reingest_is_idempotent(tmp_path: Path) -> None:
    paths = write_corpus(tmp_path / "in", 6)
    db = tmp_path / "k.db"
    first = ingest(db, iter_documents([tmp_path / "in"]), workers=1, batch_size=4)
    assert (first.added, first.updated, first.unchanged, first.failed) == (6, 0, 0, 0)
    before = table_counts(db)
    assert before["documents"] == 6 and before["mentions"] > 0 and before["quantities"] > 0
    second = ingest(db, iter_documents([tmp_path / "in"]), workers=1, batch_size=4)
    assert (second.added, second.updated, second.unchanged, second.failed) == (0, 0, 6, 0)
    assert table_counts(db) == before
    assert_no_duplicates(db)
    # the sources table remembers the file's hash and mtime
    con = sqlite3.connect(db)
    row = con.execute(
        "SELECT content_hash, mtime, size FROM sources WHERE source = ?", (str(paths[0]),)
    ).fetchone()
    con.close()
    assert (
        len(row[0]) == 64
        and abs(row[1] - paths[0].stat().st_mtime) < 1e-3
        and row[2] == paths[0].stat().st_size
    )


def test_changed_article_replaces_its_rows(tmp_path: Path) -> None:
    paths = write_corpus(tmp_path / "in", 3)
    db = tmp_path / "k.db"
    ingest(db, iter_documents([tmp_path / "in"]), workers=1)
    before = table_counts(db)
    con = sqlite3.connect(db)
    old_id = con.execute("SELECT doc_id FROM sources WHERE source = ?", (str(paths[1]),)).fetchone()[0]
    con.close()
    assert search(db, "ヘルソン")
    paths[1].write_text(
        "ベルリンで首脳会談\n\nドイツとフランスの首脳は12日、ベルリンで会談した。\n", encoding="utf-8"
    )
    stats = ingest(db, iter_documents([tmp_path / "in"]), workers=1)
    assert (stats.added, stats.updated, stats.unchanged) == (0, 1, 2)
    after = table_counts(db)
    assert after["documents"] == before["documents"] == after["sources"]
    con = sqlite3.connect(db)
    new_id = con.execute("SELECT doc_id FROM sources WHERE source = ?", (str(paths[1]),)).fetchone()[0]
    assert new_id != old_id
    for t in ("documents", "mentions", "quantities", "claims", "events", "timex"):
        col = "id" if t == "documents" else "doc_id"
        assert con.execute(f"SELECT count(*) FROM {t} WHERE {col} = ?", (old_id,)).fetchone()[0] == 0, t
    con.close()
    assert search(db, "ヘルソン") == []
    assert [h["id"] for h in search(db, "ベルリン")] == [new_id]
    assert_no_duplicates(db)


def test_sigkill_mid_run_then_resume(tmp_path: Path) -> None:
    n = 40
    write_corpus(tmp_path / "in", n)
    db = tmp_path / "k.db"
    proc = subprocess.Popen(
        [sys.executable, "-m", "kansoku.cli", "ingest", str(tmp_path / "in"), "--db", str(db), "--batch-size", "4",
         "--workers", "1", "--quiet"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    committed = 0
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if db.exists():
                try:
                    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
                    committed = con.execute("SELECT count(*) FROM sources").fetchone()[0]
                    con.close()
                except sqlite3.OperationalError:
                    committed = 0
            if committed >= 4:
                break
            time.sleep(0.01)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read() if proc.stderr else ""
    assert 4 <= committed < n
    partial = table_counts(db)["documents"]
    assert 4 <= partial < n and partial % 4 == 0  # whole batches only

    r = run_cli("ingest", tmp_path / "in", "--db", db, "--batch-size", "4", "--workers", "1", "--quiet")
    assert r.returncode == 0, r.stderr
    assert f"unchanged {partial}," in r.stderr and f"added {n - partial}," in r.stderr
    counts = table_counts(db)
    assert counts["documents"] == counts["sources"] == counts["fts_tri"] == counts["fts_tok"] == n
    assert_no_duplicates(db)
    con = sqlite3.connect(db)
    srcs = sorted(Path(r[0]).name for r in con.execute("SELECT source FROM sources"))
    con.close()
    assert srcs == [f"a{i:03d}.txt" for i in range(n)]
    for i in (0, n - 1):
        assert any(f"記事番号{i}\n" in h["title"] + "\n" for h in search(db, f"記事番号{i}"))


def test_cli_ingest_summary_and_bad_inputs(tmp_path: Path) -> None:
    write_corpus(tmp_path / "in", 2)
    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    r = run_cli("ingest", tmp_path / "in", tmp_path / "nope.txt", "--workers", "1", cwd=tmp_path)
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert any(line.startswith("kansoku: ") and "nope.txt: no such file" in line for line in lines)
    assert any(line.startswith("kansoku: ") and "empty.txt: " in line for line in lines)
    assert "added 2, updated 0, unchanged 0, failed 2" in lines[-1] and "articles/s" in lines[-1]
    assert (tmp_path / "kansoku.db").exists()  # default location: the current directory


def test_surname_is_linked_to_full_name_already_in_store(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    (tmp_path / "a.txt").write_text(
        "米シンクタンク所長のアンドルー・ミクタ氏は15日、ロシアの停戦案を批判した。\n", encoding="utf-8"
    )
    (tmp_path / "b.txt").write_text(
        "ミクタ氏は16日、ウクライナ東部の戦況について語った。\n", encoding="utf-8"
    )
    ingest(db, iter_documents([tmp_path / "a.txt"]), workers=1)
    ingest(db, iter_documents([tmp_path / "b.txt"]), workers=1)
    con = sqlite3.connect(db)
    full = con.execute("SELECT id FROM entities WHERE name = 'アンドルー・ミクタ'").fetchone()[0]
    rows = con.execute(
        "SELECT DISTINCT m.entity_id FROM mentions m JOIN documents d ON d.id = m.doc_id "
        "WHERE d.source = ? AND m.text LIKE 'ミクタ%'",
        (str(tmp_path / "b.txt"),),
    ).fetchall()
    rec = json.loads(
        con.execute(
            "SELECT record_json FROM documents WHERE source = ?", (str(tmp_path / "b.txt"),)
        ).fetchone()[0]
    )
    con.close()
    assert rows == [(full,)]
    assert full in {e["id"] for e in rec["entities"]}
    assert titles_for(db, "", entity="アンドルー・ミクタ") == 2


def test_surname_stored_first_is_relinked_when_full_name_arrives(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    (tmp_path / "a.txt").write_text(
        "米シンクタンク所長のアンドルー・ミクタ氏は15日、ロシアの停戦案を批判した。\n", encoding="utf-8"
    )
    (tmp_path / "b.txt").write_text(
        "ミクタ氏は16日、ウクライナ東部の戦況について語った。\n", encoding="utf-8"
    )
    ingest(db, iter_documents([tmp_path / "b.txt"]), workers=1)
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM entities WHERE id LIKE 'x:person:%ミクタ'").fetchone()[0] == 1
    con.close()
    stats = ingest(db, iter_documents([tmp_path / "a.txt"]), workers=1)
    assert stats.relinked == 1
    con = sqlite3.connect(db)
    full = con.execute("SELECT id FROM entities WHERE name = 'アンドルー・ミクタ'").fetchone()[0]
    ids = {r[0] for r in con.execute("SELECT DISTINCT entity_id FROM mentions WHERE text LIKE 'ミクタ%'")}
    bare_left = con.execute("SELECT count(*) FROM entities WHERE name = 'ミクタ'").fetchone()[0]
    con.close()
    assert ids == {full} and bare_left == 0
    assert titles_for(db, "", entity="アンドルー・ミクタ") == 2
    assert_no_duplicates(db)
    assert_text_features_match_records(db)  # the relinked document kept its stored token pass


def assert_text_features_match_records(db: Path) -> int:
    """The stored token string, term counts and MinHash of every document are what its record gives."""
    import numpy as np

    from kansoku.store.features import text_features

    con = sqlite3.connect(db)
    try:
        rows = con.execute("SELECT n, record_json FROM documents ORDER BY n").fetchall()
        for n, rj in rows:
            got, want = store_db.stored_text_features(con, n), text_features(json.loads(rj))
            assert got is not None, n
            assert (got.tok, got.terms, got.heads) == (want.tok, want.terms, want.heads), n
            assert list(got.terms) == list(want.terms)  # first-occurrence order, as encoded
            assert np.array_equal(got.signature, want.signature), n
        return len(rows)
    finally:
        con.close()


def _boom(record: dict) -> None:
    raise RuntimeError("derive failed")


def test_a_failing_derive_leaves_the_record_to_the_caller() -> None:
    from kansoku.model import DERIVED, RawDoc
    from kansoku.pipeline import run

    raw = RawDoc(source="a.txt", text="ロシア外務省は15日、声明を出した。")
    [rec] = list(run([raw], workers=1, derive=_boom))
    assert isinstance(rec, dict) and DERIVED not in rec and rec["text"]
    [rec] = list(run([raw], workers=1, derive=len))
    assert rec[DERIVED] == len(rec) - 1  # the record's keys, before the derived one was added


def test_workers_derive_the_stored_text_features(tmp_path: Path) -> None:
    """Ingest computes the store's token pass in the analysis workers (pipeline.run(derive=...)); what it
    stores equals the features computed from the stored record in this process."""
    db = tmp_path / "k.db"
    stats = ingest(db, paths=[ROOT / "examples" / "corpus"], workers=2)
    assert stats.failed == 0 and stats.added > 10
    assert assert_text_features_match_records(db) == stats.added


def titles_for(db: Path, q: str, **kw: str) -> int:
    return len(search(db, q, **kw))


def test_reanalyze_after_pipeline_change(tmp_path: Path) -> None:
    write_corpus(tmp_path / "in", 3)
    db = tmp_path / "k.db"
    ingest(db, iter_documents([tmp_path / "in"]), workers=1)
    before = table_counts(db)
    con = sqlite3.connect(db)
    con.execute(
        "UPDATE documents SET pipeline_version = 'old' WHERE rowid IN (SELECT rowid FROM documents LIMIT 2)"
    )
    con.commit()
    con.close()
    stats = reanalyze(db, workers=1)
    assert (stats.updated, stats.unchanged, stats.failed) == (2, 1, 0)
    assert table_counts(db) == before
    con = sqlite3.connect(db)
    versions = {r[0] for r in con.execute("SELECT pipeline_version FROM documents")}
    con.close()
    assert versions == {store_db.pipeline_version()}
    # the raw files have not changed: a new ingest finds nothing to do
    again = ingest(db, iter_documents([tmp_path / "in"]), workers=1)
    assert again.unchanged == 3 and again.added == again.updated == 0
    assert_no_duplicates(db)


def test_export_jsonl_csv_and_reload_records(tmp_path: Path) -> None:
    from kansoku.cli import app

    write_corpus(tmp_path / "in", 3)
    db = tmp_path / "k.db"
    ingest(db, iter_documents([tmp_path / "in"]), workers=1)
    runner = CliRunner()
    r = runner.invoke(app, ["export", "--db", str(db), "--format", "jsonl", "--out", str(tmp_path / "x")])
    assert r.exit_code == 0, r.output
    for t in ("documents", "entities", "mentions", "quantities", "claims", "events", "frames"):
        assert (tmp_path / "x" / f"{t}.jsonl").exists(), t
    docs = [
        json.loads(x) for x in (tmp_path / "x" / "documents.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert len(docs) == 3 and {"id", "source", "title", "text", "published"} <= set(docs[0])
    mentions = (tmp_path / "x" / "mentions.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(mentions) == table_counts(db)["mentions"]

    r = runner.invoke(app, ["export", "--db", str(db), "--format", "csv", "--out", str(tmp_path / "c")])
    assert r.exit_code == 0, r.output
    # CSV starts with a UTF-8 byte order mark by default (Excel), then the header
    assert (
        (tmp_path / "c" / "quantities.csv")
        .read_text(encoding="utf-8")
        .startswith("\ufeffdoc_id,idx,text,start,end")
    )

    # records load back into a fresh store without analysis, and only once
    db2 = tmp_path / "k2.db"
    rec = tmp_path / "x" / "documents.records.jsonl"
    s1 = ingest(db2, iter(()), records_files=[rec])
    s2 = ingest(db2, iter(()), records_files=[rec])
    assert (s1.added, s2.unchanged, s2.added) == (3, 3, 0)
    c1, c2 = table_counts(db), table_counts(db2)
    assert c1 == c2
    r = run_cli("ingest", rec, "--db", db2, "--quiet")
    assert r.returncode == 0 and "unchanged 3" in r.stderr


def test_parquet_export_needs_pyarrow(tmp_path: Path) -> None:
    import importlib.util

    from kansoku.cli import app

    db = tmp_path / "k.db"
    store_db.connect(db).close()
    r = CliRunner().invoke(
        app, ["export", "--db", str(db), "--format", "parquet", "--out", str(tmp_path / "p")]
    )
    if importlib.util.find_spec("pyarrow") is None:
        assert r.exit_code == 2 and "pip install pyarrow" in r.output
    else:
        assert r.exit_code == 0 and (tmp_path / "p" / "documents.parquet").exists()


@pytest.mark.parametrize("bad", ["--stance=Russia"])
def test_search_usage_errors(tmp_path: Path, bad: str) -> None:
    db = tmp_path / "k.db"
    store_db.connect(db).close()
    r = run_cli("search", "停戦", "--db", db, bad)
    assert r.returncode == 2 and r.stderr.startswith("kansoku: --stance")


# ------------------------------------------------------------------------ re-ingest without parsing


def test_unchanged_files_are_skipped_before_parsing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = write_corpus(tmp_path / "in", 5)
    db = tmp_path / "k.db"
    read: list[str] = []

    def reader(files: list[Path]):  # type: ignore[no-untyped-def]
        read.extend(str(f) for f in files)
        return iter_documents(files)

    first = ingest(db, paths=[tmp_path / "in"], read=reader, workers=1)
    assert (first.added, first.unchanged, first.failed) == (5, 0, 0) and len(read) == 5
    read.clear()
    import kansoku.pipeline

    def no_analysis(*a: object, **k: object) -> None:
        raise AssertionError("an unchanged corpus must not start the analysis")

    monkeypatch.setattr(kansoku.pipeline, "run", no_analysis)
    again = ingest(db, paths=[tmp_path / "in"], read=reader, workers=1)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 5) and read == []
    monkeypatch.undo()
    paths[2].write_text("リヴィウで会談\n\nポーランドとウクライナの外相は20日、リヴィウで会談した。\n", encoding="utf-8")
    changed = ingest(db, paths=[tmp_path / "in"], read=reader, workers=1)
    assert (changed.added, changed.updated, changed.unchanged) == (0, 1, 4) and read == [str(paths[2])]
    assert_no_duplicates(db)


def test_a_file_with_a_failed_item_is_read_again(tmp_path: Path) -> None:
    src = tmp_path / "feed.jsonl"
    src.write_text(
        json.dumps({"text": "キーウで15日、攻撃があった。", "title": "攻撃"}, ensure_ascii=False) + "\n{broken\n",
        encoding="utf-8",
    )
    db = tmp_path / "k.db"
    read: list[str] = []

    def reader(files: list[Path]):  # type: ignore[no-untyped-def]
        read.extend(str(f) for f in files)
        return iter_documents(files)

    first = ingest(db, paths=[src], read=reader, workers=1)
    assert (first.added, first.failed) == (1, 1)
    again = ingest(db, paths=[src], read=reader, workers=1)
    assert (again.added, again.unchanged, again.failed) == (0, 1, 1) and read == [str(src), str(src)]
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM files").fetchone()[0] == 0
    con.close()


def test_walk_finds_what_the_reader_reads(tmp_path: Path) -> None:
    from kansoku.store.ingest import walk_inputs

    write_corpus(tmp_path / "in" / "sub", 2)
    (tmp_path / "in" / ".hidden.txt").write_text("x", encoding="utf-8")
    (tmp_path / "in" / "logo.png").write_bytes(b"\x89PNG")
    (tmp_path / "empty").mkdir()
    given = [tmp_path / "in", tmp_path / "in" / "sub" / "a000.txt", tmp_path / "empty", tmp_path / "nope.txt"]
    walked = [str(x) if isinstance(x, Path) else (x.source, x.reason, x.level) for x in walk_inputs(given)]
    read = [
        x.source if not hasattr(x, "reason") else (x.source, x.reason, x.level) for x in iter_documents(given)
    ]
    assert walked == read


# ------------------------------------------------------------------------------------ schema 1 → 2


def test_schema_1_store_is_refused_by_readers_and_upgraded_by_reanalyze(tmp_path: Path) -> None:
    from kansoku.cli import app

    db = tmp_path / "old.db"
    con = sqlite3.connect(db)
    con.executescript((ROOT / "tests" / "data" / "store_v1.sql").read_text(encoding="utf-8"))
    con.close()
    runner = CliRunner()
    for args in (["search", "キーウ"], ["entity", "キーウ"], ["stories"]):
        r = runner.invoke(app, [*args, "--db", str(db)])
        assert r.exit_code == 2, (args, r.output)
        assert r.output.strip() == (
            f"kansoku: {db}: store schema version 1 was written by an older kansoku (this one reads 2); "
            "upgrade it in place with `kansoku reanalyze`"
        )
    r = runner.invoke(app, ["reanalyze", "--db", str(db), "--workers", "1", "--quiet"])
    assert r.exit_code == 0, r.output
    con = sqlite3.connect(db)
    assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] == "2"
    assert con.execute("SELECT count(*) FROM doc_features").fetchone()[0] == 2
    con.close()
    assert_no_duplicates(db)
    assert [h["title"] for h in search(db, "キーウ")] == ["キーウで15日に攻撃"]
    r = runner.invoke(app, ["entity", "ポクロウシク", "--db", str(db), "--format", "json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["id"] == "gpe:pokrovsk"


def test_stories_are_cached_in_the_store_until_it_changes(tmp_path: Path) -> None:
    from kansoku.corpus.base import Corpus
    from kansoku.corpus.stories import cluster_stories

    write_corpus(tmp_path / "in", 4)
    db = tmp_path / "k.db"
    ingest(db, paths=[tmp_path / "in"], workers=1)
    with Corpus.open(db) as c:
        first = cluster_stories(c, min_size=1)
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM story_cache").fetchone()[0] == 1
    con.execute("UPDATE story_cache SET result = '[\"cached\"]'")
    con.commit()
    con.close()
    with Corpus.open(db) as c:
        assert cluster_stories(c, min_size=1) == ["cached"]  # served from the cache
    (tmp_path / "in" / "new.txt").write_text(article(99), encoding="utf-8")
    ingest(db, paths=[tmp_path / "in"], workers=1)
    with Corpus.open(db) as c:
        again = cluster_stories(c, min_size=1)
    assert sum(s["size"] for s in again) == sum(s["size"] for s in first) + 1


def test_reanalyze_keeps_the_provenance_of_stored_records(tmp_path: Path) -> None:
    """Inputs whose bytes are not kept are re-analysed from the stored record: every author with its kind,
    the outlet, dates, canonical URL and original source survive."""
    pages = Path(__file__).parent / "data" / "pages"
    db = tmp_path / "k.db"
    ingest(db, iter_documents([pages]), workers=1)

    def provenance() -> dict[str, tuple]:
        con = sqlite3.connect(db)
        out = {}
        for source, js in con.execute("SELECT source, record_json FROM documents"):
            m = json.loads(js)["metadata"]
            out[source] = (
                [(a["name"], a["kind"]) for a in m["authors"]], m["outlet"], m["published"], m["updated"],
                m["url"], m["original"], json.loads(js)["title"],
            )
        con.close()
        return out

    before = provenance()
    assert sum(len(v[0]) for v in before.values()) >= 20
    stats = reanalyze(db, all_documents=True, workers=1)
    assert stats.updated == len(before) and stats.failed == 0
    assert provenance() == before
