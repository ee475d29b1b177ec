"""A small, fast statistical named-entity tagger over Sudachi tokens.

The model is an averaged structured perceptron (first-order, BIO tags, Viterbi decoding with BIO
constraints) over hand-written sparse features of the Sudachi SplitMode.C tokens the pipeline already has:
surface, Sudachi part-of-speech, character-type shape, prefixes/suffixes and the same for neighbouring
tokens. It is trained by ``tools/train_ner.py`` on the TRAIN split of the Stockmark Wikipedia NER data set
(CC BY-SA 3.0; see docs/ner.md for the figures and attribution) and shipped as package data
(``kansoku/data/ner/model.npz``), loaded lazily once per process: from a compiled form in the user cache
(:mod:`kansoku.nlp.cache`: weights as a memory-mapped ``.npy``, word clusters as a memory-mapped hash
table), built from the shipped file on first use.

Entry point: :func:`predict` (character spans with coarse types PERSON, ORG, LOC, FAC, PRODUCT, EVENT).
"""

from __future__ import annotations

import io
import json
import marshal
import os
import threading
import zlib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np

from kansoku import rx
from kansoku.nlp.tokens import Token

TYPES = ("PERSON", "ORG", "LOC", "FAC", "PRODUCT", "EVENT")
TAGS: tuple[str, ...] = ("O", *(f"{p}-{t}" for t in TYPES for p in "BI"))
N_TAGS = len(TAGS)
MODEL_FILE = "model.npz"
FEATURE_VERSION = 1


class NERModelMissing(FileNotFoundError):
    """The shipped NER model file is not where package data should be."""


# ---------------------------------------------------------------- features


def _char_class(ch: str) -> str:
    o = ord(ch)
    if 0x3041 <= o <= 0x309F:
        return "h"
    if 0x30A1 <= o <= 0x30FA or ch in "ーｰ":
        return "k"
    if 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or ch in "々〆ヶ":
        return "C"
    if ch.isdigit():
        return "d"
    if ch.isalpha():
        if ch.isupper():
            return "A"
        return "a"
    if ch in "・･":
        return "m"
    if ch.isspace():
        return "s"
    return "o"


@lru_cache(maxsize=20_000)
def _shape(surface: str) -> str:
    out: list[str] = []
    for ch in surface:
        c = _char_class(ch)
        if not out or out[-1] != c:
            out.append(c)
    return "".join(out[:6])


# token attributes: 0 surface, 1 pos (first 4 levels), 2 pos (first 2 levels), 3 shape, 4 prefix1,
# 5 prefix2, 6 suffix1, 7 suffix2, 8 suffix3, 9 length bucket, 10 oov, 11 normalised form, 12 word cluster
_PAD = ("<s>", "<s>", "<s>", "<s>", "", "", "", "", "", "", "", "<s>", "<s>")
_END_PAD = ("</s>", "</s>", "</s>", "</s>", "", "", "", "", "", "", "", "</s>", "</s>")

# word -> cluster id (k-means over GiNZA's static word vectors, computed by tools/train_ner.py and stored in
# the model file); one table per process, installed by set_clusters() when a model is loaded: a dict, or a
# ClusterTable (the same mapping, memory-mapped) when the model comes from the cache
_CLUSTERS: dict[str, str] | ClusterTable = {}


def set_clusters(clusters: dict[str, str] | ClusterTable) -> None:
    global _CLUSTERS
    _CLUSTERS = clusters
    _attrs.cache_clear()


@lru_cache(maxsize=20_000)
def _attrs(surface: str, pos: tuple[str, ...], normalized: str, oov: bool) -> tuple[str, ...]:
    n = len(surface)
    return (
        surface,
        "-".join(pos[:4]),
        pos[0] + "-" + pos[1],
        _shape(surface),
        surface[:1],
        surface[:2],
        surface[-1:],
        surface[-2:],
        surface[-3:],
        str(n) if n < 6 else "6+",
        "1" if oov else "0",
        normalized,
        _CLUSTERS.get(surface) or _CLUSTERS.get(normalized) or "-",
    )


def token_features(tokens: list[Token]) -> list[str]:
    """Feature strings of all tokens, N_FEATURES per token in order (the same at training and prediction)."""
    a = [_PAD, _PAD] + [_attrs(t.surface, t.pos, t.normalized, t.oov) for t in tokens] + [_END_PAD, _END_PAD]
    out: list[str] = []
    for i in range(2, len(a) - 2):
        m2, m1, c, p1, p2 = a[i - 2], a[i - 1], a[i], a[i + 1], a[i + 2]
        out.extend((
            "b",
            "w=" + c[0],
            "n=" + c[11],
            "p=" + c[1],
            "s=" + c[3],
            "pr1=" + c[4],
            "pr2=" + c[5],
            "su1=" + c[6],
            "su2=" + c[7],
            "su3=" + c[8],
            "L=" + c[9] + c[3][:1] + c[10],
            "w-1=" + m1[0],
            "w+1=" + p1[0],
            "w-2=" + m2[0],
            "w+2=" + p2[0],
            "p-1=" + m1[1],
            "p+1=" + p1[1],
            "p-2=" + m2[2],
            "p+2=" + p2[2],
            "s-1=" + m1[3],
            "s+1=" + p1[3],
            "su-1=" + m1[7],
            "pr+1=" + p1[5],
            "su+1=" + p1[6],
            "ww-1=" + m1[0] + "|" + c[0],
            "ww+1=" + c[0] + "|" + p1[0],
            "pp-1=" + m1[1] + "|" + c[1],
            "pp+1=" + c[1] + "|" + p1[1],
            "ppp=" + m1[2] + "|" + c[1] + "|" + p1[2],
            "ss-1=" + m1[3] + "|" + c[3],
            "ss+1=" + c[3] + "|" + p1[3],
            "wp+1=" + c[0] + "|" + p1[2],
            "pw+1=" + c[2] + "|" + p1[0],
            "pw-1=" + m1[0] + "|" + c[2],
            "c=" + c[12],
            "c-1=" + m1[12],
            "c+1=" + p1[12],
            "cc-1=" + m1[12] + "|" + c[12],
            "cc+1=" + c[12] + "|" + p1[12],
            "cp=" + c[12] + "|" + c[1],
        ))
    return out


