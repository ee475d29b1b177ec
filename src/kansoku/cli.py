"""kansoku command line: ``kansoku analyze``, ``kansoku entities`` and ``kansoku validate``.

Bad inputs never raise: each is reported as one line ``kansoku: SOURCE: reason`` on stderr and the run goes
on; read warnings are lines ``kansoku: SOURCE: warning: TEXT`` and do not count as failures.  Output targets
are checked before any analysis (:mod:`kansoku.outputs`) and written atomically.  Exit status: 0 when every
input was analysed, 1 when some failed, 2 for usage errors and bad output targets, 130 after Ctrl-C.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from kansoku import __version__
from kansoku.cliutil import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    KansokuGroup,
    check_target,
    err,
    progress,
    quiet_workers,
)
from kansoku.engine.cli import EngineOption, MasterOption, PartitionsOption
from kansoku.model import ReadError
from kansoku.outputs import TargetError, check_file, check_store, reason_of

app = typer.Typer(
    cls=KansokuGroup,
    add_completion=False,
    no_args_is_help=True,
    help="kansoku (観測): who claims what, on what source, from which angle, in Japanese news.",
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)


class Format(StrEnum):
    jsonl = "jsonl"
    md = "md"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"kansoku {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Show version.")] = False,
) -> None:
    pass


#: Up to this many inputs are analysed in the main process when --workers is not given: the pipeline hands
#: documents to its workers in batches of 8, so a pool would add only its start-up (each worker loading the
#: models again) to one batch.  The records are the same either way.
SMALL_RUN = 8


def _collect(
    paths: list[Path], published_default: str | None, workers: int | None, quiet: bool, max_chars: int = 2_000_000
) -> tuple[list[dict], int]:
    """Read and analyse every input; returns (records with corpus-wide ids, number of failures).

    Each failed input is one line on stderr; each read warning a line ``SOURCE: warning: TEXT``.
    """
    from itertools import chain, islice

    from kansoku.pipeline import Options, run
    from kansoku.resolve.corpus import link_corpus

    records: list[dict] = []
    failures = 0
    items = _collect_raw(paths)
    head = list(islice(items, SMALL_RUN + 1))
    if workers is None and len(head) <= SMALL_RUN:
        workers = 1
    quiet_workers(workers)
    with progress("analyse", quiet) as rep:
        results = run(
            chain(head, items), Options(published_default=published_default, max_chars=max_chars), workers=workers
        )
        try:
            for r in results:
                if isinstance(r, ReadError):
                    failures += 1
                    rep.error(r)
                    rep.item(r.source)
                    continue
                rep.warnings(r["source"], r.get("warnings"))
                records.append(r)
                rep.item(r["source"])
        finally:
            close = getattr(results, "close", None)
            if close is not None:
                close()  # on Ctrl-C: stop the worker pool now, not at garbage collection
    return link_corpus(records), failures


@app.command()
def analyze(
    articles: Annotated[list[Path], typer.Argument(help="Article files or folders (recursive).")],
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.jsonl,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write here instead of stdout.")] = None,
    published_default: Annotated[
        str | None, typer.Option(help="Publication date (YYYY-MM-DD) for articles that state none.")
    ] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes (default: CPU count, max 4).")] = None,
    lang: Annotated[str, typer.Option(help="Language of the Markdown briefing: ja or en.")] = "ja",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    max_chars: Annotated[int, typer.Option(help="Refuse documents longer than this many characters.")] = 2_000_000,
    engine: EngineOption = "local",
    spark_master: MasterOption = None,
    partitions: PartitionsOption = None,
) -> None:
    """Analyse ARTICLES into JSON Lines (one object per document) or a Markdown briefing."""
    if published_default is not None and not _is_date(published_default):
        err(f"--published-default: expected YYYY-MM-DD, got {published_default!r}")
        raise typer.Exit(EXIT_USAGE)
    if out is not None:
        check_target(check_file, out, "--out")
    if engine != "local" or spark_master or partitions:
        from kansoku.engine.cli import collect_with_engine, engine_or_exit
        from kansoku.pipeline import Options

        runner = engine_or_exit(engine, spark_master, partitions, workers)
        options = Options(published_default=published_default, max_chars=max_chars)
        records, failures = collect_with_engine(runner, articles, options, quiet)
    else:
        records, failures = _collect(articles, published_default, workers, quiet, max_chars)
    if format is Format.jsonl:
        payload = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    else:
        from kansoku.report.markdown import render_markdown

        payload = "\n---\n\n".join(render_markdown(r, lang=lang) for r in records)
    if out is None:
        _write_stdout(payload)
    else:
        from kansoku.outputs import write_text

        try:
            write_text(out, payload, "--out")
        except TargetError as exc:
            err(str(exc))
            raise typer.Exit(EXIT_USAGE) from None
    raise typer.Exit(EXIT_FAILED if failures else EXIT_OK)


def _write_stdout(payload: str) -> None:
    """Write PAYLOAD to stdout; a full or failing stdout is one line and exit 2 (a closed pipe: Typer's 1)."""
    import errno

    try:
        sys.stdout.write(payload)
        sys.stdout.flush()
    except OSError as exc:
        if exc.errno == errno.EPIPE:
            raise
        err(f"stdout: {reason_of(exc)}")
        raise typer.Exit(EXIT_USAGE) from None


@app.command()
def entities(
    articles: Annotated[list[Path], typer.Argument(help="Article files or folders (recursive).")],
    workers: Annotated[int | None, typer.Option(help="Worker processes.")] = None,
    min_count: Annotated[int, typer.Option(help="Hide entities with fewer mentions.")] = 1,
    quiet: Annotated[bool, typer.Option("--quiet", "-q")] = False,
) -> None:
    """Print a table of the entities in ARTICLES with their spellings and mention counts."""
    from rich.console import Console
    from rich.table import Table

    records, failures = _collect(articles, None, workers, quiet)
    agg: dict[str, dict] = {}
    for r in records:
        for e in r["entities"]:
            a = agg.setdefault(e["id"], {"e": e, "n": 0, "docs": set(), "variants": {}, "methods": set()})
            a["n"] += len(e["mentions"])
            a["docs"].add(r["source"])
            for m in e["mentions"]:
                a["variants"][m["text"]] = a["variants"].get(m["text"], 0) + 1
            a["methods"].update(x["method"] for x in e.get("resolution", []))
    table = Table(title="entities")
    for col in ("name", "name_en", "type", "mentions", "docs", "spellings", "merged by", "id"):
        table.add_column(col)
    for a in sorted(agg.values(), key=lambda a: -a["n"]):
        if a["n"] < min_count:
            continue
        e = a["e"]
        sp = ", ".join(f"{k}×{v}" for k, v in sorted(a["variants"].items(), key=lambda kv: -kv[1])[:6])
        table.add_row(e["name"], e.get("name_en") or "", e["type"], str(a["n"]), str(len(a["docs"])), sp,
                      ",".join(sorted(a["methods"])), e["id"])
    Console().print(table)
    raise typer.Exit(EXIT_FAILED if failures else EXIT_OK)


@app.command()
def validate(files: Annotated[list[Path], typer.Argument(help="JSONL files produced by `kansoku analyze`.")]) -> None:
    """Check JSONL output against the output contract's JSON Schema."""
    from kansoku.schema import validate_record

    bad = 0
    for f in files:
        try:
            lines = f.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            err(f"{f}: {reason_of(exc)}")
            bad += 1
            continue
        for n, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                problems = validate_record(json.loads(line))
            except ValueError as exc:
                problems = [f"not JSON ({exc})"]
            for p in problems[:3]:
                err(f"{f}:{n}: {p}")
            bad += bool(problems)
    raise typer.Exit(EXIT_FAILED if bad else EXIT_OK)


def _is_date(s: str) -> bool:
    from datetime import date

    try:
        date.fromisoformat(s)
        return True
    except ValueError:
        return False


class Lang(StrEnum):
    ja = "ja"
    en = "en"


@app.command()
def serve(
    db: Annotated[
        Path | None,
        typer.Option("--db", help="SQLite store (default: $KANSOKU_DB or ./kansoku.db).", show_default=False),
    ] = None,
    host: Annotated[str, typer.Option(help="Address to listen on (127.0.0.1: this machine only).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    lang: Annotated[Lang, typer.Option(help="Default language of the pages (each page can switch).")] = Lang.ja,
    allow_ingest: Annotated[
        bool, typer.Option("--allow-ingest", help="Open the store for writing and add the ingest page.")
    ] = False,
) -> None:
    """Browse a store in a web browser: search, articles, entities, claims, stories, timeline, briefing.

    Every page has a JSON twin under /api/ (docs/web.md).  Read-only unless --allow-ingest."""
    from kansoku.cliutil import store_path

    path, option = store_path(db)
    if not allow_ingest:
        check_target(check_store, path, option, hint="or start with --allow-ingest to create it")
        if not path.exists():
            err(f"{option} {path}: no such store (run `kansoku ingest` first, or start with --allow-ingest)")
            raise typer.Exit(EXIT_USAGE)
    try:
        import uvicorn

        from kansoku.web.app import create_app
    except ImportError as exc:
        err(f"serve: the web UI needs {exc.name}, which is not installed: pip install 'kansoku[web]'")
        raise typer.Exit(EXIT_USAGE) from None
    from kansoku.store.db import StoreVersionError

    try:
        web_app = create_app(path, lang=lang.value, allow_ingest=allow_ingest)
    except (StoreVersionError, FileNotFoundError, ValueError) as exc:
        err(str(exc))
        raise typer.Exit(EXIT_USAGE) from None
    if host not in ("127.0.0.1", "localhost", "::1"):
        err(f"serve: listening on {host}: anyone who can reach this address can read the store"
            + (" and add to it" if allow_ingest else ""))
    print(f"kansoku: serving {path} on http://{host}:{port}/ ({'read-write' if allow_ingest else 'read-only'}); "
          "Ctrl-C stops", file=sys.stderr, flush=True)
    try:
        uvicorn.run(web_app, host=host, port=port, log_level="warning")
    except OSError as exc:
        err(f"serve: cannot listen on {host}:{port}: {reason_of(exc)}")
        raise typer.Exit(EXIT_USAGE) from None


def _register_plugins() -> None:
    """Commands of later stages (store, report) live beside their stage and register themselves here."""
    from kansoku.collect.cli import register as register_collect
    from kansoku.corpus.claims_cli import register as register_claims
    from kansoku.corpus.cli import register as register_corpus
    from kansoku.engine.cli import register as register_engine
    from kansoku.report.cli import register as register_report
    from kansoku.store.cli import register as register_store

    register_store(app, _collect_raw)
    register_engine(app)
    register_corpus(app, _load_records)
    register_report(app)
    register_claims(app, _load_records, lambda paths, quiet: _collect(paths, None, None, quiet))
    register_collect(app)


def _load_records(db: Path | None, inputs: list[Path] | None) -> list[dict]:
    """Records for the corpus commands: from JSONL files when given, else from the store."""
    from kansoku.cliutil import store_path
    from kansoku.corpus import load_records_from_jsonl
    from kansoku.store.db import connect

    if inputs:
        return load_records_from_jsonl(inputs)
    path, option = store_path(db)
    check_target(check_store, path, option, hint="or pass --input FILE.jsonl")
    con = connect(path, create=False)
    try:
        rows = con.execute("SELECT record_json FROM documents ORDER BY published, source").fetchall()
    finally:
        con.close()
    return [json.loads(r[0]) for r in rows]


def _collect_raw(paths: list[Path]):  # type: ignore[no-untyped-def]
    """Shared input expansion for commands that analyse files: yields RawDoc | ReadError."""
    from kansoku.read import iter_documents

    for p in paths:
        if not p.exists():
            yield ReadError(str(p), "no such file or directory")
    yield from iter_documents([p for p in paths if p.exists()])


_register_plugins()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
