"""Engine pieces that need no Spark: the column mapping, Parquet round trip, the bytes reader, the errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from engine_helpers import EXAMPLES, ROOT, canonical

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")


@pytest.fixture(scope="module")
def example_records() -> list[dict]:
    from kansoku.engine.local import expand
    from kansoku.pipeline import analyze_batch
    from kansoku.resolve.corpus import link_corpus

    raws = [r for r in expand([str(EXAMPLES), str(ROOT / "tests" / "data" / "pages")]) if not hasattr(r, "reason")]
    return link_corpus([r for r in analyze_batch(raws) if isinstance(r, dict)])


def _types(spec) -> set[str]:
    if isinstance(spec, list):
        return {"array"}
    if isinstance(spec, dict):
        return {"object"}
    if spec.startswith("map<"):
        return {"object"}
    return {"string": {"string"}, "long": {"integer"}, "double": {"number"}, "number": {"number", "integer"},
            "bool": {"boolean"}}[spec]


def test_every_schema_property_is_a_column_of_a_matching_type():
    from kansoku.engine.contract import columns
    from kansoku.schema import schema

    sch = schema()

    def walk(node: dict, spec, where: str) -> int:
        node = {**node, **{k: v for part in node.get("allOf", []) for k, v in
                           sch["$defs"][part["$ref"].split("/")[-1]].items()}} if "allOf" in node else node
        if "$ref" in node:
            node = sch["$defs"][node["$ref"].split("/")[-1]]
        checked = 0
        declared = node.get("type")
        if declared is not None:
            allowed = {declared} if isinstance(declared, str) else set(declared)
            assert _types(spec) & (allowed | {"null"}), f"{where}: column {spec} vs schema {declared}"
            checked += 1
        for name, sub in (node.get("properties") or {}).items():
            assert isinstance(spec, dict), f"{where}.{name}: schema has fields, column is {spec}"
            fields = {k.rstrip("?"): v for k, v in spec.items()}
            assert name in fields, f"{where}.{name} is in output.schema.json but not in output.columns.json"
            checked += walk(sub, fields[name], f"{where}.{name}")
        if isinstance(node.get("items"), dict) and isinstance(spec, list):
            checked += walk(node["items"], spec[0], where + "[]")
        return checked

    assert walk(sch, columns(), "record") > 60


def test_columns_version_follows_the_contract():
    from kansoku import SCHEMA_VERSION
    from kansoku.engine.contract import columns_version

    assert columns_version() == SCHEMA_VERSION


def test_records_fit_the_columns_and_survive_a_parquet_round_trip(tmp_path, example_records):
    from kansoku.engine.contract import arrow_schema, check_record, to_record

    for r in example_records:
        check_record(r)
    schema = arrow_schema(with_extras=False)
    rows = [{**r, "metadata": {**r["metadata"], "field_sources": list(r["metadata"]["field_sources"].items())},
             "sourcing": {**r["sourcing"], "counts": list(r["sourcing"]["counts"].items())},
             "pipeline": list(r["pipeline"].items())} for r in example_records]
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), tmp_path / "r.parquet")
    back = [to_record(x) for x in pq.read_table(tmp_path / "r.parquet").to_pylist()]
    assert len(back) == len(example_records) >= 30
    for a, b in zip(example_records, back, strict=True):
        assert canonical(a) == canonical(b), a["source"]
    # integral numbers come back as integers, others as floats
    values = [q["value"] for r in back for q in r["quantities"]]
    assert any(isinstance(v, int) for v in values) and all(isinstance(v, int | float) for v in values)


def test_a_record_with_an_unknown_field_is_refused_not_truncated(example_records):
    from kansoku.engine.contract import ContractMismatch, check_record

    rec = json.loads(json.dumps(example_records[0]))
    rec["entities"][0]["confidence"] = 0.9
    with pytest.raises(ContractMismatch, match=r"entities\[0\]\.confidence"):
        check_record(rec)
    rec = json.loads(json.dumps(example_records[0]))
    rec["sentences"] = [["a", "b"]]
    with pytest.raises(ContractMismatch, match="sentences"):
        check_record(rec)


def test_bytes_reader_reads_like_the_file_reader():
    from kansoku.engine.partition import read_bytes
    from kansoku.read import iter_documents

    folders = [EXAMPLES, ROOT / "tests" / "data" / "read", ROOT / "tests" / "data" / "pages"]
    files = sorted(p for f in folders for p in f.iterdir() if p.is_file() and not p.name.startswith("."))
    compared = 0
    for p in files:
        want = list(iter_documents([p]))
        got = list(read_bytes(p.read_bytes(), p.name, str(p)))
        assert [repr(x) for x in got] == [repr(x) for x in want], p.name
        compared += len(want)
    assert compared >= 45


def test_corpus_links_last_full_name_wins_and_ambiguous_surnames_stay():
    from kansoku.resolve.corpus import corpus_links

    links = corpus_links([("ミクタ", "x:person:a", "アンドルー・ミクタ", None),
                          ("スミス", "x:person:s1", "ジョン・スミス", None),
                          ("スミス", "x:person:s2", "アダム・スミス", None),
                          ("ミクタ", "x:person:a", "アンドリュー・ミクタ", "Andrew Michta")])
    assert links == {"ミクタ": ("x:person:a", "アンドリュー・ミクタ", "Andrew Michta")}


def _cli(args: list[str], env: dict | None = None) -> subprocess.CompletedProcess:
    e = {**os.environ, "PYTHONPATH": str(ROOT / "src"), **(env or {})}
    return subprocess.run([sys.executable, "-m", "kansoku.cli", *args], capture_output=True, text=True,
                          env=e, timeout=120, cwd=ROOT)


def test_engine_spark_without_pyspark_is_one_line(tmp_path):
    fake = tmp_path / "fake" / "pyspark"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('no pyspark here')\n")
    r = _cli(["analyze", str(EXAMPLES / "01_wire_kramatorsk_toa.txt"), "--engine", "spark"],
             {"PYTHONPATH": f"{tmp_path / 'fake'}{os.pathsep}{ROOT / 'src'}"})
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [
        "kansoku: --engine spark needs pyspark, which is not installed: pip install 'kansoku[spark]'"]


def test_engine_spark_without_java_is_one_line(tmp_path):
    pytest.importorskip("pyspark")
    env = {k: v for k, v in os.environ.items() if k != "JAVA_HOME"}
    env["PATH"] = str(Path(sys.executable).parent)
    env["PYTHONPATH"] = str(ROOT / "src")
    r = subprocess.run([sys.executable, "-m", "kansoku.cli", "spark-job", str(EXAMPLES), "--out",
                        str(tmp_path / "o.parquet")], capture_output=True, text=True, env=env, timeout=120, cwd=ROOT)
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1
    assert "needs Java 17" in r.stderr


def test_spark_options_need_the_spark_engine():
    r = _cli(["analyze", str(EXAMPLES / "01_wire_kramatorsk_toa.txt"), "--spark-master", "local[2]",
              "--engine", "local"])
    assert r.returncode == 2 and r.stderr.strip() == "kansoku: --spark-master and --partitions need --engine spark"


def test_unknown_engine_is_a_usage_error():
    r = _cli(["analyze", str(EXAMPLES / "01_wire_kramatorsk_toa.txt"), "--engine", "dask"])
    assert r.returncode == 2 and "unknown engine 'dask'" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_load_refuses_what_is_not_a_run_in_one_line(tmp_path):
    db = tmp_path / "k.db"
    r = _cli(["load", str(tmp_path / "none.parquet"), "--db", str(db), "-q"])
    assert r.returncode == 1
    assert r.stderr.splitlines()[0] == f"kansoku: {tmp_path / 'none.parquet'}: no such file or directory"
    pq.write_table(pa.table({"x": [1]}), tmp_path / "other.parquet")
    r = _cli(["load", str(tmp_path / "other.parquet"), "--db", str(db), "-q"])
    assert r.returncode == 1
    assert r.stderr.splitlines()[0] == (f"kansoku: {tmp_path / 'other.parquet'}: not a kansoku run "
                                        "(no column error, id, source, text)")
