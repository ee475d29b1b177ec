"""Claims by speaker across a corpus: who said what, where, with the evidence span — and who contradicts whom.

Pure functions over output records (docs/output.md); the CLI (``kansoku claims``), the briefings and the
web workspace render their results.

- :func:`claims_by_speaker` groups every claim under its speaker: the resolved entity when there is one
  (``speaker_entity_id``, so 同大統領 and プーチン大統領 are one speaker), else the speaker's words (関係筋,
  ネット掲示板), else "(unattributed)". ``speaker`` and ``about`` filter (by name, spelling or entity id).
- :func:`contradictions` pairs claims of different speakers about the same subject (an entity both
  contents mention, and at least three shared content bigrams besides its name: the same proposition) where
  one affirms and the other denies or refutes it: a denial cue (否定した, 反論した, 一蹴した …) or a refuting
  content (事実ではない, 根拠がない, 捏造 …) on one side only.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

__all__ = ["UNATTRIBUTED", "claims_by_speaker", "contradictions", "mentions_in"]

#: the group of claims nobody is named for (bare hearsay, assertions of an unnamed author)
UNATTRIBUTED = "(unattributed)"

_DENIAL_CUE = re.compile(r"否定|反論|一蹴|否認|反駁|打ち消|退け")
_DENIAL_TEXT = re.compile(
    r"事実(?:では|で)?な[いく]|事実無根|根拠(?:が|の)?ない|根拠を欠|誤りだ|誤っている|虚偽|でっち上げ|捏造|フェイク|偽情報|"
    r"ありえない|あり得ない|関与していない|関与しておらず|行っていない|していない(?:と|。|$)"
)
_CONTENT = re.compile(r"[\u4E00-\u9FFF々\u30A0-\u30FFA-Za-z0-9]+")


def _terms(text: str, drop: set[str]) -> set[str]:
    """Character bigrams of the content words of a claim (kanji, katakana, Latin), the subject's names out."""
    out: set[str] = set()
    for run in _CONTENT.findall(text):
        if run in drop:
            continue
        out.update(run[i : i + 2] for i in range(len(run) - 1))
    return out


def _key(s: str) -> str:
    return re.sub(r"[\s・･=＝]", "", unicodedata.normalize("NFKC", s or "")).lower()


def mentions_in(rec: dict, start: int, end: int) -> dict[str, str]:
    """Entity id → name of the entities mentioned in ``rec["text"][start:end]``."""
    out: dict[str, str] = {}
    for e in rec.get("entities") or []:
        if any(start <= m["start"] and m["end"] <= end for m in e.get("mentions") or []):
            out[e["id"]] = e.get("name") or e["id"]
    return out


def _entity_names(rec: dict, eid: str | None) -> set[str]:
    if not eid:
        return set()
    for e in rec.get("entities") or []:
        if e["id"] == eid:
            return {_key(e.get("name") or ""), _key(e.get("name_en") or ""), _key(eid),
                    *(_key(m["text"]) for m in e.get("mentions") or [])} - {""}
    return {_key(eid)}


def _matches(query: str | None, names: set[str], eid: str | None) -> bool:
    if not query:
        return True
    q = _key(query)
    return bool(q) and (q == _key(eid or "") or any(q == n or (len(q) >= 2 and q in n) for n in names))


def _row(rec: dict, c: dict) -> dict[str, Any]:
    text = rec.get("text") or ""
    cs = c.get("content_span") or {"start": c["start"], "end": c["end"]}
    md = rec.get("metadata") or {}
    from kansoku.corpus import outlet_of

    return {
        "doc_id": rec["id"], "source": rec.get("source"), "title": rec.get("title"), "outlet": outlet_of(rec),
        "published": md.get("published"), "claim_id": c.get("id"), "kind": c.get("kind"), "voice": c.get("voice"),
        "cue": c.get("cue"), "speaker": c.get("speaker"), "speaker_entity_id": c.get("speaker_entity_id"),
        "speaker_resolution": c.get("speaker_resolution"),
        "content": text[cs["start"] : cs["end"]], "content_span": {"start": cs["start"], "end": cs["end"]},
        "sentence": c["text"], "start": c["start"], "end": c["end"],
        "about": mentions_in(rec, cs["start"], cs["end"]),
    }


