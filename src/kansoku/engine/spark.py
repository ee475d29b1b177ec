"""The Spark engine: the same ``analyze_batch`` in ``mapInPandas``, from ``local[2]`` to a cluster.

Plan of a run (:func:`run_job`)::

    binaryFile listing (local paths, hdfs://, s3a:// …)      Parquet of raw documents
        │ mapInPandas: kansoku's readers on the bytes            │ mapInPandas: record_to_doc
        └──────────────── raw documents (pickled RawDoc) ────────┘
                 │ repartition (optional)
                 │ mapInPandas: analyze_batch → record JSON + full-name persons   (persisted)
                 ├─ groupBy surname / id → the small link table, collected on the driver
                 │ mapInPandas: apply_links
                 │ from_json(contract columns)
                 ▼
          Parquet: one row per document (the output contract's fields as columns) or per failed
          input (``error`` set), with ``input_order``

pyspark is imported only here and only when the engine is asked for; without pyspark or Java the CLI
says so in one line.  Models are loaded lazily by the modules that use them, so once per executor Python
worker (Spark reuses its Python workers between tasks).  A document that makes analysis raise is that
document's error row; a task that dies (a lost executor, a killed worker) is retried by Spark.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kansoku.engine import EngineConfig, EngineError
from kansoku.engine.partition import END_KEY, Root, analyze_rows, link_rows, locate, read_files, source_of
from kansoku.model import ReadError
from kansoku.pipeline import Options

#: columns of the rows between the stages (see kansoku.engine.partition)
ROW_DDL = (
    "root int, okey string, item int, source string, kind string, message string, raw binary, "
    "record string, anchors array<struct<key:string, id:string, name:string, name_en:string>>"
)
#: files above this size are not read whole into a task (the local reader's limit, kansoku.read)
PARQUET_SUFFIX = ".parquet"
ARROW_BATCH = 64


def _require_pyspark() -> None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        raise EngineError(
            "--engine spark needs pyspark, which is not installed: pip install 'kansoku[spark]'"
        ) from None
    if not os.environ.get("JAVA_HOME") and shutil.which("java") is None:
        raise EngineError(
            "--engine spark needs Java 17 (no java on PATH and JAVA_HOME is not set): "
            "apt-get install openjdk-17-jre-headless"
        )


def session(master: str | None = None, app: str = "kansoku"):  # type: ignore[no-untyped-def]
    """A SparkSession: MASTER if given, else the one spark-submit set, else ``local[*]``.

    Spark's own logging goes to ERROR level so that the command's stderr keeps kansoku's one-line messages.
    """
    _require_pyspark()
    from pyspark.sql import SparkSession

    # under spark-submit the gateway exists already and the master is spark-submit's
    submitted = "PYSPARK_GATEWAY_PORT" in os.environ
    master = master or (None if submitted else "local[*]")
    if master and master.startswith("local"):
        # executors of a local master run this very Python (and its kansoku)
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    log4j = Path(__file__).with_name("log4j2.properties")
    builder = SparkSession.builder.appName(app)
    if master:
        builder = builder.master(master)
        cores = _local_cores(master)
        if cores:
            # Spark's default of 200 shuffle partitions means 200 Python tasks per stage on a laptop
            builder = builder.config("spark.sql.shuffle.partitions", str(2 * cores))
    builder = (
        builder.config("spark.ui.showConsoleProgress", "false")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", str(ARROW_BATCH))
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        # Python workers live across tasks: kansoku's models load once per worker, not once per task
        .config("spark.python.worker.reuse", "true")
        .config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile=file:{log4j}")
    )
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # noqa: BLE001 - the gateway's errors come in many types
        raise EngineError(f"cannot start Spark (master {master or 'from spark-submit'}): {_first_line(exc)}") from None
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _local_cores(master: str) -> int | None:
    """Cores of a ``local``, ``local[N]``, ``local[*]`` or ``local[N,F]`` master; None for a cluster."""
    import re

    if master == "local":
        return 1
    m = re.fullmatch(r"local\[(\*|\d+)(?:,\s*\d+)?\]", master.strip())
    if not m:
        return None
    return os.cpu_count() or 1 if m.group(1) == "*" else max(1, int(m.group(1)))


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith(("Traceback", "at ", "py4j")):
            return line[:300]
    return text.splitlines()[0][:300]


# ------------------------------------------------------------------------------------------ inputs


@dataclass
class Plan:
    """The inputs of a run: roots (files and folders), what the listing loads, what failed up front."""

    roots: list[Root] = field(default_factory=list)
    load: list[str] = field(default_factory=list)  # file/folder URIs for the binaryFile source
    parquet: list[Root] = field(default_factory=list)  # Parquet datasets of raw documents
    missing: list[ReadError] = field(default_factory=list)


def _is_uri(s: str) -> bool:
    return "://" in s or s.startswith("file:")


def plan_inputs(spark, inputs: Sequence[str]) -> Plan:  # type: ignore[no-untyped-def]
    """Resolve INPUTS (local paths or URIs) to roots, in the order given."""
    plan = Plan()
    jvm = spark.sparkContext._jvm
    hconf = spark.sparkContext._jsc.hadoopConfiguration()
    seen: set[str] = set()
    for given in inputs:
        given = str(given)
        if _is_uri(given):
            try:
                p = jvm.org.apache.hadoop.fs.Path(given)
                fs = p.getFileSystem(hconf)
                if not fs.exists(p):
                    plan.missing.append(ReadError(given, "no such file or directory"))
                    continue
                is_dir = fs.getFileStatus(p).isDirectory()
                uri = str(fs.makeQualified(p).toString())
            except Exception as exc:  # noqa: BLE001
                plan.missing.append(ReadError(given, f"cannot open: {_first_line(exc)}"))
                continue
            local = False
        else:
            path = Path(given)
            if not path.exists():
                kind = "broken symbolic link" if path.is_symlink() else "no such file or directory"
                plan.missing.append(ReadError(given, kind))
                continue
            is_dir = path.is_dir()
            uri = "file:" + os.path.abspath(given)
            local = True
        if uri in seen:
            continue
        seen.add(uri)
        root = Root(len(plan.roots), given, uri.rstrip("/") if is_dir else uri, is_dir, local)
        plan.roots.append(root)
    for root in plan.roots:
        if root.uri.rstrip("/").lower().endswith(PARQUET_SUFFIX):
            plan.parquet.append(root)
            continue
        # a file or folder inside another folder input is listed through that folder; ``locate`` gives
        # each file to the first input (in given order) that contains it, as the local reader does
        inside = any(o is not root and o.is_dir and root.uri.startswith(o.uri + "/") for o in plan.roots)
        if not inside:
            plan.load.append(root.uri)
    return plan


# ------------------------------------------------------------------------------------------ stages


def _frame(rows: list[dict]):  # type: ignore[no-untyped-def]
    import pandas as pd

    cols = ["root", "okey", "item", "source", "kind", "message", "raw", "record", "anchors"]
    return pd.DataFrame([{c: r.get(c) for c in cols} for r in rows], columns=cols)


def _read_stage(roots: list[Root]):  # type: ignore[no-untyped-def]
    def fn(batches: Iterator[Any]) -> Iterator[Any]:
        for pdf in batches:
            rows = list(read_files(zip(pdf["path"], pdf["content"], strict=True), roots))
            if rows:
                yield _frame(rows)

    return fn


def _parquet_stage(roots: list[Root]):  # type: ignore[no-untyped-def]
    """Rows of a Parquet dataset of raw documents (columns text/html, title, url, published, author, outlet,
    id as in JSON Lines input) → doc rows with sources ``FILE#ROW`` or ``FILE#ID``."""

    def fn(batches: Iterator[Any]) -> Iterator[Any]:
        import pickle

        from kansoku.read.errors import ReadFailure
        from kansoku.read.jsonl import record_to_doc

        for pdf in batches:
            rows = []
            for rec in pdf.to_dict("records"):
                path, index = rec.pop("__file"), int(rec.pop("__row"))
                found = locate(path, roots)
                if found is None:
                    continue
                root, parts = found
                base = {"root": root.index, "okey": "\x00".join(parts), "item": index}
                source = f"{source_of(root, parts, path)}#{index + 1}"
                clean = {k: (None if _is_na(v) else v) for k, v in rec.items()}
                if isinstance(clean.get("id"), float) and clean["id"].is_integer():
                    clean["id"] = int(clean["id"])
                try:
                    doc = record_to_doc(clean, source, what=f"row {index + 1}")
                except ReadFailure as failure:
                    rows.append({**base, "source": source, "kind": "error", "message": failure.reason})
                    continue
                except Exception as exc:  # noqa: BLE001 - a reader bug must not end the job
                    rows.append({**base, "source": source, "kind": "error",
                                 "message": f"unexpected {type(exc).__name__} while reading: {exc}"[:300]})
                    continue
                rows.append({**base, "source": doc.source, "kind": "doc",
                             "raw": pickle.dumps(doc, protocol=pickle.HIGHEST_PROTOCOL)})
            if rows:
                yield _frame(rows)

    return fn


