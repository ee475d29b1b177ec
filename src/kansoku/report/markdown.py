"""Render one output record as a readable briefing in Markdown (Japanese by default, English available)."""

from __future__ import annotations

LABELS = {
    "ja": {
        "source": "出典ファイル", "authors": "筆者", "outlet": "媒体", "published": "公開日", "original": "原典",
        "entities": "主な固有名詞", "variants": "表記", "quantities": "数値と出典", "no_source": "出典なし",
        "timex": "日付", "events": "時系列", "claims": "発言・主張", "speaker_unknown": "発言者不明",
        "sourcing": "情報源の評価", "named": "名前のある情報源", "anonymous": "匿名情報源", "hedges": "推測表現",
        "unattributed": "出典のない数値", "stance": "論調(対象ごとのスタンス)", "frames": "フレーム・ナラティブ",
        "genre": "ジャンル", "persuasion": "説得技法の手がかり", "none": "なし", "voice": "立場",
        "urls": "引用URL", "mentions": "回",
    },
    "en": {
        "source": "Source file", "authors": "Authors", "outlet": "Outlet", "published": "Published",
        "original": "Original", "entities": "Key entities", "variants": "spellings", "quantities": "Figures and sources",
        "no_source": "no source", "timex": "Dates", "events": "Timeline", "claims": "Claims and quotes",
        "speaker_unknown": "unknown speaker", "sourcing": "Sourcing", "named": "Named sources",
        "anonymous": "Anonymous sources", "hedges": "Hedges", "unattributed": "Figures without a source",
        "stance": "Stance by target", "frames": "Frames and narratives", "genre": "Genre",
        "persuasion": "Persuasion cues", "none": "none", "voice": "voice", "urls": "Cited URLs", "mentions": "x",
    },
}
VOICE_JA = {"author": "筆者の主張", "attributed": "他者の主張として紹介", "discussed": "分析・言及"}


def _cut(s: str, n: int = 120) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"


def render_markdown(rec: dict, lang: str = "ja", max_items: int = 15) -> str:
    L = LABELS.get(lang, LABELS["ja"])
    md = rec.get("metadata") or {}
    out = [f"# {rec.get('title') or rec.get('source')}", ""]
    authors = ", ".join(
        a["name"] + (f" ({a['affiliation']})" if a.get("affiliation") else "") for a in md.get("authors") or []
    )
    out.append(f"- {L['source']}: `{rec.get('source')}`")
    out.append(f"- {L['authors']}: {authors or L['none']}")
    out.append(f"- {L['outlet']}: {md.get('outlet') or L['none']}")
    out.append(f"- {L['published']}: {md.get('published') or L['none']}")
    orig = md.get("original") or {}
    if any(orig.values()):
        bits = [str(v) for v in (orig.get("outlet"), orig.get("title"), orig.get("author"), orig.get("published")) if v]
        out.append(f"- {L['original']}: {' / '.join(bits)}")
    genre = rec.get("genre") or {}
    if genre.get("label"):
        out.append(f"- {L['genre']}: {genre['label']}")
    out.append("")

    ents = sorted(rec.get("entities") or [], key=lambda e: -len(e["mentions"]))[:max_items]
    out += [f"## {L['entities']}", ""]
    for e in ents:
        variants = sorted({m["text"] for m in e["mentions"]})
        en = f" ({e['name_en']})" if e.get("name_en") else ""
        out.append(f"- **{e['name']}**{en} [{e['type']}] {len(e['mentions'])}{L['mentions']} — "
                   f"{L['variants']}: {', '.join(variants[:6])}")
    out.append("")

    out += [f"## {L['quantities']}", ""]
    for q in (rec.get("quantities") or [])[:max_items]:
        src = q.get("source") or f"*{L['no_source']}*"
        subj = f" {q['subject']}:" if q.get("subject") else ""
        out.append(f"- {subj} **{q['text']}** = {q['value']} {q['unit']}{' (≈)' if q.get('approx') else ''} — {src}")
    out.append("")

    out += [f"## {L['events']}", ""]
    for ev in sorted(rec.get("events") or [], key=lambda v: str(v.get("date")))[:max_items]:
        out.append(f"- `{ev.get('date')}` {_cut(ev['text'])}")
    out.append("")

    out += [f"## {L['claims']}", ""]
    for c in (rec.get("claims") or [])[:max_items]:
        who = c.get("speaker") or L["speaker_unknown"]
        out.append(f"- **{who}** ({c.get('kind')}, {c.get('cue') or '-'}): {_cut(c['text'])}")
    out.append("")

    s = rec.get("sourcing") or {}
    counts = s.get("counts") or {}
    out += [f"## {L['sourcing']}", ""]
    out.append(f"- {L['named']}: {', '.join(n['name'] for n in s.get('named_sources') or []) or L['none']}")
    out.append(f"- {L['anonymous']}: {', '.join(a['text'] for a in s.get('anonymous_sources') or []) or L['none']}")
    out.append(f"- {L['hedges']}: {counts.get('hedges', len(s.get('hedges') or []))}")
    out.append(f"- {L['unattributed']}: {counts.get('unattributed_figures', 0)}")
    urls = s.get("urls") or {}
    if isinstance(urls, dict) and any(urls.values()):
        out.append(f"- {L['urls']}: " + ", ".join(f"{k} {v}" for k, v in urls.items() if v))
    out.append("")

    out += [f"## {L['stance']}", ""]
    for st in rec.get("stance") or []:
        bar = "+" * round(max(st["score"], 0) * 5) + "-" * round(max(-st["score"], 0) * 5)
        ev = st.get("evidence") or []
        quote = f" — 「{_cut(ev[0]['text'], 60)}」" if ev and ev[0].get("text") else ""
        out.append(f"- {st.get('target_name') or st['target']}: {st['score']:+.2f} {bar}{quote}")
    out.append("")

    out += [f"## {L['frames']}", ""]
    for f in rec.get("frames") or []:
        voice = VOICE_JA.get(f.get("voice", ""), f.get("voice", "")) if lang == "ja" else f.get("voice", "")
        ev = f.get("evidence") or []
        quote = f" — 「{_cut(ev[0]['text'], 80)}」" if ev else ""
        out.append(f"- **{f.get('label') or f['id']}** (`{f['id']}`, {f.get('score', 0):.2f}, {voice}){quote}")
    out.append("")

    pers = rec.get("persuasion") or []
    if pers:
        out += [f"## {L['persuasion']}", ""]
        for p in pers[:max_items]:
            out.append(f"- {p['kind']}: 「{p['text']}」")
        out.append("")
    return "\n".join(out).rstrip() + "\n"
