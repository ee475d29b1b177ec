"""Per-document data derived from a record once, when it is stored, and reused by every corpus command.

:func:`doc_features` reads a record (docs/output.md) and returns what stories, timeline and entity pages
need, so that no command re-tokenises or re-reads whole records:

* one Sudachi pass over the text (split mode C) gives both the ``fts_tok`` column of the store (surfaces,
  mode-A parts of compounds, normalised forms; see docs/store.md) and the content nouns used for story
  similarity (lead nouns counted ``LEAD_BOOST`` times);
* the nouns of the headline (tokenised on its own, as before);
* the MinHash signature of the text's 5-shingles (:mod:`kansoku.store.minhash`);
* entity salience (headline/lead mentions twice, one-letter abbreviations half, times the kind weight),
  the main place, the article date (:func:`kansoku.corpus.doc_date`) and outlet label
  (:func:`kansoku.corpus.outlet_of`), and the sentence index of every mention and figure.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field

from kansoku.records import doc_date, entity_weight, is_byline_entity, is_specific_place, outlet_of

LEAD_BOOST = 3

STOP_NOUNS = {
    "こと", "もの", "ため", "よう", "ところ", "とき", "これ", "それ", "あれ", "方", "中", "日", "年", "月", "人",
    "時", "間", "後", "前", "氏", "同日", "今月", "今年", "昨年", "先月", "以上", "以下", "程度", "側", "等",
}  # fmt: skip
_KANJI = re.compile(r"[\u4e00-\u9fff]")
_NUMERIC = re.compile(r"[\d０-９.,%％:：/\-]+")
_STEP = 4000  # characters per Sudachi call (it refuses inputs above ~49 KB); cut at a line or sentence end


def content_noun(surface: str, pos: tuple[str, ...], normalized: str) -> str | None:
    """The term a token contributes to story similarity (its normalised form), or None: common and proper
    nouns only, no numerals, counters of one character, function nouns or one-character kana."""
    if pos[0] != "名詞" or pos[1] in ("数詞", "助動詞語幹") or pos[2] == "助数詞可能" and len(surface) == 1:
        return None
    w = normalized or surface
    if w in STOP_NOUNS or len(w) == 1 and not _KANJI.match(w):
        return None
    if _NUMERIC.fullmatch(w):
        return None
    return w


def _chunks(text: str) -> list[str]:
    out = []
    pos = 0
    while pos < len(text):
        end = min(len(text), pos + _STEP)
        if end < len(text):
            cut = max(text.rfind("\n", pos, end), text.rfind("。", pos, end))
            if cut > pos:
                end = cut + 1
        out.append(text[pos:end])
        pos = end
    return out


def sudachi_pass(text: str, cut: int | None = None) -> tuple[str, list[str], list[str]]:
    """One tokenisation of ``text`` (two when ``cut`` splits off the lead): the ``fts_tok`` string and the
    content nouns before and after ``cut``."""
    from sudachipy import SplitMode

    from kansoku.nlp.tokens import _tokenizer

    tok, _ = _tokenizer()
    mode_a = SplitMode.A
    surfaces: list[str] = []
    extra: list[str] = []
    parts_nouns: list[list[str]] = []
    segments = [text] if cut is None else [text[:cut], text[cut:]]
    pos_cache: dict[int, tuple[str, ...]] = {}
    for segment in segments:
        nouns: list[str] = []
        for chunk in _chunks(segment):
            for m in tok.tokenize(chunk):
                s = m.surface()
                if not s.strip():
                    continue
                surfaces.append(s)
                if len(s) > 1:  # one character never splits
                    parts = m.split(mode_a)
                    if len(parts) > 1:
                        extra.extend(p.surface() for p in parts)
                nf = m.normalized_form()
                if nf != s:
                    extra.append(nf)
                pid = m.part_of_speech_id()
                pos = pos_cache.get(pid)
                if pos is None:
                    pos = pos_cache[pid] = tuple(m.part_of_speech())
                if pos[0] == "名詞" and (w := content_noun(s, pos, nf)):
                    nouns.append(w)
        parts_nouns.append(nouns)
    tok_string = " ".join(surfaces) + ("\n" + " ".join(extra) if extra else "")
    if cut is None:
        return tok_string, parts_nouns[0], []
    return tok_string, parts_nouns[0], parts_nouns[1]


def noun_terms(text: str) -> list[str]:
    """Content nouns (Sudachi normalised forms) of ``text``."""
    return sudachi_pass(text)[1]


def token_string(text: str) -> str:
    """What the store's ``fts_tok`` column holds for ``text`` (see docs/store.md)."""
    return sudachi_pass(text)[0]