N_FEATURES = len(token_features([Token("x", 0, 1, ("名詞", "普通名詞", "一般", "*", "*", "*"), "x", "x")]))


# ---------------------------------------------------------------- decoding


def allowed_transitions() -> np.ndarray:
    """(N_TAGS + 1, N_TAGS) mask: row N_TAGS is the sentence start; I-X only after B-X or I-X."""
    mask = np.ones((N_TAGS + 1, N_TAGS), dtype=bool)
    for j, tag in enumerate(TAGS):
        if tag.startswith("I-"):
            typ = tag[2:]
            for i in range(N_TAGS + 1):
                prev = TAGS[i] if i < N_TAGS else "<s>"
                mask[i, j] = prev in (f"B-{typ}", f"I-{typ}")
    return mask


_NEG = -1e9


def viterbi(emissions: np.ndarray, trans: np.ndarray) -> list[int]:
    """Best tag sequence; ``trans`` is (N_TAGS + 1, N_TAGS) with the start row last, masked already."""
    n = emissions.shape[0]
    if n == 0:
        return []
    score = emissions[0] + trans[N_TAGS]
    body = trans[:N_TAGS]
    back = np.empty((n, N_TAGS), dtype=np.intp)
    cols = np.arange(N_TAGS)
    for i in range(1, n):
        cand = score[:, None] + body
        best = cand.argmax(0)
        back[i] = best
        score = cand[best, cols] + emissions[i]
    tag = int(score.argmax())
    path = [tag]
    for i in range(n - 1, 0, -1):
        tag = int(back[i, tag])
        path.append(tag)
    path.reverse()
    return path


def viterbi_many(emissions: np.ndarray, lengths: list[int], trans: np.ndarray) -> list[list[int]]:
    """:func:`viterbi` over several sequences at once (``emissions`` stacked, ``lengths`` of each): one
    Python step per position instead of per token, each step the same float32 operations per sequence.

    The sequences run longest first, so the ones still going at a step are a prefix of the rows and each
    step computes only those (a finished sequence keeps its last scores)."""
    n_seq = len(lengths)
    lens = np.asarray(lengths)
    order = np.argsort(-lens, kind="stable")
    ls = lens[order]
    width = int(ls[0])
    em = np.zeros((n_seq, width, N_TAGS), dtype=emissions.dtype)
    em[np.arange(width) < lens[:, None]] = emissions
    em = em[order]
    score = em[:, 0] + trans[N_TAGS]
    body_t = trans[:N_TAGS].T.copy()  # [to, from]: the candidates of a tag are contiguous
    back = np.zeros((n_seq, width, N_TAGS), dtype=np.uint8)
    flat = np.arange(n_seq * N_TAGS) * N_TAGS  # start of each (sequence, tag) row of cand.ravel()
    running = np.searchsorted(-ls, -np.arange(width), side="left").tolist()  # rows with length > i
    for i in range(1, width):
        a = running[i]
        cand = score[:a, None, :] + body_t  # (a, to, from)
        best = cand.argmax(2)
        back[:a, i] = best
        # the best score is the candidate at the argmax (the same float32 as a max over the axis)
        score[:a] = cand.ravel()[flat[: a * N_TAGS] + best.ravel()].reshape(a, N_TAGS) + em[:a, i]
    last = score.argmax(1).tolist()
    paths: list[list[int]] = [[] for _ in range(n_seq)]
    for r, k in enumerate(order.tolist()):
        n = lengths[k]
        tag = last[r]
        path = [tag]
        steps = back[r, :n].tolist()
        for i in range(n - 1, 0, -1):
            tag = steps[i][tag]
            path.append(tag)
        path.reverse()
        paths[k] = path
    return paths


def spans_of(tags: list[int], tokens: list[Token]) -> list[tuple[int, int, str]]:
    out: list[tuple[int, int, str]] = []
    start = -1
    typ = ""
    for i, t in enumerate(tags):
        name = TAGS[t]
        if name == "O" or name.startswith("B-") or name[2:] != typ:
            if start >= 0:
                out.append((tokens[start].start, tokens[i - 1].end, typ))
                start = -1
            if name != "O":
                start, typ = i, name[2:]
    if start >= 0:
        out.append((tokens[start].start, tokens[-1].end, typ))
    return out


# Tokens no entity contains (the training data has a handful of exceptions), and suffixes that follow a
# person's name: Stockmark PERSON spans exclude titles, but the tagger sometimes swallows them.
_BREAKERS = frozenset("、。，．:：;；()（）[]［］「」『』【】〈〉《》<>＜＞|｜／") | {"\n"}
_PERSON_TRAIL = frozenset(
    ["氏", "さん", "様", "君", "ちゃん", "殿", "大統領", "副大統領", "首相", "副首相", "外相", "国防相", "防衛相", "財務相",
     "大臣", "長官", "報道官", "議長", "委員長", "総裁", "会長", "社長", "市長", "知事", "議員", "大使", "特使", "教授",
     "博士", "国王", "主席", "総書記", "書記長", "司令官", "将軍", "容疑者", "被告", "監督", "選手", "代表", "元首相",
     "前大統領", "元大統領", "次官", "補佐官", "顧問", "首長", "皇帝"]
)
_JOINERS = frozenset("・･=＝")
_URLISH = rx.compile(r"://|^https?:|^www\d*\.|^[a-z0-9-]+(?:\.[a-z0-9-]+){2,}(?:/|$)|^@\w")


