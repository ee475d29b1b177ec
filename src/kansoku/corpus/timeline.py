"""Events merged across articles, with independent-source counts.

Each record's ``events`` (one dated sentence each) are pooled.  Partial dates (``XXXX-XX-15`` when the
article's publication date was unknown to the extractor) are completed from the article's dateline date
when that is possible.  Two events merge when they fall on the same day and their sentences are similar
(character-bigram Dice ≥ 0.5, or ≥ 0.25 with overlapping entities).  ``independent_sources`` counts
distinct origins: a near-duplicate copy counts with its original, and articles of one outlet count once.
Metadata lines (公開日:, 更新日:, 出典:) are not events.

Over a store, ``entity`` reads only the events of the documents that name the entity, and the
near-duplicate groups of those documents are found through the stored LSH band keys.
"""

from __future__ import annotations

import json
import operator
import re
from collections.abc import Iterable

import numpy as np

from kansoku.corpus import UNKNOWN_OUTLET
from kansoku.corpus.base import Corpus, as_corpus

_META_LINE = re.compile(r"^\s*(公開日|更新日|投稿日|配信日|掲載日|出典|執筆者|文)\s*[:：]")
_DATELINE_ONLY = re.compile(r"^【[^】]*】$")
_DATE_ONLY = re.compile(r"^\s*\d{4}年\s*\d{1,2}月\s*\d{1,2}日\s*[\d:：]*\s*(配信|更新|公開|掲載)?\s*$")
TEXT_SIM = 0.5
TEXT_SIM_WITH_ENTITIES = 0.25
DUP_THRESHOLD = 0.8


def complete_date(value: str | None, anchor: str | None) -> tuple[str, bool]:
    """Fill ``XXXX`` / ``XX`` of a partial TIMEX value from the article date; (value, inferred?)."""
    v = value or "XXXX-XX-XX"
    if not v.startswith("XXXX") or not anchor:
        return v, False
    y, m = anchor[:4], anchor[5:7]
    parts = v.split("T", 1)
    d = parts[0].split("-")
    if len(d) >= 2 and d[1] == "XX" and (len(d) < 3 or d[2] == "XX"):
        return v, False  # nothing but the year would be known: leave unresolved
    d[0] = y
    if len(d) >= 3 and d[1] == "XX":
        if d[2] == "XX" or not d[2].isdigit():
            return v, False
        d[1] = m
    out = "-".join(d) + ("T" + parts[1] if len(parts) > 1 else "")
    return out, True


def day_of(value: str) -> str:
    return value.split("T", 1)[0]


def origins(c: Corpus, ns: list[int] | None = None, threshold: float = DUP_THRESHOLD) -> dict[str, str]:
    """Document id → origin key: the outlet of the first (lowest id) document of its near-duplicate group,
    else its own outlet.  For ``ns`` (document rowids) only, the groups are followed through the stored
    LSH band keys (each document's candidates, confirmed by their signatures, transitively)."""
    from kansoku.corpus.stories import dup_groups
    from kansoku.store.minhash import band_keys, from_bytes

    con = c.con
    if ns is None:
        rows = con.execute(
            "SELECT d.id, f.outlet, f.minhash FROM documents d JOIN doc_features f ON f.n = d.n ORDER BY d.id"
        ).fetchall()
        outlet = {r[0]: r[1] for r in rows}
        with_sig = [r for r in rows if r[2] is not None]
        sigs = np.stack([from_bytes(r[2]) for r in with_sig]) if with_sig else np.zeros((0, 128), dtype=np.uint32)
        key = dict(outlet)
        for g in dup_groups([r[0] for r in with_sig], sigs, threshold):
            for d in g:
                key[d] = outlet[g[0]]
        return key
    need = int(np.ceil(threshold * 128 - 1e-9))
    info: dict[int, tuple[str, str, np.ndarray | None]] = {}

    def load(nums: Iterable[int]) -> None:
        todo = [x for x in nums if x not in info]
        for i in range(0, len(todo), 500):
            for n, doc_id, outlet, blob in con.execute(
                "SELECT d.n, d.id, f.outlet, f.minhash FROM documents d JOIN doc_features f ON f.n = d.n "
                "WHERE d.n IN (SELECT value FROM json_each(?))",
                (json.dumps(todo[i : i + 500]),),
            ):
                info[n] = (doc_id, outlet, from_bytes(blob))

    load(ns)
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    seen = set(ns)
    frontier = [x for x in ns if info[x][2] is not None]
    while frontier:  # breadth-first over confirmed LSH candidates: the transitive closure of each group
        keys = band_keys(np.stack([info[x][2] for x in frontier]), threshold)
        owner: dict[int, list[int]] = {}
        for x, row in zip(frontier, keys.tolist(), strict=True):
            for k in row:
                owner.setdefault(k, []).append(x)
        found: list[tuple[int, int]] = []
        flat = list(owner)
        for i in range(0, len(flat), 5000):
            for k, y in con.execute(
                "SELECT key, n FROM lsh WHERE key IN (SELECT value FROM json_each(?))", (json.dumps(flat[i : i + 5000]),)
            ):
                found += [(x, y) for x in owner[k] if x != y]
        load({y for _, y in found})
        nxt = []
        for x, y in set(found):
            sy = info[y][2]
            if sy is not None and find(x) != find(y) and int(np.count_nonzero(sy == info[x][2])) >= need:
                rx, ry = find(x), find(y)
                parent[max(rx, ry)] = min(rx, ry)
                if y not in seen:
                    seen.add(y)
                    nxt.append(y)
        frontier = nxt
    groups: dict[int, list[int]] = {}
    for x in parent:
        groups.setdefault(find(x), []).append(x)
    key: dict[str, str] = {}
    for n in ns:
        doc_id, outlet, _ = info[n]
        g = groups.get(find(n)) if n in parent else None
        if not g or len(g) < 2:
            key[doc_id] = outlet
        else:
            root = min(g, key=lambda m: info[m][0])
            key[doc_id] = info[root][1]
    return key


