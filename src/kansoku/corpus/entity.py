"""One entity across the corpus: spellings, sources, co-occurring entities, claims by and about it, figures.

:func:`resolve_entity` maps a query (an id, a canonical name in Japanese or English, a surface as written,
a gazetteer alias, a transliteration variant such as ポクロウシク for ポクロフスク, or a name with a title
such as ゼレンシキー大統領) to the entity id used in the records.

Both read only the rows of the entity (indexes on ``doc_entities``, ``mentions``, ``entity_names``,
``claims``), never whole records, except the few records whose figures are shown.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from kansoku.corpus.base import DOC_ORDER, Corpus, as_corpus
from kansoku.store.db import variant_key as _variant_key


def _strip_title(s: str) -> str:
    try:
        from kansoku.extract.entities import strip_title

        return strip_title(s)
    except Exception:  # noqa: BLE001 - optional refinement
        return s


def _counts(c: Corpus, ids: Iterable[str]) -> dict[str, int]:
    """Mentions per entity id over the corpus, for the ids present in it."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        return {}
    return {
        r[0]: r[1]
        for r in c.con.execute(
            "SELECT entity_id, sum(mentions) FROM doc_entities WHERE in_record = 1 "
            "AND entity_id IN (SELECT value FROM json_each(?)) GROUP BY entity_id",
            (json.dumps(ids),),
        )
    }


def _best(c: Corpus, ids: Iterable[str]) -> str | None:
    counts = _counts(c, ids)
    return max(counts, key=lambda i: (counts[i], i)) if counts else None


def resolve_entity(records: Corpus | Iterable[dict], query: str) -> str | None:
    """Entity id for ``query`` in these records, or None.

    Tried in order: id, canonical name / English name, mention surface, gazetteer alias, transliteration
    variant key (of the query and of the query without a title); ties go to the most-mentioned entity.
    """
    c = as_corpus(records)
    con = c.con
    q = (query or "").strip()
    if not q:
        return None
    if con.execute("SELECT 1 FROM doc_entities WHERE entity_id = ? AND in_record = 1 LIMIT 1", (q,)).fetchone():
        return q
    hit = _best(c, (r[0] for r in con.execute("SELECT entity_id FROM entity_names WHERE folded = ?", (q.casefold(),))))
    if hit:
        return hit
    surf = [r[0] for r in con.execute("SELECT DISTINCT entity_id FROM mentions WHERE text = ?", (q,))]
    if surf:
        return _best(c, surf)
    try:
        from kansoku.nlp.gazetteer import default

        gaz = default()
        hit = _best(c, [i for i, _how in gaz.lookup(q)] + sorted(gaz.lookup_variant(q)))
        if hit:
            return hit
    except Exception:  # noqa: BLE001 - gazetteer optional
        pass
    for cand in dict.fromkeys([q, _strip_title(q)]):
        k = _variant_key(cand)
        hits = [r[0] for r in con.execute("SELECT entity_id FROM entity_names WHERE vkey = ?", (k,))]
        hits += [r[0] for r in con.execute("SELECT DISTINCT entity_id FROM mentions WHERE vkey = ?", (k,))]
        hit = _best(c, hits)
        if hit:
            return hit
        # a surname or short form: the only person/thing whose name ends with it
        ends = _counts(c, (r[0] for r in con.execute("SELECT entity_id FROM entity_names WHERE last_vkey = ?", (k,))))
        if len(ends) == 1:
            return next(iter(ends))
    return None


def entity_docs(c: Corpus, eid: str) -> list[tuple[int, str, str]]:
    """(n, id, outlet) of the documents naming the entity, in the canonical order (date, id)."""
    return [
        (r[0], r[1], r[2])
        for r in c.con.execute(
            "SELECT d.n, d.id, f.outlet FROM doc_entities x JOIN documents d ON d.n = x.n "
            f"JOIN doc_features f ON f.n = x.n WHERE x.entity_id = ? AND x.in_record = 1 ORDER BY {DOC_ORDER}",
            (eid,),
        )
    ]


_CLAIM_COLS = (
    "d.id, f.outlet, c.claim_id, c.speaker, c.speaker_entity_id, c.kind, c.cue, c.text, c.start, c.\"end\""
)


def _claim_row(r: tuple) -> dict:
    keys = ("doc_id", "outlet", "id", "speaker", "speaker_entity_id", "kind", "cue", "text", "start", "end")
    return dict(zip(keys, r, strict=True))