_TITLES_LONGEST_FIRST = sorted(_PERSON_TRAIL, key=len, reverse=True)


def clean_spans(tags: list[int], tokens: list[Token]) -> list[tuple[int, int, str]]:
    """Spans of a tag sequence with runtime repairs: drop URLs, host names and @handles; split at
    punctuation, brackets and line breaks; trim spaces at the edges; drop titles after PERSON names
    (大統領, 氏 …), also inside a single token such as トランプ大統領, so such a span may end inside a token."""
    out: list[tuple[int, int, str]] = []
    i = 0
    n = len(tags)
    while i < n:
        name = TAGS[tags[i]]
        if name == "O":
            i += 1
            continue
        typ = name[2:]
        j = i + 1
        while j < n and TAGS[tags[j]] == "I-" + typ:
            j += 1
        whole = "".join(t.surface for t in tokens[i:j])
        if _URLISH.search(whole):
            i = j
            continue
        piece: list[Token] = []
        for t in [*tokens[i:j], None]:
            if t is not None and t.surface.strip() and t.surface not in _BREAKERS:
                piece.append(t)
                continue
            if t is not None and not t.surface.strip() and "\n" not in t.surface and piece:
                piece.append(t)  # inner space, as in "Amstrad CPC"; trimmed below if trailing
                continue
            while piece and (not piece[-1].surface.strip() or piece[-1].surface in _JOINERS):
                piece.pop()  # an edge space or a dangling name joiner (マリリン・)
            while piece and (not piece[0].surface.strip() or piece[0].surface in _JOINERS):
                piece.pop(0)
            if typ == "PERSON":
                while len(piece) > 1 and piece[-1].surface in _PERSON_TRAIL:
                    piece.pop()
            if piece:
                start, end = piece[0].start, piece[-1].end
                if typ == "PERSON":
                    last = piece[-1].surface
                    for title in _TITLES_LONGEST_FIRST:
                        if last.endswith(title) and end - len(title) - start >= 2:
                            end -= len(title)
                            break
                out.append((start, end, typ))
            piece = []
        i = j
    return out


# ---------------------------------------------------------------- model


# Every token type (the attributes _attrs() gives it) gets a key, and each key one row of _rows: the ids of
# its 27 features that depend on that token alone (as the current token, the one before, after, two before,
# two after), then small ids of the five attributes the features of two or three tokens are built from.
_ROLE_COLS = 27
_SID, _P4, _P2, _SHAPE, _CLUSTER, _FLAGS = range(_ROLE_COLS, _ROLE_COLS + 6)
_ROW = _ROLE_COLS + 6
# columns of the per-position table (see Model.id_matrix) after the 27 role ids: features of the pair of
# positions (j-1, j), of the triple centred on j, and the bias
_WW_L, _WW_R, _PP_L, _PP_R, _SS_L, _SS_R, _PW_L, _WP_R, _PW_R, _CC_L, _CC_R, _PPP, _BIAS = range(27, 40)
# (position offset, table column) of each of the N_FEATURES features, in token_features() order
_LAYOUT = (
    (0, _BIAS), (0, 0), (0, 5), (0, 6), (0, 9), (0, 12), (0, 13), (0, 15), (0, 17), (0, 19), (0, 25),  # b w n p s pr1 pr2 su1 su2 su3 L
    (-1, 1), (1, 2), (-2, 3), (2, 4),  # w-1 w+1 w-2 w+2
    (-1, 7), (1, 8), (-2, 23), (2, 24),  # p-1 p+1 p-2 p+2
    (-1, 10), (1, 11), (-1, 18), (1, 14), (1, 16),  # s-1 s+1 su-1 pr+1 su+1
    (0, _WW_L), (1, _WW_R), (0, _PP_L), (1, _PP_R), (0, _PPP), (0, _SS_L), (1, _SS_R),  # ww-1 ww+1 pp-1 pp+1 ppp ss-1 ss+1
    (1, _WP_R), (1, _PW_R), (0, _PW_L),  # wp+1 pw+1 pw-1
    (0, 20), (-1, 21), (1, 22), (0, _CC_L), (1, _CC_R), (0, 26),  # c c-1 c+1 cc-1 cc+1 cp
)
# The 27 role columns of a key's row, grouped by the attribute they are built from (attribute index, feature
# prefixes), in column order; the last two columns (L, cp) combine attributes.  A group's ids are kept per
# attribute value (Model._memo) when the value recurs across token types (parts of speech, shapes, affixes,
# clusters), so a new token type looks up only the values not seen before; the surface and normalised form
# (new with almost every token type) and single-feature groups are looked up directly.
_GROUPS = (
    (0, ("w=", "w-1=", "w+1=", "w-2=", "w+2=")), (11, ("n=",)), (1, ("p=", "p-1=", "p+1=")),
    (3, ("s=", "s-1=", "s+1=")), (4, ("pr1=",)), (5, ("pr2=", "pr+1=")), (6, ("su1=", "su+1=")),
    (7, ("su2=", "su-1=")), (8, ("su3=",)), (12, ("c=", "c-1=", "c+1=")), (2, ("p-2=", "p+2=")),
)  # fmt: skip
_DIRECT = tuple(slot == 0 or len(prefixes) == 1 for slot, prefixes in _GROUPS)  # not memoised (see above)
# The leading features of _LAYOUT (the bias and the current token's own: b w n p s pr1 pr2 su1 su2 su3 L) depend
# on the token type alone: their weights are summed once per key (Model._presum), in the order of the full
# sum, so an emission is that sum plus the other features' weights added one by one: the same float32
# additions in the same order as ``weights[ids].sum(axis=1)`` (numpy sums a middle axis row by row).
_OWN = 11
_OWN_COLUMNS = tuple(c for _, c in _LAYOUT[1:_OWN])
_OFFSETS = np.array([o for o, _ in _LAYOUT], dtype=np.intp)
_COLUMNS = np.array([c for _, c in _LAYOUT], dtype=np.intp)
_LO = (1 << 32) - 1  # two feature ids packed into one int: first << 32 | second
# Bounds of the caches, which otherwise grow with every new word a long run meets (a worker analysing
# 3,700 livedoor articles reached 690,000 pair/triple entries, ~75 MB): beyond this many token types
# every cache starts again (ids must also fit in 20 bits); the pair/triple caches keep two generations of
# at most half this many entries each: an entry not used during a whole generation is dropped (their keys
# are attribute ids, which stay valid).
_MAX_KEYS = 1 << 17
_MAX_FAMILY = 250_000  # the current generation and the one before together
_FAMILIES = ("ww", "pp", "ss", "wp", "pw", "cc", "ppp")
# The families over the small attribute vocabularies (pp, ss, cc, ppp: parts of speech, shapes, clusters, tens
# to hundreds of values) are cached in dense arrays indexed by the attribute ids, looked up for a whole
# document in one numpy gather (Model._dense); a table that would grow beyond this many entries (8 MB) leaves
# its family to the dict cache.
_DENSE_MAX = 1 << 20


