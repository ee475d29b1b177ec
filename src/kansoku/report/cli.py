"""The ``report`` command: a corpus briefing (HTML, Markdown with SVG charts, JSON) from a store or records.

Registered on the Typer app by ``kansoku.cli``; it reads the corpus through :mod:`kansoku.corpus.cli`'s
options and helpers, so the arrow runs report → corpus, never back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kansoku.cliutil import EXIT_FAILED, EXIT_USAGE, DbOption, check_target, err
from kansoku.corpus.cli import (
    FormatOption,
    InputOption,
    OutFormat,
    _json,
    _story_or_exit,
    filter_query_ids,
    open_corpus,
)
from kansoku.outputs import TargetError, check_folder


def register(app: typer.Typer) -> None:
    """Add ``report`` to the app."""

    @app.command("report")
    def report_cmd(
        out: Annotated[
            Path, typer.Option("--out", "-o", help="Output folder (created if its parent folder exists).")
        ],
        story: Annotated[str | None, typer.Option("--story", help="Only articles of this story.")] = None,
        query: Annotated[str | None, typer.Option("--query", "-q", help="Only articles mentioning this entity/text.")] = None,
        title: Annotated[str | None, typer.Option(help="Page title.")] = None,
        lang: Annotated[str, typer.Option(help="ja or en.")] = "ja",
        input: InputOption = None,
        db: DbOption = None,
        format: FormatOption = OutFormat.table,
    ) -> None:
        """Write a briefing: self-contained HTML page, Markdown with SVG charts, and the data as JSON."""
        from kansoku.report.briefing import write_briefing

        check_target(check_folder, out, "--out")
        with open_corpus(db, input) as c:
            ids: list[str] | None = None
            if story:
                s = _story_or_exit(c, story)
                ids = s["doc_ids"]
                title = title or s["label"]
            if query:
                if ids is None:
                    ids = filter_query_ids(c, query)
                else:
                    with c.subset(ids) as sub:
                        ids = filter_query_ids(sub, query)
                title = title or query
            recs = c.records(ids)
        if not recs:
            err("no articles to report on")
            raise typer.Exit(EXIT_FAILED)
        try:
            paths = write_briefing(recs, out, title=title, lang=lang)
        except TargetError as exc:
            err(str(exc))
            raise typer.Exit(EXIT_USAGE) from None
        if format is OutFormat.json:
            _json({"written": [str(p) for p in paths], "articles": len(recs)})
            return
        for p in paths:
            print(p)
