"""Corpus commands on a 100,000-article store: stories, entity, timeline --entity, search.

usage: python bench/corpus_scale.py [--docs 100000] [--base 3000] [--dir out/bench] [--rebuild]
                                    [--queries 200] [--corpus DIR] [--skip-stories]

How the store is made (cached under ``--dir``; built once, reused by later runs):

1. **Base records.** ``--base`` livedoor news articles, evenly spread over the nine categories, are
   analysed once by the real pipeline (``kansoku analyze``); the records are kept in
   ``DIR/base-N.jsonl``.  Entities, dates, claims, figures, events, frames and stance are therefore real.
2. **Replicas.** Article *i* of the store is replica ``r = i // N`` of base record ``i % N`` (r = 0 is the
   original).  A replica gets a new id and source, one of 10 synthetic outlets, a publication date shifted
   by a random -400…+400 days (its events' dates shifted with it), and a text in which 15% of the
   hiragana outside entity mentions are replaced by other hiragana (same length, so every offset stays
   valid; the ``text`` of claims, figures, events and dates are re-cut from it).  Replicas of one article
   are thus not near-duplicates (5-shingle Jaccard ≈ 0.3-0.5) but share their entities and nouns, like
   several outlets covering one topic.  5% of the replicas are instead a syndicated copy of the previous
   replica of their article (0.5% of hiragana changed, date within a day): real near-duplicates.
3. **Features.** The stored features of a replica (the Sudachi-derived ``fts_tok`` column and noun
   counts, entity salience, main place) are those of its base record, computed once; its MinHash
   signature, date and outlet are its own.  Rows are written by the store's own writer
   (``StoreWriter``), with the journal off during the build.

Then, each on the same store and in the same run as its baseline:

* baseline: what every corpus command did first before schema 2 — reading and parsing ``record_json``
  — timed on 10,000 documents and scaled to the store size (the old commands then also re-tokenised
  every text for ``stories`` and built an n × n matrix);
* ``stories`` (``cluster_stories`` over the whole store, its cache in the store emptied first; then again,
  from the cache), ``entity X`` and ``timeline --entity X`` (the command's default: the first 500 events;
  and every event, through the Python API) for the entity named in the most documents and for the 200th,
  in process;
* the same three through the command line (process start-up included);
* search: ``bench/search_latency.py``'s query mix (1, 2, 3+ characters; 2 terms + a filter), p50/p95.

Targets (issue 15): stories < 60 s, entity and timeline --entity < 1 s, search p95 < 50 ms.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import sqlite3
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
DEFAULT_CORPUS = ROOT.parent / "shared" / "eval" / "livedoor-news" / "text"
NOT_ARTICLES = {"LICENSE.txt", "README.txt", "CHANGES.txt"}
HIRAGANA = [chr(c) for c in range(0x3041, 0x3094)]


def base_records(corpus: Path, n: int, out: Path) -> list[dict]:
    path = out / f"base-{n}.jsonl"
    if not path.exists():
        files = sorted(p for p in corpus.glob("*/*.txt") if p.name not in NOT_ARTICLES)
        pick = [files[i * len(files) // n] for i in range(n)]
        print(f"analysing {n} livedoor articles once (cached in {path}) …", flush=True)
        env = dict(os.environ, PYTHONPATH=str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""))
        lst = out / f"base-{n}.files"
        lst.write_text("\n".join(map(str, pick)), encoding="utf-8")
        subprocess.run([sys.executable, "-m", "kansoku.cli", "analyze", *map(str, pick), "--out", str(path), "--quiet"],
                       check=False, env=env)  # fmt: skip
    from kansoku.corpus import load_records_from_jsonl

    return load_records_from_jsonl([path])


def _shift(value: str | None, days: int) -> str | None:
    if not value or len(value) < 10 or value[4] != "-" or value[7] != "-":
        return value
    try:
        d = date.fromisoformat(value[:10]) + timedelta(days=days)
    except ValueError:
        return value
    return d.isoformat() + value[10:]


def _recut(items: list[dict] | None, text: str) -> list[dict]:
    out = []
    for x in items or []:
        s, e = x.get("start"), x.get("end")
        out.append(dict(x, text=text[s:e]) if isinstance(s, int) and isinstance(e, int) else x)
    return out


def replica(rec: dict, text: str, r: int, days: int, outlet: str) -> dict:
    """Replica ``r`` of a base record with ``text`` (same length), dates shifted by ``days``."""
    meta = dict(rec.get("metadata") or {})
    meta["published"] = _shift(meta.get("published"), days)
    meta["outlet"] = outlet
    import hashlib

    new = dict(rec)
    new["id"] = hashlib.sha256(f"{rec['id']}/{r}".encode()).hexdigest()[:16]
    new["source"] = f"synthetic/{r}/{rec.get('source')}"
    new["text"] = text
    new["metadata"] = meta
    for key in ("claims", "quantities", "timex"):
        new[key] = _recut(rec.get(key), text)
    new["events"] = [dict(ev, date=_shift(ev.get("date"), days)) for ev in _recut(rec.get("events"), text)]
    return new


def perturb(text: str, positions: list[int], rate: float, rng: random.Random) -> str:
    chars = list(text)
    for p in rng.sample(positions, int(len(positions) * rate)):
        chars[p] = rng.choice(HIRAGANA)
    return "".join(chars)


def build(db_path: Path, bases: list[dict], n_docs: int) -> dict:
    from kansoku.store import db
    from kansoku.store.features import DocFeatures, doc_features
    from kansoku.store.minhash import signature
    from search_latency import OUTLETS

    t0 = time.perf_counter()
    feats = [doc_features(r) for r in bases]
    t_feat = time.perf_counter() - t0
    protected = []
    for r in bases:
        text = r["text"]
        taken = bytearray(len(text))
        for e in r.get("entities") or []:
            for m in e.get("mentions") or []:
                taken[m["start"] : m["end"]] = b"\x01" * (m["end"] - m["start"])
        protected.append([i for i, ch in enumerate(text) if "\u3041" <= ch <= "\u3093" and not taken[i]])
    rng = random.Random(15)
    con = db.connect(db_path)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    writer = db.StoreWriter(con)
    last: dict[int, tuple[str, int]] = {}
    batch: list = []
    con.execute("BEGIN")
    for i in range(n_docs):
        b, r = i % len(bases), i // len(bases)
        base, f = bases[b], feats[b]
        if r == 0:
            rec, text, days = base, base["text"], 0
        else:
            if r > 1 and b in last and rng.random() < 0.05:  # syndicated copy of the previous replica
                prev_text, prev_days = last[b]
                text, days = perturb(prev_text, protected[b], 0.005, rng), prev_days + rng.randint(0, 1)
            else:
                text, days = perturb(base["text"], protected[b], 0.15, rng), rng.randint(-400, 400)
            rec = replica(base, text, r, days, OUTLETS[(b + r) % len(OUTLETS)])
        last[b] = (text, days)
        from kansoku.corpus import doc_date

        rf = DocFeatures(tok=f.tok, terms=f.terms, heads=f.heads, signature=signature(text), date=doc_date(rec),
                         outlet=(rec.get("metadata") or {}).get("outlet") or f.outlet, place=f.place,
                         entities=f.entities)  # fmt: skip
        batch.append((rec, "", "bench", rf))
        if len(batch) >= 2000:
            writer.write(batch)
            batch = []
            if (i + 1) % 20000 == 0:
                print(f"  {i + 1} articles written ({time.perf_counter() - t0:.0f} s)", flush=True)
    writer.write(batch)
    con.execute("COMMIT")
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("ANALYZE")
    con.close()
    size = sum(p.stat().st_size for p in db_path.parent.glob(db_path.name + "*"))
    return {"docs": n_docs, "base": len(bases), "base_features_s": round(t_feat, 1),
            "build_s": round(time.perf_counter() - t0, 1), "size_mb": round(size / 2**20)}  # fmt: skip


def timed(fn, *args, **kw):  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    res = fn(*args, **kw)
    return time.perf_counter() - t, res


def cli_time(*args: str) -> float:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    t = time.perf_counter()
    p = subprocess.run([sys.executable, "-m", "kansoku.cli", *args], capture_output=True, text=True, env=env,
                       check=False)  # fmt: skip
    dt = time.perf_counter() - t
    if p.returncode != 0:
        print(f"  (kansoku {' '.join(args)} exited {p.returncode}: {p.stderr.strip()[-200:]})")
    return dt


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--base", type=int, default=3000)
    ap.add_argument("--dir", type=Path, default=ROOT / "out" / "bench")
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--skip-stories", action="store_true")
    ap.add_argument("--no-cli", action="store_true", help="do not time the command line")
    args = ap.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    db_path = args.dir / f"corpus-{args.docs}-{args.base}.db"
    load0 = os.getloadavg()
    print(f"load average {load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f}, {os.cpu_count()} CPUs")
    if args.rebuild or not db_path.exists():
        if not args.corpus.is_dir():
            print(f"corpus_scale: {args.corpus} not found; skipping (needs the livedoor news corpus)")
            return 0
        for p in args.dir.glob(db_path.name + "*"):
            p.unlink()
        bases = base_records(args.corpus, args.base, args.dir)
        print(json.dumps({"build": build(db_path, bases, args.docs)}))
    else:
        print(f"reusing {db_path}")

    from kansoku.corpus.base import Corpus
    from kansoku.corpus.cli import TIMELINE_LIMIT
    from kansoku.corpus.entity import entity_profile
    from kansoku.corpus.stories import cluster_stories
    from kansoku.corpus.timeline import timeline

    c = Corpus.open(db_path)
    n = c.size()
    # baseline: read + parse record_json of 10,000 documents (what the old commands did for all of them)
    k = min(10_000, n)
    t_base, _ = timed(lambda: [json.loads(r[0]) for r in c.con.execute(
        "SELECT record_json FROM documents WHERE n % ? = 0 LIMIT ?", (max(1, n // k), k))])  # fmt: skip
    t_old_load = t_base * n / k
    print(f"store: {n} articles; baseline: parse {k} records {t_base:.2f} s (old commands' first step for "
          f"the whole store ≈ {t_old_load:.0f} s)")
    freq = c.con.execute(
        "SELECT entity_id, count(*) AS k FROM doc_entities WHERE in_record = 1 GROUP BY entity_id ORDER BY k DESC"
    ).fetchall()
    top, top_docs = freq[0][0], freq[0][1]
    mid, mid_docs = freq[min(len(freq) - 1, 200)][0], freq[min(len(freq) - 1, 200)][1]
    c.close()
    rows = []

    def row(name: str, secs: float, target: float | None, note: str = "") -> None:
        rows.append((name, secs, secs / t_base, target, note))

    for label, eid, nd in (("most frequent", top, top_docs), ("rank 200", mid, mid_docs)):
        with Corpus.open(db_path) as c:
            t, prof = timed(entity_profile, c, eid)
        row(f"entity {eid} ({label}, {nd} docs)", t, 1.0, f"{prof['mentions']} mentions")
        with Corpus.open(db_path) as c:
            t, tl = timed(timeline, c, entity=eid, limit=TIMELINE_LIMIT)
        row(f"timeline --entity {eid} (first {TIMELINE_LIMIT})", t, 1.0, f"{len(tl)} events")
        with Corpus.open(db_path) as c:
            t, tl = timed(timeline, c, entity=eid)
        row(f"timeline --entity {eid}, every event (API)", t, None, f"{len(tl)} events")
    if not args.skip_stories:
        with Corpus.open(db_path) as c, contextlib.suppress(sqlite3.OperationalError):
            c.con.execute("DELETE FROM story_cache")  # time the clustering, not the cache
        with Corpus.open(db_path) as c:
            t, st = timed(cluster_stories, c)
        sizes = sorted((s["size"] for s in st), reverse=True)
        row("stories", t, 60.0, f"{len(st)} stories of ≥ 2, largest {sizes[:3]}")
        with Corpus.open(db_path) as c:
            t, _ = timed(cluster_stories, c)
        row("stories again (cached in the store)", t, None, "until the store changes")

    # search, with search_latency's query mix on this store's token column
    import search_latency as sl
    from kansoku.store import db
    from kansoku.store.search import search

    con = db.connect(db_path, create=False, upgrade=False)
    toks = [r[0] for r in con.execute("SELECT tok FROM fts_tok WHERE rowid % 97 = 0")]
    sl.GENRES[:] = [r[0] for r in con.execute("SELECT DISTINCT genre FROM documents WHERE genre IS NOT NULL")] or sl.GENRES
    queries = sl.make_queries(toks, args.queries)
    for _cls, q, f in queries[:5]:
        search(db_path, q, limit=20, con=con, **f)
    times: list[float] = []
    for _cls, q, f in queries:
        t, _ = timed(search, db_path, q, limit=20, con=con, **f)
        times.append(t)
    con.close()
    rows.append(("search p50", sl.pct(times, 50), sl.pct(times, 50) / t_base, None, f"{len(times)} queries"))
    rows.append(("search p95", sl.pct(times, 95), sl.pct(times, 95) / t_base, 0.05, ""))

    if not args.no_cli:
        common = ("--db", str(db_path), "--format", "json")
        row(f"CLI: kansoku entity {top}", cli_time("entity", top, *common), None, "process start-up included")
        row(f"CLI: kansoku timeline --entity {top}", cli_time("timeline", "--entity", top, *common), None, "")
        row("CLI: kansoku --version (start-up alone)", cli_time("--version"), None, "")

    load1 = os.getloadavg()
    print(f"\n{'what':<52} {'seconds':>9} {'÷ baseline':>11} {'target':>8}  note")
    for name, secs, ratio, target, note in rows:
        tgt = "" if target is None else (f"< {target:g}" + (" met" if secs < target else " NOT met"))
        print(f"{name:<52} {secs:>9.3f} {ratio:>11.3f} {tgt:>8}  {note}")
    print(f"baseline = parsing {k} stored records ({t_base:.2f} s); load average at the end "
          f"{load1[0]:.2f} {load1[1]:.2f} {load1[2]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
