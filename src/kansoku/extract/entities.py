"""Entity mention recognition for news text.

Three sources of mentions, in priority order:

1. the gazetteer, scanned with a longest-match trie over a normalised view of each sentence and
   accepted only where it lines up with Sudachi token boundaries (so 露 in 披露 or 加 in 加盟 never match);
2. patterns over Sudachi tokens for names the gazetteer does not know: person names (人名 tags, katakana
   names joined by ・, names before a title such as 大統領 or 氏), organisations (a proper noun compound
   ending in 研究所, 大学, 省, センター …), places (地名 tags, katakana before 州/市/川 …) and events
   (…戦争, …首脳会談);
3. out-of-vocabulary katakana words whose transliteration key matches a gazetteer name (ポクロウシク).

Mentions carry gazetteer candidates; choosing between them and grouping mentions into entities is the
resolve stage's job (``kansoku.resolve.entities``).
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from kansoku import rx
from kansoku.model import Document, Span
from kansoku.nlp.gazetteer import _END, Gazetteer
from kansoku.nlp.gazetteer import default as default_gazetteer
from kansoku.nlp.tokens import Token, tokens
from kansoku.nlp.variants import variant_key
from kansoku.prefilter import Live, may_match

# Words that follow a person's name; longest first so that 大統領報道官 wins over 大統領.
PERSON_TITLES = sorted(
    ["大統領報道官", "大統領補佐官", "副大統領", "大統領", "首相", "副首相", "外相", "国防相", "防衛相", "財務相", "外務大臣", "防衛大臣", "官房長官", "報道官", "事務総長", "事務局長", "総書記", "書記長", "国家主席", "主席", "議長", "長官", "国務長官", "国防長官", "補佐官", "特使", "大使", "司令官", "総司令官", "参謀総長", "将軍", "元帥", "大将", "中将", "少将", "大佐", "国王", "皇太子", "首長", "最高指導者", "党首", "代表", "委員長", "総裁", "会長", "社長", "市長", "知事", "州知事", "議員", "上院議員", "下院議員", "大臣", "相", "氏", "さん", "君", "博士", "教授", "准教授", "記者", "研究員", "上級研究員", "所長", "理事長", "編集長", "師", "司教", "総主教", "容疑者", "被告"],
    key=len,
    reverse=True,
)
_TITLE_RE = rx.compile("(?:" + "|".join(map(re.escape, PERSON_TITLES)) + ")")
_TITLE_END = rx.compile("(?:" + _TITLE_RE.pattern + ")$")

ORG_SUFFIXES = tuple(
    sorted(
        ["研究所", "研究センター", "センター", "大学", "大学院", "省", "庁", "委員会", "評議会", "機構", "財団", "基金", "協会", "学会", "連合", "同盟", "連盟", "党", "通信", "新聞", "放送", "銀行", "公社", "評議会", "議会", "裁判所", "司令部", "艦隊", "部隊", "旅団", "師団", "軍", "政府", "当局", "事務所", "研究会", "フォーラム", "クラブ", "グループ", "社", "局", "会議", "理事会", "院"],
        key=len,
        reverse=True,
    )
)
FAC_SUFFIXES = ("統合基地", "空軍基地", "海軍基地", "基地", "原子力発電所", "原発", "発電所", "空港", "港", "大橋", "橋",
                "ダム", "製油所", "宮殿", "宮", "大聖堂", "聖堂", "広場")
EVENT_SUFFIXES = ("首脳会談", "会談", "戦争", "紛争", "サミット", "危機", "革命", "侵攻", "大戦", "合意", "会議",
                  "選挙", "地震", "震災", "オリンピック", "五輪", "選手権", "映画祭", "博覧会", "万博", "事件", "事変",
                  "作戦", "攻勢")
GPE_SUFFIXES = ("州", "市", "県", "区", "地区", "地方", "自治共和国", "共和国")
LOC_SUFFIXES = ("川", "山", "山脈", "湖", "島", "諸島", "海", "湾", "半島", "海峡", "丘陵", "高原", "平原")
# prefixes that make a compound generic or anaphoric (同研究所, 各国政府)
_ORG_SET = set(ORG_SUFFIXES)
# suffixes that also end ordinary compounds (データ通信, アナログ放送, 研究グループ, 映画祭): the words before them
# must include a proper name, not only katakana common nouns
_WEAK_SUFFIXES = {"通信", "放送", "グループ", "クラブ", "センター", "新聞", "局", "社", "院", "機構", "会議", "事件",
                  "広場", "宮", "港", "橋", "フォーラム", "五輪", "映画祭", "祭"}
_FAC_SET = set(FAC_SUFFIXES)
_EVENT_SET = set(EVENT_SUFFIXES)
_ALL_SUFFIXES = frozenset(_EVENT_SET | _FAC_SET | _ORG_SET)
# the last part of a suffix the tokenizer may split in two (国際|会議): a token ending one of them
_SUFFIX_ENDS = frozenset(x[k:] for x in _ALL_SUFFIXES for k in range(1, len(x)))
_GENERIC_PREFIX = ("同", "当", "本", "各", "両", "その", "この", "同国", "我が", "わが")
# characters that may precede/follow one-kanji country abbreviations inside one token (対露, 訪米, 露軍)
_ABBREV_PREFIX = set("対訪反親在駐来離日")
_ABBREV_SUFFIX = ("軍", "側", "政府", "外相", "首相", "大統領", "紙", "艦", "企業", "産", "製", "国内", "兵", "系")

# one-kanji abbreviations that stand alone far more often as ordinary words (日 day, 土 Saturday, 朝 morning,
# 台 counter, 中 middle) count only in compounds (日米, 米朝, 中台, 米中, 日土)
_LONE_NEVER = frozenset("日月火水木金土朝台中")
_KATA = rx.compile(r"^[ァ-ヺー・]+$")
_LATIN = rx.compile(r"^[A-Za-z]+$")
_KATA_OR_LATIN = rx.compile(r"^(?:[ァ-ヺー]+|[A-Za-z][A-Za-z\.]*)$")
_LATIN_WIDE = rx.compile(r"^[A-Za-zＡ-Ｚａ-ｚ]+$")
_LATIN_CAP = rx.compile(r"^[A-Z][A-Za-z\.\-]*$")


class _Memo(dict):
    """``fn(surface)`` memoised per token surface: the entity patterns ask the same questions of the same
    surfaces over and over (~400,000 times for 300 articles); cleared beyond 100,000 surfaces."""

    __slots__ = ("_fn",)

    def __init__(self, fn: Callable[[str], Any]) -> None:
        super().__init__()
        self._fn = fn

    def __missing__(self, s: str) -> Any:
        if len(self) > 100_000:
            self.clear()
        out = self[s] = self._fn(s)
        return out


def _matches(pattern: re.Pattern[str]) -> _Memo:
    """``pattern.match(s) is not None``, memoised per surface."""
    return _Memo(lambda s: pattern.match(s) is not None)


_IS_KATA = _matches(_KATA)
_IS_LATIN = _matches(_LATIN)
_IS_KATA_OR_LATIN = _matches(_KATA_OR_LATIN)
_IS_LATIN_WIDE = _matches(_LATIN_WIDE)
_IS_LATIN_CAP = _matches(_LATIN_CAP)
# a title inside a token surface (トランプ大統領) as (start, end, title), or None
_TITLE_IN = _Memo(lambda s: (m.start(), m.end(), m.group(0)) if (m := _TITLE_RE.search(s)) else None)


@dataclass(slots=True)
class Mention:
    text: str
    start: int
    end: int
    type: str
    how: str  # gazetteer | abbrev | short | pattern | variant
    candidates: list[str] = field(default_factory=list)
    title: str | None = None
    nested: bool = False
    name_en: str | None = None
    common_word: bool = False  # a short form that is also an ordinary word (ライト, マスク, トランプ)
    person_cue: bool = False  # followed by a title or 政権/陣営/氏 …
    head: Mention | None = None  # for an address compound (ケンタッキー州レキシントン): the place it names
    label: str | None = None  # "loaded": a partisan name for the referent (キエフ政権), see data/loaded_labels.toml

    def as_dict(self) -> dict:
        d = {"text": self.text, "start": self.start, "end": self.end}
        if self.label:
            d["label"] = self.label
        return d


@lru_cache(maxsize=1)
def loaded_labels() -> list[tuple[re.Pattern[str], str, float, str]]:
    """(pattern, referent id, implied stance, note) of ``data/loaded_labels.toml``, compiled once."""
    with resources.files("kansoku").joinpath("data/loaded_labels.toml").open("rb") as f:
        raw = tomllib.load(f)
    return [(rx.compile(x["pattern"]), x.get("referent", ""), float(x.get("stance", 0.0)), x.get("note", ""))
            for x in raw.get("label", [])]


def loaded_label_stance(surface: str) -> float:
    """The attitude a loaded label implies toward its referent (0.0 when ``surface`` is none)."""
    for pat, _ref, stance, _note in loaded_labels():
        if pat.fullmatch(surface):
            return stance
    return 0.0


_SPEAKER_LINE = rx.compile(r"^[ \t　]*(?P<name>[^\s:：「」()（）、。0-9０-９/]{1,16})[ \t　]*[:：](?![ \t]*//)", re.M)


def dialogue_speakers(text: str, min_turns: int = 2) -> list[str]:
    """Names that open several lines as ``NAME: …`` (dialogue explainers, interviews)."""
    counts: dict[str, int] = {}
    for m in _SPEAKER_LINE.finditer(text):
        counts[m.group("name")] = counts.get(m.group("name"), 0) + 1
    return [n for n, c in counts.items() if c >= min_turns and not _NOT_SPEAKER.search(n)]


_NOT_SPEAKER = rx.compile(
    r"(?:出典|筆者|著者|執筆|概要|更新|公開|投稿|シリーズ|写真|画像|注|URL|http|Q|A|TEL|価格|日時|場所|テーマ|解説|"
    r"聞き手|ブログ主|文|記者|編集|翻訳|原題|今回のニュース|Source|Note|https?|ftp|www)$",
)


def find_mentions(
    doc: Document,
    gazetteer: Gazetteer | None = None,
    persons: list[str] | None = None,
    use_ner: bool = True,
) -> list[Mention]:
    """All entity mentions in ``doc``, sentence by sentence, sorted by start.

    ``persons`` are names known from elsewhere to be people (bylines); dialogue speakers are found here.
    Their occurrences are PERSON mentions that take precedence over other readings of the same characters.
    Sentences are tokenised through ``nlp.tokens.tokens`` (once per document).
    """
    text, sentences = doc.text, doc.sentences
    gaz = gazetteer or default_gazetteer()
    seeds = sorted({p for p in (persons or []) + dialogue_speakers(text) if len(p) >= 2}, key=len, reverse=True)
    seed_re = re.compile("|".join(map(re.escape, seeds))) if seeds else None  # per document: not cached
    out: list[Mention] = []
    labels = [x for x in loaded_labels() if may_match(x[0], text)]  # most documents use none of them
    sent_tokens = [tokens(doc, sent) for sent in sentences]
    live = Live([_URL], text)
    if use_ner:
        from kansoku.nlp.ner import predict_many

        # tagged with the rest of the batch by the nlp stage (kansoku.nlp.batch), else here: all sentences at once
        tagged = doc.ner
        ner = tagged if tagged is not None and len(tagged) == len(sentences) else predict_many(sent_tokens)
    for k, sent in enumerate(sentences):
        toks = sent_tokens[k]
        if not toks:
            continue
        found: list[Mention] = []
        if seed_re is not None:
            for m in seed_re.finditer(text, sent.start, sent.end):
                cands = [eid for eid, _ in gaz.lookup(m.group(0)) if (g := gaz.get(eid)) and g.type == "PERSON"]
                found.append(Mention(m.group(0), m.start(), m.end(), "PERSON", "gazetteer" if cands else "seed",
                                     cands, title=_title_at(text, m.end())))
        urls = [(u.start(), u.end()) for u in live.finditer(_URL, text, sent.start, sent.end)]
        found = [m for m in found if not _overlaps(m.start, m.end, urls)]
        for pat, ref, _stance, _note in labels:
            for m in pat.finditer(text, sent.start, sent.end):
                ge = gaz.get(ref) if ref else None
                if ge is None or _overlaps(m.start(), m.end(), [(x.start, x.end) for x in found] + urls):
                    continue
                found.append(Mention(m.group(0), m.start(), m.end(), ge.type, "loaded", [ref], label="loaded"))
        seeded = [(m.start, m.end) for m in found] + urls
        found += [m for m in _gazetteer_mentions(text, sent, toks, gaz, urls) if not _overlaps(m.start, m.end, seeded)]
        covered = [(m.start, m.end) for m in found if not m.nested] + urls
        places = {(m.start, m.end) for m in found if m.type in ("GPE", "LOC", "NORP") or m.how == "abbrev"}
        found += _pattern_mentions(text, toks, covered, places, gaz)
        if use_ner:
            added, dropped = _ner_mentions(text, toks, found, urls, ner[k])
            found = [m for m in found if not any(m is d for d in dropped)] + added
        _regnal_numbers(text, found, gaz)
        found += _government_compounds(text, found)
        _mark_nested(found)
        out.extend(m for m in found if not _head_of_owner(m, found))
    out.sort(key=lambda m: (m.start, -m.end))
    return out


# ---------------------------------------------------------------- gazetteer scan


_NORM_CHAR: dict[str, str] = {}


def _norm_char(ch: str) -> str:
    """One character as surface_key() sees it ("" for spaces and joiners), memoised per process."""
    n = _NORM_CHAR.get(ch)
    if n is None:
        n = "" if ch.isspace() or ch in "・･·‧=＝.-‐－‑–—" else unicodedata.normalize("NFKC", ch).casefold()
        _NORM_CHAR[ch] = n
    return n


def _norm_view(text: str, span: Span) -> tuple[str, list[int] | range]:
    """The sentence as surface_key() sees it, with a map from each normalised char to its source index (a
    ``range`` when every character became exactly one)."""
    part = text[span.start : span.end]
    view = part.translate(_NORM_TABLE)
    if _NORM_TABLE.irregular.isdisjoint(part):  # every character became exactly one: the map is the identity
        return view, range(span.start, span.end)
    # the runs between irregular characters map one to one; an irregular one to its output's length
    index: list[int] = []
    prev = span.start
    for m in _NORM_TABLE.irregular_re().finditer(text, span.start, span.end):
        p = m.start()
        index += range(prev, p)
        index += [p] * len(_NORM_TABLE[ord(text[p])])
        prev = p + 1
    index += range(prev, span.end)
    return view, index


class _NormTable(dict):
    """``str.translate`` table of :func:`_norm_char`, filled on first sight of each character; ``irregular``
    holds the characters that do not become exactly one character (spaces, joiners, ligatures)."""

    def __init__(self) -> None:
        super().__init__()
        self.irregular: set[str] = set()
        self._irregular_re: tuple[int, re.Pattern[str]] = (0, re.compile("(?!)"))

    def irregular_re(self) -> re.Pattern[str]:
        """A character class of the irregular characters met so far."""
        size, pattern = self._irregular_re
        if size != len(self.irregular):
            chars = "".join(re.escape(c) for c in sorted(self.irregular))
            self._irregular_re = (len(self.irregular), pattern := re.compile(f"[{chars}]"))
        return pattern

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        n = self[code] = _norm_char(ch)
        if len(n) != 1:
            self.irregular.add(ch)
        return n


_NORM_TABLE = _NormTable()


_PERSON_CUE = rx.compile(r"(?:政権|陣営|一家|夫妻|夫人|元大統領|前大統領|次期大統領|氏)")
_URL = rx.compile(r"https?://[^\s<>「」()（）]+|www\.[^\s<>「」()（）]+|@[A-Za-z0-9_]{2,}")


class _TokenAt:
    """``get(pos)``: the token covering character ``pos`` (or None), found by bisection over the token starts
    instead of a dict entry per character."""

    __slots__ = ("_starts", "_toks")

    def __init__(self, toks: list[Token]) -> None:
        self._toks = toks
        self._starts = [t.start for t in toks]

    def get(self, pos: int) -> Token | None:
        k = bisect_right(self._starts, pos) - 1
        if k >= 0:
            t = self._toks[k]
            if t.start <= pos < t.end:
                return t
        return None


def _gazetteer_mentions(text: str, sent: Span, toks: list[Token], gaz: Gazetteer,
                        urls: list[tuple[int, int]] | None = None) -> list[Mention]:
    view, index = _norm_view(text, sent)
    if urls is None:
        urls = [(m.start(), m.end()) for m in _URL.finditer(text, sent.start, sent.end)]
    starts = {t.start for t in toks}
    ends = {t.end for t in toks}
    tok_at = _TokenAt(toks)
    # where a match may start: a token start, or inside a short token made of country abbreviations (米露,
    # 日米, 対露: each kanji may start one; _abbrev_run)
    inside: list[int] = []
    for t in toks:
        if 1 < t.end - t.start <= 4:
            k = _abbrev_run(t.surface, gaz)
            if k > 1:
                inside += range(t.start + 1, t.start + k)
    out: list[Mention] = []
    n = len(view)
    if isinstance(index, range) and not inside:  # the identity map (see _norm_view): the token starts, in order
        candidates = [t.start - sent.start for t in toks if sent.start <= t.start < sent.end]
    else:
        may_start = starts.union(inside)
        if isinstance(index, range):
            candidates = sorted(p - sent.start for p in may_start if sent.start <= p < sent.end)
        else:
            candidates = [k for k in range(n) if index[k] in may_start]
    root = gaz.trie
    after = 0  # the end of the last accepted match: no candidate before it
    for i in candidates:
        if i < after or view[i] not in root:
            continue
        s0 = index[i]
        node = root
        j = i
        hits: list[tuple[int, str]] = []
        while j < n and view[j] in node:
            node = node[view[j]]
            j += 1
            if _END in node:
                hits.append((j, node[_END]))
        accepted = None
        for j_end, key in reversed(hits):
            e0 = index[j_end - 1] + 1
            cands = gaz.by_surface[key]
            hows = {h for _, h in cands}
            if hows == {"abbrev"}:
                if _abbrev_ok(text, s0, e0, tok_at, gaz):
                    accepted = (j_end, e0, cands, "abbrev")
                    break
                continue
            if key in gaz.cased and not _latin_ok(text, s0, e0, gaz.cased[key]):
                continue  # ISW11K, IS03, Galaxy Note: a short Latin name must stand alone, in its own case
            if e0 in ends or _title_follows(text, e0) or _suffix_follows(text, e0):
                # a single-kanji alias must stand as a token of its own
                if e0 - s0 == 1 and not (s0 in starts and e0 in ends):
                    continue
                accepted = (j_end, e0, cands, "short" if hows == {"short"} else "gazetteer")
                break
        if accepted is not None and urls and _overlaps(s0, accepted[1], urls):
            accepted = None
        if accepted is not None and accepted[3] == "gazetteer" and not _credit_ok(text, s0, accepted[1], tok_at, gaz,
                                                                                accepted[2]):
            accepted = None  # 共同設立, 時事問題: an agency's short name that is an ordinary word
        if accepted is not None and accepted[3] == "short" and s0 > 0 and (
            text[s0 - 1] in "・･=＝" or _IS_KATA_OR_LATIN[text[s0 - 1]]
        ):
            accepted = None  # サラ・サンダース, JJブラウン: the name goes on to the left
        if accepted is not None and accepted[3] == "short":
            nxt_t = tok_at.get(accepted[1])
            if nxt_t is not None and nxt_t.start == accepted[1] and nxt_t.proper_kind == "人名":
                accepted = None  # 西村|康稔: a different person's full name
        if accepted is None:
            continue
        j_end, e0, cands, how = accepted
        ids = [eid for eid, _ in cands]
        ent = gaz.get(ids[0])
        etype = ent.type if ent else "OTHER"
        title = _title_at(text, e0)
        m = Mention(text[s0:e0], s0, e0, etype, how, ids, title)
        if how == "short":
            tok = tok_at.get(s0)
            m.common_word = bool(tok and tok.start == s0 and not tok.is_proper and not tok.oov)
            m.person_cue = title is not None or _PERSON_CUE.match(text, e0) is not None
        compound = _direction_compound(text, m, tok_at, gaz) if etype in ("GPE", "LOC") else None
        if compound is not None:
            m.nested = True
            out.append(compound)
        out.append(m)
        if etype in ("ORG", "FAC", "EVENT", "OTHER") and e0 - s0 > 3:
            out.extend(_nested_places(text, Span(s0, e0), toks, gaz))
        after = j_end
    return out


_DIRECTIONS = {"東": "East", "西": "West", "南": "South", "北": "North", "中央": "Central", "北東": "Northeast",
               "北西": "Northwest", "南東": "Southeast", "南西": "Southwest", "極東": "Far East"}


def _direction_compound(text: str, m: Mention, tok_at: dict, gaz: Gazetteer) -> Mention | None:
    """東シベリア, 西ヨーロッパ: a compass prefix token glued to a known place is a region of its own."""
    prev = tok_at.get(m.start - 1)
    if prev is None or prev.end != m.start or prev.surface not in _DIRECTIONS:
        return None
    base = gaz.get(m.candidates[0]) if m.candidates else None
    en = f"{_DIRECTIONS[prev.surface]} {base.name_en}" if base else None
    return Mention(text[prev.start : m.end], prev.start, m.end, "LOC", "pattern", [], name_en=en)


def _credit_ok(text: str, s: int, e: int, tok_at: dict, gaz: Gazetteer, cands: list) -> bool:
    """A news agency's short name that Sudachi reads as one common noun (共同, 時事) counts only in a wire
    credit: 【北京=共同】, （共同）, 共同電."""
    t = tok_at.get(s)
    if t is None or (t.start, t.end) != (s, e) or t.is_proper or t.oov or t.pos[0] != "名詞":
        return True
    if not any((g := gaz.get(eid)) is not None and g.kind == "news_agency" for eid, _ in cands):
        return True
    before = text[s - 1] if s > 0 else ""
    after = text[e] if e < len(text) else ""
    return before in "=＝（(【" or after in "）)】" or after == "電"


def _latin_ok(text: str, s: int, e: int, spellings: set[str]) -> bool:
    surf = unicodedata.normalize("NFKC", text[s:e]).replace(" ", "")
    if surf not in spellings:
        return False
    before = text[s - 1] if s > 0 else " "
    after = text[e] if e < len(text) else " "
    return not (before.isascii() and before.isalnum()) and not (after.isascii() and after.isalnum())


def _abbrev_run(surface: str, gaz: Gazetteer) -> int:
    """How many leading characters of ``surface`` are country abbreviations or their prefixes (対, 訪 …),
    memoised per gazetteer."""
    memo = gaz.memo.get("abbrev_run")
    if memo is None or len(memo) > 100_000:
        memo = gaz.memo["abbrev_run"] = {}
    n = memo.get(surface)
    if n is None:
        n = 0
        for c in surface:
            if not (c in _ABBREV_PREFIX or any(h == "abbrev" for _, h in gaz.by_surface.get(c, []))):
                break
            n += 1
        memo[surface] = n
    return n


def _load_abbrev() -> dict:
    raw = tomllib.loads((resources.files("kansoku") / "data" / "abbrev.toml").read_text(encoding="utf-8"))
    return {"readings": raw["readings"], "words": frozenset(raw["ordinary"]["words"]),
            "suffix_use": frozenset(raw["ordinary"]["suffix_use"])}


_ABBREV = _load_abbrev()


def _sounds_like_abbrevs(t: Token, chars: str) -> bool:
    """A multi-kanji token read as abbreviations: not a person or place name, not a listed ordinary word,
    and its reading holds each character's on-yomi in order (米露 ベイロ; not 土産 ミヤゲ)."""
    if t.proper_kind in ("人名", "地名") or t.surface in _ABBREV["words"]:
        return False
    reading = t.reading
    pos = 0
    for c in chars:
        options = _ABBREV["readings"].get(c)
        if not options:
            continue
        hits = [k for r in options if (k := reading.find(r, pos)) >= 0]
        if not hits:
            return False
        k = min(hits)
        pos = k + 1
    return True


