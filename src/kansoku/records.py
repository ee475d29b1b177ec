"""Facts read out of output records (docs/output.md): the article date, the outlet label, the origin of a
wire story, sentence positions, place kinds and entity weights.

Every stage after analysis reads records (store, corpus, report, web); these helpers sit beside the
contract (``model.py``, ``schema.py``) so that any of them can use them without importing a later stage.
"""


from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from pathlib import Path

#: label prefix of an article whose outlet is unknown (followed by its id)
UNKNOWN_OUTLET = "不明"

__all__ = [
    "UNKNOWN_OUTLET",
    "as_list",
    "dice",
    "doc_date",
    "entity_weight",
    "is_byline_entity",
    "is_specific_place",
    "load_records_from_jsonl",
    "origin_of",
    "outlet_of",
    "place_kind",
    "raw_from_record",
    "sentence_at",
    "sentence_index",
    "to_date",
]

# 【キーウ東亜=2025年8月16日】, 【ブリュッセル=ユーラシア・ウォッチ】
_DATELINE = re.compile(r"【([^=＝】]{1,30})[=＝]([^】]{0,40})】")
_JDATE = re.compile(r"(\d{4})年\s*(\d{1,2})月\s*(\d{1,2})日")
# trailing credit: (東亜通信) / (東亜通信配信) / （極東通信）
_CREDIT = re.compile(r"[(（]([^()（）\n、。,・をがはにでと]{2,20}?)(配信|提供)?[)）]\s*$")
_AGENCY = re.compile(r"(通信|時事|新聞|ニュース|タイムズ|ポスト|報道|放送|社)$")
_DATE_LABEL = re.compile(r"^(?:公開日|投稿日|配信日|掲載日)\s*[:：]?\s*(\d{4})年\s*(\d{1,2})月\s*(\d{1,2})日", re.M)


def as_list(records: dict | Iterable[dict]) -> list[dict]:
    """One record or many → a list of records."""
    if isinstance(records, dict):
        return [records]
    return list(records)


