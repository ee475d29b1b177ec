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

from kansoku import rx
from kansoku.model import Document, Span
from kansoku.normalize.segment import split_spans
from kansoku.prefilter import Live

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
    return "|".join(re.escape(w) for w in sorted(set(words), key=lambda w: (-len(w), w)))


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
    mid = r"(?:(?:[^。、「」『』とはがを]|ながら){0,16}?を)?(?:[^。、「」『』とはがを]|ながら|ながらに){0,14}?"
    not_attr = r"(?![\u4E00-\u9FFF\u30A0-\u30FFA-Za-z](?<![上後]))"
    reaction = rf"(?:{_alt(c['reaction_nouns'])})(?:が|も)(?:[^。、「」]{{0,6}}?)(?:{_alt(c['reaction_verbs'])})"
    return {
        # と + (short adverbial such as 記者団に) + speech verb
        # 「…」と岸田首相は述べた / 「…」と、カタールの首相はドーハで述べた: the speaker after the quote
        "post": rx.compile(
            rf"(?<=[」』])(?P<q>などと|と)、?(?P<post>{_NP})(?:は|が)、?(?P<mid>{mid})(?P<verb>{verbs}){not_attr}"
        ),
        # …計画していると、露政府が指摘している: a reported clause, then the speaker after と、
        "post_plain": rx.compile(
            rf"(?<=[ぁ-ゖー])(?P<q>と)、(?P<post>{_NP})(?:は|が)、?(?P<mid>{mid})(?P<verb>{verbs}){not_attr}"
        ),
        # 記事では「北極星を失った」という表現が使われている: words a text or a person is said to use
        "wording": rx.compile(
            r"(?P<np>[^\s、。「」『』]{1,20}?)(?:では|には|で|は|も|が)、?(?P<quote>[「『][^「」『』]{2,200}[」』])"
            r"(?:という|との|と)(?:表現|言葉|言い回し|記述|一文|文言|見出し|フレーズ|タイトル|題|書き込み|投稿|発言)"
            r"(?:が|を|も|で)(?:使|用い|使用|書|記|掲げ|載|あ|登場|並|踊|残|投稿|発信)"
        ),
        # ネット上では「…」「…」などの批判が相次いだ / ファンからは「…」との声が寄せられた
        "reaction": rx.compile(
            rf"(?P<np>{_NP})(?:上|内|の間)?(?:では|からは|からも|でも|には|で)、?(?P<quotes>(?:[「『][^「」『』]{{1,200}}[」』]、?)+)"
            rf"(?:など(?:と|の)?|といった|との|と)?(?:[^。「」]{{0,80}}?)(?P<verb>{reaction})"
        ),
        # 〜する考えを示した / 〜方針を明らかにした (no と): the clause before the noun is the claim
        "bare_opinion": rx.compile(
            rf"(?<=[ぁ-ゖー])(?P<q>)(?:{_alt(c['bare_opinion_nouns'])})を"
            rf"(?:(?:{_alt([v for v in c['opinion_verbs'] if not v.endswith('し')])}){not_attr}"
            rf"|(?:{_alt([v for v in c['opinion_verbs'] if v.endswith('し')])})(?=、))"
        ),
        # 〜したことを明らかにした
        "koto": rx.compile(rf"(?P<q>こと)を(?:(?:{_alt([v for v in c['koto_verbs'] if not v.endswith(('し', 'め'))])})"
                           rf"{not_attr}|(?:{_alt([v for v in c['koto_verbs'] if v.endswith(('し', 'め'))])})(?=、))"),
        # the quote comes in the next sentence: 次のように述べた。「…」
        "intro": rx.compile(rf"(?P<kou>次のように|以下のように|こう)(?P<mid>{mid})(?P<verb>{verbs}){not_attr}[^。]*。?$"),
        "speech": rx.compile(rf"(?<![こもあひ])(?P<q>などとも|などと|とも|と)(?P<mid>{mid})(?P<verb>{verbs}){not_attr}"),
        "opinion": rx.compile(
            rf"(?P<q>という|との|とも|と)(?:{_alt(c['opinion_nouns'])})を(?:{_alt(c['opinion_verbs'])})"
        ),
        "statement": rx.compile(
            rf"(?P<q>と)(?:する|した|の)(?:{_alt(c['statement_nouns'])})を(?:{_alt(c['statement_verbs'])})"
        ),
        # 「…」。ショイグ氏は11日、こう語った。: the quote is the previous sentence
        "kou": rx.compile(rf"^[^。]*?(?P<kou>こう|このように|そう)(?P<cue>(?P<mid>{mid})(?P<verb>{verbs})){not_attr}[^。]*。?$"),
        # bare 〜とした / 〜としている: a report only with a speaker topic, at a clause end
        "toshita": rx.compile(r"(?<=[ぁ-ゖ」』])(?<![こもあひ])(?P<q>と)(?:した|している|していた|しています|しました)(?=[。．]|$|が、|。」)"),
        "hearsay": rx.compile(rf"(?:{_alt(c['hearsay'])})(?=[。、．！？!?]|が、|$|\s)"),
        "hearsay_final": rx.compile(rf"と(?:{_alt([w[1:] for w in c['hearsay_final']])})[。．]?\s*$"),
        "according": rx.compile(rf"^(?P<pre>.{{0,25}}?)(?P<np>{_NP})(?P<cue>{_alt(c['according_to'])})、?"),
        "assertion": rx.compile(rf"(?:{_alt(c['assertion_final'])})(?:[。．！!]|ろう。)?\s*$"),
        # an opinion writer's plain judgement (only in author_voice documents)
        "judgement": rx.compile(rf"(?:{_alt(c['judgement_final'])})[。．！!]\s*$"),
        "not_judgement": rx.compile(rf"(?:{_alt(c['not_judgement'])})(?:{_alt(c['judgement_final'])})[。．！!]\s*$"),
        "dialogue": rx.compile(
            r"^[\s•◆■●◇・*\-]*(?P<name>[A-Za-z\u3041-\u30FF\u4E00-\u9FFF々][^\s:：、。「」()（）]{0,13}?)\s*[:：]\s*"
            r"(?P<body>\S.*)$"
        ),
        # Not from inside a noun run: a match there implies one from the run's start, which finditer
        # tries first, and every failed start costs a scan of the run (quadratic on a long unbroken run).
        "np_topic": rx.compile(rf"(?<!{_NPC})(?P<np>{_NP})(?P<m>は|が|も)"),
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


_NUMBER_ONLY = rx.compile(r"[0-9０-９.\-]+")
_ANAPHOR = rx.compile(r"彼女?|彼ら|彼女ら|同(?:氏|国|紙|誌|社|省|庁|党|局|通信|[^\s]{0,6}(?:相|大統領|首相|長官|報道官|議員|総裁|知事|"
                      r"市長|総書記|主席|大使|監督|選手|代表|会長|社長|CEO|教授|議長|委員長|首長))")
_TRAILING_PAREN = rx.compile(r"[(（][^)）]*[)）]$")
_COUNT_END = rx.compile(r"(?:年|月|日|時|分|％|%|件|人|回)$")
_DIGIT = rx.compile(r"[0-9０-９]")
_FOREIGN_RUN = rx.compile(r"[\u30A1-\u30FA]{2,}|[A-Za-z]{2,}")


@lru_cache(maxsize=1)
def _speaker_suffixes() -> tuple[str, ...]:
    return tuple(cues()["claims"]["speaker_suffixes"])


@lru_cache(maxsize=4096)
def plausible_speaker(np: str) -> bool:
    """Whether a subject noun phrase can be a speaker (a person, an organisation, a state, an outlet)."""
    c = cues()["claims"]
    if not np or len(np) > 40 or np in c["speaker_stop"] or _NUMBER_ONLY.fullmatch(np):
        return False
    if _ANAPHOR.fullmatch(np):
        return True  # an anaphor: resolved to its antecedent by resolve/links.py
    head = _TRAILING_PAREN.sub("", np).rsplit("の", 1)[-1]
    if head in c["speaker_stop"] or len(head) < 2 and head not in ("米", "露", "中", "英", "仏", "独"):
        return False
    if _COUNT_END.search(head) and _DIGIT.search(head):
        return False
    if head.endswith(_speaker_suffixes()):
        return True
    if _FOREIGN_RUN.search(head):
        return True
    from kansoku.nlp.tokens import tokenize

    toks = tokenize(head)
    return any(t.proper_kind in ("人名", "組織名", "地名") for t in toks) or (
        len(toks) == 1 and toks[0].is_proper and len(head) >= 3)


def _find_speaker(sent: str, limit: int, quote: bool, continued: bool,
                  masked: str | None = None) -> tuple[int, int] | None:
    """Speaker (offsets into ``sent``) among ``sent[:limit]`` outside brackets.

    The first topic (NP は / NP も) wins, else a subject (NP が). A subject right before the quote
    (日本が「…」) is the quote's own subject when the cue continues an earlier speaker (とも, また、).
    """
    pats = _patterns()
    if masked is None:  # else the caller's _mask_brackets(sent[:limit])
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
    # a topic whose own clause has already ended (沢尻とA氏は懇意で、クラブGの関係者は「…」と語った) is not the
    # speaker of this cue: its predicate came before the next topic
    if len(topics) > 1:
        open_topics = [t for k, t in enumerate(topics)
                       if not _CLAUSE_END.search(masked[t[1] : topics[k + 1][0] if k + 1 < len(topics) else len(masked)])
                       or k + 1 == len(topics)]
        topics = open_topics or topics
    best = topics[0] if topics else subjects[0] if subjects else None
    if best is None:
        return None
    # a trailing gloss is not part of the name: 美奈子さん（31歳・会社員） -> 美奈子さん
    gloss = re.search(r"[(（][^()（）]*[)）]$", sent[best[0] : best[1]])
    return (best[0], best[0] + gloss.start()) if gloss else best


# the end of a clause with its own predicate: 懇意で、/ 会談し、/ 述べており、/ 強く、
_CLAUSE_END = rx.compile(r"^[はも]?、?[^、□]{1,20}?(?:[でてしりくけいえ]、|ており、|ていて、|であり、|だが、|ので、|ため、)")


def _sentence_topic(masked: str, m: re.Match[str]) -> bool:
    """A sentence-initial 「NPは、」 topic: a speaker even when its head is not a known title."""
    np = m.group("np")
    if m.start("np") != 0 or m.group("m") != "は" or masked[m.end() : m.end() + 1] != "、":
        return False
    c = cues()["claims"]
    head = np.rsplit("の", 1)[-1]
    return np not in c["speaker_stop"] and head not in c["speaker_stop"] and len(head) >= 3 and not re.search(
        r"[0-9０-９]|(?:年|月|日|週|時|今|前|後|中|際|上|点|面)$", head)


_WHEN = rx.compile(r"^(?:[0-9０-９]{1,2}日(?:付|配信|発売|発行|放送|更新)?|(?:今|昨|前|先|同)[日週月年](?:付|配信|発売)?|"
                   r"[0-9０-９]{1,2}月[0-9０-９]{1,2}日(?:付|配信)?)の")


def _strip_when(sent: str, a: int, b: int) -> tuple[int, int]:
    """A date before a speaker is not part of it: 16日のニコニコニュース → ニコニコニュース."""
    m = _WHEN.match(sent, a, b)
    return (m.end(), b) if m and b - m.end() >= 2 else (a, b)


def _source_np(sent: str, a: int, b: int) -> tuple[int, int]:
    """The source inside an according-to noun phrase: 中国税関総署の統計 → 中国税関総署, 捜査関係者への取材 →
    捜査関係者 (a statistic, a survey or an interview is how the source speaks, not the source)."""
    np = sent[a:b]
    heads = _alt(cues()["claims"]["source_heads"])
    m = re.search(rf"(?:の|への|による|が行った|がまとめた)(?:最新の|今回の|独自の)?(?:{heads})$", np)
    if m and m.start() >= 2:
        return a, a + m.start()
    return a, b


_ADVERBIAL = rx.compile(
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
    if not any(opener in s for opener in _BRACKETS):
        return s  # nothing opens: nothing to mask
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
    """The most recent speaker-like topic, for とも-cues and また、/ その上で continuations in later sentences
    (anaphors such as 同氏 are resolved after extraction, against the entities, by resolve/links.py).

    A sentence without claims may name that topic (``NPは``); finding it costs a speaker search, and only a
    later continuation reads it, so such sentences are kept (:meth:`topic_later`) and searched, the latest
    first, only when ``span`` is read.  A speaker set in the meantime replaces them."""

    __slots__ = ("_pending", "_span")

    def __init__(self) -> None:
        self._span: tuple[int, int] | None = None
        self._pending: list[tuple[str, str, int]] = []

    def topic_later(self, sent: str, masked: str, s0: int) -> None:
        self._pending.append((sent, masked, s0))

    @property
    def span(self) -> tuple[int, int] | None:
        if self._pending:
            for sent, masked, s0 in reversed(self._pending):
                topic = _find_speaker(sent, len(sent), False, False, masked)
                if topic is not None:
                    np = sent[topic[0] : topic[1]]
                    if _FOREIGN_RUN.search(np) or np.endswith(_speaker_suffixes()):
                        self._span = (s0 + topic[0], s0 + topic[1])
                        break
            self._pending.clear()
        return self._span

    @span.setter
    def span(self, value: tuple[int, int] | None) -> None:
        self._pending.clear()
        self._span = value





def extract_claims(doc: Document, author_voice: bool = False) -> list[dict[str, Any]]:
    """All attributions in ``doc``; each record's ``text`` equals ``doc.text[start:end]``.

    ``author_voice``: the document is an opinion or analysis piece by a named author, whose plain
    judgements (〜のだ, 〜ではない, 〜を示している …) are assertions too, not only those with strong modality.
    """
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
            out.extend(_wording_claims(text, sp, []))  # 記事では「…」という表現が…: words the turn attributes
    # the cue patterns a sentence is searched with, ruled out once for the whole document when it lacks
    # their literals (sentences are slices of the text; masking writes □, which no cue literal has)
    live = Live([pats[f] for f in (*_CUE_FAMILIES, "reaction", "according", "wording")], text)
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
                body = (bare_quote.start + 1, bare_quote.start + text[bare_quote.start : bare_quote.end].rindex("」"))
                out.append(_rec(text, bare_quote.start, sp.end, spk_abs, m.group("kou") + m.group("verb"), "quote",
                                body))
                if spk_abs:
                    ctx.span = spk_abs
                bare_quote = None
                continue
        bare_quote = sp if re.fullmatch(r"「[^「」]+」。?", sent) else None
        out.extend(_sentence_claims(text, sp, ctx, author_voice, live))
    out.sort(key=lambda r: (r["start"], r["end"]))
    return out


def _wording_claims(text: str, sp: Span, recs: list[dict[str, Any]], live: Live | None = None) -> list[dict[str, Any]]:
    """記事では「北極星を失った」という表現が使われている: words a text or a person is said to use."""
    s0, sent = sp.start, text[sp.start : sp.end]
    out: list[dict[str, Any]] = []
    wording = _patterns()["wording"]
    if live is None:
        live = Live((), text)
    if not live.may_match(wording, sent):
        return out
    for wm in wording.finditer(sent):
        a, b = _strip_when(sent, wm.start("np"), wm.end("np"))
        np = sent[a:b]
        if not (plausible_speaker(np) or np.endswith(("記事", "原文", "論文", "報告書", "声明", "見出し", "社説", "コラム"))):
            continue
        qs, qe = wm.start("quote"), wm.end("quote")
        if any(r["content_span"]["start"] <= s0 + qs < r["content_span"]["end"] for r in recs if r["start"] == sp.start):
            continue
        out.append(_rec(text, sp.start, sp.end, (s0 + a, s0 + b), sent[qe:wm.end()], "quote",
                        (s0 + qs + 1, s0 + qe - 1)))
    return out


_CIRCULATES = rx.compile(rf"(?P<np>{_NP})(?:では|で)、?")


_CUE_FAMILIES = ("post", "post_plain", "opinion", "statement", "speech", "toshita", "bare_opinion", "koto")


def _sentence_claims(text: str, sp: Span, ctx: _Context, author_voice: bool = False,
                     live: Live | None = None) -> list[dict[str, Any]]:
    pats = _patterns()
    if live is None:
        live = Live((), text)
    s0 = sp.start
    sent = text[sp.start : sp.end]
    masked = _mask_brackets(sent)
    found: list[tuple[int, int, str]] = []  # (cue_start, cue_end, cue)
    weak: set[int] = set()
    post: dict[int, tuple[int, int]] = {}
    for fam in _CUE_FAMILIES:
        for m in live.finditer(pats[fam], masked):
            if any(m.start() < e and s < m.end() for s, e, _ in found):
                continue
            if fam in ("post", "post_plain"):
                a, b = _strip_when(sent, m.start("post"), m.end("post"))
                if not plausible_speaker(sent[a:b]):
                    continue
                post[m.start()] = (a, b)
                found.append((m.start(), m.end(), m.group("q") + m.group("verb")))
                continue
            if fam == "bare_opinion" and not re.search(r"[るたいうずぬ]$", masked[: m.start()]):
                continue  # 慎重な姿勢を示した: an attitude, not a claim
            found.append((m.start(), m.end(), sent[m.start() : m.end()]))
            if fam in ("toshita", "bare_opinion", "koto"):
                weak.add(m.start())
    found.sort()
    recs: list[dict[str, Any]] = []
    rm = pats["reaction"].search(sent) if live.may_match(pats["reaction"], sent) else None
    if rm and plausible_speaker(sent[rm.start("np") : rm.end("np")]):
        # reactions gathered under a place or a group (ネット上では「…」「…」などの批判が相次いだ)
        qs, qe = rm.start("quotes"), rm.end("quotes")
        body = sent[qs:qe].rstrip("、")
        recs.append(_rec(text, sp.start, sp.end, (s0 + rm.start("np"), s0 + rm.end("np")), rm.group("verb"), "quote",
                         (s0 + qs + 1, s0 + qs + len(body) - 1)))
        found = [f for f in found if not (qs <= f[0] <= rm.end())]
    recs += _wording_claims(text, sp, recs, live)
    according = pats["according"].match(masked) if live.may_match(pats["according"], masked) else None
    acc_speaker = None
    if according:
        a, b = _source_np(sent, *_strip_when(sent, according.start("np"), according.end("np")))
        if b > a and plausible_speaker(sent[a:b]):
            acc_speaker = (a, b)
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
        via = None
        if spk is None and cont and ctx.span:
            spk_abs, via = ctx.span, "context"  # …と述べた。また、…とも語った: the previous speaker goes on
        if q_end in weak and (spk_abs is None or (spk is not None and sent[spk[1] : spk[1] + 1] == "が"
                                                  and q_end not in post)):
            continue  # a bare としている / 考えを示した needs a topic speaker (NPは), not the clause's own subject
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
        rec = _rec(text, sp.start, sp.end, spk_abs, cue, "quote" if quote else "reported", content)
        if via:
            rec["_via"] = via
        recs.append(rec)
        prev_end = c_end
    if recs:
        if recs[-1]["speaker_span"]:
            ctx.span = (recs[-1]["speaker_span"]["start"], recs[-1]["speaker_span"]["end"])
        if acc_speaker is not None and all(r["speaker_span"] != {"start": s0 + acc_speaker[0], "end": s0 + acc_speaker[1]}
                                           for r in recs):
            # 朝鮮日報によると、Xは「…」と書き込んだ: the outlet reports what X said; both are claims
            end = len(sent.rstrip("。．"))
            recs.insert(0, _rec(text, sp.start, sp.end, (s0 + acc_speaker[0], s0 + acc_speaker[1]),
                                according.group("cue"), "reported", (s0 + according.end(), s0 + end)))
        return recs
    ctx.topic_later(sent, masked, s0)  # a topic for a later continuation, searched if one asks (_Context)
    if according and acc_speaker and len(masked) - according.end() >= 6:
        # 〜によると、…(という): reported, by the named source
        end = len(sent.rstrip("。．"))
        tail = re.search(r"(?:という|といいます|とのことだ|とのことです|ということだ)$", sent[:end])
        if tail:
            end = tail.start()
        return [_rec(text, sp.start, sp.end, (s0 + acc_speaker[0], s0 + acc_speaker[1]), according.group("cue"),
                     "reported", (s0 + according.end(), s0 + end))]
    # hearsay: no speaker, unless the sentence names where it circulates (外交筋の間では…とささやかれている)
    circ = _CIRCULATES.match(masked)
    circ_spk = None
    if circ:
        a, b = circ.start("np"), circ.end("np")
        inner = re.search(r"の(?:間|中|内部|界隈)$", sent[a:b])
        b = a + inner.start() if inner else b
        if plausible_speaker(sent[a:b]):
            circ_spk = (s0 + a, s0 + b)
    for m in pats["hearsay"].finditer(masked):
        cstart = circ.end() if circ_spk and circ else 0
        content = (s0 + cstart, s0 + m.start())
        if m.start() - cstart >= 4:
            return [_rec(text, sp.start, sp.end, circ_spk, m.group(0), "hearsay", content)]
    m = pats["hearsay_final"].search(masked)
    if m and m.start() >= 4:
        return [_rec(text, sp.start, sp.end, None, sent[m.start() : m.end()].rstrip("。． "), "hearsay",
                     (s0, s0 + m.start()))]
    m = pats["assertion"].search(masked)
    if m is None and author_voice and not pats["not_judgement"].search(masked):
        m = pats["judgement"].search(masked)
    if m and len(sent) >= 10 and not sent.endswith(("？", "?")):
        end = len(sent.rstrip("。．！! "))
        return [_rec(text, sp.start, sp.end, None, m.group(0).rstrip("。．！! "), "assertion", (s0, s0 + end))]
    return []