def _is_na(v: Any) -> bool:
    try:
        import pandas as pd

        return v is None or (not isinstance(v, list | dict | bytes | str) and bool(pd.isna(v)))
    except (TypeError, ValueError):
        return False


def _analyze_stage(options: Options):  # type: ignore[no-untyped-def]
    def fn(batches: Iterator[Any]) -> Iterator[Any]:
        for pdf in batches:
            rows = [{k: (None if _is_na(v) else v) for k, v in r.items()} for r in pdf.to_dict("records")]
            out = list(analyze_rows(rows, options))
            if out:
                yield _frame(out)

    return fn


def _read_and_analyze_stage(roots: list[Root], options: Options):  # type: ignore[no-untyped-def]
    def fn(batches: Iterator[Any]) -> Iterator[Any]:
        for pdf in batches:
            rows = read_files(zip(pdf["path"], pdf["content"], strict=True), roots)
            out = list(analyze_rows(rows, options))
            if out:
                yield _frame(out)

    return fn


def _link_stage(links_bc):  # type: ignore[no-untyped-def]
    def fn(batches: Iterator[Any]) -> Iterator[Any]:
        links = links_bc.value
        for pdf in batches:
            rows = [{k: (None if _is_na(v) else v) for k, v in r.items()} for r in pdf.to_dict("records")]
            out = list(link_rows(rows, links))
            if out:
                yield _frame(out)

    return fn


