"""Engine commands and options: ``--engine`` for ``analyze``/``ingest``, ``kansoku spark-job``, ``kansoku load``.

* ``kansoku analyze|ingest ... --engine spark [--spark-master URL] [--partitions N]`` — the same records,
  computed by Spark; they come back to this process (for a file or the store).
* ``kansoku spark-job INPUTS... --out URI`` — the cluster entry (also run by ``spark-submit`` through
  ``kansoku/engine/spark_job.py``): writes the records as Parquet where Spark writes (``hdfs://``,
  ``s3a://``, a local folder), one row per document or failed input.
* ``kansoku load PARQUET... --db FILE`` — brings such a run into the local SQLite store for the UI and the
  corpus commands.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from kansoku.cliutil import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    DbOption,
    Reporter,
    check_target,
    err,
    progress,
    store_path,
)
from kansoku.model import ReadError

EngineOption = Annotated[
    str, typer.Option("--engine", help="Where to run the analysis: local (this machine) or spark.")
]
MasterOption = Annotated[
    str | None,
    typer.Option("--spark-master", help="Spark master URL (default: spark-submit's, else local[*]).",
                 show_default=False),
]  # fmt: skip
PartitionsOption = Annotated[
    int | None,
    typer.Option("--partitions", help="Spark: partitions of the analysis stage (default: the input's split).",
                 min=1, show_default=False),
]  # fmt: skip

#: error lines printed by spark-job and load before a summary line
MAX_ERROR_LINES = 20


def engine_or_exit(name: str, master: str | None, partitions: int | None, workers: int | None = None):  # type: ignore[no-untyped-def]
    """The engine NAME, or one line on stderr and exit 2 when it cannot run here."""
    from kansoku.engine import EngineConfig, EngineError, get_engine

    if name == "local" and (master or partitions):
        err("--spark-master and --partitions need --engine spark")
        raise typer.Exit(EXIT_USAGE)
    try:
        return get_engine(name, EngineConfig(workers=workers, master=master, partitions=partitions))
    except EngineError as exc:
        err(str(exc))
        raise typer.Exit(EXIT_USAGE) from None


def collect_with_engine(engine, paths: list[Path], options, quiet: bool) -> tuple[list[dict], int]:  # type: ignore[no-untyped-def]
    """``kansoku analyze`` with another engine: (corpus-linked records, failures), errors reported."""
    from kansoku.engine import EngineError

    records: list[dict] = []
    failures = 0
    with progress("analyse", quiet) as rep:
        try:
            for r in engine.analyze([str(p) for p in paths], options):
                if isinstance(r, ReadError):
                    failures += r.level != "warning"
                    rep.error(r)
                    continue
                rep.warnings(r["source"], r.get("warnings"))
                records.append(r)
                rep.item(r["source"])
        except EngineError as exc:
            err(str(exc))
            raise typer.Exit(EXIT_USAGE) from None
    return records, failures


def ingest_with_engine(engine, target: Path, option: str, paths: list[Path], options, batch_size: int,  # type: ignore[no-untyped-def]
                       quiet: bool) -> None:
    """``kansoku ingest`` with another engine: analyse there, then store the records (as ``--records``)."""
    from kansoku.store.ingest import find_records_files

    analyse, records_files = find_records_files(paths, False)
    records, failures = collect_with_engine(engine, analyse, options, quiet) if analyse else ([], 0)
    with tempfile.TemporaryDirectory(prefix="kansoku-engine-") as tmp:
        staged = Path(tmp) / f"{engine.name}.records.jsonl"
        with staged.open("w", encoding="utf-8") as fh:
            for r in records:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
        with progress("ingest", quiet) as rep:
            stats = _store_records(target, option, [staged, *records_files], batch_size, rep)
    _finish(target, stats, failures)


def _store_records(target: Path, option: str, files: list[Path], batch_size: int, rep: Reporter):  # type: ignore[no-untyped-def]
    """Ingest record files (JSON Lines of analysed records) into the store TARGET; a store that cannot be
    opened or written is one line and exit status 2."""
    from kansoku.store.ingest import ingest as run_ingest

    try:
        return run_ingest(target, iter(()), batch_size=batch_size, records_files=files,
                          on_error=rep.error, on_item=rep.item)  # fmt: skip
    except (RuntimeError, OSError, sqlite3.DatabaseError) as exc:
        err(f"{option} {target}: {exc}")
        raise typer.Exit(EXIT_USAGE) from None


def _finish(target: Path, stats, failed: int) -> NoReturn:  # type: ignore[no-untyped-def]
    """The ingest summary line, and the exit status: 1 when anything failed (FAILED more inputs before)."""
    stats.failed += failed
    err(f"{target}: {stats.summary()}")
    raise typer.Exit(EXIT_FAILED if stats.failed else EXIT_OK)


def _report_errors(rep: Reporter, errors: Iterator[tuple[str, str]], where: str) -> int:
    n = 0
    for source, reason in errors:
        n += 1
        if n <= MAX_ERROR_LINES:
            rep.line(f"{source}: {reason}")
    if n > MAX_ERROR_LINES:
        rep.line(f"{where}: {n - MAX_ERROR_LINES} more failed inputs (rows with error set)")
    return n


def register(app: typer.Typer) -> None:
    """Add ``spark-job`` and ``load`` to APP."""

    @app.command("spark-job")
    def spark_job(
        inputs: Annotated[list[str], typer.Argument(help="Files, folders or URIs (text/HTML/JSONL/feeds, "
                                                         "*.parquet of raw documents).")],
        out: Annotated[str, typer.Option("--out", "-o", help="Parquet dataset to write (path or URI).")],
        stories: Annotated[
            str | None, typer.Option(help="Also write story clusters and near-duplicates here (Parquet).")
        ] = None,
        spark_master: MasterOption = None,
        partitions: PartitionsOption = None,
        published_default: Annotated[
            str | None, typer.Option(help="Publication date (YYYY-MM-DD) for articles that state none.")
        ] = None,
        max_chars: Annotated[int, typer.Option(help="Refuse documents longer than this many characters.")] = 2_000_000,
        overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace OUT when it exists.")] = False,
    ) -> None:
        """Analyse INPUTS on Spark and write the records as Parquet (run it with spark-submit on a cluster)."""
        from kansoku.engine import EngineError
        from kansoku.engine.spark import _first_line, run_job, session
        from kansoku.pipeline import Options

        if published_default is not None:
            from kansoku.cli import _is_date

            if not _is_date(published_default):
                err(f"--published-default: expected YYYY-MM-DD, got {published_default!r}")
                raise typer.Exit(EXIT_USAGE)
        for target, opt in ((out, "--out"), (stories, "--stories")):
            if target and "://" not in target and not target.startswith("file:"):
                p = Path(target)
                if p.exists() and not overwrite:
                    err(f"{opt} {target}: already exists (pass --overwrite to replace it)")
                    raise typer.Exit(EXIT_USAGE)
                if not p.parent.is_dir():
                    err(f"{opt} {target}: folder {p.parent} does not exist")
                    raise typer.Exit(EXIT_USAGE)
        try:
            spark = session(spark_master, app="kansoku spark-job")
        except EngineError as exc:
            err(str(exc))
            raise typer.Exit(EXIT_USAGE) from None
        options = Options(published_default=published_default, max_chars=max_chars)
        mode = "overwrite" if overwrite else "errorifexists"
        try:
            result = run_job(spark, inputs, out, options, partitions, mode=mode)
            if stories:
                from kansoku.engine.stories import write_stories

                n_stories = write_stories(spark, spark.read.parquet(out), stories, mode=mode)
        except Exception as exc:  # noqa: BLE001 - Spark's errors: one line, never a traceback
            err(f"spark job failed: {_first_line(exc)}")
            raise typer.Exit(EXIT_USAGE) from None
        rep = Reporter()
        for note in result.notes:
            rep.error(note)
        if result.errors:
            from pyspark.sql import functions as F

            rows = (spark.read.parquet(out).filter(F.col("error").isNotNull())
                    .orderBy("input_order").select("source", "error").limit(MAX_ERROR_LINES + 1).collect())
            _report_errors(rep, ((r["source"], r["error"]) for r in rows[:MAX_ERROR_LINES]), out)
            if result.errors > MAX_ERROR_LINES:
                rep.line(f"{out}: {result.errors - MAX_ERROR_LINES} more failed inputs (rows with error set)")
        summary = f"{out}: {result.records} record{'s' if result.records != 1 else ''}, {result.errors} failed"
        if stories:
            summary += f"; {stories}: {n_stories} stories"
        err(summary)
        raise typer.Exit(EXIT_FAILED if result.errors else EXIT_OK)

    @app.command()
    def load(
        parquet: Annotated[list[Path], typer.Argument(help="Parquet datasets written by kansoku spark-job.")],
        db: DbOption = None,
        batch_size: Annotated[int, typer.Option(help="Articles per database transaction.", min=1)] = 32,
        quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    ) -> None:
        """Store the records of a Spark run (Parquet) in the local store, without re-analysis."""
        from kansoku.engine.load import LoadError, parquet_to_jsonl
        from kansoku.outputs import check_store

        target, option = store_path(db)
        check_target(check_store, target, option, write=True)
        failed = 0
        with tempfile.TemporaryDirectory(prefix="kansoku-load-") as tmp, progress("load", quiet) as rep:
            staged: list[Path] = []
            for k, p in enumerate(parquet):
                dest = Path(tmp) / f"{k}.records.jsonl"
                try:
                    errors = parquet_to_jsonl(p, dest)
                except LoadError as exc:
                    err(str(exc))
                    failed += 1
                    continue
                failed += _report_errors(rep, iter(errors), str(p))
                staged.append(dest)
            stats = _store_records(target, option, staged, batch_size, rep)
        _finish(target, stats, failed)


def spark_job_main(argv: list[str] | None = None) -> None:
    """``spark-submit .../kansoku/engine/spark_job.py INPUTS --out URI``: the ``spark-job`` command."""
    import sys

    from kansoku.cli import app

    os.environ.setdefault("KANSOKU_SPARK_SUBMIT", "1")
    app(["spark-job", *(sys.argv[1:] if argv is None else argv)], prog_name="kansoku")
