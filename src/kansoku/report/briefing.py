"""Corpus briefing: one self-contained HTML page and a Markdown file for a set of records (a story, a query).

:func:`build_briefing` computes the content as plain data (also the ``--format json`` output of
``kansoku report``); :func:`write_briefing` renders it.  Sections:

* overview: articles, outlets, dates, story clusters;
* key points: extractive — sentences scored by entity, claim and figure density plus cross-article support
  (how many independent outlets carry a similar sentence), de-duplicated across articles (syndicated copies
  give one point), each with its source;
* glossary: the entities of the corpus with their spellings, glosses written in parentheses
  (北大西洋条約機構(NATO)) and definitions found in the articles (【用語】 blocks, 「XとはYである」);
* figures with their sources, and the conflicts between outlets found by :func:`kansoku.corpus.compare`;
* blind spots: what one outlet of a story covers prominently and the others never mention;
* charts (inline SVG): frames × outlet, stance × outlet, entity co-occurrence network, timeline.
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

from kansoku.corpus import as_list, dice, doc_date, entity_weight, is_byline_entity, outlet_of, sentence_index
from kansoku.corpus.base import Corpus
from kansoku.corpus.claims import UNATTRIBUTED, claims_by_speaker, contradictions
from kansoku.corpus.compare import compare, compare_story, figures, outlet_groups
from kansoku.corpus.stories import cluster_stories, near_duplicates, shingle_jaccard
from kansoku.corpus.timeline import timeline

L = {
    "ja": {
        "title": "観測ブリーフィング", "overview": "概要", "articles": "記事数", "outlets": "媒体", "period": "期間",
        "stories": "ストーリー(同一事象の記事群)", "key_points": "要点", "support": "独立した情報源",
        "glossary": "用語・表記", "term": "用語", "variants": "表記ゆれ", "definition": "説明", "type": "種別",
        "figures": "数値と出典", "subject": "対象", "figure": "数値", "source": "出典", "outlet": "媒体",
        "conflicts": "数値の食い違い", "no_conflicts": "食い違いは見つかりませんでした。", "vs": "対",
        "frames": "フレーム × 媒体", "stance": "スタンス × 媒体", "network": "固有名詞の共起ネットワーク",
        "timeline": "時系列", "date": "日付", "event": "出来事", "blind": "死角(他媒体が触れていない点)",
        "by_speaker": "発言者別の主張", "speaker": "発言者", "claim": "主張", "speaker_conflicts": "発言者間の食い違い",
        "affirms": "肯定", "denies": "否定・反論",
        "blind_frames": "フレーム", "blind_entities": "固有名詞", "blind_claims": "発言", "none": "なし",
        "no_source": "出典なし", "undated": "日付不明", "generated": "kansoku が記事本文から抽出して作成。",
        "doc": "記事", "story": "ストーリー", "frame": "フレーム", "target": "対象", "ranges_overlap":
        "(範囲としては両立しうる)", "from": "出典元", "mentions": "回",
    },
    "en": {
        "title": "kansoku briefing", "overview": "Overview", "articles": "Articles", "outlets": "Outlets",
        "period": "Period", "stories": "Stories (articles on the same event)", "key_points": "Key points",
        "support": "independent sources", "glossary": "Glossary and spellings", "term": "Term",
        "variants": "Spellings", "definition": "Definition", "type": "Type", "figures": "Figures and sources",
        "subject": "Subject", "figure": "Figure", "source": "Source", "outlet": "Outlet",
        "conflicts": "Conflicting figures", "no_conflicts": "No conflicting figures found.", "vs": "vs",
        "frames": "Frames × outlet", "stance": "Stance × outlet", "network": "Entity co-occurrence network",
        "timeline": "Timeline", "date": "Date", "event": "Event", "blind": "Blind spots (what other outlets miss)",
        "by_speaker": "Claims by speaker", "speaker": "Speaker", "claim": "Claim",
        "speaker_conflicts": "Speakers who contradict each other", "affirms": "affirms", "denies": "denies",
        "blind_frames": "Frames", "blind_entities": "Entities", "blind_claims": "Claims", "none": "none",
        "no_source": "no source", "undated": "undated", "generated": "Extracted from the article texts by kansoku.",
        "doc": "Article", "story": "Story", "frame": "Frame", "target": "Target",
        "ranges_overlap": "(the ranges could both hold)", "from": "Source", "mentions": "x",
    },
}

_META_LINE = re.compile(r"^\s*(公開日|更新日|投稿日|配信日|出典|執筆者|筆者|文|解説|聞き手|By\b)|^https?://|^[#・\-*]|^\S{1,8}[:：]\s*$")


def _labels(lang: str) -> dict[str, str]:
    return L.get(lang, L["ja"])


# ------------------------------------------------------------------------------------------ key points

def _bigrams(s: str) -> set[str]:
    return {s[i : i + 2] for i in range(max(1, len(s) - 1))}


SUPPORT_POOL = 300


def key_points(records: Iterable[dict], n: int = 8, origin: dict[str, str] | None = None) -> list[dict]:
    """Top sentences by entity/claim/figure density and cross-article support, one per repeated fact."""
    recs = as_list(records)
    origin = origin or _origins(recs)
    cands = []
    for r in recs:
        text = r.get("text") or ""
        skip_ids = {e["id"] for e in r.get("entities") or [] if is_byline_entity(r, e)}
        ent_pos = [(m["start"], e) for e in r.get("entities") or [] if e["id"] not in skip_ids
                   for m in e.get("mentions") or []]
        title = (r.get("title") or "").strip()
        for k, (s, e) in enumerate(r.get("sentences") or []):
            raw = text[s:e]
            t = raw.strip()
            if len(t) < 20 or len(t) > 220 or _META_LINE.search(t) or (title and t.startswith(title)):
                continue
            if not t.endswith(("。", "」", ")", "）")):
                continue
            off = s + raw.find(t)
            ents = {ent["id"]: entity_weight(ent) for p, ent in ent_pos if s <= p < e}
            n_claims = sum(1 for c in r.get("claims") or [] if c["start"] < e and c["end"] > s and c.get("speaker"))
            n_q = sum(1 for q in r.get("quantities") or [] if s <= q["start"] < e)
            dens = sum(ents.values()) / max(1.0, (len(t) / 60) ** 0.5)
            cands.append({"text": _strip_dateline(t), "doc_id": r["id"], "outlet": outlet_of(r), "origin": origin[r["id"]],
                          "source": r.get("source"), "title": r.get("title"), "start": off, "end": off + len(t),
                          "base": dens + 1.5 * n_claims + 1.0 * n_q + (1.0 if k <= 2 else 0.0),
                          "grams": _bigrams(t)})
    # support: independent origins carrying a similar sentence (computed for the best candidates only,
    # which bounds the cost on large corpora: support adds at most 2 points per other outlet)
    cands.sort(key=lambda c: (-c["base"], c["doc_id"], c["start"]))
    for c in cands[SUPPORT_POOL:]:
        c["support"], c["also_in"], c["score"] = 1, [], round(c["base"], 3)
    for c in cands[:SUPPORT_POOL]:
        others = set()
        for d in cands:
            if d["origin"] != c["origin"] and d["origin"] not in others:
                inter = len(c["grams"] & d["grams"])
                if inter and 2 * inter / (len(c["grams"]) + len(d["grams"])) >= 0.4:
                    others.add(d["origin"])
        c["support"] = 1 + len(others)
        c["also_in"] = sorted(others)
        c["score"] = round(c["base"] + 2.0 * len(others), 3)
    cands.sort(key=lambda c: (-c["score"], c["doc_id"], c["start"]))
    chosen: list[dict] = []
    per_origin: Counter[str] = Counter()
    for c in cands:
        if len(chosen) >= n:
            break
        if per_origin[c["origin"]] >= max(2, n // 3):
            continue
        if any(shingle_jaccard(c["text"], x["text"]) >= 0.35 or dice(c["text"], x["text"]) >= 0.55 for x in chosen):
            continue
        chosen.append(c)
        per_origin[c["origin"]] += 1
    return [{k: v for k, v in c.items() if k not in ("grams", "base")} for c in chosen]


def _strip_dateline(t: str) -> str:
    """Without the dateline (【キーウ東亜=…】) or a dialogue speaker tag (水城: …)."""
    t2 = re.sub(r"^【[^】]*】", "", t).strip()
    t2 = re.sub(r"^[^\s:：「」、。]{1,8}[:：]\s*", "", t2)
    return t2 or t


def _origins(recs: list[dict], dups: list[list[str]] | None = None) -> dict[str, str]:
    key = {r["id"]: outlet_of(r) for r in recs}
    by_id = {r["id"]: r for r in recs}
    for g in near_duplicates(recs) if dups is None else dups:
        for d in g:
            key[d] = outlet_of(by_id[g[0]])
    return key


# ------------------------------------------------------------------------------------------ glossary

_GLOSS_BLOCK = re.compile(r"【用語(?:解説)?】\s*\n((?:[ \t]*[・\-*][^\n]*\n?)+)")
_GLOSS_LINE = re.compile(r"[・\-*]\s*([^:：\n]{1,30}?)\s*(?:[(（]([^)）]{1,30})[)）])?\s*[:：]\s*(.+)")
_TOWA = re.compile(r"「?([^\s、。「」()（）]{2,20})」?とは[、,]?([^。]{4,160}?)(?:である|のことだ|のこと|です|だ)。")
_PAREN = re.compile(r"([^\s、。「」()（）]{2,20})[(（]([^)）、。]{1,24})[)）]")


def definitions(records: Iterable[dict]) -> list[dict]:
    """Definitions written in the articles: 【用語】 blocks and 「XとはYである」 sentences."""
    out = []
    seen: set[tuple[str, str]] = set()
    for r in as_list(records):
        text = r.get("text") or ""
        for blk in _GLOSS_BLOCK.finditer(text + "\n"):
            base = blk.start(1)
            for line in re.finditer(r"[^\n]+", blk.group(1)):
                m = _GLOSS_LINE.match(line.group(0).strip())
                if not m:
                    continue
                term, alias, definition = m.group(1).strip(), (m.group(2) or "").strip(), m.group(3).strip()
                if (term, r["id"]) in seen:
                    continue
                seen.add((term, r["id"]))
                start = base + line.start()
                out.append({"term": term, "aliases": [alias] if alias else [], "definition": definition,
                            "doc_id": r["id"], "outlet": outlet_of(r), "start": start, "end": base + line.end(),
                            "kind": "glossary_block"})
        for m in _TOWA.finditer(text):
            term = m.group(1)
            if (term, r["id"]) in seen:
                continue
            seen.add((term, r["id"]))
            out.append({"term": term, "aliases": [], "definition": m.group(2).strip(), "doc_id": r["id"],
                        "outlet": outlet_of(r), "start": m.start(), "end": m.end(), "kind": "towa"})
    return out


def glosses(records: Iterable[dict]) -> dict[str, set[str]]:
    """Entity id → parenthetical glosses: 北大西洋条約機構(NATO), 無人機(ドローン)."""
    recs = as_list(records)
    out: dict[str, set[str]] = defaultdict(set)
    surfaces: dict[str, set[str]] = defaultdict(set)
    for r in recs:
        for e in r.get("entities") or []:
            surfaces[e["id"]].update([e.get("name") or "", *(m["text"] for m in e.get("mentions") or [])])
    by_surface = {s: eid for eid, ss in surfaces.items() for s in ss if len(s) >= 2}
    for r in recs:
        text = r.get("text") or ""
        ends = {m["end"]: e["id"] for e in r.get("entities") or [] for m in e.get("mentions") or []}
        starts = {m["start"]: e["id"] for e in r.get("entities") or [] for m in e.get("mentions") or []}
        for m in _PAREN.finditer(text):
            eid = ends.get(m.end(1))
            inner = starts.get(m.start(2)) or by_surface.get(m.group(2))
            if eid is None and inner and any(
                s and len(s) >= 2 and m.group(1).endswith(s) and s != m.group(2) for s in surfaces[inner]
            ):
                eid = inner  # 無人機(ドローン) where the extractor tagged neither here: both are known spellings
            gloss = m.group(2)
            if eid and len(m.group(1)) >= 2 and not re.search(r"[\dぁ-ゖ]", gloss):
                out[eid].add(gloss)
    return out


def glossary(records: Iterable[dict], max_entries: int = 30, lang: str = "ja") -> list[dict]:
    """Entities with their spellings, glosses and corpus definitions (defined terms first)."""
    from kansoku.nlp.variants import variant_key

    recs = as_list(records)
    defs = definitions(recs)
    gl = glosses(recs)
    agg: dict[str, dict] = {}
    for r in recs:
        for e in r.get("entities") or []:
            if is_byline_entity(r, e):
                continue
            a = agg.setdefault(e["id"], {"id": e["id"], "name": e.get("name"), "name_en": e.get("name_en"),
                                         "type": e.get("type"), "variants": Counter(), "docs": set()})
            a["variants"].update(m["text"] for m in e.get("mentions") or [])
            a["docs"].add(r["id"])
    keys: dict[str, str] = {}
    for eid, a in agg.items():
        for s in [a["name"] or "", *a["variants"]]:
            if s:
                keys.setdefault(variant_key(s), eid)
    entries: dict[str, dict] = {}
    loose = []
    for d in defs:
        eid = next((keys[k] for k in (variant_key(d["term"]), *(variant_key(x) for x in d["aliases"])) if k in keys),
                   None)
        if eid:
            entries.setdefault(eid, {"definitions": []})["definitions"].append(d)
        else:
            loose.append(d)
    out = []
    for eid, a in agg.items():
        defined = entries.get(eid, {}).get("definitions", [])
        n = sum(a["variants"].values())
        if not defined and len(a["variants"]) < 2 and not gl.get(eid) and n < 3:
            continue
        out.append({
            "id": eid, "name": a["name"] if lang == "ja" else (a["name_en"] or a["name"]), "name_ja": a["name"],
            "name_en": a["name_en"], "type": a["type"], "mentions": n, "docs": len(a["docs"]),
            "variants": [{"text": t, "count": c} for t, c in a["variants"].most_common()],
            "glosses": sorted(gl.get(eid, set())), "definitions": defined,
        })
    out.sort(key=lambda x: (not x["definitions"], -(len(x["variants"]) > 1), -x["mentions"], x["id"]))
    out = out[:max_entries]
    for d in loose:
        out.append({"id": None, "name": d["term"], "name_ja": d["term"], "name_en": None, "type": "TERM",
                    "mentions": 0, "docs": 1, "variants": [{"text": d["term"], "count": 1}]
                    + [{"text": x, "count": 1} for x in d["aliases"]], "glosses": [], "definitions": [d]})
    return out


# ------------------------------------------------------------------------------------------ network

def cooccurrence(records: Iterable[dict], max_nodes: int = 18) -> tuple[list[dict], dict[tuple[int, int], int]]:
    """Top entities (by weighted mentions) and their shared-sentence counts."""
    recs = as_list(records)
    score: Counter[str] = Counter()
    names: dict[str, dict] = {}
    sent_sets: list[tuple[str, int, set[str]]] = []
    for r in recs:
        per_sent: dict[int, set[str]] = defaultdict(set)
        for e in r.get("entities") or []:
            if is_byline_entity(r, e) or e.get("type") == "OTHER":
                continue
            names.setdefault(e["id"], e)
            score[e["id"]] += len(e.get("mentions") or []) * entity_weight(e)
            for m in e.get("mentions") or []:
                per_sent[sentence_index(r, m["start"])].add(e["id"])
        sent_sets += [(r["id"], k, v) for k, v in per_sent.items()]
    top = [i for i, _ in score.most_common(max_nodes)]
    index = {i: k for k, i in enumerate(top)}
    edges: Counter[tuple[int, int]] = Counter()
    for _doc, _k, ids in sent_sets:
        present = sorted(index[i] for i in ids if i in index)
        for a in range(len(present)):
            for b in range(a + 1, len(present)):
                edges[(present[a], present[b])] += 1
    nodes = [{"id": i, "name": names[i].get("name"), "name_en": names[i].get("name_en"), "score": round(score[i], 2)}
             for i in top]
    return nodes, dict(edges)


# ------------------------------------------------------------------------------------------ data

def build_briefing(records: Iterable[dict], title: str | None = None, lang: str = "ja") -> dict:
    """Everything the briefing shows, as JSON-ready data."""
    recs = sorted(as_list(records), key=lambda r: (doc_date(r) or "9999", r["id"]))
    lab = _labels(lang)
    corpus = Corpus.from_records(recs)  # stories, near-duplicates and timeline share one in-memory store
    stories = cluster_stories(corpus, min_size=2) if len(recs) > 1 else []
    dups = near_duplicates(corpus)
    origin = _origins(recs, dups)
    dates = sorted(d for r in recs if (d := doc_date(r)))
    outlets = Counter(outlet_of(r) for r in recs)

    figs = []
    seen: set[tuple] = set()
    for r in recs:
        for f in figures(r):
            key = (origin[r["id"]], f["category"], f["value"], f["unit"], f["qualifier"])
            if key in seen:
                continue
            seen.add(key)
            figs.append({k: f[k] for k in ("doc_id", "outlet", "text", "start", "end", "value", "unit", "qualifier",
                                           "subject", "category", "source", "source_entity_id")})
    # casualty/population figures first, then sourced ones
    figs.sort(key=lambda f: (f["category"].startswith("subj:"), f["source"] is None))
    conflicts, blind = [], []
    for s in stories:
        cs = compare_story(s, recs)
        for c in cs["conflicts"]:
            conflicts.append({"story": s["label"], "story_id": s["id"], **c})
        groups = outlet_groups([r for r in recs if r["id"] in set(s["doc_ids"])], s["near_duplicates"])
        if len(groups) > 1:
            for name, rs in groups.items():
                others = [r for g, xs in groups.items() if g != name for r in xs]
                b = compare(rs, others)["blind_spots"]["only_a"]
                if b["entities"] or b["frames"] or b["claims"]:
                    blind.append({"story": s["label"], "story_id": s["id"], "outlet": name,
                                  "entities": b["entities"][:6], "frames": b["frames"][:5], "claims": b["claims"][:4]})

    groups_all = outlet_groups(recs, dups)
    outlet_names = list(groups_all)
    frames: dict[str, dict] = {}
    stance: dict[str, dict] = {}
    for name, rs in groups_all.items():
        for r in rs:
            for f in r.get("frames") or []:
                row = frames.setdefault(f["id"], {"id": f["id"], "label": f.get("label"), "label_en": f.get("label_en"),
                                                  "outlets": {}})
                row["outlets"][name] = max(row["outlets"].get(name, 0.0), round(float(f.get("score") or 0), 3))
            for st in r.get("stance") or []:
                row = stance.setdefault(st["target"], {"target": st["target"], "target_name": st.get("target_name"),
                                                       "outlets": {}, "_n": Counter()})
                prev, k = row["outlets"].get(name, 0.0), row["_n"][name]
                row["outlets"][name] = round((prev * k + float(st.get("score") or 0)) / (k + 1), 3)
                row["_n"][name] += 1
    for row in stance.values():
        row.pop("_n")
    nodes, edges = cooccurrence(recs)
    return {
        "title": title or (stories[0]["label"] if len(stories) == 1 and len(stories[0]["doc_ids"]) == len(recs)
                           else lab["title"]),
        "lang": lang,
        "overview": {"articles": len(recs), "outlets": dict(outlets.most_common()),
                     "first": dates[0] if dates else None, "last": dates[-1] if dates else None,
                     "stories": [{k: s[k] for k in ("id", "label", "doc_ids", "first", "last")} for s in stories],
                     "near_duplicates": dups},
        "docs": [{"id": r["id"], "source": r.get("source"), "title": r.get("title"), "outlet": outlet_of(r),
                  "date": doc_date(r)} for r in recs],
        "key_points": key_points(recs, origin=origin),
        "glossary": glossary(recs, lang=lang),
        "figures": figs,
        "conflicts": conflicts,
        "blind_spots": blind,
        "outlets": outlet_names,
        "frames": sorted(frames.values(), key=lambda f: -max(f["outlets"].values())),
        "stance": sorted(stance.values(), key=lambda s: -len(s["outlets"])),
        "network": {"nodes": nodes, "edges": [{"a": a, "b": b, "weight": w} for (a, b), w in sorted(edges.items())]},
        "timeline": timeline(corpus),
        "claims_by_speaker": _top_speakers(recs),
        "speaker_conflicts": contradictions(recs, max_pairs=12),
    }


def _top_speakers(recs: list[dict], n: int = 12, per: int = 3) -> list[dict]:
    """The speakers with most claims (named ones; unattributed claims are left out), a few claims each."""
    view = claims_by_speaker(recs, limit=per)
    return [g for g in view["speakers"] if g["key"] != UNATTRIBUTED][:n]


# ------------------------------------------------------------------------------------------ charts

def make_charts(data: dict, strict: bool = False) -> dict[str, str]:
    """SVG strings for the briefing's charts (empty dict entries are skipped)."""
    from kansoku.report import charts

    lang = data["lang"]
    lab = _labels(lang)
    out: dict[str, str] = {}
    outlets = data["outlets"]
    fr = data["frames"][:14]
    if fr and outlets:
        rows = [(f.get("label_en") or f["id"]) if lang == "en" else (f.get("label") or f["id"]) for f in fr]
        cols = [o for o in outlets if any(o in f["outlets"] for f in fr)]
        vals = [[f["outlets"].get(o) for o in cols] for f in fr]
        out["frames"] = charts.heatmap(rows, cols, vals, lab["frames"], strict=strict)
    stn = [s for s in data["stance"] if len(s["outlets"]) >= 1][:12]
    if stn and outlets:
        rows = [s["target"] if lang == "en" else (s.get("target_name") or s["target"]) for s in stn]
        cols = [o for o in outlets if any(o in s["outlets"] for s in stn)]
        vals = [[s["outlets"].get(o) for o in cols] for s in stn]
        out["stance"] = charts.heatmap(rows, cols, vals, lab["stance"], diverging=True, strict=strict)
    nodes = data["network"]["nodes"]
    if nodes:
        labels = [(n.get("name_en") or n["name"]) if lang == "en" else n["name"] for n in nodes]
        edges = {(e["a"], e["b"]): float(e["weight"]) for e in data["network"]["edges"]}
        out["network"] = charts.network(list(zip(labels, [n["score"] for n in nodes], strict=True)), edges,
                                        lab["network"], strict=strict)
    if any(re.match(r"\d{4}-\d{2}-\d{2}", e["date"]) for e in data["timeline"]):
        out["timeline"] = charts.timeline_chart(data["timeline"], lab["timeline"], lab["date"], strict=strict)
    return out