# ------------------------------------------------------------------------------------------ the job


@dataclass
class JobResult:
    records: int = 0
    errors: int = 0
    notes: list[ReadError] = field(default_factory=list)  # folder notes (warnings) and up-front errors


def analysed_frame(spark, inputs: Sequence[str], options: Options, partitions: int | None = None):  # type: ignore[no-untyped-def]
    """Read and analyse INPUTS: a DataFrame of rows (``ROW_DDL``), persisted, plus the plan and the
    rows made on the driver (inputs that do not exist, files too large to read whole)."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    from kansoku.read import MAX_FILE_BYTES

    plan = plan_inputs(spark, inputs)
    parts = []
    driver_rows: list[dict] = [
        {"root": -1, "okey": "", "item": n, "source": e.source, "kind": "error", "message": e.reason}
        for n, e in enumerate(plan.missing)
    ]
    if plan.load:
        files = spark.read.format("binaryFile").option("recursiveFileLookup", "true").load(plan.load)
        parts.append(
            files.filter(F.col("length") <= MAX_FILE_BYTES)
            .select("path", "content")
            .mapInPandas(_read_stage(plan.roots), ROW_DDL)
        )
        for big in files.filter(F.col("length") > MAX_FILE_BYTES).select("path", "length").collect():
            driver_rows.extend(_big_file_rows(big["path"], big["length"], plan.roots, MAX_FILE_BYTES))
        # Spark makes no split of an empty file, so it never reaches a task: read it here (one error row)
        driver_rows.extend(read_files(((p, b"") for p in _empty_files(spark, plan)), plan.roots))
    for root in plan.parquet:
        raw = spark.read.parquet(root.uri)
        keep = [c for c in ("text", "html", "title", "url", "published", "author", "outlet", "id")
                if c in raw.columns]
        if "text" not in keep and "html" not in keep:
            driver_rows.append({"root": root.index, "okey": "", "item": 0, "source": root.given, "kind": "error",
                                "message": "Parquet of raw documents needs a text or html column"})
            continue
        parts.append(
            raw.select(*keep, F.col("_metadata.file_path").alias("__file"),
                       F.col("_metadata.row_index").alias("__row"))
            .mapInPandas(_parquet_stage(plan.roots), ROW_DDL)
        )  # fmt: skip
    if driver_rows:
        parts.append(spark.createDataFrame([_full(r) for r in driver_rows], ROW_DDL))
    if not parts:
        return plan, spark.createDataFrame([], ROW_DDL)
    rows = parts[0]
    for p in parts[1:]:
        rows = rows.unionByName(p)
    default_par = spark.sparkContext.defaultParallelism
    if partitions:
        rows = rows.repartition(partitions)
    elif rows.rdd.getNumPartitions() < default_par:
        rows = rows.repartition(2 * default_par)
    elif len(parts) == 1 and plan.load and not driver_rows:
        # files only, split well enough: read and analyse in one Python worker per task (no second copy of
        # the rows through Arrow, one worker's memory per slot)
        rows = files.filter(F.col("length") <= MAX_FILE_BYTES).select("path", "content").mapInPandas(
            _read_and_analyze_stage(plan.roots, options), ROW_DDL
        )
        return plan, rows.persist(StorageLevel.MEMORY_AND_DISK)
    analysed = rows.mapInPandas(_analyze_stage(options), ROW_DDL).persist(StorageLevel.MEMORY_AND_DISK)
    return plan, analysed


def _empty_files(spark, plan: Plan) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """Zero-length files of the inputs, named as the file listing names them: local inputs with os.walk,
    URIs with a Hadoop listing on the driver (names and sizes only)."""
    by_uri = {r.uri: r for r in plan.roots}
    remote = []
    for uri in plan.load:
        root = by_uri[uri]
        if not root.local:
            remote.append(uri)
            continue
        top = uri.removeprefix("file:")
        if not root.is_dir:
            if os.path.getsize(top) == 0:
                yield uri
            continue
        for folder, dirs, names in os.walk(top):
            dirs[:] = [d for d in dirs if not d.startswith(("_", "."))]
            for name in names:
                full = os.path.join(folder, name)
                if not name.startswith(("_", ".")) and os.path.isfile(full) and os.path.getsize(full) == 0:
                    yield "file:" + full
    if not remote:
        return
    jvm = spark.sparkContext._jvm
    hconf = spark.sparkContext._jsc.hadoopConfiguration()
    for uri in remote:
        path = jvm.org.apache.hadoop.fs.Path(uri)
        it = path.getFileSystem(hconf).listFiles(path, True)
        while it.hasNext():
            st = it.next()
            if st.getLen() == 0 and not st.getPath().getName().startswith(("_", ".")):
                yield str(st.getPath().toString())


def _full(row: dict) -> dict:
    return {"raw": None, "record": None, "anchors": None, "message": None, **row}


def _big_file_rows(path: str, size: int, roots: list[Root], limit: int) -> list[dict]:
    from kansoku.engine.partition import _skipped_in_folder

    found = locate(path, roots)
    if found is None:
        return []
    root, parts = found
    base = {"root": root.index, "okey": "\x00".join(parts), "item": 0, "source": source_of(root, parts, path)}
    if parts and root.is_dir:
        why = _skipped_in_folder(parts)
        if why == "hidden":
            return []
        if why is not None:
            return [{**base, "kind": "skip", "message": why}]
    what = "a Spark task reads a file whole; split it (or convert JSON Lines to Parquet)"
    return [{**base, "kind": "error",
             "message": f"file is {size / 1024**2:.1f} MB, over the {limit / 1024**2:.0f} MB limit; {what}"}]


def corpus_links(analysed) -> dict:  # type: ignore[no-untyped-def]
    """The corpus step's link table, as a Spark aggregation over the full-name persons of all records."""
    from pyspark.sql import functions as F

    anchors = analysed.filter(F.col("kind") == "record").select(
        "root", "okey", "item", F.posexplode("anchors").alias("pos", "a")
    )
    order = F.struct("root", "okey", "item", "pos")
    by_id = anchors.groupBy(F.col("a.id").alias("id")).agg(
        F.max_by(F.struct(F.col("a.name").alias("name"), F.col("a.name_en").alias("name_en")), order).alias("n")
    )
    by_key = (
        anchors.groupBy(F.col("a.key").alias("key"))
        .agg(F.countDistinct("a.id").alias("ids"), F.first("a.id").alias("id"))
        .filter(F.col("ids") == 1)
    )
    table = by_key.join(by_id, "id").select("key", "id", "n.name", "n.name_en")
    return {r["key"]: (r["id"], r["name"], r["name_en"]) for r in table.collect()}


