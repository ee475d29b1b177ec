"""Author stance toward actors: frames the author adopts + evaluative words near the actor's mentions.

Score per actor (only actors mentioned at least twice) in ``[-1, 1]``::

    tanh(FRAME_GAIN * sum(implies[actor] * frame.score * voice_weight) + lexical)

``voice_weight`` is 1 for frames in author voice and much less for discussed / attributed ones.
``lexical`` is the (shrunk) mean polarity of evaluative terms (``data/stance_lexicon.toml``) found in
the actor's sentences and assigned to the nearest agent-like mention of the actor; a term inside
reported speech or an attributed span counts less, a term followed by a negation (〜ではない) is skipped.
"""

from __future__ import annotations

import bisect
import math
import re
import tomllib
from functools import lru_cache
from importlib import resources
from typing import Any

from kansoku import rx
from kansoku.analyze.frames import load_catalogue, sentence_voice
from kansoku.model import Document, Span

FRAME_GAIN = 0.6
VOICE_WEIGHT = {"author": 1.0, "discussed": 0.12, "attributed": 0.08}
LEX_VOICE_WEIGHT = {"author": 1.0, "discussed": 0.4, "attributed": 0.25}
#: Shrinkage of the lexical mean: a few scattered words do not make a stance.
LEX_PRIOR = 3.0
LEX_GAIN = 1.2
MIN_MENTIONS = 2
MAX_EVIDENCE = 5

_PATIENT_AFTER = rx.compile(r"^(?:への|に対する|に対して|を|に|へ|と)")
_NEG_AFTER = rx.compile(
    r"[^。\n]{0,6}(?:では|でも|じゃ)(?:ない|なく|なかった)(?!か)|[^。\n]{0,3}(?<!過ぎ)(?<!しか)(?:ない|なく|せず)"
)


@lru_cache(maxsize=1)
def load_lexicon() -> dict[str, Any]:
    """Parse ``data/stance_lexicon.toml`` once and compile the term matcher."""
    raw = tomllib.loads(
        resources.files("kansoku.data").joinpath("stance_lexicon.toml").read_text(encoding="utf-8")
    )
    polarity: dict[str, float] = {}
    for term, w in raw.get("negative", {}).items():
        polarity[term] = -float(w)
    for term, w in raw.get("positive", {}).items():
        polarity[term] = float(w)
    terms = sorted(polarity, key=len, reverse=True)
    return {
        "polarity": polarity,
        "regex": rx.compile("|".join(re.escape(t) for t in terms)),
        "acts": set(raw.get("acts", [])),
        "names": dict(raw.get("names", {})),
        "aliases": dict(raw.get("aliases", {})),
    }


def _implied(implies: dict[str, float], key: str, aliases: dict[str, str]) -> float:
    if key in implies:
        return float(implies[key])
    alias = aliases.get(key)
    if alias is not None and alias in implies:
        return float(implies[alias])
    return 0.0


def _target(
    text: str,
    term: str,
    t_start: int,
    t_end: int,
    mentions: list[tuple[int, int, str]],
    acts: set[str],
) -> str | None:
    """The actor a term found at ``text[t_start:t_end]`` evaluates, among ``mentions`` of its sentence."""
    best: tuple[int, str] | None = None
    for _m_start, m_end, key in mentions:
        if m_end <= t_start:
            gap = t_start - m_end
            after = text[m_end : m_end + 6]
            if _PATIENT_AFTER.match(after):
                continue
            if gap == 0 and any(term.startswith(a) for a in acts):
                continue  # 「ウクライナ侵略」: the mention is the victim
            if best is None or gap < best[0]:
                best = (gap, key)
    if best is not None:
        return best[1]
    for m_start, _m_end, key in mentions:
        if m_start >= t_end:
            return key
    return None


