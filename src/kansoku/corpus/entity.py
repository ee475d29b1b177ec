"""One entity across the corpus: spellings, sources, co-occurring entities, claims by and about it, figures.

:func:`resolve_entity` maps a query (an id, a canonical name in Japanese or English, a surface as written,
a gazetteer alias, a transliteration variant such as ポクロウシク for ポクロフスク, or a name with a title
such as ゼレンシキー大統領) to the entity id used in the records.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from kansoku.corpus import as_list, outlet_of, sentence_index


def _variant_key(s: str) -> str:
    from kansoku.resolve.variants import variant_key

    return variant_key(s)


def _strip_title(s: str) -> str:
    try:
        from kansoku.extract.entities import strip_title

        return strip_title(s)
    except Exception:  # noqa: BLE001 - optional refinement
        return s


def resolve_entity(records: Iterable[dict], query: str) -> str | None:
    """Entity id for ``query`` in these records, or None.

    Tried in order: id, canonical name / English name, mention surface, gazetteer alias, transliteration
    variant key (of the query and of the query without a title); ties go to the most-mentioned entity.
    """
    recs = as_list(records)
    q = (query or "").strip()
    if not q:
        return None
    count: Counter[str] = Counter()
    names: dict[str, set[str]] = defaultdict(set)
    surfaces: dict[str, Counter[str]] = defaultdict(Counter)
    for r in recs:
        for e in r.get("entities") or []:
            count[e["id"]] += len(e.get("mentions") or [])
            names[e["id"]].update(n for n in (e.get("name"), e.get("name_en")) if n)
            for m in e.get("mentions") or []:
                surfaces[m["text"]][e["id"]] += 1
    if q in count:
        return q

    def best(ids: Iterable[str]) -> str | None:
        ids = [i for i in ids if i in count]
        return max(ids, key=lambda i: (count[i], i)) if ids else None

    qf = q.casefold()
    hit = best(i for i, ns in names.items() if any(n.casefold() == qf for n in ns))
    if hit:
        return hit
    if q in surfaces:
        return best(surfaces[q])
    try:
        from kansoku.resolve.gazetteer import default

        gaz = default()
        hit = best([i for i, _how in gaz.lookup(q)] + sorted(gaz.lookup_variant(q)))
        if hit:
            return hit
    except Exception:  # noqa: BLE001 - gazetteer optional
        pass
    for cand in dict.fromkeys([q, _strip_title(q)]):
        k = _variant_key(cand)
        hits = [i for i, ns in names.items() if any(_variant_key(n) == k for n in ns)]
        hits += [i for s, ids in surfaces.items() if _variant_key(s) == k for i in ids]
        hit = best(hits)
        if hit:
            return hit
        # a surname or short form: the only person/thing whose name ends with it
        ends = {i for i, ns in names.items() if any(_variant_key(n.split("・")[-1]) == k for n in ns)}
        if len(ends) == 1:
            return next(iter(ends))
    return None


def entity_profile(records: Iterable[dict], name_or_id: str, max_items: int = 50) -> dict | None:
    """Everything the corpus says about one entity (None when the query resolves to nothing).

    ``{"query", "id", "name", "name_en", "type", "mentions", "docs", "variants": [{text, count}],
    "mentions_by_source": [{doc_id, source, outlet, title, count, first}], "co_occurring": [{id, name, type,
    sentences, docs}], "claims_by": [...], "claims_about": [...], "quantities": [...]}``
    """
    recs = as_list(records)
    eid = resolve_entity(recs, name_or_id)
    if eid is None:
        return None
    variants: Counter[str] = Counter()
    by_source = []
    co_sent: Counter[str] = Counter()
    co_docs: Counter[str] = Counter()
    co_names: dict[str, tuple[str, str]] = {}
    claims_by, claims_about, quantities = [], [], []
    meta = None
    for r in recs:
        ents = r.get("entities") or []
        me = next((e for e in ents if e["id"] == eid), None)
        if me is None:
            for c in r.get("claims") or []:
                if c.get("speaker_entity_id") == eid:
                    claims_by.append(_claim_row(r, c))
            continue
        meta = meta or me
        ms = me.get("mentions") or []
        variants.update(m["text"] for m in ms)
        by_source.append({"doc_id": r["id"], "source": r.get("source"), "outlet": outlet_of(r),
                          "title": r.get("title"), "count": len(ms), "first": min(m["start"] for m in ms) if ms else None})
        sents = {sentence_index(r, m["start"]) for m in ms}
        spans = [(m["start"], m["end"]) for m in ms]
        for e in ents:
            if e["id"] == eid:
                continue
            co_names[e["id"]] = (e.get("name") or e["id"], e.get("type") or "")
            shared = {sentence_index(r, m["start"]) for m in e.get("mentions") or []} & sents
            co_sent[e["id"]] += len(shared)
            co_docs[e["id"]] += 1
        for c in r.get("claims") or []:
            if c.get("speaker_entity_id") == eid:
                claims_by.append(_claim_row(r, c))
                continue
            cs = c.get("content_span") or {"start": c["start"], "end": c["end"]}
            if any(cs["start"] <= s and e <= cs["end"] for s, e in spans):
                claims_about.append(_claim_row(r, c))
        for q in r.get("quantities") or []:
            si = sentence_index(r, q["start"])
            subj = q.get("subject") or ""
            if q.get("source_entity_id") == eid or si in sents or any(v in subj for v in variants):
                role = "source" if q.get("source_entity_id") == eid else "context"
                quantities.append({"doc_id": r["id"], "outlet": outlet_of(r), "role": role,
                                   **{k: q.get(k) for k in ("text", "start", "end", "value", "unit", "qualifier",
                                                            "subject", "source")}})
    if meta is None:
        return None
    co = [{"id": i, "name": co_names[i][0], "type": co_names[i][1], "sentences": co_sent[i], "docs": co_docs[i]}
          for i in co_docs]
    co.sort(key=lambda x: (-x["sentences"], -x["docs"], x["id"]))
    by_source.sort(key=lambda x: (-x["count"], x["doc_id"]))
    return {
        "query": name_or_id,
        "id": eid,
        "name": meta.get("name"),
        "name_en": meta.get("name_en"),
        "type": meta.get("type"),
        "mentions": sum(variants.values()),
        "docs": len(by_source),
        "variants": [{"text": t, "count": n} for t, n in sorted(variants.items(), key=lambda kv: (-kv[1], kv[0]))],
        "mentions_by_source": by_source,
        "co_occurring": co[:max_items],
        "claims_by": claims_by[:max_items],
        "claims_about": claims_about[:max_items],
        "quantities": quantities[:max_items],
    }


def _claim_row(r: dict, c: dict) -> dict:
    return {"doc_id": r["id"], "outlet": outlet_of(r), "id": c.get("id"), "speaker": c.get("speaker"),
            "speaker_entity_id": c.get("speaker_entity_id"), "kind": c.get("kind"), "cue": c.get("cue"),
            "text": c["text"], "start": c["start"], "end": c["end"]}