# ------------------------------------------------------------------------------------------ render

_CSS = """
body{font-family:"Hiragino Sans","Noto Sans JP","Yu Gothic",Meiryo,sans-serif;max-width:1000px;margin:2em auto;
padding:0 1em;color:#222;line-height:1.65}
h1{font-size:1.6em;border-bottom:3px solid #3b6ea8;padding-bottom:.2em}h2{font-size:1.25em;margin-top:1.8em;
border-left:6px solid #3b6ea8;padding-left:.4em}table{border-collapse:collapse;width:100%;font-size:.9em;margin:.6em 0}
th,td{border:1px solid #ccd;padding:.3em .5em;vertical-align:top;text-align:left}th{background:#eef2f8}
.src{color:#667;font-size:.85em}.conflict{background:#fff1f0}.chart{margin:1em 0;overflow-x:auto}
.chart svg{max-width:100%;height:auto}.tag{display:inline-block;background:#eef2f8;border-radius:3px;
padding:0 .35em;margin:0 .2em .2em 0;font-size:.85em}ol li{margin-bottom:.5em}footer{margin-top:3em;color:#889;
font-size:.8em}
"""


def _e(s: object) -> str:
    return html.escape("" if s is None else str(s))


def _fig_text(f: dict) -> str:
    return f"{f['text']}"


