"""Near-duplicates and event-level story clusters across outlets.

* :func:`near_duplicates` — MinHash (128 permutations) + LSH over character 5-shingles of the clean text,
  candidates confirmed by the MinHash Jaccard estimate; syndicated copies with a different header/footer
  and light edits fall in one group.
* :func:`cluster_stories` — average-link agglomerative clustering.  Pair similarity is
  ``0.5 * weighted entity Jaccard + 0.5 * TF-IDF cosine`` where entity weights are salience (mentions,
  doubled in the headline/lead) times IDF, and the TF-IDF vectors are built from Sudachi nouns.  Two dated
  documents more than ``window_days`` apart never link; undated documents join by similarity alone.
  Near-duplicate groups are merged first.  Deterministic: ties are broken by document id.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable

from kansoku.corpus import as_list, doc_date, entity_weight, is_byline_entity, is_specific_place, to_date

SHINGLE = 5
NUM_PERM = 128
_WS = re.compile(r"\s+")


def _shingles(text: str, k: int = SHINGLE) -> set[str]:
    t = _WS.sub("", text)
    if len(t) <= k:
        return {t} if t else set()
    return {t[i : i + k] for i in range(len(t) - k + 1)}


def _minhash(text: str):  # type: ignore[no-untyped-def]
    from datasketch import MinHash

    m = MinHash(num_perm=NUM_PERM, seed=1)
    m.update_batch([s.encode("utf-8") for s in sorted(_shingles(text))])
    return m


def near_duplicates(records: Iterable[dict], threshold: float = 0.8) -> list[list[str]]:
    """Groups (≥ 2 ids) of documents whose 5-shingle Jaccard similarity is at least ``threshold``.

    Groups are sorted internally and by their first id; a document is in at most one group (transitive
    closure of the pairs).
    """
    from datasketch import MinHashLSH

    recs = [r for r in as_list(records) if r.get("text")]
    if len(recs) < 2:
        return []
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    hashes: dict[str, object] = {}
    for r in recs:
        if r["id"] in hashes:
            continue
        mh = _minhash(r["text"])
        hashes[r["id"]] = mh
        lsh.insert(r["id"], mh)
    parent = {i: i for i in hashes}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, mh in hashes.items():
        for j in lsh.query(mh):
            if j == i:
                continue
            if mh.jaccard(hashes[j]) >= threshold:  # type: ignore[attr-defined]
                a, b = sorted((find(i), find(j)))
                parent[b] = a
    groups: dict[str, list[str]] = defaultdict(list)
    for i in hashes:
        groups[find(i)].append(i)
    return sorted((sorted(g) for g in groups.values() if len(g) > 1), key=lambda g: g[0])


def shingle_jaccard(a: str, b: str) -> float:
    """Exact 5-shingle Jaccard (for short texts such as sentences)."""
    sa, sb = _shingles(a), _shingles(b)
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / len(sa | sb)


# ---------------------------------------------------------------------------------------------- features

_STOP_NOUNS = {
    "こと", "もの", "ため", "よう", "ところ", "とき", "これ", "それ", "あれ", "方", "中", "日", "年", "月", "人",
    "時", "間", "後", "前", "氏", "同日", "今月", "今年", "昨年", "先月", "以上", "以下", "程度", "側", "等",
}


def noun_terms(text: str) -> list[str]:
    """Content nouns (Sudachi normalised forms) of ``text``: common and proper nouns, no numerals."""
    from kansoku.nlp.tokens import tokenize

    out = []
    for t in tokenize(text):
        if t.pos[0] != "名詞" or t.pos[1] in ("数詞", "助動詞語幹") or t.pos[2] == "助数詞可能" and len(t.surface) == 1:
            continue
        w = t.normalized or t.surface
        if w in _STOP_NOUNS or len(w) == 1 and not re.match(r"[\u4e00-\u9fff]", w):
            continue
        if re.fullmatch(r"[\d０-９.,%％:：/\-]+", w):
            continue
        out.append(w)
    return out


LEAD_BOOST = 3
W_ENT, W_LEX, W_HEAD = 0.4, 0.35, 0.25


PLACE_PENALTY = 0.5


def _main_place(rec: dict, sal: dict[str, float]) -> str | None:
    """The most salient place below country level mentioned at least twice (where the event happens)."""
    best, score = None, 0.0
    for e in rec.get("entities") or []:
        if is_specific_place(e) and len(e.get("mentions") or []) >= 2 and sal.get(e["id"], 0.0) > score:
            best, score = e["id"], sal[e["id"]]
    return best


def _headline(rec: dict) -> str:
    """The headline: ``title`` when it opens the text, else the first sentence."""
    text = rec.get("text") or ""
    title = rec.get("title") or ""
    if title and len(title) >= 12 and title in text[: len(title) + 200]:
        return title
    sents = rec.get("sentences") or []
    return text[sents[0][0] : sents[0][1]] if sents else text[:80]


def doc_terms(rec: dict) -> list[str]:
    """Nouns of a document, headline and lead nouns repeated ``LEAD_BOOST`` times (what the story is about)."""
    text = rec.get("text") or ""
    cut = _lead_end(rec)
    return noun_terms(text[:cut]) * LEAD_BOOST + noun_terms(text[cut:])


def _lead_end(rec: dict) -> int:
    sents = rec.get("sentences") or []
    if len(sents) >= 3:
        return sents[2][1]
    return min(len(rec.get("text") or ""), 200)


def entity_salience(rec: dict) -> dict[str, float]:
    """Entity id → salience: mention count (headline/lead mentions twice, one-letter abbreviations such as
    露 or 日 half) times :func:`~kansoku.corpus.entity_weight` (events and cities up, countries down)."""
    lead = _lead_end(rec)
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


def _idf(docs: list[Iterable[str]]) -> dict[str, float]:
    n = len(docs)
    df: Counter[str] = Counter()
    for d in docs:
        df.update(set(d))
    return {t: math.log((1 + n) / (1 + c)) + 1.0 for t, c in df.items()}


def _tfidf(terms: Iterable[str], idf: dict[str, float], df: Counter | None = None) -> dict[str, float]:
    """Log-TF × IDF, L2-normalised; terms found in one document only are left out when ``df`` is given
    (they cannot match anything and would only dilute long, vocabulary-rich texts)."""
    tf = Counter(t for t in terms if df is None or df[t] > 1)
    v = {t: (1 + math.log(c)) * idf.get(t, 1.0) for t, c in tf.items()}
    norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
    return {t: x / norm for t, x in v.items()}


def _gram(vecs: list[dict[str, float]]):  # type: ignore[no-untyped-def]
    """Matrix of pairwise dot products of sparse (dict) vectors, via a dense numpy product."""
    import numpy as np

    vocab = {t: k for k, t in enumerate(sorted({t for v in vecs for t in v}))}
    m = np.zeros((len(vecs), max(1, len(vocab))))
    for i, v in enumerate(vecs):
        for t, x in v.items():
            m[i, vocab[t]] = x
    return m @ m.T


def _unit(v: dict[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
    return {k: x / norm for k, x in v.items()}


def _cos(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(x * b.get(t, 0.0) for t, x in a.items())


def similarity_matrix(recs: list[dict], window_days: int | None = 7) -> tuple[list[list[float]], dict]:
    """Pairwise story similarity of ``recs`` plus the features used (for labels and explanations)."""
    sal = [entity_salience(r) for r in recs]
    ent_idf = _idf([s.keys() for s in sal])
    ent_df: Counter[str] = Counter(k for s in sal for k in s)
    ent_vec = [_unit({k: v * ent_idf[k] for k, v in s.items() if ent_df[k] > 1}) for s in sal]
    terms = [doc_terms(r) for r in recs]
    term_idf = _idf(terms)
    df: Counter[str] = Counter(t for d in terms for t in set(d))
    tf = [_tfidf(t, term_idf, df) for t in terms]
    heads = [noun_terms(_headline(r)) for r in recs]
    head_tf = [_tfidf(t, term_idf, df) for t in heads]
    dates = [to_date(doc_date(r)) for r in recs]
    places = [_main_place(r, s) for r, s in zip(recs, sal, strict=True)]
    mentioned = [{e["id"] for e in r.get("entities") or []} for r in recs]
    n = len(recs)
    sim = (W_ENT * _gram(ent_vec) + W_LEX * _gram(tf) + W_HEAD * _gram(head_tf)).tolist()
    for i in range(n):
        sim[i][i] = 1.0
        for j in range(i + 1, n):
            if window_days is not None and dates[i] and dates[j] and abs((dates[i] - dates[j]).days) > window_days:
                sim[i][j] = sim[j][i] = 0.0
                continue
            pi, pj = places[i], places[j]
            if pi and pj and pi != pj and pi not in mentioned[j] and pj not in mentioned[i]:
                sim[i][j] *= PLACE_PENALTY  # two events in two different cities
                sim[j][i] = sim[i][j]
    return sim, {"salience": sal, "ent_idf": ent_idf, "terms": terms, "term_idf": term_idf, "dates": dates}


def _average_link(sim: list[list[float]], clusters: list[list[int]], threshold: float) -> list[list[int]]:
    """Average-link agglomeration from the given initial clusters (Lance–Williams updates on a numpy
    matrix); merges the most similar pair while its average similarity exceeds ``threshold``."""
    import numpy as np

    s = np.asarray(sim, dtype=float)
    k = len(clusters)
    if k < 2:
        return clusters
    c = np.array([[s[np.ix_(a, b)].mean() for b in clusters] for a in clusters])
    np.fill_diagonal(c, -np.inf)
    size = np.array([len(a) for a in clusters], dtype=float)
    alive = np.ones(k, dtype=bool)
    members = [list(a) for a in clusters]
    while alive.sum() > 1:
        masked = np.where(alive[:, None] & alive[None, :], c, -np.inf)
        flat = int(np.argmax(masked))  # first maximum: deterministic for a fixed input order
        x, y = divmod(flat, k)
        if masked[x, y] <= threshold + 1e-12:
            break
        x, y = min(x, y), max(x, y)
        new = (size[x] * c[x] + size[y] * c[y]) / (size[x] + size[y])
        c[x, :] = new
        c[:, x] = new
        c[x, x] = -np.inf
        size[x] += size[y]
        alive[y] = False
        members[x] = sorted(members[x] + members[y])
    return [members[i] for i in range(k) if alive[i]]


def story_id(doc_ids: Iterable[str]) -> str:
    """Stable story id: a hash of the sorted member ids."""
    return "s-" + hashlib.sha1("\n".join(sorted(doc_ids)).encode()).hexdigest()[:10]


def cluster_stories(
    records: Iterable[dict],
    window_days: int = 7,
    threshold: float = 0.19,
    min_size: int = 2,
    dup_threshold: float = 0.8,
) -> list[dict]:
    """Event-level story clusters (average-link agglomerative), largest first.

    Returns ``[{"id", "label", "doc_ids", "near_duplicates", "first", "last", "size", "cohesion"}]``;
    clusters smaller than ``min_size`` are dropped (``min_size=1`` keeps every document).
    """
    recs_all = as_list(records)
    seen: set[str] = set()
    recs: list[dict] = []
    for r in sorted(recs_all, key=lambda r: r["id"]):
        if r["id"] not in seen and (r.get("text") or r.get("entities")):
            seen.add(r["id"])
            recs.append(r)
    if not recs:
        return []
    idx = {r["id"]: i for i, r in enumerate(recs)}
    dups = near_duplicates(recs, dup_threshold)
    sim, feats = similarity_matrix(recs, window_days)

    clusters: list[list[int]] = []
    in_dup: set[int] = set()
    for g in dups:
        members = sorted(idx[d] for d in g)
        clusters.append(members)
        in_dup.update(members)
    clusters += [[i] for i in range(len(recs)) if i not in in_dup]

    clusters = _average_link(sim, clusters, threshold)

    out = []
    for c in clusters:
        if len(c) < min_size:
            continue
        ids = [recs[i]["id"] for i in c]
        dates = sorted(d for i in c if (d := feats["dates"][i]))
        pairs = [sim[i][j] for k, i in enumerate(c) for j in c[k + 1 :]]
        out.append({
            "id": story_id(ids),
            "label": _label(recs, c, feats),
            "doc_ids": ids,
            "sources": [recs[i].get("source") for i in c],
            "near_duplicates": [g for g in dups if set(g) <= set(ids)],
            "first": dates[0].isoformat() if dates else None,
            "last": dates[-1].isoformat() if dates else None,
            "size": len(c),
            "cohesion": round(sum(pairs) / len(pairs), 3) if pairs else 1.0,
        })
    out.sort(key=lambda s: (-s["size"], s["first"] or "9999", s["id"]))
    return out


def _label(recs: list[dict], members: list[int], feats: dict, k: int = 3) -> str:
    """Short Japanese label: the most salient entities shared by most members (weighted by IDF), then
    shared keywords; joined with 、 (names themselves contain ・)."""
    names: dict[str, str] = {}
    generic: set[str] = set()
    score: Counter[str] = Counter()
    docfreq: Counter[str] = Counter()
    for i in members:
        for e in recs[i].get("entities") or []:
            if is_byline_entity(recs[i], e):
                continue
            names.setdefault(e["id"], e.get("name") or e["id"])
            if entity_weight(e) < 1.0:
                generic.add(e["id"])
        for eid, s in feats["salience"][i].items():
            score[eid] += s * feats["ent_idf"].get(eid, 1.0)
            docfreq[eid] += 1
    need = max(1, math.ceil(len(members) / 2)) if len(members) > 1 else 1
    # coverage first: an entity every member names beats one a single long article repeats
    ranked = sorted(score, key=lambda e: (e in generic, -score[e] * (docfreq[e] / len(members)) ** 2, e))
    shared = [e for e in ranked if docfreq[e] >= need]
    picks = [names[e] for e in shared[:k]]
    if len(picks) < k:
        tscore: Counter[str] = Counter()
        tdf: Counter[str] = Counter()
        for i in members:
            for t, c in Counter(feats["terms"][i]).items():
                tscore[t] += c * feats["term_idf"].get(t, 1.0)
                tdf[t] += 1
        for t, _ in tscore.most_common():
            if len(picks) >= k:
                break
            if tdf[t] >= need and not any(t in p or p in t for p in picks):
                picks.append(t)
    return "、".join(picks) or "(無題)"