def entity_profile(records: Corpus | Iterable[dict], name_or_id: str, max_items: int = 50) -> dict | None:
    """Everything the corpus says about one entity (None when the query resolves to nothing).

    ``{"query", "id", "name", "name_en", "type", "mentions", "docs", "variants": [{text, count}],
    "mentions_by_source": [{doc_id, source, outlet, title, count, first}], "co_occurring": [{id, name, type,
    sentences, docs}], "claims_by": [...], "claims_about": [...], "quantities": [...]}``.  Lists hold at
    most ``max_items`` entries (sources by mentions, co-occurring entities by shared sentences, claims and
    figures in date order); ``mentions`` and ``docs`` are the totals.
    """
    c = as_corpus(records)
    con = c.con
    eid = resolve_entity(c, name_or_id)
    if eid is None:
        return None
    # the entity's documents in the canonical order, numbered (rk) so that lists can stop at max_items
    con.execute(
        "CREATE TEMP TABLE IF NOT EXISTS xdocs (rk INTEGER PRIMARY KEY, n INTEGER NOT NULL, id TEXT NOT NULL, "
        "outlet TEXT)"
    )
    con.execute("DELETE FROM temp.xdocs")
    con.execute(
        "INSERT INTO temp.xdocs(n, id, outlet) SELECT d.n, d.id, f.outlet FROM doc_entities x "
        "JOIN documents d ON d.n = x.n JOIN doc_features f ON f.n = x.n WHERE x.entity_id = ? AND x.in_record = 1 "
        f"ORDER BY {DOC_ORDER}",
        (eid,),
    )
    # statistics of the temp table, so that the joins below walk it and look rows up by key (without them
    # SQLite may build a Bloom filter over the whole claims or quantities table first: 50-60 ms at 100,000
    # articles, for an entity of any size)
    con.execute("ANALYZE temp.xdocs")
    ndocs = con.execute("SELECT count(*) FROM temp.xdocs").fetchone()[0]
    if not ndocs:
        return None
    meta = c.entity_names([eid]).get(eid, (eid, "", None))
    variants = [
        {"text": r[0], "count": r[1]}
        for r in con.execute(
            "SELECT text, count(*) AS k FROM mentions WHERE entity_id = ? GROUP BY text ORDER BY k DESC, text", (eid,)
        )
    ]
    # the articles with most mentions: counted on the index (entity_id, doc_id, …), only the first
    # max_items joined to their documents; articles naming the entity without a stored mention come last
    by_source = [
        {"doc_id": r[0], "source": r[1], "outlet": r[2], "title": r[3], "count": r[4], "first": r[5]}
        for r in con.execute(
            "SELECT m.doc_id, d.source, f.outlet, d.title, m.k, m.first FROM (SELECT doc_id, count(*) AS k, "
            "min(start) AS first FROM mentions WHERE entity_id = ? GROUP BY doc_id ORDER BY k DESC, doc_id LIMIT ?) m "
            "JOIN documents d ON d.id = m.doc_id JOIN doc_features f ON f.n = d.n ORDER BY m.k DESC, m.doc_id",
            (eid, max_items),
        )
    ]
    if len(by_source) < max_items:
        shown = {b["doc_id"] for b in by_source}
        for r in con.execute(
            "SELECT x.id, d.source, x.outlet, d.title FROM temp.xdocs x JOIN documents d ON d.n = x.n ORDER BY x.id"
        ):
            if len(by_source) >= max_items:
                break
            if r[0] not in shown:
                by_source.append({"doc_id": r[0], "source": r[1], "outlet": r[2], "title": r[3], "count": 0,
                                  "first": None})  # fmt: skip
    # entities sharing its articles and sentences: kept up to date at ingest (cooc)
    co_rows = con.execute(
        "SELECT b, sents, docs FROM cooc WHERE a = ? AND docs > 0 ORDER BY sents DESC, docs DESC, b LIMIT ?",
        (eid, max_items),
    ).fetchall()
    names = c.entity_names(r[0] for r in co_rows)
    co = [{"id": i, "name": names.get(i, (i, ""))[0], "type": names.get(i, (i, ""))[1] or "", "sentences": k,
           "docs": d} for i, k, d in co_rows]  # fmt: skip

    claims_by = [
        _claim_row(r)
        for r in con.execute(
            f"SELECT {_CLAIM_COLS} FROM claims c JOIN documents d ON d.id = c.doc_id JOIN doc_features f ON f.n = d.n "
            f"WHERE c.speaker_entity_id = ? ORDER BY {DOC_ORDER}, c.claim_id LIMIT ?",
            (eid, max_items),
        )
    ]
    claims_about = [
        _claim_row(r)
        for r in con.execute(
            f"SELECT {_CLAIM_COLS.replace('f.outlet', 'd.outlet')} FROM temp.xdocs d JOIN claims c ON c.doc_id = d.id "
            "WHERE (c.speaker_entity_id IS NULL OR c.speaker_entity_id != ?1) AND EXISTS (SELECT 1 FROM mentions m "
            "WHERE m.entity_id = ?1 AND m.doc_id = c.doc_id AND m.start >= coalesce(c.content_start, c.start) "
            "AND m.\"end\" <= coalesce(c.content_end, c.\"end\")) ORDER BY d.rk, c.claim_id LIMIT ?2",
            (eid, max_items),
        )
    ]
    texts = json.dumps([v["text"] for v in variants], ensure_ascii=False)
    picked = con.execute(
        "SELECT q.doc_id, q.idx, coalesce(q.source_entity_id = ?1, 0), d.outlet FROM temp.xdocs d "
        "JOIN quantities q ON q.doc_id = d.id WHERE q.source_entity_id = ?1 "
        "OR EXISTS (SELECT 1 FROM mentions m WHERE m.entity_id = ?1 AND m.doc_id = q.doc_id AND m.sent = q.sent) "
        "OR EXISTS (SELECT 1 FROM json_each(?3) v WHERE instr(coalesce(q.subject, ''), v.value) > 0) "
        "ORDER BY d.rk, q.idx LIMIT ?2",
        (eid, max_items, texts),
    ).fetchall()
    recs = {r["id"]: r for r in c.records({p[0] for p in picked})}
    quantities = []
    for doc_id, i, is_source, outlet in picked:
        q = recs[doc_id]["quantities"][i]
        quantities.append({"doc_id": doc_id, "outlet": outlet, "role": "source" if is_source else "context",
                           **{k: q.get(k) for k in ("text", "start", "end", "value", "unit", "qualifier", "subject",
                                                    "source")}})  # fmt: skip
    return {
        "query": name_or_id,
        "id": eid,
        "name": meta[0],
        "name_en": meta[2],
        "type": meta[1],
        "mentions": sum(v["count"] for v in variants),
        "docs": ndocs,
        "variants": variants,
        "mentions_by_source": by_source,
        "co_occurring": co,
        "claims_by": claims_by,
        "claims_about": claims_about,
        "quantities": quantities,
    }
