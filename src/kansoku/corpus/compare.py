"""Two articles (or two groups of articles) side by side.

:func:`compare` returns shared and unique entities, shared and unique claims, figures on the same subject
that agree or conflict, frames and stance per side, and *blind spots* (what one side covers prominently and
the other never mentions).  :func:`compare_story` runs it between the outlets of one story.

Figures are matched by unit and subject: the extractor's ``subject`` (死者, 負傷者 …) or, when it gave
none, a casualty/population keyword of the sentence, folded into categories (死者/死亡/犠牲者 → deaths,
負傷者/けが人 → injured …).  Two figures whose sentences name different specific places (a city, an
oblast; inherited from the preceding sentence when the sentence names none) are about different events
and are never matched.  A pair *conflicts* when the values differ by more than 10 % or when the ranges
implied by the qualifiers (少なくとも → ≥, 超 → >, 約 → ±10 %, 最大 → ≤) do not overlap; otherwise it
agrees.  Anaphoric sources (同省, 同氏, 知事) are resolved to the nearest preceding mention or speaker.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable

from kansoku.corpus import (
    as_list,
    dice,
    is_byline_entity,
    is_specific_place,
    outlet_of,
    sentence_at,
    sentence_index,
)
from kansoku.corpus.claims import contradictions

REL_TOL = 0.10

# subject category → keywords (first match in subject, else in the sentence)
SUBJECT_CATEGORIES: list[tuple[str, tuple[str, ...]]] = [
    ("casualties", ("死傷者", "死傷")),
    ("injured", ("負傷者", "負傷", "けが人", "重軽傷", "けが", "怪我")),
    ("deaths", ("死者", "死亡", "犠牲者", "犠牲", "殺害", "遺体", "死去")),
    ("missing", ("行方不明",)),
    ("displaced", ("避難民", "避難者", "避難")),
    ("captured", ("捕虜",)),
    ("population", ("人口", "住民")),
]
_CATEGORY_LABEL = {
    "ja": {"casualties": "死傷者", "injured": "負傷者", "deaths": "死者", "missing": "行方不明者",
           "displaced": "避難者", "captured": "捕虜", "population": "人口"},
    "en": {"casualties": "casualties", "injured": "injured", "deaths": "deaths", "missing": "missing",
           "displaced": "displaced", "captured": "prisoners", "population": "population"},
}


def subject_category(
    subject: str | None, sentence: str = "", qtext: str = "", unit: str | None = "person"
) -> str | None:
    """Category of what a figure counts; the subject first, else keywords next to the number.

    Categories (deaths, injured …) only apply to head counts (unit ``person``); other figures keep their
    own subject (``subj:無人機``) and are matched only when they share an explicit place."""
    if unit != "person":
        return "subj:" + subject if subject else None
    if subject:
        for cat, keys in SUBJECT_CATEGORIES:
            if any(k in subject for k in keys):
                return cat
    if subject:
        return "subj:" + subject
    if sentence and qtext:
        pos = sentence.find(qtext)
        window = sentence[max(0, pos - 12) : pos + len(qtext) + 8] if pos >= 0 else sentence
        hits = [(window.find(k), cat) for cat, keys in SUBJECT_CATEGORIES for k in keys if k in window]
        if hits:
            return min(hits)[1]
    return None


def category_label(cat: str | None, lang: str = "ja") -> str:
    if not cat:
        return ""
    if cat.startswith("subj:"):
        return cat[5:]
    return _CATEGORY_LABEL.get(lang, _CATEGORY_LABEL["ja"]).get(cat, cat)


# ------------------------------------------------------------------------------------------ sources

_ANAPHOR = re.compile(r"^(同|当|その)(.{1,6})$")
_TITLES = ("知事", "大統領", "首相", "外相", "報道官", "長官", "市長", "司令官", "事務総長", "大臣", "省", "軍", "氏")


def _entity_by_pos(rec: dict) -> list[tuple[int, int, dict]]:
    out = []
    for e in rec.get("entities") or []:
        for m in e.get("mentions") or []:
            out.append((m["start"], m["end"], e))
    return sorted(out, key=lambda x: x[0])


def resolve_source(rec: dict, q: dict) -> dict:
    """``{"source", "source_entity_id", "source_name"}`` of a quantity, with 同省 / 知事 resolved backwards."""
    src = q.get("source")
    eid = q.get("source_entity_id")
    span = q.get("source_span") or {}
    ents = {e["id"]: e for e in rec.get("entities") or []}
    if src and not eid:
        m = _ANAPHOR.match(src)
        tail = m.group(2) if m else (src if src.endswith(_TITLES) and len(src) <= 4 else None)
        if tail:
            before = span.get("start", q.get("start", 0))
            cands: list[tuple[int, str, str | None]] = []
            for s, _e, ent in _entity_by_pos(rec):
                if s < before and ent["mentions"] and any(
                    mm["start"] == s and (mm["text"].endswith(tail) or ent["name"].endswith(tail))
                    for mm in ent["mentions"]
                ):
                    surf = next(mm["text"] for mm in ent["mentions"] if mm["start"] == s)
                    cands.append((s, surf, ent["id"]))
            for c in rec.get("claims") or []:
                sp = c.get("speaker") or ""
                sps = (c.get("speaker_span") or {}).get("start", c["start"])
                if sp and sps < before and sp.endswith(tail) and not _ANAPHOR.match(sp) and sp != src:
                    cands.append((sps, sp, c.get("speaker_entity_id")))
            for q2 in rec.get("quantities") or []:
                s2 = q2.get("source") or ""
                p2 = (q2.get("source_span") or {}).get("start", q2["start"])
                if s2 and p2 < before and s2.endswith(tail) and s2 != src and not _ANAPHOR.match(s2):
                    cands.append((p2, s2, q2.get("source_entity_id")))
            if cands:
                _, surf, cid = max(cands, key=lambda c: (c[0], c[2] is not None))
                src, eid = surf, cid or eid
    name = ents[eid]["name"] if eid and eid in ents else None
    return {"source": src, "source_entity_id": eid, "source_name": name}


# ------------------------------------------------------------------------------------------ figures

def _places_of_sentence(rec: dict, pos: int) -> set[str]:
    """Specific places named in the sentence at ``pos``, else in the nearest preceding sentence naming one."""
    sents = rec.get("sentences") or []
    idx = sentence_index(rec, pos)
    by_sent: dict[int, set[str]] = defaultdict(set)
    for e in rec.get("entities") or []:
        if not is_specific_place(e):
            continue
        for m in e.get("mentions") or []:
            k = sentence_index(rec, m["start"])
            if k >= 0:
                by_sent[k].add(e["id"])
    k = idx
    while k >= 0 and idx - k <= 3:
        if by_sent.get(k):
            return by_sent[k]
        k -= 1
    return set() if sents else set()


def figures(rec: dict) -> list[dict]:
    """Quantities of one record with subject category, resolved source, sentence and places.

    A figure repeated in the same document (headline and body) is kept once, preferring the sourced one.
    """
    text = rec.get("text") or ""
    out: list[dict] = []
    for q in rec.get("quantities") or []:
        s, e = sentence_at(rec, q["start"])
        sent = text[s:e]
        cat = subject_category(q.get("subject"), sent, q.get("text") or "", q.get("unit"))
        if cat is None:
            continue
        src = resolve_source(rec, q)
        out.append({
            "doc_id": rec["id"], "outlet": outlet_of(rec), "text": q["text"], "start": q["start"], "end": q["end"],
            "value": q.get("value"), "unit": q.get("unit"), "qualifier": q.get("qualifier"),
            "approx": q.get("approx"), "range_to": q.get("range_to"), "subject": q.get("subject"),
            "category": cat, **src, "sentence": {"text": sent, "start": s, "end": e},
            "places": sorted(_places_of_sentence(rec, q["start"])),
        })
    best: dict[tuple, dict] = {}
    for f in out:
        key = (f["category"], f["unit"], f["value"], f["qualifier"])
        old = best.get(key)
        if old is None or (not old["source"] and f["source"]):
            best[key] = f
    keep = {id(f) for f in best.values()}
    return [f for f in out if id(f) in keep]


def _interval(f: dict) -> tuple[float, float]:
    v = float(f["value"])
    q = f.get("qualifier")
    if q == "range" and f.get("range_to") is not None:
        return v, float(f["range_to"])
    if q == "at_least":
        return v, math.inf
    if q == "more_than":
        return v + 1e-9, math.inf
    if q == "less_than":
        return -math.inf, v - 1e-9
    if q == "up_to":
        return -math.inf, v
    # point values (exact or 約) carry the same tolerance as the value comparison
    return v * (1 - REL_TOL), v * (1 + REL_TOL)


def compare_figures(fa: dict, fb: dict) -> dict:
    """Agreement of two figures on the same subject: values within 10 % and qualifier ranges overlapping."""
    va, vb = float(fa["value"]), float(fb["value"])
    rel = abs(va - vb) / max(abs(va), abs(vb), 1e-9)
    la, ha = _interval(fa)
    lb, hb = _interval(fb)
    overlap = max(la, lb) <= min(ha, hb)
    status = "agree" if rel <= REL_TOL and overlap else "conflict"
    return {"status": status, "relative_difference": round(rel, 3), "ranges_overlap": overlap}


def _side(f: dict) -> dict:
    return {k: f[k] for k in ("doc_id", "outlet", "text", "start", "end", "value", "unit", "qualifier",
                                "subject", "source", "source_entity_id", "source_name", "sentence")}


def _places_compatible(a: dict, b: dict) -> bool:
    return not (a["places"] and b["places"] and not set(a["places"]) & set(b["places"]))


def match_figures(fa_list: list[dict], fb_list: list[dict]) -> list[dict]:
    """Pairs of figures on the same subject (category + unit + compatible places), best pair per subject."""
    out = []
    groups: dict[tuple, tuple[list[dict], list[dict]]] = defaultdict(lambda: ([], []))
    for f in fa_list:
        groups[(f["category"], f["unit"])][0].append(f)
    for f in fb_list:
        groups[(f["category"], f["unit"])][1].append(f)
    for (cat, unit), (xs, ys) in sorted(groups.items(), key=lambda kv: str(kv[0])):
        if not xs or not ys:
            continue
        seen: set[tuple] = set()
        pairs = []
        for x in xs:
            for y in ys:
                if not _places_compatible(x, y):
                    continue
                if cat.startswith("subj:") and not (set(x["places"]) & set(y["places"])):
                    continue  # generic subjects need an explicit shared place
                key = (x["value"], x["qualifier"], x["source"], y["value"], y["qualifier"], y["source"])
                if key in seen:
                    continue
                seen.add(key)
                pairs.append((x, y, compare_figures(x, y)))
        # a figure that agrees with one on the other side is accounted for: it is not also set against the
        # other figures of that subject (15万人 before the war vs 6万人 now are two facts, not a conflict)
        agreed = {id(f) for x, y, res in pairs if res["status"] == "agree" for f in (x, y)}
        for x, y, res in pairs:
            if res["status"] == "conflict" and (id(x) in agreed or id(y) in agreed):
                continue
            out.append({"subject": category_label(cat), "category": cat, "unit": unit, **res,
                        "a": _side(x), "b": _side(y)})
    return out


# ------------------------------------------------------------------------------------------ aggregates

def _entities(recs: list[dict]) -> dict[str, dict]:
    agg: dict[str, dict] = {}
    for r in recs:
        for e in r.get("entities") or []:
            if is_byline_entity(r, e):
                continue
            a = agg.setdefault(e["id"], {"id": e["id"], "name": e.get("name"), "name_en": e.get("name_en"),
                                         "type": e.get("type"), "mentions": 0, "docs": []})
            a["mentions"] += len(e.get("mentions") or [])
            if r["id"] not in a["docs"]:
                a["docs"].append(r["id"])
    return agg


def _claims(recs: list[dict]) -> list[dict]:
    out = []
    text_of = {r["id"]: r.get("text") or "" for r in recs}
    for r in recs:
        for c in r.get("claims") or []:
            cs = c.get("content_span") or {"start": c["start"], "end": c["end"]}
            out.append({"doc_id": r["id"], "outlet": outlet_of(r), "id": c.get("id"), "speaker": c.get("speaker"),
                        "speaker_entity_id": c.get("speaker_entity_id"), "kind": c.get("kind"), "cue": c.get("cue"),
                        "text": c["text"], "start": c["start"], "end": c["end"],
                        "content": text_of[r["id"]][cs["start"] : cs["end"]]})
    return out


CLAIM_SIM = 0.3


def _claim_match(x: dict, y: dict) -> float:
    if x["speaker_entity_id"] and y["speaker_entity_id"]:
        if x["speaker_entity_id"] != y["speaker_entity_id"]:
            return 0.0
    elif not x["speaker"] and not y["speaker"]:
        s = dice(x["content"], y["content"])  # unattributed: content alone, stricter
        return s if s >= 0.6 else 0.0
    elif not (x["speaker"] and y["speaker"] and dice(x["speaker"], y["speaker"]) >= 0.5):
        return 0.0
    return dice(x["content"], y["content"])


def _frames(recs: list[dict]) -> dict[str, dict]:
    agg: dict[str, dict] = {}
    for r in recs:
        for f in r.get("frames") or []:
            a = agg.setdefault(f["id"], {"id": f["id"], "label": f.get("label"), "label_en": f.get("label_en"),
                                         "score": 0.0, "voices": Counter(), "docs": [], "evidence": []})
            a["score"] = max(a["score"], float(f.get("score") or 0.0))
            a["voices"][f.get("voice")] += 1
            a["docs"].append(r["id"])
            for ev in (f.get("evidence") or [])[:1]:
                a["evidence"].append({"doc_id": r["id"], **ev})
    for a in agg.values():
        a["voice"] = a["voices"].most_common(1)[0][0]
        a["voices"] = dict(a["voices"])
    return agg


def _stance(recs: list[dict]) -> dict[str, dict]:
    agg: dict[str, dict] = {}
    for r in recs:
        for s in r.get("stance") or []:
            a = agg.setdefault(s["target"], {"target": s["target"], "target_name": s.get("target_name"),
                                             "scores": [], "evidence": []})
            a["scores"].append(float(s.get("score") or 0.0))
            for ev in (s.get("evidence") or [])[:1]:
                a["evidence"].append({"doc_id": r["id"], **ev})
    for a in agg.values():
        a["score"] = round(sum(a["scores"]) / len(a["scores"]), 3)
        a["docs"] = len(a.pop("scores"))
    return agg


PROMINENT_MENTIONS = 2
PROMINENT_FRAME = 0.5


def compare(records_a: dict | Iterable[dict], records_b: dict | Iterable[dict]) -> dict:
    """Compare side A with side B (each one record or a list of records); see the module docstring."""
    A, B = as_list(records_a), as_list(records_b)
    ea, eb = _entities(A), _entities(B)
    shared = [{"id": k, "name": ea[k]["name"], "type": ea[k]["type"], "mentions_a": ea[k]["mentions"],
               "mentions_b": eb[k]["mentions"]} for k in ea if k in eb]
    shared.sort(key=lambda x: -(x["mentions_a"] + x["mentions_b"]))

    def _uniq(x: dict[str, dict], y: dict[str, dict]) -> list[dict]:
        u = [{"id": k, "name": v["name"], "type": v["type"], "mentions": v["mentions"]} for k, v in x.items()
             if k not in y]
        return sorted(u, key=lambda v: (-v["mentions"], v["id"]))

    ca, cb = _claims(A), _claims(B)
    shared_claims, used_b, used_a = [], set(), set()
    pairs = sorted(((_claim_match(x, y), i, j) for i, x in enumerate(ca) for j, y in enumerate(cb)), reverse=True)
    for s, i, j in pairs:
        if s < CLAIM_SIM:
            break
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        shared_claims.append({"speaker": ca[i]["speaker"] or cb[j]["speaker"],
                              "speaker_entity_id": ca[i]["speaker_entity_id"] or cb[j]["speaker_entity_id"],
                              "similarity": round(s, 3), "a": ca[i], "b": cb[j]})
    unique_a = [c for i, c in enumerate(ca) if i not in used_a]
    unique_b = [c for j, c in enumerate(cb) if j not in used_b]

    fa = [f for r in A for f in figures(r)]
    fb = [f for r in B for f in figures(r)]
    fig_pairs = match_figures(fa, fb)

    fra, frb = _frames(A), _frames(B)
    frames = []
    for fid in sorted(set(fra) | set(frb), key=lambda k: -max(fra.get(k, {}).get("score", 0), frb.get(k, {}).get("score", 0))):
        ref = fra.get(fid) or frb[fid]
        frames.append({"id": fid, "label": ref["label"], "label_en": ref.get("label_en"),
                       "a": _frame_side(fra.get(fid)), "b": _frame_side(frb.get(fid))})
    sta, stb = _stance(A), _stance(B)
    stance = []
    for t in sorted(set(sta) | set(stb)):
        ref = sta.get(t) or stb[t]
        stance.append({"target": t, "target_name": ref["target_name"],
                       "a": _stance_side(sta.get(t)), "b": _stance_side(stb.get(t))})

    return {
        "a": {"doc_ids": [r["id"] for r in A], "outlets": sorted({outlet_of(r) for r in A})},
        "b": {"doc_ids": [r["id"] for r in B], "outlets": sorted({outlet_of(r) for r in B})},
        "entities": {"shared": shared, "only_a": _uniq(ea, eb), "only_b": _uniq(eb, ea)},
        "claims": {"shared": shared_claims, "only_a": unique_a, "only_b": unique_b},
        "figures": {"conflicts": [p for p in fig_pairs if p["status"] == "conflict"],
                    "agreements": [p for p in fig_pairs if p["status"] == "agree"]},
        "frames": frames,
        "stance": stance,
        "blind_spots": {"only_a": _blind(ea, eb, fra, frb, unique_a, cb, B),
                        "only_b": _blind(eb, ea, frb, fra, unique_b, ca, A)},
        # speakers (of either side) who contradict each other on the same subject
        "speaker_conflicts": contradictions(A + B),
    }


def _frame_side(a: dict | None) -> dict | None:
    if not a:
        return None
    return {"score": round(a["score"], 3), "voice": a["voice"], "voices": a["voices"], "docs": len(set(a["docs"])),
            "evidence": a["evidence"][:2]}


def _stance_side(a: dict | None) -> dict | None:
    if not a:
        return None
    return {"score": a["score"], "docs": a["docs"], "evidence": a["evidence"][:2]}


def _blind(ex: dict, ey: dict, fx: dict, fy: dict, claims_x: list[dict], claims_y: list[dict],
           recs_y: list[dict]) -> dict:
    """What side X covers prominently and side Y never mentions."""
    ents = [{"id": k, "name": v["name"], "type": v["type"], "mentions": v["mentions"], "docs": len(v["docs"])}
            for k, v in ex.items() if k not in ey and v["mentions"] >= PROMINENT_MENTIONS]
    ents.sort(key=lambda v: (-v["mentions"], v["id"]))
    frames = [{"id": k, "label": v["label"], "score": round(v["score"], 3), "voice": v["voice"]}
              for k, v in fx.items() if k not in fy and v["score"] >= PROMINENT_FRAME]
    frames.sort(key=lambda v: -v["score"])
    speakers_y = {c["speaker_entity_id"] for c in claims_y if c["speaker_entity_id"]}
    text_y = "\n".join(r.get("text") or "" for r in recs_y)
    claims = []
    for c in claims_x:
        if not c["speaker"]:
            continue
        sid = c["speaker_entity_id"]
        if sid and (sid in speakers_y or sid in ey):
            continue
        if not sid and _core_name(c["speaker"]) in text_y:
            continue
        claims.append({k: c[k] for k in ("doc_id", "outlet", "speaker", "speaker_entity_id", "kind", "text",
                                         "start", "end")})
    return {"entities": ents, "frames": frames, "claims": claims}


def _core_name(speaker: str) -> str:
    s = re.sub(r"^(同|当|その)", "", speaker)
    s = s.split("の")[-1]
    for t in _TITLES:
        if s.endswith(t) and len(s) > len(t):
            s = s[: -len(t)]
            break
    return s or speaker


def compare_story(story: dict, records: Iterable[dict]) -> dict:
    """Compare the outlets of one story: near-duplicate copies and same-outlet articles form one side each.

    Returns ``{"story", "groups": [{"outlet", "doc_ids"}], "pairs": [{"a", "b", "comparison"}],
    "conflicts": [...], "agreements": [...], "frames": {frame_id: {outlet: score}}, "stance": {...}}``.
    """
    ids = set(story["doc_ids"])
    recs = [r for r in as_list(records) if r["id"] in ids]
    groups = outlet_groups(recs, story.get("near_duplicates") or [])
    pairs, conflicts, agreements = [], [], []
    seen: set[tuple] = set()
    names = list(groups)
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            c = compare(groups[names[i]], groups[names[j]])
            pairs.append({"a": names[i], "b": names[j], "comparison": c})
            for kind, bucket in (("conflicts", conflicts), ("agreements", agreements)):
                for p in c["figures"][kind]:
                    key = (p["category"], p["a"]["value"], p["a"]["source"], p["b"]["value"], p["b"]["source"])
                    if key not in seen:
                        seen.add(key)
                        bucket.append({**p, "outlet_a": names[i], "outlet_b": names[j]})
    frames: dict[str, dict] = {}
    stance: dict[str, dict] = {}
    for name, rs in groups.items():
        for fid, f in _frames(rs).items():
            frames.setdefault(fid, {"label": f["label"], "outlets": {}})["outlets"][name] = round(f["score"], 3)
        for t, s in _stance(rs).items():
            stance.setdefault(t, {"target_name": s["target_name"], "outlets": {}})["outlets"][name] = s["score"]
    return {
        "story": {k: story.get(k) for k in ("id", "label", "doc_ids", "first", "last")},
        "groups": [{"outlet": n, "doc_ids": [r["id"] for r in rs]} for n, rs in groups.items()],
        "pairs": pairs,
        "conflicts": conflicts,
        "agreements": agreements,
        "frames": frames,
        "stance": stance,
    }


def outlet_groups(recs: list[dict], near_dups: list[list[str]]) -> dict[str, list[dict]]:
    """Records grouped by outlet; a near-duplicate copy joins the group of its original."""
    rep: dict[str, str] = {}
    for g in near_dups:
        for d in g:
            rep[d] = g[0]
    by_id = {r["id"]: r for r in recs}
    label_of_rep: dict[str, str] = {}
    groups: dict[str, list[dict]] = {}
    for r in sorted(recs, key=lambda r: r["id"]):
        root = rep.get(r["id"], r["id"])
        name = label_of_rep.get(root)
        if name is None:
            name = outlet_of(by_id.get(root, r))
            label_of_rep[root] = name
        groups.setdefault(name, []).append(r)
    return groups
