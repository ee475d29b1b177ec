"""``kansoku claims``: claims by speaker — what each said, where, with the evidence span.

Records come from ARTICLES (analysed on the fly), from ``--input FILE.jsonl`` or from the store (``--db``).
The table shows one block per speaker; ``--format json`` prints :func:`kansoku.corpus.claims.claims_by_speaker`
as it is (the web workspace serves the same object).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from kansoku.cliutil import EXIT_FAILED, DbOption, err

AnalyzePaths = Callable[[list[Path], bool], tuple[list[dict], int]]
LoadRecords = Callable[[Path | None, list[Path] | None], list[dict]]


def register(app: typer.Typer, load_records: LoadRecords, analyze_paths: AnalyzePaths) -> None:
    """Add ``claims`` to the app."""

    @app.command("claims")
    def claims_cmd(
        articles: Annotated[list[Path] | None, typer.Argument(help="Article files or folders (else the store).")] = None,
        db: DbOption = None,
        inputs: Annotated[list[Path] | None, typer.Option("--input", "-i", help="Records from `kansoku analyze` JSONL.")]
        = None,
        speaker: Annotated[str | None, typer.Option(help="Only this speaker (name, spelling or entity id).")] = None,
        about: Annotated[str | None, typer.Option(help="Only claims that mention this entity.")] = None,
        kind: Annotated[list[str] | None, typer.Option(help="quote, reported, hearsay, assertion (repeatable).")] = None,
        limit: Annotated[int, typer.Option(help="Claims shown per speaker (0: all).")] = 10,
        format: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
        quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    ) -> None:
        """Claims by speaker: who said what, where, with the evidence span."""
        from kansoku.corpus.claims import claims_by_speaker

        if format not in ("table", "json"):
            err(f"--format: expected table or json, got {format!r}")
            raise typer.Exit(2)
        failures = 0
        if articles:
            records, failures = analyze_paths(articles, quiet)
        else:
            try:
                records = load_records(db, inputs)
            except (ValueError, OSError) as exc:
                err(str(exc).splitlines()[0])
                raise typer.Exit(EXIT_FAILED) from None
        view = claims_by_speaker(records, speaker=speaker, about=about, kinds=kind, limit=limit)
        if format == "json":
            sys.stdout.write(json.dumps(view, ensure_ascii=False, indent=1) + "\n")
        else:
            _table(view)
        if (speaker or about) and not view["speakers"]:
            err("no claims match " + " and ".join(f"{k} {v!r}" for k, v in (("--speaker", speaker), ("--about", about))
                                                  if v))
            raise typer.Exit(EXIT_FAILED)
        raise typer.Exit(1 if failures else 0)


def _table(view: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title=f"claims by speaker ({view['total']})", show_lines=True)
    for col in ("speaker", "kind", "claim", "outlet", "where"):
        table.add_column(col, overflow="fold")
    for g in view["speakers"]:
        head = f"{g['name']}\n{g['entity_id'] or ''}\n{g['count']} claims · {g['docs']} docs".strip()
        for k, row in enumerate(g["claims"]):
            how = (row.get("speaker_resolution") or {}).get("method")
            spk = head if k == 0 else ""
            where = f"{Path(str(row['source'] or '')).name} [{row['content_span']['start']}:{row['content_span']['end']}]"
            kind = row["kind"] + (f" ({how})" if how and how != "mention" else "")
            table.add_row(spk, kind, row["content"][:160], row["outlet"], where)
    console.print(table)
