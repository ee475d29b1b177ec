"""Frame detection: which narratives a text carries, in whose voice, with the sentences that show it.

The catalogue (``data/frames.toml``) lists, per frame, regex cues over Japanese text, weak cues,
negation patterns and the actor stance the frame implies.  Everything is compiled once; detection is
pure-Python regex matching over the document, with every match mapped back to its sentence.

Voice of one piece of evidence:

* ``attributed``: the cue sits inside an attributed span (quote / reported speech of someone else),
  or the sentence is reported speech (〜と述べた, 〜によると, 声明で …);
* ``discussed``: the sentence treats the claim analytically, as someone's narrative or strategy
  (〜というナラティブ, プロパガンダ, 〜を狙っている, 〜と主張している, 口実, 正当化 …);
* ``author``: otherwise.

A cue whose sentence rejects it (〜ではない right after the cue, 〜という主張は誤り, a frame-specific
negation) is dropped, so a frame only mentioned to be rejected is not emitted.
"""

from __future__ import annotations

import bisect
import re
import tomllib
from functools import lru_cache
from importlib import resources
from typing import Any

from kansoku import rx
from kansoku.model import Document, Span
from kansoku.prefilter import GuardIndex, cached_guards, may_match

#: A frame is emitted when its score reaches this value (calibrated on the train split of
#: bench/data/frames_labelled.jsonl with bench/frames_eval.py).
THRESHOLD = 0.5
#: Contribution of one evidence sentence: 1 - prod(1 - UNIT * weight).
UNIT = 0.7
STRONG = 1.0
WEAK = 0.4
MAX_EVIDENCE = 5
#: Co-occurrence cues: a three-part co-occurrence is "medium" unless the catalogue says otherwise.
COMBO_WEIGHT = {"strong": STRONG, "medium": 0.75, "weak": WEAK}
#: Smallest evidence weight of one author-voice sentence for the frame to count as adopted by the author.
AUTHOR_MIN = 0.75

_MACRO_RE = rx.compile(r"@([A-Z]+)@")


def _expand(pattern: str, macros: dict[str, str]) -> str:
    return _MACRO_RE.sub(lambda m: macros[m.group(1)], pattern)