def _abbrev_ok(text: str, s: int, e: int, tok_at: dict, gaz: Gazetteer) -> bool:
    t = tok_at.get(s)
    if t is None:
        return False
    surf = t.surface
    rest = surf
    for suf in _ABBREV_SUFFIX:
        if rest.endswith(suf) and len(rest) > len(suf):
            rest = rest[: -len(suf)]
            break
    if rest and rest[0] in _ABBREV_PREFIX and len(rest) > 1:
        rest = rest[1:]
    if not rest or not all(any(h == "abbrev" for _, h in gaz.by_surface.get(c, [])) for c in rest):
        return False
    if len(surf) > 1 and not _sounds_like_abbrevs(t, rest):
        return False  # 宇土 (a surname), 土産, 朝日, 対比: ordinary words made of the same characters
    if len(surf) == 1 and surf in _ABBREV["suffix_use"]:
        prev_t = tok_at.get(t.start - 1)
        if prev_t is not None and prev_t.end == t.start and prev_t.pos[0] == "名詞" and prev_t.pos[1] != "数詞":
            return False  # 男女比, ◎印: a ratio or a mark after a noun
    if len(surf) == 1:
        prev_t = tok_at.get(t.start - 1)
        next_t = tok_at.get(t.end)
        # 15日, 3月 …: a counter after a number, never a country
        if (prev_t is not None and prev_t.pos[1] == "数詞") or surf in _LONE_NEVER:
            return False
        if next_t is not None and next_t.pos[1] == "数詞":
            return False
        # a lone kanji tagged as part of a person name (田中|宇) is not an abbreviation
        for nb in (prev_t, next_t):
            if nb is not None and nb.proper_kind == "人名" and not gaz.by_surface.get(nb.surface):
                return False
    return True