def folder_notes(analysed, plan: Plan) -> tuple[list[dict], list[ReadError]]:  # type: ignore[no-untyped-def]
    """The local reader's folder notes: ``skipped N files of unsupported formats`` (a warning) and
    ``folder contains no files to read`` (an error row)."""
    from pyspark.sql import functions as F

    counts: dict[int, dict[str, int]] = {}
    skipped: dict[int, dict[str, int]] = {}
    for r in analysed.groupBy("root", "kind", "message").count().filter(
        (F.col("kind") != "skip") | F.col("message").isNotNull()
    ).collect():
        if r["kind"] == "skip":
            skipped.setdefault(r["root"], {})[r["message"]] = r["count"]
        else:
            counts.setdefault(r["root"], {}).setdefault("found", 0)
            counts[r["root"]]["found"] += r["count"]
    error_rows: list[dict] = []
    warnings: list[ReadError] = []
    for root in plan.roots:
        if not root.is_dir or root in plan.parquet:
            continue
        found = counts.get(root.index, {}).get("found", 0)
        sk = skipped.get(root.index, {})
        note = ""
        if sk:
            kinds = ", ".join(f"{k} {n}" for k, n in sorted(sk.items(), key=lambda kv: (-kv[1], kv[0]))[:8])
            total = sum(sk.values())
            note = f"skipped {total} file{'s' if total != 1 else ''} of unsupported formats"
            if found:
                warnings.append(ReadError(root.given, f"{note} ({kinds})", level="warning"))
            else:
                note = f" ({note}: {kinds})"
        if not found:
            error_rows.append({"root": root.index, "okey": END_KEY, "item": 0, "source": root.given,
                               "kind": "error", "message": "folder contains no files to read" + note})
    return error_rows, warnings


