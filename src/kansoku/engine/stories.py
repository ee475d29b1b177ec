"""Near-duplicates and story clusters of a Spark run: the clusters of :mod:`kansoku.corpus.stories`,
computed with distributed joins instead of an all-pairs matrix.

* Near-duplicates: the local path's own MinHash signatures (datasketch, 128 permutations, seed 1, 5-shingles)
  computed on the executors, the LSH banding of ``datasketch.MinHashLSH`` for the same threshold as a join on
  band keys, candidates confirmed by the same MinHash Jaccard estimate: the same pairs, hence the same groups
  (connected components, on the driver: one row per pair).
* Story clusters: similarity is nonzero only for two documents that share a feature (an entity or a noun
  found in at least two documents), so a join on features gives every nonzero pair, with the corpus-wide
  IDF from a Spark aggregation.  Average-link merges two clusters only when some pair between them is above
  the threshold, so the connected components of the pairs above the threshold (and of the near-duplicate
  groups) never exchange members: each component is clustered on the driver with the local code
  (``_average_link``, ``_label``), on the records of its members only.

Cost at scale: the feature join is quadratic in a feature's document frequency; see docs/scale.md.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterator
from typing import Any

from kansoku.corpus import doc_date, to_date
from kansoku.corpus.stories import (
    NUM_PERM,
    PLACE_PENALTY,
    W_ENT,
    W_HEAD,
    W_LEX,
    _average_link,
    _gram,
    _headline,
    _label,
    _main_place,
    _minhash,
    _tfidf,
    _unit,
    doc_terms,
    entity_salience,
    noun_terms,
    story_id,
)

FEATURE_DDL = (
    "id string, o_root int, o_key string, o_item int, has_text boolean, bands array<string>, "
    "mh array<long>, sal string, ents array<string>, terms array<string>, heads array<string>"
)
VECTOR_DDL = "id string, f string, w double"
STORY_DDL = (
    "id string, label string, doc_ids array<string>, sources array<string>, "
    "near_duplicates array<array<string>>, first string, last string, size long, cohesion double"
)


def lsh_bands(threshold: float) -> tuple[int, int]:
    """(bands, rows per band) that ``datasketch.MinHashLSH`` uses for THRESHOLD and 128 permutations."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    return lsh.b, lsh.r


def records_frame(frame):  # type: ignore[no-untyped-def]
    """A run's contract frame → (id, input_order, record JSON) of its records (error rows left out)."""
    from pyspark.sql import functions as F

    from kansoku.engine.contract import ERROR_COLUMN, ORDER_COLUMN, columns

    cols = [c.rstrip("?") for c in columns()]
    return frame.filter(F.col(ERROR_COLUMN).isNull()).select(
        "id", F.col(ORDER_COLUMN).alias("ord"),
        F.to_json(F.struct(*cols), {"ignoreNullFields": "false"}).alias("json"),
    )  # fmt: skip


def _record(js: str) -> dict:
    from kansoku.engine.contract import to_record

    return to_record(json.loads(js))


def _features(bands: int, rows: int):  # type: ignore[no-untyped-def]
    def fn(batches: Iterator[Any]) -> Iterator[Any]:
        import pandas as pd

        for pdf in batches:
            out = []
            for rid, ord_, js in zip(pdf["id"], pdf["ord"], pdf["json"], strict=True):
                r = _record(js)
                if not (r.get("text") or r.get("entities")):
                    continue
                has_text = bool(r.get("text"))
                hv = [int(x) for x in _minhash(r["text"]).hashvalues] if has_text else None
                keys = (
                    [f"{b}:" + ",".join(map(str, hv[b * rows : (b + 1) * rows])) for b in range(bands)]
                    if has_text else []
                )  # fmt: skip
                sal = entity_salience(r)
                out.append({
                    "id": rid, "o_root": ord_["root"], "o_key": ord_["key"], "o_item": ord_["item"],
                    "has_text": has_text, "bands": keys, "mh": hv,
                    "sal": json.dumps(list(sal.items()), ensure_ascii=False), "ents": list(sal),
                    "terms": doc_terms(r), "heads": noun_terms(_headline(r)),
                })  # fmt: skip
            if out:
                yield pd.DataFrame(out)

    return fn


