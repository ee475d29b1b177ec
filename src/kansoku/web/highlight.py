"""Article text with its evidence highlighted, built from the record's character offsets.

The text is cut at every evidence boundary into segments; each segment is escaped on its own
(:func:`markupsafe.escape`) and wrapped in a ``<span>`` (or, inside an entity mention, an ``<a>`` to the
entity page) whose classes name the kinds of evidence covering it.  Markup is only ever made here, from
escaped pieces and attribute values: nothing of the article reaches the page unescaped.

Every evidence item has a key (``e3-1``: entity 3, mention 1; ``c2``: claim 2; ``q0s``: the source of
figure 0 …); an empty ``<span id="ev-KEY">`` marks where it starts, so the side panel links to
``#ev-KEY`` and the browser scrolls there (with or without JavaScript).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from markupsafe import Markup, escape

#: CSS class of each evidence kind (static/style.css colours them).
KINDS = ("ent", "quote", "spk", "fig", "figsrc", "date", "frame", "hedge", "anon", "pers")


@dataclass(slots=True)
class Span:
    key: str
    kind: str
    start: int
    end: int
    entity: str | None = None  # entity id (kind ent): the segment links to its page
    etype: str | None = None


def entity_url(eid: str) -> str:
    return "/entities/" + quote(eid, safe="")


def _ok(x: object) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def spans_of(rec: dict) -> list[Span]:
    """Every evidence span of a record with a key, in no particular order (bad offsets are skipped)."""
    n = len(rec.get("text") or "")
    out: list[Span] = []

    def add(key: str, kind: str, d: dict | None, **kw: str | None) -> None:
        if not isinstance(d, dict):
            return
        s, e = d.get("start"), d.get("end")
        if _ok(s) and _ok(e) and 0 <= s < e <= n:  # type: ignore[operator]
            out.append(Span(key, kind, s, e, **kw))  # type: ignore[arg-type]

    for i, ent in enumerate(rec.get("entities") or []):
        for j, m in enumerate(ent.get("mentions") or []):
            add(f"e{i}-{j}", "ent", m, entity=ent.get("id"), etype=ent.get("type"))
    for k, c in enumerate(rec.get("claims") or []):
        add(f"c{k}", "quote", c.get("content_span") or c)
        add(f"c{k}s", "spk", c.get("speaker_span"))
    for k, q in enumerate(rec.get("quantities") or []):
        add(f"q{k}", "fig", q)
        add(f"q{k}s", "figsrc", q.get("source_span"))
    for k, t in enumerate(rec.get("timex") or []):
        add(f"t{k}", "date", t)
    for k, f in enumerate(rec.get("frames") or []):
        for j, ev in enumerate(f.get("evidence") or []):
            add(f"f{k}-{j}", "frame", ev)
    src = rec.get("sourcing") or {}
    for k, h in enumerate(src.get("hedges") or []):
        add(f"h{k}", "hedge", h)
    for k, a in enumerate(src.get("anonymous_sources") or []):
        add(f"a{k}", "anon", a)
    for k, p in enumerate(rec.get("persuasion") or []):
        add(f"p{k}", "pers", p)
    return out


def highlight(rec: dict) -> Markup:
    """The record's text as HTML with every evidence span marked (see the module docstring)."""
    text = rec.get("text") or ""
    spans = spans_of(rec)
    cuts = sorted({0, len(text), *(s.start for s in spans), *(s.end for s in spans)})
    starts: dict[int, list[Span]] = {}
    for s in spans:
        starts.setdefault(s.start, []).append(s)
    active: list[Span] = []
    parts: list[str] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        active = [s for s in active if s.end > a] + starts.get(a, [])
        for s in starts.get(a, []):
            parts.append(f'<span class="anchor" id="ev-{escape(s.key)}"></span>')
        piece = escape(text[a:b])
        if not active:
            parts.append(str(piece))
            continue
        kinds = sorted({s.kind for s in active})
        classes = ["ev", *(f"k-{k}" for k in kinds)]
        ent = next((s for s in active if s.kind == "ent" and s.entity), None)
        if ent is not None and ent.etype:
            classes.append(f"t-{ent.etype}")
        keys = " ".join(s.key for s in active)
        cls = escape(" ".join(classes))
        if ent is not None:
            parts.append(f'<a class="{cls}" data-k="{escape(keys)}" href="{escape(entity_url(ent.entity or ""))}">'
                         f"{piece}</a>")
        else:
            parts.append(f'<span class="{cls}" data-k="{escape(keys)}">{piece}</span>')
    return Markup("".join(parts))