def _title_at(text: str, pos: int) -> str | None:
    m = _TITLE_RE.match(text, pos)
    return m.group(0) if m else None


def _title_follows(text: str, pos: int) -> bool:
    return _TITLE_RE.match(text, pos) is not None


_SUFFIX_FOLLOW = rx.compile(
    "(?:" + "|".join(map(re.escape, ORG_SUFFIXES + GPE_SUFFIXES + LOC_SUFFIXES + ("東部", "西部", "南部",
    "北部", "中部", "側", "人", "系", "領", "産", "製", "国内", "国民", "全土", "首脳", "政権", "陣営", "一家",
    "夫妻"))) + ")"
)


def _suffix_follows(text: str, pos: int) -> bool:
    return _SUFFIX_FOLLOW.match(text, pos) is not None


def _nested_places(text: str, span: Span, toks: list[Token], gaz: Gazetteer) -> list[Mention]:
    out = []
    for t in toks:
        if t.start < span.start or t.end > span.end or (t.start == span.start and t.end == span.end):
            continue
        cands = gaz.lookup(t.surface)
        ids = [eid for eid, how in cands if how in ("name", "alias")]
        ents = [gaz.get(i) for i in ids]
        if ids and ents[0] is not None and ents[0].type in ("GPE", "LOC", "ORG"):
            out.append(Mention(t.surface, t.start, t.end, ents[0].type, "gazetteer", ids, nested=True))
    return out