def _story_corpus(c: Corpus, story: dict | str | None) -> Corpus | None:
    if story is None:
        return c
    if isinstance(story, str):
        from kansoku.corpus.stories import find_story

        found = find_story(c, story)
        if found is None or found["id"] != story:
            return None
        story = found
    return c.subset(story["doc_ids"])


def _bigrams(s: str) -> frozenset[str]:
    """Character bigrams of ``s`` (the text itself when shorter), as :func:`kansoku.corpus.dice` builds them."""
    return frozenset(map(operator.add, s, s[1:])) if len(s) > 1 else frozenset([s])


def _dice(ga: frozenset[str], gb: frozenset[str]) -> float:
    if not ga or not gb:
        return 0.0
    return 2 * len(ga & gb) / (len(ga) + len(gb))


def timeline(
    records: Corpus | Iterable[dict], entity: str | None = None, story: dict | str | None = None,
    limit: int | None = None,
) -> list[dict]:  # fmt: skip
    """Merged events sorted by date; unresolved dates (``XXXX-…``) last, grouped by their value.

    Each item: ``{"date", "text", "doc_ids", "sources", "independent_sources", "entities", "entity_names",
    "claims", "evidence", "date_inferred"}``.  ``entity`` (id, name or spelling) keeps events that
    involve it; ``story`` (a story dict or its id) restricts to that story's articles; ``limit`` keeps the
    first events.
    """
    c = _story_corpus(as_corpus(records), story)
    if c is None:
        return []
    con = c.con
    eid = None
    docs_sql = "SELECT d.n, d.id, f.date, f.outlet FROM documents d JOIN doc_features f ON f.n = d.n"
    if entity:
        from kansoku.corpus.entity import resolve_entity

        eid = resolve_entity(c, entity)
        if eid is None:
            return []
        # the entity's events by key (event_entities), then their documents
        keys = con.execute("SELECT n, idx, date FROM event_entities WHERE entity_id = ?", (eid,)).fetchall()
        ns = sorted({k[0] for k in keys})
        docs = []
        for i in range(0, len(ns), 5000):
            docs += con.execute(
                docs_sql + " WHERE d.n IN (SELECT value FROM json_each(?))", (json.dumps(ns[i : i + 5000]),)
            ).fetchall()
        by_n = {r[0]: r[1] for r in docs}
        keys = [(by_n[n], idx, date) for n, idx, date in keys if n in by_n]
    else:
        docs = con.execute(docs_sql).fetchall()
        keys = con.execute("SELECT doc_id, idx, date FROM events").fetchall()
    if not docs or not keys:
        return []
    docs.sort(key=lambda r: (r[2] or "9999", r[1]))
    rank = {r[1]: k for k, r in enumerate(docs)}
    num = {r[1]: r[0] for r in docs}
    anchor = {r[1]: r[2] for r in docs}
    outlet = {r[1]: r[3] for r in docs}
    days: dict[str, list[tuple]] = {}  # the events of each day, in document order
    for doc_id, idx, date in keys:
        value, inferred = complete_date(date, anchor[doc_id])
        days.setdefault(day_of(value), []).append((rank[doc_id], idx, doc_id, value, inferred))
    order = sorted(days, key=lambda d: (_unresolved(d), d))
    fetched: dict[tuple[str, int], tuple] = {}

    def fetch(start: int) -> None:
        """Full rows of the events of the days from ``order[start]`` on, about 2,000 events at a time."""
        want: list[list] = []
        for day in order[start:]:
            want += [[x[2], x[1]] for x in days[day] if (x[2], x[1]) not in fetched]
            if len(want) >= 2000:
                break
        for r in con.execute(
            "SELECT e.doc_id, e.idx, e.text, e.start, e.\"end\", e.entities, e.claim_ids FROM json_each(?) j "
            "JOIN events e ON e.doc_id = j.value ->> 0 AND e.idx = j.value ->> 1",
            (json.dumps(want, ensure_ascii=False),),
        ):
            fetched[(r[0], r[1])] = r

    # events merge only within a day: days are merged in output order, and only as many as the limit needs
    merged: list[dict] = []
    for k, day in enumerate(order):
        if limit is not None and len(merged) >= limit:
            break
        today: list[dict] = []
        for _rank, idx, doc_id, value, inferred in sorted(days[day], key=lambda x: (x[0], x[1])):
            if (doc_id, idx) not in fetched:
                fetch(k)
            _d, _i, text, start, end, ents_json, claim_ids = fetched.pop((doc_id, idx))
            text = (text or "").strip()
            if not text or _META_LINE.match(text) or _DATELINE_ONLY.match(text) or _DATE_ONLY.match(text):
                continue
            ents = set(json.loads(ents_json))
            if eid and eid not in ents:
                continue
            t = _strip_dateline(text)
            x = {"date": value, "text": t, "grams": _bigrams(t), "ents": ents}
            target = next((m for m in today if _similar(x, m)), None)
            if target is None:
                target = {"date": value, "grams": {}, "union": set(), "shortest": len(x["grams"]), "text": t,
                          "ents": set(), "docs": [], "outlets": [], "claims": [], "evidence": [],
                          "inferred": inferred}  # fmt: skip
                today.append(target)
            if "T" in value and "T" not in target["date"]:
                target["date"] = value
            if t not in target["grams"]:
                target["grams"][t] = x["grams"]
                target["union"] |= x["grams"]
                target["shortest"] = min(target["shortest"], len(x["grams"]))
            target["ents"] |= ents
            target["inferred"] = target["inferred"] and inferred
            if doc_id not in target["docs"]:
                target["docs"].append(doc_id)
            if outlet[doc_id] not in target["outlets"]:
                target["outlets"].append(outlet[doc_id])
            target["claims"] += [{"doc_id": doc_id, "claim_id": c_id} for c_id in json.loads(claim_ids)]
            target["evidence"].append({"doc_id": doc_id, "start": start, "end": end})
        merged += today
    merged.sort(key=lambda m: _sort_key({"date": m["date"], "independent_sources": 0, "doc_ids": m["docs"]}))
    if limit is not None:
        # the independent-source count breaks ties of equal dates: keep every event of the last date taken
        cut = merged[limit - 1]["date"] if len(merged) > limit else None
        merged = [m for k, m in enumerate(merged) if k < limit or m["date"] == cut]
    shown = sorted({num[d] for m in merged for d in m["docs"]})
    origin = origins(c, None if eid is None and limit is None else shown)
    names = {i: v[0] for i, v in c.entity_names({e for m in merged for e in m["ents"]}).items()}
    out = [{
        "date": m["date"],
        "text": m["text"],
        "doc_ids": m["docs"],
        "sources": sorted(m["outlets"]),
        "independent_sources": len(dict.fromkeys(origin.get(d, outlet[d]) for d in m["docs"])),
        "entities": sorted(m["ents"]),
        "entity_names": [names.get(i, i) for i in sorted(m["ents"])],
        "claims": m["claims"],
        "evidence": m["evidence"],
        "date_inferred": m["inferred"],
    } for m in merged]
    out.sort(key=_sort_key)
    return out[:limit] if limit is not None else out