def _vectors(n: int):  # type: ignore[no-untyped-def]
    """Per document: the three unit vectors of the local similarity, with corpus-wide IDF, exploded."""

    def fn(batches: Iterator[Any]) -> Iterator[Any]:
        import pandas as pd

        for pdf in batches:
            out = []
            for rid, sal_js, terms, heads, edf, tdf in zip(
                pdf["id"], pdf["sal"], pdf["terms"], pdf["heads"], pdf["edf"], pdf["tdf"], strict=True
            ):
                ent_df = Counter({d["k"]: d["count"] for d in edf} if edf is not None else {})
                df = Counter({d["k"]: d["count"] for d in tdf} if tdf is not None else {})
                sal = dict(json.loads(sal_js))
                ent_idf = {k: _idf(n, ent_df[k]) for k in sal}
                term_idf = {t: _idf(n, df[t]) for t in df}
                for tag, vec in (
                    ("e", _unit({k: v * ent_idf[k] for k, v in sal.items() if ent_df[k] > 1})),
                    ("l", _tfidf(list(terms), term_idf, df)),
                    ("h", _tfidf(list(heads), term_idf, df)),
                ):
                    out.extend({"id": rid, "f": f"{tag}:{k}", "w": w} for k, w in vec.items())
            if out:
                yield pd.DataFrame(out, columns=["id", "f", "w"])

    return fn


def _idf(n: int, c: int) -> float:
    return math.log((1 + n) / (1 + c)) + 1.0


def _components(n_ids: list[str], edges: list[tuple[str, str]]) -> list[list[str]]:
    parent = {i: i for i in n_ids}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = sorted((find(a), find(b)))
        parent[rb] = ra
    groups: dict[str, list[str]] = {}
    for i in n_ids:
        groups.setdefault(find(i), []).append(i)
    return sorted((sorted(g) for g in groups.values() if len(g) > 1), key=lambda g: g[0])


