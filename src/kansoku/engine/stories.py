"""Near-duplicates and story clusters of a Spark run: the clusters of :mod:`kansoku.corpus.stories`,
computed with distributed joins instead of a store.

* Per document, on the executors: :func:`kansoku.store.features.doc_features` (the features ``kansoku
  ingest`` stores: nouns, headline nouns, entity salience, main place, date, the MinHash signature of
  :mod:`kansoku.store.minhash`) and the signature's LSH band keys (:func:`~kansoku.store.minhash.band_keys`).
* Near-duplicates: a join on (band, key), candidates confirmed by the share of equal signature values, as
  :func:`kansoku.corpus.stories.dup_pairs` does; groups are the connected components of the pairs (on the
  driver: one row per pair).
* Story similarity: the corpus-wide document count and frequencies by aggregation; each document's vector
  made by the local code (:func:`kansoku.corpus.stories.feature_vectors`) with them; a join on features
  gives every pair with a nonzero similarity, with its exact value; the date window and the
  different-places rule are applied to the pair; pairs above the threshold are linked.
* Clusters never span two connected components of the linked pairs and near-duplicate groups, so the
  documents of the components of two documents or more are brought to the driver (records and their
  features, not recomputed), written into an in-memory store, and clustered there by the local code
  (:func:`kansoku.corpus.stories.cluster_part`) with the corpus-wide figures: the same member sets, story
  ids, labels and cohesion as :func:`kansoku.corpus.stories.cluster_stories` on the whole corpus.  The
  local code also takes the same candidate rule as the whole corpus would (every pair, or pairs sharing
  one of their heaviest features when the date windows of the whole corpus hold more than
  ``EXACT_PAIRS`` pairs); the join itself finds every linked pair, a superset.

Cost at scale: the feature join is quadratic in a feature's document frequency; see docs/scale.md.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterator
from datetime import date
from typing import Any

from kansoku.corpus import to_date
from kansoku.corpus.stories import (
    EXACT_PAIRS,
    PLACE_PENALTY,
    CorpusStats,
    cluster_part,
    feature_vectors,
    window_pairs,
)
from kansoku.store.features import DocFeatures, doc_features
from kansoku.store.minhash import NUM_PERM, band_keys

FEATURE_DDL = (
    "id string, o_root int, o_key string, o_item int, fj string, sig array<long>, bands array<long>, "
    "day int, place string, ments array<string>, ents array<string>, terms array<string>, heads array<string>"
)
VECTOR_DDL = "id string, f string, w double"
STORY_DDL = (
    "id string, label string, doc_ids array<string>, sources array<string>, "
    "near_duplicates array<array<string>>, first string, last string, size long, cohesion double"
)
_EPOCH = date(1970, 1, 1)
#: pairs within this much below the threshold are linked by the join too (a superset: floating-point sums in
#: another order may differ in the last bits; the driver's local clustering decides)
_MARGIN = 1e-9


def records_frame(frame):  # type: ignore[no-untyped-def]
    """A run's contract frame → (id, o_root, o_key, o_item, record JSON) of its records, error rows left
    out, the first record (in input order) of each id only, as a store keeps them."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    from kansoku.engine.contract import ERROR_COLUMN, ORDER_COLUMN, columns

    cols = [c.rstrip("?") for c in columns()]
    recs = frame.filter(F.col(ERROR_COLUMN).isNull()).select(
        "id", F.col(f"{ORDER_COLUMN}.root").alias("o_root"), F.col(f"{ORDER_COLUMN}.key").alias("o_key"),
        F.col(f"{ORDER_COLUMN}.item").alias("o_item"),
        F.to_json(F.struct(*cols), {"ignoreNullFields": "false"}).alias("json"),
    )  # fmt: skip
    first = Window.partitionBy("id").orderBy("o_root", "o_key", "o_item")
    return recs.withColumn("_k", F.row_number().over(first)).filter("_k = 1").drop("_k")


def _record(js: str) -> dict:
    from kansoku.engine.contract import to_record

    return to_record(json.loads(js))


# ------------------------------------------------------------------------------- features as one column


def features_json(f: DocFeatures) -> str:
    """A document's features (without the full-text token string) as JSON, keeping every order."""
    return json.dumps({
        "terms": list(f.terms.items()), "heads": list(f.heads.items()),
        "sig": None if f.signature is None else [int(x) for x in f.signature],  # type: ignore[attr-defined]
        "date": f.date, "outlet": f.outlet, "place": f.place,
        "ents": [[k, *v] for k, v in f.entities.items()],
    }, ensure_ascii=False)  # fmt: skip


def features_from_json(js: str) -> DocFeatures:
    import numpy as np

    d = json.loads(js)
    return DocFeatures(
        tok="",
        terms=Counter(dict(d["terms"])),
        heads=Counter(dict(d["heads"])),
        signature=None if d["sig"] is None else np.array(d["sig"], dtype=np.uint32),
        date=d["date"],
        outlet=d["outlet"],
        place=d["place"],
        entities={e[0]: (e[1], e[2], e[3], e[4], e[5]) for e in d["ents"]},
    )


