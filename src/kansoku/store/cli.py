"""Store commands for the kansoku CLI: ``ingest``, ``reanalyze``, ``search``, ``export``.

:func:`register` adds them to the Typer app of :mod:`kansoku.cli`.  The store defaults to ``kansoku.db``
in the current directory; ``--db`` or ``$KANSOKU_DB`` override it.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Callable, Iterable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated

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
    quiet_workers,
    store_path,
)
from kansoku.engine.cli import EngineOption, MasterOption, PartitionsOption
from kansoku.model import RawDoc, ReadError
from kansoku.outputs import TargetError, check_folder, check_store
from kansoku.store.db import StoreVersionError

CollectRaw = Callable[[list[Path]], Iterator[RawDoc | ReadError]]


class SearchFormat(StrEnum):
    table = "table"
    jsonl = "jsonl"


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"
    parquet = "parquet"


def _with_warnings(items: Iterable[RawDoc | ReadError], rep: Reporter) -> Iterator[RawDoc | ReadError]:
    """Pass ITEMS through, reporting each read warning of a RawDoc as it is read."""
    for it in items:
        if isinstance(it, RawDoc):
            rep.warnings(it.source, it.warnings)
        yield it


def register(app: typer.Typer, collect_raw: CollectRaw) -> None:
    """Add the store commands to APP; COLLECT_RAW expands input paths into RawDoc | ReadError."""

    @app.command()
    def ingest(
        paths: Annotated[
            list[Path], typer.Argument(help="Article files or folders (recursive), or *.records.jsonl.")
        ],
        db: DbOption = None,
        workers: Annotated[
            int | None, typer.Option(help="Worker processes (default: CPU count, max 4).")
        ] = None,
        batch_size: Annotated[int, typer.Option(help="Articles per database transaction.", min=1)] = 32,
        records: Annotated[
            bool,
            typer.Option("--records", help="PATHS are exported records (JSON Lines): store, do not analyse."),
        ] = False,
        published_default: Annotated[
            str | None, typer.Option(help="Publication date (YYYY-MM-DD) for articles that state none.")
        ] = None,
        quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
        engine: EngineOption = "local",
        spark_master: MasterOption = None,
        partitions: PartitionsOption = None,
    ) -> None:
        """Analyse PATHS and store them; unchanged articles are skipped, a killed run resumes."""
        from kansoku.store.ingest import find_records_files, is_records_source
        from kansoku.store.ingest import ingest as run_ingest

        target, option = store_path(db)
        check_target(check_store, target, option, write=True)
        if engine != "local" or spark_master or partitions:
            from kansoku.engine.cli import engine_or_exit, ingest_with_engine
            from kansoku.pipeline import Options

            runner = engine_or_exit(engine, spark_master, partitions, workers)
            opts = Options(published_default=published_default)
            ingest_with_engine(runner, target, option, paths, opts, batch_size, quiet)
        analyse, records_files = find_records_files(paths, records)
        skip = (lambda s: is_records_source(s)) if records_files else None
        quiet_workers(workers)
        try:
            with progress("ingest", quiet) as rep:
                stats = run_ingest(
                    target, paths=analyse, read=lambda files: _with_warnings(collect_raw(files), rep), workers=workers,
                    batch_size=batch_size, published_default=published_default, records_files=records_files,
                    skip_sources=skip, on_error=rep.error, on_item=rep.item,
                )  # fmt: skip
        except StoreVersionError as exc:
            err(str(exc))
            raise typer.Exit(EXIT_USAGE) from None
        except (RuntimeError, OSError, sqlite3.DatabaseError) as exc:
            err(f"{option} {target}: {exc}")
            raise typer.Exit(EXIT_USAGE) from None
        err(f"{target}: {stats.summary()}")
        raise typer.Exit(EXIT_FAILED if stats.failed else EXIT_OK)

    @app.command()
    def reanalyze(
        db: DbOption = None,
        all_documents: Annotated[
            bool, typer.Option("--all", help="Re-analyse every document, not only those of older pipelines.")
        ] = False,
        workers: Annotated[int | None, typer.Option(help="Worker processes.")] = None,
        batch_size: Annotated[int, typer.Option(help="Articles per database transaction.", min=1)] = 32,
        quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    ) -> None:
        """Re-run the analysis on stored texts analysed by another pipeline version."""
        from kansoku.store.ingest import reanalyze as run_reanalyze

        target, option = store_path(db)
        check_target(check_store, target, option)
        check_target(check_store, target, option, write=True)
        quiet_workers(workers)
        try:
            with progress("reanalyze", quiet) as rep:
                stats = run_reanalyze(
                    target, all_documents=all_documents, workers=workers, batch_size=batch_size,
                    on_error=rep.error, on_item=rep.item,
                )  # fmt: skip
        except StoreVersionError as exc:
            err(str(exc))
            raise typer.Exit(EXIT_USAGE) from None
        except (OSError, RuntimeError, sqlite3.DatabaseError) as exc:
            err(f"{option} {target}: {exc}")
            raise typer.Exit(EXIT_USAGE) from None
        err(f"{target}: {stats.summary()}")
        raise typer.Exit(EXIT_FAILED if stats.failed else EXIT_OK)

    @app.command()
    def search(
        query: Annotated[
            str, typer.Argument(help="Words to find (all must match); any length, e.g. 露 停戦.")
        ],
        db: DbOption = None,
        format: Annotated[
            SearchFormat, typer.Option("--format", "-f", help="Output format.")
        ] = SearchFormat.table,
        limit: Annotated[int, typer.Option("--limit", "-n", help="Maximum hits.", min=1)] = 20,
        entity: Annotated[str | None, typer.Option(help="Only articles mentioning this entity.")] = None,
        outlet: Annotated[str | None, typer.Option(help="Only this outlet (substring).")] = None,
        author: Annotated[str | None, typer.Option(help="Only this author (substring).")] = None,
        since: Annotated[str | None, typer.Option(help="Published on or after YYYY-MM-DD.")] = None,
        until: Annotated[str | None, typer.Option(help="Published on or before YYYY-MM-DD.")] = None,
        frame: Annotated[str | None, typer.Option(help="Only articles with this frame id.")] = None,
        stance: Annotated[str | None, typer.Option(help="TARGET:pos or TARGET:neg.")] = None,
        genre: Annotated[str | None, typer.Option(help="Only this genre label.")] = None,
        exact: Annotated[
            bool, typer.Option("--exact", help="Do not expand entity names to their spellings.")
        ] = False,
    ) -> None:
        """Full-text search of the store (BM25), entity-aware, with filters."""
        from kansoku.store.search import check_query, rich_markup
        from kansoku.store.search import search as run_search

        target, option = store_path(db)
        try:
            check_query(query, entity, outlet, author, since, until, frame, stance, genre)
        except ValueError as exc:
            err(str(exc))
            raise typer.Exit(EXIT_USAGE) from None
        check_target(check_store, target, option)
        try:
            hits = run_search(
                target, query, limit=limit, entity=entity, outlet=outlet, author=author, since=since, until=until,
                frame=frame, stance=stance, genre=genre, expand=not exact, markers=format is SearchFormat.table,
            )  # fmt: skip
        except (ValueError, FileNotFoundError, RuntimeError) as exc:
            err(str(exc))
            raise typer.Exit(EXIT_USAGE) from None
        except sqlite3.DatabaseError as exc:
            err(f"{option} {target}: {exc}")
            raise typer.Exit(EXIT_USAGE) from None
        if format is SearchFormat.jsonl:
            keys = ("id", "source", "title", "published", "outlet", "genre", "score", "snippet")
            sys.stdout.write(
                "".join(json.dumps({k: h[k] for k in keys}, ensure_ascii=False) + "\n" for h in hits)
            )
            return
        from rich.console import Console
        from rich.markup import escape
        from rich.table import Table

        title = f"{len(hits)} hit{'s' if len(hits) != 1 else ''} for {query!r}"
        table = Table(title=escape(title), show_lines=True)
        for col in ("score", "published", "title / source", "snippet"):
            table.add_column(col)
        for h in hits:
            table.add_row(
                f"{h['score']:.2f}",
                h["published"] or "",
                escape(f"{h['title'] or ''}\n{h['source']}"),
                rich_markup(h["snippet"]),
            )
        Console().print(table)

    @app.command()
    def export(
        out: Annotated[
            Path, typer.Option("--out", "-o", help="Output folder (created if its parent folder exists).")
        ],
        db: DbOption = None,
        format: Annotated[
            ExportFormat, typer.Option("--format", "-f", help="File format.")
        ] = ExportFormat.jsonl,
        bom: Annotated[
            bool,
            typer.Option(
                "--bom/--no-bom", help="CSV: start each file with a UTF-8 byte order mark (for Excel)."
            ),
        ] = True,
    ) -> None:
        """Write the store's tables (documents, entities, mentions, ...) to OUT as jsonl, csv or parquet.

        CSV cells that a spreadsheet would run as a formula (starting with = + - @, a tab or a line break)
        get a leading single quote; numbers stay numbers."""
        from kansoku.store.export import ExportError
        from kansoku.store.export import export as run_export

        target, option = store_path(db)
        check_target(check_store, target, option)
        check_target(check_folder, out, "--out")
        try:
            written = run_export(target, out, format.value, bom=bom)
        except TargetError as exc:
            err(str(exc))
            raise typer.Exit(EXIT_USAGE) from None
        except (ExportError, FileNotFoundError, RuntimeError) as exc:
            err(str(exc))
            raise typer.Exit(EXIT_USAGE) from None
        except sqlite3.DatabaseError as exc:
            err(f"{option} {target}: {exc}")
            raise typer.Exit(EXIT_USAGE) from None
        err(f"{out}: " + ", ".join(f"{name} {n}" for name, n in written.items()))