def render_html(data: dict, svgs: dict[str, str]) -> str:
    lab = _labels(data["lang"])
    ov = data["overview"]
    p: list[str] = [f"<!DOCTYPE html>\n<html lang=\"{_e(data['lang'])}\"><head><meta charset=\"utf-8\">",
                    f"<title>{_e(data['title'])}</title><style>{_CSS}</style></head><body>",
                    f"<h1>{_e(data['title'])}</h1>", f"<h2>{lab['overview']}</h2><ul>",
                    f"<li>{lab['articles']}: {ov['articles']}</li>",
                    f"<li>{lab['outlets']}: " + ", ".join(f"{_e(k)} ({v})" for k, v in ov["outlets"].items()) + "</li>",
                    f"<li>{lab['period']}: {_e(ov['first'] or lab['undated'])} – {_e(ov['last'] or lab['undated'])}</li>"]
    if ov["stories"]:
        p.append(f"<li>{lab['stories']}:<ul>")
        for s in ov["stories"]:
            p.append(f"<li><b>{_e(s['label'])}</b> <span class=src>{_e(s['id'])} · {len(s['doc_ids'])} "
                     f"{lab['articles']} · {_e(s['first'] or '')}</span></li>")
        p.append("</ul></li>")
    p.append("</ul>")

    p.append(f"<h2>{lab['key_points']}</h2><ol>")
    for k in data["key_points"]:
        extra = f" · {lab['support']}: {k['support']}" if k["support"] > 1 else ""
        p.append(f"<li>{_e(k['text'])}<br><span class=src>— {_e(k['outlet'])}「{_e(k.get('title') or '')}」"
                 f"{_e(extra)}</span></li>")
    p.append("</ol>")

    p.append(_speakers_html(data, lab))

    p.append(f"<h2>{lab['conflicts']}</h2>")
    if data["conflicts"]:
        p.append(f"<table><tr><th>{lab['story']}</th><th>{lab['subject']}</th><th>A</th><th>B</th></tr>")
        for c in data["conflicts"]:
            note = f"<br><span class=src>{lab['ranges_overlap']}</span>" if c.get("ranges_overlap") else ""
            p.append(f"<tr class=conflict><td>{_e(c['story'])}</td><td>{_e(c['subject'])}</td>"
                     f"<td><b>{_e(c['a']['text'])}</b><br>{lab['source']}: {_e(c['a']['source'] or lab['no_source'])}"
                     f"<br><span class=src>{_e(c['a']['outlet'])}: {_e(c['a']['sentence']['text'])}</span></td>"
                     f"<td><b>{_e(c['b']['text'])}</b><br>{lab['source']}: {_e(c['b']['source'] or lab['no_source'])}"
                     f"<br><span class=src>{_e(c['b']['outlet'])}: {_e(c['b']['sentence']['text'])}</span>{note}</td></tr>")
        p.append("</table>")
    else:
        p.append(f"<p>{lab['no_conflicts']}</p>")

    p.append(f"<h2>{lab['figures']}</h2><table><tr><th>{lab['subject']}</th><th>{lab['figure']}</th>"
             f"<th>{lab['source']}</th><th>{lab['outlet']}</th></tr>")
    for f in data["figures"][:40]:
        from kansoku.corpus.compare import category_label

        p.append(f"<tr><td>{_e(category_label(f['category'], data['lang']))}</td><td>{_e(_fig_text(f))}</td>"
                 f"<td>{_e(f['source'] or lab['no_source'])}</td><td>{_e(f['outlet'])}</td></tr>")
    p.append("</table>")

    if data["blind_spots"]:
        p.append(f"<h2>{lab['blind']}</h2><table><tr><th>{lab['story']}</th><th>{lab['outlet']}</th>"
                 f"<th>{lab['blind_frames']}</th><th>{lab['blind_entities']}</th><th>{lab['blind_claims']}</th></tr>")
        for b in data["blind_spots"]:
            fr = "".join(f"<span class=tag>{_e(x['label'])}</span>" for x in b["frames"]) or lab["none"]
            en = "".join(f"<span class=tag>{_e(x['name'])}</span>" for x in b["entities"]) or lab["none"]
            cl = "<br>".join(f"{_e(x['speaker'])}: {_e(x['text'][:60])}" for x in b["claims"]) or lab["none"]
            p.append(f"<tr><td>{_e(b['story'])}</td><td>{_e(b['outlet'])}</td><td>{fr}</td><td>{en}</td><td>{cl}</td></tr>")
        p.append("</table>")

    for key, head in (("frames", "frames"), ("stance", "stance"), ("network", "network"), ("timeline", "timeline")):
        if key in svgs:
            p.append(f"<h2>{lab[head]}</h2><div class=chart>{svgs[key]}</div>")
            if key == "timeline":
                p.append(_timeline_table_html(data, lab))

    p.append(f"<h2>{lab['glossary']}</h2><table><tr><th>{lab['term']}</th><th>{lab['variants']}</th>"
             f"<th>{lab['definition']}</th></tr>")
    for g in data["glossary"]:
        var = ", ".join(f"{_e(v['text'])}×{v['count']}" for v in g["variants"][:8])
        glo = " ".join(f"({_e(x)})" for x in g["glosses"])
        dfn = "<br>".join(f"{_e(d['definition'])} <span class=src>— {_e(d['outlet'])}</span>" for d in g["definitions"])
        en = f"<br><span class=src>{_e(g['name_en'])}</span>" if g.get("name_en") and data["lang"] == "ja" else ""
        p.append(f"<tr><td><b>{_e(g['name'])}</b>{en}</td><td>{var} {glo}</td><td>{dfn}</td></tr>")
    p.append("</table>")

    p.append(f"<h2>{lab['doc']}</h2><ul>")
    for d in data["docs"]:
        p.append(f"<li>{_e(d['date'] or lab['undated'])} · {_e(d['outlet'])} · {_e(d['title'] or '')} "
                 f"<span class=src>{_e(d['source'])} ({_e(d['id'])})</span></li>")
    p.append(f"</ul><footer>{lab['generated']}</footer></body></html>\n")
    return "\n".join(p)