def snippet_parts(snippet: str, open_mark: str, close_mark: str) -> list[dict]:
    """A search snippet with hit markers as segments ``[{"text", "hit"}]`` (the page marks the hits)."""
    out: list[dict] = []
    hit = False
    buf = ""
    for ch in snippet:
        if ch in (open_mark, close_mark):
            if buf:
                out.append({"text": buf, "hit": hit})
            buf = ""
            hit = ch == open_mark
        else:
            buf += ch
    if buf:
        out.append({"text": buf, "hit": hit})
    return out


def evidence_panel(rec: dict) -> dict[str, list[dict]]:
    """The side panel of an article page: each evidence item with its label, details and the key of the
    span to scroll to (None when the item has no valid span in the text)."""
    keys = {s.key for s in spans_of(rec)}

    def k(key: str) -> str | None:
        return key if key in keys else None

    text = rec.get("text") or ""
    ents = []
    for i, e in enumerate(rec.get("entities") or []):
        ms = e.get("mentions") or []
        first = next((f"e{i}-{j}" for j in range(len(ms)) if f"e{i}-{j}" in keys), None)
        ents.append({"key": first, "id": e.get("id"), "url": entity_url(e.get("id") or ""), "name": e.get("name"),
                     "name_en": e.get("name_en"), "type": e.get("type"), "count": len(ms),
                     "spellings": sorted({m.get("text") for m in ms if m.get("text")})})  # fmt: skip
    ents.sort(key=lambda x: -x["count"])
    claims = []
    for i, c in enumerate(rec.get("claims") or []):
        cs = c.get("content_span") or {"start": c.get("start"), "end": c.get("end")}
        content = text[cs["start"] : cs["end"]] if _ok(cs.get("start")) and _ok(cs.get("end")) else c.get("text")
        claims.append({"key": k(f"c{i}"), "speaker_key": k(f"c{i}s"), "speaker": c.get("speaker"),
                       "speaker_entity_id": c.get("speaker_entity_id"), "kind": c.get("kind"), "voice": c.get("voice"),
                       "cue": c.get("cue"), "content": content,
                       "resolution": (c.get("speaker_resolution") or {}).get("method")})  # fmt: skip
    figs = [{"key": k(f"q{i}"), "source_key": k(f"q{i}s"), "text": q.get("text"), "value": q.get("value"),
             "unit": q.get("unit"), "subject": q.get("subject"), "source": q.get("source"),
             "source_entity_id": q.get("source_entity_id"), "approx": q.get("approx"), "qualifier": q.get("qualifier")}
            for i, q in enumerate(rec.get("quantities") or [])]  # fmt: skip
    dates = [{"key": k(f"t{i}"), "text": t.get("text"), "value": t.get("value"), "type": t.get("type")}
             for i, t in enumerate(rec.get("timex") or [])]  # fmt: skip
    frames = [{"key": k(f"f{i}-0"), "id": f.get("id"), "label": f.get("label"), "label_en": f.get("label_en"),
               "score": f.get("score"), "voice": f.get("voice"),
               "cues": [ev.get("text") for ev in f.get("evidence") or []][:6]}
              for i, f in enumerate(rec.get("frames") or [])]  # fmt: skip
    src = rec.get("sourcing") or {}
    hedges = [{"key": k(f"h{i}"), "text": h.get("text")} for i, h in enumerate(src.get("hedges") or [])]
    anon = [{"key": k(f"a{i}"), "text": a.get("text")} for i, a in enumerate(src.get("anonymous_sources") or [])]
    pers = [{"key": k(f"p{i}"), "text": p.get("text"), "kind": p.get("kind")}
            for i, p in enumerate(rec.get("persuasion") or [])]  # fmt: skip
    stance = [{"target": s.get("target"), "target_name": s.get("target_name"), "score": s.get("score")}
              for s in rec.get("stance") or []]  # fmt: skip
    return {"entities": ents, "claims": claims, "quantities": figs, "timex": dates, "frames": frames,
            "hedges": hedges, "anonymous": anon, "persuasion": pers, "stance": stance}  # fmt: skip
