"""The Spark engine on local[2]: the same records as the local engine, error rows, stories, the store.

One SparkSession for the whole test session; inputs are small (examples/corpus, a poison file, 200 livedoor
articles when ../shared is present).
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest
from engine_helpers import EXAMPLES, ROOT, canonical, run_local

from kansoku.model import ReadError


def _by_source(results: list) -> dict[str, dict]:
    return {r["source"]: canonical(r) for r in results if isinstance(r, dict)}


@pytest.fixture(scope="module")
def example_inputs(poison_file) -> list[str]:
    return [str(EXAMPLES), str(poison_file)]


@pytest.fixture(scope="module")
def local_examples(example_inputs) -> list:
    return run_local(example_inputs)


@pytest.fixture(scope="module")
def spark_examples(spark, example_inputs, tmp_path_factory):
    from kansoku.engine.load import read_records
    from kansoku.engine.spark import run_job
    from kansoku.pipeline import Options

    out = str(tmp_path_factory.mktemp("run") / "examples.parquet")
    result = run_job(spark, example_inputs, out, Options())
    recs, errors = read_records(out)
    return out, result, recs, errors


def test_parquet_run_equals_the_local_engine_on_the_sample_corpus(local_examples, spark_examples):
    _, result, recs, errors = spark_examples
    local = _by_source(local_examples)
    assert len(local) == 16
    assert result.records == len(recs) == 16
    # same records in the same input order: ids, sources and every value
    assert [r["source"] for r in recs] == [r["source"] for r in local_examples if isinstance(r, dict)]
    assert {r["source"]: canonical(r) for r in recs} == local
    # entity ids agree across partitions (the corpus step ran on Spark)
    ids = {e["id"] for r in recs for e in r["entities"]}
    assert ids == {e["id"] for r in local.values() for e in r["entities"]}


def test_a_poison_document_is_one_error_row_and_the_job_goes_on(local_examples, spark_examples, poison_file):
    _, result, recs, errors = spark_examples
    local_errors = [r for r in local_examples if isinstance(r, ReadError)]
    # precondition: the poison document really makes analysis raise (see POISON_LINES)
    assert [e.source for e in local_errors] == [f"{poison_file}#1"]
    assert result.errors == 1
    assert errors == [(f"{poison_file}#1", local_errors[0].reason)]
    assert errors[0][1].startswith("analysis failed: InjectedFault")
    assert f"{poison_file}#2" in {r["source"] for r in recs}


def test_parquet_columns_are_the_contract(spark, spark_examples):
    from kansoku.engine.contract import spark_schema

    out = spark_examples[0]
    df = spark.read.parquet(out)
    assert df.schema == spark_schema()
    row = df.filter("error IS NULL").select("schema_version", "metadata.field_sources", "entities").first()
    assert row["schema_version"] == "1.2"
    assert isinstance(row["field_sources"], dict) and row["entities"][0]["mentions"]


def test_engine_api_matches_local_including_folder_notes(spark, tmp_path):
    from kansoku.engine import EngineConfig, get_engine
    from kansoku.pipeline import Options

    folder = tmp_path / "mixed"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("ロシアのプーチン大統領は十日、声明を出した。", encoding="utf-8")
    (folder / "sub" / "b.md").write_text("# 見出し\n\nNATOは会合を開いた。", encoding="utf-8")
    (folder / "sub" / "記事 2.txt").write_text("中国外務省の報道官は記者会見で反発した。", encoding="utf-8")
    (folder / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    (folder / ".hidden.txt").write_text("隠し", encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (tmp_path / "nothing").mkdir()
    (tmp_path / "nothing" / "x.zip").write_bytes(b"PK\x03\x04")
    inputs = [str(folder), str(tmp_path / "missing.txt"), str(tmp_path / "nothing")]
    local = run_local(inputs)
    got = list(get_engine("spark", EngineConfig(master="local[2]")).analyze(inputs, Options()))
    show = [(type(x).__name__, x.source, x.reason, x.level) if isinstance(x, ReadError) else x["source"]
            for x in local]
    assert [(type(x).__name__, x.source, x.reason, x.level) if isinstance(x, ReadError) else x["source"]
            for x in got] == show
    assert [canonical(x) for x in got if isinstance(x, dict)] == [canonical(x) for x in local if isinstance(x, dict)]
    assert any(isinstance(x, ReadError) and x.level == "warning" for x in got)


def test_parquet_of_raw_documents_as_input(spark, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from kansoku.engine.load import read_records
    from kansoku.engine.spark import run_job
    from kansoku.pipeline import Options

    src = EXAMPLES / "12_articles.jsonl"
    rows = [json.loads(line) for line in src.read_text(encoding="utf-8").splitlines() if line.strip()]
    cols = sorted({k for r in rows for k in r})
    (tmp_path / "raw.parquet").mkdir()
    pq.write_table(pa.table({c: [r.get(c) for r in rows] for c in cols}), tmp_path / "raw.parquet" / "part-0.parquet")
    out = str(tmp_path / "out.parquet")
    run_job(spark, [str(tmp_path / "raw.parquet")], out, Options())
    recs, errors = read_records(out)
    local = [r for r in run_local([str(src)]) if isinstance(r, dict)]
    assert errors == [] and len(recs) == len(local) == 2
    assert [r["source"] for r in recs] == [f"{tmp_path / 'raw.parquet' / 'part-0.parquet'}#{n}" for n in (1, 2)]
    strip = lambda r: {k: v for k, v in canonical(r).items() if k != "source"}  # noqa: E731
    assert [strip(r) for r in recs] == [strip(r) for r in local]


def test_stories_and_near_duplicates_match_the_local_clustering(spark, spark_examples, local_examples):
    from kansoku.corpus.stories import cluster_stories, near_duplicates
    from kansoku.engine.stories import cluster_stories_spark

    recs = [r for r in local_examples if isinstance(r, dict)]
    want = cluster_stories(recs)
    got, dups = cluster_stories_spark(spark, spark.read.parquet(spark_examples[0]))
    assert dups == near_duplicates(sorted(recs, key=lambda r: r["id"]))
    assert dups, "the sample corpus has syndicated copies"
    assert got == want
    assert len(want) >= 2


def test_spark_job_stories_are_written_as_parquet(spark, spark_examples, local_examples, tmp_path):
    import pyarrow.parquet as pq

    from kansoku.corpus.stories import cluster_stories
    from kansoku.engine.stories import write_stories

    out = str(tmp_path / "stories.parquet")
    n = write_stories(spark, spark.read.parquet(spark_examples[0]), out)
    rows = pq.read_table(out).to_pylist()
    want = cluster_stories([r for r in local_examples if isinstance(r, dict)])
    assert n == len(rows) == len(want)
    assert sorted(rows, key=lambda s: s["id"]) == sorted(want, key=lambda s: s["id"])


def _kansoku(args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kansoku.cli", *args], capture_output=True, text=True, timeout=300,
                          cwd=ROOT, env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"})


def test_load_brings_a_run_into_the_store(spark, spark_examples, tmp_path, poison_file):
    from kansoku.engine.stories import cluster_stories_spark

    out, _, recs, _ = spark_examples
    db = tmp_path / "k.db"
    r = _kansoku(["load", out, "--db", str(db), "-q"])
    assert r.returncode == 1, r.stderr  # the poison row is a failed input
    lines = r.stderr.strip().splitlines()
    assert lines[0].startswith(f"kansoku: {poison_file}#1: analysis failed: InjectedFault")
    assert "added 16" in lines[-1] and "failed 1" in lines[-1]
    con = sqlite3.connect(db)
    stored = {row[0]: json.loads(row[1]) for row in con.execute("SELECT source, record_json FROM documents")}
    version = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
    con.close()
    assert {s: canonical(x) for s, x in stored.items()} == {x["source"]: canonical(x) for x in recs}
    # the store is the current layout and the corpus commands run on it: the stories of the store are
    # those of the Spark run, full-text search finds the articles
    from kansoku.store.db import STORE_SCHEMA_VERSION

    assert version == STORE_SCHEMA_VERSION
    r = _kansoku(["stories", "--db", str(db), "-f", "json"])
    assert r.returncode == 0, r.stderr
    got, _ = cluster_stories_spark(spark, spark.read.parquet(out))
    assert json.loads(r.stdout) == got and got
    r = _kansoku(["search", "クラマトルスク", "--db", str(db), "-f", "jsonl"])
    assert r.returncode == 0, r.stderr
    hits = [json.loads(line) for line in r.stdout.splitlines() if line.strip()]
    assert len(hits) >= 2


@pytest.fixture(scope="module")
def livedoor_run(spark, livedoor_200, tmp_path_factory):
    from kansoku.engine.spark import run_job
    from kansoku.pipeline import Options

    local = run_local(livedoor_200)
    out = str(tmp_path_factory.mktemp("livedoor") / "livedoor.parquet")
    result = run_job(spark, livedoor_200, out, Options(), partitions=4)
    return local, out, result


def test_livedoor_200_equal_to_the_local_engine(livedoor_run, livedoor_200):
    from kansoku.engine.load import read_records

    local, out, result = livedoor_run
    recs, errors = read_records(out)
    assert [e for e in local if isinstance(e, ReadError)] == [] and errors == []
    assert result.records == len(recs) == len(livedoor_200) == 200
    assert [canonical(r) for r in recs] == [canonical(r) for r in local]


def test_livedoor_200_stories_match_the_local_clustering(spark, livedoor_run):
    from kansoku.corpus.stories import cluster_stories, near_duplicates
    from kansoku.engine.stories import cluster_stories_spark

    local, out, _ = livedoor_run
    recs = [r for r in local if isinstance(r, dict)]
    want = cluster_stories(recs)
    got, dups = cluster_stories_spark(spark, spark.read.parquet(out))
    assert dups == near_duplicates(recs)
    assert got == want
    assert want, "200 livedoor articles hold stories of two articles or more"


def test_spark_submit_runs_the_cluster_entry(spark, tmp_path):
    """The spark-submit line of the README, on a local master: the entry file runs `kansoku spark-job`."""
    import os
    import shutil
    from pathlib import Path

    import pyspark

    submit = Path(pyspark.__file__).parent / "bin" / "spark-submit"
    if not submit.exists():
        submit = Path(shutil.which("spark-submit") or "")
    assert submit.is_file(), "pyspark ships bin/spark-submit"
    import kansoku.engine.spark_job as entry

    out = tmp_path / "submitted.parquet"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "PYSPARK_PYTHON": sys.executable}
    r = subprocess.run([str(submit), "--master", "local[1]", entry.__file__,
                        str(EXAMPLES / "01_wire_kramatorsk_toa.txt"), "--out", str(out)],
                       capture_output=True, text=True, timeout=600, env=env, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-2000:]
    # spark-submit keeps Spark's own log lines (its JVM starts before kansoku) and passes the Python
    # driver's stderr on through its stdout; kansoku's summary line is among them
    assert f"kansoku: {out}: 1 record, 0 failed" in (r.stdout + r.stderr).splitlines()
    from kansoku.engine.load import read_records

    recs, errors = read_records(out)
    assert errors == [] and [x["source"] for x in recs] == [str(EXAMPLES / "01_wire_kramatorsk_toa.txt")]


def test_a_surname_is_folded_into_a_full_name_found_in_another_partition(spark, tmp_path):
    """The corpus step: ミクタ氏 (document b) takes the id of アンドルー・ミクタ (document a), though Spark
    analyses the two documents in different partitions."""
    from kansoku.engine.load import read_records
    from kansoku.engine.spark import run_job
    from kansoku.pipeline import Options

    (tmp_path / "a.txt").write_text(
        "米大西洋評議会のアンドルー・ミクタ上級研究員は十日、ワシントンで講演し、欧州の防衛費について語った。\n",
        encoding="utf-8")
    (tmp_path / "b.txt").write_text(
        "ミクタ氏は「ロシアの脅威は続く」と述べた。ミクタ氏はまた、北大西洋条約機構（NATO）の結束を強調した。\n",
        encoding="utf-8")
    inputs = [str(tmp_path / "a.txt"), str(tmp_path / "b.txt")]
    out = str(tmp_path / "out.parquet")
    run_job(spark, inputs, out, Options(), partitions=2)
    assert len(spark.read.parquet(out).inputFiles()) == 2  # two partitions, one document each
    recs, _ = read_records(out)
    person = [e for e in recs[1]["entities"] if e["type"] == "PERSON"]
    assert [(e["id"], e["name"]) for e in person] == [("x:person:アンドルミクタ", "アンドルー・ミクタ")]
    assert {x["method"] for x in person[0]["resolution"]} == {"short_form_corpus"}
    assert [canonical(r) for r in recs] == [canonical(r) for r in run_local(inputs)]