def compute_stance(
    doc: Document,
    actors: dict[str, list[Span]],
    frames: list[dict[str, Any]],
    loaded: list[tuple[Span, float]] = (),  # type: ignore[assignment]
) -> list[dict[str, Any]]:
    """Stance of the author of ``doc`` toward each actor mentioned at least :data:`MIN_MENTIONS` times.

    ``loaded``: spans of loaded labels for an actor (キエフ政権 for Ukraine) with the attitude each implies;
    they count like lexical cues in the sentence they stand in (driver ``loaded_label``).
    """
    lex = load_lexicon()
    cat = load_catalogue()["frames"]
    text = doc.text
    sents = sorted(doc.sentences, key=lambda s: (s.start, s.end))
    starts = [s.start for s in sents]
    keep = {k: v for k, v in actors.items() if len(v) >= MIN_MENTIONS}
    if not keep or not sents:
        return []

    # mentions per sentence index
    by_sent: dict[int, list[tuple[int, int, str]]] = {}
    for key, spans in keep.items():
        for sp in spans:
            i = bisect.bisect_right(starts, sp.start) - 1
            if i >= 0 and sp.start < sents[i].end:
                by_sent.setdefault(i, []).append((sp.start, sp.end, key))

    lex_sum: dict[str, float] = {}
    lex_n: dict[str, int] = {}
    lex_ev: dict[str, list[tuple[float, int]]] = {}
    polarity = lex["polarity"]
    for i, mentions in by_sent.items():
        mentions.sort()
        sent = sents[i]
        for m in lex["regex"].finditer(text, sent.start, sent.end):
            term = m.group(0)
            if _NEG_AFTER.match(text, m.end(), sent.end):
                continue
            key = _target(text, term, m.start(), m.end(), mentions, lex["acts"])
            if key is None:
                continue
            voice = sentence_voice(text, sent, m.start(), m.end())
            w = polarity[term] * LEX_VOICE_WEIGHT[voice]
            lex_sum[key] = lex_sum.get(key, 0.0) + w
            lex_n[key] = lex_n.get(key, 0) + 1
            lex_ev.setdefault(key, []).append((abs(w), i))

    loaded_keys: set[str] = set()
    for sp, value in loaded:
        key = next((k for k, spans in keep.items() if any(x.start == sp.start and x.end == sp.end for x in spans)),
                   None)
        i = bisect.bisect_right(starts, sp.start) - 1
        if key is None or i < 0 or value == 0.0:
            continue
        voice = sentence_voice(text, sents[i], sp.start, sp.end)
        w = value * LEX_VOICE_WEIGHT[voice]
        lex_sum[key] = lex_sum.get(key, 0.0) + w
        lex_n[key] = lex_n.get(key, 0) + 1
        lex_ev.setdefault(key, []).append((abs(w), i))
        loaded_keys.add(key)

    out: list[dict[str, Any]] = []
    for key, spans in keep.items():
        frame_part = 0.0
        drivers: list[str] = []
        frame_ev: list[tuple[float, dict[str, Any]]] = []
        for f in frames:
            implies = cat.get(f["id"], {}).get("implies", {})
            v = _implied(implies, key, lex["aliases"])
            if v == 0.0:
                continue
            contrib = v * float(f.get("score", 0.0)) * VOICE_WEIGHT.get(f.get("voice", "author"), 0.0)
            if abs(contrib) < 1e-6:
                continue
            frame_part += contrib
            if abs(contrib) >= 0.02:
                drivers.append(f["id"])
                for ev in f.get("evidence", [])[:2]:
                    frame_ev.append((abs(contrib), ev))
        n = lex_n.get(key, 0)
        lexical = LEX_GAIN * lex_sum.get(key, 0.0) / (n + LEX_PRIOR) if n else 0.0
        if abs(lexical) >= 0.02:
            drivers.append("lexical")
        if key in loaded_keys:
            drivers.append("loaded_label")
        score = math.tanh(FRAME_GAIN * frame_part + lexical)
        evidence: list[dict[str, Any]] = []
        seen: set[int] = set()
        cands: list[tuple[float, int, int]] = [
            (w, sents[i].start, sents[i].end) for w, i in lex_ev.get(key, [])
        ]
        cands += [(w, int(ev["start"]), int(ev["end"])) for w, ev in frame_ev]
        for _w, s, e in sorted(cands, key=lambda c: -c[0]):
            if s in seen:
                continue
            seen.add(s)
            evidence.append({"text": text[s:e], "start": s, "end": e})
            if len(evidence) >= MAX_EVIDENCE:
                break
        evidence.sort(key=lambda ev: ev["start"])
        name = lex["names"].get(key) or (text[spans[0].start : spans[0].end] if spans else key)
        out.append(
            {
                "target": key,
                "target_name": name,
                "score": round(max(-1.0, min(1.0, score)), 3),
                "mentions": len(spans),
                "evidence": evidence,
                "drivers": drivers,
            }
        )
    out.sort(key=lambda r: (-r["mentions"], r["target"]))
    return out