def lead_end(rec: dict) -> int:
    """End of the lead: the third sentence, else the first 200 characters."""
    sents = rec.get("sentences") or []
    if len(sents) >= 3:
        return sents[2][1]
    return min(len(rec.get("text") or ""), 200)


def headline(rec: dict) -> str:
    """The headline: ``title`` when it opens the text, else the first sentence."""
    text = rec.get("text") or ""
    title = rec.get("title") or ""
    if title and len(title) >= 12 and title in text[: len(title) + 200]:
        return title
    sents = rec.get("sentences") or []
    return text[sents[0][0] : sents[0][1]] if sents else text[:80]


def entity_salience(rec: dict) -> dict[str, float]:
    """Entity id → salience: mention count (headline/lead mentions twice, one-letter abbreviations such as
    露 or 日 half) times :func:`~kansoku.corpus.entity_weight` (events and cities up, countries down)."""
    lead = lead_end(rec)
    out: dict[str, float] = {}
    for e in rec.get("entities") or []:
        if is_byline_entity(rec, e):
            continue  # 東亜 of 【キーウ東亜=…】, the outlet's own name
        s = 0.0
        for m in e.get("mentions") or []:
            w = 2.0 if m["start"] < lead else 1.0
            s += w * (0.5 if len(m["text"]) == 1 else 1.0)
        s *= entity_weight(e)
        if s:
            out[e["id"]] = out.get(e["id"], 0.0) + s
    return out


def main_place(rec: dict, sal: dict[str, float]) -> str | None:
    """The most salient place below country level mentioned at least twice (where the event happens)."""
    best, score = None, 0.0
    for e in rec.get("entities") or []:
        if is_specific_place(e) and len(e.get("mentions") or []) >= 2 and sal.get(e["id"], 0.0) > score:
            best, score = e["id"], sal[e["id"]]
    return best


class SentenceIndex:
    """Index of the sentence containing a character offset (-1 outside every sentence)."""

    def __init__(self, sentences: list) -> None:
        self.starts = [s for s, _ in sentences]
        self.ends = [e for _, e in sentences]

    def __call__(self, pos: int | None) -> int:
        if pos is None:
            return -1
        i = bisect_right(self.starts, pos) - 1
        return i if i >= 0 and pos < self.ends[i] else -1


@dataclass(slots=True)
class DocFeatures:
    tok: str  # the fts_tok column
    terms: Counter[str]  # content nouns, lead nouns counted LEAD_BOOST times
    heads: Counter[str]  # content nouns of the headline
    signature: object  # numpy uint32[128] or None
    date: str | None
    outlet: str
    place: str | None
    # entity id → (name, type, salience, mentions, in_record); ids named only by events have in_record 0
    entities: dict[str, tuple[str | None, str | None, float, int, int]] = field(default_factory=dict)


@dataclass(slots=True)
class TextFeatures:
    """The part of :class:`DocFeatures` that depends on the text, sentences and title alone (not on the
    entities, which storing may still re-link): the costly part, one Sudachi pass and the MinHash.  Ingest
    computes it in the analysis workers (:func:`text_features` as ``pipeline.run``'s ``derive``)."""

    tok: str
    terms: Counter[str]
    heads: Counter[str]
    signature: object


def text_features(rec: dict) -> TextFeatures:
    from kansoku.store.minhash import signature

    text = rec.get("text") or ""
    tok, lead_nouns, rest_nouns = sudachi_pass(text, lead_end(rec))
    return TextFeatures(
        tok=tok,
        terms=Counter(lead_nouns * LEAD_BOOST + rest_nouns),
        heads=Counter(noun_terms(headline(rec))),
        signature=signature(text) if text else None,
    )


def doc_features(rec: dict, text: TextFeatures | None = None) -> DocFeatures:
    """Everything the corpus commands need from one record, computed once (``text``: its text features
    when already computed)."""
    tf = text if text is not None else text_features(rec)
    sal = entity_salience(rec)
    ents: dict[str, tuple[str | None, str | None, float, int, int]] = {}
    for e in rec.get("entities") or []:
        n = len(e.get("mentions") or [])
        if e["id"] in ents:
            name, typ, s, m, _ = ents[e["id"]]
            ents[e["id"]] = (name, typ, s, m + n, 1)
        else:
            ents[e["id"]] = (e.get("name"), e.get("type"), sal.get(e["id"], 0.0), n, 1)
    for ev in rec.get("events") or []:
        for eid in ev.get("entities") or []:
            if isinstance(eid, str) and eid not in ents:
                ents[eid] = (None, None, 0.0, 0, 0)
    return DocFeatures(
        tok=tf.tok,
        terms=tf.terms,
        heads=tf.heads,
        signature=tf.signature,
        date=doc_date(rec),
        outlet=outlet_of(rec),
        place=main_place(rec, sal),
        entities=ents,
    )