def cluster_stories_spark(spark, frame, window_days: int = 7, threshold: float = 0.19,  # type: ignore[no-untyped-def]
                          min_size: int = 2, dup_threshold: float = 0.8) -> tuple[list[dict], list[list[str]]]:
    """(stories, near-duplicate groups) of the records in FRAME (a run's Parquet), as
    :func:`kansoku.corpus.stories.cluster_stories` and ``near_duplicates`` compute them."""
    from pyspark import StorageLevel
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    if min_size < 2:
        raise ValueError("story clusters on Spark: min_size must be at least 2")
    bands, rows = lsh_bands(dup_threshold)
    recs = records_frame(frame)
    feats = recs.mapInPandas(_features(bands, rows), FEATURE_DDL)
    first = Window.partitionBy("id").orderBy("o_root", "o_key", "o_item")
    feats = (feats.withColumn("_k", F.row_number().over(first)).filter("_k = 1").drop("_k")
             .persist(StorageLevel.MEMORY_AND_DISK))  # fmt: skip
    try:
        n = feats.count()
        if n == 0:
            return [], []
        # near-duplicates: a join on LSH band keys, confirmed by the MinHash Jaccard estimate
        banded = feats.filter("has_text").select("id", F.explode("bands").alias("band"))
        cand = (banded.alias("a").join(banded.alias("b"), "band")
                .filter(F.col("a.id") < F.col("b.id")).select(F.col("a.id").alias("x"), F.col("b.id").alias("y"))
                .distinct())  # fmt: skip
        mh = feats.select("id", "mh")
        est = (cand.join(mh.alias("m1"), F.col("x") == F.col("m1.id"))
               .join(mh.alias("m2"), F.col("y") == F.col("m2.id"))
               .select("x", "y", F.expr(f"aggregate(zip_with(m1.mh, m2.mh, (p, q) -> IF(p = q, 1, 0)), 0, "
                                         f"(acc, v) -> acc + v) / {NUM_PERM}").alias("j")))  # fmt: skip
        dup_pairs = [(r["x"], r["y"]) for r in est.filter(F.col("j") >= dup_threshold).collect()]
        dup_ids = sorted({i for p in dup_pairs for i in p})
        dups = _components(dup_ids, dup_pairs)

        # story similarity: document frequencies, exact vectors, every pair sharing a feature
        ent_df = feats.select(F.explode("ents").alias("k")).groupBy("k").count()
        term_df = feats.select(F.explode(F.array_distinct("terms")).alias("k")).groupBy("k").count()
        doc_ents = feats.select("id", F.explode("ents").alias("k"))
        edf = (doc_ents.join(ent_df, "k").groupBy("id")
               .agg(F.collect_list(F.struct("k", "count")).alias("edf")))  # fmt: skip
        doc_terms_ = feats.select("id", F.explode(F.array_distinct(F.concat("terms", "heads"))).alias("k"))
        tdf = (doc_terms_.join(term_df, "k").groupBy("id")
               .agg(F.collect_list(F.struct("k", "count")).alias("tdf")))  # fmt: skip
        withdf = feats.select("id", "sal", "terms", "heads").join(edf, "id", "left").join(tdf, "id", "left")
        vec = withdf.mapInPandas(_vectors(n), VECTOR_DDL)
        pairs = (vec.alias("a").join(vec.alias("b"), "f").filter(F.col("a.id") < F.col("b.id"))
                 .groupBy(F.col("a.id").alias("x"), F.col("b.id").alias("y"))
                 .agg(*[F.sum(F.when(F.col("f").startswith(t + ":"), F.col("a.w") * F.col("b.w")).otherwise(0.0))
                        .alias(t) for t in "elh"])
                 .select("x", "y", (W_ENT * F.col("e") + W_LEX * F.col("l") + W_HEAD * F.col("h")).alias("s"))
                 .filter(F.col("s") > threshold - 1e-9))  # fmt: skip
        cand_pairs = [(r["x"], r["y"]) for r in pairs.collect()]
        # members of candidate components: the records themselves, on the driver
        members = sorted({i for p in cand_pairs + dup_pairs for i in p})
        if not members:
            return [], dups
        keep = spark.createDataFrame([(i,) for i in members], "id string")
        first_rec = Window.partitionBy("id").orderBy("ord")
        rows_ = (recs.join(F.broadcast(keep), "id").withColumn("_k", F.row_number().over(first_rec))
                 .filter("_k = 1").select("id", "json").collect())  # fmt: skip
        by_id = {r["id"]: _record(r["json"]) for r in rows_}
        keys_e = {k for r in by_id.values() for k in entity_salience(r)}
        keys_t: set[str] = set()
        terms_of = {i: doc_terms(r) for i, r in by_id.items()}
        heads_of = {i: noun_terms(_headline(r)) for i, r in by_id.items()}
        for i in by_id:
            keys_t.update(terms_of[i])
            keys_t.update(heads_of[i])
        e_counts = {r["k"]: r["count"] for r in ent_df.join(
            F.broadcast(spark.createDataFrame([(k,) for k in sorted(keys_e)] or [("",)], "k string")), "k").collect()}
        t_counts = {r["k"]: r["count"] for r in term_df.join(
            F.broadcast(spark.createDataFrame([(k,) for k in sorted(keys_t)] or [("",)], "k string")), "k").collect()}
    finally:
        feats.unpersist()

    ctx = {"n": n, "ent_df": Counter(e_counts), "df": Counter(t_counts), "terms": terms_of, "heads": heads_of}
    stories: list[dict] = []
    for comp in _components(members, cand_pairs + dup_pairs):
        stories.extend(_cluster_component([by_id[i] for i in comp], dups, ctx, window_days, threshold, min_size))
    stories.sort(key=lambda s: (-s["size"], s["first"] or "9999", s["id"]))
    return stories, dups