def _speakers_html(data: dict, lab: dict) -> str:
    """発言者別の主張 / Claims by speaker, and the speakers who contradict each other."""
    p = [f"<h2>{lab['by_speaker']}</h2>"]
    groups = data.get("claims_by_speaker") or []
    if groups:
        p.append(f"<table><tr><th>{lab['speaker']}</th><th>{lab['claim']}</th><th>{lab['outlet']}</th></tr>")
        for g in groups:
            for k, c in enumerate(g["claims"]):
                head = (f"<td rowspan={len(g['claims'])}><b>{_e(g['name'])}</b><br><span class=src>{g['count']} · "
                        f"{_e(g['entity_id'] or '')}</span></td>") if k == 0 else ""
                p.append(f"<tr>{head}<td>{_e(c['content'][:200])}<br><span class=src>{_e(c['kind'])} · "
                         f"{_e(c['cue'] or '')}</span></td><td>{_e(c['outlet'])}</td></tr>")
        p.append("</table>")
    else:
        p.append(f"<p>{lab['none']}</p>")
    pairs = data.get("speaker_conflicts") or []
    if pairs:
        p.append(f"<h3>{lab['speaker_conflicts']}</h3><table><tr><th>{lab['subject']}</th><th>{lab['affirms']}</th>"
                 f"<th>{lab['denies']}</th></tr>")
        for x in pairs:
            p.append(f"<tr><td>{_e(x['subject']['name'])}</td><td><b>{_e(x['a']['speaker'])}</b>: "
                     f"{_e(x['a']['content'][:140])}</td><td><b>{_e(x['b']['speaker'])}</b>: "
                     f"{_e(x['b']['content'][:140])}</td></tr>")
        p.append("</table>")
    return "".join(p)