def claims_by_speaker(records: Iterable[dict], speaker: str | None = None, about: str | None = None,
                      kinds: Iterable[str] | None = None, limit: int = 0) -> dict[str, Any]:
    """``{"total", "speakers": [{"key", "name", "entity_id", "type", "count", "docs", "outlets", "kinds",
    "claims": [row …]}]}``, speakers with most claims first, claims in document order (``limit`` claims per
    speaker when > 0)."""
    wanted_kinds = set(kinds) if kinds else None
    groups: dict[str, dict[str, Any]] = {}
    total = 0
    for rec in records:
        types = {e["id"]: e.get("type") for e in rec.get("entities") or []}
        names_by_id = {e["id"]: e.get("name") for e in rec.get("entities") or []}
        for c in rec.get("claims") or []:
            if wanted_kinds and c.get("kind") not in wanted_kinds:
                continue
            eid = c.get("speaker_entity_id")
            spk = c.get("speaker")
            names = _entity_names(rec, eid) | ({_key(spk)} if spk else set())
            if not _matches(speaker, names, eid):
                continue
            row = _row(rec, c)
            if about and not any(_matches(about, _entity_names(rec, i) | {_key(n)}, i) for i, n in row["about"].items()):
                continue
            key = eid or (f"speaker:{_key(spk)}" if spk else UNATTRIBUTED)
            g = groups.setdefault(key, {"key": key, "name": (names_by_id.get(eid) if eid else None) or spk or UNATTRIBUTED,
                                        "entity_id": eid, "type": types.get(eid) if eid else None, "count": 0,
                                        "docs": set(), "outlets": set(), "kinds": defaultdict(int), "claims": []})
            g["count"] += 1
            g["docs"].add(rec["id"])
            g["outlets"].add(row["outlet"])
            g["kinds"][c.get("kind")] += 1
            g["claims"].append(row)
            total += 1
    speakers = sorted(groups.values(), key=lambda g: (g["key"] == UNATTRIBUTED, -g["count"], g["name"]))
    for g in speakers:
        g["docs"] = len(g["docs"])
        g["outlets"] = sorted(g["outlets"])
        g["kinds"] = dict(g["kinds"])
        g["claims"].sort(key=lambda r: (str(r["published"] or ""), r["doc_id"], r["start"]))
        if limit > 0:
            g["claims"] = g["claims"][:limit]
    return {"total": total, "speakers": speakers, "speaker": speaker, "about": about}


def _polarity(row: dict) -> int:
    """-1 a denial or a refutation, +1 an affirmation."""
    return -1 if _DENIAL_CUE.search(row.get("cue") or "") or _DENIAL_TEXT.search(row["content"]) else 1


def contradictions(records: Iterable[dict], max_pairs: int = 50) -> list[dict[str, Any]]:
    """Pairs of claims by different speakers about the same subject with opposite polarity:
    ``[{"subject": {"id", "name"}, "a": row, "b": row}]`` (a affirms, b denies)."""
    by_subject: dict[str, list[dict]] = defaultdict(list)
    names: dict[str, str] = {}
    for rec in records:
        for c in rec.get("claims") or []:
            if c.get("kind") not in ("quote", "reported") or not c.get("speaker"):
                continue
            row = _row(rec, c)
            for eid, name in row["about"].items():
                if eid == c.get("speaker_entity_id"):
                    continue
                by_subject[eid].append(row)
                names[eid] = name
    out: list[dict[str, Any]] = []
    for eid, rows in by_subject.items():
        pos = [r for r in rows if _polarity(r) > 0]
        neg = [r for r in rows if _polarity(r) < 0]
        seen: set[tuple[str, str]] = set()
        drop = {names[eid]}
        for b in neg:
            tb = _terms(b["content"], drop)
            for a in pos:
                sa, sb = a["speaker_entity_id"] or _key(a["speaker"]), b["speaker_entity_id"] or _key(b["speaker"])
                if sa == sb or (sa, sb) in seen:
                    continue
                shared = _terms(a["content"], drop) & tb
                if len(shared) < 3:
                    continue  # not the same proposition about the subject
                seen.add((sa, sb))
                out.append({"subject": {"id": eid, "name": names[eid]}, "a": a, "b": b, "shared_terms": sorted(shared)})
    out.sort(key=lambda p: (p["subject"]["name"], str(p["a"]["published"] or ""), p["a"]["doc_id"]))
    return out[:max_pairs]