def pair_words(names: Any) -> tuple[frozenset[str], ...]:
    """Words that can stand on each side of the word-pair features, from the feature names: (left of ww±1,
    right of ww±1, left of pw-1/wp+1, right of pw+1).  A pair of tokens whose words are not in these sets
    has none of those features, so :meth:`Model.id_matrix` need not look them up.  A name is split at every
    ``|`` (a word may contain one), so the sets hold every word that may occur there: a superset, never
    missing one."""
    sides: tuple[set[str], ...] = (set(), set(), set(), set())
    for f in names:
        head = f[:5]
        if head in ("ww-1=", "ww+1="):
            left, right = sides[0], sides[1]
        elif head in ("pw-1=", "wp+1="):
            left, right = sides[2], None
        elif head == "pw+1=":
            left, right = None, sides[3]
        else:
            continue
        body = f[5:]
        i = body.find("|")
        while i >= 0:
            if left is not None:
                left.add(body[:i])
            if right is not None:
                right.add(body[i + 1 :])
            i = body.find("|", i + 1)
    return tuple(frozenset(x) for x in sides)


def direct_vocab(names: Any) -> tuple[frozenset[str], ...]:
    """Per group of ``_GROUPS``: the attribute values that occur after one of its prefixes in the feature
    names (empty for a memoised group).  A token type whose value is not in its group's set has none of
    that group's features, so :meth:`Model._key` skips those look-ups: three token types in four that the
    analysis meets for the first time have a surface and a normalised form no word feature knows."""
    group_of = {p: k for k, (_, prefixes) in enumerate(_GROUPS) if _DIRECT[k] for p in prefixes}
    sets: list[set[str]] = [set() for _ in _GROUPS]
    for f in names:
        i = f.find("=")
        k = group_of.get(f[: i + 1]) if i > 0 else None
        if k is not None:
            sets[k].add(f[i + 1 :])
    return tuple(frozenset(x) for x in sets)