def _similar(x: dict, m: dict) -> bool:
    """Whether event ``x`` joins merged event ``m``: its best Dice against m's sentences is ≥ TEXT_SIM, or
    ≥ TEXT_SIM_WITH_ENTITIES when they share an entity (the best is only needed below TEXT_SIM).

    No sentence of ``m`` can share more bigrams with ``x`` than the union of them all does, so when even
    that union cannot reach the needed Dice against m's shortest sentence, the sentences are not
    compared one by one."""
    if x["text"] in m["grams"]:
        return True
    need = TEXT_SIM_WITH_ENTITIES if x["ents"] & m["ents"] else TEXT_SIM
    gx = x["grams"]
    if 2 * len(gx & m["union"]) < need * (len(gx) + m["shortest"]):
        return False
    best = 0.0
    for g in m["grams"].values():
        s = _dice(x["grams"], g)
        if s >= TEXT_SIM:
            return True
        best = max(best, s)
    return best >= TEXT_SIM_WITH_ENTITIES and bool(x["ents"] & m["ents"])


def _strip_dateline(text: str) -> str:
    """Without a dateline (【キーウ東亜=…】), a list bullet or a dialogue speaker tag (水城: …)."""
    t = re.sub(r"^【[^】]*】", "", text).strip()
    t = re.sub(r"^[-・*]\s*", "", t)
    t = re.sub(r"^[^\s:：「」、。]{1,8}[:：]\s*", "", t)
    return t or text


def _unresolved(d: str) -> bool:
    return d.startswith("X") or not re.match(r"\d{4}", d)


def _sort_key(e: dict) -> tuple:
    d = e["date"]
    return (_unresolved(d), d, -e["independent_sources"], e["doc_ids"][0])


__all__ = ["UNKNOWN_OUTLET", "complete_date", "day_of", "origins", "timeline"]