# ---------------------------------------------------------------- patterns


def _is_name_piece(t: Token) -> bool:
    if t.proper_kind == "人名":
        return True
    if _IS_KATA[t.surface] and t.surface != "・":
        return t.oov or t.is_proper or len(t.surface) >= 2
    return bool(_IS_LATIN_CAP[t.surface]) and len(t.surface) <= 2


class Cover:
    """Character positions taken by mentions; overlap tests in O(span length)."""

    __slots__ = ("pos",)

    def __init__(self, spans: Iterable[tuple[int, int]] = ()) -> None:
        self.pos: set[int] = set()
        for s, e in spans:
            self.add(s, e)

    def add(self, s: int, e: int) -> None:
        self.pos.update(range(s, e))

    def hits(self, s: int, e: int) -> bool:
        return bool(self.pos) and not self.pos.isdisjoint(range(s, e))


def _overlaps(s: int, e: int, covered: Cover | list[tuple[int, int]]) -> bool:
    if isinstance(covered, Cover):
        return covered.hits(s, e)
    return any(s < ce and cs < e for cs, ce in covered)


# parts of speech a name, an organisation or a place can start with (others are skipped by _pattern_mentions)
_NAME_POS = frozenset({"名詞", "接頭辞", "接尾辞"})
_KATA_OR_LATIN_ANY = rx.compile(r"[ァ-ヺー・A-Za-zＡ-Ｚａ-ｚ]")
_HAS_KATA_OR_LATIN = _matches(_KATA_OR_LATIN_ANY)


