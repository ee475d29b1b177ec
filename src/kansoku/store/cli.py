"""Store commands for the kansoku CLI: ``ingest``, ``reanalyze``, ``search``, ``export``.

:func:`register` adds them to the Typer app of :mod:`kansoku.cli`.  The store defaults to ``kansoku.db``
in the current directory; ``--db`` or ``$KANSOKU_DB`` override it.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from kansoku.model import RawDoc, ReadError

CollectRaw = Callable[[list[Path]], Iterator[RawDoc | ReadError]]

DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="SQLite store (default: $KANSOKU_DB or ./kansoku.db).", show_default=False),
]


class SearchFormat(StrEnum):
    table = "table"
    jsonl = "jsonl"


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"
    parquet = "parquet"


def _err(msg: str) -> None:
    print(f"kansoku: {msg}", file=sys.stderr, flush=True)


def _db(db: Path | None) -> Path:
    from kansoku.store.db import default_db_path

    return db if db is not None else default_db_path()


@contextmanager
def _progress(label: str, quiet: bool) -> Iterator[tuple[Callable[[ReadError], None], Callable[[str], None]]]:
    """(on_error, on_item) callbacks: a Rich progress bar on stderr when it is a terminal, else plain lines."""
    if quiet or not sys.stderr.isatty():
        yield (lambda e: _err(str(e))), (lambda _s: None)
        return
    from rich.console import Console
    from rich.progress import MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    progress = Progress(
        SpinnerColumn(), TextColumn(f"[bold]{label}"), MofNCompleteColumn(), TimeElapsedColumn(),
        TextColumn("{task.fields[last]}"), console=Console(stderr=True), transient=False,
    )  # fmt: skip
    task = progress.add_task(label, total=None, last="")
    progress.start()

    def on_error(e: ReadError) -> None:
        progress.console.print(f"kansoku: {e}", markup=False, highlight=False)

    def on_item(source: str) -> None:
        progress.update(task, advance=1, last=Path(source).name[:40])

    try:
        yield on_error, on_item
    finally:
        progress.stop()


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
    ) -> None:
        """Analyse PATHS and store them; unchanged articles are skipped, a killed run resumes."""
        from kansoku.store.ingest import find_records_files, is_records_source
        from kansoku.store.ingest import ingest as run_ingest

        target = _db(db)
        analyse, records_files = find_records_files(paths, records)
        skip = (lambda s: is_records_source(s)) if records_files else None
        try:
            with _progress("ingest", quiet) as (on_error, on_item):
                stats = run_ingest(
                    target, collect_raw(analyse) if analyse else iter(()), workers=workers, batch_size=batch_size,
                    published_default=published_default, records_files=records_files, skip_sources=skip,
                    on_error=on_error, on_item=on_item,
                )  # fmt: skip
        except (RuntimeError, OSError, sqlite3.DatabaseError) as exc:
            _err(f"{target}: {exc}")
            raise typer.Exit(2) from None
        _err(f"{target}: {stats.summary()}")
        raise typer.Exit(1 if stats.failed else 0)

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

        target = _db(db)
        try:
            with _progress("reanalyze", quiet) as (on_error, on_item):
                stats = run_reanalyze(
                    target, all_documents=all_documents, workers=workers, batch_size=batch_size,
                    on_error=on_error, on_item=on_item,
                )  # fmt: skip
        except (FileNotFoundError, RuntimeError, sqlite3.DatabaseError) as exc:
            _err(str(exc))
            raise typer.Exit(2) from None
        _err(f"{target}: {stats.summary()}")
        raise typer.Exit(1 if stats.failed else 0)

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
        from kansoku.store.search import rich_markup
        from kansoku.store.search import search as run_search

        target = _db(db)
        try:
            hits = run_search(
                target, query, limit=limit, entity=entity, outlet=outlet, author=author, since=since, until=until,
                frame=frame, stance=stance, genre=genre, expand=not exact, markers=format is SearchFormat.table,
            )  # fmt: skip
        except (ValueError, FileNotFoundError, RuntimeError) as exc:
            _err(str(exc))
            raise typer.Exit(2) from None
        except sqlite3.DatabaseError as exc:
            _err(f"{target}: {exc}")
            raise typer.Exit(2) from None
        if format is SearchFormat.jsonl:
            keys = ("id", "source", "title", "published", "outlet", "genre", "score", "snippet")
            sys.stdout.write(
                "".join(json.dumps({k: h[k] for k in keys}, ensure_ascii=False) + "\n" for h in hits)
            )
            return
        from rich.console import Console
        from rich.markup import escape
        from rich.table import Table

        table = Table(title=f"{len(hits)} hit{'s' if len(hits) != 1 else ''} for {query!r}", show_lines=True)
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
        out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")],
        db: DbOption = None,
        format: Annotated[
            ExportFormat, typer.Option("--format", "-f", help="File format.")
        ] = ExportFormat.jsonl,
    ) -> None:
        """Write the store's tables (documents, entities, mentions, ...) to OUT as jsonl, csv or parquet."""
        from kansoku.store.export import ExportError
        from kansoku.store.export import export as run_export

        target = _db(db)
        try:
            written = run_export(target, out, format.value)
        except (ExportError, FileNotFoundError, RuntimeError, sqlite3.DatabaseError) as exc:
            _err(str(exc))
            raise typer.Exit(2) from None
        _err(f"{out}: " + ", ".join(f"{name} {n}" for name, n in written.items()))
