"""Corpus commands for the kansoku CLI: ``stories``, ``compare``, ``timeline``, ``entity``, ``report``.

:func:`register` adds them to the Typer app.  Records come from ``load_records(db, inputs)`` (the store,
wired by :mod:`kansoku.cli`) or, with ``--input FILE.jsonl``, from JSON Lines written by
``kansoku analyze``.  Every command prints a Rich table and has ``--format json`` for machines.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from kansoku.cliutil import EXIT_FAILED, EXIT_USAGE, DbOption, check_target, err
from kansoku.corpus import load_records_from_jsonl, outlet_of
from kansoku.outputs import TargetError, check_folder, reason_of

LoadRecords = Callable[[Path | None, list[Path] | None], list[dict]]

InputOption = Annotated[
    list[Path] | None,
    typer.Option("--input", "-i", help="Records from JSON Lines written by `kansoku analyze` (repeatable)."),
]


class OutFormat(StrEnum):
    table = "table"
    json = "json"


FormatOption = Annotated[OutFormat, typer.Option("--format", "-f", help="table (Rich) or json.")]


def _json(obj: object) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=1, default=lambda o: sorted(o)) + "\n")


def default_load_records(db: Path | None, inputs: list[Path] | None) -> list[dict]:
    """JSONL inputs only; the store is wired by the main CLI."""
    if inputs:
        return load_records_from_jsonl(inputs)
    raise typer.BadParameter("give --input FILE.jsonl (records written by `kansoku analyze`)", param_hint="--input")


def select(records: list[dict], key: str) -> list[dict]:
    """Records named by ``key``: a document id (or a prefix of ≥ 4 characters), a source path or file name,
    or an outlet."""
    hits = [r for r in records if r["id"] == key]
    if not hits and len(key) >= 4:
        hits = [r for r in records if r["id"].startswith(key)]
    if not hits:
        hits = [r for r in records if str(r.get("source", "")) == key or str(r.get("source", "")).endswith("/" + key)]
    if not hits:
        hits = [r for r in records if Path(str(r.get("source", "")).split("#")[0]).name.startswith(key)
                and ("#" not in key or str(r.get("source", "")).endswith(key.split("/")[-1]))]
    if not hits:
        hits = [r for r in records if outlet_of(r) == key]
    return hits


def _story(records: list[dict], story_id: str) -> dict | None:
    from kansoku.corpus.stories import cluster_stories

    for s in cluster_stories(records, min_size=1):
        if s["id"] == story_id or s["id"].startswith(story_id):
            return s
    return None


def _story_or_exit(records: list[dict], story_id: str) -> dict:
    """The story named by ``story_id`` (id or prefix), or a one-line error and exit 1."""
    s = _story(records, story_id)
    if s is None:
        err(f"no story {story_id!r}")
        raise typer.Exit(EXIT_FAILED)
    return s


def register(app: typer.Typer, load_records: LoadRecords | None = None) -> None:
    """Add the corpus commands to ``app``; ``load_records(db, inputs)`` supplies the records."""

    def _load(db: Path | None, inputs: list[Path] | None) -> list[dict]:
        try:
            if inputs:
                return load_records_from_jsonl(inputs)
            return (load_records or default_load_records)(db, inputs)
        except OSError as exc:
            err(f"--input {exc.filename}: {reason_of(exc)}" if exc.filename else reason_of(exc))
            raise typer.Exit(EXIT_USAGE) from None
        except ValueError as exc:
            err(str(exc))
            raise typer.Exit(EXIT_USAGE) from None

    @app.command()
    def stories(
        input: InputOption = None,
        db: DbOption = None,
        format: FormatOption = OutFormat.table,
        window_days: Annotated[int, typer.Option(help="Dated articles further apart never join.")] = 7,
        min_size: Annotated[int, typer.Option(help="Hide stories with fewer articles.")] = 2,
    ) -> None:
        """Cluster articles into event-level stories across outlets (near-duplicates grouped)."""
        from kansoku.corpus.stories import cluster_stories

        recs = _load(db, input)
        res = cluster_stories(recs, window_days=window_days, min_size=min_size)
        if format is OutFormat.json:
            _json(res)
            return
        from rich.console import Console
        from rich.table import Table

        by_id = {r["id"]: r for r in recs}
        t = Table(title=f"stories ({len(res)})")
        for col in ("id", "label", "articles", "first", "last", "outlets", "near-duplicates"):
            t.add_column(col)
        for s in res:
            outs = sorted({outlet_of(by_id[d]) for d in s["doc_ids"]})
            t.add_row(s["id"], s["label"], str(len(s["doc_ids"])), s["first"] or "", s["last"] or "",
                      ", ".join(outs), "; ".join(" = ".join(g) for g in s["near_duplicates"]))
        Console().print(t)

    @app.command("compare")
    def compare_cmd(
        a: Annotated[str | None, typer.Argument(help="Side A: document id/prefix, source file or outlet.")] = None,
        b: Annotated[str | None, typer.Argument(help="Side B.")] = None,
        story: Annotated[str | None, typer.Option("--story", help="Compare the outlets of this story.")] = None,
        input: InputOption = None,
        db: DbOption = None,
        format: FormatOption = OutFormat.table,
    ) -> None:
        """Compare two articles/outlets (A B) or the outlets of a story (--story ID)."""
        from kansoku.corpus.compare import compare, compare_story

        recs = _load(db, input)
        if story:
            s = _story_or_exit(recs, story)
            res = compare_story(s, recs)
            if format is OutFormat.json:
                _json(res)
                return
            _print_story_comparison(res)
            return
        if not a or not b:
            err("compare: give A and B, or --story ID")
            raise typer.Exit(EXIT_USAGE)
        ra, rb = select(recs, a), select(recs, b)
        for name, side in ((a, ra), (b, rb)):
            if not side:
                err(f"nothing matches {name!r}")
                raise typer.Exit(EXIT_FAILED)
        res = compare(ra, rb)
        if format is OutFormat.json:
            _json(res)
            return
        _print_comparison(res, a, b)

    @app.command("timeline")
    def timeline_cmd(
        entity: Annotated[str | None, typer.Option("--entity", "-e", help="Only events involving this entity.")] = None,
        story: Annotated[str | None, typer.Option("--story", help="Only articles of this story.")] = None,
        input: InputOption = None,
        db: DbOption = None,
        format: FormatOption = OutFormat.table,
    ) -> None:
        """Events merged across articles, by date, with independent-source counts."""
        from kansoku.corpus.timeline import timeline

        recs = _load(db, input)
        st = _story_or_exit(recs, story) if story else None
        res = timeline(recs, entity=entity, story=st)
        if format is OutFormat.json:
            _json(res)
            return
        from rich.console import Console
        from rich.table import Table

        t = Table(title=f"timeline ({len(res)} events)")
        for col in ("date", "event", "sources", "indep.", "docs"):
            t.add_column(col)
        for e in res:
            t.add_row(e["date"], e["text"], ", ".join(e["sources"]), str(e["independent_sources"]), str(len(e["doc_ids"])))
        Console().print(t)

    @app.command("entity")
    def entity_cmd(
        name: Annotated[str, typer.Argument(help="Entity id, name, spelling or variant (ポクロウシク).")],
        input: InputOption = None,
        db: DbOption = None,
        format: FormatOption = OutFormat.table,
    ) -> None:
        """Everything the corpus says about one entity."""
        from kansoku.corpus.entity import entity_profile

        recs = _load(db, input)
        prof = entity_profile(recs, name)
        if prof is None:
            err(f"no entity matches {name!r}")
            raise typer.Exit(EXIT_FAILED)
        if format is OutFormat.json:
            _json(prof)
            return
        _print_profile(prof)

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
        recs = _load(db, input)
        if story:
            s = _story_or_exit(recs, story)
            recs = [r for r in recs if r["id"] in set(s["doc_ids"])]
            title = title or s["label"]
        if query:
            recs = filter_query(recs, query)
            title = title or query
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


def filter_query(recs: list[dict], query: str) -> list[dict]:
    """Articles mentioning the entity the query resolves to, else containing the query text."""
    from kansoku.corpus.entity import resolve_entity

    eid = resolve_entity(recs, query)
    if eid:
        return [r for r in recs if any(e["id"] == eid for e in r.get("entities") or [])]
    return [r for r in recs if query in (r.get("text") or "")]


def _print_comparison(res: dict, a: str, b: str) -> None:
    from rich.console import Console
    from rich.table import Table

    con = Console()
    ent = res["entities"]
    con.print(f"[bold]A[/bold] {a} ({', '.join(res['a']['outlets'])})  [bold]B[/bold] {b} "
              f"({', '.join(res['b']['outlets'])})")
    con.print(f"entities: shared {len(ent['shared'])}, only A {len(ent['only_a'])}, only B {len(ent['only_b'])}; "
              f"claims: shared {len(res['claims']['shared'])}")
    _figures_table(con, res["figures"]["conflicts"] + res["figures"]["agreements"], "figures")
    t = Table(title="frames")
    for col in ("frame", "A", "B"):
        t.add_column(col)
    for f in res["frames"]:
        t.add_row(f["label"] or f["id"], _fs(f["a"]), _fs(f["b"]))
    con.print(t)
    t = Table(title="blind spots")
    for col in ("side", "entities", "frames", "claims"):
        t.add_column(col)
    for side, key in (("only A", "only_a"), ("only B", "only_b")):
        bs = res["blind_spots"][key]
        t.add_row(side, ", ".join(e["name"] for e in bs["entities"][:8]), ", ".join(f["label"] for f in bs["frames"]),
                  "\n".join(f"{c['speaker']}: {c['text'][:40]}" for c in bs["claims"][:5]))
    con.print(t)


def _fs(side: dict | None) -> str:
    return f"{side['score']:.2f} ({side['voice']})" if side else "—"


def _figures_table(con, pairs: list[dict], title: str) -> None:  # type: ignore[no-untyped-def]
    from rich.table import Table

    t = Table(title=title)
    for col in ("subject", "status", "A", "source A", "B", "source B"):
        t.add_column(col)
    for p in pairs:
        style = "red" if p["status"] == "conflict" else None
        t.add_row(p["subject"], p["status"], f"{p['a']['text']} ({p['a']['outlet']})", p["a"]["source"] or "",
                  f"{p['b']['text']} ({p['b']['outlet']})", p["b"]["source"] or "", style=style)
    con.print(t)


def _print_story_comparison(res: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    con = Console()
    con.print(f"[bold]{res['story']['label']}[/bold] ({res['story']['id']})")
    for g in res["groups"]:
        con.print(f"  {g['outlet']}: {', '.join(g['doc_ids'])}")
    _figures_table(con, res["conflicts"] + res["agreements"], "figures across outlets")
    outlets = [g["outlet"] for g in res["groups"]]
    t = Table(title="frames × outlet")
    t.add_column("frame")
    for o in outlets:
        t.add_column(o)
    for f in res["frames"].values():
        t.add_row(f["label"], *[f"{f['outlets'][o]:.2f}" if o in f["outlets"] else "" for o in outlets])
    con.print(t)


def _print_profile(p: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    con = Console()
    con.print(f"[bold]{p['name']}[/bold] {p.get('name_en') or ''} [{p['type']}] {p['id']} — "
              f"{p['mentions']} mentions in {p['docs']} articles")
    con.print("spellings: " + ", ".join(f"{v['text']}×{v['count']}" for v in p["variants"]))
    t = Table(title="mentions by source")
    for col in ("outlet", "title", "count"):
        t.add_column(col)
    for s in p["mentions_by_source"]:
        t.add_row(s["outlet"], s["title"] or s["source"] or "", str(s["count"]))
    con.print(t)
    t = Table(title="co-occurring")
    for col in ("entity", "type", "sentences", "docs"):
        t.add_column(col)
    for c in p["co_occurring"][:15]:
        t.add_row(c["name"], c["type"], str(c["sentences"]), str(c["docs"]))
    con.print(t)
    for key in ("claims_by", "claims_about"):
        if p[key]:
            t = Table(title=key.replace("_", " "))
            for col in ("outlet", "speaker", "claim"):
                t.add_column(col)
            for c in p[key][:15]:
                t.add_row(c["outlet"], c["speaker"] or "", c["text"])
            con.print(t)
    if p["quantities"]:
        t = Table(title="figures")
        for col in ("outlet", "figure", "subject", "source", "role"):
            t.add_column(col)
        for q in p["quantities"][:15]:
            t.add_row(q["outlet"], q["text"], q["subject"] or "", q["source"] or "", q["role"])
        con.print(t)