def _speakers_md(data: dict, lab: dict) -> list[str]:
    o = ["", f"## {lab['by_speaker']}", ""]
    groups = data.get("claims_by_speaker") or []
    if not groups:
        o.append(lab["none"])
    for g in groups:
        o.append(f"- **{_md(g['name'])}** ({g['count']})")
        for c in g["claims"]:
            o.append(f"  - {_md(c['content'][:200])} — {_md(c['outlet'])} ({c['kind']})")
    pairs = data.get("speaker_conflicts") or []
    if pairs:
        o += ["", f"### {lab['speaker_conflicts']}", ""]
        for x in pairs:
            o.append(f"- {_md(x['subject']['name'])}: **{_md(x['a']['speaker'])}** 「{_md(x['a']['content'][:100])}」 ⇔ "
                     f"**{_md(x['b']['speaker'])}** 「{_md(x['b']['content'][:100])}」")
    return o


def _timeline_table_html(data: dict, lab: dict) -> str:
    rows = [f"<table><tr><th>{lab['date']}</th><th>{lab['event']}</th><th>{lab['outlets']}</th>"
            f"<th>{lab['support']}</th></tr>"]
    for e in data["timeline"][:40]:
        rows.append(f"<tr><td>{_e(e['date'])}</td><td>{_e(e['text'])}</td><td>{_e(', '.join(e['sources']))}</td>"
                    f"<td>{e['independent_sources']}</td></tr>")
    rows.append("</table>")
    return "".join(rows)


