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
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
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


class EmptyQueryError(ValueError):
    """The query has no word to search for (empty, white space, or only quotes and punctuation) and no
    filter narrows the search: it would list every document."""

    def __init__(self) -> None:
        super().__init__("search: the query is empty; give at least one word")


def has_word(query: str | None) -> bool:
    """True when QUERY contains a letter or a digit (not only spaces, quotes or punctuation)."""
    return any(unicodedata.category(ch)[0] in "LN" for ch in query or "")


def check_query(query: str | None, *filters: object) -> None:
    """Raise :class:`EmptyQueryError` when QUERY has no word and none of FILTERS is set.

    A query without a word but with a filter (``search("", entity="ルビオ")``) lists the filtered
    documents, newest first."""
    if not has_word(query) and not any(f for f in filters):
        raise EmptyQueryError()


# -------------------------------------------------------------------------------------- entity resolution


def entity_ids(con: sqlite3.Connection, name: str, include_short: bool = True) -> set[str]:
    """Ids of the entities NAME may refer to: stored ids, names, mentions (exact or variant), gazetteer."""
    from kansoku.nlp.gazetteer import default
    from kansoku.nlp.variants import variant_key

    name = name.strip()
    if not name:
        return set()
    gaz = default()
    ids: set[str] = set()
    # a 1-2 character abbreviation or short form (台, 米) is ambiguous out of context: trust it only when
    # the analysis resolved it in this store (mentions, below), not on the gazetteer's word alone
    ids.update(
        eid for eid, how in gaz.lookup(name) if how in ("name", "alias") or (include_short and len(name) >= 3)
    )
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
    from kansoku.nlp.gazetteer import default

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


def _without_superstrings(forms: list[str]) -> list[str]:
    """FORMS without those containing another form (case-folded): 旧ツイッター adds no trigram match to
    ツイッター, only the cost of matching a second phrase."""
    low = list(dict.fromkeys(f.lower() for f in forms))
    keep = {x for x in low if not any(y != x and y in x for y in low)}
    out, seen = [], set()
    for f in forms:
        if f.lower() in keep and f.lower() not in seen:
            seen.add(f.lower())
            out.append(f)
    return out


def compile_terms(terms: list[Term]) -> _Compiled:
    tri_and: list[str] = []
    tok_and: list[str] = []
    mixed: list[str] = []
    mixed_args: list[str] = []
    tri_any: list[str] = []
    tok_any: list[str] = []
    for t in terms:
        tri = [_quote(f) for f in _without_superstrings(t.tri)]
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


#: documents counted by :func:`_estimate` (the first ones by rowid); the count is scaled to the store
SAMPLE_DOCS = 10_000


def _estimate(con: sqlite3.Connection, comp: _Compiled) -> tuple[int, int]:
    """Estimated documents matching ``tri_and`` and ``tok_and`` (0 for an absent one): the matches among
    the first SAMPLE_DOCS rowids, scaled to the store.  FTS5 stops at the rowid bound, so this costs a
    tenth of a full count on a 100,000-article store (the fts5vocab document frequencies it replaces read
    each term's whole posting list: 12 ms for three names with common Latin trigrams)."""
    # one aggregate per SELECT: SQLite answers a lone min() or max() from the index, both together by a scan
    lo, hi = con.execute(
        "SELECT coalesce((SELECT min(n) FROM documents), 0), coalesce((SELECT max(n) FROM documents), 0)"
    ).fetchone()
    cut = lo + SAMPLE_DOCS - 1
    scale = max(1.0, (hi - lo + 1) / SAMPLE_DOCS)
    out = []
    for table, expr in (("fts_tri", comp.tri_and), ("fts_tok", comp.tok_and)):
        if not expr:
            out.append(0)
            continue
        k = con.execute(
            f"SELECT count(*) FROM {table} WHERE {table} MATCH ? AND rowid <= ?", (expr, cut)
        ).fetchone()[0]
        out.append(round(k * scale))
    return out[0], out[1]


