"""Japanese full-text search over the store: BM25 ranking, snippets, entity-aware expansion, filters.

A query is split on white space (ASCII or full-width) into terms that must all match (AND).  Each term is
expanded to the surface forms of the entity it names, if it names one (stored mentions and the gazetteer,
including transliteration variants: ポクロウシク also finds ポクロフスク), and matches when any form does
(OR).  Forms of three or more characters are looked up in ``fts_tri`` (trigram tokenizer: substring
semantics); shorter forms (露, 停戦, 米国) in ``fts_tok`` (Sudachi tokens, unicode61 tokenizer) as a phrase
of their Sudachi tokens, because the trigram index cannot answer them.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from kansoku.store import db

#: Snippet highlight markers (private-use characters; rendered as 【】 or Rich markup).
HL_OPEN, HL_CLOSE = "\ue000", "\ue001"

_SPLIT = re.compile(r"[\s\u3000]+")
_MAX_FORMS = 40


@dataclass(slots=True)
class Term:
    """One query term: the forms that may match it, split by index."""

    text: str
    forms: list[str] = field(default_factory=list)

    @property
    def tri(self) -> list[str]:
        return [f for f in self.forms if len(f) >= 3]

    @property
    def tok(self) -> list[str]:
        return [f for f in self.forms if len(f) < 3]


# -------------------------------------------------------------------------------------- entity resolution


def entity_ids(con: sqlite3.Connection, name: str, include_short: bool = True) -> set[str]:
    """Ids of the entities NAME may refer to: stored ids, names, mentions (exact or variant), gazetteer."""
    from kansoku.resolve.gazetteer import default
    from kansoku.resolve.variants import variant_key

    name = name.strip()
    if not name:
        return set()
    gaz = default()
    ids: set[str] = set()
    hits = gaz.lookup(name)
    if include_short or len(name) >= 3:
        ids.update(eid for eid, _how in hits)
    else:
        ids.update(eid for eid, how in hits if how in ("name", "alias"))
    if len(name) >= 3:
        ids.update(gaz.lookup_variant(name))
    ids.update(
        r[0]
        for r in con.execute(
            "SELECT id FROM entities WHERE id = ? OR name = ? OR name_en = ? COLLATE NOCASE",
            (name, name, name),
        )
    )
    vk = variant_key(name)
    ids.update(
        r[0]
        for r in con.execute("SELECT DISTINCT entity_id FROM mentions WHERE text = ? OR vkey = ?", (name, vk))
    )
    return ids


def surface_forms(con: sqlite3.Connection, ids: set[str]) -> list[str]:
    """Every stored surface form of the entities, plus the gazetteer's names and aliases."""
    from kansoku.resolve.gazetteer import default

    if not ids:
        return []
    gaz = default()
    forms: dict[str, int] = {}
    marks = ",".join("?" * len(ids))
    for text, n in con.execute(
        f"SELECT text, count(*) FROM mentions WHERE entity_id IN ({marks}) GROUP BY text", sorted(ids)
    ):
        forms[text] = forms.get(text, 0) + n
    for eid in ids:
        e = gaz.get(eid)
        if e is not None:
            for f in [e.name, *e.aliases]:
                forms.setdefault(f, 0)
        row = con.execute("SELECT name FROM entities WHERE id = ?", (eid,)).fetchone()
        if row:
            forms.setdefault(row[0], 0)
    ordered = sorted(forms, key=lambda f: (-forms[f], -len(f), f))
    return [f for f in ordered if f.strip()][:_MAX_FORMS]


def parse_query(con: sqlite3.Connection, query: str, expand: bool = True) -> list[Term]:
    terms: list[Term] = []
    for raw in _SPLIT.split(query.strip()):
        t = raw.strip().strip('"')
        if not t:
            continue
        forms = [t]
        if expand:
            for f in surface_forms(con, entity_ids(con, t)):
                if f not in forms:
                    forms.append(f)
        terms.append(Term(t, forms))
    return terms


# -------------------------------------------------------------------------------------- FTS expressions


def _quote(s: str) -> str:
    return '"' + s.replace('"', '""') + '"'


