"""Corpus commands for the kansoku CLI: ``stories``, ``compare``, ``timeline``, ``entity`` (``report`` lives in :mod:`kansoku.report.cli`).

:func:`register` adds them to the Typer app.  They run on a store (:class:`kansoku.corpus.base.Corpus`):
the ``--db`` store as it is, or, with ``--input FILE.jsonl``, the records written by ``kansoku analyze``
loaded into an in-memory store first.  Every command prints a Rich table and has ``--format json``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from kansoku.cliutil import EXIT_FAILED, EXIT_USAGE, DbOption, check_target, err, store_path
from kansoku.corpus import load_records_from_jsonl
from kansoku.corpus.base import Corpus, as_corpus
from kansoku.outputs import check_store, reason_of

LoadRecords = Callable[[Path | None, list[Path] | None], list[dict]]

InputOption = Annotated[
    list[Path] | None,
    typer.Option("--input", "-i", help="Records from JSON Lines written by `kansoku analyze` (repeatable)."),
]


class OutFormat(StrEnum):
    table = "table"
    json = "json"


FormatOption = Annotated[OutFormat, typer.Option("--format", "-f", help="table (Rich) or json.")]
#: stories and events shown by `kansoku stories` and `kansoku timeline` unless --limit says otherwise
LIST_LIMIT = TIMELINE_LIMIT = 500
LimitOption = Annotated[int, typer.Option("--limit", "-n", help="Show at most this many items per list.", min=1)]


def _json(obj: object) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=1, default=lambda o: sorted(o)) + "\n")


def open_corpus(db: Path | None, inputs: list[Path] | None) -> Corpus:
    """The corpus of a command: ``--input`` JSONL records in memory, else the ``--db`` store (one-line errors,
    exit 2)."""
    from kansoku.store.db import StoreVersionError

    try:
        if inputs:
            return Corpus.from_records(load_records_from_jsonl(inputs))
        path, option = store_path(db)
        check_target(check_store, path, option, hint="or pass --input FILE.jsonl")
        try:
            return Corpus.open(path)
        except StoreVersionError as exc:
            err(str(exc))
            raise typer.Exit(EXIT_USAGE) from None
        except FileNotFoundError as exc:
            err(f"{option} {path}: {exc}")
            raise typer.Exit(EXIT_USAGE) from None
    except OSError as exc:
        err(f"--input {exc.filename}: {reason_of(exc)}" if exc.filename else reason_of(exc))
        raise typer.Exit(EXIT_USAGE) from None
    except ValueError as exc:
        err(str(exc))
        raise typer.Exit(EXIT_USAGE) from None


def select_ids(c: Corpus, key: str) -> list[str]:
    """Documents named by ``key``: a document id (or a prefix of ≥ 4 characters), a source path or file name,
    or an outlet; in the canonical order."""
    from kansoku.corpus.base import DOC_ORDER

    def ids(where: str, *args: object) -> list[str]:
        return [r[0] for r in c.con.execute(
            f"SELECT d.id FROM documents d JOIN doc_features f ON f.n = d.n WHERE {where} ORDER BY {DOC_ORDER}", args
        )]  # fmt: skip

    hits = ids("d.id = ?", key)
    if not hits and len(key) >= 4:
        hits = ids("substr(d.id, 1, ?) = ?", len(key), key)
    if not hits:
        hits = ids("d.source = ? OR substr(d.source, -?) = ?", key, len(key) + 1, "/" + key)
    if not hits:
        want = key.split("/")[-1]
        hits = [r for r, src in ((r, s) for r, s in c.con.execute(
            f"SELECT d.id, d.source FROM documents d JOIN doc_features f ON f.n = d.n ORDER BY {DOC_ORDER}"
        )) if Path(str(src).split("#")[0]).name.startswith(key) and ("#" not in key or str(src).endswith(want))]  # fmt: skip
    if not hits:
        hits = ids("f.outlet = ?", key)
    return hits


def select(records: Corpus | list[dict], key: str) -> list[dict]:
    """Records named by ``key`` (see :func:`select_ids`)."""
    c = as_corpus(records)
    return c.records(select_ids(c, key))


def _story_or_exit(c: Corpus, story_id: str) -> dict:
    """The story named by ``story_id`` (id or prefix), or a one-line error and exit 1."""
    from kansoku.corpus.stories import find_story

    s = find_story(c, story_id)
    if s is None:
        err(f"no story {story_id!r}")
        raise typer.Exit(EXIT_FAILED)
    return s


def _outlets(c: Corpus, doc_ids: list[str]) -> dict[str, str]:
    import json as _json

    return dict(c.con.execute(
        "SELECT d.id, f.outlet FROM documents d JOIN doc_features f ON f.n = d.n "
        "WHERE d.id IN (SELECT value FROM json_each(?))", (_json.dumps(doc_ids),)
    ).fetchall())  # fmt: skip


def register(app: typer.Typer, load_records: LoadRecords | None = None) -> None:
    """Add the corpus commands to ``app``.  ``load_records`` is not used any more (the commands open the
    store themselves, see :func:`open_corpus`); it is accepted so that older callers keep working."""

    @app.command()
    def stories(
        input: InputOption = None,
        db: DbOption = None,
        format: FormatOption = OutFormat.table,
        window_days: Annotated[int, typer.Option(help="Dated articles further apart never join.")] = 7,
        min_size: Annotated[int, typer.Option(help="Hide stories with fewer articles.")] = 2,
        limit: Annotated[int, typer.Option("--limit", "-n", help="Show the N largest stories.", min=1)] = LIST_LIMIT,
    ) -> None:
        """Cluster articles into event-level stories across outlets (near-duplicates grouped)."""
        from kansoku.corpus.stories import cluster_stories

        with open_corpus(db, input) as c:
            res = cluster_stories(c, window_days=window_days, min_size=min_size)
            if len(res) > limit:
                err(f"stories: the {limit} largest of {len(res)} stories are shown; --limit N shows more")
                res = res[:limit]
            if format is OutFormat.json:
                _json(res)
                return
            outlet = _outlets(c, [d for s in res for d in s["doc_ids"]])
        from rich.console import Console
        from rich.table import Table

        t = Table(title=f"stories ({len(res)})")
        for col in ("id", "label", "articles", "first", "last", "outlets", "near-duplicates"):
            t.add_column(col)
        for s in res:
            outs = sorted({outlet[d] for d in s["doc_ids"]})
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

        if not story and (not a or not b):
            err("compare: give A and B, or --story ID")
            raise typer.Exit(EXIT_USAGE)
        with open_corpus(db, input) as c:
            if story:
                s = _story_or_exit(c, story)
                res = compare_story(s, c.records(s["doc_ids"]))
                if format is OutFormat.json:
                    _json(res)
                    return
                _print_story_comparison(res)
                return
            assert a is not None and b is not None
            ra, rb = c.records(select_ids(c, a)), c.records(select_ids(c, b))
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
        limit: Annotated[int, typer.Option("--limit", "-n", help="Show the first N events.", min=1)] = TIMELINE_LIMIT,
    ) -> None:
        """Events merged across articles, by date, with independent-source counts."""
        from kansoku.corpus.timeline import timeline

        with open_corpus(db, input) as c:
            st = _story_or_exit(c, story) if story else None
            res = timeline(c, entity=entity, story=st, limit=limit)
        if len(res) == limit:
            err(f"timeline: the first {limit} events are shown; --limit N shows more")
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
        limit: LimitOption = 50,
    ) -> None:
        """Everything the corpus says about one entity."""
        from kansoku.corpus.entity import entity_profile

        with open_corpus(db, input) as c:
            prof = entity_profile(c, name, max_items=limit)
        if prof is None:
            err(f"no entity matches {name!r}")
            raise typer.Exit(EXIT_FAILED)
        if format is OutFormat.json:
            _json(prof)
            return
        _print_profile(prof)


def filter_query_ids(c: Corpus, query: str) -> list[str]:
    """Documents mentioning the entity the query resolves to, else containing the query text."""
    from kansoku.corpus.entity import entity_docs, resolve_entity

    eid = resolve_entity(c, query)
    if eid:
        return [d[1] for d in entity_docs(c, eid)]
    return [r[0] for r in c.con.execute("SELECT id FROM documents WHERE instr(text, ?) > 0", (query,))]


def filter_query(recs: list[dict], query: str) -> list[dict]:
    """Articles mentioning the entity the query resolves to, else containing the query text."""
    c = as_corpus(recs)
    return c.records(filter_query_ids(c, query))


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