# -------------------------------------------------------------------------------------------- filters


@dataclass(slots=True)
class Filter:
    """One search filter: ``cond``, an SQL condition on the document ``d`` tested row by row, and, when an
    index can list the documents that pass it, ``set_sql`` (their ``n``, exactly the rows ``cond`` keeps)
    and ``count_sql`` (how many; cheap, from the same index).  :func:`_plan` turns the smallest such set
    into a membership test when that costs less than looking up each candidate's row."""

    cond: str
    args: list[object]
    set_sql: str | None = None
    count_sql: str | None = None
    set_args: list[object] = field(default_factory=list)


# the distinct outlets containing a word: one index seek per outlet (a skip scan written as a recursive
# query; SELECT DISTINCT would read every entry of the index, 26 ms at 100,000 articles)
_OUTLETS_LIKE = (
    "WITH RECURSIVE o(v) AS (SELECT min(outlet) FROM documents UNION ALL "
    "SELECT (SELECT min(outlet) FROM documents WHERE outlet > o.v) FROM o WHERE o.v IS NOT NULL) "
    "SELECT v FROM o WHERE v IS NOT NULL AND instr(lower(v), lower(?)) > 0"
)


def _filter_list(
    con: sqlite3.Connection,
    entity: str | None,
    outlet: str | None,
    author: str | None,
    since: str | None,
    until: str | None,
    frame: str | None,
    stance: str | None,
    genre: str | None,
) -> list[Filter]:
    out: list[Filter] = []
    if entity:
        ids = sorted(entity_ids(con, entity))
        if not ids:
            out.append(Filter("0", []))
        else:
            marks = ",".join("?" * len(ids))
            out.append(
                Filter(
                    f"EXISTS (SELECT 1 FROM mentions m WHERE m.doc_id = d.id AND m.entity_id IN ({marks}))",
                    list(ids),
                    "SELECT d.n FROM documents d WHERE d.id IN "
                    f"(SELECT doc_id FROM mentions WHERE entity_id IN ({marks}))",
                    f"SELECT count(DISTINCT doc_id) FROM mentions WHERE entity_id IN ({marks})",
                    list(ids),
                )
            )
    if outlet:
        # the outlets containing the words, from the index's distinct values; then their documents
        out.append(
            Filter(
                "instr(lower(d.outlet), lower(?)) > 0",
                [outlet],
                f"SELECT n FROM documents WHERE outlet IN ({_OUTLETS_LIKE})",
                f"SELECT count(*) FROM documents WHERE outlet IN ({_OUTLETS_LIKE})",
                [outlet],
            )
        )
    if author:
        out.append(Filter("instr(d.authors, ?) > 0", [author]))
    if since or until:
        # published >= since is exactly substr(published, 1, 10) >= since (a date prefix of at most 10
        # characters), and it can use the index; until keeps its substr test on the index's values
        conds, args = [], []
        if since:
            conds.append("{p} >= ?")
            args.append(_date(since, "--since"))
        if until:
            # inclusive of the whole month or year: 2025-08 keeps 2025-08-31 (the range uses the index)
            v = _date(until, "--until")
            conds.append(f"{{p}} <= ? AND substr({{p}}, 1, {len(v)}) <= ?")
            args += [v + "\U0010ffff", v]
        where = " AND ".join(conds)
        out.append(
            Filter(
                where.format(p="d.published"),
                list(args),
                f"SELECT n FROM documents WHERE {where.format(p='published')}",
                f"SELECT count(*) FROM documents WHERE {where.format(p='published')}",
                list(args),
            )
        )
    if frame:
        out.append(
            Filter(
                "EXISTS (SELECT 1 FROM frames f WHERE f.doc_id = d.id AND f.frame_id = ?)",
                [frame],
                "SELECT d.n FROM documents d WHERE d.id IN (SELECT doc_id FROM frames WHERE frame_id = ?)",
                "SELECT count(DISTINCT doc_id) FROM frames WHERE frame_id = ?",
                [frame],
            )
        )
    if genre:
        out.append(
            Filter(
                "d.genre = ?",
                [genre],
                "SELECT n FROM documents WHERE genre = ?",
                "SELECT count(*) FROM documents WHERE genre = ?",
                [genre],
            )
        )
    if stance:
        target, sep, pol = stance.rpartition(":")
        pol = pol.strip().lower()
        if not sep or pol not in ("pos", "neg") or not target.strip():
            raise ValueError(f"--stance: expected TARGET:pos or TARGET:neg, got {stance!r}")
        names = _stance_names(con, target.strip())
        marks = ",".join("?" * len(names))
        out.append(
            Filter(
                "EXISTS (SELECT 1 FROM stance s WHERE s.doc_id = d.id AND "
                f"(lower(s.target) IN ({marks}) OR lower(s.target_name) IN ({marks})) "
                f"AND s.score {'>' if pol == 'pos' else '<'} 0)",
                [*names, *names],
            )
        )
    return out