def _pattern_mentions(
    text: str, toks: list[Token], spans: list[tuple[int, int]], place_spans: set[tuple[int, int]], gaz: Gazetteer
) -> list[Mention]:
    out: list[Mention] = []
    n = len(toks)
    i = 0
    covered = Cover(spans)
    places = Cover(place_spans)
    # an organisation or event compound may start with a known place (キーウ国際社会学研究所, 米露首脳会談)
    free = Cover(c for c in spans if c not in place_spans)
    tails = _Tails(toks)
    while i < n:
        t = toks[i]
        if t.pos[0] not in _NAME_POS and not _HAS_KATA_OR_LATIN[t.surface]:
            i += 1  # a particle, a verb, punctuation: no organisation, person or place starts here
            continue
        m, nxt = _org_or_event_at(text, toks, i, free, places, tails) if tails.may_end(i) else (None, i)
        if m is not None and (m.start, m.end) in place_spans:
            m = None
            nxt = i
        if m is not None:
            out.append(m)
            covered.add(m.start, m.end)
            free.add(m.start, m.end)
            i = nxt
            continue
        if not (t.is_proper or _IS_KATA[t.surface] or _IS_LATIN_CAP[t.surface]) or _overlaps(t.start, t.end, covered):
            # neither a person (a name piece or a 人名 token) nor a place (a 地名 token, a katakana word) starts here
            i += 1
            continue
        m, nxt = _person_at(text, toks, i, covered)
        if m is None:
            m, nxt = _place_at(text, toks, i, covered, gaz)
        if m is not None:
            out.append(m)
            covered.add(m.start, m.end)
            free.add(m.start, m.end)
            i = nxt
        else:
            i += 1
    return out


_NER_TYPES = {"PERSON": "PERSON", "ORG": "ORG", "LOC": "GPE", "FAC": "FAC", "EVENT": "EVENT"}
_ABBREV_ONLY = rx.compile(r"^[米英露中朝韓日台宇独仏伊加豪印欧比墨蘭墺伯越土]+$")
_NER_ORG_JUNK = ("政権", "情勢", "政府", "側")


