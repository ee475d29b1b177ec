"""Quantities: numbers with units, approximation flags, what is counted and who stands behind the figure.

Works sentence by sentence with linear scans (no whole-text regexes).  Units come from
``kansoku/data/units.json``.  Subjects and sources are short noun phrases found with SudachiPy on small
windows around the figure or the attribution cue, so memory stays bounded for very long documents.

Subject: the noun phrase right before the figure (避難民200万人), ``Xの``/``Xを``/``Xは``/``Xが`` before it,
``<figure>のX`` after it, or the nearest ``Xは/Xが`` of the same clause.  Source: ``Xによると`` and similar
cues, ``出典:X``, ``(X調べ)``, ``チャンネル「X」の動画``, ``Xが調査を実施``, the topic of a speech verb
(``Xは…と述べた``); else the previous sentence's explicit source, an earlier survey when the sentence
refers back to it (最新の調査では), or the author of a ``次のように指摘した`` block.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from kansoku import rx
from kansoku.model import Document, Span
from kansoku.nlp.tokens import Token, tokenize
from kansoku.prefilter import Live, finditer

# ---------------------------------------------------------------------------------------------------------
# character normalisation (strictly one char -> one char, so offsets are preserved)

_FW_FROM = "０１２３４５６７８９，．％～〜－−–：（）＝ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ"
_FW_FROM += "ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ　"
_FW_TO = "0123456789,.%~~---:()=ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz "
_NORM = str.maketrans(_FW_FROM, _FW_TO)

_KDIG = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_SMALL = {"十": 10, "百": 100, "千": 1000}
_BIG = {"万": 10_000, "億": 100_000_000, "兆": 1_000_000_000_000}
_NUM_CHARS = "0123456789〇一二三四五六七八九十百千万億兆"
# bounded on purpose: a digit run is read in pieces of at most 31 characters, so scanning stays linear
_NUM_RE = rx.compile(r"[0-9〇一二三四五六七八九十百千万億兆][0-9〇一二三四五六七八九十百千万億兆,.]{0,30}")
_URL_RE = rx.compile(r"(?:https?://|www\.)[!-~]+")
_HAS_NUM = rx.compile(r"[0-9〇一二三四五六七八九十百千]")

_PREFIXES: tuple[tuple[str, str], ...] = (
    ("少なくとも", "at_least"),
    ("最低でも", "at_least"),
    ("おおよそ", "about"),
    ("およそ", "about"),
    ("最大で", "up_to"),
    ("最大", "up_to"),
    ("最低", "at_least"),
    ("推定", "about"),
    ("ほぼ", "about"),
    ("約", "about"),
)
# suffixes written straight after the unit (they become part of the quantity's text)
_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("以上", "at_least"),
    ("以下", "up_to"),
    ("以内", "up_to"),
    ("未満", "less_than"),
    ("足らず", "less_than"),
    ("近く", "about"),
    ("余り", "more_than"),
    ("あまり", "more_than"),
    ("余", "more_than"),
    ("超", "more_than"),
    ("強", "more_than"),
    ("弱", "less_than"),
    ("程度", "about"),
    ("前後", "about"),
    ("ほど", "about"),
    ("ぐらい", "about"),
    ("くらい", "about"),
    ("規模", "about"),
)
# phrases after the quantity that qualify it without becoming part of its text
_TRAILERS: tuple[tuple[str, str], ...] = (
    ("を超える", "more_than"),
    ("を超え", "more_than"),
    ("を上回る", "more_than"),
    ("を上回っ", "more_than"),
    ("に迫る", "about"),
    ("に近い", "about"),
)
_DAY_CUES = ("連続", "にわたり", "にわたって", "にわたる", "かけて", "間")
_RANGE_CHARS = "~-"
_YEAR_SPAN_BEFORE = (
    "戦後",
    "終結",
    "過去",
    "ここ",
    "この",
    "足かけ",
    "丸",
    "満",
    "から",
    "以来",
    "設立",
    "創設",
    "結成",
    "正常化",
    "開戦",
    "発足",
    "独立",
    "建国",
    "約",
    "計",
)
_YEAR_DATE_AFTER = rx.compile(
    r"(?:から|まで|以降|以前|当時|頃|ごろ|生まれ|時点|末|初め|初頭|前半|後半|に(?!わた|及|一度|1度)|"
    r"の(?:夏|春|秋|冬|大統領選|選挙|総選挙|大会|W杯|五輪|侵攻|併合|危機|事件|戦争|クーデター|革命|首脳会談))"
)
_PERSON_RE = rx.compile(r"(?:死傷者|死者|負傷者|犠牲者|戦死者|行方不明者)数?(?:は|が|も)?$")
_ERA = ("昭和", "平成", "令和", "明治", "大正", "西暦", "紀元前")
_SKIP_BEFORE = "第数何"
_ASCII_BAD_BEFORE = "-_/#:@&.\\"


def _words(s: str) -> frozenset[str]:
    """Whitespace-separated word list as a set."""
    return frozenset(s.split())


@dataclass(frozen=True, slots=True)
class _Unit:
    surface: str
    unit: str
    multiplier: float
    kind: str
    date_like: bool
    ascii: bool
    qualifier: str | None
    blocked: str


@lru_cache(maxsize=1)
def _units() -> tuple[dict[str, list[_Unit]], str]:
    """Unit table indexed by first character (longest surface first) and the table version."""
    raw = json.loads(resources.files("kansoku").joinpath("data/units.json").read_text(encoding="utf-8"))
    blocked: dict[str, str] = raw.get("blocked_next", {})
    index: dict[str, list[_Unit]] = {}
    for u in raw["units"]:
        unit = _Unit(
            u["surface"],
            u["unit"],
            float(u.get("multiplier", 1)),
            u.get("kind", "count"),
            bool(u.get("date_like", False)),
            bool(u.get("ascii", False)),
            u.get("qualifier"),
            blocked.get(u["surface"], ""),
        )
        index.setdefault(unit.surface[0], []).append(unit)
    for lst in index.values():
        lst.sort(key=lambda x: -len(x.surface))
    return index, str(raw.get("version", ""))


def units_version() -> str:
    """Version string of the unit table."""
    return _units()[1]


def parse_number(s: str) -> float | None:
    """Value of a Japanese/Arabic numeral string such as ``1万5000``, ``1.5万``, ``三十五``, ``1,200``."""
    s = s.replace(",", "")
    total = 0.0
    section = 0.0
    cur = ""
    try:
        for ch in s:
            if ch.isascii() and (ch.isdigit() or ch == "."):
                cur += ch
            elif ch in _KDIG:
                cur += str(_KDIG[ch])
            elif ch in _SMALL:
                section += (float(cur) if cur else 1.0) * _SMALL[ch]
                cur = ""
            elif ch in _BIG:
                val = section + (float(cur) if cur else 0.0)
                if val == 0:
                    return None
                total += val * _BIG[ch]
                section = 0.0
                cur = ""
            else:
                return None
        total += section + (float(cur) if cur else 0.0)
    except ValueError:
        return None
    return total


def _clean_number(tok: str) -> str:
    """Cut a candidate at a trailing separator or at a comma that is not a thousands separator."""
    i = 0
    n = len(tok)
    while i < n:
        if tok[i] == ",":
            grp = tok[i + 1 : i + 4]
            ok = (
                len(grp) == 3
                and grp.isdigit()
                and grp.isascii()
                and (i + 4 >= n or not (tok[i + 4].isascii() and tok[i + 4].isdigit()))
                and i > 0
                and tok[i - 1].isascii()
                and tok[i - 1].isdigit()
            )
            if not ok:
                return tok[:i]
        i += 1
    return tok.rstrip(",.")


def _num_value(v: float) -> int | float:
    v = round(v, 6)
    return int(v) if float(v).is_integer() else v


# ---------------------------------------------------------------------------------------------------------
# Sudachi helpers


def _tokens(text: str, start: int, end: int) -> list[Token]:
    """Sudachi tokens of ``text[start:end]`` from the process-wide tokenizer (kansoku.nlp.tokens)."""
    if end <= start:
        return []
    return tokenize(text, Span(start, end))


def _nounish(t: Token) -> bool:
    if t.pos[0] == "名詞":
        return t.pos[1] != "数詞"
    return t.pos[0] in ("接頭辞", "接尾辞", "形状詞") or t.surface in ("・", "=")


_NP_STOP = _words("こと もの ため うち 中 上 数 方 計 ところ よう ほう 他")
_WINDOW = 48
_PUNCT = "、。,「」『』【】!?！？\n:;"


def _np_back(toks: list[Token], end_idx: int, max_no: int = 2) -> list[Token]:
    """Noun phrase ending with ``toks[end_idx - 1]``; a bare 人/者 keeps its verb (答えた人)."""
    out = _np_core(toks, end_idx, max_no)
    if len(out) == 1 and out[0].surface in ("人", "者", "人々") and end_idx >= 3:
        i = end_idx - 2
        if toks[i].pos[0] == "助動詞" and toks[i - 1].pos[0] == "動詞":
            j = i - 1
            if (
                j > 0
                and toks[j - 1].pos[:3] == ("名詞", "普通名詞", "サ変可能")
                and toks[j].surface in ("し", "さ")
            ):
                j -= 1
            return toks[j:end_idx]
    return out


def _np_core(toks: list[Token], end_idx: int, max_no: int = 2) -> list[Token]:
    """Noun phrase (nouns joined by の) ending with ``toks[end_idx - 1]``."""
    i = end_idx - 1
    out: list[Token] = []
    n_no = 0
    while i >= 0:
        t = toks[i]
        if _nounish(t):
            if i > 0 and toks[i - 1].pos[1] == "数詞":
                if (
                    t.pos[2] == "助数詞可能" or t.pos[0] == "接尾辞"
                ):  # 27カ国のX: the counter goes with its number
                    break
                if i > 1 and toks[i - 2].surface.isascii() and toks[i - 2].surface.isalpha():  # B2爆撃機
                    out.extend((t, toks[i - 1], toks[i - 2]))
                    i -= 3
                    continue
                break
            out.append(t)
        elif t.surface == "の" and out and i > 0 and _nounish(toks[i - 1]) and n_no < max_no:
            out.append(t)
            n_no += 1
        elif (
            out
            and n_no < max_no
            and i > 1
            and _nounish(toks[i - 2])
            and (
                (
                    t.surface == "の"
                    and toks[i - 1].surface in ("で", "から", "へ", "と", "まで", "など", "ら")
                )
                or (t.surface == "よる" and toks[i - 1].surface == "に")
            )
        ):  # 戦闘での死者, ロシアからの輸入, 砲撃による死者
            out.extend((t, toks[i - 1]))
            n_no += 1
            i -= 1
        else:
            break
        i -= 1
    out.reverse()
    while out and (out[-1].pos[0] == "接頭辞" or out[-1].surface == "の"):
        out.pop()
    while out and (out[0].surface == "の" or out[0].pos[0] == "接尾辞" or out[0].surface == "・"):
        out.pop(0)
    while len(out) > 1 and out[0].pos[2] == "副詞可能" and out[1].pos[0] == "名詞":
        out.pop(0)  # 現在斉藤 -> 斉藤
    # keep it short: drop leading の-segments
    while out and out[-1].end - out[0].start > 25:
        cut = next((k for k, t in enumerate(out) if t.surface == "の"), None)
        if cut is None:
            return []
        out = out[cut + 1 :]
    return out


def _window_start(s: str, pos: int, lo: int) -> int:
    """Start of a tokenisation window before ``pos``: after the last punctuation, at most _WINDOW back."""
    ws = max(lo, pos - _WINDOW)
    for k in range(pos - 1, ws - 1, -1):
        if s[k] in _PUNCT:
            return k + 1
    return ws


def _phrase(toks: list[Token]) -> tuple[int, int] | None:
    if not toks:
        return None
    return toks[0].start, toks[-1].end


def _good_subject(toks: list[Token]) -> bool:
    if not toks or toks[-1].end - toks[0].start < 2:
        return False
    head = toks[-1]
    if head.pos[0] == "形状詞":
        return False
    if head.pos[0] == "名詞" and head.pos[2] == "副詞可能":
        return False
    if head.surface in _NP_STOP or head.surface[-1] in "年月日":
        return False
    if len(toks) == 1 and head.surface in _QTY_ADVERBS:
        return False
    return not (len(toks) == 1 and toks[0].pos[0] != "名詞")


_QTY_ADVERBS = _words(
    "総額 日量 月額 年額 年間 月間 総計 合計 累計 計 前年比 前月比 前年同期比 平均 延べ "
    "総勢 連続 全長 総延長 延長 それぞれ 各 最大 最低 過去 一時 わずか 実に 新た 新たに 追加 さらに 同時 最高 最多 最少 "
    "過去最高 過去最低 過去最多 史上最高 史上最悪 過去最悪 "
)
_D_BLOCK = _words(
    "規模 日程 期間 予定 扱い 節目 地点 代表 時点 段階 水準 割合 半分 うち 中 ほか 差 範囲 間 上 下 際 後 前 中心 一部 記録 大台 "
)
_DUR_VERB_RE = rx.compile(r"(?:に|も|を|が|、)?(?:わた[りっ]て?)?(?:続|継続|維持|経過|かか|要|及|延長|経)")
_MEASURE_VERBS = ("超", "上回", "下回", "突破", "記録", "占め", "割り込", "数え", "下らな")


def _left_tokens(s: str, ws: int, qstart: int, qend: int) -> list[Token]:
    """Tokens of s[ws:qstart], tokenised with a little right context so particles are tagged right."""
    full = _tokens(s, ws, qend)
    toks = [t for t in full if t.end <= qstart]
    if toks and toks[-1].end == qstart or qstart == ws:
        return toks
    return _tokens(s, ws, qstart)


_FWD_LINKS = (
    "相当の",
    "を超える",
    "を上回る",
    "に上る",
    "に達する",
    "に迫る",
    "に近い",
    "近い",
    "もの",
    "ほどの",
    "余りの",
    "の",
)


def _forward_np(s: str, qend: int, hi: int) -> tuple[int, int] | None:
    """``<qty>のX`` / ``<qty>相当のX`` -> X."""
    p = qend
    for link in _FWD_LINKS:
        if s.startswith(link, p):
            p += len(link)
            break
    else:
        return None
    if p >= hi:
        return None
    lim = min(hi, p + 24)
    out: list[Token] = []
    for t in _tokens(s, p, lim):
        if (
            (_nounish(t) and t.pos[0] != "接頭辞")
            or (out and t.surface == "・")
            or (not out and t.pos[0] == "接頭辞")
        ):
            out.append(t)
        else:
            break
    if out and out[-1].end == lim and lim < hi:  # the last token may have been cut by the window
        out.pop()
    if not _good_subject(out) or out[-1].surface in _D_BLOCK:
        return None
    return _phrase(out)


def _subject(
    s: str, qstart: int, qend: int, lo: int, hi: int, kind: str, unit: str
) -> tuple[int, int] | None:
    """What the figure counts: X直前 / Xの / Xを / Xは / Xが before it, or ``の X`` after it."""
    ws = _window_start(s, qstart, lo)
    toks = _left_tokens(s, ws, qstart, qend)
    while toks and (toks[-1].surface in _QTY_ADVERBS or toks[-1].pos[0] == "接頭辞"):
        toks = toks[:-1]
    after = s[qend : qend + 12]
    is_obj = after.startswith("を") and not after[1:].startswith(_MEASURE_VERBS)
    duration = kind == "duration"
    dur_ok = bool(_DUR_VERB_RE.match(after))
    if duration and dur_ok:
        is_obj = False
    if duration and s[max(lo, qstart - 4) : qstart].endswith(
        ("戦後", "終結", "終戦", "独立", "建国", "発足")
    ):
        return None  # 戦後80年: an anniversary, not the length of something in the sentence
    fwd = _forward_np(s, qend, hi)
    # (a) noun right before the number: 避難民200万人
    if toks and _nounish(toks[-1]) and not duration:
        np_ = _np_back(toks, len(toks))
        if _good_subject(np_):
            return _phrase(np_)
    if toks and toks[-1].pos[0] == "助詞":
        last = toks[-1]
        k = len(toks) - 1
        if last.surface == "の" or (last.surface == "を" and (dur_ok or not duration)):  # (b) Xの, Xを
            np_ = _np_back(toks, k)
            if _good_subject(np_):
                return _phrase(np_)
        elif last.surface in ("は", "が", "も"):  # (c) topic / subject right before the figure
            if fwd and not s.startswith(
                ("だ", "であ", "です", "でし", "な"), fwd[1]
            ):  # …の大河である: predicate, not subject
                return fwd
            if last.surface == "は" and k > 0 and toks[k - 1].surface in ("で", "に"):
                if toks[k - 1].surface == "に" and not (duration and dur_ok):
                    k = -1
                k -= 1
            if k > 0 and not is_obj and (dur_ok or not duration):
                np_ = _np_back(toks, k)
                if _good_subject(np_):
                    return _phrase(np_)
    # (d) <qty>のX
    if fwd:
        return fwd
    # (f) 8回会談 -> 会談
    if unit == "time":
        ft = _tokens(s, qend, min(hi, qend + 10))
        if (
            len(ft) > 1
            and ft[0].pos[:3] == ("名詞", "普通名詞", "サ変可能")
            and ft[1].surface in ("し", "する", "さ")
        ):
            return ft[0].start, ft[0].end
    if is_obj or (duration and not dur_ok):
        return None
    # (e) nearest Xは/Xが in the same clause with no verb in between
    for k in range(len(toks) - 1, -1, -1):
        t = toks[k]
        if t.pos[0] in ("動詞", "形容詞", "助動詞", "連体詞", "接続詞"):
            break  # adverbs (既に, なお) may sit between the topic and the figure
        if (
            t.pos[0] == "助詞"
            and t.surface in ("は", "が", "を")
            and k > 0
            and toks[k - 1].surface not in ("で", "に")
        ):
            np_ = _np_back(toks, k)
            if _good_subject(np_):
                return _phrase(np_)
            break
    return None


# ---------------------------------------------------------------------------------------------------------
# sources

_DOC_NOUNS = _words(
    "報告書 報告 調査 世論調査 発表 推計 集計 試算 統計 資料 データ 報道 声明 分析 まとめ "
    "記事 動画 投稿 リポート レポート 結果 最新 調べ 見積もり 推定 公式 サイト 会見 "
    "記者会見 ブログ 論文 タイトル 見出し 評価 共同 "
)
_EXPLICIT_RE = rx.compile(
    r"の(?:最新の)?(?:世論調査|調査|発表|推計|集計|試算|統計|分析|まとめ|予測|見積もり)(?:結果)?"
    r"(?:では|で|によると|によれば|によりますと)"
    r"|の(?:報告書|報告|データ|見通し|話|白書|資料)(?:では|によると|によれば|によりますと)"
    r"|によると|によれば|によりますと"
)
_SURVEY_RUN_RE = rx.compile(r"(?:世論)?調査を(?:実施|行)")
_AUTHOR_RE = rx.compile(
    r"(?:投稿|寄稿|執筆|発表|公表|公開|まとめ)(?:し)?た(?:記事|論文|報告書|報告|リポート|レポート|動画|声明|調査|データ|統計)"
)
_SPEECH_RE = rx.compile(
    r"(?:発表|証言|述べ|語っ|明らかにし|報じ|伝え|指摘し|主張し|説明し|強調し|推計し|試算し|公表し|発言し|表明し|推定し"
    r"|分析し|報告し|見積もっ|集計し|警告し|話し|言及し|示し)"
)
_MEDIA_RE = rx.compile(
    r"(?:チャンネル|紙|誌|サイト|ブログ|通信|新聞|メディア)「([^「」]{1,30})」"
    r"(?=の(?:動画|記事|報道|番組|投稿|取材|調査|分析)|によると|によれば|が報じ|は報じ|が伝え)"
)
_CREDIT_RE = rx.compile(r"(?:出典|出所|資料)[:：]\s*([^、,。()\n]{1,40})")
_SHIRABE_RE = rx.compile(r"([^\s()、。,「」]{2,30})調べ")
_BLOCK_RE = rx.compile(r"(?:次|以下)のように(?:指摘|述べ|語っ|説明|主張|書い|記し|報告|分析)")
_SURVEY_WORD = "調査"
# a later sentence that refers back to a survey already named: 最新の調査では, 同調査, 調査結果
_SURVEY_REF_RE = rx.compile(
    r"(?:同|この|今回の?|前回の?|最新の|最初の|直近の|過去の|これまでの|一連の|別の)(?:世論)?調査|調査(?:では|によると|結果)"
)


def _mask_quotes(s: str, lo: int, hi: int) -> str:
    """Copy of s[lo:hi] with the inside of 「」『』 replaced by '□' (same length)."""
    part = s[lo:hi]
    if "「" not in part and "『" not in part:
        return part
    out = []
    depth = 0
    for ch in s[lo:hi]:
        if ch in "「『":
            depth += 1
            out.append(ch)
        elif ch in "」』" and depth:
            depth -= 1
            out.append(ch)
        else:
            out.append("□" if depth else ch)
    return "".join(out)


_TITLES = (
    "大統領",
    "首相",
    "外相",
    "国防相",
    "報道官",
    "事務総長",
    "長官",
    "大使",
    "議員",
    "司令官",
    "補佐官",
    "委員長",
    "総裁",
    "会長",
    "社長",
    "代表",
    "所長",
    "局長",
    "知事",
    "市長",
    "氏",
    "次官",
    "参謀総長",
    "議長",
    "高官",
)
_DESCRIPTORS = _words(
    "調査会社 世論調査会社 調査機関 研究機関 シンクタンク 米紙 英紙 仏紙 独紙 露紙 中国紙 韓国紙 米誌 英誌 "
    "通信社 独立系メディア 国営メディア 国営 人権団体 監視団体 民間団体 非政府組織"
)


_COUNTRY_ABBR = frozenset("米英仏独露中韓豪伊加印")


def _has_proper(toks: list[Token]) -> bool:
    return any(t.pos[:2] == ("名詞", "固有名詞") for t in toks)


def _clean_source(toks: list[Token]) -> list[Token]:
    """Strip document nouns, keep the agent: 国連の報告書 -> 国連, 調査機関キーウ… -> キーウ…, X氏 -> X."""
    while toks and (toks[-1].surface in _DOC_NOUNS or toks[-1].surface in ("の", "など", "ら")):
        toks = toks[:-1]
    if "の" in [t.surface for t in toks]:
        k = max(i for i, t in enumerate(toks) if t.surface == "の")
        seg = toks[k + 1 :]
        titled = len(seg) >= 2 and seg[-1].surface.endswith(_TITLES)
        if _has_proper(seg) or not _has_proper(toks[:k]) or titled:
            toks = seg
    for i in range(len(toks) - 2, -1, -1):  # 英国の調査会社ユーガブ -> ユーガブ
        if toks[i].surface in _DESCRIPTORS or (
            i > 0 and toks[i - 1].surface + toks[i].surface in _DESCRIPTORS
        ):
            toks = toks[i + 1 :]
            break
    k = 0
    while k < len(toks) and toks[k].pos[:2] == ("名詞", "普通名詞") and len(toks[k].surface) >= 2:
        k += 1
    if 0 < k < len(toks) and toks[k].pos[:2] == ("名詞", "固有名詞"):
        toks = toks[k:]
    while toks and toks[-1].surface in ("氏", "さん"):
        toks = toks[:-1]
    if (
        len(toks) >= 2
        and toks[0].surface in _COUNTRY_ABBR
        and (toks[1].surface.isascii() or _has_proper(toks[1:2]))
    ):
        toks = toks[1:]  # 米CNN -> CNN
    if not toks or toks[-1].end - toks[0].start < 2:
        return []
    if len(toks) == 1 and toks[0].surface in _NP_STOP | {"これ", "それ", "同", "報道"}:
        return []
    return toks


def _source_before(s: str, pos: int, lo: int) -> tuple[int, int] | None:
    if pos > lo and s[pos - 1] in "」』":  # 「メディアゾナ」によると
        op = max(s.rfind("「", max(lo, pos - 32), pos - 1), s.rfind("『", max(lo, pos - 32), pos - 1))
        if op >= lo and pos - op > 2:
            return op + 1, pos - 1
    if pos > lo and s[pos - 1] == ")":  # 国連難民高等弁務官事務所(UNHCR)によると
        op = s.rfind("(", max(lo, pos - 30), pos - 1)
        if op > lo:
            pos = op
    ws = _window_start(s, pos, lo)
    toks = _tokens(s, ws, pos)
    np_ = _clean_source(_np_back(toks, len(toks), max_no=3))
    return _phrase(np_)


def _topic(s: str, masked: str, lo: int, hi: int, particles: str = "はが") -> tuple[int, int] | None:
    """First ``Xは`` (else ``Xが``) of the sentence, outside quotes."""
    for particle in particles:
        i = lo
        while True:
            j = masked.find(particle, i - lo, 81)
            if j < 0:
                break
            p = lo + j
            if p > lo and masked[j - 1] not in "□「」で" and not (masked[j - 1] == "に" and particle == "は"):
                src = _source_before(s, p, lo)
                if src:
                    return src
            i = p + 1
    return None


@dataclass(slots=True)
class _Src:
    start: int
    end: int
    cue: int
    explicit: bool
    survey: bool


_SOURCE_PATTERNS = (_EXPLICIT_RE, _CREDIT_RE, _SHIRABE_RE, _MEDIA_RE, _SURVEY_RUN_RE, _AUTHOR_RE, _SPEECH_RE)


def _sources(s: str, lo: int, hi: int, speech: bool = True, live: Live | None = None) -> list[_Src]:
    """Attribution cues of one sentence with the noun phrase each points to.  ``live``: the cue patterns
    the document can match at all (over the document's ``_NORM`` mapping: ``s`` is a mapped slice of it)."""
    find = finditer if live is None else live.finditer
    masked = _mask_quotes(s, lo, hi)
    out: list[_Src] = []
    has_survey = _SURVEY_WORD in masked

    seen: set[tuple[int, int]] = set()
    topic: dict[str, tuple[int, int] | None] = {}

    def add(span: tuple[int, int] | None, cue: int, explicit: bool, survey: bool) -> None:
        if span and span not in seen:
            seen.add(span)
            out.append(_Src(span[0], span[1], cue, explicit, survey))

    def sentence_topic(particles: str = "はが") -> tuple[int, int] | None:
        if particles not in topic:
            topic[particles] = _topic(s, masked, lo, hi, particles)
        return topic[particles]

    for m in find(_EXPLICIT_RE, masked):
        p = lo + m.start()
        add(_source_before(s, p, lo), p, True, "調査" in m.group(0) or has_survey)
    # these three need a literal most sentences lack (出典, 調べ, 「): each is searched only when it is there
    for m in find(_CREDIT_RE, s, lo, hi):
        add((m.start(1), m.start(1) + len(m.group(1).rstrip())), m.start(), True, has_survey)
    for m in find(_SHIRABE_RE, s, lo, hi):
        toks = _tokens(s, m.start(1), m.end(1))
        add(_phrase(_clean_source(_np_back(toks, len(toks), 3))), m.start(), True, has_survey)
    for m in find(_MEDIA_RE, s, lo, hi):
        add((m.start(1), m.end(1)), m.start(), True, False)
    for m in find(_SURVEY_RUN_RE, masked):
        p = lo + m.start()
        add(sentence_topic(), p, True, True)
    for m in find(_AUTHOR_RE, masked):
        p = lo + m.start()
        floor = max(0, m.start() - 120)
        ga = masked.rfind("が", floor, m.start())
        while ga > floor and masked[ga - 1] in "□「」":
            ga = masked.rfind("が", floor, ga)
        if ga > 0 and m.start() - ga < 120:
            add(_source_before(s, lo + ga, lo), p, True, has_survey)
    for m in find(_SPEECH_RE, masked) if speech else ():
        p = lo + m.start()
        if masked.startswith(("られ", "され", "れ", "合"), m.end()):  # passive, 話し合い
            continue
        src = None
        # …と X が/は 発表した
        k = m.start() - 1
        while k >= 0 and masked[k] not in "がは、。と" and m.start() - k < 30:
            k -= 1
        if k > 0 and masked[k] in "がは" and masked[k - 1] != "と":
            src = _source_before(s, lo + k, lo)
        if src is None:
            src = sentence_topic("は")  # a が before the quoted clause belongs to the clause
        add(src, p, False, has_survey)
    return out


# ---------------------------------------------------------------------------------------------------------
# number + unit scanning


@dataclass(slots=True)
class _Q:
    start: int
    end: int
    value: float
    unit: str
    approx: bool
    qualifier: str | None
    range_to: float | None
    num_start: int
    kind: str = "count"


def _match_unit(s: str, pos: int, hi: int) -> _Unit | None:
    index, _ = _units()
    if pos >= hi:
        return None
    for u in index.get(s[pos], ()):
        e = pos + len(u.surface)
        if e > hi or s[pos:e] != u.surface:
            continue
        nxt = s[e] if e < hi else ""
        if u.ascii and nxt.isascii() and nxt.isalnum():
            continue
        if nxt and nxt in u.blocked:
            continue
        if nxt == "目" or s.startswith("番目", e):
            continue
        return u
    return None


def _read_number(s: str, pos: int, hi: int) -> tuple[int, float, str] | None:
    m = _NUM_RE.match(s, pos, hi)
    if not m:
        return None
    tok = _clean_number(m.group(0))
    if not tok or len(tok) > 24 or not _HAS_NUM.search(tok):
        return None
    v = parse_number(tok)
    if v is None:
        return None
    return pos + len(tok), v, tok


def _scan(s: str, lo: int, hi: int) -> list[_Q]:
    """All quantities in s[lo:hi] (already normalised)."""
    urls = [(m.start(), m.end()) for m in _URL_RE.finditer(s, lo, hi)]
    out: list[_Q] = []
    pos = lo
    while pos < hi:
        m = _NUM_RE.search(s, pos, hi)
        if not m:
            break
        a = m.start()
        prev = s[a - 1] if a > lo else ""
        if prev and (prev in _NUM_CHARS or prev in ",."):
            pos = m.end()
            continue  # inside a longer digit run or a list such as 1,2,3
        got = _read_number(s, a, hi)
        if got is None:
            pos = m.end()
            continue
        b, val, tok = got
        pos = max(b, a + 1)
        if any(x <= a < y for x, y in urls):
            continue
        if prev and (
            prev in _SKIP_BEFORE or (prev.isascii() and (prev.isalpha() or prev in _ASCII_BAD_BEFORE))
        ):
            continue
        if tok == "一" or (tok in _KDIG and s.startswith(("時", "部", "方", "度", "致", "層"), b)):
            continue
        if s.startswith(":", b) and b + 1 < hi and s[b + 1].isdigit():
            continue
        q = _build(s, a, b, val, tok, lo, hi)
        if q is not None:
            out.append(q)
            pos = max(pos, q.end)
    return out


def _build(s: str, a: int, b: int, val: float, tok: str, lo: int, hi: int) -> _Q | None:
    qualifier: str | None = None
    start = a
    for _ in range(2):  # 最大で約200人: up to two stacked prefixes, the outer one wins
        for p, qual in _PREFIXES:
            if start - len(p) >= lo and s.startswith(p, start - len(p)):
                qualifier, start = qual, start - len(p)
                break
        else:
            break
    cur = b
    range_to: float | None = None
    if cur < hi and s[cur] == "余" and _match_unit(s, cur + 1, hi):
        qualifier, cur = "more_than", cur + 1
    unit = _match_unit(s, cur, hi)
    if unit is None and cur < hi and (s[cur] in _RANGE_CHARS or s.startswith("から", cur)):
        # 20~30人 / 20から30万人
        j = cur + (2 if s[cur] == "か" else 1)
        got2 = _read_number(s, j, hi)
        if got2 is not None:
            b2, v2, tok2 = got2
            u2 = _match_unit(s, b2, hi)
            if u2 is not None:
                big2 = next((c for c in tok2 if c in _BIG), None)
                if big2 and not any(c in _BIG for c in tok):
                    val *= _BIG[big2]
                range_to, qualifier, unit, cur = v2, "range", u2, b2
    if unit is None:
        if _PERSON_RE.search(s, max(lo, start - 9), start) and (
            cur >= hi or s[cur] in "、。,.)」にとでがをもの"
        ):
            return _Q(start, cur, val, "person", qualifier is not None, qualifier, None, a, "person")
        return None
    if len(tok) == 1 and tok in _KDIG and unit.kind not in ("person", "duration", "percent"):
        return None
    end = cur + len(unit.surface)
    if val == 1 and (s.startswith(("=", "あたり", "当たり"), end) or (end < hi and s[end].isdigit())):
        return None  # 1バレル=80ドル, 1人当たり: the denominator of a rate
    if unit.qualifier and qualifier is None:
        qualifier = unit.qualifier
    # 20人~30人
    if range_to is None and end < hi and s[end] in _RANGE_CHARS:
        got2 = _read_number(s, end + 1, hi)
        if got2 is not None and _match_unit(s, got2[0], hi) == unit:
            range_to, qualifier, end = got2[1], "range", got2[0] + len(unit.surface)
    out_unit = unit.unit
    if unit.surface == "キロ" and ("体重" in s[max(lo, a - 12) : a] or s.startswith(("級", "爆弾"), end)):
        out_unit = "kg"  # 体重75キロ, 55キロ級, 500キロ爆弾
    value = val * unit.multiplier
    if range_to is not None:
        range_to *= unit.multiplier
    # 3割5分
    if unit.surface == "割" and end + 1 < hi and s[end + 1] == "分":
        d = parse_number(s[end])
        if d is not None and d < 10:
            value += d
            end += 2
    # 1年半, 2時間半
    if unit.kind == "duration" and s.startswith("半", end) and not s.startswith("半ば", end):
        value += 0.5
        end += 1
    # 5人に1人 -> 20 percent, 10人中7人 -> 70 percent
    if unit.unit == "person" and s.startswith(("に", "中"), end) and val > 0 and range_to is None:
        got2 = _read_number(s, end + 1, hi)
        if got2 is not None and s.startswith("人", got2[0]) and got2[1] < val:
            value = 100.0 * got2[1] / val
            out_unit = "percent"
            end = got2[0] + 1
    # attached suffix qualifier
    for suf, qual in _SUFFIXES:
        if s.startswith(suf, end) and end + len(suf) <= hi:
            if suf == "余" and s.startswith("余り", end):
                continue
            if suf in ("強", "弱") and end + 1 < hi and "\u4e00" <= s[end + 1] <= "\u9fff":
                continue  # 17歳強盗, 3割強化
            qualifier = qual if qualifier is None or qualifier == "about" else qualifier
            end += len(suf)
            break
    else:
        for tr, qual in _TRAILERS:
            if s.startswith(tr, end):
                qualifier = qualifier or qual
                break
    if unit.date_like and not _is_duration(s, a, b, end, unit, tok, val, start, lo, hi, qualifier):
        return None
    if unit.kind == "duration" and s.startswith(("後", "前", "ぶり", "目", "以来"), end):
        return None
    approx = qualifier is not None
    return _Q(start, end, value, out_unit, approx, qualifier, range_to, a, unit.kind)


def _is_duration(
    s: str,
    a: int,
    b: int,
    end: int,
    unit: _Unit,
    tok: str,
    val: float,
    start: int,
    lo: int,
    hi: int,
    qualifier: str | None,
) -> bool:
    """Decide whether N年 / N日 is a duration (True) or a calendar expression (False)."""
    prev2 = s[max(lo, a - 2) : a]
    if prev2.endswith(_ERA) or s[max(lo, a - 3) : a] == "紀元前":
        return False
    after = b + len(unit.surface)
    if unit.surface == "年":
        if 1000 <= val <= 2100 and float(val).is_integer():
            return False
        if s[max(lo, a - 2) : a].endswith(("学", "校", "高")) or re.match(r"[0-9]+組", s[after : after + 4]):
            return False  # 中学2年, 高校3年, 3年5組: school grades
        # 25年4月, 24年度: abbreviated calendar years
        m = _NUM_RE.match(s, after, hi)
        if m and s.startswith("月", m.end()):
            return False
        if val > 2100 and qualifier is None:
            return False
        if qualifier is not None or s[max(lo, a - 5) : a].endswith(_YEAR_SPAN_BEFORE):
            return True
        # 93年から, 02年の日韓W杯, 22年に侵攻: two-digit abbreviations of calendar years
        if tok.startswith("0") and len(tok) == 2:
            return False
        return not (10 <= val < 100 and _YEAR_DATE_AFTER.match(s, after, hi))
    # 日: a date unless something marks it as a span of days
    if s[max(lo, a - 1) : a] == "月" or prev2.endswith(("月", "年")):
        return False
    if qualifier is not None and qualifier != "range":
        return True
    return s.startswith(_DAY_CUES, after) or s.startswith(_DAY_CUES, end)


# ---------------------------------------------------------------------------------------------------------
# public API


def _pick_source(expl: list[_Src], cues: list[int], srcs: list[_Src], qpos: int) -> _Src | None:
    """Explicit attribution nearest before the figure, else after it, else a speech-verb topic.

    ``expl`` are the explicit sources sorted by cue position and ``cues`` their positions.
    """
    if expl:
        k = bisect.bisect_right(cues, qpos)
        return expl[k - 1] if k else expl[0]
    return srcs[0] if srcs else None


_MAX_SENT = 3000


def _shift(x: _Src, off: int) -> _Src:
    return _Src(x.start + off, x.end + off, x.cue + off, x.explicit, x.survey)


def _pieces(text: str, sentences: list[Span]) -> Iterator[tuple[int, int]]:
    """Sentence ranges in order; over-long ones are cut (after 。、 or a space if possible) to bound work."""
    for sp in sorted(sentences, key=lambda x: x.start):
        lo, hi = max(0, sp.start), min(len(text), sp.end)
        while hi - lo > _MAX_SENT:
            cut = lo + _MAX_SENT
            best = max(text.rfind(c, cut - 500, cut) for c in "。\n、 ")
            if best > lo:
                cut = best + 1
            else:
                while cut > lo + _MAX_SENT - 40 and text[cut - 1] in _NUM_CHARS:
                    cut -= 1
            yield lo, cut
            lo = cut
        if hi > lo:
            yield lo, hi


def extract_quantities(doc: Document) -> list[dict]:
    """Quantities of every sentence of ``doc``, with subject and source, sorted by start.

    Each sentence with a number is read on a normalised copy (full-width digits and units folded), which is
    tokenised on its own: those tokens are not the document's.
    """
    text, sentences = doc.text, doc.sentences
    results: list[dict] = []
    prev_src: _Src | None = None  # attribution of the previous sentence (for carry-over)
    last_srcs: list[_Src] = []
    prev_end = -1
    prev_range: tuple[int, int] | None = None
    survey_src: tuple[int, _Src] | None = None
    block: tuple[int, _Src] | None = None
    folded = text.translate(_NORM)  # one character to one (maketrans): a piece's slice is its own mapping
    live = Live(_SOURCE_PATTERNS, folded)
    for idx, (lo, hi) in enumerate(_pieces(text, sentences)):
        if hi <= lo:
            continue
        raw = text[lo:hi]
        s = folded[lo:hi]
        n = len(s)
        has_num = _HAS_NUM.search(s) is not None
        quants = _scan(s, 0, n) if has_num else []
        srcs = _sources(s, 0, n, speech=bool(quants) or _BLOCK_RE.search(s) is not None, live=live)
        gap = text[prev_end:lo] if prev_end >= 0 else "\n"
        same_para = "\n" not in gap
        carried: _Src | None = None
        if not srcs:
            if prev_src is not None and prev_src.explicit and gap.count("\n") <= 1:
                carried = prev_src
            elif survey_src is not None and idx - survey_src[0] <= 10 and _SURVEY_REF_RE.search(s):
                carried = survey_src[1]
            elif block is not None and 0 < idx - block[0] <= 4:
                carried = block[1]
        expl_sorted = sorted((x for x in srcs if x.explicit), key=lambda x: x.cue)
        expl_cues = [x.cue for x in expl_sorted]
        for q in quants:
            local = _pick_source(expl_sorted, expl_cues, srcs, q.start)
            src: tuple[int, int] | None = None
            if local is not None:
                src = (local.start + lo, local.end + lo)
            elif carried is not None:
                src = (carried.start, carried.end)
            subj = _subject(s, q.start, q.end, 0, n, q.kind, q.unit)
            results.append(
                {
                    "text": raw[q.start : q.end],
                    "start": q.start + lo,
                    "end": q.end + lo,
                    "value": _num_value(q.value),
                    "unit": q.unit,
                    "approx": q.approx,
                    "subject": raw[subj[0] : subj[1]] if subj else None,
                    "source": text[src[0] : src[1]] if src else None,
                    "source_span": {"start": src[0], "end": src[1]} if src else None,
                    "qualifier": q.qualifier,
                    "range_to": _num_value(q.range_to) if q.range_to is not None else None,
                }
            )
        # state for the following sentences (absolute offsets)
        abs_srcs = [_shift(x, lo) for x in srcs]
        expl = [x for x in abs_srcs if x.explicit]
        if expl:
            prev_src = expl[-1]
        elif carried is not None and carried.explicit and same_para:
            prev_src = carried
        else:
            prev_src = None
        for x in abs_srcs:
            if x.survey:
                survey_src = (idx, x)
        if _BLOCK_RE.search(s):
            pool = abs_srcs or last_srcs
            if not pool and prev_range is not None:  # the previous sentence was scanned without speech cues
                plo, phi = prev_range
                pool = [_shift(x, plo) for x in _sources(folded[plo:phi], 0, phi - plo, live=live)]
            bsrc = next((x for x in reversed(pool) if x.explicit), pool[-1] if pool else None)
            block = (idx, bsrc) if bsrc else None
        last_srcs = abs_srcs
        prev_range = (lo, hi)
        prev_end = hi
    results.sort(key=lambda r: (r["start"], r["end"]))
    return results