@dataclass(slots=True)
class Model:
    index: dict[str, int]
    weights: np.ndarray  # (n_features + 1, N_TAGS) float32, last row zero (unknown features)
    trans: np.ndarray  # (N_TAGS + 1, N_TAGS) float32, masked
    # caches of the fast path (id_matrix), filled as tokens are seen: token -> key, attributes -> key, the
    # rows of the keys, attribute value <-> small id, and the packed feature ids of each pair/triple family
    _tok_key: dict[tuple[Any, ...], int] = field(default_factory=dict, repr=False)
    _attr_key: dict[tuple[str, ...], int] = field(default_factory=dict, repr=False)
    _rows: np.ndarray = field(default_factory=lambda: np.zeros((0, _ROW), dtype=np.int64), repr=False)
    _pending: list[list[int]] = field(default_factory=list, repr=False)
    _values: list[dict[str, int]] = field(default_factory=list, repr=False)
    _names: list[list[str]] = field(default_factory=list, repr=False)
    _families: dict[str, dict[int, int]] = field(default_factory=dict, repr=False)
    _older: dict[str, dict[int, int]] = field(default_factory=dict, repr=False)  # the previous generation
    _tables: dict[str, np.ndarray] = field(default_factory=dict, repr=False)  # the dense families
    _memo: list[dict[str, tuple[int, ...]]] = field(default_factory=list, repr=False)  # per _GROUPS entry
    _presum: np.ndarray = field(default_factory=lambda: np.zeros((0, N_TAGS), dtype=np.float32), repr=False)
    _clusters: Any = field(default=None, repr=False)
    # pair_words(index) and direct_vocab(index), from the compiled model or computed on first use
    pair_words: tuple[frozenset[str], ...] | None = field(default=None, repr=False)
    direct_vocab: tuple[frozenset[str], ...] | None = field(default=None, repr=False)
    # the caches above are grown in steps (keys, then their rows): one thread at a time
    _lock: Any = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def unknown(self) -> int:
        return len(self.weights) - 1

    def emissions(self, feats: list[str]) -> np.ndarray:
        """(n_tokens, N_TAGS) scores; unknown features map to the all-zero last row of ``weights``."""
        ids = np.fromiter(map(self.index.get, feats, repeat(self.unknown)), dtype=np.intp, count=len(feats))
        return self.weights[ids.reshape(-1, N_FEATURES)].sum(axis=1)

    def tag(self, tokens: list[Token]) -> list[int]:
        if not tokens:
            return []
        return viterbi(self.emissions(token_features(tokens)), self.trans)

    # ---- the fast path ------------------------------------------------------------------------------------
    def _reset(self) -> None:
        if self.pair_words is None:
            self.pair_words = pair_words(self.index)
        if self.direct_vocab is None:
            self.direct_vocab = direct_vocab(self.index)
        self._tok_key.clear()
        self._attr_key.clear()
        self._rows = np.zeros((1024, _ROW), dtype=np.int64)
        self._presum = np.zeros((1024, N_TAGS), dtype=np.float32)
        self._pending.clear()
        self._values[:] = [{} for _ in range(5)]
        self._names[:] = [[] for _ in range(5)]
        self._families.clear()
        self._families.update((f, {}) for f in _FAMILIES)
        self._older.clear()
        self._older.update((f, {}) for f in _FAMILIES)
        self._tables.clear()
        self._memo[:] = [{} for _ in _GROUPS]
        self._clusters = _CLUSTERS
        for a in (_PAD, _END_PAD):
            self._key(a)

    def _value_id(self, slot: int, value: str) -> int:
        got = self._values[slot].get(value)
        if got is None:
            got = self._values[slot][value] = len(self._names[slot])
            self._names[slot].append(value)
        return got

    def _key(self, a: tuple[str, ...]) -> int:
        k = self._attr_key.get(a)
        if k is None:
            get, unk = self.index.get, self.unknown
            row: list[int] = []
            for memo, (slot, prefixes), direct, known in zip(self._memo, _GROUPS, _DIRECT, self.direct_vocab,  # type: ignore[arg-type]
                                                             strict=True):
                v = a[slot]
                if direct:
                    row += [get(p + v, unk) for p in prefixes] if v in known else [unk] * len(prefixes)
                    continue
                ids = memo.get(v)
                if ids is None:
                    ids = memo[v] = tuple([get(p + v, unk) for p in prefixes])
                row += ids
            row += (get("L=" + a[9] + a[3][:1] + a[10], unk), get("cp=" + a[12] + "|" + a[1], unk))
            w, sides = a[0], self.pair_words
            row += (self._value_id(0, w), self._value_id(1, a[1]), self._value_id(2, a[2]),
                    self._value_id(3, a[3]), self._value_id(4, a[12]),
                    # which word-pair features the word can take part in (pair_words' four sides)
                    (w in sides[0]) | (w in sides[1]) << 1 | (w in sides[2]) << 2 | (w in sides[3]) << 3)  # type: ignore[index]
            k = len(self._attr_key)
            self._pending.append(row)
            self._attr_key[a] = k
        return k

    def _flush(self) -> None:
        """Write the rows of the keys made since the last call into ``_rows``, and their own weights'
        sums into ``_presum``."""
        n, new = len(self._attr_key), self._pending
        if n > len(self._rows):
            size = max(n, 2 * len(self._rows))
            grown = np.zeros((size, _ROW), dtype=np.int64)
            grown[: len(self._rows)] = self._rows
            self._rows = grown
            sums = np.zeros((size, N_TAGS), dtype=np.float32)
            sums[: len(self._presum)] = self._presum
            self._presum = sums
        first = n - len(new)
        self._rows[first:n] = new
        new.clear()
        rows, w = self._rows[first:n], self.weights
        acc = np.repeat(w[self.index.get("b", self.unknown)][None, :], n - first, axis=0)
        for col in _OWN_COLUMNS:
            acc += w.take(rows[:, col], axis=0)
        self._presum[first:n] = acc

    def _keys(self, tokens: list[Token]) -> list[int]:
        get = self._tok_key.get
        ks = [get((t[0], t[3], t[4], t[6])) for t in tokens]  # surface, pos, normalized, oov
        if None in ks:
            for i, k in enumerate(ks):
                if k is None:
                    t = tokens[i]
                    tk = (t.surface, t.pos, t.normalized, t.oov)
                    k = self._tok_key.get(tk)
                    if k is None:
                        k = self._tok_key[tk] = self._key(_attrs(*tk))
                    ks[i] = k
        return ks

    def _compute(self, name: str, keys: list[int]) -> list[int]:
        """Feature ids of family ``name`` for packed attribute-id combinations (no cache): two ids packed
        ``left << 32 | right`` for the pair families, the ``ppp`` triple as 20 bits each; ``pw`` has one id."""
        get, unk = self.index.get, self.unknown
        words, pos4, pos2, shapes, clusters = self._names
        sides = self.pair_words or pair_words(self.index)
        if name == "pw":
            right = sides[3]
            return [get("pw+1=" + pos2[x >> 32] + "|" + words[x & _LO], unk) if words[x & _LO] in right else unk
                    for x in keys]  # fmt: skip
        if name == "ppp":  # pos2 | pos4 | pos2, packed 20 bits each
            return [get("ppp=" + pos2[x >> 40] + "|" + pos4[(x >> 20) & 0xFFFFF] + "|" + pos2[x & 0xFFFFF], unk)
                    for x in keys]  # fmt: skip
        # the pair families with two features each (of the pair seen from its left and from its right): the
        # names of each side, the two feature prefixes, and the words a side must be one of (None: any)
        left, right, first, second, left_ok, right_ok = {
            "ww": (words, words, "ww-1=", "ww+1=", sides[0], sides[1]),
            "wp": (words, pos2, "pw-1=", "wp+1=", sides[2], None),
            "pp": (pos4, pos4, "pp-1=", "pp+1=", None, None),
            "ss": (shapes, shapes, "ss-1=", "ss+1=", None, None),
            "cc": (clusters, clusters, "cc-1=", "cc+1=", None, None),
        }[name]
        none = unk << 32 | unk
        out = []
        for x in keys:
            a, b = left[x >> 32], right[x & _LO]
            if (left_ok is None or a in left_ok) and (right_ok is None or b in right_ok):
                s = a + "|" + b
                out.append(get(first + s, unk) << 32 | get(second + s, unk))
            else:
                out.append(none)
        return out

    def _family(self, name: str, packed: np.ndarray) -> np.ndarray:
        """Feature ids of family ``name`` for each packed attribute-id combination, from its dict cache."""
        d = self._families[name]
        keys = packed.tolist()
        vals = list(map(d.get, keys))
        if None in vals:
            miss = {x for x, v in zip(keys, vals, strict=True) if v is None}
            older = self._older.get(name)
            if older:
                for x in list(miss):
                    v = older.get(x)
                    if v is not None:
                        d[x] = v
                        miss.discard(x)
            todo = list(miss)
            d.update(zip(todo, self._compute(name, todo), strict=True))
            vals = list(map(d.__getitem__, keys))
        return np.array(vals, dtype=np.int64)

    def _masked(self, name: str, left: np.ndarray, right: np.ndarray, mask: np.ndarray, none: int) -> np.ndarray:
        """A word-pair family: only the pairs in ``mask`` can have a feature (both words in the model's pair
        words); the others get ``none`` without a look-up."""
        out = np.full(len(left), none, dtype=np.int64)
        if mask.any():
            out[mask] = self._family(name, left[mask] << 32 | right[mask])
        return out

    def _dense(self, name: str, cols: tuple[np.ndarray, ...]) -> np.ndarray:
        """A family over small attribute vocabularies (pp, ss, cc, ppp) from its dense table, indexed by the
        attribute ids of each position (``cols``); entries not computed yet hold -1 and are filled here."""
        tab = self._tables.get(name)
        need = [int(c.max()) + 1 for c in cols]
        if tab is None or any(n > k for n, k in zip(need, tab.shape, strict=True)):
            old = tab.shape if tab is not None else (64,) * len(cols)
            shape = tuple(max(k, 1 << (n - 1).bit_length()) for n, k in zip(need, old, strict=True))
            if int(np.prod(shape)) > _DENSE_MAX:
                return self._family(name, self._pack(name, cols))
            grown = np.full(shape, -1, dtype=np.int64)
            if tab is not None:
                grown[tuple(slice(0, k) for k in tab.shape)] = tab
            self._tables[name] = tab = grown
        vals = tab[cols]
        miss = vals < 0
        if miss.any():
            sub = tuple(c[miss] for c in cols)
            keys, inverse = np.unique(self._pack(name, sub), return_inverse=True)
            got = np.asarray(self._compute(name, keys.tolist()), dtype=np.int64)[inverse]
            tab[sub] = got
            vals[miss] = got
        return vals

    @staticmethod
    def _pack(name: str, cols: tuple[np.ndarray, ...]) -> np.ndarray:
        if name == "ppp":
            return cols[0] << 40 | cols[1] << 20 | cols[2]
        return cols[0] << 32 | cols[1]

    def id_matrix(self, sentences: list[list[Token]]) -> np.ndarray:
        """(total tokens, N_FEATURES) ids of ``token_features`` of each sentence, stacked: the same ids in
        the same order, computed from cached rows per token type and per pair/triple of attribute ids."""
        with self._lock:
            table, centres, _ = self._table(sentences)
            return table[centres[:, None] + _OFFSETS, _COLUMNS]

    def emissions_many(self, sentences: list[list[Token]]) -> np.ndarray:
        """(total tokens, N_TAGS) scores of each sentence's tokens, stacked: ``weights[id_matrix].sum(1)``
        computed as the per-key sum of the own features plus the others' weights added column by column
        (the same additions in the same order, without the (tokens, N_FEATURES, N_TAGS) gather)."""
        with self._lock:
            table, centres, keys = self._table(sentences)
            ids = table[centres[:, None] + _OFFSETS[_OWN:], _COLUMNS[_OWN:]].T.copy()
            # ``take`` gathers whole rows: several times faster than ``w[col]``'s general fancy indexing
            em = self._presum.take(keys.take(centres), axis=0)
            w = self.weights
            for col in ids:
                em += w.take(col, axis=0)
            return em

    def _table(self, sentences: list[list[Token]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The per-position table of the sentences' tokens (with two pads on each side of each sentence):
        role ids, pair and triple ids, bias; the positions of the tokens in it; the key of each position."""
        if self._clusters is not _CLUSTERS or len(self._attr_key) >= _MAX_KEYS or not self._families:
            self._reset()
        elif sum(map(len, self._families.values())) > _MAX_FAMILY // 2:
            # a new generation: entries the last one did not use are dropped, the others move up on use
            self._older.clear()
            self._older.update(self._families)
            self._families.clear()
            self._families.update((f, {}) for f in _FAMILIES)
        pad, end = self._attr_key[_PAD], self._attr_key[_END_PAD]
        flat: list[int] = []
        centres: list[int] = []
        for toks in sentences:
            o = len(flat) + 2
            flat += (pad, pad, *self._keys(toks), end, end)
            centres += range(o, o + len(toks))
        if self._pending:
            self._flush()
        keys = np.asarray(flat, dtype=np.intp)
        rows = self._rows.take(keys, axis=0)  # (T, _ROW)
        t = len(flat)
        table = np.empty((t, _BIAS + 1), dtype=np.int64)
        table[:, :_ROLE_COLS] = rows[:, :_ROLE_COLS]
        sid, p4, p2, shape, cl, fl = (rows[:, c] for c in (_SID, _P4, _P2, _SHAPE, _CLUSTER, _FLAGS))
        unk = self.unknown
        none = unk << 32 | unk
        ww = self._masked("ww", sid[:-1], sid[1:], (fl[:-1] & 1 != 0) & (fl[1:] & 2 != 0), none)
        wp = self._masked("wp", sid[:-1], p2[1:], fl[:-1] & 4 != 0, none)
        pp = self._dense("pp", (p4[:-1], p4[1:]))
        ss = self._dense("ss", (shape[:-1], shape[1:]))
        cc = self._dense("cc", (cl[:-1], cl[1:]))
        table[1:, _WW_L], table[1:, _WW_R] = ww >> 32, ww & _LO
        table[1:, _PP_L], table[1:, _PP_R] = pp >> 32, pp & _LO
        table[1:, _SS_L], table[1:, _SS_R] = ss >> 32, ss & _LO
        table[1:, _PW_L], table[1:, _WP_R] = wp >> 32, wp & _LO
        table[1:, _CC_L], table[1:, _CC_R] = cc >> 32, cc & _LO
        table[1:, _PW_R] = self._masked("pw", p2[:-1], sid[1:], fl[1:] & 8 != 0, unk)
        table[1:-1, _PPP] = self._dense("ppp", (p2[:-2], p4[1:-1], p2[2:]))
        table[:, _BIAS] = self.index.get("b", self.unknown)
        return table, np.asarray(centres, dtype=np.intp), keys

    def feature_ids(self, tokens: list[Token]) -> list[int]:
        """The ids of ``token_features(tokens)`` (same order, N_FEATURES per token)."""
        if not tokens:
            return []
        return self.id_matrix([tokens]).ravel().tolist()

    def tag_many(self, sentences: list[list[Token]]) -> list[list[int]]:
        """Tags of several token sequences at once: one gather for all emissions, one batched Viterbi.
        The same floating-point operations as :meth:`tag`, so the same tags."""
        live = [i for i, toks in enumerate(sentences) if toks]
        out: list[list[int]] = [[] for _ in sentences]
        if not live:
            return out
        seqs = [sentences[i] for i in live]
        em = self.emissions_many(seqs)
        for i, path in zip(live, viterbi_many(em, [len(s) for s in seqs], self.trans), strict=True):
            out[i] = path
        return out


def _text_blob(items: list[str]) -> np.ndarray:
    return np.frombuffer("\n".join(items).encode("utf-8"), dtype=np.uint8)


def save(
    path: Path,
    index: dict[str, int],
    weights: np.ndarray,
    trans: np.ndarray,
    clusters: dict[str, int],
    meta: dict[str, Any],
) -> None:
    names = [""] * len(index)
    for f, k in index.items():
        names[k] = f
    words = sorted(clusters)
    np.savez_compressed(
        path,
        features=_text_blob(names),
        weights=weights.astype(np.float16),
        trans=trans.astype(np.float32),
        cluster_words=_text_blob(words),
        cluster_ids=np.asarray([clusters[w] for w in words], dtype=np.uint16),
        meta=_text_blob([json.dumps(meta, ensure_ascii=False)]),
    )


def load_file(path: Path | io.BytesIO) -> Model:
    """Load a model file and install its word clusters for this process."""
    with np.load(path) as z:
        names = z["features"].tobytes().decode("utf-8").split("\n")
        words = z["cluster_words"].tobytes().decode("utf-8").split("\n")
        cids = z["cluster_ids"].tolist()
        weights = z["weights"].astype(np.float32)
        weights = np.vstack([weights, np.zeros((1, N_TAGS), dtype=np.float32)])
        trans = z["trans"].astype(np.float32)
    labels = [str(i) for i in range(max(cids, default=0) + 1)]
    set_clusters(dict(zip(words, [labels[i] for i in cids], strict=True)))
    mask = allowed_transitions()
    trans = np.where(mask, trans, np.float32(_NEG)).astype(np.float32)
    return Model({f: i for i, f in enumerate(names)}, weights, trans)


class ClusterTable:
    """A read-only ``word -> cluster label`` mapping over memory-mapped arrays, with the ``get`` of a dict.

    An open-addressing hash table: slot ``crc32(UTF-8 word) & mask``, linear probing; ``table`` holds word
    numbers (-1 for an empty slot), ``offsets`` the word boundaries in ``blob`` and ``ids`` the cluster of
    each word.  Loading it costs nothing; a lookup about a microsecond (the ``_attrs`` cache in front of it
    sees each token once)."""

    __slots__ = ("_blob", "_ids", "_labels", "_mask", "_offsets", "_table")

    def __init__(self, blob: np.ndarray, offsets: np.ndarray, ids: np.ndarray, table: np.ndarray) -> None:
        top = int(ids.max()) if len(ids) else 0
        self._blob = memoryview(np.ascontiguousarray(blob, dtype=np.uint8)).cast("B")
        self._offsets = memoryview(np.ascontiguousarray(offsets, dtype=np.int64)).cast("B").cast("q")
        self._ids = memoryview(np.ascontiguousarray(ids, dtype=np.uint16)).cast("B").cast("H")
        self._table = memoryview(np.ascontiguousarray(table, dtype=np.int32)).cast("B").cast("i")
        self._mask = len(self._table) - 1
        self._labels = [str(i) for i in range(top + 1)]

    def __len__(self) -> int:
        return len(self._ids)

    def get(self, word: str, default: str | None = None) -> str | None:
        try:
            b = word.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: never a model word
            return default
        table, offsets, blob, mask = self._table, self._offsets, self._blob, self._mask
        h = zlib.crc32(b) & mask
        while True:
            i = table[h]
            if i < 0:
                return default
            if blob[offsets[i] : offsets[i + 1]] == b:
                return self._labels[self._ids[i]]
            h = (h + 1) & mask

    @staticmethod
    def build(words: list[str], ids: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(blob, offsets, ids, table) for WORDS with cluster IDS (a later duplicate wins, as in a dict)."""
        d = dict(zip(words, ids, strict=True))
        encoded = [w.encode("utf-8") for w in d]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum([len(b) for b in encoded])
        size = 1
        while size < 2 * len(encoded):
            size *= 2
        table = np.full(size, -1, dtype=np.int32)
        mask = size - 1
        for i, b in enumerate(encoded):
            h = zlib.crc32(b) & mask
            while table[h] >= 0:
                h = (h + 1) & mask
            table[h] = i
        blob = np.frombuffer(b"".join(encoded), dtype=np.uint8)
        return blob, offsets, np.asarray(list(d.values()), dtype=np.uint16), table


# The compiled form of a model file in the cache (kansoku.nlp.cache); bump when it changes.
COMPILED_VERSION = b"ner-compiled-3"
_COMPILED = ("weights", "trans", "cluster_blob", "cluster_offsets", "cluster_ids", "cluster_table")


def compile_model(src: Path | io.BytesIO, folder: Path) -> None:
    """Write the compiled form of model file SRC into FOLDER: ``features.txt`` (feature names, one a line,
    in id order) and one ``.npy`` per array, with the weights already as float32 with their zero row and the
    transitions already masked: exactly the arrays :func:`load_file` computes."""
    with np.load(src) as z:
        features = z["features"].tobytes()
        words = z["cluster_words"].tobytes().decode("utf-8").split("\n")
        cids = z["cluster_ids"].tolist()
        weights = z["weights"].astype(np.float32)
        weights = np.vstack([weights, np.zeros((1, N_TAGS), dtype=np.float32)])
        trans = z["trans"].astype(np.float32)
    trans = np.where(allowed_transitions(), trans, np.float32(_NEG)).astype(np.float32)
    blob, offsets, ids, table = ClusterTable.build(words, cids)
    (folder / "features.txt").write_bytes(features)
    names = features.decode("utf-8").split("\n")
    (folder / "pair_words.marshal").write_bytes(marshal.dumps([sorted(x) for x in pair_words(names)]))
    (folder / "direct_vocab.marshal").write_bytes(marshal.dumps([sorted(x) for x in direct_vocab(names)]))
    for name, arr in zip(_COMPILED, (weights, trans, blob, offsets, ids, table), strict=True):
        np.save(folder / f"{name}.npy", arr, allow_pickle=False)


def load_compiled(folder: Path) -> Model:
    """Load a model compiled by :func:`compile_model` (arrays memory-mapped) and install its clusters."""
    a = {n: np.asarray(np.load(folder / f"{n}.npy", mmap_mode="r", allow_pickle=False)) for n in _COMPILED}
    names = (folder / "features.txt").read_bytes().decode("utf-8").split("\n")
    if len(names) + 1 != len(a["weights"]) or a["weights"].shape[1:] != (N_TAGS,):
        raise ValueError(f"{folder}: inconsistent compiled model")
    clusters = ClusterTable(a["cluster_blob"], a["cluster_offsets"], a["cluster_ids"], a["cluster_table"])
    set_clusters(clusters)
    words = marshal.loads((folder / "pair_words.marshal").read_bytes())
    vocab = marshal.loads((folder / "direct_vocab.marshal").read_bytes())
    if not isinstance(words, list) or len(words) != 4 or not isinstance(vocab, list) or len(vocab) != len(_GROUPS):
        raise ValueError(f"{folder}: inconsistent compiled model")
    return Model(dict(zip(names, range(len(names)), strict=True)), a["weights"], np.array(a["trans"]),
                 pair_words=tuple(frozenset(x) for x in words), direct_vocab=tuple(frozenset(x) for x in vocab))


def load_bytes(data: bytes) -> Model:
    """A model from the bytes of a model file: through the compiled form in the cache when there is one (or
    one can be written), else as :func:`load_file` does."""
    from kansoku.nlp import cache

    folder = cache.entry("ner", [data, COMPILED_VERSION, cache.source_of(__name__)],
                         lambda d: compile_model(io.BytesIO(data), d))  # fmt: skip
    if folder is not None:
        try:
            return load_compiled(folder)
        except (OSError, ValueError, EOFError, TypeError):
            cache.discard(folder)
    return load_file(io.BytesIO(data))


@lru_cache(maxsize=1)
def model() -> Model:
    """The shipped model, loaded on first use (or the file named by ``KANSOKU_NER_MODEL``, for evaluating
    a retrained model without installing it)."""
    override = os.environ.get("KANSOKU_NER_MODEL")
    if override:
        if not Path(override).is_file():
            raise NERModelMissing(f"KANSOKU_NER_MODEL={override}: no such model file")
        return load_bytes(Path(override).read_bytes())
    res = resources.files("kansoku") / "data" / "ner" / MODEL_FILE
    if not res.is_file():
        raise NERModelMissing(
            f"NER model not found at {res}; train it with `python tools/train_ner.py` (see docs/ner.md)"
        )
    return load_bytes(res.read_bytes())


def predict(text: str, tokens: list[Token]) -> list[tuple[int, int, str]]:
    """Entity spans ``(start, end, TYPE)`` in ``text`` found over its Sudachi ``tokens``.

    ``tokens`` are SplitMode.C tokens from :func:`kansoku.nlp.tokens.tokenize` with offsets into ``text``
    (a sentence, or a span of a longer text; whitespace tokens are allowed). Spans always start and end
    on token boundaries; TYPE is one of PERSON, ORG, LOC, FAC, PRODUCT, EVENT.
    """
    del text  # offsets come from the tokens; kept in the signature for callers and future features
    return clean_spans(model().tag(tokens), tokens)


def predict_many(sentences: list[list[Token]]) -> list[list[tuple[int, int, str]]]:
    """:func:`predict` for several sentences (token lists) at once — the fast path the pipeline uses."""
    m = model()
    return [clean_spans(tags, toks) for tags, toks in zip(m.tag_many(sentences), sentences, strict=True)]