def _ner_mentions(
    text: str, toks: list[Token], found: list[Mention], urls: list[tuple[int, int]],
    predicted: list[tuple[int, int, str]] | None = None,
) -> tuple[list[Mention], list[Mention]]:
    """Names the statistical tagger finds where the gazetteer and the patterns found nothing.

    The gazetteer and patterns always win on overlap (the tagger is trained on Wikipedia, not news);
    PRODUCT is dropped and EVENT kept only with an event suffix, both being noisy on news text.
    """
    from kansoku.nlp.ner import predict

    out = []
    dropped: list[Mention] = []
    found = list(found)
    tok_by_span = {(t.start, t.end): t for t in toks}
    for s, e, label in predict(text, toks) if predicted is None else predicted:
        etype = _NER_TYPES.get(label)
        surf = text[s:e]
        if label == "PRODUCT":
            # a quoted title or an award named after a place (「デトロイト・メタル・シティ」, 欧州最優秀選手賞): kept
            # as the outer name of the places inside it, which are then nested, not mentions of the place itself
            inner = [m for m in found if not m.nested and s <= m.start and m.end <= e]
            if (inner and all(m.type in ("GPE", "LOC") for m in inner) and (inner[0].start, inner[-1].end) != (s, e)
                    and len(surf) <= 20 and "/" not in surf
                    and ((text[s - 1 : s] in ("「", "『", "“") and text[e : e + 1] in ("」", "』", "”"))
                         or surf.endswith("賞"))
                    and not any(m.start < s < m.end or m.start < e < m.end for m in found if not m.nested)
                    and not _overlaps(s, e, urls)):
                etype = "PRODUCT"
        if etype is None or len(surf) < 2 or _ABBREV_ONLY.match(surf):
            continue
        one = tok_by_span.get((s, e))
        if (etype in ("ORG", "GPE") and one is not None and not one.oov and one.proper_kind in (None, "一般")
                and text[s - 1 : s] in ("「", "『") and text[e : e + 1] in ("」", "』")):
            continue  # 反米という「北極星」: a dictionary word set off as a term or a metaphor, not a name
        inside = [m for m in found if not m.nested and m.start < e and s < m.end]
        if label in ("ORG", "FAC", "PRODUCT") and len(inside) == 1:
            p = inside[0]
            if label == "ORG" and (p.start, p.end) == (s, e) and p.how == "pattern" and p.type in ("GPE", "LOC"):
                p.type = "ORG"  # いすゞ, アマゾン: Sudachi tags the word as a place, the context says company
                continue
            named_after = (p.start == s and p.end < e and surf.endswith(ORG_SUFFIXES + FAC_SUFFIXES)
                           and _KATA.match(p.text.replace("=", "・").replace("＝", "・")) is not None) or (
                p.end == e and surf.startswith(_COMPANY_PREFIX))  # 株式会社マツモト
            if ((p.start, p.end) == (s, e) or named_after) and p.type == "PERSON" and p.how == "pattern" and not p.title:
                # フリードリヒ=アレクサンダー大学: an institution named after a person is not the person
                # ギブソン・ギター・コーポレーション: a katakana name the tagger knows is not a person
                found.remove(p)
                dropped.append(p)
                if label == "PRODUCT":
                    continue
                inside = []
        if _overlaps(s, e, urls) or any(m.start < s or m.end > e for m in inside):
            continue  # crosses a known mention or a URL
        if (etype == "PERSON" and len(inside) == 1 and inside[0].type == "PERSON" and inside[0].how == "pattern"
                and inside[0].start == s and inside[0].end < e and not inside[0].title and len(surf) <= 5
                and _NAME_CHARS.match(surf) and not _IS_KATA[surf] and _title_at(text, inside[0].end) is None):
            # 宮本甚|七, 西村正|暘: a rare given-name kanji Sudachi splits off; the tagger has the whole name
            p = inside[0]
            p.end, p.text = e, surf
            continue
        if (etype == "PERSON" and inside and len(surf) >= 3 and not surf.endswith(GPE_SUFFIXES + LOC_SUFFIXES)
                and all(m.how == "pattern" and m.type in ("GPE", "LOC") for m in inside)
                and sum(m.end - m.start for m in inside) < e - s and _NAME_CHARS.match(surf)):
            # 柳田長谷男, 王金華, 藤ヶ谷陽介: a person's name that contains a word Sudachi also tags as a place
            for m in inside:
                found.remove(m)
                dropped.append(m)
            inside = []
        if etype == "GPE" and _address_compound(text, s, e, inside):
            # ケンタッキー州レキシントン, 福岡県福岡市博多区: one place written as an address; the parts stay as
            # nested mentions and the whole names its last part when it ends with one
            inside.sort(key=lambda m: m.start)
            for m in inside:
                m.nested = True
            head = inside[-1] if inside[-1].end == e else None
            if head is None and _town_after_state(text, inside[-1], e):
                # エイダ in オクラホマ州エイダ
                head = Mention(text[inside[-1].end : e], inside[-1].end, e, "GPE", "pattern", nested=True)
                out.append(head)
            out.append(Mention(surf, s, e, head.type if head else "GPE", "compound", head=head))
            found.append(out[-1])
            continue
        if inside and (etype in ("PERSON", "GPE") or any(m.type == "PERSON" for m in inside)
                       or any((m.start, m.end) == (s, e) for m in inside)):
            continue  # the known mentions already say what this is
        one = tok_by_span.get((s, e))
        if etype == "PERSON" and one is not None and not one.oov and (
                one.proper_kind != "人名" or (len(surf) <= 2 and _IS_KATA[surf])):
            continue  # a dictionary common noun (テルミン) or a two-kana word (クマ, テレ) is not a name here
        if etype == "EVENT" and not surf.endswith(EVENT_SUFFIXES) and not inside:
            continue  # an event name needs an event word or a known place/organisation inside it
        if etype == "ORG" and surf.endswith(_NER_ORG_JUNK) or _EQUALS_NOT_IN_NAME.search(surf):
            continue  # 中国政府 is the government compound's; 北京＝共同 is a wire credit
        if etype == "GPE" and surf.endswith(LOC_SUFFIXES):
            etype = "LOC"
        if surf.isdigit() or not any(ch.isalpha() for ch in surf):
            continue
        for m in inside:  # a longer name around known places/orgs: ワシントン・ポスト, 日本橋
            m.nested = True
        out.append(Mention(surf, s, e, etype, "ner"))
        found.append(out[-1])
    return out, dropped


_KANJI = rx.compile(r"[\u4e00-\u9fff々]")
_HAS_KANJI = _Memo(lambda s: _KANJI.search(s) is not None)
_COMPANY_PREFIX = ("株式会社", "有限会社", "合同会社", "合資会社")
_EQUALS_NOT_IN_NAME = rx.compile(r"[=＝](?![ァ-ヺ])|(?<![ァ-ヺー])[=＝]")
_REGNAL = rx.compile(r"[0-9０-９一二三四五六七八九十]{1,3}世(?![界紀代帯])")


def _regnal_numbers(text: str, found: list[Mention], gaz: Gazetteer) -> None:
    """フセイン1世, エリザベス2世: a regnal number belongs to the name and makes it another person than the
    bare name's gazetteer reading (Hussein of Jordan is not Saddam Hussein)."""
    for m in found:
        if m.type != "PERSON" or m.nested:
            continue
        r = _REGNAL.match(text, m.end)
        if r is None:
            continue
        full = text[m.start : r.end()]
        m.candidates = [c for c in m.candidates if (g := gaz.get(c)) and full in (g.name, *g.aliases, *g.short)]
        m.end, m.text, m.how = r.end(), full, m.how if m.candidates else "pattern"


_NAME_CHARS = rx.compile(r"^(?:[\u4e00-\u9fff々ヶ]+|[ァ-ヺー・=＝]+)$")
_GOVERNMENT = rx.compile(r"政府|政権|内閣|陣営")