def _day(value: str | None) -> int:
    """Day number of a document date as the local clustering counts it (-1: undated)."""
    d = to_date(value)
    return (d - _EPOCH).days if d else -1


def _features(dup_threshold: float):  # type: ignore[no-untyped-def]
    def fn(batches: Iterator[Any]) -> Iterator[Any]:
        import pandas as pd

        for pdf in batches:
            out = []
            for rid, o_root, o_key, o_item, js in zip(pdf["id"], pdf["o_root"], pdf["o_key"], pdf["o_item"],
                                                      pdf["json"], strict=True):  # fmt: skip
                r = _record(js)
                if not (r.get("text") or r.get("entities")):
                    continue  # the local clustering leaves out a document without a text or an entity
                f = doc_features(r)
                sig = f.signature
                ents = f.entities
                out.append({
                    "id": rid, "o_root": o_root, "o_key": o_key, "o_item": o_item, "fj": features_json(f),
                    "sig": None if sig is None else [int(x) for x in sig],  # type: ignore[attr-defined]
                    "bands": None if sig is None else band_keys(sig, dup_threshold)[0].tolist(),
                    "day": _day(f.date), "place": f.place,
                    "ments": [k for k, v in ents.items() if v[4]],
                    "ents": [k for k, v in ents.items() if v[4] and v[2] != 0],
                    "terms": list(f.terms), "heads": list(f.heads),
                })  # fmt: skip
            if out:
                yield pd.DataFrame(out, columns=[c.split()[0] for c in FEATURE_DDL.split(", ")])

    return fn


def _vectors(n: int):  # type: ignore[no-untyped-def]
    """Per document: its similarity vector (the local code's) with the corpus-wide figures, exploded."""

    def fn(batches: Iterator[Any]) -> Iterator[Any]:
        import pandas as pd

        for pdf in batches:
            ent_df: dict[str, int] = {}
            term_df: dict[str, int] = {}
            for dfs in pdf["dfs"]:
                for d in dfs if dfs is not None else []:
                    k, c = d["k"], int(d["c"])
                    (ent_df if k[0] == "e" else term_df)[k[2:]] = c
            vecs = feature_vectors([features_from_json(js) for js in pdf["fj"]], CorpusStats(n, ent_df, term_df))
            out = [{"id": rid, "f": k, "w": w} for rid, vec in zip(pdf["id"], vecs, strict=True) for k, w in vec]
            if out:
                yield pd.DataFrame(out, columns=["id", "f", "w"])

    return fn


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