def linked_frame(spark, analysed, plan: Plan):  # type: ignore[no-untyped-def]
    """Corpus step applied; folder error rows added. Rows still as ``ROW_DDL``; also the folder warnings."""
    # the folder notes first: a one-branch aggregation, so it fills the cache of the analysed rows; the
    # link table's join would otherwise run both of its sides at once, each analysing the documents
    extra, warnings = folder_notes(analysed, plan)
    links = corpus_links(analysed)
    bc = spark.sparkContext.broadcast(links)
    linked = analysed.mapInPandas(_link_stage(bc), ROW_DDL).filter("kind != 'skip'")
    if extra:
        linked = linked.unionByName(spark.createDataFrame([_full(r) for r in extra], ROW_DDL))
    return linked, warnings


def contract_frame(linked):  # type: ignore[no-untyped-def]
    """Rows → the output contract's columns (``from_json`` with the column mapping), ``error`` and
    ``input_order``."""
    from pyspark.sql import functions as F

    from kansoku.engine.contract import ERROR_COLUMN, ORDER_COLUMN, spark_schema

    schema = spark_schema(with_extras=False)
    parsed = linked.select(
        F.from_json("record", schema, {"mode": "FAILFAST"}).alias("r"), "source", "kind", "message",
        F.struct("root", F.col("okey").alias("key"), "item").alias(ORDER_COLUMN),
    )  # fmt: skip
    cols = [F.col(f"r.{f.name}").alias(f.name) for f in schema.fields if f.name != "source"]
    cols.insert([f.name for f in schema.fields].index("source"), F.col("source"))
    return parsed.select(
        *cols,
        F.when(F.col("kind") == "error", F.col("message")).alias(ERROR_COLUMN),
        F.col(ORDER_COLUMN),
    )


