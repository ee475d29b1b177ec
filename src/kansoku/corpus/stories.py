"""Near-duplicates and event-level story clusters across outlets, over a store.

Everything per document comes from the rows written at ingest (:mod:`kansoku.store.features`): MinHash
signatures, noun-term counts, entity salience, dates and places.  Nothing is re-tokenised.

* :func:`near_duplicates` — LSH banding (9 bands × 13 rows) over the stored 128-value MinHash signatures of
  character 5-shingles; candidates are confirmed by the estimated Jaccard similarity; groups are the
  transitive closure of the confirmed pairs.
* :func:`cluster_stories` — average-link agglomerative clustering.  Pair similarity is
  ``0.40 · cos(entity vectors) + 0.35 · cos(noun TF-IDF) + 0.25 · cos(headline-noun TF-IDF)``, halved for two
  different main places, zero for two dated documents more than ``window_days`` apart.  Near-duplicate
  groups are merged first.  Instead of the n × n matrix, the pairs that can link are found through an
  inverted index (see :func:`_candidate_pairs`), the documents are split into the connected components of
  the pairs above the threshold (clusters never span two components), and each component is clustered on
  its own, exactly (dense Lance–Williams updates) up to ``DENSE_LINK_MAX`` documents.  Deterministic:
  documents are taken in id order and ties go to the first pair.
"""

from __future__ import annotations

import contextlib
import hashlib
import heapq
import json
import math
import re
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import numpy as np

from kansoku import __version__
from kansoku.corpus import entity_weight, to_date
from kansoku.corpus.base import Corpus, as_corpus
from kansoku.store.db import decode_terms, revision
from kansoku.store.features import LEAD_BOOST, noun_terms  # noqa: F401 - re-exported
from kansoku.store.minhash import NUM_PERM, SHINGLE, band_keys, candidate_pairs, from_bytes  # noqa: F401

if TYPE_CHECKING:
    from kansoku.store.features import DocFeatures

_WS = re.compile(r"\s+")

W_ENT, W_LEX, W_HEAD = 0.4, 0.35, 0.25
PLACE_PENALTY = 0.5
#: components up to this many clusters are linked on a dense matrix; larger ones on their sparse pairs
DENSE_LINK_MAX = 600
#: share of the threshold a document's lightest features may hold without being indexed (prefix filtering:
#: smaller means more candidate pairs but fewer whose exact similarity must be computed)
REST_SHARE = 1.0
#: above this many document pairs in the date windows, candidates come from the heaviest features only
EXACT_PAIRS = 2_000_000
#: how many of each document's heaviest features may make it a candidate then
TOP_FEATURES = 24
#: version of the clustering: results cached in a store by another version are recomputed
STORIES_VERSION = "2"


def _shingles(text: str, k: int = SHINGLE) -> set[str]:
    t = _WS.sub("", text)
    if len(t) <= k:
        return {t} if t else set()
    return {t[i : i + k] for i in range(len(t) - k + 1)}


def shingle_jaccard(a: str, b: str) -> float:
    """Exact 5-shingle Jaccard (for short texts such as sentences)."""
    sa, sb = _shingles(a), _shingles(b)
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / len(sa | sb)


def story_id(doc_ids: Iterable[str]) -> str:
    """Stable story id: a hash of the sorted member ids."""
    return "s-" + hashlib.sha1("\n".join(sorted(doc_ids)).encode()).hexdigest()[:10]