def _md(s: object) -> str:
    return str("" if s is None else s).replace("|", "\\|").replace("\n", " ")


def render_markdown(data: dict, chart_files: dict[str, str]) -> str:
    from kansoku.corpus.compare import category_label

    lab = _labels(data["lang"])
    ov = data["overview"]
    o = [f"# {data['title']}", "", f"## {lab['overview']}", "",
         f"- {lab['articles']}: {ov['articles']}",
         f"- {lab['outlets']}: " + ", ".join(f"{k} ({v})" for k, v in ov["outlets"].items()),
         f"- {lab['period']}: {ov['first'] or lab['undated']} – {ov['last'] or lab['undated']}"]
    for s in ov["stories"]:
        o.append(f"- {lab['story']}: **{s['label']}** (`{s['id']}`, {len(s['doc_ids'])})")
    o += ["", f"## {lab['key_points']}", ""]
    for i, k in enumerate(data["key_points"], 1):
        extra = f"; {lab['support']}: {k['support']}" if k["support"] > 1 else ""
        o.append(f"{i}. {k['text']} — *{k['outlet']}*{extra}")
    o += _speakers_md(data, lab)
    o += ["", f"## {lab['conflicts']}", ""]
    if data["conflicts"]:
        o += [f"| {lab['story']} | {lab['subject']} | A | {lab['source']} A | B | {lab['source']} B |",
              "|---|---|---|---|---|---|"]
        for c in data["conflicts"]:
            o.append(f"| {_md(c['story'])} | {_md(c['subject'])} | {_md(c['a']['text'])} ({_md(c['a']['outlet'])}) | "
                     f"{_md(c['a']['source'] or lab['no_source'])} | {_md(c['b']['text'])} ({_md(c['b']['outlet'])}) | "
                     f"{_md(c['b']['source'] or lab['no_source'])} |")
    else:
        o.append(lab["no_conflicts"])
    o += ["", f"## {lab['figures']}", "", f"| {lab['subject']} | {lab['figure']} | {lab['source']} | {lab['outlet']} |",
          "|---|---|---|---|"]
    for f in data["figures"][:40]:
        o.append(f"| {_md(category_label(f['category'], data['lang']))} | {_md(f['text'])} | "
                 f"{_md(f['source'] or lab['no_source'])} | {_md(f['outlet'])} |")
    if data["blind_spots"]:
        o += ["", f"## {lab['blind']}", ""]
        for b in data["blind_spots"]:
            fr = ", ".join(x["label"] for x in b["frames"]) or lab["none"]
            en = ", ".join(x["name"] for x in b["entities"]) or lab["none"]
            o.append(f"- **{b['outlet']}** ({b['story']}): {lab['blind_frames']}: {fr}; {lab['blind_entities']}: {en}")
    for key in ("frames", "stance", "network", "timeline"):
        if key in chart_files:
            o += ["", f"## {lab[key]}", "", f"![{lab[key]}]({chart_files[key]})"]
    o += ["", f"### {lab['timeline']}", "", f"| {lab['date']} | {lab['event']} | {lab['outlets']} | {lab['support']} |",
          "|---|---|---|---|"]
    for e in data["timeline"][:40]:
        o.append(f"| {e['date']} | {_md(e['text'])} | {_md(', '.join(e['sources']))} | {e['independent_sources']} |")
    o += ["", f"## {lab['glossary']}", "", f"| {lab['term']} | {lab['variants']} | {lab['definition']} |", "|---|---|---|"]
    for g in data["glossary"]:
        var = ", ".join(f"{v['text']}×{v['count']}" for v in g["variants"][:8])
        glo = " ".join(f"({x})" for x in g["glosses"])
        dfn = " / ".join(d["definition"] for d in g["definitions"])
        o.append(f"| **{_md(g['name'])}** | {_md(var)} {_md(glo)} | {_md(dfn)} |")
    o += ["", f"## {lab['doc']}", ""]
    for d in data["docs"]:
        o.append(f"- {d['date'] or lab['undated']} · {d['outlet']} · {d['title'] or ''} (`{d['source']}`)")
    o += ["", f"*{lab['generated']}*", ""]
    return "\n".join(o)