def load_records_from_jsonl(paths: Iterable[str | Path]) -> list[dict]:
    """Records from JSONL files written by ``kansoku analyze`` (blank lines skipped)."""
    out: list[dict] = []
    for p in paths:
        with open(p, encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                line = line.strip()
                if not line:
                    continue
                try:
                    out.append(json.loads(line))
                except ValueError as exc:
                    raise ValueError(f"{p}:{n}: not JSON ({exc})") from exc
    return out


def _iso(y: str, m: str, d: str) -> str | None:
    try:
        return date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return None


def doc_date(rec: dict) -> str | None:
    """ISO date of a record: metadata.published, else the dateline or a 公開日: line in the text."""
    pub = (rec.get("metadata") or {}).get("published")
    if pub and re.match(r"\d{4}-\d{2}-\d{2}", str(pub)):
        return str(pub)[:10]
    head = (rec.get("text") or "")[:600]
    m = _DATELINE.search(head)
    if m:
        d = _JDATE.search(m.group(2))
        if d and (iso := _iso(*d.groups())):
            return iso
    m2 = _DATE_LABEL.search(head)
    if m2 and (iso := _iso(*m2.groups())):
        return iso
    return None


def to_date(value: str | None) -> date | None:
    if not value or not re.match(r"\d{4}-\d{2}-\d{2}", value):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _dateline_agency(rec: dict) -> str | None:
    text = rec.get("text") or ""
    m = _DATELINE.search(text[:600])
    if not m:
        return None
    head = m.group(1).strip()
    right = m.group(2).strip()
    if right and not _JDATE.search(right) and not re.search(r"\d", right):
        return right  # 【ブリュッセル=ユーラシア・ウォッチ】
    # 【キーウ東亜=…】: strip the place mention at the start, keep the agency abbreviation
    start = m.start(1)
    best = 0
    for e in rec.get("entities") or []:
        for mm in e.get("mentions") or []:
            if mm["start"] == start and e.get("type") in ("GPE", "LOC", "FAC"):
                best = max(best, mm["end"] - start)
    abbrev = head[best:].strip()
    if not abbrev or abbrev == head and best == 0 and len(head) > 8:
        return None
    # expand 東亜 → 東亜通信 when the text names the agency in full
    for e in rec.get("entities") or []:
        if e.get("type") == "ORG":
            for mm in e.get("mentions") or []:
                t = mm["text"]
                if t.startswith(abbrev) and len(t) > len(abbrev) and t.endswith(("通信", "時事", "新聞", "社")):
                    return t
    full = re.search(re.escape(abbrev) + r"(通信|新聞|時事)", text)
    return full.group(0) if full else abbrev


def origin_of(rec: dict) -> str | None:
    """Who produced the reporting: the wire credited at the end ((東亜通信配信)) or in the dateline."""
    text = (rec.get("text") or "").rstrip()
    m = _CREDIT.search(text[-40:])
    if m:
        name = m.group(1).strip()
        known = any(
            mm["text"] == name for e in rec.get("entities") or [] if e.get("type") == "ORG" for mm in e["mentions"]
        )
        if m.group(2) or known or _AGENCY.search(name):
            return name
    return _dateline_agency(rec)


def outlet_of(rec: dict) -> str:
    """Outlet label for grouping and display: ``metadata.outlet``, else the credited source of the story
    (``original.outlet``: a wire agency, a provider), else ``不明:<id>`` — unique per document, so that
    articles of unknown outlets are never counted as one source, and never an author or a file name."""
    md = rec.get("metadata") or {}
    if md.get("outlet"):
        return str(md["outlet"])
    original = (md.get("original") or {}).get("outlet")
    if original:
        return str(original)
    o = origin_of(rec)  # records written before contract 1.2 carry the credit only in the text
    if o:
        return o
    return f"{UNKNOWN_OUTLET}:{str(rec.get('id') or '?')[:6]}"


def is_byline_entity(rec: dict, entity: dict) -> bool:
    """True when every mention of ``entity`` is part of the dateline or of the outlet's own name
    (東亜 in 【キーウ東亜=…】, 東亜通信 credited by 東亜通信): production noise, not story content."""
    text = rec.get("text") or ""
    names = {n for n in (outlet_of(rec), origin_of(rec)) if n and len(n) >= 2}
    spans = [(m.start(), m.end()) for m in _DATELINE.finditer(text[:600])]
    for n in names:
        spans += [(m.start(), m.end()) for m in re.finditer(re.escape(n), text)]
    mentions = entity.get("mentions") or []
    if not mentions or not spans:
        return False
    return all(any(s <= m["start"] and m["end"] <= e for s, e in spans) for m in mentions)


def sentence_at(rec: dict, pos: int) -> tuple[int, int]:
    """(start, end) of the sentence containing character ``pos`` (the whole text when unknown)."""
    for s, e in rec.get("sentences") or []:
        if s <= pos < e:
            return s, e
    return 0, len(rec.get("text") or "")


def sentence_index(rec: dict, pos: int) -> int:
    for i, (s, e) in enumerate(rec.get("sentences") or []):
        if s <= pos < e:
            return i
    return -1


_SPECIFIC_KINDS = {
    "city", "capital", "oblast", "territory", "state", "prefecture", "province", "republic",
    "island", "military_base", "port", "facility", "power_plant", "district", "town", "village",
}


@lru_cache(maxsize=4096)
def place_kind(entity_id: str) -> str:
    """Gazetteer kind of an entity id ('' when unknown or not in the gazetteer)."""
    try:
        from kansoku.nlp.gazetteer import default

        g = default().get(entity_id)
    except Exception:  # noqa: BLE001 - gazetteer optional for pure functions
        return ""
    return g.kind if g else ""


def is_specific_place(entity: dict) -> bool:
    """A place below country level (city, oblast, facility…), used to tell two events apart."""
    if entity.get("type") not in ("GPE", "LOC", "FAC"):
        return False
    if entity.get("type") == "FAC":
        return True
    kind = place_kind(entity["id"])
    if kind:
        return kind in _SPECIFIC_KINDS
    return entity["id"].startswith("x:")


_GENERIC_KINDS = {"country", "region", "bloc", "continent", "sea", "ocean", "nationality", "term", "alliance",
                  "currency", "ethnic_group", "historical_state"}


def entity_weight(entity: dict) -> float:
    """How much an entity says about *which event* a text covers: events and cities high, countries low."""
    if entity.get("type") == "EVENT":
        return 2.0
    kind = place_kind(entity["id"]) if not entity["id"].startswith("x:") else ""
    if kind in _GENERIC_KINDS:
        return 0.4
    if kind in ("city", "oblast", "territory", "province", "facility", "power_plant", "port"):
        return 1.5
    if entity.get("type") == "FAC":
        return 1.5
    return 1.0


def dice(a: str, b: str, n: int = 2) -> float:
    """Dice coefficient of character n-gram sets (a cheap similarity for short Japanese texts)."""
    ga = {a[i : i + n] for i in range(max(1, len(a) - n + 1))}
    gb = {b[i : i + n] for i in range(max(1, len(b) - n + 1))}
    if not ga or not gb:
        return 0.0
    return 2 * len(ga & gb) / (len(ga) + len(gb))


#: origins a candidate may carry (model.Candidate)
_CONTAINERS = {"jsonld", "meta", "header", "feed", "record", "docx", "pdf", "html"}


def raw_from_record(rec: dict):  # type: ignore[no-untyped-def]
    """The raw document to analyse a stored record again (``kansoku reanalyze`` of an input whose bytes were not
    kept): its text, and every provenance value the record holds as a ``record`` candidate — all authors with
    their kind, outlet, dates, canonical URL, original source — so that nothing decided before is lost."""
    from kansoku.model import Candidate, RawDoc

    meta = rec.get("metadata") or {}
    text = rec.get("text") or ""
    title = rec.get("title")
    came_from = meta.get("field_sources") or {}
    cands: list[Candidate] = []

    def add(field: str, value: object, kind: str | None = None, origin: str | None = None) -> None:
        # what the text itself states (a byline, a dateline) is found there again, with its offsets
        origin = origin or came_from.get(field)
        if isinstance(value, str) and value.strip():
            # the origin it had, so that the same order of trust decides again; "record" when unknown
            cands.append(Candidate(field, value, origin if origin in _CONTAINERS else "record", kind))

    add("title", title)
    # an author found in the text has offsets there; one without came from around it (a page's byline box)
    outside = [a for a in meta.get("authors") or [] if a.get("start") is None]
    for a in outside:
        if a.get("name"):
            cands.append(Candidate("author", a["name"], a.get("origin") or "record", a.get("kind"),
                                   role=a.get("role"), affiliation=a.get("affiliation")))
    # a page's outlet was its og:site_name (meta) or JSON-LD publisher: give it back under that name
    outlet_field = {"meta": "site_name", "jsonld": "publisher"}.get(came_from.get("outlet") or "", "outlet")
    if outlet_field != "outlet":
        cands.append(Candidate(outlet_field, meta.get("outlet") or "", came_from["outlet"]))
    else:
        add("outlet", meta.get("outlet"))
    for key in ("published", "updated", "url"):
        add(key, meta.get(key))
    for key, value in (meta.get("original") or {}).items():
        add(f"original_{key}", value, origin=came_from.get(f"original_{key}") or came_from.get("original"))
    # the values travel as candidates only (the container fields of RawDoc would come back as "record")
    return RawDoc(
        source=rec.get("source") or rec.get("id") or "",
        text=text,
        title=title if title and text.startswith(title) else None,
        candidates=cands,
        fetch=meta.get("fetch"),
    )