def _cluster_component(recs: list[dict], dups: list[list[str]], ctx: dict, window_days: int,
                       threshold: float, min_size: int) -> list[dict]:
    """The local clustering (kansoku.corpus.stories.cluster_stories) of one component's records, with the
    corpus-wide document frequencies in CTX."""
    n, ent_df, df = ctx["n"], ctx["ent_df"], ctx["df"]
    sal = [entity_salience(r) for r in recs]
    ent_idf = {k: _idf(n, ent_df[k]) for s in sal for k in s}
    ent_vec = [_unit({k: v * ent_idf[k] for k, v in s.items() if ent_df[k] > 1}) for s in sal]
    terms = [ctx["terms"][r["id"]] for r in recs]
    term_idf = {t: _idf(n, df[t]) for d in terms for t in d}
    term_idf.update({t: _idf(n, df[t]) for r in recs for t in ctx["heads"][r["id"]]})
    tf = [_tfidf(t, term_idf, df) for t in terms]
    head_tf = [_tfidf(ctx["heads"][r["id"]], term_idf, df) for r in recs]
    dates = [to_date(doc_date(r)) for r in recs]
    places = [_main_place(r, s) for r, s in zip(recs, sal, strict=True)]
    mentioned = [{e["id"] for e in r.get("entities") or []} for r in recs]
    k = len(recs)
    sim = (W_ENT * _gram(ent_vec) + W_LEX * _gram(tf) + W_HEAD * _gram(head_tf)).tolist()
    for i in range(k):
        sim[i][i] = 1.0
        for j in range(i + 1, k):
            if window_days is not None and dates[i] and dates[j] and abs((dates[i] - dates[j]).days) > window_days:
                sim[i][j] = sim[j][i] = 0.0
                continue
            pi, pj = places[i], places[j]
            if pi and pj and pi != pj and pi not in mentioned[j] and pj not in mentioned[i]:
                sim[i][j] *= PLACE_PENALTY
                sim[j][i] = sim[i][j]
    idx = {r["id"]: i for i, r in enumerate(recs)}
    mine = [g for g in dups if g[0] in idx]
    clusters: list[list[int]] = []
    in_dup: set[int] = set()
    for g in mine:
        m = sorted(idx[d] for d in g)
        clusters.append(m)
        in_dup.update(m)
    clusters += [[i] for i in range(k) if i not in in_dup]
    clusters = _average_link(sim, clusters, threshold)
    feats = {"salience": sal, "ent_idf": ent_idf, "terms": terms, "term_idf": term_idf, "dates": dates}
    out = []
    for c in clusters:
        if len(c) < min_size:
            continue
        ids = [recs[i]["id"] for i in c]
        ds = sorted(d for i in c if (d := dates[i]))
        pairs = [sim[i][j] for m, i in enumerate(c) for j in c[m + 1 :]]
        out.append({
            "id": story_id(ids),
            "label": _label(recs, c, feats),
            "doc_ids": ids,
            "sources": [recs[i].get("source") for i in c],
            "near_duplicates": [g for g in mine if set(g) <= set(ids)],
            "first": ds[0].isoformat() if ds else None,
            "last": ds[-1].isoformat() if ds else None,
            "size": len(c),
            "cohesion": round(sum(pairs) / len(pairs), 3) if pairs else 1.0,
        })  # fmt: skip
    return out


def write_stories(spark, frame, out: str, mode: str = "errorifexists", **kwargs: Any) -> int:  # type: ignore[no-untyped-def]
    """Cluster the records of FRAME and write the stories as Parquet to OUT; returns their number."""
    stories, _ = cluster_stories_spark(spark, frame, **kwargs)
    spark.createDataFrame(stories, STORY_DDL).coalesce(1).write.mode(mode).parquet(out)
    return len(stories)