def cluster_stories_spark(spark, frame, window_days: int | None = 7, threshold: float = 0.19,  # type: ignore[no-untyped-def]
                          min_size: int = 2, dup_threshold: float = 0.8) -> tuple[list[dict], list[list[str]]]:
    """(stories, near-duplicate groups) of the records in FRAME (a run's Parquet), as
    :func:`kansoku.corpus.stories.cluster_stories` and ``near_duplicates`` compute them."""
    import numpy as np
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    if min_size < 2:
        raise ValueError("story clusters on Spark: min_size must be at least 2")
    recs = records_frame(frame)
    withdf = None
    feats = recs.mapInPandas(_features(dup_threshold), FEATURE_DDL).persist(StorageLevel.MEMORY_AND_DISK)
    try:
        n = feats.count()
        if n == 0:
            return [], []
        # near-duplicates: a join on LSH band keys, confirmed by the share of equal signature values
        need = math.ceil(dup_threshold * NUM_PERM - 1e-9)
        banded = feats.filter(F.col("sig").isNotNull()).select("id", F.posexplode("bands").alias("b", "key"))
        cand = (banded.alias("a").join(banded.alias("o"), ["b", "key"])
                .filter(F.col("a.id") < F.col("o.id")).select(F.col("a.id").alias("x"), F.col("o.id").alias("y"))
                .distinct())  # fmt: skip
        sig = feats.select("id", "sig")
        equal = F.expr("aggregate(zip_with(m1.sig, m2.sig, (p, q) -> IF(p = q, 1, 0)), 0, (acc, v) -> acc + v)")
        est = (cand.join(sig.alias("m1"), F.col("x") == F.col("m1.id"))
               .join(sig.alias("m2"), F.col("y") == F.col("m2.id"))
               .filter(equal >= need).select("x", "y"))  # fmt: skip
        dup_pairs = [(r["x"], r["y"]) for r in est.collect()]
        dups = _components(sorted({i for p in dup_pairs for i in p}), dup_pairs)

        # the candidate rule of the whole corpus (the date windows' pair count, from a histogram of days)
        hist = feats.groupBy("day").count().collect()
        days = np.repeat(np.array([r["day"] for r in hist], dtype=np.int64),
                         np.array([r["count"] for r in hist], dtype=np.int64))  # fmt: skip
        topk = window_pairs(days, window_days) > EXACT_PAIRS

        # document frequencies: entities with a salience ("e:"), nouns of the text ("l:")
        ekeys = F.transform("ents", lambda k: F.concat(F.lit("e:"), k))
        tkeys = F.transform("terms", lambda k: F.concat(F.lit("l:"), k))
        hkeys = F.transform("heads", lambda k: F.concat(F.lit("l:"), k))
        doc_keys = feats.select("id", F.explode(F.array_distinct(F.concat(ekeys, tkeys, hkeys))).alias("k"))
        ent_df = feats.select(F.explode(ekeys).alias("k")).groupBy("k").agg(F.count(F.lit(1)).alias("c"))
        term_df = feats.select(F.explode(tkeys).alias("k")).groupBy("k").agg(F.count(F.lit(1)).alias("c"))
        dfs = (doc_keys.join(ent_df.unionByName(term_df), "k").groupBy("id")
               .agg(F.collect_list(F.struct("k", "c")).alias("dfs")))  # fmt: skip
        withdf = feats.select("id", "fj").join(dfs, "id", "left").persist(StorageLevel.MEMORY_AND_DISK)
        vec = withdf.mapInPandas(_vectors(n), VECTOR_DDL)

        # every pair sharing a feature, its exact similarity, the date window and the different-places rule
        info = feats.select("id", "day", "place", "ments")
        sims = (vec.alias("a").join(vec.alias("o"), "f").filter(F.col("a.id") < F.col("o.id"))
                .groupBy(F.col("a.id").alias("x"), F.col("o.id").alias("y"))
                .agg(F.sum(F.col("a.w") * F.col("o.w")).alias("s"))
                .filter(F.col("s") > threshold - _MARGIN))  # fmt: skip
        ix, iy = info.alias("ix"), info.alias("iy")
        rule = (sims.join(ix, F.col("x") == F.col("ix.id")).join(iy, F.col("y") == F.col("iy.id")))
        far = F.lit(False) if window_days is None else (
            (F.col("ix.day") >= 0) & (F.col("iy.day") >= 0) & (F.abs(F.col("ix.day") - F.col("iy.day")) > window_days))
        pen = (F.col("ix.place").isNotNull() & F.col("iy.place").isNotNull() & (F.col("ix.place") != F.col("iy.place"))
               & ~F.array_contains(F.col("iy.ments"), F.col("ix.place"))
               & ~F.array_contains(F.col("ix.ments"), F.col("iy.place")))  # fmt: skip
        val = F.when(far, F.lit(0.0)).when(pen, F.col("s") * PLACE_PENALTY).otherwise(F.col("s"))
        links = [(r["x"], r["y"]) for r in rule.filter(val > threshold + 1e-12 - _MARGIN).select("x", "y").collect()]

        # the documents of components of two or more, with their records and features, on the driver
        members = sorted({i for p in links + dup_pairs for i in p})
        if not members:
            return [], dups
        keep = F.broadcast(spark.createDataFrame([(i,) for i in members], "id string"))
        rows = (recs.join(keep, "id").join(feats.select("id", "fj"), "id")
                .select("id", "o_root", "o_key", "o_item", "json", "fj").collect())  # fmt: skip
        counts = [r["dfs"] for r in withdf.join(keep, "id").select("dfs").collect()]
    finally:
        feats.unpersist()
        if withdf is not None:
            withdf.unpersist()

    ent_counts: dict[str, int] = {}
    term_counts: dict[str, int] = {}
    for dfl in counts:
        for d in dfl or []:
            (ent_counts if d["k"][0] == "e" else term_counts)[d["k"][2:]] = int(d["c"])
    rows.sort(key=lambda r: (r["o_root"], r["o_key"] or "", r["o_item"]))
    stories = _cluster_members(
        [(_record(r["json"]), features_from_json(r["fj"])) for r in rows],
        CorpusStats(n, ent_counts, term_counts, topk), window_days, threshold, min_size, dup_threshold,
    )
    return stories, dups


def _cluster_members(items: list[tuple[dict, DocFeatures]], stats: CorpusStats, window_days: int | None,
                     threshold: float, min_size: int, dup_threshold: float) -> list[dict]:
    """The local clustering of these documents (records in input order, with their features) in an
    in-memory store, with the corpus-wide ``stats``."""
    from kansoku.corpus.base import Corpus
    from kansoku.store import db

    con = db.memory_store()
    writer = db.StoreWriter(con)
    con.execute("BEGIN")
    for i in range(0, len(items), 256):
        writer.write([(rec, "", "memory", f) for rec, f in items[i : i + 256]])
    con.execute("COMMIT")
    with Corpus(con) as c:
        return cluster_part(c, stats, window_days, threshold, min_size, dup_threshold)


def write_stories(spark, frame, out: str, mode: str = "errorifexists", **kwargs: Any) -> int:  # type: ignore[no-untyped-def]
    """Cluster the records of FRAME and write the stories as Parquet to OUT; returns their number."""
    stories, _ = cluster_stories_spark(spark, frame, **kwargs)
    spark.createDataFrame(stories, STORY_DDL).coalesce(1).write.mode(mode).parquet(out)
    return len(stories)
