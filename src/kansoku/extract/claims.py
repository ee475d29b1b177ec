"""Claims and quotes with their speakers: "who says what".

One record per attribution found in a sentence:

- ``quote``: 「…」と述べた / 語った / 強調した …, or a dialogue line 「名前: …」 in an explainer;
- ``reported``: …と指摘した, …との見方を示した, …とする声明を発表した, or a sentence opened by 〜によると;
- ``hearsay``: …とされる, …と伝えられている, …といわれる, sentence-final …という (no speaker);
- ``assertion``: the author's own strong-modality statements (〜べきだ, 〜に違いない), sentence-final only.

The speaker is a name right after the quote (「…」と岸田首相は述べた), else the topic (NP は) of the
sentence, else a subject (NP が) that is not the quote's own subject, else the source of a
sentence-initial 〜によると. 同氏 / 同報道官, a とも-cue and また、/ その上で openers inherit the previous
speaker; 「…」。X氏はこう語った。 joins the two sentences. A bare 〜とした / 〜としている counts only with a
speaker. Cue lexicons live in ``kansoku/data/cues.toml``.
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from importlib import resources
from typing import Any

from kansoku.model import Document, Span
from kansoku.normalize.segment import split_spans

# Characters of a noun phrase that can name a speaker: katakana, kanji, latin letters and digits, ・ ＝ ー.
_NPC = r"[\u30A0-\u30FF\u4E00-\u9FFF々〆ヶA-Za-z0-9Ａ-Ｚａ-ｚ０-９・･＝=\-&＆.]"
_RUN = rf"{_NPC}+(?: [A-Z][A-Za-z.&'’\-]*)*"  # a noun run; latin words may be spaced (L.L.Bean International)
_NPP = rf"{_RUN}(?:さん|ちゃん|くん|さま)?(?:[(（]□{{1,20}}[)）])?"  # optionally with a masked (OPEC) gloss
_NP = rf"(?:{_RUN}(?:[(（]□{{1,20}}[)）])?の){{0,2}}{_NPP}"
_OPEN = "「『“\""
_CLOSE = "」』”\""
_BRACKETS = {"「": "」", "『": "』", "（": "）", "(": ")", "【": "】", "“": "”"}


@lru_cache(maxsize=1)
def cues() -> dict[str, Any]:
    """The cue lexicon (``kansoku/data/cues.toml``), parsed once."""
    with resources.files("kansoku").joinpath("data/cues.toml").open("rb") as f:
        return tomllib.load(f)


def _alt(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


_ENDINGS = {
    # type: (stem cut, endings)
    "suru": (2, ["した", "している", "していた", "しています", "していました", "しました", "しており", "して",
                 "し(?=、)", "する", "(?=[。、])"]),
    "ichidan": (1, ["た", "ている", "ていた", "ています", "ていました", "ました", "ます", "ており", "て", "(?=、)", "る"]),
    "godan-ru": (1, ["った", "っている", "っていた", "っています", "りました", "ります", "っており", "って", "り(?=、)", "る"]),
    "godan-u": (1, ["った", "っている", "っていた", "いました", "っています"]),
    "godan-ku": (1, ["いた", "いている", "いていた", "きました", "きます", "いており", "いて", "き(?=、)", "く"]),
    "godan-su": (1, ["した", "している", "していた", "しました", "します", "しており", "して", "し(?=、)", "す"]),
    "godan-mu": (1, ["んだ", "んでいる", "みました", "む"]),
}


def _verb_regex(entries: list[dict[str, Any]]) -> str:
    alts = []
    for e in entries:
        cut, endings = _ENDINGS[e["type"]]
        stem = e["verb"][:-cut]
        alts.append(re.escape(stem) + "(?:" + "|".join(endings) + ")")
    return "|".join(sorted(alts, key=len, reverse=True))


@lru_cache(maxsize=1)
def _patterns() -> dict[str, Any]:
    c = cues()["claims"]
    verbs = _verb_regex(c["cue_verbs"])
    mid = r"[^。、「」『』とはがを]{0,14}?"
    not_attr = r"(?![\u4E00-\u9FFF\u30A0-\u30FFA-Za-z](?<![上後]))"
    return {
        # と + (short adverbial such as 記者団に) + speech verb
        # 「…」と岸田首相は述べた: the speaker after the quote
        "post": re.compile(
            rf"(?<=[」』])(?P<q>などと|と)(?P<post>{_NP})(?:は|が)、?(?P<mid>{mid})(?P<verb>{verbs}){not_attr}"
        ),
        "speech": re.compile(rf"(?<![こもあひ])(?P<q>などとも|などと|とも|と)(?P<mid>{mid})(?P<verb>{verbs}){not_attr}"),
        "opinion": re.compile(
            rf"(?P<q>との|とも|と)(?:{_alt(c['opinion_nouns'])})を(?:{_alt(c['opinion_verbs'])})"
        ),
        "statement": re.compile(
            rf"(?P<q>と)(?:する|した|の)(?:{_alt(c['statement_nouns'])})を(?:{_alt(c['statement_verbs'])})"
        ),
        # 「…」。ショイグ氏は11日、こう語った。: the quote is the previous sentence
        "kou": re.compile(rf"^[^。]*?(?P<kou>こう|このように|そう)(?P<cue>(?P<mid>{mid})(?P<verb>{verbs})){not_attr}[^。]*。?$"),
        # bare 〜とした / 〜としている: a report only with a speaker topic, at a clause end
        "toshita": re.compile(r"(?<=[ぁ-ゖ」』])(?<![こもあひ])(?P<q>と)(?:した|している|していた|しています|しました)(?=[。．]|$|が、|。」)"),
        "hearsay": re.compile(rf"(?:{_alt(c['hearsay'])})(?=[。、．！？!?]|が、|$|\s)"),
        "hearsay_final": re.compile(rf"と(?:{_alt([w[1:] for w in c['hearsay_final']])})[。．]?\s*$"),
        "according": re.compile(rf"^(?P<pre>.{{0,25}}?)(?P<np>{_NP})(?P<cue>{_alt(c['according_to'])})、?"),
        "assertion": re.compile(rf"(?:{_alt(c['assertion_final'])})(?:[。．！!]|ろう。)?\s*$"),
        "dialogue": re.compile(
            r"^[\s•◆■●◇・*\-]*(?P<name>[A-Za-z\u3041-\u30FF\u4E00-\u9FFF々][^\s:：、。「」()（）]{0,13}?)\s*[:：]\s*"
            r"(?P<body>\S.*)$"
        ),
        # Not from inside a noun run: a match there implies one from the run's start, which finditer
        # tries first, and every failed start costs a scan of the run (quadratic on a long unbroken run).
        "np_topic": re.compile(rf"(?<!{_NPC})(?P<np>{_NP})(?P<m>は|が|も)"),
    }




def _strip_quote(text: str, end: int, lower: int) -> tuple[int, int] | None:
    """If text[end-1] closes a quotation, the (start, end) of its body."""
    if end - 1 < lower or text[end - 1] not in _CLOSE:
        return None
    close = text[end - 1]
    opener = {"」": "「", "』": "『", "”": "“", '"': '"'}[close]
    depth = 0
    for i in range(end - 2, lower - 1, -1):
        if text[i] == close and opener != close:
            depth += 1
        elif text[i] == opener:
            if depth == 0:
                return i + 1, end - 1
            depth -= 1
    return None


@lru_cache(maxsize=4096)
def plausible_speaker(np: str) -> bool:
    """Whether a subject noun phrase can be a speaker (a person, an organisation, a state, an outlet)."""
    c = cues()["claims"]
    if not np or len(np) > 40 or np in c["speaker_stop"] or re.fullmatch(r"[0-9０-９.\-]+", np):
        return False
    head = re.sub(r"[(（][^)）]*[)）]$", "", np).rsplit("の", 1)[-1]
    if head in c["speaker_stop"] or len(head) < 2 and head not in ("米", "露", "中", "英", "仏", "独"):
        return False
    if re.search(r"(?:年|月|日|時|分|％|%|件|人|回)$", head) and re.search(r"[0-9０-９]", head):
        return False
    if any(head.endswith(s) for s in c["speaker_suffixes"]):
        return True
    if re.search(r"[\u30A1-\u30FA]{2,}|[A-Za-z]{2,}", head):
        return True
    from kansoku.nlp.tokens import tokenize

    toks = tokenize(head)
    return any(t.proper_kind in ("人名", "組織名", "地名") for t in toks)


def _find_speaker(sent: str, limit: int, quote: bool, continued: bool) -> tuple[int, int] | None:
    """Speaker (offsets into ``sent``) among ``sent[:limit]`` outside brackets.

    The first topic (NP は / NP も) wins, else a subject (NP が). A subject right before the quote
    (日本が「…」) is the quote's own subject when the cue continues an earlier speaker (とも, また、).
    """
    pats = _patterns()
    masked = _mask_brackets(sent[:limit])
    topics, subjects = [], []
    for m in pats["np_topic"].finditer(masked):
        if not plausible_speaker(sent[m.start("np") : m.end("np")]) and not _sentence_topic(masked, m):
            continue
        if m.group("m") in ("は", "も"):
            topics.append((m.start("np"), m.end("np")))
        else:
            nxt = masked[m.end() : m.end() + 1]
            if quote and continued and nxt in _OPEN + "□":
                continue
            subjects.append((m.start("np"), m.end("np")))
    best = topics[0] if topics else subjects[0] if subjects else None
    if best is None:
        return None
    # a trailing gloss is not part of the name: 美奈子さん（31歳・会社員） -> 美奈子さん
    gloss = re.search(r"[(（][^()（）]*[)）]$", sent[best[0] : best[1]])
    return (best[0], best[0] + gloss.start()) if gloss else best


def _sentence_topic(masked: str, m: re.Match[str]) -> bool:
    """A sentence-initial 「NPは、」 topic: a speaker even when its head is not a known title."""
    np = m.group("np")
    if m.start("np") != 0 or m.group("m") != "は" or masked[m.end() : m.end() + 1] != "、":
        return False
    c = cues()["claims"]
    head = np.rsplit("の", 1)[-1]
    return np not in c["speaker_stop"] and head not in c["speaker_stop"] and len(head) >= 3 and not re.search(
        r"[0-9０-９]|(?:年|月|日|週|時|今|前|後|中|際|上|点|面)$", head)


_ADVERBIAL = re.compile(
    r"[^、。「」]{1,24}?(?:で|に対し|に対して|について|の中で|を受け|を受けて|を前に|上で|うえで|に触れ|に言及し|"
    r"の席で|の冒頭で|の後|後|として|の話として)、"
)


def _skip_adverbials(sent: str, start: int, end: int) -> int:
    """Skip leading adverbial phrases (会見で、 / 電話会談で、 / …に触れた上で、) of a と-clause."""
    for _ in range(3):
        while start < end and sent[start] in "、, 　":
            start += 1
        m = _ADVERBIAL.match(sent, start, end)
        if not m:
            break
        start = m.end()
    return start


def _mask_brackets(s: str) -> str:
    """Replace bracketed content by □ so that NPs inside quotes are not taken as speakers."""
    out = list(s)
    depth: list[str] = []
    for i, ch in enumerate(s):
        if depth:
            if ch == depth[-1]:
                depth.pop()
                continue
            if ch in _BRACKETS:
                depth.append(_BRACKETS[ch])
            out[i] = "□"
        elif ch in _BRACKETS:
            depth.append(_BRACKETS[ch])
    return "".join(out)


def _rec(
    text: str, start: int, end: int, speaker: tuple[int, int] | None, cue: str | None, kind: str,
    content: tuple[int, int],
) -> dict[str, Any]:
    return {
        "text": text[start:end],
        "start": start,
        "end": end,
        "speaker": text[speaker[0] : speaker[1]] if speaker else None,
        "speaker_span": {"start": speaker[0], "end": speaker[1]} if speaker else None,
        "cue": cue,
        "kind": kind,
        "content_span": {"start": content[0], "end": content[1]},
    }


def _dialogue_names(text: str, sents: list[Span]) -> set[str]:
    """Names of a dialogue (富良野: … / Phrona: …).

    Only prefixed lines whose body reads like speech (a third hiragana) count, so spec sheets
    (価格: 1000円, TEL: …) do not; a dialogue needs ≥ 3 such lines, a name used twice, ≤ 6 names.
    """
    pat = _patterns()["dialogue"]
    labels = {x.lower() for x in cues()["claims"]["dialogue_labels"]}
    counts: dict[str, int] = {}
    for sp in sents:
        m = pat.match(text[sp.start : sp.end])
        if not m:
            continue
        name, body = m.group("name"), m.group("body")
        if name.lower() in labels or re.fullmatch(r"[A-Za-z]", name) or body.startswith("//"):
            continue
        if len(re.findall(r"[ぁ-ゖ]", body)) < 0.3 * len(body):
            continue
        counts[name] = counts.get(name, 0) + 1
    if counts and sum(counts.values()) >= 3 and max(counts.values()) >= 2 and len(counts) <= 6:
        return set(counts)
    return set()


class _Context:
    """The most recent speaker-like topic, for 同氏 / とも-cues in later sentences."""

    def __init__(self) -> None:
        self.span: tuple[int, int] | None = None

    def resolve(self, text: str, np: str) -> tuple[int, int] | None:
        """The earlier speaker 同氏 / 同報道官 / 同省 stands for, if any."""
        if not self.span or not np.startswith("同") or len(np) > 6:
            return None
        prev = text[self.span[0] : self.span[1]]
        suffix = np[1:]
        if suffix in ("氏", "さん") or prev.endswith(suffix):
            return self.span
        return None




def extract_claims(doc: Document) -> list[dict[str, Any]]:
    """All attributions in ``doc``; each record's ``text`` equals ``doc.text[start:end]``."""
    text = doc.text
    pats = _patterns()
    sents = split_spans(text, doc.sentences or [Span(0, len(text))])
    lines = doc.lines  # dialogue turns are whole lines, whatever the sentence segmenter did
    names = _dialogue_names(text, lines)
    out: list[dict[str, Any]] = []
    dialogue_lines: list[Span] = []
    for sp in lines:
        line = text[sp.start : sp.end]
        m = pats["dialogue"].match(line)
        if m and m.group("name") in names:
            body_start = sp.start + m.start("body")
            body_end = sp.start + len(line.rstrip())
            name = (sp.start + m.start("name"), sp.start + m.end("name"))
            dialogue_lines.append(sp)
            out.append(_rec(text, sp.start + m.start("name"), body_end, name, None, "quote", (body_start, body_end)))
    ctx = _Context()
    bare_quote: Span | None = None  # a sentence that is only 「…」。, waiting for 「こう語った」
    for sp in sents:
        if any(d.start <= sp.start < d.end for d in dialogue_lines):
            continue
        sent = text[sp.start : sp.end]
        if bare_quote is not None:
            m = pats["kou"].match(_mask_brackets(sent))
            if m:
                spk = _find_speaker(sent, m.start("kou"), False, False)
                spk_abs = (sp.start + spk[0], sp.start + spk[1]) if spk else None
                if spk is not None:
                    spk_abs = ctx.resolve(text, sent[spk[0] : spk[1]]) or spk_abs
                body = (bare_quote.start + 1, bare_quote.start + text[bare_quote.start : bare_quote.end].rindex("」"))
                out.append(_rec(text, bare_quote.start, sp.end, spk_abs, m.group("kou") + m.group("verb"), "quote",
                                body))
                if spk_abs:
                    ctx.span = spk_abs
                bare_quote = None
                continue
        bare_quote = sp if re.fullmatch(r"「[^「」]+」。?", sent) else None
        out.extend(_sentence_claims(text, sp, ctx))
    out.sort(key=lambda r: (r["start"], r["end"]))
    return out