def _tok_phrase(form: str) -> str | None:
    """A short form as an FTS5 phrase over the token column (its Sudachi tokens, in order)."""
    from kansoku.nlp.tokens import tokenize

    toks = [t.surface for t in tokenize(form) if t.surface.strip()]
    return _quote(" ".join(toks)) if toks else None


def _or(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"


@dataclass(slots=True)
class _Compiled:
    """A query as SQL pieces.

    Terms whose forms all live in one index are ANDed inside that index's MATCH (``tri_and``,
    ``tok_and``): FTS5 intersects the posting lists and scores only the documents that match.  A term
    with forms in both indexes (an entity with a 1-2 character abbreviation and a long name) becomes an
    SQL condition (``mixed``) with its own MATCH per index.
    """

    tri_and: str | None
    tok_and: str | None
    mixed: list[str]  # SQL conditions on d.n, one per mixed term
    mixed_args: list[str]
    tri_any: str | None  # OR of every trigram form (snippets, ranking of mixed-only queries)
    tok_any: str | None


def compile_terms(terms: list[Term]) -> _Compiled:
    tri_and: list[str] = []
    tok_and: list[str] = []
    mixed: list[str] = []
    mixed_args: list[str] = []
    tri_any: list[str] = []
    tok_any: list[str] = []
    for t in terms:
        tri = list(dict.fromkeys(_quote(f) for f in t.tri))
        tok = list(dict.fromkeys(p for p in (_tok_phrase(f) for f in t.tok) if p))
        tri_any.extend(tri)
        tok_any.extend(tok)
        if tri and tok:
            mixed.append(
                "(d.n IN (SELECT rowid FROM fts_tri WHERE fts_tri MATCH ?)"
                " OR d.n IN (SELECT rowid FROM fts_tok WHERE fts_tok MATCH ?))"
            )
            mixed_args.extend([_or(tri), _or(tok)])
        elif tri:
            tri_and.append(_or(tri))
        elif tok:
            tok_and.append(_or(tok))
        else:
            mixed.append("0")
    return _Compiled(
        " AND ".join(tri_and) or None,
        " AND ".join(tok_and) or None,
        mixed,
        mixed_args,
        " OR ".join(dict.fromkeys(tri_any)) or None,
        " OR ".join(dict.fromkeys(tok_any)) or None,
    )


# -------------------------------------------------------------------------------------------- filters


def _filters(
    con: sqlite3.Connection,
    entity: str | None,
    outlet: str | None,
    author: str | None,
    since: str | None,
    until: str | None,
    frame: str | None,
    stance: str | None,
    genre: str | None,
) -> tuple[list[str], list[object]]:
    conds: list[str] = []
    args: list[object] = []
    if entity:
        ids = entity_ids(con, entity)
        if not ids:
            conds.append("0")
        else:
            conds.append(
                f"EXISTS (SELECT 1 FROM mentions m WHERE m.doc_id = d.id AND m.entity_id IN ({','.join('?' * len(ids))}))"
            )
            args.extend(sorted(ids))
    if outlet:
        conds.append("instr(lower(d.outlet), lower(?)) > 0")
        args.append(outlet)
    if author:
        conds.append("instr(d.authors, ?) > 0")
        args.append(author)
    if since:
        conds.append("substr(d.published, 1, 10) >= ?")
        args.append(_date(since, "--since"))
    if until:
        conds.append("substr(d.published, 1, 10) <= ?")
        args.append(_date(until, "--until"))
    if frame:
        conds.append("EXISTS (SELECT 1 FROM frames f WHERE f.doc_id = d.id AND f.frame_id = ?)")
        args.append(frame)
    if genre:
        conds.append("d.genre = ?")
        args.append(genre)
    if stance:
        target, sep, pol = stance.rpartition(":")
        pol = pol.strip().lower()
        if not sep or pol not in ("pos", "neg") or not target.strip():
            raise ValueError(f"--stance: expected TARGET:pos or TARGET:neg, got {stance!r}")
        names = _stance_names(con, target.strip())
        marks = ",".join("?" * len(names))
        conds.append(
            "EXISTS (SELECT 1 FROM stance s WHERE s.doc_id = d.id AND "
            f"(lower(s.target) IN ({marks}) OR lower(s.target_name) IN ({marks})) AND s.score {'>' if pol == 'pos' else '<'} 0)"
        )
        args.extend(names)
        args.extend(names)
    return conds, args


def _stance_names(con: sqlite3.Connection, target: str) -> list[str]:
    """Stance targets are keyed by English name; accept ids, Japanese names and variants too."""
    from kansoku.resolve.gazetteer import default

    names = {target.lower()}
    gaz = default()
    for eid in entity_ids(con, target):
        e = gaz.get(eid)
        if e is not None:
            names.update({e.name.lower(), e.name_en.lower()})
        row = con.execute("SELECT name, name_en FROM entities WHERE id = ?", (eid,)).fetchone()
        if row:
            names.update(x.lower() for x in row if x)
    return sorted(names)


def _date(s: str, opt: str) -> str:
    from datetime import date

    s = s.strip()
    for n in (10, 7, 4):
        try:
            if n == 10:
                date.fromisoformat(s)
            elif n == 7:
                date.fromisoformat(s + "-01")
            else:
                date.fromisoformat(s + "-01-01")
            return s
        except ValueError:
            continue
    raise ValueError(f"{opt}: expected YYYY-MM-DD (or YYYY-MM, YYYY), got {s!r}")


# -------------------------------------------------------------------------------------------- search


def search(
    db_path: str | Path,
    query: str,
    *,
    limit: int = 20,
    entity: str | None = None,
    outlet: str | None = None,
    author: str | None = None,
    since: str | None = None,
    until: str | None = None,
    frame: str | None = None,
    stance: str | None = None,
    genre: str | None = None,
    expand: bool = True,
    con: sqlite3.Connection | None = None,
    markers: bool = False,
) -> list[dict]:
    """Search the store; hits best first as dicts (id, source, title, published, outlet, genre, score,
    snippet with 【】 around matches; with ``markers`` the private-use HL_OPEN/HL_CLOSE instead).  Raises ValueError for a bad filter value, FileNotFoundError when
    the store does not exist."""
    own = con is None
    if con is None:
        con = db.connect(db_path, create=False)
    try:
        hits = _search(con, query, limit, expand, entity, outlet, author, since, until, frame, stance, genre)
    finally:
        if own:
            con.close()
    if not markers:
        for h in hits:
            h["snippet"] = plain(h["snippet"])
    return hits


def _cte(name: str, table: str) -> str:
    return f"{name} AS MATERIALIZED (SELECT rowid AS n, bm25({table}) AS s FROM {table} WHERE {table} MATCH ?)"


def _search(
    con: sqlite3.Connection,
    query: str,
    limit: int,
    expand: bool,
    *filters: str | None,
) -> list[dict]:
    fconds, fargs = _filters(con, *filters)
    terms = parse_query(con, query, expand)
    if not terms:
        sql = (
            "SELECT d.n, 0.0 AS s FROM documents d"
            + (" WHERE " + " AND ".join(fconds) if fconds else "")
            + " ORDER BY d.published DESC, d.n LIMIT ?"
        )
        rows = con.execute(sql, [*fargs, limit]).fetchall()
        comp = None
    else:
        comp = compile_terms(terms)
        ctes: list[str] = []
        cargs: list[object] = []
        if comp.tri_and or comp.tok_and:
            # required matches: inner joins of the per-index AND expressions
            joins: list[str] = []
            if comp.tri_and:
                ctes.append(_cte("t", "fts_tri"))
                cargs.append(comp.tri_and)
                joins.append("t")
            if comp.tok_and:
                ctes.append(_cte("k", "fts_tok"))
                cargs.append(comp.tok_and)
                joins.append("k")
            score = " + ".join(f"{j}.s" for j in joins)
            src = joins[0] + "".join(f" JOIN {j} ON {j}.n = {joins[0]}.n" for j in joins[1:])
            src += f" JOIN documents d ON d.n = {joins[0]}.n"
        else:
            # every term has forms in both indexes: rank by the union of their matches
            union: list[str] = []
            for name, table, expr in (("t", "fts_tri", comp.tri_any), ("k", "fts_tok", comp.tok_any)):
                if expr:
                    ctes.append(_cte(name, table))
                    cargs.append(expr)
                    union.append(f"SELECT n, s FROM {name}")
            if not union:
                return []
            ctes.append(f"h AS (SELECT n, sum(s) AS s FROM ({' UNION ALL '.join(union)}) GROUP BY n)")
            score = "h.s"
            src = "h JOIN documents d ON d.n = h.n"
        where = [*comp.mixed, *fconds]
        sql = (
            f"WITH {', '.join(ctes)} SELECT d.n, {score} AS score FROM {src}"
            + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY score, d.n LIMIT ?"
        )
        rows = con.execute(sql, [*cargs, *comp.mixed_args, *fargs, limit]).fetchall()
    out: list[dict] = []
    forms = [f for t in terms for f in t.forms]
    for n, score in rows:
        d = con.execute(
            "SELECT id, source, title, published, outlet, genre, text FROM documents WHERE n = ?", (n,)
        ).fetchone()
        snip = None
        text = d["text"]
        literal_short = [t.text for t in terms if len(t.text) < 3 and t.text in text]
        if literal_short:
            # the user typed a short word: show where it is written, not where an expansion matched
            snip = _python_snippet(text, literal_short)
        elif comp is not None and comp.tri_any:
            r = con.execute(
                f"SELECT snippet(fts_tri, 0, '{HL_OPEN}', '{HL_CLOSE}', '…', 40) FROM fts_tri "
                "WHERE fts_tri MATCH ? AND rowid = ?",
                (comp.tri_any, n),
            ).fetchone()
            snip = r[0] if r else None
        if snip is None:
            snip = _python_snippet(text, forms)
        snip = _mark(snip, forms if HL_OPEN not in snip else [f for f in forms if len(f) < 3])
        out.append(
            {
                "id": d["id"],
                "source": d["source"],
                "title": d["title"],
                "published": d["published"],
                "outlet": d["outlet"],
                "genre": d["genre"],
                "score": round(-float(score), 4),
                "snippet": " ".join(snip.split()),
            }
        )
    return out


def _python_snippet(text: str, forms: list[str], before: int = 24, after: int = 56) -> str:
    """Window around the first occurrence of any form (used when no trigram form matched)."""
    first = min((i for i in (text.find(f) for f in forms if f) if i >= 0), default=-1)
    if first < 0:
        return text[: before + after] + ("…" if len(text) > before + after else "")
    s = max(0, first - before)
    e = min(len(text), first + after)
    return ("…" if s > 0 else "") + text[s:e] + ("…" if e < len(text) else "")


def _mark(snippet: str, forms: list[str]) -> str:
    """Add highlight markers around short forms outside already highlighted stretches."""
    if not forms:
        return snippet
    pat = re.compile("|".join(re.escape(f) for f in sorted(set(forms), key=len, reverse=True)))
    out: list[str] = []
    inside = False
    buf = ""
    for ch in snippet + "\0":
        if ch in (HL_OPEN, HL_CLOSE, "\0"):
            out.append(buf if inside else pat.sub(lambda m: HL_OPEN + m.group(0) + HL_CLOSE, buf))
            buf = ""
            if ch != "\0":
                out.append(ch)
                inside = ch == HL_OPEN
        else:
            buf += ch
    return "".join(out)


def plain(snippet: str) -> str:
    """Snippet with 【】 around hits (jsonl output)."""
    return snippet.replace(HL_OPEN, "【").replace(HL_CLOSE, "】")


def rich_markup(snippet: str) -> str:
    """Snippet as Rich markup with highlighted hits (table output)."""
    from rich.markup import escape

    parts = re.split(f"([{HL_OPEN}{HL_CLOSE}])", snippet)
    out: list[str] = []
    for p in parts:
        if p == HL_OPEN:
            out.append("[bold yellow]")
        elif p == HL_CLOSE:
            out.append("[/bold yellow]")
        else:
            out.append(escape(p))
    return "".join(out)