def _government_compounds(text: str, found: list[Mention]) -> list[Mention]:
    """トランプ政権, 米政府, ロシア政府: a government is an organisation mention, resolved to the person or
    country it belongs to (its head); the name inside stays as a nested mention."""
    flat = [m for m in found if not m.nested]
    out = []
    for m in found:
        if m.type == "GPE" and m.text.endswith("政府") and not m.nested:
            m.type = "ORG"  # a gazetteer alias that is already the government (日本政府)
            continue
        if m.type not in ("PERSON", "GPE", "ORG", "NORP"):
            continue
        g = _GOVERNMENT.match(text, m.end)
        if g is None:
            continue
        same = [o for o in flat if (o.start, o.end) == (m.start, g.end()) and o.how == "pattern"]
        if same:  # the organisation pattern found 米政府 as an unknown name: it is the head's government
            same[0].how, same[0].head = "compound", m
            continue
        if m.nested or any(o is not m and o.start < g.end() and m.end < o.end for o in flat):
            continue
        m.nested = True
        out.append(Mention(text[m.start : g.end()], m.start, g.end(), "ORG", "compound", head=m))
    return out


_ADDRESS_GLUE = rx.compile(
    r"^[\u4e00-\u9fff々ヶケぁ-んァ-ヺー0-9０-９]*?(?:[州県市区郡町村都道府省島藩]|諸島|諸国|丁目|番地|地区|地方|自治区|"
    r"自治州|特別区|広域市|半島|帝国|王国|国|[0-9０-９]+区)$"
)
_COMPASS = rx.compile(r"[東西南北中]部|[東西南北]側|沿岸|周辺|近郊|郊外|一帯|全土|国境")


def _address_compound(text: str, s: int, e: int, inside: list[Mention]) -> bool:
    """A tagger place span that starts with a known place, contains only known places (no persons, no
    organisations, no one-kanji abbreviations) and is longer than them: 京都市西京区, 香港島, オハイオ州シン
    シナティ. Compass and area words (東部, 周辺) keep the news reading: ウクライナ東部 is Ukraine."""
    if not inside or any(m.type not in ("GPE", "LOC") or m.how == "abbrev" for m in inside):
        return False
    if min(m.start for m in inside) != s or (len(inside) == 1 and inside[0].end == e):
        return False
    if _COMPASS.search(text, s, e) is not None:
        return False
    # what the known places leave over must be address words: 市西京区, 県福岡市博多区, 七丁目, 10区, 諸国
    pos = s
    for m in sorted(inside, key=lambda m: m.start):
        glue = text[pos : m.start]
        if glue and glue not in ("・", "･") and not _ADDRESS_GLUE.match(glue):
            return False
        pos = max(pos, m.end)
    if pos == e or _ADDRESS_GLUE.match(text[pos:e]) is not None:
        return True
    return _town_after_state(text, max(inside, key=lambda m: m.end), e)


_TAIL_PLACE = rx.compile(r"^(?:[ァ-ヺー]{2,}|[\u4e00-\u9fff々ヶ]{2,4})$")


def _town_after_state(text: str, last: Mention, e: int) -> bool:
    """オクラホマ州エイダ: after a state or prefecture, one more place name the gazetteer does not know."""
    return last.text.endswith(("州", "県", "省", "府", "都", "道")) and _TAIL_PLACE.match(text[last.end : e]) is not None


def _mark_nested(found: list[Mention]) -> None:
    """Places and organisations inside a longer organisation, facility or event name are nested mentions."""
    outer = [m for m in found if m.type in ("ORG", "FAC", "EVENT", "OTHER") and not m.nested]
    for m in found:
        if m.nested or m.type == "PERSON":
            continue
        for o in outer:
            if o is not m and o.start <= m.start and m.end <= o.end and (o.end - o.start) > (m.end - m.start):
                m.nested = True
                break


def _head_of_owner(m: Mention, found: list[Mention]) -> bool:
    """The generic head of an owned organisation (外務省 in ロシア外務省, 国防省 in 米国防省): not a mention of
    its own — read alone, a bare 外務省 would be another country's ministry."""
    return m.nested and m.type == "ORG" and any(
        o is not m and not o.nested and o.type == "ORG" and o.end == m.end and o.start < m.start
        and (o.candidates or len(m.candidates) > 1 or m.how == "short") for o in found)


def _noun_like(t: Token) -> bool:
    return t.pos[0] in ("名詞", "接頭辞") or (t.pos[0] == "接尾辞" and t.pos[1] == "名詞的") or bool(
        _IS_LATIN_WIDE[t.surface]
    ) or t.surface == "・"


class _Tails:
    """Per sentence: the suffix a compound ending at each token would have (its surface, or the last two
    surfaces, in the event / facility / organisation suffix lists), and where the next one is, so that
    :func:`_org_or_event_at` is tried only where a suffix can still be reached."""

    __slots__ = ("kind", "weak", "next", "toks")

    def __init__(self, toks: list[Token]) -> None:
        n = len(toks)
        self.toks = toks
        self.kind: list[str | None] = [None] * n
        self.weak = [False] * n
        for j in range(1, n):
            t = toks[j].surface
            if t in _ALL_SUFFIXES or (t in _SUFFIX_ENDS and toks[j - 1].surface + t in _ALL_SUFFIXES):
                tails = {t, toks[j - 1].surface + t}
                self.weak[j] = bool(tails & _WEAK_SUFFIXES)
                self.kind[j] = ("EVENT" if tails & _EVENT_SET else "FAC" if tails & _FAC_SET
                                else "ORG" if tails & _ORG_SET else None)
        # next[j]: the first position >= j with a suffix (n: none)
        self.next = nxt = [n] * (n + 1)
        for j in range(n - 1, -1, -1):
            nxt[j] = j if self.kind[j] is not None else nxt[j + 1]

    def may_end(self, i: int) -> bool:
        """A compound from ``i`` can reach a suffix: the next one is within ten tokens, all of them noun-like
        (a later suffix lies beyond the same break)."""
        j = self.next[i + 1]
        if j >= len(self.kind) or j > i + 10:
            return False
        toks = self.toks
        return all(_noun_like(toks[k]) for k in range(i, j + 1))