def _sentence_claims(text: str, sp: Span, ctx: _Context) -> list[dict[str, Any]]:
    pats = _patterns()
    s0 = sp.start
    sent = text[sp.start : sp.end]
    masked = _mask_brackets(sent)
    found: list[tuple[int, int, str]] = []  # (cue_start, cue_end, cue)
    weak: set[int] = set()
    post: dict[int, tuple[int, int]] = {}
    for fam in ("post", "opinion", "statement", "speech", "toshita"):
        for m in pats[fam].finditer(masked):
            if any(m.start() < e and s < m.end() for s, e, _ in found):
                continue
            if fam == "post":
                if not plausible_speaker(sent[m.start("post") : m.end("post")]):
                    continue
                post[m.start()] = (m.start("post"), m.end("post"))
                found.append((m.start(), m.end(), m.group("q") + m.group("verb")))
                continue
            found.append((m.start(), m.end(), sent[m.start() : m.end()]))
            if fam == "toshita":
                weak.add(m.start())
    found.sort()
    recs: list[dict[str, Any]] = []
    according = pats["according"].match(masked)
    acc_speaker = None
    if according and plausible_speaker(according.group("np")):
        acc_speaker = (according.start("np"), according.end("np"))
    continued = bool(re.match(r"(?:また|さらに|その上で|そのうえで|一方で|同時に)、?", sent))
    prev_end = 0
    for q_end, c_end, cue in found:
        quote = _strip_quote(sent, q_end, prev_end)
        if quote is None and q_end and sent[q_end - 1] in "」』":
            # the quote opened in an earlier line: its body runs from the sentence start
            quote = (prev_end, q_end - 1)
        cont = continued or cue.startswith(("とも", "などとも"))
        spk = post.get(q_end) or _find_speaker(sent, max(quote[0] - 1, 0) if quote else q_end, bool(quote), cont)
        if spk is None and acc_speaker is not None:
            spk = acc_speaker
        spk_abs = (s0 + spk[0], s0 + spk[1]) if spk else None
        if spk is not None:
            spk_abs = ctx.resolve(text, sent[spk[0] : spk[1]]) or spk_abs
        elif cont and ctx.span:
            spk_abs = ctx.span
        if q_end in weak and spk_abs is None:
            continue
        if quote:
            content = (s0 + quote[0], s0 + quote[1])
        else:
            cstart = prev_end
            if spk is not None and prev_end <= spk[1] < q_end:
                cstart = spk[1] + 1
            elif according and prev_end <= according.end() <= q_end:
                cstart = according.end()
            cstart = _skip_adverbials(sent, cstart, q_end)
            content = (s0 + cstart, s0 + q_end)
            if content[1] - content[0] < 2:
                continue
        recs.append(_rec(text, sp.start, sp.end, spk_abs, cue, "quote" if quote else "reported", content))
        prev_end = c_end
    if recs:
        if recs[-1]["speaker_span"]:
            ctx.span = (recs[-1]["speaker_span"]["start"], recs[-1]["speaker_span"]["end"])
        return recs
    topic = _find_speaker(sent, len(sent), False, False)
    if topic is not None:
        np = sent[topic[0] : topic[1]]
        if re.search(r"[\u30A1-\u30FA]{2,}|[A-Za-z]{2,}", np) or np.endswith(tuple(cues()["claims"]["speaker_suffixes"])):
            ctx.span = ctx.resolve(text, np) or (s0 + topic[0], s0 + topic[1])
    # hearsay (speaker None)
    for m in pats["hearsay"].finditer(masked):
        cstart = 0
        content = (s0 + cstart, s0 + m.start())
        if m.start() - cstart >= 4:
            return [_rec(text, sp.start, sp.end, None, m.group(0), "hearsay", content)]
    m = pats["hearsay_final"].search(masked)
    if m and m.start() >= 4:
        return [_rec(text, sp.start, sp.end, None, sent[m.start() : m.end()].rstrip("。． "), "hearsay",
                     (s0, s0 + m.start()))]
    if according and acc_speaker and len(masked) - according.end() >= 6:
        end = len(sent.rstrip("。．"))
        return [_rec(text, sp.start, sp.end, (s0 + acc_speaker[0], s0 + acc_speaker[1]), according.group("cue"),
                     "reported", (s0 + according.end(), s0 + end))]
    m = pats["assertion"].search(masked)
    if m and len(sent) >= 10 and not sent.endswith(("？", "?")):
        end = len(sent.rstrip("。．！! "))
        return [_rec(text, sp.start, sp.end, None, m.group(0).rstrip("。．！! "), "assertion", (s0, s0 + end))]
    return []