def _alternation(patterns: list[str], macros: dict[str, str]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    return rx.compile("|".join(f"(?:{_expand(p, macros)})" for p in patterns))


class CueList:
    """The alternatives of one cue list (the parts of its ``_alternation``), each with its literal guard and
    compiled on first use.

    A text is searched only with the alternatives whose guard it passes (:meth:`searcher`): most articles
    contain a literal of some cue of a frame, but hardly any contains one of every alternative, and ``re``
    tries every alternative of an alternation at every position.  The matches are exactly those of the whole
    alternation: its leftmost match is the leftmost of its alternatives' matches, the first alternative
    winning at equal starts, and an alternative whose guard fails has no match at all."""

    __slots__ = ("_compiled", "base", "guards", "patterns")

    def __init__(self, patterns: list[str], guards: list[tuple[str, ...] | None], base: int = 0) -> None:
        self.patterns = patterns
        self.guards = guards
        self.base = base  # number of the first alternative in the catalogue's GuardIndex
        self._compiled: list[re.Pattern[str] | None] = [None] * len(patterns)

    def searcher(self, text: str, passed: set[int] | None = None) -> Any:
        """``search(pos)`` with the result of ``alternation.search(text, pos)`` for non-decreasing ``pos``,
        or None when no alternative can match in ``text``.  ``passed``: the catalogue numbers of the
        alternatives whose guards ``text`` passes (:meth:`kansoku.prefilter.GuardIndex.passed`), when already known."""
        live: list[re.Pattern[str]] = []
        for k, guard in enumerate(self.guards):
            if (self.base + k in passed) if passed is not None else (
                    guard is None or any(lit in text for lit in guard)):
                compiled = self._compiled[k]
                if compiled is None:
                    compiled = self._compiled[k] = rx.compile(self.patterns[k])
                live.append(compiled)
        if not live:
            return None
        # per alternative: its leftmost match from the position it was last searched from (valid for any
        # later pos up to that match's start: matching at a position does not depend on where search began)
        found: list[re.Match[str] | None] = [None] * len(live)
        since = [-1] * len(live)

        def search(pos: int) -> re.Match[str] | None:
            best = None
            for k, alt in enumerate(live):
                m = found[k]
                if since[k] < 0 or (m is not None and m.start() < pos):
                    m = found[k] = alt.search(text, pos)
                    since[k] = pos
                if m is not None and (best is None or m.start() < best.start()):
                    best = m
            return best

        return search


@lru_cache(maxsize=1)
def load_catalogue() -> dict[str, Any]:
    """Load and compile ``data/frames.toml`` (cached).

    Returns ``{"version": int, "frames": {id: frame}, "global": {...}}`` where each frame keeps the
    TOML fields and adds ``_cue_list`` and ``_weak_list`` (:class:`CueList`, compiled lazily) and the
    compiled ``_neg`` and ``_combos`` patterns.
    """
    raw = tomllib.loads(resources.files("kansoku.data").joinpath("frames.toml").read_text(encoding="utf-8"))
    macros: dict[str, str] = raw.get("macros", {})
    glob = raw.get("global", {})
    frames: dict[str, dict[str, Any]] = {}
    all_cues: list[str] = []
    for fid, spec in raw["frames"].items():
        frame = dict(spec)
        frame["id"] = fid
        # the cue lists are searched alternative by alternative (CueList), each compiled on first use: the
        # whole alternations are never built (compiling them was a third of a process's first document)
        for key, field in (("_cue_list", "cues"), ("_weak_list", "weak_cues")):
            expanded = [_expand(p, macros) for p in spec.get(field, [])]
            frame[key] = (expanded, len(all_cues))
            all_cues += expanded
        frame["_neg"] = _alternation(list(spec.get("negations", [])), macros)
        frame["_combos"] = [
            (
                [rx.compile(_expand(part, macros)) for part in combo["all"]],
                COMBO_WEIGHT[combo.get("strength", "medium" if len(combo["all"]) >= 3 else "weak")],
            )
            for combo in spec.get("combos", [])
        ]
        frames[fid] = frame
    guards = cached_guards("frames", all_cues)
    for frame in frames.values():
        for key in ("_cue_list", "_weak_list"):
            expanded, at = frame[key]
            frame[key] = CueList(expanded, guards[at : at + len(expanded)], at)
    return {
        "cue_guards": GuardIndex(guards),
        "version": raw.get("version"),
        "frames": frames,
        "global": {
            "rejections": _alternation(list(glob.get("rejections", [])), macros),
            "after_negation": _alternation(list(glob.get("after_negation", [])), macros),
            "discussion_markers": _alternation(list(glob.get("discussion_markers", [])), macros),
            "report_markers": _alternation(list(glob.get("report_markers", [])), macros),
        },
        "macros": macros,
    }




_QUOTE_RE = rx.compile(r"「[^「」\n]{2,400}」")
_QUOTE_SPEECH_RE = rx.compile(
    r"[^。\n]{0,2}?(?:などと|とも|と|って)(?!い[うっ]|の)[^。「」\n]{0,10}?"
    r"(?:述べ|語っ|語り|語る|話し|話す|発言|強調|主張|非難|批判|指摘|表明|訴え|説明|警告|宣言|断言|言明|反論|"
    r"記し|書い|投稿|伝え|報じ|答え|呼びかけ|演説|明らかに|発表|コメント|言っ|言い|述懐|明言|位置づけ)"
)


def quote_spans(text: str) -> list[Span]:
    """Crude attributed spans: 「…」 quotes followed by a speech verb (〜」と述べた)."""
    spans: list[Span] = []
    for m in _QUOTE_RE.finditer(text):
        if _QUOTE_SPEECH_RE.match(text, m.end(), min(len(text), m.end() + 24)):
            spans.append(Span(m.start(), m.end()))
    return spans


def _masked(sentence: str, start: int, end: int) -> str:
    return sentence[:start] + "＿" * (end - start) + sentence[end:]


def sentence_voice(
    text: str, sent: Span, m_start: int, m_end: int, attributed: list[Span] | None = None
) -> str:
    """Voice of a cue found at ``text[m_start:m_end]`` inside sentence ``sent``.

    Discussion markers (outside the cue and outside any attributed span) win: an analyst who quotes a
    claim in order to describe it as a narrative or strategy is discussing it.  Otherwise a cue inside
    an attributed span, or in a sentence of reported speech, is attributed; anything else is the author's.
    """
    glob = load_catalogue()["global"]
    rel_start, rel_end = sent.start, sent.end
    s_raw = text[rel_start:rel_end]
    inside = False
    masked = s_raw
    for sp in attributed or ():
        if sp.end <= rel_start or sp.start >= rel_end:
            continue
        if sp.start <= m_start and m_end <= sp.end + 1:
            inside = True
        masked = _masked(masked, max(0, sp.start - rel_start), min(len(s_raw), sp.end - rel_start))
    disc = glob["discussion_markers"]
    if disc is not None:
        for dm in disc.finditer(masked):
            a, b = dm.start() + rel_start, dm.end() + rel_start
            if not (m_start <= a and b <= m_end):
                return "discussed"
    if inside:
        return "attributed"
    rep = glob["report_markers"]
    if rep is not None and rep.search(s_raw):
        return "attributed"
    return "author"


def _rejected(frame: dict[str, Any], text: str, sent: Span, m_end: int, m_start: int | None = None) -> bool:
    """The cue ending at ``m_end`` is rejected in its sentence (frame negation, global rejection, 〜ではない).

    A global rejection lying wholly inside the cue match is part of the cue (「〜という見通しは外れた」 is
    how sanctions_ineffective is said) and does not count; nor does one that starts before the cue, since
    the rejected claim comes first (「Xという主張は誤りだ」).
    """
    glob = load_catalogue()["global"]
    s_text = text[sent.start : sent.end]
    neg = frame["_neg"]
    if neg is not None and neg.search(s_text):
        return True
    rej = glob["rejections"]
    if rej is not None:
        for r in rej.finditer(s_text):
            a, b = r.start() + sent.start, r.end() + sent.start
            if m_start is not None and (m_start <= a and b <= m_end or a < m_start):
                # inside the cue itself, or before it: the rejected claim precedes 〜という主張は誤り
                continue
            return True
    return False


def _negated_after(text: str, sent: Span, m_end: int) -> bool:
    """〜ではない / 〜わけではない right after this cue match (the match alone is dropped)."""
    after = load_catalogue()["global"]["after_negation"]
    return after is not None and after.search(text[m_end : sent.end]) is not None


def _combo_hits(
    text: str,
    sents: list[Span],
    starts: list[int],
    parts: list[re.Pattern[str]],
    weight: float,
    frame: dict[str, Any],
    attributed: list[Span],
    hits: dict[int, tuple[float, str, int, int]],
) -> None:
    """Co-occurrence cues: every part must match somewhere in the same sentence (any order)."""
    if not all(may_match(p, text) for p in parts):
        return
    first, rest = parts[0], parts[1:]
    done: set[int] = set()
    for m in first.finditer(text):
        i = bisect.bisect_right(starts, m.start()) - 1
        if i < 0 or i in done or m.start() >= sents[i].end:
            continue
        done.add(i)
        sent = sents[i]
        found = [p.search(text, sent.start, sent.end) for p in rest]
        if not all(found):
            continue
        last_end = max([m.end()] + [f.end() for f in found if f is not None])
        prev = hits.get(i)
        if prev is not None and (prev[1] == "rejected" or prev[0] >= STRONG):
            continue
        if _rejected(frame, text, sent, last_end, m.start()):
            hits[i] = (0.0, "rejected", m.start(), m.end())
            continue
        if _negated_after(text, sent, last_end):
            continue
        if prev is not None:
            if weight < STRONG:
                hits[i] = (min(STRONG, prev[0] + weight), prev[1], prev[2], prev[3])
            continue
        voice = sentence_voice(text, sent, m.start(), m.end(), attributed)
        hits[i] = (weight, voice, m.start(), m.end())


def _frame_voice(live: dict[int, tuple[float, str, int, int]]) -> str:
    """Voice of a frame from its evidence sentences.

    Author voice needs one sentence where the author asserts the frame with at least a medium cue; a
    frame that only accumulates weak topic mentions in the author's own sentences is "discussed" (talked
    about, not adopted).  Otherwise the heavier of attributed / discussed evidence wins.
    """
    weights: dict[str, float] = {}
    author_max = 0.0
    for w, voice, _, _ in live.values():
        weights[voice] = weights.get(voice, 0.0) + w
        if voice == "author":
            author_max = max(author_max, w)
    if author_max >= AUTHOR_MIN:
        return "author"
    if weights.get("attributed", 0.0) > weights.get("discussed", 0.0):
        return "attributed"
    return "discussed"


def detect_frames(doc: Document, attributed: list[Span]) -> list[dict[str, Any]]:
    """Detect catalogue frames in ``doc``; ``attributed`` are the contents of attributed claims.

    Returns ``[{"id", "label", "label_en", "score", "voice", "evidence": [{"text", "start", "end"}]}]``
    sorted by decreasing score; only frames whose score reaches :data:`THRESHOLD`.
    """
    cat = load_catalogue()
    text = doc.text
    sents = sorted(doc.sentences, key=lambda s: (s.start, s.end))
    if not sents:
        return []
    starts = [s.start for s in sents]
    attributed = sorted(attributed or [], key=lambda s: s.start)
    passed = cat["cue_guards"].passed(text)
    out: list[dict[str, Any]] = []
    for fid, frame in cat["frames"].items():
        # sentence index -> (weight, voice, match_start, match_end)
        hits: dict[int, tuple[float, str, int, int]] = {}
        for cues, weight in ((frame["_cue_list"], STRONG), (frame["_weak_list"], WEAK)):
            search = cues.searcher(text, passed)
            if search is None:
                continue  # none of the words this cue list needs is in the article
            pos = 0
            while True:
                m = search(pos)
                if m is None:
                    break
                # default: continue after this match; a match negated right after it is retried one char on,
                # so that another cue of the same alternation can still match the same words
                pos = m.end() if m.end() > m.start() else m.start() + 1
                if m.end() == m.start():
                    continue
                i = bisect.bisect_right(starts, m.start()) - 1
                if i < 0 or m.start() >= sents[i].end:
                    continue
                prev = hits.get(i)
                if prev is not None and (prev[1] == "rejected" or prev[0] >= STRONG):
                    continue
                sent = sents[i]
                if _rejected(frame, text, sent, m.end(), m.start()):
                    hits[i] = (0.0, "rejected", m.start(), m.end())
                    continue
                if _negated_after(text, sent, m.end()):
                    pos = m.start() + 1
                    continue
                if prev is not None and weight < STRONG:
                    # two distinct weak cues in one sentence add up (to at most a strong one)
                    hits[i] = (min(STRONG, prev[0] + weight), prev[1], prev[2], prev[3])
                    continue
                voice = sentence_voice(text, sent, m.start(), m.end(), attributed)
                hits[i] = (weight, voice, m.start(), m.end())
        for parts, weight in frame["_combos"]:
            _combo_hits(text, sents, starts, parts, weight, frame, attributed, hits)
        live = {i: h for i, h in hits.items() if h[1] != "rejected" and h[0] > 0}
        if not live:
            continue
        miss = 1.0
        for w, _, _, _ in live.values():
            miss *= 1.0 - UNIT * w
        score = round(1.0 - miss, 3)
        if score < THRESHOLD:
            continue
        voice = _frame_voice(live)
        ranked = sorted(live.items(), key=lambda kv: (kv[1][1] != voice, -kv[1][0], kv[0]))
        evidence = []
        for i, (_w, v, ms, me) in sorted(ranked[:MAX_EVIDENCE], key=lambda kv: kv[0]):
            sent = sents[i]
            evidence.append(
                {
                    "text": text[sent.start : sent.end],
                    "start": sent.start,
                    "end": sent.end,
                    "cue": text[ms:me],
                    "voice": v,
                }
            )
        out.append(
            {
                "id": fid,
                "label": frame.get("label_ja", fid),
                "label_en": frame.get("label_en", fid),
                "family": frame.get("family", "other"),
                "score": score,
                "voice": voice,
                "evidence": evidence,
            }
        )
    out.sort(key=lambda f: (-f["score"], f["id"]))
    return out