def _org_or_event_at(
    text: str, toks: list[Token], i: int, covered: Cover, places: Cover, tails: _Tails
) -> tuple[Mention | None, int]:
    """A noun compound starting at i and ending in an organisation or event suffix (``tails``: the
    sentence's suffixes, :class:`_Tails`)."""
    if toks[i].surface in ("・", "･", "=", "＝"):
        return None, i
    j = i
    best = None
    has_name = False
    has_word = False  # a katakana common noun (バアス, データ): a name only before a strong suffix (党, 大学)
    while j < len(toks) and _noun_like(toks[j]) and not _overlaps(toks[j].start, toks[j].end, covered):
        t = toks[j]
        if t.surface in ("・", "･") and j > i and not (
                _IS_KATA_OR_LATIN[toks[j - 1].surface] and j + 1 < len(toks)
                and _IS_KATA_OR_LATIN[toks[j + 1].surface]):
            break  # 師範学校・支庁・三井銀行 is a list; only katakana names join with ・
        if (t.is_proper or (_IS_KATA[t.surface] and (t.oov or t.pos[1] != "普通名詞")) or _IS_LATIN[t.surface]
                or places.hits(t.start, t.end)):
            has_name = True
        elif _IS_KATA[t.surface] and t.surface != "・":
            has_word = True
        if j > i and (has_name or has_word):
            kind = tails.kind[j]
            if kind is None or (not has_name and tails.weak[j]):
                pass  # データ通信, テレビ放送, アイドルグループ
            else:
                best = (j, kind)
        j += 1
        if j - i > 10:
            break
    if best is None:
        return None, i
    j, etype = best
    # drop leading tokens that are neither names nor places (③, 元, 調査機関 …)
    k = i
    while k < j and not (
        toks[k].is_proper or _IS_KATA[toks[k].surface] or _IS_LATIN[toks[k].surface]
        or places.hits(toks[k].start, toks[k].end)
    ):
        k += 1
    if k > i and k < j:
        return None, i  # let the scan reach the real start of the name
    s, e = toks[i].start, toks[j].end
    surf = text[s:e]
    if surf.startswith(_GENERIC_PREFIX) or (etype == "EVENT" and surf.endswith("会議") and False):
        return None, i
    return Mention(surf, s, e, etype, "pattern"), j + 1


def _person_at(text: str, toks: list[Token], i: int, covered) -> tuple[Mention | None, int]:
    t0 = toks[i]
    # one token that already carries a title: トランプ大統領
    tm = _TITLE_IN[t0.surface]
    if t0.proper_kind == "人名" and tm and tm[1] == len(t0.surface) and tm[0] > 0:
        e = t0.start + tm[0]
        return Mention(text[t0.start : e], t0.start, e, "PERSON", "pattern", title=tm[2]), i + 1
    if not _is_name_piece(t0):
        return None, i
    if _IS_LATIN_CAP[t0.surface] and not (i + 1 < len(toks) and toks[i + 1].surface in ("・", ".", "･")):
        return None, i  # FW大久保嘉人: a position code, not an initial
    j = i
    pieces = 0
    personish = 0
    dots = 0
    while j < len(toks):
        t = toks[j]
        if _overlaps(t.start, t.end, covered):
            break
        if _is_name_piece(t):
            if (j > i and _IS_KATA[t.surface] and t.proper_kind != "人名" and not t.oov
                    and _HAS_KANJI[toks[j - 1].surface]):
                break  # 山本高行|ライン: a kanji name does not go on with a katakana word (滝川クリステル does)
            pieces += 1
            personish += t.proper_kind == "人名"
            j += 1
        elif (t.surface in ("・", "=", "＝", "･") and j + 1 < len(toks) and _is_name_piece(toks[j + 1])
              and _IS_KATA_OR_LATIN[toks[j - 1].surface] and _IS_KATA_OR_LATIN[toks[j + 1].surface]):
            # katakana names join with ・ (ジョン・スミス); kanji names with ・ are lists (岡田・野田)
            dots += 1
            j += 1
        else:
            break
    s, e = t0.start, toks[j - 1].end
    title = _title_at(text, e)
    kata_only = all(_IS_KATA[toks[k].surface] or toks[k].surface in "・=＝" for k in range(i, j))
    ok = False
    if title and title not in ("大使", "代表", "会長", "社長"):
        ok = personish > 0 or kata_only or dots > 0
    elif personish >= 2 and (pieces >= 2) or dots > 0 and personish >= 1:
        # ヤマハ・ライト・ミュージック・コンテスト, アイ・ラブ・ルーシー: mostly ordinary words is a title, not a name
        ok = not (dots > 0 and _mostly_words(toks[i:j]))
    elif pieces == 1 and personish == 1 and kata_only and len(t0.surface) >= 4 and not t0.oov:
        # a foreign surname in Sudachi's dictionary (ボードリヤール), standing alone before a particle
        nxt = toks[j] if j < len(toks) else None
        ok = nxt is None or nxt.pos[0] in ("助詞", "補助記号")
    if not ok:
        return None, i
    return Mention(text[s:e], s, e, "PERSON", "pattern", title=title), j


def _mostly_words(toks: list[Token]) -> bool:
    """More than half of the ・-joined parts are single katakana dictionary words (ライト・ミュージック・コン
    テスト); a part Sudachi splits into several words (ティンバー|レイク) counts as a name."""
    parts: list[list[Token]] = [[]]
    for t in toks:
        if t.surface in ("・", "･", "=", "＝"):
            parts.append([])
        else:
            parts[-1].append(t)
    words = sum(1 for p in parts if len(p) == 1 and _IS_KATA[p[0].surface] and p[0].proper_kind != "人名"
                and not p[0].oov and not p[0].is_proper)
    return 2 * words > len(parts)


def _place_at(text: str, toks: list[Token], i: int, covered, gaz: Gazetteer) -> tuple[Mention | None, int]:
    t = toks[i]
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    if t.proper_kind == "地名" and len(t.surface) >= 2:
        etype = "LOC" if t.surface.endswith(("海", "川", "湖", "山", "島", "湾", "洋")) else "GPE"
        e = t.end
        if nxt is not None and nxt.surface in GPE_SUFFIXES:
            e = nxt.end
        elif nxt is not None and nxt.surface in LOC_SUFFIXES:
            e, etype = nxt.end, "LOC"
        return Mention(text[t.start : e], t.start, e, etype, "pattern"), i + (2 if e != t.end else 1)
    if _IS_KATA[t.surface] and len(t.surface) >= 3:
        cands = sorted(gaz.lookup_variant(t.surface))
        if nxt is not None and nxt.surface in GPE_SUFFIXES + LOC_SUFFIXES:
            etype = "GPE" if nxt.surface in GPE_SUFFIXES else "LOC"
            full = text[t.start : nxt.end]
            c2 = sorted(gaz.lookup_variant(full))
            return Mention(full, t.start, nxt.end, etype, "variant" if c2 else "pattern", c2), i + 2
        if cands and t.oov and len(variant_key(t.surface)) >= 4:
            ent = gaz.get(cands[0])
            return Mention(t.surface, t.start, t.end, ent.type if ent else "OTHER", "variant", cands), i + 1
    return None, i


def strip_title(surface: str) -> str:
    m = _TITLE_END.search(surface)
    if m and m.start() > 1:
        return surface[: m.start()]
    return surface


def key_of(surface: str) -> str:
    return variant_key(strip_title(surface))
