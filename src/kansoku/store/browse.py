"""Paged reads of the store for browsing (the web UI, ``kansoku serve``): search with a total, paging, date
sort and facet counts; an entity's articles by month and outlet and the reason each spelling was merged;
claims by speaker with paging.

Every function reads a bounded number of rows: a page of hits, the facets of at most
:data:`FACET_SAMPLE` hits, one entity's index range.  Nothing here loads a whole table.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, fields
from datetime import date

from kansoku.store.search import (
    Filter,
    _filter_list,
    _plan,
    check_query,
    compile_terms,
    entity_ids,
    flatten,
    hits_of,
    parse_query,
)

#: Facets are counted over at most this many hits (the first ones in the order shown); ``facets_over``
#: in the result says how many were counted.
FACET_SAMPLE = 1000
#: Values listed per facet.
FACET_VALUES = 12
SORTS = ("relevance", "date")


class BadRequest(ValueError):
    """A parameter value the store cannot use (a malformed date, an unknown sort); the message names the
    parameter as the web API spells it."""


@dataclass(slots=True)
class Filters:
    """Search filters, as the web API names them (``since``/``until``: YYYY-MM-DD, YYYY-MM or YYYY)."""

    entity: str | None = None
    outlet: str | None = None
    author: str | None = None
    speaker: str | None = None
    frame: str | None = None
    genre: str | None = None
    since: str | None = None
    until: str | None = None
    stance: str | None = None

    def active(self) -> dict[str, str]:
        return {f.name: v for f in fields(self) if (v := getattr(self, f.name))}


def check_date(value: str | None, name: str) -> str | None:
    """VALUE when it is YYYY-MM-DD, YYYY-MM or YYYY (or empty: None); else :class:`BadRequest`."""
    if value is None or not value.strip():
        return None
    s = value.strip()
    for suffix in ("", "-01", "-01-01"):
        try:
            date.fromisoformat(s + suffix)
        except ValueError:
            continue
        if len(s) in (4, 7, 10):
            return s
    raise BadRequest(f"{name}: expected a date YYYY-MM-DD (or YYYY-MM, YYYY), got {value!r}")


def _conditions(con: sqlite3.Connection, f: Filters) -> list[Filter]:
    since = check_date(f.since, "since")
    until = check_date(f.until, "until")
    try:
        out = _filter_list(con, f.entity, f.outlet, f.author, since, until, f.frame, f.stance, f.genre)
    except ValueError as exc:
        raise BadRequest(str(exc).replace("--stance", "stance")) from None
    if f.speaker:
        ids = sorted(entity_ids(con, f.speaker))
        marks = ",".join("?" * len(ids))
        by_id = f"c.speaker_entity_id IN ({marks}) OR " if ids else ""
        out.append(
            Filter(
                f"EXISTS (SELECT 1 FROM claims c WHERE c.doc_id = d.id AND ({by_id}c.speaker = ?))",
                [*ids, f.speaker],
            )
        )
    return out


def search_page(
    con: sqlite3.Connection,
    query: str,
    filters: Filters | None = None,
    *,
    page: int = 1,
    per_page: int = 20,
    sort: str = "relevance",
    expand: bool = True,
) -> dict:
    """One page of search results with the total and facet counts.

    ``{"total", "page", "per_page", "pages", "sort", "results": [hit …], "facets": {name: [{value, label,
    count}]}, "facets_over"}``; hits as :func:`kansoku.store.search.search` gives them, snippets with the
    HL_OPEN/HL_CLOSE markers.  A query without words lists the newest articles (with or without filters).
    ``facets_over`` is the number of hits the facets count: all of them up to :data:`FACET_SAMPLE`, else
    the first :data:`FACET_SAMPLE` in the order shown.
    """
    f = filters or Filters()
    if sort not in SORTS:
        raise BadRequest(f"sort: expected one of {', '.join(SORTS)}, got {sort!r}")
    if page < 1 or per_page < 1:
        raise BadRequest("page: expected a number of 1 or more")
    flist = _conditions(con, f)
    conds, args = flatten(flist)
    terms = parse_query(con, query or "", expand) if (query or "").strip() else []
    comp = None
    offset = (page - 1) * per_page
    if not terms:
        where = (" WHERE " + " AND ".join(conds)) if conds else ""
        total = con.execute(f"SELECT count(*) FROM documents d{where}", args).fetchone()[0]
        order = "d.published DESC, d.n"  # no words to rank by: newest first either way
        rows = con.execute(
            f"SELECT d.n, 0.0 FROM documents d{where} ORDER BY {order} LIMIT ? OFFSET ?",
            [*args, per_page, offset],
        ).fetchall()
        sample = [r[0] for r in con.execute(
            f"SELECT d.n FROM documents d{where} ORDER BY {order} LIMIT ?", [*args, FACET_SAMPLE]
        )]  # fmt: skip
    else:
        comp = compile_terms(terms)
        sql, params = _plan(con, comp, flist, -1)
        ranked = con.execute(sql, params).fetchall() if sql else []
        total = len(ranked)
        if sort == "date" and ranked:
            ranked = _by_date(con, ranked)
        rows = ranked[offset : offset + per_page]
        sample = [r[0] for r in ranked[:FACET_SAMPLE]]
    results = hits_of(con, [tuple(r) for r in rows], terms, comp)
    return {
        "total": total,
        "page": page,
        "per_page": per_page,
        "pages": max(1, -(-total // per_page)),
        "sort": sort,
        "results": results,
        "facets": facets(con, sample),
        "facets_over": len(sample),
    }


def search_total(con: sqlite3.Connection, query: str, filters: Filters | None = None) -> int:
    """How many documents a search matches (as :func:`search_page` counts them)."""
    check_query(query, *(filters or Filters()).active().values())
    return search_page(con, query, filters, per_page=1)["total"]


def _by_date(con: sqlite3.Connection, ranked: list) -> list:
    score = {r[0]: r[1] for r in ranked}
    ns = json.dumps(list(score))
    order = con.execute(
        "SELECT d.n FROM documents d WHERE d.n IN (SELECT value FROM json_each(?)) ORDER BY d.published DESC, d.n",
        (ns,),
    ).fetchall()
    return [(r[0], score[r[0]]) for r in order]


def facets(con: sqlite3.Connection, ns: list[int]) -> dict[str, list[dict]]:
    """Facet counts over the documents NS (rowids): outlet, author, entity, speaker, frame, genre, month.

    Each facet is a list of ``{"value", "label", "count"}``, most frequent first (months in date order);
    ``value`` is what the matching search filter takes (an entity id, a speaker's entity id or words, a
    frame id, YYYY-MM for a month)."""
    if not ns:
        return {k: [] for k in ("outlet", "author", "entity", "speaker", "frame", "genre", "month")}
    con.execute("CREATE TEMP TABLE IF NOT EXISTS fsample (n INTEGER PRIMARY KEY)")
    con.execute("DELETE FROM temp.fsample")
    con.executemany("INSERT OR IGNORE INTO temp.fsample(n) VALUES (?)", ((n,) for n in ns))
    k = FACET_VALUES

    def rows(sql: str) -> list[tuple]:
        return con.execute(sql, (k,)).fetchall()

    # rows are looked up by key from the sample (``IN (SELECT n FROM temp.fsample)``): a join would let
    # SQLite build a Bloom filter over the whole documents table first (150 ms at 100,000 articles)
    docs = "FROM documents d WHERE d.n IN (SELECT n FROM temp.fsample)"
    ids = "SELECT d.id FROM documents d WHERE d.n IN (SELECT n FROM temp.fsample)"
    out: dict[str, list[dict]] = {}
    out["outlet"] = [{"value": v, "label": v, "count": c} for v, c in rows(
        f"SELECT d.outlet, count(*) AS c {docs} AND d.outlet IS NOT NULL AND d.outlet != '' "
        "GROUP BY d.outlet ORDER BY c DESC, d.outlet LIMIT ?")]  # fmt: skip
    authors: dict[str, int] = {}
    for (names,) in con.execute(f"SELECT d.authors {docs} AND d.authors IS NOT NULL"):
        for a in dict.fromkeys(x.strip() for x in names.split("\n")):
            if a:
                authors[a] = authors.get(a, 0) + 1
    out["author"] = [{"value": a, "label": a, "count": c}
                     for a, c in sorted(authors.items(), key=lambda kv: (-kv[1], kv[0]))[:k]]  # fmt: skip
    # count first, then look up the names of the listed values only
    out["entity"] = [{"value": i, "label": name or i, "type": t, "count": c} for i, name, t, c in rows(
        "SELECT g.entity_id, e.name, e.type, g.c FROM (SELECT entity_id, count(*) AS c FROM doc_entities "
        "WHERE n IN (SELECT n FROM temp.fsample) AND in_record = 1 GROUP BY entity_id ORDER BY c DESC, entity_id "
        "LIMIT ?) g LEFT JOIN entities e ON e.id = g.entity_id ORDER BY g.c DESC, g.entity_id")]  # fmt: skip
    out["speaker"] = [{"value": v, "label": label or v, "count": c} for v, label, c in rows(
        "SELECT g.v, coalesce(e.name, g.speaker), g.k FROM (SELECT coalesce(speaker_entity_id, speaker) AS v, "
        "max(speaker_entity_id) AS eid, max(speaker) AS speaker, count(DISTINCT doc_id) AS k FROM claims "
        f"WHERE doc_id IN ({ids}) AND speaker IS NOT NULL AND speaker != '' GROUP BY v ORDER BY k DESC, v LIMIT ?) g "
        "LEFT JOIN entities e ON e.id = g.eid ORDER BY g.k DESC, g.v")]  # fmt: skip
    out["frame"] = [{"value": v, "label": label or v, "label_en": label_en, "count": c} for v, label, label_en, c in rows(
        "SELECT f.frame_id, max(f.label), max(f.label_en), count(DISTINCT f.doc_id) AS k FROM frames f "
        f"WHERE f.doc_id IN ({ids}) GROUP BY f.frame_id ORDER BY k DESC, f.frame_id LIMIT ?")]  # fmt: skip
    out["genre"] = [{"value": v, "label": v, "count": c} for v, c in rows(
        f"SELECT d.genre, count(*) AS c {docs} AND d.genre IS NOT NULL GROUP BY d.genre ORDER BY c DESC, d.genre LIMIT ?")]  # fmt: skip
    out["month"] = [{"value": v, "label": v, "count": c} for v, c in con.execute(
        f"SELECT substr(d.published, 1, 7) AS m, count(*) {docs} AND d.published IS NOT NULL "
        "AND length(d.published) >= 7 GROUP BY m ORDER BY m")]  # fmt: skip
    return out


# -------------------------------------------------------------------------------------------- entities


def entity_months(con: sqlite3.Connection, entity_id: str) -> list[dict]:
    """Articles naming the entity per month and outlet: ``[{"month", "outlet", "docs"}]`` in month order
    (undated articles under month None, last)."""
    return [
        {"month": m, "outlet": o, "docs": k}
        for m, o, k in con.execute(
            "SELECT substr(f.date, 1, 7) AS m, f.outlet, count(*) FROM doc_entities x JOIN doc_features f "
            "ON f.n = x.n WHERE x.entity_id = ? AND x.in_record = 1 GROUP BY m, f.outlet "
            "ORDER BY m IS NULL, m, f.outlet",
            (entity_id,),
        )
    ]


def spelling_methods(con: sqlite3.Connection, entity_id: str, texts: list[str], sample: int = 200) -> dict[str, dict]:
    """Why each spelling of the entity was merged into it: per text, the resolution methods of (up to
    SAMPLE of) its mentions with their counts, most frequent first (``{"gazetteer": 12, "variant_key": 3}``)."""
    out: dict[str, dict] = {}
    for t in texts:
        rows = con.execute(
            "SELECT method, count(*) AS k FROM (SELECT method FROM mentions WHERE entity_id = ? AND text = ? "
            "LIMIT ?) GROUP BY method ORDER BY k DESC, method",
            (entity_id, t, sample),
        ).fetchall()
        out[t] = {m or "unknown": k for m, k in rows}
    return out


# ---------------------------------------------------------------------------------------------- claims

_CLAIM_SELECT = (
    "SELECT d.id, d.title, d.outlet, d.published, c.claim_id, c.kind, c.cue, c.speaker, c.speaker_entity_id, "
    "c.text, c.start, c.\"end\", coalesce(c.content_start, c.start), coalesce(c.content_end, c.\"end\"), "
    "substr(d.text, coalesce(c.content_start, c.start) + 1, "
    "coalesce(c.content_end, c.\"end\") - coalesce(c.content_start, c.start)) "
    "FROM claims c JOIN documents d ON d.id = c.doc_id"
)
_CLAIM_KEYS = ("doc_id", "title", "outlet", "published", "claim_id", "kind", "cue", "speaker", "speaker_entity_id",
               "sentence", "start", "end", "content_start", "content_end", "content")  # fmt: skip
KINDS = ("quote", "reported", "hearsay", "assertion")


def _claim_conditions(con: sqlite3.Connection, speaker: str | None, about: str | None,
                      kind: str | None) -> tuple[list[str], list[object]]:  # fmt: skip
    conds: list[str] = []
    args: list[object] = []
    if speaker:
        ids = sorted(entity_ids(con, speaker))
        by_id = f"c.speaker_entity_id IN ({','.join('?' * len(ids))}) OR " if ids else ""
        conds.append(f"({by_id}c.speaker = ?)")
        args.extend([*ids, speaker])
    if about:
        ids = sorted(entity_ids(con, about))
        if not ids:
            conds.append("0")
        else:
            conds.append(
                f"EXISTS (SELECT 1 FROM mentions m WHERE m.doc_id = c.doc_id AND m.entity_id IN ({','.join('?' * len(ids))}) "
                "AND m.start >= coalesce(c.content_start, c.start) AND m.\"end\" <= coalesce(c.content_end, c.\"end\"))"
            )
            args.extend(ids)
    if kind:
        if kind not in KINDS:
            raise BadRequest(f"kind: expected one of {', '.join(KINDS)}, got {kind!r}")
        conds.append("c.kind = ?")
        args.append(kind)
    return conds, args


def claims_page(con: sqlite3.Connection, speaker: str | None = None, about: str | None = None,
                kind: str | None = None, page: int = 1, per_page: int = 50) -> dict:  # fmt: skip
    """Claims (newest articles first, claims in text order) matching a speaker (name, spelling or entity
    id), an entity the claim's content mentions (``about``) and a kind; one page of them with the total:
    ``{"total", "page", "per_page", "pages", "claims": [{doc_id, title, outlet, published, claim_id, kind,
    cue, speaker, speaker_entity_id, sentence, start, end, content_start, content_end, content}]}``."""
    if page < 1 or per_page < 1:
        raise BadRequest("page: expected a number of 1 or more")
    conds, args = _claim_conditions(con, speaker, about, kind)
    where = (" WHERE " + " AND ".join(conds)) if conds else ""
    if conds:
        total = con.execute(f"SELECT count(*) FROM claims c{where}", args).fetchone()[0]
    else:
        total = con.execute("SELECT count(*) FROM claims").fetchone()[0]
    rows = con.execute(
        f"{_CLAIM_SELECT}{where} ORDER BY d.published DESC, d.n, c.claim_id LIMIT ? OFFSET ?",
        [*args, per_page, (page - 1) * per_page],
    ).fetchall()
    return {
        "total": total,
        "page": page,
        "per_page": per_page,
        "pages": max(1, -(-total // per_page)),
        "claims": [dict(zip(_CLAIM_KEYS, r, strict=True)) for r in rows],
    }


def top_speakers(con: sqlite3.Connection, limit: int = 30) -> list[dict]:
    """The speakers with most claims over the whole store: ``[{"value", "label", "entity_id", "claims",
    "docs"}]``.  It reads the whole claims table: callers cache it (per store revision)."""
    return [
        {"value": v, "label": label or v, "entity_id": eid, "claims": k, "docs": nd}
        for v, label, eid, k, nd in con.execute(
            "SELECT coalesce(c.speaker_entity_id, c.speaker) AS v, coalesce(max(e.name), max(c.speaker)), "
            "c.speaker_entity_id, count(*) AS k, count(DISTINCT c.doc_id) FROM claims c "
            "LEFT JOIN entities e ON e.id = c.speaker_entity_id WHERE c.speaker IS NOT NULL AND c.speaker != '' "
            "GROUP BY v ORDER BY k DESC, v LIMIT ?",
            (limit,),
        )
    ]


def document_record(con: sqlite3.Connection, doc_id: str) -> dict | None:
    """The stored record of a document (its id, or a unique prefix of 6 or more characters), or None."""
    row = con.execute("SELECT record_json FROM documents WHERE id = ?", (doc_id,)).fetchone()
    if row is None and len(doc_id) >= 6 and all(ch in "0123456789abcdef" for ch in doc_id):
        found = con.execute(
            "SELECT record_json FROM documents WHERE id >= ? AND id < ? LIMIT 2", (doc_id, doc_id + "g")
        ).fetchall()
        row = found[0] if len(found) == 1 else None
    return json.loads(row[0]) if row else None