def run_job(spark, inputs: Sequence[str], out: str, options: Options,  # type: ignore[no-untyped-def]
            partitions: int | None = None, mode: str = "errorifexists") -> JobResult:
    """Analyse INPUTS and write the Parquet dataset OUT (a path or URI); returns counts and folder notes."""
    from pyspark.sql import functions as F

    plan, analysed = analysed_frame(spark, inputs, options, partitions)
    try:
        linked, warnings = linked_frame(spark, analysed, plan)
        frame = contract_frame(linked)
        frame.write.mode(mode).parquet(out)
        written = spark.read.parquet(out)
        counts = written.select(
            F.sum(F.when(F.col("error").isNull(), 1).otherwise(0)).alias("ok"),
            F.sum(F.when(F.col("error").isNotNull(), 1).otherwise(0)).alias("bad"),
        ).first()
    finally:
        analysed.unpersist()
    return JobResult(records=int(counts["ok"] or 0), errors=int(counts["bad"] or 0), notes=warnings)


# ------------------------------------------------------------------------------------------ engine


class SparkEngine:
    """``--engine spark``: records come back to the driver (for ``analyze`` and ``ingest``)."""

    name = "spark"

    def __init__(self, config: EngineConfig | None = None) -> None:
        self.config = config or EngineConfig()
        _require_pyspark()

    def analyze(self, inputs: Sequence[str], options: Options) -> Iterator[dict | ReadError]:
        import json

        spark = session(self.config.master)
        try:
            plan, analysed = analysed_frame(spark, inputs, options, self.config.partitions)
        except Exception as exc:  # noqa: BLE001 - Py4J and Spark errors: one line, no traceback
            raise EngineError(f"spark job failed: {_first_line(exc)}") from None
        try:
            linked, warnings = linked_frame(spark, analysed, plan)
            # collect, not toLocalIterator: that runs one job per partition, one after the other; the
            # records end up in this process anyway, as with the local engine
            rows = [r.asDict() for r in linked.select("root", "okey", "item", "source", "kind", "message",
                                                       "record").collect()]
        except Exception as exc:  # noqa: BLE001 - Py4J and Spark errors: one line, no traceback
            raise EngineError(f"spark job failed: {_first_line(exc)}") from None
        finally:
            analysed.unpersist()
        notes = {w.source: w for w in warnings}
        rows.sort(key=lambda r: (r["root"], r["okey"], r["item"]))
        last_root = None
        for r in rows:
            if last_root is not None and r["root"] != last_root:
                yield from _note_for(plan, last_root, notes)
            last_root = r["root"]
            if r["kind"] == "record":
                yield json.loads(r["record"])
            else:
                yield ReadError(r["source"], r["message"])
        if last_root is not None:
            yield from _note_for(plan, last_root, notes)


def _note_for(plan: Plan, index: int, notes: dict[str, ReadError]) -> Iterator[ReadError]:
    if 0 <= index < len(plan.roots) and plan.roots[index].given in notes:
        yield notes.pop(plan.roots[index].given)