def flatten(filters: list[Filter]) -> tuple[list[str], list[object]]:
    """The row-by-row conditions of FILTERS and their arguments, for a WHERE clause on ``documents d``."""
    return [f.cond for f in filters], [a for f in filters for a in f.args]


def _stance_names(con: sqlite3.Connection, target: str) -> list[str]:
    """Stance targets are keyed by English name; accept ids, Japanese names and variants too."""
    from kansoku.nlp.gazetteer import default

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
    snippet with 【】 around matches; with ``markers`` the private-use HL_OPEN/HL_CLOSE instead).

    Raises :class:`EmptyQueryError` (a ValueError) for a query without any word and no filter, ValueError
    for a bad filter value, FileNotFoundError when the store does not exist."""
    check_query(query, entity, outlet, author, since, until, frame, stance, genre)
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


#: per candidate row: looking up its document row costs about this many times a membership test plus the
#: share of building the filter's set (measured on a 100,000-article store: ~1.5 µs vs ~0.2 + 0.3 µs)
SET_FACTOR = 3


#: cost of matching a trigram phrase per document, in tokens' posting-list entries (order of magnitude)
TRI_COST = 4


def _pick_set(con: sqlite3.Connection, filters: list[Filter], candidates: int) -> Filter | None:
    """The filter whose document set is cheaper to build and test than looking up each of ``candidates``
    rows (the smallest set, when it holds fewer than SET_FACTOR × candidates documents), or None."""
    best: tuple[int, Filter] | None = None
    for f in filters:
        if f.count_sql is None:
            continue
        k = int(con.execute(f.count_sql, f.set_args).fetchone()[0])
        if best is None or k < best[0]:
            best = (k, f)
    if best is None or best[0] >= SET_FACTOR * candidates:
        return None
    return best[1]


def _plan(con: sqlite3.Connection, comp: _Compiled, filters: list[Filter], limit: int) -> tuple[str | None, list]:
    """SQL for the ranked hits.

    bm25() costs about a microsecond per matching row (it reads each row's length), a plain rowid scan a
    fifth of that.  So the WHERE clause does the selecting (the other index, the filters) and bm25, a
    result column, is computed only for the rows that pass.  ``+rowid IN (...)`` keeps SQLite from handing
    the set to FTS5 as rowid lookups (one index seek per row) and makes it a membership test per row.  A
    filter with an index (genre, outlet, dates, frame, entity) becomes such a membership test too when its
    set is small against the candidates (:func:`_pick_set`); the others read each candidate's row.
    """
    only = [(t, e) for t, e in (("fts_tri", comp.tri_and), ("fts_tok", comp.tok_and)) if e]
    est: tuple[int, int] | None = None
    chosen: Filter | None = None
    if only and filters:
        est = _estimate(con, comp)
        sizes = ([est[0]] if comp.tri_and else []) + ([est[1]] if comp.tok_and else [])
        chosen = _pick_set(con, filters, min(sizes))
    fconds, fargs = flatten([f for f in filters if f is not chosen])
    where = [*comp.mixed, *fconds]
    wargs: list[object] = [*comp.mixed_args, *fargs]
    if len(comp.mixed) == 1 and not comp.tri_and and not comp.tok_and:
        # a single term with forms in both indexes: the candidates below are exactly its matches
        where, wargs = list(fconds), list(fargs)
    if len(only) == 1 and not where and chosen is None:
        # one index, no filters: FTS5 scores its own matches
        table, expr = only[0]
        return (
            f"SELECT rowid, bm25({table}) AS s FROM {table} WHERE {table} MATCH ? ORDER BY s, rowid LIMIT ?",
            [
                expr,
                limit,
            ],
        )
    ctes: list[str] = []
    params: list[object] = []
    if chosen is not None:
        ctes.append(f"fs AS MATERIALIZED ({chosen.set_sql})")
        params += chosen.set_args
    if only:
        # one pass over the primary index: membership in the other index and the filters are tested per
        # row in WHERE, so bm25 (a result column) is computed only for the rows that pass
        if len(only) == 2:
            # the primary index is scanned once; the other is scanned twice (its set for the membership
            # test, then its scores) and its set built.  Trigram phrases cost several times a token's
            # posting list per document, so the trigram index is primary unless its matches are few
            tri_n, tok_n = est if est is not None else _estimate(con, comp)
            if TRI_COST * tri_n < tok_n:
                only.reverse()
        (ptab, pexpr), other = only[0], only[1:]
        sql = f"SELECT rowid AS n, bm25({ptab}) AS s FROM {ptab} WHERE {ptab} MATCH ?"
        params.append(pexpr)
        if chosen is not None and not other:
            sql += " AND +rowid IN (SELECT n FROM fs)"
        if other:
            # the other index's matches, already narrowed to the filter's set: a smaller set to build
            otab, oexpr = other[0]
            narrow = " AND +rowid IN (SELECT n FROM fs)" if chosen is not None else ""
            sql += f" AND +rowid IN (SELECT rowid FROM {otab} WHERE {otab} MATCH ?{narrow})"
            params.append(oexpr)
        if where:
            sql += (
                f" AND EXISTS (SELECT 1 FROM documents d WHERE d.n = {ptab}.rowid AND {' AND '.join(where)})"
            )
            params += wargs
        ctes.append(f"t AS MATERIALIZED ({sql})")
        union = ["SELECT n, s FROM t"]
        if other:
            otab, oexpr = other[0]
            ctes.append(
                f"k AS MATERIALIZED (SELECT rowid AS n, bm25({otab}) AS s FROM {otab} "
                f"WHERE {otab} MATCH ? AND +rowid IN (SELECT n FROM t))"
            )
            params.append(oexpr)
            union.append("SELECT n, s FROM k")
        sql = (
            f"WITH {', '.join(ctes)} SELECT n, sum(s) AS score FROM ({' UNION ALL '.join(union)})"
            " GROUP BY n ORDER BY score, n LIMIT ?"
        )
        return sql, [*params, limit]
    # every term has forms in both indexes (entity names with a 1-2 character abbreviation)
    parts = []
    for table, expr in (("fts_tri", comp.tri_any), ("fts_tok", comp.tok_any)):
        if expr:
            parts.append(f"SELECT rowid AS n FROM {table} WHERE {table} MATCH ?")
            params.append(expr)
    if not parts:
        return None, []
    ctes.append(f"c AS MATERIALIZED ({' UNION '.join(parts)})")
    if where:
        ctes.append(
            f"f AS MATERIALIZED (SELECT c.n FROM c JOIN documents d ON d.n = c.n WHERE {' AND '.join(where)})"
        )
        params += wargs
    else:
        ctes.append("f AS (SELECT n FROM c)")
    union = ["SELECT n, 0.0 AS s FROM f"]
    for name, table, expr in (("t", "fts_tri", comp.tri_any), ("k", "fts_tok", comp.tok_any)):
        if expr:
            ctes.append(
                f"{name} AS MATERIALIZED (SELECT rowid AS n, bm25({table}) AS s FROM {table} "
                f"WHERE {table} MATCH ? AND +rowid IN (SELECT n FROM f))"
            )
            params.append(expr)
            union.append(f"SELECT n, s FROM {name}")
    # UNION ALL + GROUP BY rather than LEFT JOINs: the CTEs have no index and a join would be quadratic
    sql = (
        f"WITH {', '.join(ctes)} SELECT n, sum(s) AS score FROM ({' UNION ALL '.join(union)})"
        " GROUP BY n ORDER BY score, n LIMIT ?"
    )
    return sql, [*params, limit]


def _search(
    con: sqlite3.Connection,
    query: str,
    limit: int,
    expand: bool,
    *filters: str | None,
) -> list[dict]:
    flist = _filter_list(con, *filters)  # type: ignore[arg-type]
    fconds, fargs = flatten(flist)
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
        sql, params = _plan(con, comp, flist, limit)
        if sql is None:
            return []
        rows = con.execute(sql, params).fetchall()
    return hits_of(con, rows, terms, comp)


def hits_of(con: sqlite3.Connection, rows: list, terms: list[Term], comp: _Compiled | None) -> list[dict]:
    """The hit dicts of ROWS (``(n, bm25)`` pairs, in order), with snippets (HL_OPEN/HL_CLOSE markers)."""
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
        elif comp is not None:
            snip = _window_snippet(text, tuple(f for f in forms if len(f) >= 2))
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


def _window_snippet(text: str, forms: tuple[str, ...], before: int = 24, width: int = 80) -> str | None:
    """The ``width``-character window of ``text`` holding the most distinct forms (then the most matches;
    the earliest on a tie), every match marked with HL_OPEN/HL_CLOSE; None when no form occurs.

    Found in Python on the text already read: asking FTS5 for ``snippet()`` costs a second MATCH per hit,
    up to 1.5 ms each for an entity expanded to several names."""
    pat = _forms_pattern(forms)
    if pat is None:
        return None
    found = [(m.start(), m.end(), m.group(0).casefold()) for m in pat.finditer(text)][:200]
    if not found:
        return None
    best: tuple[int, int, int] | None = None  # (-distinct, -matches, start)
    for a, _e, _f in found:
        s = max(0, a - before)
        inside = [f for b, e, f in found if b >= s and e <= s + width]
        key = (-len(set(inside)), -len(inside), s)
        if best is None or key < best:
            best = key
    start = best[2] if best else 0
    end = min(len(text), start + width)
    out = ["…" if start > 0 else ""]
    pos = start
    for b, e, _f in found:
        if b >= pos and e <= end:
            out += [text[pos:b], HL_OPEN, text[b:e], HL_CLOSE]
            pos = e
    out += [text[pos:end], "…" if end < len(text) else ""]
    return "".join(out)


@lru_cache(maxsize=256)
def _forms_pattern(forms: tuple[str, ...]) -> re.Pattern[str] | None:
    forms = tuple(f for f in dict.fromkeys(forms) if f)
    if not forms:
        return None
    return re.compile("|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True)), re.IGNORECASE)


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
    kata = "\u30a0-\u30ff\uff66-\uff9f"

    def piece(f: str) -> str:
        # a one-letter katakana form (ロ for Russia) only on its own, not inside a word (ドローン)
        if len(f) == 1 and re.match(f"[{kata}]", f):
            return f"(?<![{kata}]){re.escape(f)}(?![{kata}])"
        return re.escape(f)

    pat = re.compile("|".join(piece(f) for f in sorted(set(forms), key=len, reverse=True)))
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
