"""Events merged across articles, with independent-source counts.

Each record's ``events`` (one dated sentence each) are pooled.  Partial dates (``XXXX-XX-15`` when the
article's publication date was unknown to the extractor) are completed from the article's dateline date
when that is possible.  Two events merge when they fall on the same day and their sentences are similar
(character-bigram Dice ≥ 0.5, or ≥ 0.25 with overlapping entities).  ``independent_sources`` counts
distinct origins: a near-duplicate copy counts with its original, and articles of one outlet count once.
Metadata lines (公開日:, 更新日:, 出典:) are not events.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from kansoku.corpus import as_list, dice, doc_date, outlet_of

_META_LINE = re.compile(r"^\s*(公開日|更新日|投稿日|配信日|掲載日|出典|執筆者|文)\s*[:：]")
_DATELINE_ONLY = re.compile(r"^【[^】]*】$")
_DATE_ONLY = re.compile(r"^\s*\d{4}年\s*\d{1,2}月\s*\d{1,2}日\s*[\d:：]*\s*(配信|更新|公開|掲載)?\s*$")
TEXT_SIM = 0.5
TEXT_SIM_WITH_ENTITIES = 0.25


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


def _independence(recs: list[dict]) -> dict[str, str]:
    """doc id → origin key: the outlet of the original for near-duplicate copies, else the outlet."""
    from kansoku.corpus.stories import near_duplicates

    by_id = {r["id"]: r for r in recs}
    key = {r["id"]: outlet_of(r) for r in recs}
    for g in near_duplicates(recs):
        root = outlet_of(by_id[g[0]])
        for d in g:
            key[d] = root
    return key


def _story_records(recs: list[dict], story: dict | str | None) -> list[dict]:
    if story is None:
        return recs
    if isinstance(story, str):
        from kansoku.corpus.stories import cluster_stories

        found = next((s for s in cluster_stories(recs, min_size=1) if s["id"] == story), None)
        if found is None:
            return []
        story = found
    ids = set(story["doc_ids"])
    return [r for r in recs if r["id"] in ids]


def timeline(
    records: Iterable[dict], entity: str | None = None, story: dict | str | None = None
) -> list[dict]:
    """Merged events sorted by date; unresolved dates (``XXXX-…``) last, grouped by their value.

    Each item: ``{"date", "text", "doc_ids", "sources", "independent_sources", "entities", "entity_names",
    "claims", "evidence", "date_inferred"}``.  ``entity`` (id, name or spelling) keeps events that
    involve it; ``story`` (a story dict or its id) restricts to that story's articles.
    """
    recs = _story_records(as_list(records), story)
    if not recs:
        return []
    eid = None
    if entity:
        from kansoku.corpus.entity import resolve_entity

        eid = resolve_entity(recs, entity)
        if eid is None:
            return []
    origin = _independence(recs)
    names: dict[str, str] = {}
    raw = []
    for r in sorted(recs, key=lambda r: (doc_date(r) or "9999", r["id"])):
        for e in r.get("entities") or []:
            names.setdefault(e["id"], e.get("name") or e["id"])
        anchor = doc_date(r)
        for ev in r.get("events") or []:
            text = (ev.get("text") or "").strip()
            if not text or _META_LINE.match(text) or _DATELINE_ONLY.match(text) or _DATE_ONLY.match(text):
                continue
            ents = set(ev.get("entities") or [])
            if eid and eid not in ents:
                continue
            date, inferred = complete_date(ev.get("date"), anchor)
            raw.append({"date": date, "day": day_of(date), "text": _strip_dateline(text), "ents": ents, "rec": r,
                        "ev": ev, "inferred": inferred})
    merged: list[dict] = []
    for x in raw:
        target = None
        for m in merged:
            if m["day"] != x["day"]:
                continue
            s = max(dice(x["text"], t) for t in m["texts"])
            overlap = bool(x["ents"] & m["ents"])
            if s >= TEXT_SIM or (overlap and s >= TEXT_SIM_WITH_ENTITIES):
                target = m
                break
        if target is None:
            target = {"day": x["day"], "date": x["date"], "texts": [], "text": x["text"], "ents": set(),
                      "docs": [], "origins": [], "outlets": [], "claims": [], "evidence": [], "inferred": x["inferred"]}
            merged.append(target)
        r, ev = x["rec"], x["ev"]
        if "T" in x["date"] and "T" not in target["date"]:
            target["date"] = x["date"]
        target["texts"].append(x["text"])
        target["ents"] |= x["ents"]
        target["inferred"] = target["inferred"] and x["inferred"]
        if r["id"] not in target["docs"]:
            target["docs"].append(r["id"])
        for lst, val in ((target["origins"], origin[r["id"]]), (target["outlets"], outlet_of(r))):
            if val not in lst:
                lst.append(val)
        target["claims"] += [{"doc_id": r["id"], "claim_id": c} for c in ev.get("claim_ids") or []]
        target["evidence"].append({"doc_id": r["id"], "start": ev["start"], "end": ev["end"]})

    out = [{
        "date": m["date"],
        "text": m["text"],
        "doc_ids": m["docs"],
        "sources": sorted(m["outlets"]),
        "independent_sources": len(m["origins"]),
        "entities": sorted(m["ents"]),
        "entity_names": [names.get(i, i) for i in sorted(m["ents"])],
        "claims": m["claims"],
        "evidence": m["evidence"],
        "date_inferred": m["inferred"],
    } for m in merged]
    out.sort(key=_sort_key)
    return out


def _strip_dateline(text: str) -> str:
    """Without a dateline (【キーウ東亜=…】), a list bullet or a dialogue speaker tag (水城: …)."""
    t = re.sub(r"^【[^】]*】", "", text).strip()
    t = re.sub(r"^[-・*]\s*", "", t)
    t = re.sub(r"^[^\s:：「」、。]{1,8}[:：]\s*", "", t)
    return t or text


def _sort_key(e: dict) -> tuple:
    d = e["date"]
    unresolved = d.startswith("X") or not re.match(r"\d{4}", d)
    return (unresolved, d, -e["independent_sources"], e["doc_ids"][0])