def write_briefing(
    records: Iterable[dict], out_dir: str | Path, title: str | None = None, lang: str = "ja", strict: bool = False
) -> list[Path]:
    """Write ``briefing.html`` (self-contained: inline CSS and SVG), ``briefing.md`` with its charts under
    ``charts/``, and ``briefing.json`` (the data); returns the paths written.

    Each file is written atomically (a temporary file renamed into place); a folder or file that cannot be
    written raises :class:`kansoku.outputs.TargetError` naming ``--out``.
    """
    from kansoku.outputs import TargetError, reason_of, write_text

    out = Path(out_dir)
    data = build_briefing(records, title=title, lang=lang)
    svgs = make_charts(data, strict=strict)
    chart_dir = out / "charts"
    for folder in (out, chart_dir) if svgs else (out,):
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise TargetError("--out", folder, reason_of(exc)) from None
    paths = []
    html_path = out / "briefing.html"
    write_text(html_path, render_html(data, svgs))
    paths.append(html_path)
    files: dict[str, str] = {}
    for k, svg in svgs.items():
        f = chart_dir / f"{k}.svg"
        write_text(f, '<?xml version="1.0" encoding="utf-8"?>\n' + svg)
        files[k] = f"charts/{k}.svg"
    md_path = out / "briefing.md"
    write_text(md_path, render_markdown(data, files))
    paths.append(md_path)
    json_path = out / "briefing.json"
    write_text(json_path, json.dumps(data, ensure_ascii=False, indent=1, default=_default))
    paths.append(json_path)
    paths += [out / v for v in files.values()]
    return paths


def _default(o: object) -> object:
    if isinstance(o, set):
        return sorted(o)
    raise TypeError(type(o).__name__)