# ------------------------------------------------------------------------------------------ near-duplicates


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        p = self.parent
        while p[x] != x:
            p[x] = p[p[x]]
            x = p[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            if ra > rb:
                ra, rb = rb, ra
            self.parent[rb] = ra


def dup_pairs(sigs: np.ndarray, threshold: float = 0.8) -> np.ndarray:
    """Pairs (i < j) of rows of ``sigs`` that share an LSH band and whose estimated Jaccard similarity is at
    least ``threshold``.  Rows with identical signatures are paired through their first row."""
    if len(sigs) < 2:
        return np.zeros((0, 2), dtype=np.int64)
    uniq, first, inverse = np.unique(sigs, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    out = []
    same = np.flatnonzero(first[inverse] != np.arange(len(sigs)))
    if len(same):
        out.append(np.stack([first[inverse[same]], same], axis=1))
    if len(uniq) > 1:
        cand = candidate_pairs(band_keys(uniq, threshold))
        need = math.ceil(threshold * sigs.shape[1] - 1e-9)
        keep = []
        for s in range(0, len(cand), 200_000):
            c = cand[s : s + 200_000]
            eq = np.count_nonzero(uniq[c[:, 0]] == uniq[c[:, 1]], axis=1)
            keep.append(c[eq >= need])
        if keep:
            c = np.concatenate(keep)
            out.append(np.stack([first[c[:, 0]], first[c[:, 1]]], axis=1))
    if not out:
        return np.zeros((0, 2), dtype=np.int64)
    pairs = np.concatenate(out)
    return np.sort(pairs, axis=1)


def dup_groups(ids: list[str], sigs: np.ndarray, threshold: float = 0.8) -> list[list[str]]:
    """Near-duplicate groups (≥ 2 ids, each sorted; sorted by first id) of documents with signatures."""
    uf = _UnionFind(len(ids))
    for a, b in dup_pairs(sigs, threshold).tolist():
        uf.union(a, b)
    groups: dict[int, list[str]] = defaultdict(list)
    for i, d in enumerate(ids):
        groups[uf.find(i)].append(d)
    return sorted((sorted(g) for g in groups.values() if len(g) > 1), key=lambda g: g[0])


def _signatures(c: Corpus) -> tuple[list[str], np.ndarray]:
    ids, blobs = [], []
    for doc_id, blob in c.con.execute(
        "SELECT d.id, f.minhash FROM documents d JOIN doc_features f ON f.n = d.n "
        "WHERE f.minhash IS NOT NULL ORDER BY d.id"
    ):
        ids.append(doc_id)
        blobs.append(blob)
    sigs = np.frombuffer(b"".join(blobs), dtype="<u4").reshape(len(ids), NUM_PERM) if ids else np.zeros((0, NUM_PERM))
    return ids, sigs


def near_duplicates(records: Corpus | Iterable[dict], threshold: float = 0.8) -> list[list[str]]:
    """Groups (≥ 2 ids) of documents whose 5-shingle Jaccard similarity is at least ``threshold``.

    Groups are sorted internally and by their first id; a document is in at most one group (transitive
    closure of the pairs).
    """
    c = as_corpus(records)
    ids, sigs = _signatures(c)
    return dup_groups(ids, sigs, threshold)


# ---------------------------------------------------------------------------------------------- features


@dataclass
class _Docs:
    """The documents being clustered (id order) with their story features, as flat arrays.

    Entities with a salience (``ent_*``) and noun / headline-noun counts (``term_*``, ``head_*``) are
    grouped by document: the entries of document ``i`` are ``[ptr[i], ptr[i + 1])``, in the order they were
    stored (first occurrence, for the term counts)."""

    ids: list[str]
    rowids: np.ndarray
    sources: list[str]
    dates: list[date | None]
    places: list[str | None]
    ent_ids: list[str]  # entity code → id
    ent_ptr: np.ndarray
    ent_code: np.ndarray
    ent_sal: np.ndarray
    ment_doc: np.ndarray  # every (document, entity code) of the records, for the place rule
    ment_code: np.ndarray
    term_ptr: np.ndarray
    term_id: np.ndarray
    term_cnt: np.ndarray
    head_ptr: np.ndarray
    head_id: np.ndarray
    head_cnt: np.ndarray
    ent_idf: np.ndarray | None = None
    term_idf: np.ndarray | None = None
    types: dict[str, str] = field(default_factory=dict)  # entity id → type (labels), loaded once
    words: dict[int, str] = field(default_factory=dict)  # term id → term (labels), loaded as needed

    def salience(self, i: int) -> dict[str, float]:
        lo, hi = self.ent_ptr[i], self.ent_ptr[i + 1]
        return {self.ent_ids[k]: float(v) for k, v in zip(self.ent_code[lo:hi].tolist(), self.ent_sal[lo:hi].tolist(),
                                                             strict=True)}  # fmt: skip

    def terms(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = self.term_ptr[i], self.term_ptr[i + 1]
        return self.term_id[lo:hi], self.term_cnt[lo:hi]


def _flatten(blobs: list[bytes]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Term-count blobs (one per document) as (ptr, ids, counts) arrays."""
    parts = [decode_terms(b) for b in blobs]
    ptr = np.zeros(len(parts) + 1, dtype=np.int64)
    ptr[1:] = np.cumsum([len(t) for t, _ in parts])
    ids = np.concatenate([t for t, _ in parts]).astype(np.int64) if parts else np.zeros(0, dtype=np.int64)
    cnt = np.concatenate([c for _, c in parts]).astype(np.float64) if parts else np.zeros(0)
    return ptr, ids, cnt


def _load(c: Corpus) -> _Docs:
    con = c.con
    rows = con.execute(
        "SELECT d.n, d.id, d.source, f.date, f.place, f.terms, f.heads, d.text != '' FROM documents d "
        "JOIN doc_features f ON f.n = d.n ORDER BY d.id"
    ).fetchall()
    ns = np.array([r[0] for r in rows], dtype=np.int64)
    pos = np.full(int(ns.max()) + 1 if len(ns) else 1, -1, dtype=np.int64)
    pos[ns] = np.arange(len(ns))
    ent_rows = con.execute("SELECT n, entity_id, salience FROM doc_entities WHERE in_record = 1").fetchall()
    index: dict[str, int] = {}
    e_doc = pos[np.fromiter((r[0] for r in ent_rows), dtype=np.int64, count=len(ent_rows))]
    e_code = np.fromiter((index.setdefault(r[1], len(index)) for r in ent_rows), dtype=np.int64, count=len(ent_rows))
    e_sal = np.fromiter((r[2] for r in ent_rows), dtype=np.float64, count=len(ent_rows))
    has_ent = np.zeros(len(rows), dtype=bool)
    has_ent[e_doc] = True
    keep = np.flatnonzero(np.array([bool(r[7]) for r in rows], dtype=bool) | has_ent)  # a text or an entity
    new_pos = np.full(len(rows), -1, dtype=np.int64)
    new_pos[keep] = np.arange(len(keep))
    e_doc = new_pos[e_doc]
    ok = e_doc >= 0
    ment_doc, ment_code = e_doc[ok], e_code[ok]
    sal = ok & (e_sal != 0)
    order = np.argsort(e_doc[sal], kind="stable")  # by document, stored order within
    d_s, c_s, v_s = e_doc[sal][order], e_code[sal][order], e_sal[sal][order]
    ent_ptr = np.zeros(len(keep) + 1, dtype=np.int64)
    ent_ptr[1:] = np.cumsum(np.bincount(d_s, minlength=len(keep)))
    term_ptr, term_id, term_cnt = _flatten([rows[i][5] for i in keep])
    head_ptr, head_id, head_cnt = _flatten([rows[i][6] for i in keep])
    ids = list(index)
    return _Docs(
        ids=[rows[i][1] for i in keep], rowids=ns[keep], sources=[rows[i][2] for i in keep],
        dates=[to_date(rows[i][3]) for i in keep], places=[rows[i][4] for i in keep], ent_ids=ids, ent_ptr=ent_ptr,
        ent_code=c_s, ent_sal=v_s, ment_doc=ment_doc, ment_code=ment_code, term_ptr=term_ptr, term_id=term_id,
        term_cnt=term_cnt, head_ptr=head_ptr, head_id=head_id, head_cnt=head_cnt,
    )  # fmt: skip


@dataclass(frozen=True)
class CorpusStats:
    """Corpus-wide figures for clustering a part of a corpus as the whole corpus would cluster it (the Spark
    engine clusters the documents of its linked components on the driver, in a store of their own).

    ``n``: documents clustered (those with a text or an entity); ``ent_df``: entity id → documents giving
    it a salience; ``term_df``: noun → documents whose text has it (at least the keys of the part);
    ``topk``: whether the whole corpus takes its candidate pairs from the heaviest features
    (:func:`window_pairs` above ``EXACT_PAIRS``)."""

    n: int
    ent_df: Mapping[str, int]
    term_df: Mapping[str, int]
    topk: bool = False


def _docs_from_features(feats: list[DocFeatures]) -> tuple[_Docs, dict[int, str]]:
    """The :class:`_Docs` arrays :func:`_load` reads from a store, built from features in memory (each
    document's entries in the order the store gives them: entities by id, terms in first-occurrence order,
    counts capped as stored), with term ids of their own (returned: term id → term).  Enough for
    :func:`_matrix`; dates, places and mentions are left empty."""
    words: dict[str, int] = {}
    ent_index: dict[str, int] = {}
    ent_ptr, term_ptr, head_ptr = [0], [0], [0]
    e_code: list[int] = []
    e_sal: list[float] = []
    t_id: list[int] = []
    t_cnt: list[float] = []
    h_id: list[int] = []
    h_cnt: list[float] = []
    for f in feats:
        for eid in sorted(f.entities):
            _name, _typ, sal, _m, in_rec = f.entities[eid]
            if in_rec and sal != 0:
                e_code.append(ent_index.setdefault(eid, len(ent_index)))
                e_sal.append(float(sal))
        ent_ptr.append(len(e_code))
        for counts, ids, cnts, ptr in ((f.terms, t_id, t_cnt, term_ptr), (f.heads, h_id, h_cnt, head_ptr)):
            for t, c in counts.items():
                ids.append(words.setdefault(t, len(words)))
                cnts.append(float(min(c, 65535)))
            ptr.append(len(ids))
    empty = np.zeros(0, dtype=np.int64)
    i64 = lambda v: np.array(v, dtype=np.int64)  # noqa: E731
    docs = _Docs(
        ids=[str(k) for k in range(len(feats))], rowids=np.arange(len(feats)), sources=[""] * len(feats),
        dates=[None] * len(feats), places=[None] * len(feats), ent_ids=list(ent_index), ent_ptr=i64(ent_ptr),
        ent_code=i64(e_code), ent_sal=np.array(e_sal, dtype=float), ment_doc=empty, ment_code=empty,
        term_ptr=i64(term_ptr), term_id=i64(t_id), term_cnt=np.array(t_cnt, dtype=float), head_ptr=i64(head_ptr),
        head_id=i64(h_id), head_cnt=np.array(h_cnt, dtype=float),
    )  # fmt: skip
    return docs, {k: t for t, k in words.items()}


def feature_vectors(feats: list[DocFeatures], stats: CorpusStats) -> list[list[tuple[str, float]]]:
    """Each document's story-similarity vector, as :func:`_matrix` makes it with the corpus-wide ``stats``:
    ``(feature, weight)`` with features ``e:<entity id>``, ``l:<noun>`` (text) and ``h:<noun>`` (headline).
    The dot product of two documents' vectors is their similarity before the date and place rules."""
    if not feats:
        return []
    docs, words = _docs_from_features(feats)
    indptr, indices, data, _nf = _matrix(docs, stats, words)
    ne = len(docs.ent_ids)
    nv = int(max(docs.term_id.max(initial=0), docs.head_id.max(initial=0))) + 1  # as in _matrix
    names = {}
    out = []
    for i in range(len(feats)):
        row = []
        for col, w in zip(indices[indptr[i] : indptr[i + 1]].tolist(), data[indptr[i] : indptr[i + 1]].tolist(),
                          strict=True):  # fmt: skip
            key = names.get(col)
            if key is None:
                if col < ne:
                    key = "e:" + docs.ent_ids[col]
                elif col < ne + nv:
                    key = "l:" + words[col - ne]
                else:
                    key = "h:" + words[col - ne - nv]
                names[col] = key
            row.append((key, w))
        out.append(row)
    return out


def _idf(n: int, df: np.ndarray) -> np.ndarray:
    return np.log((1 + n) / (1 + df)) + 1.0


def _unit_by_doc(doc: np.ndarray, v: np.ndarray, n: int) -> np.ndarray:
    """``v`` divided by the L2 norm of its document's entries (summed in entry order)."""
    norm = np.sqrt(np.bincount(doc, weights=v * v, minlength=n))
    norm[norm == 0] = 1.0
    return v / norm[doc]


def _matrix(docs: _Docs, stats: CorpusStats | None = None,
            words: dict[int, str] | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """The documents' combined feature vectors as CSR arrays (indptr, indices, data) and the feature count:
    ``[sqrt(W_ENT)·entity vector | sqrt(W_LEX)·noun TF-IDF | sqrt(W_HEAD)·headline TF-IDF]``, each part unit
    length, so that a dot product is the story similarity before the date and place rules.  Entities and
    terms found in one document only are left out (they can match nothing and would only dilute).

    ``stats``: corpus-wide document count and frequencies when ``docs`` are part of a larger corpus (the
    Spark engine), with ``words`` (term id → term) naming the term ids; by default, those of ``docs``."""
    n = len(docs.ids)
    ne = len(docs.ent_ids)
    n_idf = n if stats is None else stats.n
    # entities: salience × IDF
    e_doc = np.repeat(np.arange(n), np.diff(docs.ent_ptr))
    if stats is None:
        ent_df = np.bincount(docs.ent_code, minlength=ne).astype(float)
    else:
        ent_df = np.array([stats.ent_df.get(e, 0) for e in docs.ent_ids], dtype=float)
    docs.ent_idf = _idf(n_idf, ent_df)
    m = ent_df[docs.ent_code] > 1
    ev = _unit_by_doc(e_doc[m], docs.ent_sal[m] * docs.ent_idf[docs.ent_code[m]], n) * math.sqrt(W_ENT)
    # terms: log-TF × IDF of the documents' noun counts; headline nouns weighted by the same IDF
    nv = int(max(docs.term_id.max(initial=0), docs.head_id.max(initial=0))) + 1
    if stats is None:
        df = np.bincount(docs.term_id, minlength=nv).astype(float)
    else:
        df = np.zeros(nv)
        for tid, term in (words or {}).items():
            if tid < nv:
                df[tid] = stats.term_df.get(term, 0)
    docs.term_idf = _idf(n_idf, df)
    parts_doc, parts_col, parts_val = [e_doc[m]], [docs.ent_code[m]], [ev]
    for ptr, tid, cnt, scale, off in ((docs.term_ptr, docs.term_id, docs.term_cnt, W_LEX, ne),
                                      (docs.head_ptr, docs.head_id, docs.head_cnt, W_HEAD, ne + nv)):  # fmt: skip
        t_doc = np.repeat(np.arange(n), np.diff(ptr))
        k = df[tid] > 1
        v = (1.0 + np.log(cnt[k])) * docs.term_idf[tid[k]]
        parts_doc.append(t_doc[k])
        parts_col.append(tid[k] + off)
        parts_val.append(_unit_by_doc(t_doc[k], v, n) * math.sqrt(scale))
    doc = np.concatenate(parts_doc)
    order = np.argsort(doc, kind="stable")  # rows in document order; entities, nouns, headline nouns within
    indices = np.concatenate(parts_col)[order].astype(np.int64)
    data = np.concatenate(parts_val)[order]
    indptr = np.zeros(n + 1, dtype=np.int64)
    indptr[1:] = np.cumsum(np.bincount(doc, minlength=n))
    return indptr, indices, data, ne + 2 * nv


# ------------------------------------------------------------------------------------------ pair finding


class _Places:
    """Main places as integer codes, and which documents mention which of those places."""

    def __init__(self, docs: _Docs) -> None:
        codes: dict[str, int] = {}
        self.code = np.array([codes.setdefault(p, len(codes)) if p else -1 for p in docs.places], dtype=np.int64)
        self.k = max(1, len(codes))
        as_place = np.array([codes.get(e, -1) for e in docs.ent_ids], dtype=np.int64)
        pc = as_place[docs.ment_code] if len(docs.ment_code) else np.zeros(0, dtype=np.int64)
        named = pc >= 0
        self.mentions = _distinct(docs.ment_doc[named] * self.k + pc[named])

    def penalised(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """True for pairs whose main places differ and neither names the other's place."""
        pi, pj = self.code[i], self.code[j]
        cand = (pi >= 0) & (pj >= 0) & (pi != pj)
        out = np.zeros(len(i), dtype=bool)
        if cand.any():
            a, b = i[cand], j[cand]
            out[cand] = ~self._named(b * self.k + pi[cand]) & ~self._named(a * self.k + pj[cand])
        return out

    def _named(self, keys: np.ndarray) -> np.ndarray:
        at = np.minimum(np.searchsorted(self.mentions, keys), max(0, len(self.mentions) - 1))
        return (self.mentions[at] == keys) if len(self.mentions) else np.zeros(len(keys), dtype=bool)


def _candidate_pairs(
    indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, days: np.ndarray, window: int | None,
    threshold: float, rest_share: float = REST_SHARE,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """Pairs (i < j) that may be more similar than ``threshold``, with a lower and an upper bound of their
    similarity.

    Prefix filtering: each document's lightest features whose squared weights add up to at most
    ``rest_share × threshold`` are its *rest*; two documents sharing no feature outside both rests are at
    most ``|rest_i|·|rest_j| <= rest_share × threshold`` similar, so they cannot link and are never
    paired.  The others are found through an inverted index (feature → documents in date order, so the
    window prunes too), and their dot products summed over the features they share outside the rests
    (``lower``); the rest-rest part is only bounded (``upper = lower + |rest_i|·|rest_j|``).  Pairs whose
    two dated documents are further apart than ``window`` days are left out.  ``days``: day numbers, -1
    for undated.  Left documents are taken in blocks of 2,048, so each pair's sum is complete in one block
    and memory stays bounded.
    """
    n = len(indptr) - 1
    empty = np.zeros(0, dtype=np.int64)
    if n < 2 or len(indices) == 0:
        return empty, empty, np.zeros(0), np.zeros(0)
    nnz_row = np.diff(indptr)
    doc = np.repeat(np.arange(n, dtype=np.int32), nnz_row)
    # rests: per document, features in increasing weight while the squared sum stays within the budget
    order = np.lexsort((data, doc))  # by document, then weight
    csum = np.cumsum(data[order] ** 2)
    base = np.concatenate([[0.0], csum])[np.repeat(indptr[:-1], nnz_row)]
    in_rest = np.empty(len(indices), dtype=bool)
    in_rest[order] = (csum - base) <= rest_share * threshold * (1 - 1e-9)
    del order, csum, base
    rest_sq = np.bincount(doc[in_rest], weights=data[in_rest] ** 2, minlength=n)
    rest_norm = np.sqrt(rest_sq)
    # document order: dated by day, undated last (day value `big`); ties by index
    undated = days < 0
    w = window if window is not None else 0
    lo_day = int(days[~undated].min()) if (~undated).any() else 0
    big = (int(days.max()) - lo_day if (~undated).any() else 0) + w + 2
    # without a window every dated document is in every other's range: all on day 0
    dval = np.where(undated, big, 0) if window is None else np.where(undated, big, days - lo_day)
    span = np.int64(big + w + 2)
    rank = np.empty(n, dtype=np.int64)
    rank[np.lexsort((np.arange(n), dval))] = np.arange(n)
    # all entries sorted by (feature, rank); the heavy (non-rest) ones again on their own
    ent = np.lexsort((rank[doc], indices))
    f = indices[ent].astype(np.int64)
    d = doc[ent]
    wt = data[ent]
    heavy = ~in_rest[ent]
    del ent, in_rest
    key_day = f * span + dval[d]
    hidx = np.flatnonzero(heavy)
    h_key_day = key_day[hidx]
    h_key_rank = f[hidx] * (n + 1) + rank[d[hidx]]

    def expand(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        counts = np.maximum(hi - lo, 0)
        tot = int(counts.sum())
        if tot == 0:
            return empty, empty
        src = np.repeat(np.arange(len(lo)), counts)
        off = np.arange(tot) - np.repeat(np.cumsum(counts) - counts, counts)
        return src, np.repeat(lo, counts) + off

    out_i, out_j, out_lo = [], [], []
    ent_rank = rank[d]
    block_order = np.argsort(ent_rank, kind="stable")
    bounds = np.searchsorted(ent_rank[block_order], np.arange(0, n + 2048, 2048))
    for bk in range(len(bounds) - 1):
        sel = block_order[bounds[bk] : bounds[bk + 1]]
        if not len(sel):
            continue
        fe, de = f[sel], dval[d[sel]]
        dated = de < big
        top = fe * span + np.minimum(de + w, big - 1)  # last day in the window
        und = fe * span + big  # start of the feature's undated block
        nxt = (fe + 1) * span  # start of the next feature
        pa, pb, pv = [], [], []
        # (1) heavy left entries: every later entry of the feature (in the window, or undated)
        hs = heavy[sel]
        if hs.any():
            e = sel[hs]
            lo = e + 1
            hi = np.where(dated[hs], np.searchsorted(key_day, top[hs], side="right"),
                          np.searchsorted(key_day, nxt[hs], side="left"))  # fmt: skip
            ulo = np.where(dated[hs], np.maximum(np.searchsorted(key_day, und[hs], side="left"), lo), 0)
            uhi = np.where(dated[hs], np.searchsorted(key_day, nxt[hs], side="left"), 0)
            for a_lo, a_hi in ((lo, hi), (ulo, uhi)):
                src, dst = expand(a_lo, a_hi)
                if len(src):
                    pa.append(d[e[src]])
                    pb.append(d[dst])
                    pv.append(wt[e[src]] * wt[dst])
        # (2) rest left entries: only the later heavy entries of the feature
        ls = ~hs
        if ls.any():
            e = sel[ls]
            lo = np.searchsorted(h_key_rank, fe[ls] * (n + 1) + rank[d[e]], side="right")
            hi = np.where(dated[ls], np.searchsorted(h_key_day, top[ls], side="right"),
                          np.searchsorted(h_key_day, nxt[ls], side="left"))  # fmt: skip
            ulo = np.where(dated[ls], np.maximum(np.searchsorted(h_key_day, und[ls], side="left"), lo), 0)
            uhi = np.where(dated[ls], np.searchsorted(h_key_day, nxt[ls], side="left"), 0)
            for a_lo, a_hi in ((lo, hi), (ulo, uhi)):
                src, dst = expand(a_lo, a_hi)
                if len(src):
                    pa.append(d[e[src]])
                    pb.append(d[hidx[dst]])
                    pv.append(wt[e[src]] * wt[hidx[dst]])
        if not pa:
            continue
        x = np.concatenate(pa).astype(np.int64)
        y = np.concatenate(pb).astype(np.int64)
        key = np.minimum(x, y) * n + np.maximum(x, y)
        uk, inv = np.unique(key, return_inverse=True)
        out_i.append(uk // n)
        out_j.append(uk % n)
        out_lo.append(np.bincount(inv.reshape(-1), weights=np.concatenate(pv)))
    if not out_i:
        return empty, empty, np.zeros(0), np.zeros(0)
    pi, pj, lower = np.concatenate(out_i), np.concatenate(out_j), np.concatenate(out_lo)
    return pi, pj, lower, lower + rest_norm[pi] * rest_norm[pj]


def _distinct(keys: np.ndarray) -> np.ndarray:
    """Sorted distinct values of an integer array (a sort and a mask: faster than ``np.unique`` here)."""
    k = np.sort(keys)
    return k[np.r_[True, k[1:] != k[:-1]]] if len(k) else k


def window_pairs(days: np.ndarray, window: int | None) -> int:
    """How many document pairs the date window allows (undated documents pair with all)."""
    n = len(days)
    undated = int((days < 0).sum())
    if window is None:
        return n * (n - 1) // 2
    d = np.sort(days[days >= 0])
    inside = int((np.searchsorted(d, d + window, side="right") - np.arange(len(d)) - 1).sum())
    return inside + undated * (n - undated) + undated * (undated - 1) // 2


def _topk_pairs(
    indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, days: np.ndarray, window: int | None, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (i < j) in the date window that share a feature among the ``k`` heaviest of *both* documents
    (their main entities, nouns and headline nouns): the candidates when the window holds too many pairs
    to test each one.  A pair similar only through many light features is missed (see docs/corpus.md for
    the measured recall)."""
    n = len(indptr) - 1
    empty = np.zeros(0, dtype=np.int64)
    if n < 2 or not len(indices):
        return empty, empty
    nnz_row = np.diff(indptr)
    doc = np.repeat(np.arange(n, dtype=np.int64), nnz_row)
    # by document, heaviest first (weights are at most 1); ties keep the stored order
    order = np.argsort(doc * 4.0 + (2.0 - data), kind="stable")
    top = order[(np.arange(len(order)) - indptr[doc[order]]) < k]
    f, d = indices[top].astype(np.int64), doc[top]
    undated = days < 0
    w = window if window is not None else 0
    lo_day = int(days[~undated].min()) if (~undated).any() else 0
    big = (int(days.max()) - lo_day if (~undated).any() else 0) + w + 2
    dval = np.where(undated, big, 0) if window is None else np.where(undated, big, days - lo_day)
    span = np.int64(big + w + 2)
    srt = np.lexsort((d, dval[d], f))  # by feature, then day, then document
    f, d = f[srt], d[srt]
    key_day = f * span + dval[d]
    de = dval[d]
    dated = de < big
    lo = np.arange(len(f)) + 1
    hi = np.where(dated, np.searchsorted(key_day, f * span + np.minimum(de + w, big - 1), side="right"),
                  np.searchsorted(key_day, (f + 1) * span, side="left"))  # fmt: skip
    ulo = np.where(dated, np.maximum(np.searchsorted(key_day, f * span + big, side="left"), lo), 0)
    uhi = np.where(dated, np.searchsorted(key_day, (f + 1) * span, side="left"), 0)
    out = []
    for a_lo, a_hi in ((lo, hi), (ulo, uhi)):
        counts = np.maximum(a_hi - a_lo, 0)
        for s0 in range(0, len(counts), 200_000):  # bounded memory
            c = counts[s0 : s0 + 200_000]
            tot = int(c.sum())
            if not tot:
                continue
            src = np.repeat(np.arange(s0, s0 + len(c)), c)
            dst = np.repeat(a_lo[s0 : s0 + len(c)], c) + (np.arange(tot) - np.repeat(np.cumsum(c) - c, c))
            x, y = d[src], d[dst]
            keep = x != y
            out.append(_distinct(np.minimum(x[keep], y[keep]) * n + np.maximum(x[keep], y[keep])))
    if not out:
        return empty, empty
    keys = _distinct(np.concatenate(out))
    return keys // n, keys % n


def _pair_dots(
    pi: np.ndarray, pj: np.ndarray, indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, batch: int = 64
) -> np.ndarray:
    """Exact dot products of the document pairs (pi[k], pj[k]).  Pairs are taken by their first document,
    ``batch`` first documents at a time: their rows are spread into a dense block once, and the partners'
    entries are looked up in it."""
    out = np.zeros(len(pi))
    if not len(pi):
        return out
    nf = int(indices.max()) + 1 if len(indices) else 1
    nnz = np.diff(indptr)
    order = np.argsort(pi, kind="stable")
    firsts = np.unique(pi)
    dense = np.zeros((min(batch, len(firsts)), nf))
    bounds = np.searchsorted(pi[order], firsts)
    bounds = np.r_[bounds, len(order)]
    for g in range(0, len(firsts), batch):
        group = firsts[g : g + batch]
        rows = np.repeat(np.arange(len(group)), nnz[group])
        pos_a = np.repeat(indptr[group] - np.cumsum(nnz[group]) + nnz[group], nnz[group]) + np.arange(rows.size)
        dense[rows, indices[pos_a]] = data[pos_a]
        sel = order[bounds[g] : bounds[min(g + batch, len(firsts))]]
        slot = np.searchsorted(group, pi[sel])
        b = pj[sel]
        c = nnz[b]
        tot = int(c.sum())
        if tot:
            pos = np.repeat(indptr[b] - np.cumsum(c) + c, c) + np.arange(tot)
            prod = dense[np.repeat(slot, c), indices[pos]] * data[pos]
            seg = np.cumsum(c) - c
            nonempty = c > 0
            out[sel[nonempty]] = np.add.reduceat(prod, seg[nonempty])
        dense[rows, indices[pos_a]] = 0.0
    return out


def _dense_sims(members: list[int], indptr: np.ndarray, indices: np.ndarray, data: np.ndarray) -> np.ndarray:
    """Exact dot products between the given documents, as a dense matrix (diagonal 1)."""
    mem = np.asarray(members, dtype=np.int64)
    nnz = np.diff(indptr)[mem]
    rows = np.repeat(np.arange(len(mem)), nnz)
    pos = np.repeat(indptr[mem], nnz) + (np.arange(int(nnz.sum())) - np.repeat(np.cumsum(nnz) - nnz, nnz))
    feats = indices[pos]
    uniq, inv, cnt = np.unique(feats, return_inverse=True, return_counts=True)
    shared = cnt[inv.reshape(-1)] > 1  # features of one member only add nothing off the diagonal
    cols = np.cumsum(cnt > 1) - 1
    g = np.zeros((len(mem), len(mem)))
    r, col, v = rows[shared], cols[inv.reshape(-1)[shared]], data[pos[shared]]
    width = int(cols[-1]) + 1 if len(cols) and shared.any() else 0
    for c0 in range(0, width, 4096):  # bounded memory: feature blocks of 4096 columns
        sel = (col >= c0) & (col < c0 + 4096)
        m = np.zeros((len(mem), min(4096, width - c0)))
        m[r[sel], col[sel] - c0] = v[sel]
        g += m @ m.T
    np.fill_diagonal(g, 1.0)
    return g


def _rules(sim: np.ndarray, members: list[int], days: np.ndarray, places: _Places, window: int | None) -> np.ndarray:
    """The date window and the different-places penalty applied to a dense block of similarities."""
    mem = np.asarray(members, dtype=np.int64)
    k = len(mem)
    ii, jj = np.triu_indices(k, 1)
    a, b = mem[ii], mem[jj]
    if window is not None:
        da, db = days[a], days[b]
        far = (da >= 0) & (db >= 0) & (np.abs(da - db) > window)
    else:
        far = np.zeros(len(a), dtype=bool)
    pen = places.penalised(a, b) & ~far
    vals = sim[ii, jj]
    vals = np.where(far, 0.0, np.where(pen, vals * PLACE_PENALTY, vals))
    sim[ii, jj] = vals
    sim[jj, ii] = vals
    return sim


# ------------------------------------------------------------------------------------------------ linkage


def _initial_means(s: np.ndarray, clusters: list[list[int]]) -> np.ndarray:
    """Mean similarity between every two initial clusters (``c[x, y]`` = mean of the block
    ``s[clusters[x]][:, clusters[y]]``): single documents by indexing, the few clusters of several
    documents (near-duplicate groups) block by block."""
    first = [a[0] for a in clusters]
    c = s[np.ix_(first, first)].copy()
    for x, a in enumerate(clusters):
        if len(a) > 1:
            for y, b in enumerate(clusters):
                c[x, y] = s[np.ix_(a, b)].mean()
                c[y, x] = s[np.ix_(b, a)].mean()
    return c


def _average_link(sim: np.ndarray, clusters: list[list[int]], threshold: float) -> list[list[int]]:
    """Average-link agglomeration from the given initial clusters (Lance–Williams updates on a numpy
    matrix); merges the most similar pair while its average similarity exceeds ``threshold``.  Ties go to
    the pair with the lowest (first, second) cluster position.  Each row keeps its best partner, so a
    merge costs O(k) instead of a scan of the whole matrix."""
    s = np.asarray(sim, dtype=float)
    k = len(clusters)
    if k < 2:
        return clusters
    c = _initial_means(s, clusters)
    np.fill_diagonal(c, -np.inf)
    size = np.array([len(a) for a in clusters], dtype=float)
    members = [list(a) for a in clusters]
    alive = np.ones(k, dtype=bool)
    best_col = np.argmax(c, axis=1)
    best_val = c[np.arange(k), best_col]
    while True:
        x = int(np.argmax(best_val))  # the lowest row holding the maximum ...
        y = int(best_col[x])  # ... and its lowest column: the first maximum of the matrix
        if not best_val[x] > threshold + 1e-12:
            break
        new = (size[x] * c[x] + size[y] * c[y]) / (size[x] + size[y])
        c[x, :] = new
        c[:, x] = new
        c[x, x] = -np.inf
        c[y, :] = -np.inf
        c[:, y] = -np.inf
        size[x] += size[y]
        alive[y] = False
        best_val[y] = -np.inf
        members[x] = sorted(members[x] + members[y])
        stale = np.flatnonzero(alive & ((best_col == x) | (best_col == y)))
        better = alive & ((new > best_val) | ((new == best_val) & (x < best_col)))
        best_val[better] = new[better]
        best_col[better] = x
        for r in set(stale.tolist()) | {x}:
            best_col[r] = int(np.argmax(c[r]))
            best_val[r] = c[r, best_col[r]]
    return [members[i] for i in range(k) if alive[i]]


def _sparse_average_link(
    pairs: dict[tuple[int, int], float], clusters: list[list[int]], threshold: float
) -> list[list[int]]:
    """Average-link over a sparse similarity graph (absent pairs count as 0), with the same
    Lance–Williams updates and tie-breaking as :func:`_average_link` (first pair in row order)."""
    where = {d: k for k, cl in enumerate(clusters) for d in cl}
    sums: dict[int, dict[int, float]] = defaultdict(dict)
    for (a, b), s in pairs.items():
        x, y = where[a], where[b]
        if x != y:
            sums[x][y] = sums[x].get(y, 0.0) + s
            sums[y][x] = sums[y].get(x, 0.0) + s
    size = [float(len(c)) for c in clusters]
    avg: dict[int, dict[int, float]] = {x: {y: v / (size[x] * size[y]) for y, v in nb.items()} for x, nb in sums.items()}
    heap = [(-v, x, y) for x, nb in avg.items() for y, v in nb.items() if x < y and v > threshold + 1e-12]
    heapq.heapify(heap)
    alive = [True] * len(clusters)
    members = [list(c) for c in clusters]
    while heap:
        negv, x, y = heapq.heappop(heap)
        if not (alive[x] and alive[y]) or avg.get(x, {}).get(y) != -negv:
            continue
        nx, ny = avg.pop(x, {}), avg.pop(y, {})
        new: dict[int, float] = {}
        for z in set(nx) | set(ny):
            if z in (x, y):
                continue
            v = (size[x] * nx.get(z, 0.0) + size[y] * ny.get(z, 0.0)) / (size[x] + size[y])
            new[z] = v
            avg[z].pop(y, None)
            avg[z][x] = v
            if v > threshold + 1e-12:
                heapq.heappush(heap, (-v, min(x, z), max(x, z)))
        avg[x] = new
        size[x] += size[y]
        alive[y] = False
        members[x] = sorted(members[x] + members[y])
    return [members[i] for i in range(len(clusters)) if alive[i]]


# ------------------------------------------------------------------------------------------------ stories


def cluster_stories(
    records: Corpus | Iterable[dict],
    window_days: int = 7,
    threshold: float = 0.19,
    min_size: int = 2,
    dup_threshold: float = 0.8,
) -> list[dict]:
    """Event-level story clusters (average-link agglomerative), largest first.

    Returns ``[{"id", "label", "doc_ids", "sources", "near_duplicates", "first", "last", "size", "cohesion"}]``;
    clusters smaller than ``min_size`` are dropped (``min_size=1`` keeps every document).  On a store file
    the result is kept in the store (``story_cache``) until its documents change.
    """
    c = as_corpus(records)
    if not c.persistent:
        return _cluster(c, window_days, threshold, min_size, dup_threshold)
    key = json.dumps([__version__, STORIES_VERSION, window_days, threshold, min_size, dup_threshold])
    c.con.execute("BEGIN")  # one snapshot of the store for the revision and every read
    try:
        state = revision(c.con)
        try:
            row = c.con.execute("SELECT result FROM story_cache WHERE params = ? AND state = ?", (key, state)).fetchone()
        except sqlite3.OperationalError:  # no cache table yet
            row = None
        res = json.loads(row[0]) if row else _cluster(c, window_days, threshold, min_size, dup_threshold)
    finally:
        c.con.execute("COMMIT")
    if not row:
        with contextlib.suppress(sqlite3.Error):  # a read-only or busy store: not cached, that is all
            c.con.execute(
                "CREATE TABLE IF NOT EXISTS story_cache (params TEXT PRIMARY KEY, state TEXT NOT NULL, "
                "result TEXT NOT NULL, created_at TEXT NOT NULL)"
            )
            c.con.execute(
                "INSERT OR REPLACE INTO story_cache VALUES (?, ?, ?, datetime('now'))",
                (key, state, json.dumps(res, ensure_ascii=False)),
            )
    return res


def find_story(records: Corpus | Iterable[dict], story_id: str) -> dict | None:
    """The story with this id (or id prefix) among all stories of the corpus, single articles included
    (looked for among the stories of two articles or more first, which a store has cached)."""
    c = as_corpus(records)
    for min_size in (2, 1):
        for s in cluster_stories(c, min_size=min_size):
            if s["id"] == story_id or s["id"].startswith(story_id):
                return s
    return None


def cluster_part(c: Corpus, stats: CorpusStats, window_days: int | None = 7, threshold: float = 0.19, min_size: int = 2,
                 dup_threshold: float = 0.8) -> list[dict]:
    """:func:`cluster_stories` of a corpus ``c`` that holds a part of a larger corpus (documents whose
    clusters never include documents outside ``c``: whole connected components of the linked pairs), with
    the larger corpus's ``stats``: the stories the whole corpus has among these documents."""
    return _cluster(c, window_days, threshold, min_size, dup_threshold, stats)  # type: ignore[arg-type]


def _cluster(c: Corpus, window_days: int, threshold: float, min_size: int, dup_threshold: float,
             stats: CorpusStats | None = None) -> list[dict]:
    docs = _load(c)
    n = len(docs.ids)
    if not n:
        return []
    idx = {d: i for i, d in enumerate(docs.ids)}
    sig_ids, sigs = _signatures(c)
    keep = [k for k, d in enumerate(sig_ids) if d in idx]
    dups = dup_groups([sig_ids[k] for k in keep], sigs[keep] if len(keep) else sigs[:0], dup_threshold)

    words = dict(c.con.execute("SELECT id, term FROM vocab").fetchall()) if stats is not None else None
    indptr, indices, data, _nf = _matrix(docs, stats, words)
    epoch = date(1970, 1, 1)
    days = np.array([(d - epoch).days if d else -1 for d in docs.dates], dtype=np.int64)
    places = _Places(docs)
    topk = stats.topk if stats is not None else window_pairs(days, window_days) > EXACT_PAIRS
    if not topk:
        # every pair that can link is found (prefix filtering): the result is exact
        pi, pj, lower, upper = _candidate_pairs(indptr, indices, data, days, window_days, threshold)
        # the different-places rule halves a pair; a pair links when its similarity exceeds the threshold
        factor = np.where(places.penalised(pi, pj), PLACE_PENALTY, 1.0)
        sure = lower * factor > threshold + 1e-12
        maybe = ~sure & (upper * factor > threshold + 1e-12)
        exact = lower.copy()
        amb = np.flatnonzero(maybe)  # the rest-rest part may decide: compute these exactly
        exact[amb] = _pair_dots(pi[amb], pj[amb], indptr, indices, data)
        link = sure | (maybe & (exact * factor > threshold + 1e-12))
    else:
        # too many pairs in the windows: candidates share one of their heaviest features
        pi, pj = _topk_pairs(indptr, indices, data, days, window_days, TOP_FEATURES)
        exact = _pair_dots(pi, pj, indptr, indices, data)
        factor = np.where(places.penalised(pi, pj), PLACE_PENALTY, 1.0)
        link = exact * factor > threshold + 1e-12

    uf = _UnionFind(n)
    for a, b in zip(pi[link].tolist(), pj[link].tolist(), strict=True):
        uf.union(a, b)
    for g in dups:
        for d in g[1:]:
            uf.union(idx[g[0]], idx[d])
    comps: dict[int, list[int]] = defaultdict(list)
    for i in range(n):
        comps[uf.find(i)].append(i)
    known: dict[int, dict[tuple[int, int], float]] = defaultdict(dict)
    big = {r for r, m in comps.items() if len(m) > DENSE_LINK_MAX}
    if big:
        root_of = np.array([uf.find(i) for i in range(n)])
        vals = exact * factor
        inside = (root_of[pi] == root_of[pj]) & np.isin(root_of[pi], list(big)) & (vals > 0)
        for a, b, v in zip(pi[inside].tolist(), pj[inside].tolist(), vals[inside].tolist(), strict=True):
            known[int(root_of[a])][(a, b)] = v
    group_of = {d: k for k, g in enumerate(dups) for d in g}

    dup_of = {idx[g[0]]: [idx[d] for d in g] for g in dups}
    in_dup = {idx[d] for g in dups for d in g}
    out = []
    for root, members in sorted(comps.items(), key=lambda kv: kv[1][0]):
        if len(members) == 1:
            clusters = [members]
            sim = np.ones((1, 1))
            local = {members[0]: 0}
        else:
            starts = [dup_of[i] for i in members if i in dup_of]
            clusters = sorted(starts, key=lambda g: docs.ids[g[0]]) + [[i] for i in members if i not in in_dup]
            if root in big:
                clusters = _sparse_average_link(known[root], clusters, threshold)
                sim, local = None, {}
            else:
                local = {d: k for k, d in enumerate(members)}
                sim = _rules(_dense_sims(members, indptr, indices, data), members, days, places, window_days)
                linked = _average_link(sim, [[local[d] for d in cl] for cl in clusters], threshold)
                clusters = [[members[k] for k in cl] for cl in linked]
        for cl in clusters:
            if len(cl) < min_size:
                continue
            cl = sorted(cl)
            ids = [docs.ids[i] for i in cl]
            dts = sorted(d for i in cl if (d := docs.dates[i]))
            if sim is not None:
                pairs = [sim[local[i], local[j]] for k, i in enumerate(cl) for j in cl[k + 1 :]]
            else:
                kn = known[root]
                pairs = [kn.get((i, j), 0.0) for k, i in enumerate(cl) for j in cl[k + 1 :]]
            out.append({
                "id": story_id(ids),
                "label": cl,  # members for now: labels are made below, with one query for all names
                "doc_ids": ids,
                "sources": [docs.sources[i] for i in cl],
                "near_duplicates": [dups[k] for k in sorted({group_of[d] for d in ids if d in group_of})
                                    if set(dups[k]) <= set(ids)],
                "first": dts[0].isoformat() if dts else None,
                "last": dts[-1].isoformat() if dts else None,
                "size": len(cl),
                "cohesion": round(float(sum(pairs) / len(pairs)), 3) if pairs else 1.0,
            })
    ents = [_label_entities(c, docs, s["label"]) for s in out]
    names = _entity_names_at(c, (key for e in ents for key in e))
    for s, e in zip(out, ents, strict=True):
        s["label"] = _label(c, docs, s["label"], e, names)
    out.sort(key=lambda s: (-s["size"], s["first"] or "9999", s["id"]))
    return out


def _label_entities(c: Corpus, docs: _Docs, members: list[int], k: int = 3) -> list[tuple[str, int]]:
    """The entities a label names: the most salient ones shared by most members (weighted by IDF), with
    the rowid of the first member naming each (whose record gives the name)."""
    first: dict[str, int] = {}
    score: Counter[str] = Counter()
    docfreq: Counter[str] = Counter()
    idf_e = docs.ent_idf
    for i in members:
        lo, hi = docs.ent_ptr[i], docs.ent_ptr[i + 1]
        for code, s in zip(docs.ent_code[lo:hi].tolist(), docs.ent_sal[lo:hi].tolist(), strict=True):
            eid = docs.ent_ids[code]
            first.setdefault(eid, i)
            score[eid] += s * (float(idf_e[code]) if idf_e is not None else 1.0)
            docfreq[eid] += 1
    if not docs.types:
        docs.types = dict(c.con.execute("SELECT id, type FROM entities").fetchall())
    generic = {e for e in score if entity_weight({"id": e, "type": docs.types.get(e, "")}) < 1.0}
    need = max(1, math.ceil(len(members) / 2)) if len(members) > 1 else 1
    # coverage first: an entity every member names beats one a single long article repeats
    ranked = sorted(score, key=lambda e: (e in generic, -score[e] * (docfreq[e] / len(members)) ** 2, e))
    return [(e, int(docs.rowids[first[e]])) for e in ranked if docfreq[e] >= need][:k]


def _entity_names_at(c: Corpus, keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], str]:
    """The name each (entity, document rowid) has in that document's record."""
    keys = list(dict.fromkeys(keys))
    out: dict[tuple[str, int], str] = {}
    for i in range(0, len(keys), 5000):
        part = json.dumps([[e, n] for e, n in keys[i : i + 5000]], ensure_ascii=False)
        for e, n, name in c.con.execute(
            "SELECT x.entity_id, x.n, x.name FROM json_each(?) j JOIN doc_entities x "
            "ON x.n = j.value ->> 1 AND x.entity_id = j.value ->> 0",
            (part,),
        ):
            out[(e, n)] = name or e
    return out


def _label(c: Corpus, docs: _Docs, members: list[int], ents: list[tuple[str, int]],
           names: dict[tuple[str, int], str], k: int = 3) -> str:  # fmt: skip
    """Short Japanese label: the entities of :func:`_label_entities`, then shared keywords; joined with 、
    (names themselves contain ・)."""
    need = max(1, math.ceil(len(members) / 2)) if len(members) > 1 else 1
    picks = [names.get(key, key[0]) for key in ents]
    if len(picks) < k:
        tscore: Counter[int] = Counter()
        tdf: Counter[int] = Counter()
        idf = docs.term_idf
        for i in members:
            t, cnt = docs.terms(i)
            for term, cc in zip(t.tolist(), cnt.tolist(), strict=True):
                tscore[term] += cc * (float(idf[term]) if idf is not None and term < len(idf) else 1.0)
                tdf[term] += 1
        ranked_terms = [t for t, _ in tscore.most_common() if tdf[t] >= need]
        for s in range(0, len(ranked_terms), 32):
            if len(picks) >= k:
                break
            chunk = ranked_terms[s : s + 32]
            missing = [t for t in chunk if t not in docs.words]
            docs.words.update(_terms(c, missing))
            words = docs.words
            for t in chunk:
                if len(picks) >= k:
                    break
                w = words.get(t, "")
                if w and not any(w in p or p in w for p in picks):
                    picks.append(w)
    return "、".join(picks) or "(無題)"


def _terms(c: Corpus, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    return dict(c.con.execute(f"SELECT id, term FROM vocab WHERE id IN ({marks})", ids).fetchall())
